#include "loadpilot/host/store/run_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "loadpilot/host/store/run_id.hpp"
#include "schema.hpp"
#include "sqlite.hpp"

namespace lp {
namespace {

namespace fs = std::filesystem;
using sqlite::Db;
using sqlite::ResetOnExit;
using sqlite::Stmt;
using sqlite::WriteTransaction;

// Long enough to ride out a reader's checkpoint or a brief second writer,
// short enough that a stuck lock shows up as an error within a few ticks.
constexpr int kBusyTimeoutMs = 5000;

int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Compact, sorted keys, invalid UTF-8 replaced rather than thrown on.
std::string to_json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string labels_text(const Labels& labels) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : labels) {
    object[key] = value;
  }
  return to_json_text(object);
}

nlohmann::json parse_json(const Db& db, const std::string& text, std::string_view column) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    sqlite::throw_error(db.file(), fmt::format("bad JSON in {}", column), e.what());
  }
}

Labels parse_labels(const Db& db, const std::string& text) {
  const nlohmann::json object = parse_json(db, text, "metrics.labels");
  Labels labels;
  if (!object.is_object()) {
    return labels;
  }
  for (const auto& [key, value] : object.items()) {
    labels.emplace(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return labels;
}

// Every statement the store runs, prepared once on first use and reused.
enum Query : size_t {
  kInsertRun,
  kSelectRun,
  kFinishRun,
  kTouchRun,
  kInsertRequestType,
  kFindRequestType,
  kSelectRequestTypes,
  kInsertTick,
  kSelectTicks,
  kTickCount,
  kInsertMetric,
  kSelectMetrics,
  kMetricNames,
  kInsertEvent,
  kSelectEvents,
  kPutVector,
  kSelectVectors,
  kQueryCount
};

struct QueryText {
  std::string_view what;  // for error messages
  std::string_view sql;
};

constexpr std::array<QueryText, kQueryCount> kQueries{{
    {"insert run",
     "INSERT INTO runs (id, plan_name, plan_file, plan_json, started_ns, updated_ns, status, "
     "host_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7)"},
    {"read run",
     "SELECT id, plan_name, plan_file, plan_json, started_ns, ended_ns, updated_ns, status, "
     "exit_code, host_version FROM runs"},
    {"finish run",
     "UPDATE runs SET status = ?1, exit_code = ?2, ended_ns = ?3, updated_ns = ?4 WHERE id = ?5"},
    {"update run", "UPDATE runs SET updated_ns = ?1 WHERE id = ?2"},
    {"insert request type",
     "INSERT INTO request_types (run_id, tool_id, name) VALUES (?1, ?2, ?3) "
     "ON CONFLICT DO NOTHING"},
    {"find request type",
     "SELECT id FROM request_types WHERE run_id = ?1 AND tool_id = ?2 AND name = ?3"},
    {"read request types", "SELECT id, tool_id, name FROM request_types ORDER BY id"},
    {"insert tick",
     "INSERT INTO ticks (tick, start_ns, end_ns, request_type_id, tool_id, vector_id, count, ok, "
     "http_error, timeout, connect_error, other_error, bytes, offered_rate, achieved_rate, "
     "p50_ms, p90_ms, p99_ms, p999_ms, max_ms, mean_ms, histogram) VALUES (?1, ?2, ?3, ?4, ?5, "
     "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"},
    {"read ticks",
     "SELECT tick, start_ns, end_ns, tool_id, request_type, vector_id, ok, http_error, timeout, "
     "connect_error, other_error, bytes, offered_rate, achieved_rate, p50_ms, p90_ms, p99_ms, "
     "p999_ms, max_ms, mean_ms, histogram FROM tick_view "
     "WHERE (?1 IS NULL OR tool_id = ?1) AND (?2 IS NULL OR request_type = ?2) "
     "AND (?3 IS NULL OR vector_id = ?3) AND tick >= ?4 AND tick < ?5 "
     "ORDER BY tick, tool_id, request_type"},
    {"count ticks", "SELECT count(DISTINCT tick) FROM ticks"},
    {"insert metric", "INSERT INTO metrics (wall_ns, name, labels, value) VALUES (?1, ?2, ?3, ?4)"},
    {"read metric series",
     "SELECT wall_ns, labels, value FROM metrics WHERE name = ?1 AND wall_ns >= ?2 "
     "AND wall_ns < ?3 AND (?4 IS NULL OR labels = ?4) ORDER BY wall_ns, rowid"},
    {"read metric names", "SELECT DISTINCT name FROM metrics ORDER BY name"},
    {"insert event",
     "INSERT INTO events (run_id, wall_ns, kind, source, message, details) "
     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
    {"read events",
     "SELECT seq, wall_ns, kind, source, message, details FROM events "
     "WHERE (?1 IS NULL OR kind = ?1) AND seq > ?2 AND wall_ns >= ?3 AND wall_ns < ?4 "
     "ORDER BY seq"},
    {"put vector",
     "INSERT INTO vectors (seq, run_id, vector_id, start_ns, end_ns, outcome, reason) "
     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (seq) DO UPDATE SET "
     "vector_id = excluded.vector_id, start_ns = excluded.start_ns, end_ns = excluded.end_ns, "
     "outcome = excluded.outcome, reason = excluded.reason"},
    {"read vectors",
     "SELECT seq, vector_id, start_ns, end_ns, outcome, reason FROM vectors ORDER BY seq"},
}};

// Settings of every connection that writes. WAL: readers never block the
// writer and see every commit. synchronous=NORMAL: in WAL mode a commit
// survives the process dying (it is in the OS's cache); only a power loss or
// kernel crash may drop the last commits, and never corrupts the file.
void configure_writer(Db& db) {
  const std::string mode = db.query_text("PRAGMA journal_mode = WAL", "enable WAL");
  if (mode != "wal") {
    sqlite::throw_error(db.file(), "enable WAL",
                        fmt::format("the file system allows journal_mode '{}' only", mode));
  }
  // journal_size_limit: a burst can grow the -wal file; give the space back
  // after the next checkpoint.
  db.exec(
      "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
      "PRAGMA journal_size_limit = 67108864",
      "configure");
}

// Brings the schema from its current user_version to the latest, in the
// caller's transaction.
void migrate(Db& db, int64_t from_version) {
  const auto steps = store_schema::migrations();
  for (auto version = static_cast<size_t>(from_version); version < steps.size(); ++version) {
    db.exec(std::string(steps[version]).c_str(),
            fmt::format("create schema version {}", version + 1));
  }
  db.exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}",
                      store_schema::kApplicationId, steps.size())
              .c_str(),
          "set schema version");
}

