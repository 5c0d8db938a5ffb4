// A High Dynamic Range histogram (Gil Tene's HdrHistogram) with exactly the
// bucket layout of HdrHistogram_c and Java's AbstractHistogram, so counts,
// percentiles and the V2 compressed encoding (the strings in .hlog files)
// interoperate with their tools. Not thread-safe: one writer at a time.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace lp {

class HdrHistogram {
 public:
  // Values in [0, highest_trackable_value] can be recorded; values below
  // lowest_discernible_value share one bucket with 0. significant_figures is
  // 1..5. Throws std::invalid_argument on a bad layout (the same checks as
  // hdr_calculate_bucket_config).
  HdrHistogram(int64_t lowest_discernible_value, int64_t highest_trackable_value,
               int significant_figures);

  // Adds `count` occurrences of `value`. Out of range (negative or above
  // highest_trackable_value): nothing is recorded, out_of_range_count() grows
  // by `count`, and it returns false. Never allocates.
  bool record(int64_t value, int64_t count = 1) noexcept {
    if (static_cast<uint64_t>(value) > static_cast<uint64_t>(highest_trackable_value_))
        [[unlikely]] {
      out_of_range_count_ += count;
      return false;
    }
    counts_[static_cast<size_t>(counts_index(value))] += count;
    total_count_ += count;
    if (value > max_value_) [[unlikely]] {
      max_value_ = value;
    }
    if (value < min_non_zero_value_ && value != 0) [[unlikely]] {
      min_non_zero_value_ = value;
    }
    return true;
  }

  // Coordinated-omission correction (hdr_record_corrected_value): records
  // `value`, then, if it exceeds expected_interval, the samples a stalled
  // fixed-rate client would have taken: value - k*interval down to interval.
  bool record_corrected(int64_t value, int64_t expected_interval) noexcept;

  // Back to empty, including out_of_range_count().
  void reset() noexcept;

  // Adds every count of `other`. With the same bucket layout counts are added
  // index by index; otherwise each bucket is re-recorded at its lowest
  // equivalent value (as hdr_add does). Values that do not fit are dropped and
  // counted in out_of_range_count(), which also takes over other's.
  // Returns how many values were dropped.
  int64_t merge(const HdrHistogram& other) noexcept;

  int64_t total_count() const noexcept { return total_count_; }
  // Values record() refused (and those dropped or refused by merge()).
  int64_t out_of_range_count() const noexcept { return out_of_range_count_; }

  // Lowest / highest equivalent values of the smallest / largest value
  // recorded; 0 when empty.
  int64_t min() const noexcept;
  int64_t max() const noexcept;
  // Over the median equivalent values of the buckets (as hdr_mean and
  // hdr_stddev); 0 when empty.
  double mean() const noexcept;
  double stddev() const noexcept;

  // hdr_value_at_percentile: the highest equivalent value of the first bucket
  // where the cumulative count reaches max(1, (int64)(p/100 * total + 0.5)),
  // p capped at 100; for p == 0 the lowest equivalent value. 0 when empty.
  // (Java's getValueAtPercentile rounds the count up instead of to nearest,
  // so the two differ when the fractional count is below .5.)
  int64_t value_at_percentile(double percentile) const noexcept;

  int64_t count_at_value(int64_t value) const noexcept;

  // Equivalent values share one bucket; these are that bucket's bounds.
  int64_t lowest_equivalent_value(int64_t value) const noexcept;
  int64_t highest_equivalent_value(int64_t value) const noexcept;
  int64_t median_equivalent_value(int64_t value) const noexcept;
  int64_t size_of_equivalent_value_range(int64_t value) const noexcept;
  int64_t next_non_equivalent_value(int64_t value) const noexcept;
  bool equivalent(int64_t a, int64_t b) const noexcept {
    return lowest_equivalent_value(a) == lowest_equivalent_value(b);
  }

