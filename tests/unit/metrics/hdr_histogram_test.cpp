// HdrHistogram's layout, recording and queries, against the expectations of
// HdrHistogram_c's hdr_histogram_test.c and Java's HistogramTest.
#include "loadpilot/host/metrics/hdr_histogram.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace lp {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000 * 1000;

// HdrHistogram_c's load_histograms(): 10000 x 1000 then one 100000000,
// raw and corrected for an expected interval of 10000.
struct Classic {
  HdrHistogram raw{1, kHour, 3};
  HdrHistogram cor{1, kHour, 3};
  Classic() {
    for (int i = 0; i < 10000; ++i) {
      raw.record(1000);
      cor.record_corrected(1000, 10000);
    }
    raw.record(100000000);
    cor.record_corrected(100000000, 10000);
  }
};

// Within 0.1%, as hdr_histogram_test.c's compare_percentile.
void expect_near_rel(int64_t actual, double expected) {
  EXPECT_NEAR(static_cast<double>(actual), expected, expected * 0.001) << "expected ~" << expected;
}

TEST(HdrHistogramLayout, MatchesHdrHistogramC) {
  HdrHistogram h(1, kHour, 3);
  EXPECT_EQ(h.counts_len(), 23552);  // test_create
  EXPECT_EQ(h.sub_bucket_count(), 2048);
  EXPECT_EQ(h.bucket_count(), 22);
  EXPECT_EQ(h.unit_magnitude(), 0);

  HdrHistogram scaled(1000, kHour * 512, 3);
  EXPECT_EQ(scaled.unit_magnitude(), 9);
  EXPECT_EQ(scaled.sub_bucket_count(), 2048);

  HdrHistogram two(1, 1000, 2);
  EXPECT_EQ(two.sub_bucket_count(), 256);
  HdrHistogram five(1, 10000000, 5);
  EXPECT_EQ(five.sub_bucket_count(), 262144);
}

TEST(HdrHistogramLayout, RefusesBadParameters) {
  EXPECT_THROW(HdrHistogram(0, 64 * 1024, 2), std::invalid_argument);
  EXPECT_THROW(HdrHistogram(80, 110, 5), std::invalid_argument);  // highest < 2 * lowest
  EXPECT_THROW(HdrHistogram(1, 36000000, 0), std::invalid_argument);
  EXPECT_THROW(HdrHistogram(1, 36000000, 6), std::invalid_argument);
  EXPECT_THROW(HdrHistogram(int64_t{1} << 60, std::numeric_limits<int64_t>::max(), 5),
               std::invalid_argument);  // unit magnitude + sub-bucket bits > 61
  EXPECT_NO_THROW(HdrHistogram(1, std::numeric_limits<int64_t>::max(), 3));
}

TEST(HdrHistogramEquivalence, TopBucketSaturatesAtInt64Max) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  HdrHistogram h(1, kMax, 2);
  EXPECT_TRUE(h.record(kMax));
  EXPECT_EQ(h.max(), kMax);
  EXPECT_EQ(h.highest_equivalent_value(kMax), kMax);
  EXPECT_EQ(h.next_non_equivalent_value(kMax), kMax);
  EXPECT_LT(h.median_equivalent_value(kMax), kMax);
  EXPECT_GT(h.median_equivalent_value(kMax), h.lowest_equivalent_value(kMax));
  EXPECT_EQ(h.value_at_percentile(100.0), kMax);
  EXPECT_GT(h.mean(), 9e18);
}

TEST(HdrHistogramRecord, ClassicRawAndCorrected) {
  Classic c;
  EXPECT_EQ(c.raw.total_count(), 10001);
  EXPECT_EQ(c.cor.total_count(), 20000);
  EXPECT_TRUE(c.raw.equivalent(c.raw.max(), 100000000));
  EXPECT_TRUE(c.cor.equivalent(c.cor.max(), 100000000));
  EXPECT_EQ(c.raw.min(), 1000);
  EXPECT_EQ(c.cor.min(), 1000);

  expect_near_rel(c.raw.value_at_percentile(30.0), 1000.0);
  expect_near_rel(c.raw.value_at_percentile(99.0), 1000.0);
  expect_near_rel(c.raw.value_at_percentile(99.99), 1000.0);
  expect_near_rel(c.raw.value_at_percentile(99.999), 100000000.0);
  expect_near_rel(c.raw.value_at_percentile(100.0), 100000000.0);

  expect_near_rel(c.cor.value_at_percentile(30.0), 1000.0);
  expect_near_rel(c.cor.value_at_percentile(50.0), 1000.0);
  expect_near_rel(c.cor.value_at_percentile(75.0), 50000000.0);
  expect_near_rel(c.cor.value_at_percentile(90.0), 80000000.0);
  expect_near_rel(c.cor.value_at_percentile(99.0), 98000000.0);
  expect_near_rel(c.cor.value_at_percentile(99.999), 100000000.0);
  expect_near_rel(c.cor.value_at_percentile(100.0), 100000000.0);

  // Exact values: the highest equivalent value of the bucket reached.
  EXPECT_EQ(c.raw.value_at_percentile(99.0), 1000);
  EXPECT_EQ(c.raw.value_at_percentile(100.0), c.raw.highest_equivalent_value(100000000));
  EXPECT_EQ(c.raw.value_at_percentile(0.0), 1000);
}

