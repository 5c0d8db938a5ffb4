// Every table: what goes in comes out, field for field.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>

#include "loadpilot/host/store/run_store.hpp"
#include "store_test_support.hpp"

namespace lp {
namespace {

using store_test::kStartNs;
using store_test::kTickNs;
using store_test::sample_spec;
using store_test::sample_tick;
using store_test::TempDir;

TEST(StoreRoundTrip, RunRowFromCreateToFinish) {
  TempDir tmp;
  auto store = RunStore::create(tmp.path(), sample_spec());
  RunInfo info = store.run();
  EXPECT_EQ(info.id, store.run_id());
  EXPECT_EQ(info.plan_name, "checkout-peak");
  EXPECT_EQ(info.plan_file, "plans/checkout-peak.yaml");
  EXPECT_EQ(info.plan, sample_spec().plan);
  EXPECT_EQ(info.started_ns, kStartNs);
  EXPECT_EQ(info.ended_ns, std::nullopt);
  EXPECT_EQ(info.status, RunStatus::kRunning);
  EXPECT_EQ(info.exit_code, std::nullopt);
  EXPECT_EQ(info.host_version, "0.1.0-test");
  EXPECT_GT(info.updated_ns, 0);

  store.finish(RunStatus::kFailed, 3, kStartNs + 60 * kTickNs);
  info = RunStore::open(store.db_path()).run();
  EXPECT_EQ(info.status, RunStatus::kFailed);
  EXPECT_EQ(info.exit_code, 3);
  EXPECT_EQ(info.ended_ns, kStartNs + 60 * kTickNs);

  EXPECT_THROW(store.finish(RunStatus::kRunning, 0), std::invalid_argument);
}

TEST(StoreRoundTrip, DefaultsFillStartTimeAndHostVersion) {
  TempDir tmp;
  RunSpec spec;
  spec.plan_name = "p";
  auto store = RunStore::create(tmp.path(), spec);
  const RunInfo info = store.run();
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EXPECT_LE(std::abs(now_ns - info.started_ns), 60 * kTickNs);  // "now", not 0
  EXPECT_EQ(info.host_version, LOADPILOT_VERSION);
  EXPECT_EQ(info.plan, nlohmann::json::object());
}

TEST(StoreRoundTrip, TicksWithEveryColumn) {
  TempDir tmp;
  auto store = RunStore::create(tmp.path(), sample_spec());
  store.add_request_types("checkout", {"GET /cart", "POST /pay"});

  std::vector<TickRow> written;
  for (int64_t tick = 0; tick < 3; ++tick) {
    TickBatch batch;
    batch.ticks.push_back(sample_tick(tick, "checkout", "GET /cart", 1));
    batch.ticks.push_back(sample_tick(tick, "checkout", "POST /pay", 2));
    TickRow idle = sample_tick(tick, "search", "q", 3);  // nothing completed
    idle.vector_id.reset();
    idle.outcomes = {};
    idle.bytes = 0;
    idle.offered_rate.reset();  // closed model
    idle.achieved_rate = 0;
    idle.latency.reset();
    idle.histogram.clear();
    batch.ticks.push_back(idle);
    written.insert(written.end(), batch.ticks.begin(), batch.ticks.end());
    store.append_tick(batch);
  }

  EXPECT_EQ(store.ticks(), written);  // ordered by tick, tool, request type
  EXPECT_EQ(store.tick_count(), 3);

  const auto types = store.request_types();
  ASSERT_EQ(types.size(), 3u);
  EXPECT_EQ(types[0].tool_id, "checkout");
  EXPECT_EQ(types[0].name, "GET /cart");
  EXPECT_EQ(types[2].tool_id, "search");
  EXPECT_EQ(types[2].name, "q");

  TickQuery by_type;
  by_type.request_type = "POST /pay";
  const auto pay = store.ticks(by_type);
  ASSERT_EQ(pay.size(), 3u);
  EXPECT_EQ(pay[1], written[4]);

  TickQuery by_tool;
  by_tool.tool_id = "search";
  by_tool.first_tick = 1;
  by_tool.end_tick = 2;
  const auto search = store.ticks(by_tool);
  ASSERT_EQ(search.size(), 1u);
  EXPECT_EQ(search[0], written[5]);

  TickQuery by_vector;
  by_vector.vector_id = "peak";
  EXPECT_EQ(store.ticks(by_vector).size(), 6u);  // the idle rows have no vector
}

TEST(StoreRoundTrip, DuplicateTickIsRejectedAndRolledBackWhole) {
  TempDir tmp;
  auto store = RunStore::create(tmp.path(), sample_spec());
  TickBatch batch;
  batch.ticks.push_back(sample_tick(0, "checkout", "GET /"));
  store.append_tick(batch);

  TickBatch again;
  again.ticks.push_back(sample_tick(1, "checkout", "new type"));
  again.ticks.push_back(sample_tick(0, "checkout", "GET /"));  // same tick and type
  again.events.push_back({0, kStartNs, "error", "test", "lost with its tick", {}});
  try {
    store.append_tick(again);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(store.db_path().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("UNIQUE"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store.ticks().size(), 1u);
  EXPECT_TRUE(store.events().empty());
  EXPECT_EQ(store.request_types().size(), 1u);  // "new type" rolled back too

  // The store stays usable, and the rolled-back type is registered again.
  TickBatch next;
  next.ticks.push_back(sample_tick(1, "checkout", "new type"));
  store.append_tick(next);
  EXPECT_EQ(store.ticks().size(), 2u);
  EXPECT_EQ(store.request_types().size(), 2u);
}

TEST(StoreRoundTrip, MetricSeriesByNameTimeAndLabels) {
  TempDir tmp;
  auto store = RunStore::create(tmp.path(), sample_spec());
  TickBatch batch;
  for (int64_t i = 0; i < 5; ++i) {
    const int64_t t = kStartNs + i * kTickNs;
    batch.metrics.push_back(
        {t, "target_cpu", {{"host", "db-1"}, {"az", "b"}}, 0.5 + 0.1 * static_cast<double>(i)});
    batch.metrics.push_back({t, "target_cpu", {{"host", "db-2"}}, 0.25});
    batch.metrics.push_back({t, "shaper.rate", {}, 100.0 * static_cast<double>(i)});
  }
  store.append_tick(batch);

  EXPECT_EQ(store.metric_names(), (std::vector<std::string>{"shaper.rate", "target_cpu"}));

  const auto all_cpu = store.metric_series("target_cpu");
  EXPECT_EQ(all_cpu.size(), 10u);

  const Labels db1{{"az", "b"}, {"host", "db-1"}};
  const auto db1_series =
      store.metric_series("target_cpu", kStartNs + kTickNs, kStartNs + 3 * kTickNs, db1);
  ASSERT_EQ(db1_series.size(), 2u);
  EXPECT_EQ(db1_series[0], (MetricPoint{kStartNs + kTickNs, "target_cpu", db1, 0.6}));
  EXPECT_EQ(db1_series[1].value, 0.5 + 0.1 * 2);

  const auto rate = store.metric_series("shaper.rate");
  ASSERT_EQ(rate.size(), 5u);
  EXPECT_TRUE(rate[4].labels.empty());
  EXPECT_EQ(rate[4].value, 400.0);

  // NaN has no SQL form: stored as NULL, read back as NaN.
  TickBatch with_gap;
  with_gap.metrics.push_back({kStartNs, "gap", {}, std::numeric_limits<double>::quiet_NaN()});
  store.append_tick(with_gap);
  const auto gap = store.metric_series("gap");
  ASSERT_EQ(gap.size(), 1u);
  EXPECT_TRUE(std::isnan(gap[0].value));
}

TEST(StoreRoundTrip, EventsWithDetailsKindsAndPolling) {
  TempDir tmp;
  auto store = RunStore::create(tmp.path(), sample_spec());
  const EventRow skipped{0,
                         kStartNs + 5,
                         "vector",
                         "alv",
                         "vector soak skipped: error rate 7.2% > 5%",
                         {{"vector", "soak"}, {"error_rate", 0.072}, {"limit", 0.05}}};
  const EventRow scaled{
      0, kStartNs + 9, "scale", "scaler", "scaled to 4 generators", {{"from", 2}, {"to", 4}}};
  store.add_event(skipped);
  TickBatch with_event;
  with_event.events.push_back(scaled);
  store.append_tick(with_event);

  auto events = store.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_GT(events[0].seq, 0);
  EXPECT_GT(events[1].seq, events[0].seq);
  EventRow expected = skipped;
  expected.seq = events[0].seq;
  EXPECT_EQ(events[0], expected);
  EXPECT_EQ(events[1].details["to"], 4);

  EventQuery by_kind;
  by_kind.kind = "scale";
  EXPECT_EQ(store.events(by_kind).size(), 1u);
  EventQuery after;
  after.after_seq = events[0].seq;
  EXPECT_EQ(store.events(after).size(), 1u);
  EventQuery from;
  from.from_ns = kStartNs + 6;
  EXPECT_EQ(store.events(from).size(), 1u);
  EventQuery to;
  to.to_ns = kStartNs + 6;
  EXPECT_EQ(store.events(to).size(), 1u);

  // A null details value is stored as an empty object.
  store.add_event({0, kStartNs, "error", "test", "no details", nullptr});
  EventQuery errors;
  errors.kind = "error";
  EXPECT_EQ(store.events(errors).at(0).details, nlohmann::json::object());
}

TEST(StoreRoundTrip, VectorsAreUpsertedBySeq) {
  TempDir tmp;
  auto store = RunStore::create(tmp.path(), sample_spec());
  VectorRow warmup{0, "warmup", kStartNs, std::nullopt, VectorOutcome::kRunning, ""};
  TickBatch first;
  first.vectors = {warmup};
  store.append_tick(first);
  EXPECT_EQ(store.vectors(), std::vector<VectorRow>{warmup});

  warmup.end_ns = kStartNs + 60 * kTickNs;
  warmup.outcome = VectorOutcome::kCompleted;
  const VectorRow peak{1,
                       "peak",
                       kStartNs + 70 * kTickNs,
                       kStartNs + 90 * kTickNs,
                       VectorOutcome::kShortened,
                       "p99 over the envelope for 10 ticks"};
  const VectorRow soak{2,
                       "soak",
                       kStartNs + 100 * kTickNs,
                       kStartNs + 100 * kTickNs,
                       VectorOutcome::kSkipped,
                       "error rate 7.2% > 5%"};
  const VectorRow warmup_again{
      3, "warmup", kStartNs + 101 * kTickNs, std::nullopt, VectorOutcome::kRunning, ""};
  TickBatch second;
  second.vectors = {warmup, peak};
  store.append_tick(second);
  store.put_vector(soak);
  store.put_vector(warmup_again);
  EXPECT_EQ(store.vectors(), (std::vector<VectorRow>{warmup, peak, soak, warmup_again}));
}

TEST(StoreRoundTrip, ListRunsFindsEveryRunSortedAndReportsBrokenOnes) {
  TempDir tmp;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    RunSpec spec = sample_spec();
    spec.started_ns = kStartNs + (2 - i) * kTickNs;  // created newest first
    ids.push_back(RunStore::create(tmp.path(), spec).run_id());
  }
  std::filesystem::create_directory(tmp.path() / "not-a-run");  // no run.db: ignored
  std::filesystem::create_directory(tmp.path() / "broken");
  { std::ofstream(tmp.path() / "broken" / "run.db") << std::string(4096, 'x'); }

  std::vector<std::string> problems;
  const auto runs = RunStore::list_runs(tmp.path(), &problems);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].info.id, ids[2]);  // oldest start first
  EXPECT_EQ(runs[2].info.id, ids[0]);
  EXPECT_EQ(runs[0].db_path, tmp.path() / ids[2] / "run.db");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("broken"), std::string::npos) << problems[0];

  EXPECT_TRUE(RunStore::list_runs(tmp.path() / "missing").empty());
}

}  // namespace
}  // namespace lp