fs::path db_file_of(const fs::path& db_or_run_dir) {
  std::error_code ec;
  if (fs::is_directory(db_or_run_dir, ec)) {
    return db_or_run_dir / RunStore::kDbFileName;
  }
  return db_or_run_dir;
}

}  // namespace

class RunStore::Impl {
 public:
  Impl(Db db, bool read_only) : db_(std::move(db)), read_only_(read_only) {}

  Db& db() { return db_; }
  bool read_only() const { return read_only_; }
  const std::string& run_id() const { return run_id_; }
  void set_run_id(std::string id) { run_id_ = std::move(id); }

  Stmt& stmt(Query query) {
    auto& slot = stmts_[query];
    if (!slot) {
      slot = std::make_unique<Stmt>(db_, kQueries[query].sql, kQueries[query].what);
    }
    return *slot;
  }

  void require_writable(std::string_view what) const {
    if (read_only_) {
      sqlite::throw_error(db_.file(), what, "the store was opened read-only");
    }
  }

  // Runs `body` in one write transaction; nothing of it remains on failure.
  template <typename Body>
  void write(std::string_view what, Body&& body) {
    require_writable(what);
    try {
      WriteTransaction transaction(db_);
      body();
      touch();
      transaction.commit();
    } catch (...) {
      // Ids cached during the rolled-back transaction no longer exist.
      request_type_ids_.clear();
      throw;
    }
  }