TEST(HdrHistogramRecord, MeanAndStddevAsJava) {
  Classic c;
  const double mean = (10000.0 * 1000 + 100000000.0) / 10001;
  const double stddev = std::sqrt(
      (10000.0 * (1000 - mean) * (1000 - mean) + (100000000 - mean) * (100000000 - mean)) / 10001);
  EXPECT_NEAR(c.raw.mean(), mean, mean * 0.001);
  EXPECT_NEAR(c.raw.stddev(), stddev, stddev * 0.001);
  // Mean of the corrected set: 10000 x 1000, then 10000 .. 100000000 step 10000.
  const double cor_mean = (1000.0 + 50005000.0) / 2;
  EXPECT_NEAR(c.cor.mean(), cor_mean, cor_mean * 0.001);
}

TEST(HdrHistogramRecord, OneToTenThousand) {
  HdrHistogram h(1, kHour, 3);
  for (int64_t v = 1; v <= 10000; ++v) {
    ASSERT_TRUE(h.record(v));
  }
  EXPECT_EQ(h.total_count(), 10000);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 10007);  // 10000's bucket is 10000..10007
  EXPECT_EQ(h.value_at_percentile(0.0), 1);
  EXPECT_EQ(h.value_at_percentile(50.0), 5003);  // count 5000 is reached in 5000..5003
  EXPECT_EQ(h.value_at_percentile(90.0), 9007);
  EXPECT_EQ(h.value_at_percentile(99.0), 9903);
  EXPECT_EQ(h.value_at_percentile(99.9), 9991);
  EXPECT_EQ(h.value_at_percentile(100.0), 10007);
  EXPECT_EQ(h.value_at_percentile(150.0), 10007);  // capped at 100
  EXPECT_NEAR(h.mean(), 5000.5, 5000.5 * 0.001);
}

TEST(HdrHistogramRecord, PercentileRoundsCountToNearestLikeC) {
  // hdr_value_at_percentile rounds the target count to nearest; Java rounds
  // up, so for 1..10 at 21% Java says 3 where C (and we) say 2.
  HdrHistogram h(1, kHour, 3);
  h.record(1);
  h.record(2);
  EXPECT_EQ(h.value_at_percentile(50.0), 1);
  EXPECT_EQ(h.value_at_percentile(75.0), 2);
  h.record(2, 3);
  EXPECT_EQ(h.value_at_percentile(30.0), 2);

  HdrHistogram ten(1, kHour, 3);
  for (int64_t v = 1; v <= 10; ++v) {
    ten.record(v);
  }
  EXPECT_EQ(ten.value_at_percentile(21.0), 2);
  EXPECT_EQ(ten.value_at_percentile(25.0), 3);
}

TEST(HdrHistogramRecord, LargeValuesWithFiveDigits) {
  // test_create_with_large_values
  HdrHistogram h(20000000, 100000000, 5);
  h.record(100000000);
  h.record(20000000);
  h.record(30000000);
  EXPECT_TRUE(h.equivalent(20000000, h.value_at_percentile(50.0)));
  EXPECT_TRUE(h.equivalent(30000000, h.value_at_percentile(83.33)));
  EXPECT_TRUE(h.equivalent(100000000, h.value_at_percentile(83.34)));
  EXPECT_TRUE(h.equivalent(100000000, h.value_at_percentile(99.0)));
}

TEST(HdrHistogramRecord, OutOfRangeIsCountedNotRecorded) {
  HdrHistogram h(1, 1000, 4);
  EXPECT_TRUE(h.record(1000));
  EXPECT_FALSE(h.record(1001));
  EXPECT_FALSE(h.record(-1));
  EXPECT_FALSE(h.record(5000, 3));
  EXPECT_EQ(h.total_count(), 1);
  EXPECT_EQ(h.out_of_range_count(), 5);
  EXPECT_EQ(h.max(), 1000);
  EXPECT_FALSE(h.record_corrected(2000, 100));
  EXPECT_EQ(h.out_of_range_count(), 6);
}

