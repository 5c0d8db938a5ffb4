#include "plan_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <variant>

#include "file_io.hpp"

namespace lp::plan {
namespace {

std::filesystem::path absolute_or_self(const std::filesystem::path& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return ec ? p : abs.lexically_normal();
}

}  // namespace

PlanFiles::PlanFiles(Diagnostics& diag, const PlanContext& ctx) : diag_(diag), ctx_(ctx) {}

int PlanFiles::add_file(SourceFile file) {
  const int index = diag_.add_file(file.label);
  files_.push_back(std::move(file));
  return index;
}

std::optional<Node> PlanFiles::load_root_file(const std::filesystem::path& path) {
  SourceFile f;
  f.label = path.string();
  f.dir = absolute_or_self(path).parent_path();
  std::error_code ec;
  f.canonical = std::filesystem::weakly_canonical(path, ec);
  const int index = add_file(f);
  auto text = read_text_file(path, kMaxPlanFileBytes);
  if (text.index() == 1) {
    diag_.file_error(index, fmt::format("cannot read plan: {}", std::get<1>(text)));
    return std::nullopt;
  }
  std::vector<int> chain{index};
  return parse_and_include(std::get<0>(text), index, chain);
}

std::optional<Node> PlanFiles::load_root_string(std::string_view text, std::string label) {
  SourceFile f;
  f.label = std::move(label);
  f.dir = absolute_or_self(ctx_.base_dir.empty() ? std::filesystem::path(".") : ctx_.base_dir);
  const int index = add_file(f);
  if (text.size() > kMaxPlanFileBytes) {
    diag_.file_error(index, fmt::format("cannot read plan: file is larger than {} MiB",
                                        kMaxPlanFileBytes / (1024 * 1024)));
    return std::nullopt;
  }
  std::vector<int> chain{index};
  return parse_and_include(text, index, chain);
}

std::optional<Node> PlanFiles::parse_and_include(std::string_view text, int file,
                                                 std::vector<int>& chain) {
  const EnvLookup* env = ctx_.env ? &ctx_.env : nullptr;
  std::optional<Node> root = read_yaml(text, file, diag_, env, budget_);
  if (!root || !root->is_map()) return root;
  auto it = std::find_if(root->entries.begin(), root->entries.end(),
                         [](const Entry& e) { return e.key == "include"; });
  if (it == root->entries.end()) return root;
  const Node includes = std::move(it->value);
  root->entries.erase(it);
  std::optional<Node> base;
  if (includes.is_sequence()) {
    for (std::size_t i = 0; i < includes.items.size(); ++i) {
      include_one(includes.items[i], index_path("include", i), file, chain, base);
    }
  } else if (includes.is_scalar()) {
    include_one(includes, "include", file, chain, base);
  } else if (!includes.broken) {
    diag_.error(
        includes.loc, "include",
        fmt::format("expected a file name or a list of file names, found {}", describe(includes)));
  }
  if (!base) return root;
  return merge_trees(std::move(*base), std::move(*root));
}

void PlanFiles::include_one(const Node& item, const std::string& path, int from,
                            std::vector<int>& chain, std::optional<Node>& base) {
  if (item.broken) return;
  if (!item.is_scalar() || scalar_type(item) == ScalarType::kNull) {
    diag_.error(item.loc, path, fmt::format("expected a file name, found {}", describe(item)));
    return;
  }
  const SourceFile& parent = file(from);
  const std::filesystem::path written(item.text);
  SourceFile f;
  f.label = written.is_absolute() ? written.string()
                                  : (std::filesystem::path(parent.label).parent_path() / written)
                                        .lexically_normal()
                                        .string();
  const std::filesystem::path full = absolute_or_self(parent.dir / written);
  f.dir = full.parent_path();
  std::error_code ec;
  f.canonical = std::filesystem::weakly_canonical(full, ec);
  if (ec) f.canonical = full;

  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (!file(chain[i]).canonical.empty() && file(chain[i]).canonical == f.canonical) {
      std::vector<std::string> names;
      for (std::size_t j = i; j < chain.size(); ++j) names.push_back(file(chain[j]).label);
      names.push_back(f.label);
      diag_.error(item.loc, path, fmt::format("include cycle: {}", join(names, " -> ")));
      return;
    }
  }
  if (static_cast<int>(chain.size()) >= kMaxIncludeDepth) {
    diag_.error(item.loc, path,
                fmt::format("includes nested more than {} files deep", kMaxIncludeDepth));
    return;
  }
  auto text = read_text_file(full, kMaxPlanFileBytes);
  if (text.index() == 1) {
    diag_.error(item.loc, path,
                fmt::format("cannot read {}: {}", quote(item.text), std::get<1>(text)));
    return;
  }
  const int index = add_file(std::move(f));
  chain.push_back(index);
  std::optional<Node> tree = parse_and_include(std::get<0>(text), index, chain);
  chain.pop_back();
  if (!tree || tree->is_null()) return;
  if (!tree->is_map()) {
    diag_.error(tree->loc, "",
                fmt::format("an included file must be a map, found {}", describe(*tree)));
    return;
  }
  base = base ? merge_trees(std::move(*base), std::move(*tree)) : std::move(*tree);
}

Node merge_trees(Node base, Node over) {
  if (!base.is_map() || !over.is_map()) return over;
  std::map<std::string, std::size_t, std::less<>> position;
  for (std::size_t i = 0; i < base.entries.size(); ++i) position.emplace(base.entries[i].key, i);
  for (Entry& e : over.entries) {
    auto it = position.find(e.key);
    if (it == position.end()) {
      position.emplace(e.key, base.entries.size());
      base.entries.push_back(std::move(e));
    } else {
      Entry& b = base.entries[it->second];
      b.value = merge_trees(std::move(b.value), std::move(e.value));
      b.key_loc = e.key_loc;
    }
  }
  base.loc = over.loc;
  return base;
}

}  // namespace lp::plan
