// The ALV sequencer on simulated time: order, ramp-up, transitions, and the
// skip/shorten decisions with their reasons.
#include "loadpilot/host/run/alv_sequencer.hpp"

#include <gtest/gtest.h>

namespace lp {
namespace {

using std::chrono::milliseconds;
using Kind = AlvDecision::Kind;

std::vector<VectorStep> two_steps() {
  return {{"warmup", milliseconds(2000), milliseconds(3000), 100.0},
          {"peak", milliseconds(0), milliseconds(4000), 400.0}};
}

TEST(AlvSequencer, RunsVectorsInOrderWithRampAndTransition) {
  AlvPolicy policy;
  policy.transition_delay = milliseconds(1000);
  AlvSequencer seq(two_steps(), policy);
  EXPECT_EQ(seq.planned_duration(), milliseconds(2000 + 3000 + 1000 + 4000));

  std::vector<AlvDecision> d;
  auto s = seq.advance(milliseconds(0), milliseconds(1000), d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, Kind::kStarted);
  EXPECT_EQ(d[0].vector_id, "warmup");
  EXPECT_EQ(s.phase, AlvState::Phase::kRunning);
  EXPECT_DOUBLE_EQ(s.target, 50.0);  // end of the first tick: half of the 2 s ramp

  s = seq.advance(milliseconds(1000), milliseconds(1000), d);
  EXPECT_DOUBLE_EQ(s.target, 100.0);  // ramp reached by the end of this tick
  s = seq.advance(milliseconds(4999), milliseconds(1000), d);
  EXPECT_DOUBLE_EQ(s.target, 100.0);

  d.clear();
  s = seq.advance(milliseconds(5000), milliseconds(1000), d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, Kind::kCompleted);
  EXPECT_TRUE(d[0].ends_vector);
  EXPECT_EQ(s.phase, AlvState::Phase::kTransition);
  EXPECT_DOUBLE_EQ(s.target, 0.0);

  d.clear();
  s = seq.advance(milliseconds(6000), milliseconds(1000), d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].vector_id, "peak");
  EXPECT_EQ(d[0].at, milliseconds(6000));
  EXPECT_DOUBLE_EQ(s.target, 400.0);

  d.clear();
  s = seq.advance(milliseconds(10000), milliseconds(1000), d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, Kind::kCompleted);
  EXPECT_EQ(s.phase, AlvState::Phase::kDone);
}

TEST(AlvSequencer, SkipsAVectorWhoseErrorRateIsTooHigh) {
  AlvPolicy policy;
  policy.max_error_rate = 0.05;
  policy.min_requests = 20;
  AlvSequencer seq(two_steps(), policy);
  std::vector<AlvDecision> d;
  seq.advance(milliseconds(0), milliseconds(1000), d);
  d.clear();
  seq.observe(10, 5, milliseconds(1000), d);  // too few requests to judge
  EXPECT_TRUE(d.empty());
  seq.observe(30, 0, milliseconds(2000), d);  // 5 / 40 = 12.5 %
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, Kind::kSkipped);
  EXPECT_FALSE(d[0].ends_vector);
  EXPECT_EQ(d[0].reason, "error rate 12.5% > 5.0% after 40 requests");

  d.clear();
  auto s = seq.advance(milliseconds(2000), milliseconds(1000), d);
  ASSERT_EQ(d.size(), 2u);  // warmup ends (skipped) at 2 s, peak starts at once
  EXPECT_EQ(d[0].kind, Kind::kSkipped);
  EXPECT_TRUE(d[0].ends_vector);
  EXPECT_EQ(d[0].at, milliseconds(2000));
  EXPECT_EQ(d[1].kind, Kind::kStarted);
  EXPECT_EQ(d[1].vector_id, "peak");
  EXPECT_EQ(s.index, 1u);
}

TEST(AlvSequencer, ShortensAVectorToAFractionOfItsPlannedTime) {
  AlvPolicy policy;
  policy.max_error_rate = 0.10;
  policy.action = HighErrorAction::kShorten;
  policy.shorten_to = 0.5;
  policy.min_requests = 1;
  AlvSequencer seq({{"soak", milliseconds(0), milliseconds(10000), 50.0}}, policy);
  std::vector<AlvDecision> d;
  seq.advance(milliseconds(0), milliseconds(1000), d);
  d.clear();
  seq.observe(100, 50, milliseconds(1000), d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, Kind::kShortened);
  EXPECT_EQ(d[0].reason, "error rate 50.0% > 10.0% after 100 requests; cut to 5.0 s of 10.0 s");
  d.clear();
  EXPECT_EQ(seq.advance(milliseconds(4999), milliseconds(1000), d).phase,
            AlvState::Phase::kRunning);
  EXPECT_EQ(seq.advance(milliseconds(5000), milliseconds(1000), d).phase, AlvState::Phase::kDone);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, Kind::kShortened);
  EXPECT_TRUE(d[0].ends_vector);
}

TEST(AlvSequencer, NoThresholdMeansNoCut) {
  AlvSequencer seq(two_steps(), AlvPolicy{});
  std::vector<AlvDecision> d;
  seq.advance(milliseconds(0), milliseconds(1000), d);
  d.clear();
  seq.observe(100, 100, milliseconds(1000), d);
  EXPECT_TRUE(d.empty());
}

TEST(AlvSequencer, EmptyProfileIsDoneAtOnce) {
  AlvSequencer seq({}, AlvPolicy{});
  std::vector<AlvDecision> d;
  EXPECT_EQ(seq.advance(milliseconds(0), milliseconds(1000), d).phase, AlvState::Phase::kDone);
  EXPECT_TRUE(d.empty());
}

}  // namespace
}  // namespace lp
