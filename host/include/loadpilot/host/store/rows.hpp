// The plain rows a run store holds: what callers write and what readers get
// back. No SQLite types; units are in the names (ns = unix epoch nanoseconds
// for points in time, ms for latencies, per second for rates).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lp {

enum class RunStatus { kRunning, kPassed, kFailed, kError, kInterrupted };

// "running", "passed", "failed", "error", "interrupted": the text in runs.status.
std::string_view to_string(RunStatus status);
std::optional<RunStatus> run_status_from_string(std::string_view text);

enum class VectorOutcome { kRunning, kCompleted, kShortened, kSkipped };

// "running", "completed", "shortened", "skipped": the text in vectors.outcome.
std::string_view to_string(VectorOutcome outcome);
std::optional<VectorOutcome> vector_outcome_from_string(std::string_view text);

// What create() needs to start a run.
struct RunSpec {
  std::string plan_name;
  std::string plan_file;
  nlohmann::json plan = nlohmann::json::object();  // the resolved plan
  int64_t started_ns = 0;                          // 0: now
  std::string host_version;                        // empty: this build's version
};

// The one row of `runs`.
// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json's destructor may allocate.
struct RunInfo {
  std::string id;
  std::string plan_name;
  std::string plan_file;
  nlohmann::json plan;
  int64_t started_ns = 0;
  std::optional<int64_t> ended_ns;  // set by finish()
  int64_t updated_ns = 0;           // last commit: a stale "running" run has died
  RunStatus status = RunStatus::kRunning;
  std::optional<int> exit_code;  // set by finish()
  std::string host_version;

  bool operator==(const RunInfo&) const = default;
};

struct RequestType {
  int64_t id = 0;
  std::string tool_id;
  std::string name;

  bool operator==(const RequestType&) const = default;
};

// Requests by how they ended (lp_outcome).
struct OutcomeCounts {
  int64_t ok = 0;
  int64_t http_error = 0;
  int64_t timeout = 0;
  int64_t connect_error = 0;
  int64_t other_error = 0;

  int64_t total() const { return ok + http_error + timeout + connect_error + other_error; }
  bool operator==(const OutcomeCounts&) const = default;
};

struct LatencyMs {
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double p999 = 0;
  double max = 0;
  double mean = 0;

  bool operator==(const LatencyMs&) const = default;
};

// One tick of one request type. The row's count is outcomes.total(), so the
// two cannot disagree.
struct TickRow {
  int64_t tick = 0;  // 0-based index of the tick in the run
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::string tool_id;
  std::string request_type;  // registered on first use
  std::optional<std::string> vector_id;
  OutcomeCounts outcomes;
  int64_t bytes = 0;                   // bytes received
  std::optional<double> offered_rate;  // per second; none for a closed model
  double achieved_rate = 0;            // per second
  std::optional<LatencyMs> latency;    // none when no request completed
  std::string histogram;               // HdrHistogram V2 compressed, base64; empty: none

  bool operator==(const TickRow&) const = default;
};

// Label name -> value; sorted, so its JSON text is canonical.
using Labels = std::map<std::string, std::string, std::less<>>;

// A point of a generic time series (source metrics, generator CPU, shaper
// targets, forecasts...). NaN is stored as NULL and read back as NaN.
struct MetricPoint {
  int64_t wall_ns = 0;
  std::string name;
  Labels labels;
  double value = 0;

  bool operator==(const MetricPoint&) const = default;
};

// Something that happened: ALV decisions, alerts, scaling, chaos, errors.
struct EventRow {
  int64_t seq = 0;  // assigned by the store, increasing; ignored when writing
  int64_t wall_ns = 0;
  std::string kind;     // e.g. "vector", "alert", "scale", "chaos", "error"
  std::string source;   // who raised it, e.g. "alv", "detect/iforest"
  std::string message;  // one line for people
  nlohmann::json details = nlohmann::json::object();  // for programs

  bool operator==(const EventRow&) const = default;
};

// One executed (or skipped) vector of the sequence. Written again whenever
// it changes: the store keeps the latest row per seq.
struct VectorRow {
  int64_t seq = 0;  // position in the executed sequence; a vector may run twice
  std::string vector_id;
  int64_t start_ns = 0;
  std::optional<int64_t> end_ns;
  VectorOutcome outcome = VectorOutcome::kRunning;
  std::string reason;  // why shortened or skipped; empty otherwise

  bool operator==(const VectorRow&) const = default;
};

// Everything one tick produced; written in one transaction. Any part may be
// empty, so this also writes metrics or events outside the tick loop.
struct TickBatch {
  std::vector<TickRow> ticks;
  std::vector<MetricPoint> metrics;
  std::vector<EventRow> events;
  std::vector<VectorRow> vectors;
};

}  // namespace lp
