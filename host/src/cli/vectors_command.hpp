// `loadpilot vectors list|show|validate`: the Load Vectors in a directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lp::cli {

struct VectorsOptions {
  std::string action;             // list | show | validate
  std::vector<std::string> args;  // show: one id; validate: files or directories
  std::filesystem::path dir;      // empty: ./vectors, else the source tree's vectors/
  bool json = false;              // machine-readable output
};

// Exit codes: 0 all good, 2 usage or validation error (every error printed).
int vectors_command(const VectorsOptions& options);

}  // namespace lp::cli
