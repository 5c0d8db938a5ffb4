// A directory of Load Vector files (`*.json`, each one vector or an array of
// them; `*.schema.json` is skipped). Ids are unique across the directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadpilot/vectors/load_vector.hpp"
#include "loadpilot/vectors/parse.hpp"

namespace lp::vectors {

class VectorRepository {
 public:
  // Reads every vector file in `dir` (not recursively) in name order. A file
  // with errors contributes none of its vectors; a duplicate id is an error
  // on the later file naming the earlier one.
  static VectorRepository load(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  const std::vector<VectorError>& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }
  // The vector files read, in name order (as dir / filename).
  const std::vector<std::filesystem::path>& files() const { return files_; }

  // Every valid vector, sorted by id.
  const std::vector<LoadVector>& list() const { return vectors_; }
  std::vector<std::string> ids() const;
  // nullptr when there is no valid vector with that id.
  const LoadVector* find(std::string_view id) const;

 private:
  std::filesystem::path dir_;
  std::vector<std::filesystem::path> files_;
  std::vector<LoadVector> vectors_;
  std::vector<VectorError> errors_;
};

// The id closest to `id` among the repository's, for "did you mean" hints.
std::optional<std::string> suggest_id(const VectorRepository& repository, std::string_view id);

}  // namespace lp::vectors
