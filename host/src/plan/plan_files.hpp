// A plan file and the files it includes, merged into one tree: maps merge
// deeply with the including file winning, lists and scalars are replaced.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.hpp"
#include "loadpilot/host/plan/plan_loader.hpp"
#include "yaml_tree.hpp"

namespace lp::plan {

struct SourceFile {
  std::string label;                // as shown in messages
  std::filesystem::path dir;        // absolute; relative paths written in this file resolve here
  std::filesystem::path canonical;  // empty for a plan given as a string
};

class PlanFiles {
 public:
  PlanFiles(Diagnostics& diag, const PlanContext& ctx);

  // The merged tree; nullopt when the root file could not be read or parsed.
  std::optional<Node> load_root_file(const std::filesystem::path& file);
  std::optional<Node> load_root_string(std::string_view text, std::string label);

  // Indexed like Diagnostics' files.
  const std::vector<SourceFile>& files() const { return files_; }
  const SourceFile& file(int index) const { return files_.at(static_cast<std::size_t>(index)); }

 private:
  static constexpr int kMaxIncludeDepth = 16;

  int add_file(SourceFile file);
  std::optional<Node> parse_and_include(std::string_view text, int file, std::vector<int>& chain);
  void include_one(const Node& item, const std::string& path, int from, std::vector<int>& chain,
                   std::optional<Node>& base);

  Diagnostics& diag_;
  const PlanContext& ctx_;
  TreeBudget budget_;
  std::vector<SourceFile> files_;
};

// over wins; both maps merge key by key.
Node merge_trees(Node base, Node over);

}  // namespace lp::plan
