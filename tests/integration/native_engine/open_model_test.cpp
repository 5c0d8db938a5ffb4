// Open model: offered rate, rate changes, mix, and latencies measured from
// the schedule (no coordinated omission).
#include <gtest/gtest.h>

#include "test_server.hpp"
#include "test_support.hpp"

namespace lp::native::testing {
namespace {

TEST(NativeEngineOpen, SendsAtTheOfferedRate) {
  TestServer server;
  auto config = config_for(server.url(), {get("/")});
  config.connections = 16;
  Engine engine(config);
  engine.set_rate(300);
  const int64_t t0 = wall_now();
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 2500ms, samples);
  engine.stop(1s);
  engine.drain(samples);

  // Requests that actually left in a 2 s window well inside the run.
  const auto sent = count_if(
      samples, [&](const lp_sample& s) { return started_in(s, t0 + 250 * kMs, t0 + 2250 * kMs); });
  EXPECT_NEAR(static_cast<double>(sent), 600.0, 18.0);  // within 3%
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
  // They left on time: the schedule is kept, not merely averaged.
  std::vector<int64_t> lateness;
  for (const auto& s : samples) lateness.push_back(s.start_ns - s.intended_ns);
  std::sort(lateness.begin(), lateness.end());
  ASSERT_FALSE(lateness.empty());
  EXPECT_LT(lateness[lateness.size() * 99 / 100], 25 * kMs);
  EXPECT_EQ(server.requests(), samples.size());
}

TEST(NativeEngineOpen, TwoIoThreadsShareTheRate) {
  TestServer server;
  auto config = config_for(server.url(), {get("/")});
  config.connections = 16;
  config.io_threads = 2;
  Engine engine(config);
  engine.set_rate(400);
  const int64_t t0 = wall_now();
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 1500ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  const auto sent = count_if(
      samples, [&](const lp_sample& s) { return started_in(s, t0 + 250 * kMs, t0 + 1250 * kMs); });
  EXPECT_NEAR(static_cast<double>(sent), 400.0, 12.0);
  EXPECT_EQ(server.requests(), samples.size());
}

TEST(NativeEngineOpen, PoissonArrivalsKeepTheMeanRate) {
  TestServer server;
  auto config = config_for(server.url(), {get("/")});
  config.arrivals = Arrivals::kPoisson;
  config.connections = 16;
  Engine engine(config);
  engine.set_rate(400);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 2000ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  // 800 expected; a Poisson count has sd ~28, so allow 4 sd.
  EXPECT_NEAR(static_cast<double>(samples.size()), 800.0, 115.0);
}

TEST(NativeEngineOpen, RateChangeTakesEffectWithinOneTick) {
  TestServer server;
  auto config = config_for(server.url(), {get("/")});
  config.connections = 16;
  Engine engine(config);
  engine.set_rate(100);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 1000ms, samples);
  const int64_t up = wall_now();
  engine.set_rate(1000);
  run_for(engine, 1000ms, samples);
  const int64_t down = wall_now();
  engine.set_rate(100);
  run_for(engine, 1000ms, samples);
  engine.stop(1s);
  engine.drain(samples);

  const auto sent = [&](int64_t from, int64_t to) {
    return static_cast<double>(
        count_if(samples, [&](const lp_sample& s) { return started_in(s, from, to); }));
  };
  EXPECT_NEAR(sent(up - 600 * kMs, up - 100 * kMs), 50.0, 3.0);
  // The first 100 ms tick after the change already runs at the new rate.
  EXPECT_NEAR(sent(up, up + 100 * kMs), 100.0, 8.0);
  EXPECT_NEAR(sent(up + 100 * kMs, up + 900 * kMs), 800.0, 24.0);
  // Going down too: the old rate is gone within the tick.
  EXPECT_LE(sent(down + 10 * kMs, down + 110 * kMs), 12.0);
  EXPECT_NEAR(sent(down + 100 * kMs, down + 900 * kMs), 80.0, 4.0);
}

