#include "vector_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <variant>

#include "diagnostics.hpp"
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
    const std::string file = it->path().filename().string();
    // The vectors' own JSON Schema lives beside them.
    const bool schema = file.size() > 12 && file.compare(file.size() - 12, 12, ".schema.json") == 0;
    if (it->path().extension() == ".json" && !schema) candidates.push_back(it->path());
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
    // One vector per file, or an array of them.
    std::vector<const nlohmann::json*> vectors;
    if (doc.is_object()) {
      vectors.push_back(&doc);
    } else if (doc.is_array()) {
      for (const nlohmann::json& v : doc) vectors.push_back(&v);
    }
    if (doc.is_discarded() || vectors.empty()) {
      index.problems.push_back(
          fmt::format("vector file {} is not a JSON object or array of objects", name));
      continue;
    }
    for (const nlohmann::json* v : vectors) {
      auto id = v->is_object() ? v->find("vector_id") : v->end();
      if (!v->is_object() || id == v->end() || !id->is_string() || id->get<std::string>().empty()) {
        index.problems.push_back(
            fmt::format("vector file {} has a vector without \"vector_id\"", name));
        continue;
      }
      auto [pos, inserted] = index.files.emplace(id->get<std::string>(), file);
      if (!inserted) {
        index.problems.push_back(fmt::format("vector {} is defined in both {} and {}",
                                             quote(pos->first), pos->second.filename().string(),
                                             name));
      }
    }
  }
  return index;
}

}  // namespace lp::plan