TEST(HdrHistogramRecord, ZeroAndMin) {
  HdrHistogram h(1, kHour, 3);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.value_at_percentile(99.0), 0);
  h.record(5);
  EXPECT_EQ(h.min(), 5);
  h.record(0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.count_at_value(0), 1);
  EXPECT_EQ(h.count_at_value(5), 1);
  EXPECT_EQ(h.count_at_value(kHour + 1), 0);
}

TEST(HdrHistogramRecord, CorrectedRecording) {
  HdrHistogram h(1, kHour, 3);
  EXPECT_TRUE(h.record_corrected(10000, 1000));  // 10000, 9000, ..., 1000
  EXPECT_EQ(h.total_count(), 10);
  for (int64_t v = 1000; v <= 10000; v += 1000) {
    EXPECT_EQ(h.count_at_value(v), 1) << v;
  }
  EXPECT_TRUE(h.record_corrected(500, 1000));  // below the interval: just itself
  EXPECT_TRUE(h.record_corrected(50000, 0));   // no interval: just itself
  EXPECT_EQ(h.total_count(), 12);
}

TEST(HdrHistogramRecord, Reset) {
  Classic c;
  c.raw.record(-5);
  ASSERT_NE(c.raw.value_at_percentile(99.0), 0);
  c.raw.reset();
  EXPECT_EQ(c.raw.total_count(), 0);
  EXPECT_EQ(c.raw.out_of_range_count(), 0);
  EXPECT_EQ(c.raw.value_at_percentile(99.0), 0);
  EXPECT_EQ(c.raw.max(), 0);
  EXPECT_EQ(c.raw.min(), 0);
  EXPECT_TRUE(c.raw == HdrHistogram(1, kHour, 3));
  c.raw.record(7);
  EXPECT_EQ(c.raw.min(), 7);
  EXPECT_EQ(c.raw.max(), 7);
}

TEST(HdrHistogramEquivalence, AsJavaHistogramTest) {
  HdrHistogram h(1, kHour, 3);
  EXPECT_EQ(h.size_of_equivalent_value_range(1), 1);
  EXPECT_EQ(h.size_of_equivalent_value_range(1025), 1);
  EXPECT_EQ(h.size_of_equivalent_value_range(2047), 1);
  EXPECT_EQ(h.size_of_equivalent_value_range(2048), 2);
  EXPECT_EQ(h.size_of_equivalent_value_range(2500), 2);
  EXPECT_EQ(h.size_of_equivalent_value_range(8191), 4);
  EXPECT_EQ(h.size_of_equivalent_value_range(8192), 8);
  EXPECT_EQ(h.size_of_equivalent_value_range(10000), 8);

  EXPECT_EQ(h.lowest_equivalent_value(10007), 10000);
  EXPECT_EQ(h.lowest_equivalent_value(10009), 10008);

  EXPECT_EQ(h.highest_equivalent_value(8180), 8183);
  EXPECT_EQ(h.highest_equivalent_value(8191), 8191);
  EXPECT_EQ(h.highest_equivalent_value(8193), 8199);
  EXPECT_EQ(h.highest_equivalent_value(9995), 9999);
  EXPECT_EQ(h.highest_equivalent_value(10007), 10007);
  EXPECT_EQ(h.highest_equivalent_value(10008), 10015);

  EXPECT_EQ(h.median_equivalent_value(4), 4);
  EXPECT_EQ(h.median_equivalent_value(5), 5);
  EXPECT_EQ(h.median_equivalent_value(4000), 4001);
  EXPECT_EQ(h.median_equivalent_value(8000), 8002);
  EXPECT_EQ(h.median_equivalent_value(10007), 10004);

  EXPECT_EQ(h.next_non_equivalent_value(10000), 10008);
  EXPECT_TRUE(h.equivalent(10000, 10007));
  EXPECT_FALSE(h.equivalent(10007, 10008));
}

TEST(HdrHistogramEquivalence, ScaledAsJavaHistogramTest) {
  HdrHistogram h(1024, kHour, 3);
  EXPECT_EQ(h.size_of_equivalent_value_range(1 * 1024), 1 * 1024);
  EXPECT_EQ(h.size_of_equivalent_value_range(2500 * 1024), 2 * 1024);
  EXPECT_EQ(h.size_of_equivalent_value_range(8191 * 1024), 4 * 1024);
  EXPECT_EQ(h.size_of_equivalent_value_range(8192 * 1024), 8 * 1024);
  EXPECT_EQ(h.size_of_equivalent_value_range(10000 * 1024), 8 * 1024);
  EXPECT_EQ(h.lowest_equivalent_value(10007 * 1024), 10000 * 1024);
  EXPECT_EQ(h.lowest_equivalent_value(10009 * 1024), 10008 * 1024);
  EXPECT_EQ(h.highest_equivalent_value(10007 * 1024), 10007 * 1024 + 1023);
  EXPECT_EQ(h.median_equivalent_value(4 * 1024), 4 * 1024 + 512);
  // Values below the lowest discernible value share bucket 0 with 0.
  EXPECT_TRUE(h.equivalent(0, 1023));
}

