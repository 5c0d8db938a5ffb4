// The file create() makes, checked with SQLite directly: what a user with
// the sqlite3 shell would see.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "loadpilot/host/store/run_store.hpp"
#include "store_test_support.hpp"

namespace lp {
namespace {

using store_test::TempDir;

// A raw read-only connection, so the check does not trust the code under test.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }

  std::vector<std::string> column(const std::string& sql) {
    std::vector<std::string> values;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      values.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    sqlite3_finalize(stmt);
    return values;
  }
  std::string one(const std::string& sql) {
    auto values = column(sql);
    return values.empty() ? "" : values.front();
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(StoreSchema, CreateMakesRunDirectoryAndVersionedSchema) {
  TempDir tmp;
  const auto runs_dir = tmp.path() / "runs";  // does not exist yet
  std::filesystem::path file;
  {
    auto store = RunStore::create(runs_dir, store_test::sample_spec());
    file = store.db_path();
    EXPECT_EQ(file, runs_dir / store.run_id() / "run.db");
    EXPECT_FALSE(store.read_only());
  }
  ASSERT_TRUE(std::filesystem::is_regular_file(file));

  RawDb raw(file);
  EXPECT_EQ(raw.one("PRAGMA user_version"), std::to_string(RunStore::kSchemaVersion));
  EXPECT_EQ(raw.one("PRAGMA application_id"), std::to_string(0x4C50524E));
  EXPECT_EQ(raw.one("PRAGMA journal_mode"), "wal");  // persistent in the file

  const auto tables = raw.column("SELECT name FROM sqlite_schema WHERE type = 'table'");
  EXPECT_EQ(
      std::set<std::string>(tables.begin(), tables.end()),
      (std::set<std::string>{"runs", "request_types", "ticks", "metrics", "events", "vectors"}));
  const auto indexes = raw.column(
      "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
  EXPECT_EQ(indexes, (std::vector<std::string>{"events_by_time", "metrics_by_name",
                                               "ticks_by_request_type"}));
  EXPECT_EQ(raw.column("SELECT name FROM sqlite_schema WHERE type = 'view'"),
            std::vector<std::string>{"tick_view"});

  // The metrics index serves "one series over a time range".
  EXPECT_EQ(raw.column("SELECT name FROM pragma_index_info('metrics_by_name')"),
            (std::vector<std::string>{"name", "wall_ns"}));

  const auto tick_columns = raw.column("SELECT name FROM pragma_table_info('ticks')");
  for (const char* name :
       {"tick",         "start_ns",      "end_ns",   "tool_id",       "vector_id",   "count",
        "ok",           "http_error",    "timeout",  "connect_error", "other_error", "bytes",
        "offered_rate", "achieved_rate", "p50_ms",   "p90_ms",        "p99_ms",      "p999_ms",
        "max_ms",       "mean_ms",       "histogram"}) {
    EXPECT_NE(std::find(tick_columns.begin(), tick_columns.end(), name), tick_columns.end())
        << name;
  }

  EXPECT_EQ(raw.one("SELECT status FROM runs"), "running");
  EXPECT_EQ(raw.one("SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(raw.one("SELECT json_extract(plan_json, '$.tools[0].id') FROM runs"), "checkout");
}

TEST(StoreSchema, OpenReadOnlyAndReadWrite) {
  TempDir tmp;
  std::filesystem::path file;
  std::string id;
  {
    auto store = RunStore::create(tmp.path(), store_test::sample_spec());
    file = store.db_path();
    id = store.run_id();
  }
  auto reader = RunStore::open(file);
  EXPECT_TRUE(reader.read_only());
  EXPECT_EQ(reader.run_id(), id);
  // The run directory names the same file.
  EXPECT_EQ(RunStore::open(file.parent_path()).db_path(), file);

  auto writer = RunStore::open(file, RunStore::Mode::kReadWrite);
  EXPECT_FALSE(writer.read_only());
  writer.finish(RunStatus::kInterrupted, 130);
  EXPECT_EQ(reader.run().status, RunStatus::kInterrupted);
}

TEST(StoreSchema, CountMustMatchOutcomesInTheFile) {
  // The CHECK keeps hand-edited or foreign rows honest too.
  TempDir tmp;
  auto store = RunStore::create(tmp.path(), store_test::sample_spec());
  store.add_request_types("checkout", {"GET /"});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(store.db_path().c_str(), &db), SQLITE_OK);
  const int rc = sqlite3_exec(db,
                              "INSERT INTO ticks (tick, start_ns, end_ns, request_type_id, "
                              "tool_id, count, ok, http_error, timeout, connect_error, "
                              "other_error, bytes, achieved_rate) "
                              "VALUES (0, 0, 1, 1, 'checkout', 5, 1, 0, 0, 0, 0, 0, 1.0)",
                              nullptr, nullptr, nullptr);
  EXPECT_EQ(rc, SQLITE_CONSTRAINT_CHECK & 0xff);
  sqlite3_close(db);
}

}  // namespace
}  // namespace lp
