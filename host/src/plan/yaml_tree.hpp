// A YAML document as a small tree that remembers where every value came from
// (file, line, column) and its scalar style, built from yaml-cpp's parser
// events so depth, size and aliases are bounded before anything recurses.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.hpp"
#include "loadpilot/host/plan/plan_loader.hpp"

namespace lp::plan {

struct Entry;

struct Node {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  Loc loc;
  std::string text;         // scalars, after ${VAR} substitution
  bool plain = true;        // plain style: may be a number, boolean or null; else always a string
  bool broken = false;      // already reported (e.g. an unset ${VAR}); readers stay quiet
  std::vector<Node> items;  // sequences
  std::vector<Entry> entries;  // maps, in document order

  bool is_map() const { return kind == Kind::kMap; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_null() const { return kind == Kind::kNull; }
  const Entry* find(std::string_view key) const;
};

struct Entry {
  std::string key;
  Loc key_loc;
  Node value;
};

struct TreeLimits {
  int max_depth = 64;              // nesting of maps and lists
  std::size_t max_nodes = 100000;  // values, counting each alias expansion (alias bombs)
};

// Shared by every file of one plan so includes cannot multiply the budget.
struct TreeBudget {
  TreeLimits limits;
  std::size_t nodes_left = limits.max_nodes;
};

// Parses one YAML document. Syntax errors are reported as "yaml: <message>" at
// yaml-cpp's mark. env == nullptr disables ${VAR} substitution. An empty
// document gives a null node; nullopt means errors were reported.
std::optional<Node> read_yaml(std::string_view text, int file, Diagnostics& diag,
                              const EnvLookup* env, TreeBudget& budget);

// Plain scalars typed by the YAML 1.2 core schema.
enum class ScalarType { kNull, kBool, kInt, kFloat, kString };
ScalarType scalar_type(const Node& node);
std::optional<bool> parse_yaml_bool(std::string_view text);
// Ints (decimal, 0x, 0o) and floats (incl. .inf, .nan) of the core schema.
std::optional<double> parse_yaml_number(std::string_view text, bool* is_integer = nullptr);

// "a string "fast"", "a number 12", "a boolean true", "null", "a list", "a map".
std::string describe(const Node& node);

}  // namespace lp::plan