  int64_t request_type_id(std::string_view tool_id, std::string_view name) {
    std::string key;
    key.reserve(tool_id.size() + name.size() + 1);
    key.append(tool_id).append(1, '\0').append(name);
    if (auto found = request_type_ids_.find(key); found != request_type_ids_.end()) {
      return found->second;
    }
    Stmt& insert = stmt(kInsertRequestType);
    {
      ResetOnExit reset(insert);
      insert.bind(1, run_id_);
      insert.bind(2, tool_id);
      insert.bind(3, name);
      insert.run();
    }
    Stmt& find = stmt(kFindRequestType);
    ResetOnExit reset(find);
    find.bind(1, run_id_);
    find.bind(2, tool_id);
    find.bind(3, name);
    if (!find.step()) {
      sqlite::throw_error(db_.file(), "find request type", "row missing");
    }
    const int64_t id = find.int_at(0);
    request_type_ids_.emplace(std::move(key), id);
    return id;
  }

  void insert_tick(const TickRow& row) {
    const int64_t type_id = request_type_id(row.tool_id, row.request_type);
    Stmt& s = stmt(kInsertTick);
    ResetOnExit reset(s);
    s.bind(1, row.tick);
    s.bind(2, row.start_ns);
    s.bind(3, row.end_ns);
    s.bind(4, type_id);
    s.bind(5, row.tool_id);
    s.bind(6, row.vector_id);
    s.bind(7, row.outcomes.total());
    s.bind(8, row.outcomes.ok);
    s.bind(9, row.outcomes.http_error);
    s.bind(10, row.outcomes.timeout);
    s.bind(11, row.outcomes.connect_error);
    s.bind(12, row.outcomes.other_error);
    s.bind(13, row.bytes);
    s.bind(14, row.offered_rate);
    s.bind(15, row.achieved_rate);
    if (row.latency) {
      s.bind(16, row.latency->p50);
      s.bind(17, row.latency->p90);
      s.bind(18, row.latency->p99);
      s.bind(19, row.latency->p999);
      s.bind(20, row.latency->max);
      s.bind(21, row.latency->mean);
    }  // else unbound parameters are NULL
    if (!row.histogram.empty()) {
      s.bind(22, std::string_view(row.histogram));
    }
    s.run();
  }

  void insert_metric(const MetricPoint& point) {
    Stmt& s = stmt(kInsertMetric);
    ResetOnExit reset(s);
    s.bind(1, point.wall_ns);
    s.bind(2, point.name);
    s.bind(3, labels_text(point.labels));
    s.bind(4, point.value);
    s.run();
  }

  void insert_event(const EventRow& event) {
    Stmt& s = stmt(kInsertEvent);
    ResetOnExit reset(s);
    s.bind(1, run_id_);
    s.bind(2, event.wall_ns);
    s.bind(3, event.kind);
    s.bind(4, event.source);
    s.bind(5, event.message);
    s.bind(6, to_json_text(event.details.is_null() ? nlohmann::json::object() : event.details));
    s.run();
  }

  void put_vector(const VectorRow& vector) {
    Stmt& s = stmt(kPutVector);
    ResetOnExit reset(s);
    s.bind(1, vector.seq);
    s.bind(2, run_id_);
    s.bind(3, vector.vector_id);
    s.bind(4, vector.start_ns);
    s.bind(5, vector.end_ns);
    s.bind(6, to_string(vector.outcome));
    s.bind(7, vector.reason);
    s.run();
  }

 private:
  // Every commit marks the run as alive: a "running" run whose updated_ns is
  // old has died without finishing.
  void touch() {
    Stmt& s = stmt(kTouchRun);
    ResetOnExit reset(s);
    s.bind(1, wall_now_ns());
    s.bind(2, run_id_);
    s.run();
  }

  // Declared before the statements, so statements are finalized first.
  Db db_;
  bool read_only_;
  std::string run_id_;
  std::array<std::unique_ptr<Stmt>, kQueryCount> stmts_;
  // "tool\0name" -> request_types.id
  std::unordered_map<std::string, int64_t> request_type_ids_;
};

