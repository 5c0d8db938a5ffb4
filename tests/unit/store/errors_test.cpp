// Every failure is a std::runtime_error that names the file and says why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <string>

#include "loadpilot/host/store/run_store.hpp"
#include "store_test_support.hpp"

namespace lp {
namespace {

using store_test::sample_spec;
using store_test::TempDir;
using ::testing::HasSubstr;

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::runtime_error thrown";
  return "";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void raw_exec(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(StoreErrors, RunsDirectoryThatCannotBeCreated) {
  TempDir tmp;
  write_file(tmp.path() / "plain-file", "x");
  const auto runs_dir = tmp.path() / "plain-file" / "runs";  // under a file: works even as root
  const auto message = error_of([&] { (void)RunStore::create(runs_dir, sample_spec()); });
  EXPECT_THAT(message, HasSubstr(runs_dir.string()));
  EXPECT_THAT(message, HasSubstr("cannot create the runs directory"));
}

TEST(StoreErrors, FileThatIsNotSqlite) {
  TempDir tmp;
  const auto file = tmp.path() / "run.db";
  write_file(file, std::string(8192, 'L'));
  const auto message = error_of([&] { (void)RunStore::open(file); });
  EXPECT_THAT(message, HasSubstr("'" + file.string() + "'"));
  EXPECT_THAT(message, HasSubstr("file is not a database"));
  // The same through the run directory and for a writer.
  EXPECT_THAT(error_of([&] { (void)RunStore::open(tmp.path(), RunStore::Mode::kReadWrite); }),
              HasSubstr(file.string()));
}

TEST(StoreErrors, SqliteFileThatIsNotARunStore) {
  TempDir tmp;
  const auto empty = tmp.path() / "empty.db";
  write_file(empty, "");
  EXPECT_THAT(error_of([&] { (void)RunStore::open(empty); }),
              HasSubstr("'" + empty.string() + "': not a loadpilot run store"));

  const auto other = tmp.path() / "other.db";
  raw_exec(other, "CREATE TABLE t (x)");
  const auto message = error_of([&] { (void)RunStore::open(other, RunStore::Mode::kReadWrite); });
  EXPECT_THAT(message, HasSubstr(other.string()));
  EXPECT_THAT(message, HasSubstr("not a loadpilot run store"));
}

TEST(StoreErrors, MissingFile) {
  TempDir tmp;
  const auto file = tmp.path() / "nope" / "run.db";
  EXPECT_THAT(error_of([&] { (void)RunStore::open(file); }), HasSubstr(file.string() + "'"));
  EXPECT_THAT(error_of([&] { (void)RunStore::open(file); }), HasSubstr("no such file"));
  EXPECT_FALSE(std::filesystem::exists(file));  // open never creates
}

TEST(StoreErrors, SchemaNewerThanThisBuild) {
  TempDir tmp;
  std::filesystem::path file;
  { file = RunStore::create(tmp.path(), sample_spec()).db_path(); }
  raw_exec(file, "PRAGMA user_version = 99");
  const auto message = error_of([&] { (void)RunStore::open(file); });
  EXPECT_THAT(message, HasSubstr(file.string()));
  EXPECT_THAT(message, HasSubstr("schema version 99 is newer"));
}

TEST(StoreErrors, WritingThroughAReadOnlyStore) {
  TempDir tmp;
  auto writer = RunStore::create(tmp.path(), sample_spec());
  auto reader = RunStore::open(writer.db_path());
  const auto message = error_of([&] { reader.add_event({0, 1, "error", "t", "m", {}}); });
  EXPECT_THAT(message, HasSubstr(writer.db_path().string()));
  EXPECT_THAT(message, HasSubstr("read-only"));
  EXPECT_TRUE(writer.events().empty());
}

}  // namespace
}  // namespace lp