  // One non-empty bucket, in ascending order of value.
  struct Bucket {
    int64_t lowest;  // lowest equivalent value
    int64_t highest;
    int64_t count;
  };
  template <typename F>
  void for_each_recorded(F&& f) const {
    for (int32_t i = 0; i < counts_len_; ++i) {
      const int64_t count = counts_[static_cast<size_t>(i)];
      if (count != 0) {
        const int64_t value = value_at_index(i);
        f(Bucket{value, highest_equivalent_value(value), count});
      }
    }
  }

  // HdrHistogram's "V2 compressed" encoding, base64: the histogram column of
  // a .hlog line. Byte-identical to Java's encodeIntoCompressedByteBuffer at
  // the same zlib level for the same counts. The default is the level Java's
  // HistogramLogWriter uses (9); Java's encodeIntoCompressedByteBuffer(buf)
  // and C's hdr_log_write use zlib's default (-1, i.e. 6).
  static constexpr int kHlogCompressionLevel = 9;
  std::string encode_compressed_base64(int compression_level = kHlogCompressionLevel) const;
  // Reads what encode_compressed_base64, Java or C HdrHistogram wrote (V2;
  // also V1 fixed-width counts). Throws std::runtime_error on bad input.
  static HdrHistogram decode_compressed_base64(std::string_view text);

  // Same parameters and same counts (out_of_range_count() is not compared).
  bool operator==(const HdrHistogram& other) const noexcept;

  int64_t lowest_discernible_value() const noexcept { return lowest_discernible_value_; }
  int64_t highest_trackable_value() const noexcept { return highest_trackable_value_; }
  int significant_figures() const noexcept { return significant_figures_; }
  int32_t unit_magnitude() const noexcept { return unit_magnitude_; }
  int32_t sub_bucket_count() const noexcept { return sub_bucket_count_; }
  int32_t bucket_count() const noexcept { return bucket_count_; }
  int32_t counts_len() const noexcept { return counts_len_; }

 private:
  int32_t bucket_index(int64_t value) const noexcept {
    // Powers of two by which value exceeds what fits in bucket 0; the mask
    // sends small values to bucket 0.
    return leading_zero_count_base_ -
           __builtin_clzll(static_cast<uint64_t>(value | sub_bucket_mask_));
  }
  int32_t sub_bucket_index(int64_t value, int32_t bucket) const noexcept {
    return static_cast<int32_t>(value >> (bucket + unit_magnitude_));
  }
  int32_t counts_index(int64_t value) const noexcept {
    const int32_t bucket = bucket_index(value);
    const int32_t sub_bucket = sub_bucket_index(value, bucket);
    // (bucket + 1) * half_count + (sub_bucket - half_count)
    return ((bucket + 1) << sub_bucket_half_count_magnitude_) + sub_bucket - sub_bucket_half_count_;
  }
  int64_t value_at_index(int32_t index) const noexcept;
  void recompute_min_max() noexcept;
  bool same_layout(const HdrHistogram& other) const noexcept {
    return unit_magnitude_ == other.unit_magnitude_ &&
           sub_bucket_half_count_magnitude_ == other.sub_bucket_half_count_magnitude_;
  }

  int64_t lowest_discernible_value_;
  int64_t highest_trackable_value_;
  int significant_figures_;
  int32_t unit_magnitude_ = 0;
  int32_t sub_bucket_half_count_magnitude_ = 0;
  int32_t sub_bucket_half_count_ = 0;
  int32_t sub_bucket_count_ = 0;
  int64_t sub_bucket_mask_ = 0;
  int32_t leading_zero_count_base_ = 0;
  int32_t bucket_count_ = 0;
  int32_t counts_len_ = 0;

  std::vector<int64_t> counts_;
  int64_t total_count_ = 0;
  int64_t out_of_range_count_ = 0;
  // Raw values as recorded, as HdrHistogram keeps them; min()/max() widen
  // them to their bucket bounds.
  int64_t min_non_zero_value_ = std::numeric_limits<int64_t>::max();
  int64_t max_value_ = 0;
};

}  // namespace lp