RunStore::RunStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunStore::RunStore(RunStore&&) noexcept = default;
RunStore& RunStore::operator=(RunStore&&) noexcept = default;
RunStore::~RunStore() = default;

RunStore RunStore::create(const fs::path& runs_dir, const RunSpec& spec) {
  std::error_code ec;
  fs::create_directories(runs_dir, ec);
  if (ec) {
    throw std::runtime_error(fmt::format("run store: cannot create the runs directory '{}': {}",
                                         runs_dir.string(), ec.message()));
  }
  const int64_t started_ns = spec.started_ns != 0 ? spec.started_ns : wall_now_ns();

  // mkdir is atomic: a directory we made is ours even if another process
  // picked the same id in the same second.
  std::string id;
  fs::path run_dir;
  for (int attempt = 0;; ++attempt) {
    id = make_run_id(spec.plan_name, started_ns);
    run_dir = runs_dir / id;
    if (fs::create_directory(run_dir, ec)) {
      break;
    }
    if (ec) {
      throw std::runtime_error(fmt::format("run store: cannot create the run directory '{}': {}",
                                           run_dir.string(), ec.message()));
    }
    if (attempt == 100) {
      throw std::runtime_error(
          fmt::format("run store: no free run id in '{}' after 100 tries", runs_dir.string()));
    }
  }

  const fs::path file = run_dir / kDbFileName;
  try {
    Db db(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
    configure_writer(db);
    auto impl = std::make_unique<Impl>(std::move(db), /*read_only=*/false);
    impl->set_run_id(id);
    // Schema and run row together: a run.db always has both or neither.
    WriteTransaction transaction(impl->db());
    migrate(impl->db(), 0);
    Stmt& s = impl->stmt(kInsertRun);
    {
      ResetOnExit reset(s);
      s.bind(1, id);
      s.bind(2, spec.plan_name);
      s.bind(3, spec.plan_file);
      s.bind(4, to_json_text(spec.plan));
      s.bind(5, started_ns);
      s.bind(6, wall_now_ns());
      s.bind(7, spec.host_version.empty() ? std::string_view(LOADPILOT_VERSION)
                                          : std::string_view(spec.host_version));
      s.run();
    }
    transaction.commit();
    return RunStore(std::move(impl));
  } catch (...) {
    // Leave no run directory without a usable store behind.
    fs::remove_all(run_dir, ec);
    throw;
  }
}

RunStore RunStore::open(const fs::path& db_or_run_dir, Mode mode) {
  const fs::path file = db_file_of(db_or_run_dir);
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    sqlite::throw_error(file, "cannot open", "no such file");
  }

  const bool read_only = mode == Mode::kReadOnly;
  Db db(file, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);

  // The first read of the header: a file that is not SQLite fails here.
  const int64_t application_id = db.query_int("PRAGMA application_id", "cannot open");
  const int64_t version = db.query_int("PRAGMA user_version", "cannot open");
  if (application_id != store_schema::kApplicationId) {
    sqlite::throw_error(file, "not a loadpilot run store",
                        fmt::format("application_id is {:#x}, expected {:#x}", application_id,
                                    store_schema::kApplicationId));
  }
  if (version > kSchemaVersion) {
    sqlite::throw_error(file, "cannot open",
                        fmt::format("schema version {} is newer than this loadpilot's ({})",
                                    version, kSchemaVersion));
  }
  if (version < kSchemaVersion && read_only) {
    sqlite::throw_error(file, "cannot open",
                        fmt::format("schema version {} is older than this loadpilot's ({}); "
                                    "open it read-write once to upgrade it",
                                    version, kSchemaVersion));
  }

  if (!read_only) {
    configure_writer(db);
  }
  auto impl = std::make_unique<Impl>(std::move(db), read_only);
  if (!read_only && version < kSchemaVersion) {
    WriteTransaction transaction(impl->db());
    migrate(impl->db(), version);
    transaction.commit();
  }
  impl->set_run_id(impl->db().query_text("SELECT id FROM runs", "read run id"));
  return RunStore(std::move(impl));
}

