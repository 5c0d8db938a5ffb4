// The run store: everything a run measures, in runs/<run-id>/run.db (SQLite,
// WAL). The tick loop writes every tick, one transaction per tick, committed
// before append_tick() returns, so a crash or kill -9 loses nothing that was
// measured. Reports, the dashboard, forecasts and sinks read it later, or
// while the run goes on: WAL lets readers open the file beside the writer.
//
// Threads: a RunStore is used by one thread at a time. There is one writer
// (the tick loop); each reader opens its own RunStore.
// Errors: std::runtime_error naming the db file and SQLite's message.
// Schema: host/src/store/README.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadpilot/host/store/rows.hpp"

namespace lp {

// Selects ticks; every set field narrows the result.
struct TickQuery {
  std::optional<std::string> tool_id;
  std::optional<std::string> request_type;
  std::optional<std::string> vector_id;
  int64_t first_tick = 0;                                  // inclusive
  int64_t end_tick = std::numeric_limits<int64_t>::max();  // exclusive
};

struct EventQuery {
  std::optional<std::string> kind;
  int64_t after_seq = 0;  // only events with seq > after_seq (polling)
  int64_t from_ns = std::numeric_limits<int64_t>::min();  // inclusive
  int64_t to_ns = std::numeric_limits<int64_t>::max();    // exclusive
};

// A run found on disk by list_runs().
struct StoredRun {
  std::filesystem::path db_path;
  RunInfo info;
};

class RunStore {
 public:
  enum class Mode { kReadOnly, kReadWrite };

  static constexpr int kSchemaVersion = 1;  // PRAGMA user_version
  static constexpr std::string_view kDbFileName = "run.db";

  // Makes runs_dir/<new run id>/run.db with the schema and the run's row
  // (status "running"). runs_dir is created if missing.
  [[nodiscard]] static RunStore create(const std::filesystem::path& runs_dir, const RunSpec& spec);

  // Opens an existing store: the run.db file or its run directory. A
  // read-write open of an older schema upgrades it.
  [[nodiscard]] static RunStore open(const std::filesystem::path& db_or_run_dir,
                                     Mode mode = Mode::kReadOnly);

  // Every run under runs_dir (one level of run directories), sorted by id.
  // A directory whose run.db cannot be read is skipped; its error is added
  // to `problems` when given.
  [[nodiscard]] static std::vector<StoredRun> list_runs(
      const std::filesystem::path& runs_dir, std::vector<std::string>* problems = nullptr);

  RunStore(RunStore&&) noexcept;
  RunStore& operator=(RunStore&&) noexcept;
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;
  // Closes the file. The run's status is left as is: a store dropped
  // without finish() reads as a run that did not end ("running").
  ~RunStore();

  const std::filesystem::path& db_path() const;
  const std::string& run_id() const;
  bool read_only() const;

  // --- writing (Mode::kReadWrite); each call is one committed transaction.

  // Names known before the first tick (a tool's request_types()), so readers
  // see them early. Ticks register unknown names themselves.
  void add_request_types(std::string_view tool_id, const std::vector<std::string>& names);
  void append_tick(const TickBatch& batch);
  void add_event(const EventRow& event);
  void put_vector(const VectorRow& vector);  // insert or replace by seq
  // Ends the run. ended_ns defaults to now; status must not be kRunning.
  void finish(RunStatus status, int exit_code, std::optional<int64_t> ended_ns = std::nullopt);

  // --- reading; each call sees everything committed before it.

  RunInfo run() const;
  std::vector<RequestType> request_types() const;
  // Ordered by tick, tool id, request type.
  std::vector<TickRow> ticks(const TickQuery& query = {}) const;
  int64_t tick_count() const;  // distinct tick indexes
  // Points of one series name in [from_ns, to_ns), ordered by time; only
  // those with exactly `labels` when given.
  std::vector<MetricPoint> metric_series(std::string_view name,
                                         int64_t from_ns = std::numeric_limits<int64_t>::min(),
                                         int64_t to_ns = std::numeric_limits<int64_t>::max(),
                                         const std::optional<Labels>& labels = std::nullopt) const;
  std::vector<std::string> metric_names() const;                     // sorted
  std::vector<EventRow> events(const EventQuery& query = {}) const;  // ordered by seq
  std::vector<VectorRow> vectors() const;                            // ordered by seq

 private:
  class Impl;
  explicit RunStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lp
