#include "yaml_tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>

#include "env_subst.hpp"

namespace lp::plan {

const Entry* Node::find(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

namespace {

// Thrown out of the event handler to stop parsing once a limit was reported.
struct StopParsing {};

// Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1Fu, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0Fu, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

Loc to_loc(int file, const YAML::Mark& mark) {
  if (mark.is_null()) return Loc{file, 1, 1};
  return Loc{file, mark.line + 1, mark.column + 1};
}

int height_of(const Node& node) {
  int h = 0;
  for (const Node& n : node.items) h = std::max(h, height_of(n));
  for (const Entry& e : node.entries) h = std::max(h, height_of(e.value));
  return node.is_map() || node.is_sequence() ? h + 1 : h;
}

std::size_t count_of(const Node& node) {
  std::size_t c = 1;
  for (const Node& n : node.items) c += count_of(n);
  for (const Entry& e : node.entries) c += count_of(e.value);
  return c;
}

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(int file, Diagnostics& diag, const EnvLookup* env, TreeBudget& budget)
      : file_(file), diag_(diag), env_(env), budget_(budget) {}

  std::optional<Node> take_root() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n;
    n.kind = Node::Kind::kNull;
    n.loc = to_loc(file_, mark);
    spend(n.loc);
    complete(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const Loc loc = to_loc(file_, mark);
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      // yaml-cpp lets an alias name the node that is still being built.
      diag_.error(loc, "yaml", "alias refers to a value that contains it (recursive alias)");
      throw StopParsing{};
    }
    const Anchored& a = it->second;
    if (static_cast<int>(stack_.size()) + a.height > budget_.limits.max_depth) {
      too_deep(loc);
    }
    if (a.count > budget_.nodes_left) too_big(loc);
    budget_.nodes_left -= a.count;
    complete(Node(a.node), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n;
    n.kind = Node::Kind::kScalar;
    n.loc = to_loc(file_, mark);
    spend(n.loc);
    // "?" is a plain scalar; "!" a quoted or block one; an explicit !!str is a string too.
    n.plain =
        tag == "?" || (tag.rfind("tag:yaml.org,2002:", 0) == 0 && tag != "tag:yaml.org,2002:str");
    n.text = value;
    if (env_ != nullptr && !expecting_key()) {
      EnvResult r = substitute_env(value, *env_);
      n.text = std::move(r.text);
      // Flow maps force quotes around ${...}; the quotes are syntax, not a
      // request for a string, so a substituted value is typed as if plain.
      if (r.substituted) n.plain = true;
      for (const std::string& message : r.errors) {
        diag_.error(n.loc, child_path(), message);
        n.broken = true;
      }
    }
    // yaml-cpp passes bytes through; a plan (and the JSON made from it) is UTF-8.
    if (!valid_utf8(n.text)) {
      diag_.error(n.loc, "yaml", "invalid UTF-8 in this value; a plan must be UTF-8 text");
      throw StopParsing{};
    }
    complete(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Node::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Node::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override {
    finish_map(stack_.back());
    close();
  }

 private:
  struct Frame {
    Node node;
    std::string path;
    YAML::anchor_t anchor = 0;
    // Maps alternate key and value.
    bool have_key = false;
    bool key_ok = false;
    std::string key;
    Loc key_loc;
  };
  struct Anchored {
    Node node;
    int height = 0;
    std::size_t count = 0;
  };

  bool expecting_key() const {
    return !stack_.empty() && stack_.back().node.is_map() && !stack_.back().have_key;
  }

  // Where the value being started goes.
  std::string child_path() const {
    if (stack_.empty()) return "";
    const Frame& top = stack_.back();
    if (top.node.is_sequence()) return index_path(top.path, top.node.items.size());
    if (top.have_key) return join_path(top.path, top.key);
    return top.path;
  }

  void spend(const Loc& loc) {
    if (budget_.nodes_left == 0) too_big(loc);
    --budget_.nodes_left;
  }

  [[noreturn]] void too_deep(const Loc& loc) {
    diag_.error(loc, "yaml",
                fmt::format("values nested more than {} levels deep", budget_.limits.max_depth));
    throw StopParsing{};
  }
  [[noreturn]] void too_big(const Loc& loc) {
    diag_.error(loc, "yaml",
                fmt::format("plan has more than {} values (counting alias expansions)",
                            budget_.limits.max_nodes));
    throw StopParsing{};
  }

  void open(Node::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    Frame f;
    f.node.kind = kind;
    f.node.loc = to_loc(file_, mark);
    f.path = child_path();
    f.anchor = anchor;
    if (static_cast<int>(stack_.size()) >= budget_.limits.max_depth) too_deep(f.node.loc);
    spend(f.node.loc);
    stack_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(f.node), f.anchor);
  }

  void complete(Node node, YAML::anchor_t anchor) {
    if (anchor != 0) {
      Anchored a;
      a.height = height_of(node);
      a.count = count_of(node);
      // The kept copy costs budget too, or nested anchors would multiply memory.
      if (a.count > budget_.nodes_left) too_big(node.loc);
      budget_.nodes_left -= a.count;
      a.node = node;
      anchors_[anchor] = std::move(a);
    }
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& top = stack_.back();
    if (top.node.is_sequence()) {
      top.node.items.push_back(std::move(node));
      return;
    }
    if (!top.have_key) {
      top.have_key = true;
      top.key_loc = node.loc;
      top.key_ok = node.is_scalar();
      if (top.key_ok) {
        top.key = std::move(node.text);
      } else {
        top.key.clear();
        diag_.error(node.loc, top.path,
                    node.is_null() ? "empty key" : "keys must be plain strings, not a list or map");
      }
      return;
    }
    top.have_key = false;
    if (!top.key_ok) return;
    // An empty value gets the mark of whatever follows it; point at its key instead.
    if (node.is_null() && node.loc.line > top.key_loc.line) node.loc = top.key_loc;
    top.node.entries.push_back(Entry{std::move(top.key), top.key_loc, std::move(node)});
  }

  // Duplicate keys are errors; "<<" merge keys copy entries the map lacks.
  void finish_map(Frame& frame) {
    std::vector<Entry> explicit_entries;
    std::vector<Entry> merges;
    std::map<std::string, Loc, std::less<>> seen;
    for (Entry& e : frame.node.entries) {
      if (e.key == "<<" && !e.value.is_scalar()) {
        merges.push_back(std::move(e));
        continue;
      }
      auto [it, inserted] = seen.emplace(e.key, e.key_loc);
      if (!inserted) {
        diag_.error(
            e.key_loc, frame.path,
            fmt::format("duplicate key {} (first at line {})", quote(e.key), it->second.line));
        continue;
      }
      explicit_entries.push_back(std::move(e));
    }
    for (Entry& m : merges) {
      std::vector<Node*> sources;
      if (m.value.is_map()) {
        sources.push_back(&m.value);
      } else {
        for (Node& n : m.value.items) sources.push_back(&n);
      }
      for (Node* src : sources) {
        if (!src->is_map()) {
          diag_.error(src->loc, frame.path, "\"<<\" merges a map or a list of maps");
          continue;
        }
        for (Entry& e : src->entries) {
          if (seen.emplace(e.key, e.key_loc).second) explicit_entries.push_back(std::move(e));
        }
      }
    }
    frame.node.entries = std::move(explicit_entries);
  }

  int file_;
  Diagnostics& diag_;
  const EnvLookup* env_;
  TreeBudget& budget_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  std::optional<Node> root_;
};

// Swallows a second document's events; it only has to be noticed.
class IgnoreEvents : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> start;
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (!start) start = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { note(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { note(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(mark);
  }
  void OnMapEnd() override {}
  std::optional<YAML::Mark> first_value;

 private:
  void note(const YAML::Mark& mark) {
    if (!first_value) first_value = mark;
  }
};

}  // namespace

std::optional<Node> read_yaml(std::string_view text, int file, Diagnostics& diag,
                              const EnvLookup* env, TreeBudget& budget) {
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    TreeBuilder builder(file, diag, env, budget);
    if (!parser.HandleNextDocument(builder)) {
      Node empty;
      empty.loc = Loc{file, 1, 1};
      return empty;
    }
    std::optional<Node> root = builder.take_root();
    IgnoreEvents rest;
    if (parser.HandleNextDocument(rest)) {
      const YAML::Mark mark = rest.first_value.value_or(rest.start.value_or(YAML::Mark()));
      diag.error(to_loc(file, mark), "yaml",
                 "a plan file holds one YAML document; found a second one here");
    }
    if (!root) {
      Node empty;
      empty.loc = Loc{file, 1, 1};
      root = std::move(empty);
    }
    return root;
  } catch (const StopParsing&) {
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    diag.error(to_loc(file, e.mark), "yaml", e.msg);
    return std::nullopt;
  } catch (const std::exception& e) {
    diag.error(Loc{file, 1, 1}, "yaml", e.what());
    return std::nullopt;
  }
}

std::optional<bool> parse_yaml_bool(std::string_view t) {
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  return std::nullopt;
}

namespace {

bool all_of(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}

std::optional<double> from_base(std::string_view digits, int base) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec == std::errc::result_out_of_range) return std::nullopt;
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return static_cast<double>(v);
}

}  // namespace

std::optional<double> parse_yaml_number(std::string_view t, bool* is_integer) {
  if (is_integer) *is_integer = false;
  if (t.empty()) return std::nullopt;
  if (t.size() > 2 && t[0] == '0' && t[1] == 'x') {
    if (!all_of(t.substr(2), is_hex)) return std::nullopt;
    if (is_integer) *is_integer = true;
    return from_base(t.substr(2), 16);
  }
  if (t.size() > 2 && t[0] == '0' && t[1] == 'o') {
    if (!all_of(t.substr(2), is_octal)) return std::nullopt;
    if (is_integer) *is_integer = true;
    return from_base(t.substr(2), 8);
  }
  std::string_view body = t;
  bool negative = false;
  if (body[0] == '-' || body[0] == '+') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (t == ".nan" || t == ".NaN" || t == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  // [0-9]+ | [0-9]+ . [0-9]* | . [0-9]+, then an optional exponent.
  std::size_t i = 0;
  std::size_t int_digits = 0;
  while (i < body.size() && is_digit(body[i])) ++i, ++int_digits;
  bool integer = true;
  std::size_t frac_digits = 0;
  if (i < body.size() && body[i] == '.') {
    integer = false;
    ++i;
    while (i < body.size() && is_digit(body[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    integer = false;
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < body.size() && is_digit(body[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec == std::errc::result_out_of_range) {
    v = std::numeric_limits<double>::infinity();  // a huge literal; range checks report it
  } else if (ec != std::errc() || p != body.data() + body.size()) {
    return std::nullopt;
  }
  if (is_integer) *is_integer = integer;
  return negative ? -v : v;
}

ScalarType scalar_type(const Node& node) {
  if (node.is_null()) return ScalarType::kNull;
  if (!node.is_scalar() || !node.plain) return ScalarType::kString;
  const std::string& t = node.text;
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") return ScalarType::kNull;
  if (parse_yaml_bool(t)) return ScalarType::kBool;
  bool integer = false;
  if (parse_yaml_number(t, &integer)) return integer ? ScalarType::kInt : ScalarType::kFloat;
  return ScalarType::kString;
}

std::string describe(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kNull:
      return "nothing (null)";
    case Node::Kind::kSequence:
      return "a list";
    case Node::Kind::kMap:
      return "a map";
    case Node::Kind::kScalar:
      break;
  }
  switch (scalar_type(node)) {
    case ScalarType::kNull:
      return "nothing (null)";
    case ScalarType::kBool:
      return fmt::format("a boolean {}", node.text);
    case ScalarType::kInt:
    case ScalarType::kFloat:
      return fmt::format("a number {}",
                         node.text.size() > 40 ? node.text.substr(0, 40) + "..." : node.text);
    case ScalarType::kString:
      break;
  }
  return fmt::format("a string {}", quote(node.text));
}

}  // namespace lp::plan
