// WAL: readers open run.db beside the writer, see every committed tick, and
// never see a part of one; a reader holding a snapshot never blocks writes.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <thread>

#include "loadpilot/host/store/run_store.hpp"
#include "store_test_support.hpp"

namespace lp {
namespace {

using store_test::sample_spec;
using store_test::sample_tick;
using store_test::TempDir;

constexpr int kTypes = 5;

TickBatch batch_for(int64_t tick) {
  TickBatch batch;
  for (int type = 0; type < kTypes; ++type) {
    batch.ticks.push_back(sample_tick(tick, "api", "type-" + std::to_string(type), type));
  }
  return batch;
}

TEST(StoreConcurrency, ReaderSeesCommittedTicksWhileTheWriterIsOpen) {
  TempDir tmp;
  auto writer = RunStore::create(tmp.path(), sample_spec());
  auto reader = RunStore::open(writer.db_path());  // opened before any tick

  writer.append_tick(batch_for(0));
  EXPECT_EQ(reader.tick_count(), 1);
  writer.append_tick(batch_for(1));
  EXPECT_EQ(reader.ticks().size(), 2u * kTypes);
  EXPECT_EQ(reader.run().status, RunStatus::kRunning);
}

TEST(StoreConcurrency, ReaderThreadDuringWritesSeesOnlyWholeTicks) {
  TempDir tmp;
  auto writer = RunStore::create(tmp.path(), sample_spec());
  const auto file = writer.db_path();
  constexpr int64_t kTicks = 150;

  std::atomic<bool> done{false};
  std::exception_ptr writer_error;
  std::thread writing([&] {
    try {
      for (int64_t tick = 0; tick < kTicks; ++tick) {
        writer.append_tick(batch_for(tick));
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    } catch (...) {
      writer_error = std::current_exception();
    }
    done = true;
  });

  auto reader = RunStore::open(file);
  int64_t last_seen = 0;
  int polls = 0;
  bool finished = false;
  while (!finished) {
    finished = done.load();  // read once more after the writer ended
    TickQuery newer;
    newer.first_tick = last_seen;
    const auto rows = reader.ticks(newer);
    std::map<int64_t, int> per_tick;
    for (const auto& row : rows) {
      ++per_tick[row.tick];
    }
    for (const auto& [tick, count] : per_tick) {
      ASSERT_EQ(count, kTypes) << "tick " << tick << " seen in part";
    }
    if (!per_tick.empty()) {
      ASSERT_EQ(per_tick.begin()->first, last_seen) << "a tick was skipped";
      ASSERT_EQ(per_tick.rbegin()->first - per_tick.begin()->first + 1,
                static_cast<int64_t>(per_tick.size()));
      last_seen = per_tick.rbegin()->first + 1;
    }
    ++polls;
  }
  writing.join();
  if (writer_error) {
    std::rethrow_exception(writer_error);
  }
  EXPECT_EQ(last_seen, kTicks);
  EXPECT_EQ(reader.tick_count(), kTicks);
  EXPECT_GT(polls, 1);
}

TEST(StoreConcurrency, OpenReadSnapshotDoesNotBlockTheWriter) {
  TempDir tmp;
  auto writer = RunStore::create(tmp.path(), sample_spec());
  writer.append_tick(batch_for(0));

  // A reader in the middle of a long read transaction (a report query).
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(writer.db_path().c_str(), &raw, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  auto count_ticks = [raw] {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(raw, "SELECT count(DISTINCT tick) FROM ticks", -1, &stmt, nullptr);
    sqlite3_step(stmt);
    const auto n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
  };
  ASSERT_EQ(sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(count_ticks(), 1);

  const auto started = std::chrono::steady_clock::now();
  for (int64_t tick = 1; tick < 20; ++tick) {
    writer.append_tick(batch_for(tick));
  }
  // Far below the 5 s busy timeout: the writer never waited on the reader.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));

  EXPECT_EQ(count_ticks(), 1);  // its snapshot is stable
  ASSERT_EQ(sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(count_ticks(), 20);
  sqlite3_close_v2(raw);
}

}  // namespace
}  // namespace lp
