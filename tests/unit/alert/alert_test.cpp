// Alerts: deduplication while an anomaly persists, resolution, the JSON
// context, and webhook delivery against a real local receiver (retries on
// 5xx and on a dead port, none on 4xx).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "loadpilot/host/alert/alert_manager.hpp"
#include "loadpilot/host/alert/webhook_sender.hpp"
#include "receiver.hpp"

namespace lp::testing {
namespace {

using namespace std::chrono_literals;

AlertContext context(std::int64_t t, double value) {
  AlertContext c;
  c.run_id = "r1";
  c.plan = "p";
  c.detector_id = "latency";
  c.detector_type = "ewma";
  c.metrics = {"p99_ms"};
  c.values = {value};
  c.expected_low = 1;
  c.expected_high = 9;
  c.score = 0.99;
  c.vector = "peak";
  c.wall_ns = t;
  return c;
}

TEST(AlertManager, OneAlertPerEpisodeThenResolved) {
  AlertManager m(3);
  EXPECT_FALSE(m.observe(context(0, 5), false));
  const auto first = m.observe(context(1, 50), true);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->kind, Alert::Kind::kRaised);
  EXPECT_FALSE(m.observe(context(2, 55), true));  // still the same anomaly
  EXPECT_FALSE(m.observe(context(3, 5), false));
  EXPECT_FALSE(m.observe(context(4, 60), true));  // a quiet tick does not end it
  EXPECT_FALSE(m.observe(context(5, 5), false));
  EXPECT_FALSE(m.observe(context(6, 5), false));
  EXPECT_TRUE(m.active("latency"));
  const auto resolved = m.observe(context(7, 5), false);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->kind, Alert::Kind::kResolved);
  EXPECT_EQ(resolved->flags, 3u);
  EXPECT_FALSE(m.active("latency"));
  EXPECT_EQ(m.raised(), 1u);
  EXPECT_EQ(m.suppressed(), 2u);
  EXPECT_TRUE(m.observe(context(8, 70), true));  // a new episode alerts again
}

TEST(AlertManager, EpisodesArePerDetector) {
  AlertManager m;
  auto a = context(1, 50);
  auto b = context(1, 50);
  b.detector_id = "errors";
  EXPECT_TRUE(m.observe(a, true));
  EXPECT_TRUE(m.observe(b, true));
}

TEST(Alert, JsonCarriesTheContext) {
  const Alert a{Alert::Kind::kRaised, context(1'700'000'000'123'000'000, 42.5), 1,
                1'700'000'000'123'000'000};
  const auto j = a.to_json();
  EXPECT_EQ(j["kind"], "alert");
  EXPECT_EQ(j["detector"], "latency");
  EXPECT_EQ(j["detector_type"], "ewma");
  EXPECT_EQ(j["metrics"][0]["name"], "p99_ms");
  EXPECT_EQ(j["metrics"][0]["value"], 42.5);
  EXPECT_EQ(j["expected_range"][0], 1.0);
  EXPECT_EQ(j["expected_range"][1], 9.0);
  EXPECT_EQ(j["vector"], "peak");
  EXPECT_EQ(j["run_id"], "r1");
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(a.message(),
            "anomaly: latency (ewma) flags p99_ms=42.5 (expected 1..9) score 0.990 in vector peak");
  auto c = context(1, std::nan(""));
  c.expected_low = c.expected_high = std::nan("");
  const auto n = Alert{Alert::Kind::kRaised, c, 1, 1}.to_json();
  EXPECT_TRUE(n["metrics"][0]["value"].is_null());  // JSON has no NaN
  EXPECT_TRUE(n["expected_range"][0].is_null());
}

RetryPolicy fast() {
  RetryPolicy p;
  p.first_backoff = 20ms;
  p.max_attempts = 4;
  p.timeout = 2s;
  return p;
}

TEST(WebhookSender, RetriesA5xxThenDelivers) {
  Receiver receiver({503, 502});
  WebhookSender sender(receiver.url(), fast());
  sender.post(R"({"kind":"alert","n":1})");
  ASSERT_TRUE(sender.flush(10s));
  const auto stats = sender.stats();
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.attempts, 3u);
  EXPECT_EQ(receiver.requests(), 3);
  ASSERT_EQ(receiver.bodies().size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(receiver.bodies()[0])["n"], 1);
}

TEST(WebhookSender, A4xxIsNotRetried) {
  Receiver receiver({400});
  WebhookSender sender(receiver.url(), fast());
  sender.post("{}");
  ASSERT_TRUE(sender.flush(10s));
  EXPECT_EQ(sender.stats().failed, 1u);
  EXPECT_EQ(sender.stats().attempts, 1u);
  EXPECT_EQ(sender.stats().last_error, "refused with HTTP 400");
}

TEST(WebhookSender, GivesUpOnADeadPortAfterEveryAttempt) {
  std::string url;
  {
    Receiver gone({});
    url = gone.url();
  }  // closed: nothing listens there now
  WebhookSender sender(url, fast());
  sender.post("{}");
  ASSERT_TRUE(sender.flush(10s));
  EXPECT_EQ(sender.stats().failed, 1u);
  EXPECT_EQ(sender.stats().attempts, 4u);
}

TEST(WebhookSender, KeepsOrder) {
  Receiver receiver({});
  WebhookSender sender(receiver.url(), fast());
  for (int i = 0; i < 5; ++i) sender.post(R"({"n":)" + std::to_string(i) + "}");
  ASSERT_TRUE(sender.flush(10s));
  const auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(nlohmann::json::parse(bodies[i])["n"], i);
}

}  // namespace
}  // namespace lp::testing
