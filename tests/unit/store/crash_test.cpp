// Nothing measured is lost when the process dies: a child process writes
// ticks and is killed; the parent reopens run.db and finds every committed
// tick, whole.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "loadpilot/host/store/run_store.hpp"
#include "store_test_support.hpp"

namespace lp {
namespace {

using store_test::kStartNs;
using store_test::kTickNs;
using store_test::sample_spec;
using store_test::sample_tick;
using store_test::TempDir;

constexpr int kRowsPerTick = 20;

// Everything one tick writes: rows for every request type, a metric, an event.
TickBatch batch_for(int64_t tick) {
  TickBatch batch;
  for (int type = 0; type < kRowsPerTick; ++type) {
    batch.ticks.push_back(sample_tick(tick, "checkout", "type-" + std::to_string(type), type));
  }
  const int64_t t = kStartNs + tick * kTickNs;
  batch.metrics.push_back({t, "target_cpu", {{"host", "db-1"}}, 0.01 * static_cast<double>(tick)});
  batch.events.push_back({0, t, "tick", "test", "tick " + std::to_string(tick), {{"tick", tick}}});
  return batch;
}

// Checks that ticks 0..n-1 are all there, each with all its rows, and
// nothing else.
void expect_whole_ticks(const RunStore& store, int64_t n) {
  EXPECT_EQ(store.tick_count(), n);
  const auto rows = store.ticks();
  ASSERT_EQ(rows.size(), static_cast<size_t>(n * kRowsPerTick));
  for (int64_t tick = 0; tick < n; ++tick) {
    const TickBatch expected = batch_for(tick);
    TickQuery one;
    one.first_tick = tick;
    one.end_tick = tick + 1;
    auto got = store.ticks(one);
    auto want = expected.ticks;
    auto by_type = [](const TickRow& a, const TickRow& b) {
      return a.request_type < b.request_type;
    };
    std::sort(want.begin(), want.end(), by_type);
    ASSERT_EQ(got, want) << "tick " << tick;
  }
  EXPECT_EQ(store.metric_series("target_cpu").size(), static_cast<size_t>(n));
  EXPECT_EQ(store.events().size(), static_cast<size_t>(n));
}

enum class Death { kSigkill, kExit };

void PrintTo(Death death, std::ostream* out) {
  *out << (death == Death::kSigkill ? "SIGKILL" : "_exit");
}

// In the child: no gtest, no return; any failure is an exit code.
[[noreturn]] void child_writes_then_dies(const std::filesystem::path& runs_dir, int64_t ticks,
                                         Death death) {
  try {
    auto store = RunStore::create(runs_dir, sample_spec());
    for (int64_t tick = 0; tick < ticks; ++tick) {
      store.append_tick(batch_for(tick));
    }
    if (death == Death::kSigkill) {
      raise(SIGKILL);
    }
    _exit(0);  // no destructors: the store is never closed
  } catch (...) {
    _exit(3);
  }
}

class StoreCrash : public ::testing::TestWithParam<Death> {};

TEST_P(StoreCrash, ChildDiesAfterNTicksAndAllNAreThere) {
  TempDir tmp;
  constexpr int64_t kTicks = 25;
  const pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    child_writes_then_dies(tmp.path(), kTicks, GetParam());
  }

  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  if (GetParam() == Death::kSigkill) {
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  } else {
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }

  const auto runs = RunStore::list_runs(tmp.path());
  ASSERT_EQ(runs.size(), 1u);
  // The run never finished: it still says so, and its last commit is dated.
  EXPECT_EQ(runs[0].info.status, RunStatus::kRunning);
  EXPECT_EQ(runs[0].info.ended_ns, std::nullopt);
  EXPECT_GT(runs[0].info.updated_ns, 0);

  auto store = RunStore::open(runs[0].db_path);
  expect_whole_ticks(store, kTicks);

  // A later process can record how the run ended.
  auto writer = RunStore::open(runs[0].db_path, RunStore::Mode::kReadWrite);
  writer.finish(RunStatus::kError, 137);
  EXPECT_EQ(store.run().status, RunStatus::kError);
  expect_whole_ticks(store, kTicks);
}

INSTANTIATE_TEST_SUITE_P(Deaths, StoreCrash, ::testing::Values(Death::kSigkill, Death::kExit),
                         [](const auto& param_info) {
                           return param_info.param == Death::kSigkill ? "Sigkill" : "Exit";
                         });

// Killed at a moment it does not choose, most likely inside a transaction:
// every tick it reported as committed is there, whole, and at most one more
// (committed but not yet reported); never a part of a tick.
TEST(StoreCrashMidWrite, KillNineWhileWritingKeepsWholeTicks) {
  TempDir tmp;
  int reports[2];
  ASSERT_EQ(pipe(reports), 0);
  const pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    close(reports[0]);
    try {
      auto store = RunStore::create(tmp.path(), sample_spec());
      for (int64_t tick = 0;; ++tick) {
        store.append_tick(batch_for(tick));
        if (write(reports[1], &tick, sizeof tick) != sizeof tick) {
          _exit(4);
        }
      }
    } catch (...) {
      _exit(3);
    }
  }
  close(reports[1]);

  int64_t committed = 0;  // ticks the child reported as committed
  int64_t tick = -1;
  while (committed < 40 && read(reports[0], &tick, sizeof tick) == sizeof tick) {
    committed = tick + 1;
  }
  ASSERT_EQ(committed, 40) << "the child stopped early";
  kill(pid, SIGKILL);
  while (read(reports[0], &tick, sizeof tick) == sizeof tick) {
    committed = tick + 1;
  }
  close(reports[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

  const auto runs = RunStore::list_runs(tmp.path());
  ASSERT_EQ(runs.size(), 1u);
  auto store = RunStore::open(runs[0].db_path);
  const int64_t found = store.tick_count();
  EXPECT_GE(found, committed);
  EXPECT_LE(found, committed + 1);
  expect_whole_ticks(store, found);
}

}  // namespace
}  // namespace lp
