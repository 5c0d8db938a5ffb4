// Closed model: N users, each send / wait / think / repeat; N changes live.
#include <gtest/gtest.h>

#include "test_server.hpp"
#include "test_support.hpp"

namespace lp::native::testing {
namespace {

// Polls `pred` every millisecond for at most `limit`; returns how long it took.
template <typename Pred>
std::chrono::nanoseconds wait_until(Pred pred, std::chrono::nanoseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  while (!pred() && std::chrono::steady_clock::now() - start < limit) {
    std::this_thread::sleep_for(1ms);
  }
  return std::chrono::steady_clock::now() - start;
}

TEST(NativeEngineClosed, KeepsExactlyNUsersBusyAndFollowsChanges) {
  TestServer server;
  server.set_delay(50ms);
  Engine engine(config_for(server.url(), {get("/")}, LoadModel::kClosed));
  engine.set_concurrency(8);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 1000ms, samples);
  EXPECT_EQ(server.max_in_flight(), 8);
  EXPECT_EQ(engine.stats().active_users, 8);
  // 8 users / 50 ms each: at most 160 per second (plus the 8 in flight at
  // the end); a loaded machine only makes it fewer.
  EXPECT_LE(samples.size(), 168u);
  EXPECT_GE(samples.size(), 100u);

  engine.set_concurrency(16);
  const auto up = wait_until([&] { return server.in_flight() == 16; }, 1s);
  EXPECT_LT(up, 100ms);
  run_for(engine, 300ms, samples);
  EXPECT_EQ(server.max_in_flight(), 16);

  engine.set_concurrency(4);
  // Users beyond 4 finish the request they have in flight (50 ms) and stop.
  const auto down = wait_until([&] { return server.in_flight() <= 4; }, 1s);
  EXPECT_LT(down, 100ms);
  server.reset_max_in_flight();
  run_for(engine, 300ms, samples);
  EXPECT_LE(server.max_in_flight(), 4);
  EXPECT_EQ(engine.stats().active_users, 4);
  engine.stop(1s);
  engine.drain(samples);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
  EXPECT_EQ(server.requests(), samples.size());
}

TEST(NativeEngineClosed, UsersSpreadOverIoThreads) {
  TestServer server;
  server.set_delay(20ms);
  auto config = config_for(server.url(), {get("/")}, LoadModel::kClosed);
  config.io_threads = 2;
  Engine engine(config);
  engine.set_concurrency(7);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 500ms, samples);
  EXPECT_EQ(server.max_in_flight(), 7);
  EXPECT_EQ(engine.stats().active_users, 7);
  engine.stop(1s);
  engine.drain(samples);
  EXPECT_EQ(server.requests(), samples.size());
}

TEST(NativeEngineClosed, ThinkTimePacesEachUser) {
  TestServer server;
  auto request = get("/");
  request.think = {80ms, 120ms};  // mean 100 ms
  auto config = config_for(server.url(), {request}, LoadModel::kClosed);
  Engine engine(config);
  engine.set_concurrency(4);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 1500ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  // 4 users, one request per ~100 ms each: ~60 in 1.5 s.
  EXPECT_NEAR(static_cast<double>(samples.size()), 60.0, 8.0);
  // Keep-alive: one connection per user for the whole run.
  EXPECT_EQ(server.connections(), 4u);
}

TEST(NativeEngineClosed, NoThinkTimeRunsFlatOut) {
  TestServer server;
  Engine engine(config_for(server.url(), {get("/a"), get("/b")}, LoadModel::kClosed));
  engine.set_concurrency(8);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 500ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  EXPECT_GT(samples.size(), 200u);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
  EXPECT_EQ(server.connections(), 8u);
  for (const auto& s : samples) EXPECT_EQ(s.latency_ns, s.service_ns);
}

TEST(NativeEngineClosed, ZeroUsersSendsNothingUntilRaised) {
  TestServer server;
  Engine engine(config_for(server.url(), {get("/")}, LoadModel::kClosed));
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 200ms, samples);
  EXPECT_TRUE(samples.empty());
  engine.set_concurrency(2);
  run_for(engine, 200ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  EXPECT_FALSE(samples.empty());
}

}  // namespace
}  // namespace lp::native::testing
