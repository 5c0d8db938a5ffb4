// Error collection for the plan loader: every problem with its file, line,
// column and field path, sorted into file order at the end.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadpilot/host/plan/plan_loader.hpp"

namespace lp::plan {

// A position in one of the loaded files (index into Diagnostics' files); 1-based.
struct Loc {
  int file = 0;
  int line = 0;
  int column = 0;
};

class Diagnostics {
 public:
  // Past this many errors the rest are dropped (a garbage file would otherwise
  // produce one per line).
  static constexpr std::size_t kMaxErrors = 100;

  int add_file(std::string label);
  const std::string& file_label(int file) const {
    return files_.at(static_cast<std::size_t>(file));
  }
  std::size_t file_count() const { return files_.size(); }

  void error(const Loc& loc, std::string path, std::string message);
  void warning(const Loc& loc, std::string path, std::string message);
  // About a whole file (no line), e.g. "cannot read plan: ...".
  void file_error(int file, std::string message);

  bool has_errors() const { return !errors_.empty(); }
  // No more errors are kept: loops over hostile input stop early.
  bool full() const { return errors_.size() >= kMaxErrors; }
  std::size_t error_count() const { return errors_.size(); }

  std::vector<PlanError> errors() const;
  std::vector<PlanError> warnings() const;

 private:
  struct Item {
    Loc loc;
    std::string path;
    std::string message;
  };
  std::vector<PlanError> sorted(const std::vector<Item>& items) const;

  std::vector<std::string> files_;
  std::vector<Item> errors_;
  std::vector<Item> warnings_;
  bool overflowed_ = false;
};

// "a.b" from "a" and "b"; "b" when the parent is the document itself.
std::string join_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

// A value quoted for a message, escaped and shortened: "fast", "a very long…".
std::string quote(std::string_view text);

// The candidate closest to word by edit distance, if close enough to be a likely typo.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// "; did you mean "x"?" when one is close, else "; <intro> a, b, c" (or "" when
// there are no candidates and intro is empty).
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       std::string_view intro);

std::string join(const std::vector<std::string>& items, std::string_view separator);

// Shortest round-trip spelling of a number: 0.1, 2000, 1e-06.
std::string format_number(double value);

}  // namespace lp::plan