TEST(HdrHistogramEquivalence, ScaledHistogramKeepsShape) {
  // test_scaling_equivalence: the classic set, scaled by 512.
  HdrHistogram cor(1, kHour, 3);
  HdrHistogram scaled(1000, kHour * 512, 3);
  for (int i = 0; i < 10000; ++i) {
    cor.record_corrected(1000, 10000);
    scaled.record_corrected(1000 * 512, 10000 * 512);
  }
  cor.record_corrected(100000000, 10000);
  scaled.record_corrected(int64_t{100000000} * 512, 10000 * 512);
  EXPECT_NEAR(cor.mean() * 512, scaled.mean(), scaled.mean() * 0.000001);
  EXPECT_EQ(cor.total_count(), scaled.total_count());
  EXPECT_EQ(cor.lowest_equivalent_value(cor.value_at_percentile(99.0) * 512),
            scaled.lowest_equivalent_value(scaled.value_at_percentile(99.0)));
}

TEST(HdrHistogramIteration, RecordedBuckets) {
  Classic c;
  std::vector<HdrHistogram::Bucket> buckets;
  c.raw.for_each_recorded([&](const HdrHistogram::Bucket& b) { buckets.push_back(b); });
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].lowest, 1000);
  EXPECT_EQ(buckets[0].highest, 1000);
  EXPECT_EQ(buckets[0].count, 10000);
  EXPECT_TRUE(c.raw.equivalent(buckets[1].lowest, 100000000));
  EXPECT_EQ(buckets[1].highest, c.raw.highest_equivalent_value(100000000));
  EXPECT_EQ(buckets[1].count, 1);

  int64_t total = 0;
  c.cor.for_each_recorded([&](const HdrHistogram::Bucket& b) { total += b.count; });
  EXPECT_EQ(total, 20000);
}

TEST(HdrHistogramMerge, SameLayoutAddsCounts) {
  HdrHistogram a(1, kHour, 3);
  HdrHistogram b(1, kHour, 3);
  for (int64_t v = 1; v <= 1000; ++v) {
    a.record(v);
    b.record(v + 1000);
  }
  b.record(-1);
  EXPECT_EQ(a.merge(b), 0);
  EXPECT_EQ(a.total_count(), 2000);
  EXPECT_EQ(a.min(), 1);
  EXPECT_EQ(a.max(), 2000);
  EXPECT_EQ(a.out_of_range_count(), 1);  // taken over from b
  EXPECT_EQ(a.value_at_percentile(50.0), 1000);

  HdrHistogram all(1, kHour, 3);
  for (int64_t v = 1; v <= 2000; ++v) {
    all.record(v);
  }
  EXPECT_TRUE(a == all);
}

TEST(HdrHistogramMerge, SameLayoutSmallerRangeDropsWhatDoesNotFit) {
  HdrHistogram small(1, 100000, 3);
  HdrHistogram big(1, kHour, 3);
  big.record(10, 2);
  big.record(50000);
  big.record(5000000, 3);
  EXPECT_EQ(small.merge(big), 3);
  EXPECT_EQ(small.total_count(), 3);
  EXPECT_EQ(small.out_of_range_count(), 3);
  EXPECT_TRUE(small.equivalent(small.max(), 50000));
  EXPECT_EQ(small.min(), 10);
}

TEST(HdrHistogramMerge, DifferentLayoutReRecords) {
  HdrHistogram us(1, kHour, 3);
  for (int64_t v = 1; v <= 10000; ++v) {
    us.record(v);
  }
  us.record(2 * kHour);  // out of range in both
  HdrHistogram coarse(1000, kHour, 2);
  EXPECT_EQ(coarse.merge(us), 0);
  EXPECT_EQ(coarse.total_count(), 10000);
  EXPECT_EQ(coarse.out_of_range_count(), 1);
  EXPECT_TRUE(coarse.equivalent(coarse.value_at_percentile(50.0), 5000));
  EXPECT_TRUE(coarse.equivalent(coarse.max(), 10000));

  HdrHistogram narrow(1, 5000, 2);
  // us's bucket 5000..5003 is re-recorded at 5000, which fits; above it does not.
  EXPECT_EQ(narrow.merge(us), 10000 - 5003);
  EXPECT_EQ(narrow.total_count(), 5003);
  EXPECT_EQ(narrow.out_of_range_count(), 10000 - 5003 + 1);
}

}  // namespace
}  // namespace lp