TEST(NativeEngineOpen, FollowsMixWeightsAndChangesOfThem) {
  TestServer server;
  auto config = config_for(server.url(), {get("/a", 1), get("/b", 2), get("/c", 1)});
  config.connections = 16;
  Engine engine(config);
  engine.set_rate(1000);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 1500ms, samples);
  const int64_t change = wall_now();
  const std::vector<double> only_c = {0, 0, 1};
  engine.set_mix(only_c);
  run_for(engine, 500ms, samples);
  engine.stop(1s);
  engine.drain(samples);

  std::vector<std::size_t> before(3), after(3);
  for (const auto& s : samples) {
    if (s.intended_ns < change) ++before[s.request_type];
    if (s.intended_ns > change + 5 * kMs) ++after[s.request_type];
  }
  const double n = static_cast<double>(before[0] + before[1] + before[2]);
  ASSERT_GT(n, 1000);
  EXPECT_NEAR(static_cast<double>(before[0]) / n, 0.25, 0.04);
  EXPECT_NEAR(static_cast<double>(before[1]) / n, 0.50, 0.04);
  EXPECT_NEAR(static_cast<double>(before[2]) / n, 0.25, 0.04);
  EXPECT_EQ(after[0] + after[1], 0u);
  EXPECT_GT(after[2], 400u);
  EXPECT_EQ(server.hits("/a") + server.hits("/b") + server.hits("/c"), samples.size());
}

TEST(NativeEngineOpen, StallShowsInLatenciesOfRequestsScheduledDuringIt) {
  TestServer server;
  auto config = config_for(server.url(), {get("/")});
  config.connections = 4;
  Engine engine(config);
  engine.set_rate(200);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 500ms, samples);
  const int64_t stall = server.stall_for(300ms);
  const int64_t stall_end = stall + 300 * kMs;
  run_for(engine, 800ms, samples);
  engine.stop(1s);
  engine.drain(samples);

  std::size_t during = 0;
  int64_t max_latency = 0;
  for (const auto& s : samples) {
    ASSERT_EQ(s.outcome, LP_OUTCOME_OK);
    if (s.intended_ns < stall - 50 * kMs) {
      EXPECT_LT(s.latency_ns, 100 * kMs);
    }
    if (!intended_in(s, stall, stall_end)) continue;
    ++during;
    max_latency = std::max(max_latency, s.latency_ns);
    // Nothing scheduled in the stall finished before it ended, and its
    // latency says so, whether it waited at the server or for a connection.
    EXPECT_GE(s.intended_ns + s.latency_ns, stall_end - 2 * kMs);
    if (s.intended_ns < stall + 10 * kMs) {
      EXPECT_GE(s.latency_ns, 288 * kMs);
    }
  }
  EXPECT_NEAR(static_cast<double>(during), 60.0, 3.0);
  EXPECT_GE(max_latency, 290 * kMs);
}

TEST(NativeEngineOpen, BacklogIsCappedAndDropsAreCounted) {
  TestServer server;
  server.set_delay(200ms);
  auto config = config_for(server.url(), {get("/")});
  config.connections = 1;
  config.max_backlog = 5;
  Engine engine(config);
  engine.set_rate(200);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 1000ms, samples);
  EXPECT_LE(engine.stats().backlog, 5);
  engine.stop(0ms);
  engine.drain(samples);

  const auto stats = engine.stats();
  const auto dropped = count_if(samples, [](auto& s) {
    return s.outcome == LP_OUTCOME_OTHER_ERROR && s.status_code == 0 && s.latency_ns == 0;
  });
  EXPECT_GT(stats.dropped_backlog, 150u);
  EXPECT_EQ(dropped, stats.dropped_backlog);
  EXPECT_LE(stats.cancelled_at_stop, 5u);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome == LP_OUTCOME_OK; }),
            samples.size() - dropped);
}

}  // namespace
}  // namespace lp::native::testing
