// The NAB corpus as NAB v1.1 lays it out under one root directory:
//   data/<folder>/<name>.csv          "timestamp,value" series
//   labels/combined_windows.json      {"<folder>/<name>.csv": [[start, end], ...]}
//   config/profiles.json              {"standard": {"CostMatrix": {...}}, ...}
// Window limits are turned into row indices here, so the scorer works on
// indices only (and tests can build tiny corpora by hand).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lp::nab {

// A missing or malformed corpus file; the message names the file and why.
class CorpusError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An anomaly window: the rows first..last, both included.
struct Window {
  std::size_t first = 0;
  std::size_t last = 0;
};

struct Series {
  std::string name;  // path under data/, e.g. "realKnownCause/nyc_taxi.csv"
  std::vector<std::int64_t> timestamps_ns;
  std::vector<double> values;
  std::vector<Window> windows;  // in order, not overlapping
};

// One scoring profile (NAB's cost matrix). tn_weight is read but, as in
// NAB, never used.
struct Profile {
  std::string name;
  double tp_weight = 1;
  double fp_weight = 0.11;
  double fn_weight = 1;
  double tn_weight = 1;
};

struct Corpus {
  std::vector<Series> series;     // sorted by name
  std::vector<Profile> profiles;  // in the order of profiles.json

  std::size_t window_count() const;
  std::size_t row_count() const;
  // Throws std::out_of_range naming the profile.
  const Profile& profile(std::string_view name) const;
};

// Per-row anomaly scores, one vector per series, in corpus order.
using Scores = std::vector<std::vector<double>>;

// Loads root/data, root/labels/combined_windows.json and
// root/config/profiles.json. Every label must name a data file and every
// data file needs a label entry; every window limit must be the timestamp of
// exactly one row (NAB's labeler refuses anything else).
Corpus load_corpus(const std::filesystem::path& root);

// One "timestamp,value" file; `name` is kept as the series name.
Series read_series(const std::filesystem::path& file, std::string name);

std::vector<Profile> read_profiles(const std::filesystem::path& file);

}  // namespace lp::nab