std::vector<StoredRun> RunStore::list_runs(const fs::path& runs_dir,
                                           std::vector<std::string>* problems) {
  std::vector<StoredRun> runs;
  std::error_code ec;
  if (!fs::exists(runs_dir, ec)) {
    return runs;  // no runs yet
  }
  fs::directory_iterator entries(runs_dir, ec);
  if (ec) {
    if (problems) {
      problems->push_back(fmt::format("run store: cannot list the runs directory '{}': {}",
                                      runs_dir.string(), ec.message()));
    }
    return runs;
  }
  for (const auto& entry : entries) {
    const fs::path file = entry.path() / kDbFileName;
    if (!entry.is_directory(ec) || !fs::exists(file, ec)) {
      continue;
    }
    try {
      runs.push_back({file, open(file, Mode::kReadOnly).run()});
    } catch (const std::exception& e) {
      if (problems) {
        problems->emplace_back(e.what());
      }
    }
  }
  std::sort(runs.begin(), runs.end(),
            [](const StoredRun& a, const StoredRun& b) { return a.info.id < b.info.id; });
  return runs;
}

const fs::path& RunStore::db_path() const {
  return impl_->db().file();
}
const std::string& RunStore::run_id() const {
  return impl_->run_id();
}
bool RunStore::read_only() const {
  return impl_->read_only();
}

void RunStore::add_request_types(std::string_view tool_id, const std::vector<std::string>& names) {
  impl_->write("add request types", [&] {
    for (const auto& name : names) {
      impl_->request_type_id(tool_id, name);
    }
  });
}

void RunStore::append_tick(const TickBatch& batch) {
  impl_->write("append tick", [&] {
    for (const auto& row : batch.ticks) {
      impl_->insert_tick(row);
    }
    for (const auto& point : batch.metrics) {
      impl_->insert_metric(point);
    }
    for (const auto& event : batch.events) {
      impl_->insert_event(event);
    }
    for (const auto& vector : batch.vectors) {
      impl_->put_vector(vector);
    }
  });
}

void RunStore::add_event(const EventRow& event) {
  impl_->write("add event", [&] { impl_->insert_event(event); });
}

void RunStore::put_vector(const VectorRow& vector) {
  impl_->write("put vector", [&] { impl_->put_vector(vector); });
}

void RunStore::finish(RunStatus status, int exit_code, std::optional<int64_t> ended_ns) {
  if (status == RunStatus::kRunning) {
    throw std::invalid_argument("RunStore::finish: the final status cannot be 'running'");
  }
  impl_->write("finish run", [&] {
    const int64_t now = wall_now_ns();
    Stmt& s = impl_->stmt(kFinishRun);
    ResetOnExit reset(s);
    s.bind(1, to_string(status));
    s.bind(2, int64_t{exit_code});
    s.bind(3, ended_ns.value_or(now));
    s.bind(4, now);
    s.bind(5, impl_->run_id());
    s.run();
  });
}

RunInfo RunStore::run() const {
  Db& db = impl_->db();
  Stmt& s = impl_->stmt(kSelectRun);
  ResetOnExit reset(s);
  if (!s.step()) {
    sqlite::throw_error(db.file(), "read run", "the runs table is empty");
  }
  RunInfo info;
  info.id = s.text_at(0);
  info.plan_name = s.text_at(1);
  info.plan_file = s.text_at(2);
  info.plan = parse_json(db, s.text_at(3), "runs.plan_json");
  info.started_ns = s.int_at(4);
  info.ended_ns = s.optional_int_at(5);
  info.updated_ns = s.int_at(6);
  const std::string status = s.text_at(7);
  const auto parsed = run_status_from_string(status);
  if (!parsed) {
    sqlite::throw_error(db.file(), "read run", fmt::format("bad status '{}'", status));
  }
  info.status = *parsed;
  if (const auto code = s.optional_int_at(8)) {
    info.exit_code = static_cast<int>(*code);
  }
  info.host_version = s.text_at(9);
  return info;
}

