// The Load Vectors a plan can reference: every *.json in the vector directory
// (one vector or an array of them, each with a "vector_id"), minus *.schema.json.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lp::plan {

struct VectorIndex {
  std::filesystem::path dir;
  std::map<std::string, std::filesystem::path> files;  // vector_id -> file
  std::vector<std::string> problems;                   // unreadable files, missing ids, duplicates

  std::vector<std::string> ids() const;
};

// Reads at most a few hundred files, each bounded in size.
VectorIndex scan_vectors(const std::filesystem::path& dir);

}  // namespace lp::plan
