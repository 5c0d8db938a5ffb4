// Forecast history from previous load tests: ticks of runs in a real SQLite
// run store, combined over tools, resampled, with the time between runs masked.
#include "loadpilot/host/forecast/history_store.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "loadpilot/host/forecast/history_csv.hpp"
#include "loadpilot/host/store/run_store.hpp"

namespace lp {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kT0 = 1'700'000'000 * kSecond;

TickRow row(std::int64_t tick, std::int64_t start, const std::string& tool, double rate,
            std::int64_t ok, double p99) {
  TickRow r;
  r.tick = tick;
  r.start_ns = start;
  r.end_ns = start + kSecond;
  r.tool_id = tool;
  r.request_type = "(all)";
  r.outcomes.ok = ok;
  r.outcomes.http_error = 1;
  r.offered_rate = rate;
  r.achieved_rate = rate;
  r.latency = LatencyMs{1, 2, p99, p99, p99, 1};
  return r;
}

// A run of `ticks` 1 s ticks from `start`, two tools.
void make_run(const fs::path& dir, std::int64_t start, int ticks, double rate) {
  RunSpec spec;
  spec.plan_name = "history";
  spec.plan_file = "plan.yaml";
  spec.started_ns = start;
  auto store = RunStore::create(dir, spec);
  for (int i = 0; i < ticks; ++i) {
    TickBatch b;
    const std::int64_t t = start + i * kSecond;
    b.ticks.push_back(row(i, t, "a", rate + i, 9, 10));
    b.ticks.push_back(row(i, t, "b", 2 * (rate + i), 19, 40));
    store.append_tick(b);
  }
  store.finish(RunStatus::kPassed, 0, start + ticks * kSecond);
}

class HistoryStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lp_history_store_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    make_run(dir_, kT0, 10, 100);
    make_run(dir_, kT0 + 20 * kSecond, 5, 200);  // 10 s after the first run ended
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(HistoryStore, RunsDirectoryGivesOneSeriesWithTheGapMasked) {
  const TimeSeries s = read_history_store(dir_, "achieved_rate");
  EXPECT_EQ(s.start_ns, kT0);
  EXPECT_EQ(s.step_ns, kSecond);
  ASSERT_EQ(s.values.size(), 25u);
  EXPECT_DOUBLE_EQ(s.values[0], 300);  // the two tools summed
  EXPECT_DOUBLE_EQ(s.values[9], 327);
  for (std::size_t i = 10; i < 20; ++i) EXPECT_EQ(s.valid[i], 0) << i;
  EXPECT_DOUBLE_EQ(s.values[20], 600);
  EXPECT_EQ(s.valid[24], 1);
}

TEST_F(HistoryStore, LatencyIsTheRequestWeightedMean) {
  const TimeSeries s = read_history_store(dir_, "p99_ms");
  EXPECT_NEAR(s.values[0], (10.0 * 10 + 40.0 * 20) / 30, 1e-9);
  const TimeSeries e = read_history_store(dir_, "error_rate");
  EXPECT_NEAR(e.values[0], 2.0 / 30, 1e-12);
}

TEST_F(HistoryStore, OneRunAndResampling) {
  const auto runs = RunStore::list_runs(dir_);
  ASSERT_EQ(runs.size(), 2u);
  const TimeSeries one = read_history_store(runs[0].db_path.parent_path(), "requests");
  ASSERT_EQ(one.values.size(), 10u);
  EXPECT_DOUBLE_EQ(one.values[0], 30);
  const TimeSeries five = read_history_store(dir_, "achieved_rate", 5 * kSecond);
  ASSERT_EQ(five.values.size(), 5u);
  EXPECT_DOUBLE_EQ(five.values[0], 3 * (100 + 2.0));  // mean of ticks 0..4
  EXPECT_EQ(five.valid[2], 0);
  EXPECT_EQ(five.valid[3], 0);
  EXPECT_EQ(five.valid[4], 1);
}

TEST_F(HistoryStore, UnknownMetricAndEmptyDirectoryAreClearErrors) {
  try {
    (void)read_history_store(dir_, "no_such_metric");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("0 values of \"no_such_metric\""), std::string::npos)
        << e.what();
  }
  const fs::path empty = dir_ / "empty";
  fs::create_directories(empty);
  EXPECT_THROW((void)read_history_store(empty, "achieved_rate"), InputError);
}

}  // namespace
}  // namespace lp
