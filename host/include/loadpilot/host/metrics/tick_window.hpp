// What one tick of a run (default 1 s) collected from a tool's samples, per
// request type and for all types together; and RunAccumulator, the same over
// many ticks (a whole run, or one vector's span).
#pragma once

#include <loadpilot/abi.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loadpilot/host/metrics/hdr_histogram.hpp"

namespace lp {

// LP_OUTCOME_OK .. LP_OUTCOME_OTHER_ERROR; anything else counts as other_error.
inline constexpr size_t kOutcomeCount = 5;

// Latency in microseconds, 1 us .. 1 hour, 3 significant figures.
HdrHistogram make_latency_histogram();

// Everything collected for one request type (or for all of them).
struct RequestStats {
  int64_t count = 0;
  std::array<int64_t, kOutcomeCount> outcomes{};  // indexed by lp_outcome
  std::map<int32_t, int64_t> status_codes;        // status code -> count (0: none)
  uint64_t bytes = 0;
  // From lp_sample::latency_ns (intended send time to response end, so free
  // of coordinated omission), rounded to whole microseconds. Latencies
  // outside 0 .. 1 h are counted in latency_us.out_of_range_count() only.
  HdrHistogram latency_us = make_latency_histogram();

  void add(const lp_sample& sample);
  void merge(const RequestStats& other);
  void reset();
};

struct RequestSummary {
  std::string name;
  int64_t count = 0;
  int64_t errors = 0;       // every outcome but ok
  double error_rate = 0.0;  // errors / count; 0 when count is 0
  double rate_per_s = 0.0;  // achieved: count / duration
  double p50_ms = 0.0;
  double p90_ms = 0.0;
  double p99_ms = 0.0;
  double p999_ms = 0.0;
  double max_ms = 0.0;
  double mean_ms = 0.0;
  std::array<int64_t, kOutcomeCount> outcomes{};
  std::map<int32_t, int64_t> status_codes;
  uint64_t bytes = 0;
  int64_t latency_out_of_range = 0;  // samples left out of the latency figures
};

struct WindowSummary {
  double duration_s = 0.0;
  std::vector<RequestSummary> types;  // by request type index
  RequestSummary all;                 // named "all"
  int64_t unknown_type_samples = 0;   // in `all` only: their type index had no name
};

class TickWindow {
 public:
  static constexpr int64_t kDefaultDurationNs = 1'000'000'000;

  // type_names: the tool's request types, by index (lp_sample::request_type).
  explicit TickWindow(std::vector<std::string> type_names, int64_t start_ns = 0,
                      int64_t duration_ns = kDefaultDurationNs);

  void add(const lp_sample& sample);
  // Every record of a batch, read through its stride.
  void add(const lp_sample_batch& batch);

  // Empty again for the tick that starts at start_ns, keeping the memory;
  // a duration_ns > 0 also sets the tick's length (rates are per second of it).
  void restart(int64_t start_ns, int64_t duration_ns = 0);

  WindowSummary summary() const;

  int64_t start_ns() const { return start_ns_; }
  int64_t duration_ns() const { return duration_ns_; }
  const std::vector<std::string>& type_names() const { return names_; }
  const std::vector<RequestStats>& types() const { return types_; }
  const RequestStats& all() const { return all_; }
  int64_t unknown_type_samples() const { return unknown_type_samples_; }

 private:
  std::vector<std::string> names_;
  std::vector<RequestStats> types_;
  RequestStats all_;
  int64_t unknown_type_samples_ = 0;
  int64_t start_ns_;
  int64_t duration_ns_;
};

// Tick windows merged: the summary of a run, or of one vector's span. The
// duration behind achieved rates is the sum of the windows' durations, so a
// gap between windows does not dilute the rate.
class RunAccumulator {
 public:
  explicit RunAccumulator(std::vector<std::string> type_names = {});

  // Merges by request type index; a window with more types adds them, with
  // the window's names.
  void add(const TickWindow& window);

  WindowSummary summary() const;

  int64_t duration_ns() const { return duration_ns_; }
  int64_t window_count() const { return window_count_; }
  const std::vector<RequestStats>& types() const { return types_; }
  const RequestStats& all() const { return all_; }

 private:
  std::vector<std::string> names_;
  std::vector<RequestStats> types_;
  RequestStats all_;
  int64_t unknown_type_samples_ = 0;
  int64_t duration_ns_ = 0;
  int64_t window_count_ = 0;
};

}  // namespace lp
