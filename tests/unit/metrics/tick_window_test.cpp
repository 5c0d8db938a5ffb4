// Summaries of hand-made samples, where every figure can be worked out.
#include "loadpilot/host/metrics/tick_window.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace lp {
namespace {

constexpr int64_t kMs = 1'000'000;  // ns

lp_sample sample(uint32_t type, int64_t latency_ns, lp_outcome outcome = LP_OUTCOME_OK,
                 int32_t status = 200, uint64_t bytes = 1000) {
  lp_sample s{};
  s.latency_ns = latency_ns;
  s.service_ns = latency_ns;
  s.bytes_received = bytes;
  s.request_type = type;
  s.outcome = outcome;
  s.status_code = status;
  return s;
}

// browse: 100 ok requests taking 1, 2, ..., 100 ms.
// buy: 5 ok (10 ms), 2 http errors (500, 20 ms), a timeout (1 s), a connect
// error (5 ms) and an outcome the ABI does not know (counted as other).
// One more sample names a request type that does not exist.
TickWindow sample_window() {
  TickWindow w({"browse", "buy"}, 0);
  for (int64_t i = 1; i <= 100; ++i) {
    w.add(sample(0, i * kMs));
  }
  for (int i = 0; i < 5; ++i) {
    w.add(sample(1, 10 * kMs));
  }
  w.add(sample(1, 20 * kMs, LP_OUTCOME_HTTP_ERROR, 500, 100));
  w.add(sample(1, 20 * kMs, LP_OUTCOME_HTTP_ERROR, 500, 100));
  w.add(sample(1, 1000 * kMs, LP_OUTCOME_TIMEOUT, 0, 0));
  w.add(sample(1, 5 * kMs, LP_OUTCOME_CONNECT_ERROR, 0, 0));
  w.add(sample(1, 5 * kMs, 99, 0, 0));
  w.add(sample(7, 1 * kMs));
  return w;
}

// Latencies come back to 3 significant figures.
void expect_ms(double actual, double expected) {
  EXPECT_NEAR(actual, expected, expected * 0.001 + 1e-9) << "expected ~" << expected << " ms";
}

TEST(TickWindow, SummaryPerTypeAndOverall) {
  const WindowSummary s = sample_window().summary();
  EXPECT_DOUBLE_EQ(s.duration_s, 1.0);
  ASSERT_EQ(s.types.size(), 2u);
  EXPECT_EQ(s.unknown_type_samples, 1);

  const RequestSummary& browse = s.types[0];
  EXPECT_EQ(browse.name, "browse");
  EXPECT_EQ(browse.count, 100);
  EXPECT_EQ(browse.errors, 0);
  EXPECT_DOUBLE_EQ(browse.error_rate, 0.0);
  EXPECT_DOUBLE_EQ(browse.rate_per_s, 100.0);
  expect_ms(browse.p50_ms, 50.0);  // the 50th of 100
  expect_ms(browse.p90_ms, 90.0);
  expect_ms(browse.p99_ms, 99.0);
  expect_ms(browse.p999_ms, 100.0);
  expect_ms(browse.max_ms, 100.0);
  expect_ms(browse.mean_ms, 50.5);
  EXPECT_EQ(browse.bytes, 100000u);
  EXPECT_EQ(browse.status_codes, (std::map<int32_t, int64_t>{{200, 100}}));

  const RequestSummary& buy = s.types[1];
  EXPECT_EQ(buy.name, "buy");
  EXPECT_EQ(buy.count, 10);
  EXPECT_EQ(buy.errors, 5);
  EXPECT_DOUBLE_EQ(buy.error_rate, 0.5);
  EXPECT_DOUBLE_EQ(buy.rate_per_s, 10.0);
  EXPECT_EQ(buy.outcomes, (std::array<int64_t, kOutcomeCount>{5, 2, 1, 1, 1}));
  EXPECT_EQ(buy.status_codes, (std::map<int32_t, int64_t>{{0, 3}, {200, 5}, {500, 2}}));
  EXPECT_EQ(buy.bytes, 5200u);
  expect_ms(buy.p50_ms, 10.0);  // the 5th of 5 5 10 10 10 10 10 20 20 1000
  expect_ms(buy.p90_ms, 20.0);  // the 9th
  expect_ms(buy.max_ms, 1000.0);
  expect_ms(buy.mean_ms, (5 * 10.0 + 2 * 20.0 + 1000.0 + 2 * 5.0) / 10);

  const RequestSummary& all = s.all;
  EXPECT_EQ(all.name, "all");
  EXPECT_EQ(all.count, 111);
  EXPECT_EQ(all.errors, 5);
  EXPECT_DOUBLE_EQ(all.error_rate, 5.0 / 111);
  EXPECT_DOUBLE_EQ(all.rate_per_s, 111.0);
  expect_ms(all.max_ms, 1000.0);
  EXPECT_EQ(all.outcomes, (std::array<int64_t, kOutcomeCount>{106, 2, 1, 1, 1}));
  EXPECT_EQ(all.latency_out_of_range, 0);
}

TEST(TickWindow, RateUsesTheTickDuration) {
  TickWindow w({"x"}, 0, 100 * kMs);  // a 100 ms tick
  for (int i = 0; i < 30; ++i) {
    w.add(sample(0, kMs));
  }
  const WindowSummary s = w.summary();
  EXPECT_DOUBLE_EQ(s.duration_s, 0.1);
  EXPECT_DOUBLE_EQ(s.types[0].rate_per_s, 300.0);
  EXPECT_DOUBLE_EQ(s.all.rate_per_s, 300.0);
}

TEST(TickWindow, EmptyWindowSummarisesToZeros) {
  const WindowSummary s = TickWindow({"a"}).summary();
  EXPECT_EQ(s.types[0].count, 0);
  EXPECT_DOUBLE_EQ(s.types[0].error_rate, 0.0);
  EXPECT_DOUBLE_EQ(s.types[0].p99_ms, 0.0);
  EXPECT_DOUBLE_EQ(s.all.mean_ms, 0.0);
}

TEST(TickWindow, LatencyInMicrosecondsRoundedAndRangeChecked) {
  TickWindow w({"x"});
  w.add(sample(0, 1499));                // 1 us
  w.add(sample(0, 1500));                // 2 us
  w.add(sample(0, -5));                  // clock trouble: not a latency
  w.add(sample(0, 2 * 3600'000 * kMs));  // two hours: beyond the histogram
  const RequestStats& x = w.types()[0];
  EXPECT_EQ(x.count, 4);
  EXPECT_EQ(x.latency_us.total_count(), 2);
  EXPECT_EQ(x.latency_us.count_at_value(1), 1);
  EXPECT_EQ(x.latency_us.count_at_value(2), 1);
  EXPECT_EQ(w.summary().types[0].latency_out_of_range, 2);
  EXPECT_EQ(w.summary().all.latency_out_of_range, 2);
}

TEST(TickWindow, AddsABatchThroughItsStride) {
  struct Longer {
    lp_sample s;
    uint64_t appended_member;
  };
  std::vector<Longer> records(3);
  records[0].s = sample(0, 1 * kMs);
  records[1].s = sample(1, 2 * kMs, LP_OUTCOME_TIMEOUT, 0);
  records[2].s = sample(1, 3 * kMs);
  lp_sample_batch batch{static_cast<uint32_t>(sizeof(lp_sample_batch)), records.data(),
                        records.size(), sizeof(Longer)};
  TickWindow w({"a", "b"});
  w.add(batch);
  EXPECT_EQ(w.types()[0].count, 1);
  EXPECT_EQ(w.types()[1].count, 2);
  EXPECT_EQ(w.all().outcomes[LP_OUTCOME_TIMEOUT], 1);

  batch.stride = sizeof(lp_sample) - 4;
  EXPECT_THROW(w.add(batch), std::invalid_argument);
}

TEST(TickWindow, RestartEmptiesForTheNextTick) {
  TickWindow w = sample_window();
  w.restart(1'000'000'000);
  EXPECT_EQ(w.start_ns(), 1'000'000'000);
  EXPECT_EQ(w.all().count, 0);
  EXPECT_EQ(w.types()[1].count, 0);
  EXPECT_TRUE(w.types()[1].status_codes.empty());
  EXPECT_EQ(w.unknown_type_samples(), 0);
  EXPECT_EQ(w.summary().all.max_ms, 0.0);
}

TEST(TickWindow, RefusesANonPositiveDuration) {
  EXPECT_THROW(TickWindow({"a"}, 0, 0), std::invalid_argument);
}

TEST(RunAccumulator, MergesTicksIntoOneSummary) {
  TickWindow first = sample_window();
  TickWindow second({"browse", "buy"}, 1'000'000'000);
  for (int i = 0; i < 50; ++i) {
    second.add(sample(0, 200 * kMs));
  }
  second.add(sample(1, 30 * kMs, LP_OUTCOME_HTTP_ERROR, 503));

  RunAccumulator run;  // names come from the windows
  run.add(first);
  run.add(second);
  EXPECT_EQ(run.window_count(), 2);
  EXPECT_EQ(run.duration_ns(), 2'000'000'000);

  const WindowSummary s = run.summary();
  EXPECT_DOUBLE_EQ(s.duration_s, 2.0);
  ASSERT_EQ(s.types.size(), 2u);
  EXPECT_EQ(s.types[0].name, "browse");
  EXPECT_EQ(s.types[0].count, 150);
  EXPECT_DOUBLE_EQ(s.types[0].rate_per_s, 75.0);
  expect_ms(s.types[0].max_ms, 200.0);
  expect_ms(s.types[0].p50_ms, 75.0);  // the 75th of 1..100 ms, then 50 x 200 ms
  expect_ms(s.types[0].p90_ms, 200.0);
  EXPECT_EQ(s.types[1].count, 11);
  EXPECT_EQ(s.types[1].errors, 6);
  EXPECT_EQ(s.types[1].status_codes.at(503), 1);
  EXPECT_EQ(s.all.count, 162);
  EXPECT_DOUBLE_EQ(s.all.rate_per_s, 81.0);
  EXPECT_DOUBLE_EQ(s.all.error_rate, 6.0 / 162);
  EXPECT_EQ(s.unknown_type_samples, 1);

  // The same figures as one window holding every sample.
  TickWindow together({"browse", "buy"}, 0, 2'000'000'000);
  for (int64_t i = 1; i <= 100; ++i) {
    together.add(sample(0, i * kMs));
  }
  for (int i = 0; i < 50; ++i) {
    together.add(sample(0, 200 * kMs));
  }
  EXPECT_TRUE(together.types()[0].latency_us == run.types()[0].latency_us);
}

TEST(RunAccumulator, AVectorSpanIsJustItsWindows) {
  TickWindow warmup({"a"}, 0);
  TickWindow peak({"a"}, 1'000'000'000);
  for (int i = 0; i < 10; ++i) {
    warmup.add(sample(0, kMs));
  }
  for (int i = 0; i < 40; ++i) {
    peak.add(sample(0, 4 * kMs));
  }
  RunAccumulator span({"a"});
  span.add(peak);
  const WindowSummary s = span.summary();
  EXPECT_EQ(s.types[0].count, 40);
  EXPECT_DOUBLE_EQ(s.types[0].rate_per_s, 40.0);
  expect_ms(s.types[0].p50_ms, 4.0);
}

TEST(RunAccumulator, LaterWindowsMayAddTypes) {
  RunAccumulator run({"a"});
  TickWindow one({"a"});
  one.add(sample(0, kMs));
  TickWindow two({"a", "b"});
  two.add(sample(1, kMs));
  run.add(one);
  run.add(two);
  const WindowSummary s = run.summary();
  ASSERT_EQ(s.types.size(), 2u);
  EXPECT_EQ(s.types[1].name, "b");
  EXPECT_EQ(s.types[0].count, 1);
  EXPECT_EQ(s.types[1].count, 1);
  EXPECT_EQ(s.all.count, 2);
}

}  // namespace
}  // namespace lp