std::vector<RequestType> RunStore::request_types() const {
  Stmt& s = impl_->stmt(kSelectRequestTypes);
  ResetOnExit reset(s);
  std::vector<RequestType> types;
  while (s.step()) {
    types.push_back({s.int_at(0), s.text_at(1), s.text_at(2)});
  }
  return types;
}

std::vector<TickRow> RunStore::ticks(const TickQuery& query) const {
  Stmt& s = impl_->stmt(kSelectTicks);
  ResetOnExit reset(s);
  s.bind(1, query.tool_id);
  s.bind(2, query.request_type);
  s.bind(3, query.vector_id);
  s.bind(4, query.first_tick);
  s.bind(5, query.end_tick);
  std::vector<TickRow> rows;
  while (s.step()) {
    TickRow& row = rows.emplace_back();
    row.tick = s.int_at(0);
    row.start_ns = s.int_at(1);
    row.end_ns = s.int_at(2);
    row.tool_id = s.text_at(3);
    row.request_type = s.text_at(4);
    row.vector_id = s.optional_text_at(5);
    row.outcomes = {s.int_at(6), s.int_at(7), s.int_at(8), s.int_at(9), s.int_at(10)};
    row.bytes = s.int_at(11);
    row.offered_rate = s.optional_double_at(12);
    row.achieved_rate = s.double_at(13);
    if (!s.is_null(14)) {
      row.latency = LatencyMs{s.double_at(14), s.double_at(15), s.double_at(16),
                              s.double_at(17), s.double_at(18), s.double_at(19)};
    }
    row.histogram = s.optional_text_at(20).value_or("");
  }
  return rows;
}

int64_t RunStore::tick_count() const {
  Stmt& s = impl_->stmt(kTickCount);
  ResetOnExit reset(s);
  return s.step() ? s.int_at(0) : 0;
}

std::vector<MetricPoint> RunStore::metric_series(std::string_view name, int64_t from_ns,
                                                 int64_t to_ns,
                                                 const std::optional<Labels>& labels) const {
  Stmt& s = impl_->stmt(kSelectMetrics);
  ResetOnExit reset(s);
  s.bind(1, name);
  s.bind(2, from_ns);
  s.bind(3, to_ns);
  if (labels) {
    s.bind(4, labels_text(*labels));
  }
  std::vector<MetricPoint> points;
  while (s.step()) {
    points.push_back(
        {s.int_at(0), std::string(name), parse_labels(impl_->db(), s.text_at(1)), s.double_at(2)});
  }
  return points;
}

std::vector<std::string> RunStore::metric_names() const {
  Stmt& s = impl_->stmt(kMetricNames);
  ResetOnExit reset(s);
  std::vector<std::string> names;
  while (s.step()) {
    names.push_back(s.text_at(0));
  }
  return names;
}

std::vector<EventRow> RunStore::events(const EventQuery& query) const {
  Stmt& s = impl_->stmt(kSelectEvents);
  ResetOnExit reset(s);
  s.bind(1, query.kind);
  s.bind(2, query.after_seq);
  s.bind(3, query.from_ns);
  s.bind(4, query.to_ns);
  std::vector<EventRow> events;
  while (s.step()) {
    events.push_back({s.int_at(0), s.int_at(1), s.text_at(2), s.text_at(3), s.text_at(4),
                      parse_json(impl_->db(), s.text_at(5), "events.details")});
  }
  return events;
}

std::vector<VectorRow> RunStore::vectors() const {
  Db& db = impl_->db();
  Stmt& s = impl_->stmt(kSelectVectors);
  ResetOnExit reset(s);
  std::vector<VectorRow> vectors;
  while (s.step()) {
    const std::string outcome = s.text_at(4);
    const auto parsed = vector_outcome_from_string(outcome);
    if (!parsed) {
      sqlite::throw_error(db.file(), "read vectors", fmt::format("bad outcome '{}'", outcome));
    }
    vectors.push_back(
        {s.int_at(0), s.text_at(1), s.int_at(2), s.optional_int_at(3), *parsed, s.text_at(5)});
  }
  return vectors;
}

}  // namespace lp
