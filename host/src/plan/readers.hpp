// Typed reads of tree values: each reports "expected X, found Y" at the
// value's location and returns nullopt, so a caller never reports twice.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.hpp"
#include "loadpilot/host/plan/test_plan.hpp"
#include "yaml_tree.hpp"

namespace lp::plan {

// One map of the plan: checks it is a map and that every key is known for
// its section (see plan_sections()), with did-you-mean hints.
class MapReader {
 public:
  MapReader(Diagnostics& diag, const Node& node, std::string path, std::string_view section);

  bool ok() const { return ok_; }
  const Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  std::string child(std::string_view key) const { return join_path(path_, key); }

  const Node* get(std::string_view key) const;
  const Entry* entry(std::string_view key) const;
  // Reports `missing required key "x"` (plus why) at the map when absent.
  const Node* require(std::string_view key, std::string_view why = {});

 private:
  Diagnostics& diag_;
  const Node& node_;
  std::string path_;
  bool ok_ = false;
  // Keys offered as did-you-mean for a typo: their absence is already reported.
  std::vector<std::string> suggested_;
};

class Readers {
 public:
  explicit Readers(Diagnostics& diag) : diag_(diag) {}

  void error(const Node& at, const std::string& path, std::string message) {
    diag_.error(at.loc, path, std::move(message));
  }
  void type_error(const Node& at, const std::string& path, std::string_view expected);

  std::optional<std::string> string(const Node& n, const std::string& path);
  std::optional<double> number(const Node& n, const std::string& path);
  std::optional<std::int64_t> integer(const Node& n, const std::string& path,
                                      std::int64_t min = INT32_MIN, std::int64_t max = INT32_MAX);
  std::optional<bool> boolean(const Node& n, const std::string& path);
  // A number of seconds, or "250ms", "1h30m", ...
  std::optional<Duration> duration(const Node& n, const std::string& path);
  // 0.05 or "5%"; always within [0, 1].
  std::optional<double> fraction(const Node& n, const std::string& path);
  std::optional<std::string> url(const Node& n, const std::string& path);
  // Index into allowed.
  std::optional<std::size_t> choice(const Node& n, const std::string& path,
                                    const std::vector<std::string>& allowed);
  std::optional<Timestamp> timestamp(const Node& n, const std::string& path);
  // An id: a letter, then letters, digits or "_" (ids name metrics: "sut.cpu", so no "-" or ".").
  std::optional<std::string> id(const Node& n, const std::string& path);
  // A list (possibly empty); reports anything else.
  const std::vector<Node>* list(const Node& n, const std::string& path);

 private:
  Diagnostics& diag_;
};

std::string format_timestamp(Timestamp t);

}  // namespace lp::plan
