#include "loadpilot/vectors/repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "text_util.hpp"

namespace lp::vectors {
namespace {

// Reading a directory someone pointed us at: bound the work.
constexpr std::size_t kMaxFiles = 1000;

bool is_vector_file(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  const auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".json") && !ends_with(".schema.json") && name.front() != '.';
}

}  // namespace

VectorRepository VectorRepository::load(const std::filesystem::path& dir) {
  VectorRepository repo;
  repo.dir_ = dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    repo.errors_.push_back({dir.string(), "", "no such directory"});
    return repo;
  }
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (is_vector_file(it->path()) && it->is_regular_file(type_ec)) {
      repo.files_.push_back(dir / it->path().filename());
    }
  }
  if (ec) {
    repo.errors_.push_back({dir.string(), "", fmt::format("cannot list: {}", ec.message())});
  }
  std::sort(repo.files_.begin(), repo.files_.end());  // stable order whatever the file system
  if (repo.files_.size() > kMaxFiles) {
    repo.errors_.push_back({dir.string(), "",
                            fmt::format("more than {} vector files; only the first {} are read",
                                        kMaxFiles, kMaxFiles)});
    repo.files_.resize(kMaxFiles);
  }

  std::map<std::string, std::string, std::less<>> seen;  // id -> file
  for (const auto& file : repo.files_) {
    ParseResult parsed = load_vector_file(file);
    for (auto& e : parsed.errors) repo.errors_.push_back(std::move(e));
    for (LoadVector& v : parsed.vectors) {
      auto [first, inserted] = seen.emplace(v.id, file.string());
      if (!inserted) {
        repo.errors_.push_back({file.string(), v.pointer + "/vector_id",
                                fmt::format("duplicate vector id {}; {} defines it too",
                                            detail::quote(v.id), first->second)});
        continue;
      }
      repo.vectors_.push_back(std::move(v));
    }
  }
  std::sort(repo.vectors_.begin(), repo.vectors_.end(),
            [](const LoadVector& a, const LoadVector& b) { return a.id < b.id; });
  return repo;
}

std::vector<std::string> VectorRepository::ids() const {
  std::vector<std::string> out;
  out.reserve(vectors_.size());
  for (const auto& v : vectors_) out.push_back(v.id);
  return out;
}

const LoadVector* VectorRepository::find(std::string_view id) const {
  auto it = std::lower_bound(vectors_.begin(), vectors_.end(), id,
                             [](const LoadVector& v, std::string_view key) { return v.id < key; });
  return it != vectors_.end() && it->id == id ? &*it : nullptr;
}

std::optional<std::string> suggest_id(const VectorRepository& repository, std::string_view id) {
  return detail::closest(id, repository.ids());
}

}  // namespace lp::vectors
