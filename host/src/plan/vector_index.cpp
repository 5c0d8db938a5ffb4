#include "vector_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <variant>

#include "file_io.hpp"

namespace lp::plan {

std::vector<std::string> VectorIndex::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, file] : files) out.push_back(id);
  return out;
}

VectorIndex scan_vectors(const std::filesystem::path& dir) {
  constexpr std::size_t kMaxFiles = 1000;
  constexpr std::size_t kMaxVectorBytes = 4 * 1024 * 1024;
  VectorIndex index;
  index.dir = dir;
  std::vector<std::filesystem::path> candidates;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json") candidates.push_back(it->path());
    if (candidates.size() > kMaxFiles) break;
  }
  std::sort(candidates.begin(), candidates.end());  // stable messages whatever the file system
  for (const auto& file : candidates) {
    const std::string name = file.filename().string();
    auto text = read_text_file(file, kMaxVectorBytes);
    if (text.index() == 1) {
      index.problems.push_back(
          fmt::format("cannot read vector file {}: {}", name, std::get<1>(text)));
      continue;
    }
    const nlohmann::json doc = nlohmann::json::parse(std::get<0>(text), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      index.problems.push_back(fmt::format("vector file {} is not a JSON object", name));
      continue;
    }
    auto id = doc.find("vector_id");
    if (id == doc.end() || !id->is_string() || id->get<std::string>().empty()) {
      index.problems.push_back(fmt::format("vector file {} has no \"vector_id\"", name));
      continue;
    }
    auto [pos, inserted] = index.files.emplace(id->get<std::string>(), file);
    if (!inserted) {
      index.problems.push_back(fmt::format("vector \"{}\" is defined in both {} and {}", pos->first,
                                           pos->second.filename().string(), name));
    }
  }
  return index;
}

}  // namespace lp::plan
