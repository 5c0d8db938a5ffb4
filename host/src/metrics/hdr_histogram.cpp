// Layout math follows hdr_histogram.c (hdr_calculate_bucket_config) and the
// encoding follows AbstractHistogram.encodeIntoCompressedByteBuffer, field by
// field, so our bytes are theirs.
#include "loadpilot/host/metrics/hdr_histogram.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace lp {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// Cookies: bits 4..7 (mask 0xf0) carry a word size and are ignored when
// comparing bases; V2 writers set them to 1 (0x10).
constexpr uint32_t kCookieWordSizeMask = 0xf0;
constexpr uint32_t kV0CompressedCookie = 0x1c849309;
constexpr uint32_t kV1EncodingCookie = 0x1c849301;
constexpr uint32_t kV1CompressedCookie = 0x1c849302;
constexpr uint32_t kV2EncodingCookie = 0x1c849303;
constexpr uint32_t kV2CompressedCookie = 0x1c849304;
constexpr uint32_t kV2WordSizeFlag = 0x10;

// cookie, payload length, normalizing index offset, significant figures,
// lowest, highest, integer-to-double conversion ratio.
constexpr size_t kEncodingHeaderSize = 40;
constexpr size_t kCompressionHeaderSize = 8;
// ZigZag LEB128-64b9B: the ninth byte carries 8 bits.
constexpr int64_t kMaxBytesPerCount = 9;

int32_t buckets_needed_to_cover(int64_t value, int32_t sub_bucket_count, int32_t unit_magnitude) {
  int64_t smallest_untrackable = static_cast<int64_t>(sub_bucket_count) << unit_magnitude;
  int32_t buckets = 1;
  while (smallest_untrackable <= value) {
    if (smallest_untrackable > kInt64Max / 2) {
      return buckets + 1;  // the next shift would overflow: this is the last bucket
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  return buckets;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("HdrHistogram decode: " + what);
}

// ------------------------------------------------------------------ bytes

void put_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void put_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t get_be(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | p[i];
  }
  return v;
}

int32_t get_be32s(const uint8_t* p) {
  return static_cast<int32_t>(static_cast<uint32_t>(get_be(p, 4)));
}

int64_t get_be64s(const uint8_t* p) {
  return static_cast<int64_t>(get_be(p, 8));
}

// ZigZag, then LEB128 with at most 9 bytes (Java's ZigZagEncoding.putLong).
void put_zigzag(std::string& out, int64_t value) {
  uint64_t v = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  for (int i = 0; i < 8; ++i) {
    if ((v >> 7) == 0) {
      out.push_back(static_cast<char>(v));
      return;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads one ZigZag LEB128-64b9B value from [*pos, end); false if truncated.
bool get_zigzag(const uint8_t* data, size_t end, size_t* pos, int64_t* value) {
  uint64_t v = 0;
  bool done = false;
  for (int shift = 0; shift < 56; shift += 7) {
    if (*pos >= end) {
      return false;
    }
    const uint8_t b = data[(*pos)++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      done = true;
      break;
    }
  }
  if (!done) {
    if (*pos >= end) {
      return false;
    }
    v |= static_cast<uint64_t>(data[(*pos)++]) << 56;
  }
  *value = static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  return true;
}

// ----------------------------------------------------------------- base64

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const std::string& in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(kBase64Alphabet[(n >> 6) & 63]);
    out.push_back(kBase64Alphabet[n & 63]);
  }
  const size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16;
    if (rest == 2) {
      n |= static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8;
    }
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard alphabet; padding optional (Java's decoder does not require it).
std::vector<uint8_t> base64_decode(std::string_view in) {
  size_t len = in.size();
  size_t padding = 0;
  while (len > 0 && in[len - 1] == '=' && padding < 2) {
    --len;
    ++padding;
  }
  if (len % 4 == 1 || (padding > 0 && (len + padding) % 4 != 0)) {
    fail(fmt::format("invalid base64: length {} is not a valid encoded length", in.size()));
  }
  std::vector<uint8_t> out;
  out.reserve(len / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    const int d = base64_digit(in[i]);
    if (d < 0) {
      fail(fmt::format("invalid base64 character 0x{:02x} at offset {}",
                       static_cast<unsigned>(static_cast<unsigned char>(in[i])), i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// ------------------------------------------------------------------- zlib

// Inflates a zlib stream piece by piece, so the header can be read before
// knowing how much payload to expect (and a hostile length is refused before
// anything large is allocated).
class Inflater {
 public:
  Inflater(const uint8_t* data, size_t len) {
    if (len > UINT_MAX) {
      fail("compressed payload too large");
    }
    std::memset(&strm_, 0, sizeof strm_);
    if (inflateInit(&strm_) != Z_OK) {
      fail("zlib inflateInit failed");
    }
    strm_.next_in = const_cast<Bytef*>(data);  // zlib's API is not const-correct
    strm_.avail_in = static_cast<uInt>(len);
  }
  ~Inflater() { inflateEnd(&strm_); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Up to n bytes into out; returns how many it produced.
  size_t read(uint8_t* out, size_t n) {
    strm_.next_out = out;
    strm_.avail_out = static_cast<uInt>(n);
    while (strm_.avail_out > 0 && !ended_) {
      const int rc = inflate(&strm_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc == Z_BUF_ERROR) {
        break;  // input exhausted before the stream's end
      } else if (rc != Z_OK) {
        fail(fmt::format("corrupt deflate data ({})", strm_.msg ? strm_.msg : "zlib error"));
      }
    }
    return n - strm_.avail_out;
  }
  bool ended() const { return ended_; }

 private:
  z_stream strm_;
  bool ended_ = false;
};

}  // namespace

// ------------------------------------------------------------------ layout

HdrHistogram::HdrHistogram(int64_t lowest_discernible_value, int64_t highest_trackable_value,
                           int significant_figures)
    : lowest_discernible_value_(lowest_discernible_value),
      highest_trackable_value_(highest_trackable_value),
      significant_figures_(significant_figures) {
  if (lowest_discernible_value < 1) {
    throw std::invalid_argument(fmt::format(
        "HdrHistogram: lowest_discernible_value must be >= 1 (got {})", lowest_discernible_value));
  }
  if (significant_figures < 1 || significant_figures > 5) {
    throw std::invalid_argument(fmt::format(
        "HdrHistogram: significant_figures must be 1..5 (got {})", significant_figures));
  }
  if (lowest_discernible_value > highest_trackable_value / 2) {
    throw std::invalid_argument(
        fmt::format("HdrHistogram: highest_trackable_value ({}) must be >= 2 * "
                    "lowest_discernible_value ({})",
                    highest_trackable_value, lowest_discernible_value));
  }
  // Unit resolution up to 2 * 10^digits, rounded up to a power of two. The
  // double arithmetic is theirs on purpose: the same layout, bit for bit.
  int64_t largest_value_with_single_unit_resolution = 2;
  for (int i = 0; i < significant_figures; ++i) {
    largest_value_with_single_unit_resolution *= 10;
  }
  const auto sub_bucket_count_magnitude = static_cast<int32_t>(std::ceil(
      std::log(static_cast<double>(largest_value_with_single_unit_resolution)) / std::log(2.0)));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  unit_magnitude_ =
      static_cast<int32_t>(std::log(static_cast<double>(lowest_discernible_value)) / std::log(2.0));
  if (unit_magnitude_ + sub_bucket_half_count_magnitude_ > 61) {
    throw std::invalid_argument(
        "HdrHistogram: significant_figures too high for lowest_discernible_value");
  }
  sub_bucket_count_ = int32_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (static_cast<int64_t>(sub_bucket_count_) - 1) << unit_magnitude_;
  leading_zero_count_base_ = 64 - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
  bucket_count_ =
      buckets_needed_to_cover(highest_trackable_value, sub_bucket_count_, unit_magnitude_);
  counts_len_ = (bucket_count_ + 1) * sub_bucket_half_count_;
  counts_.assign(static_cast<size_t>(counts_len_), 0);
}

int64_t HdrHistogram::value_at_index(int32_t index) const noexcept {
  int32_t bucket = (index >> sub_bucket_half_count_magnitude_) - 1;
  int32_t sub_bucket = (index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return static_cast<int64_t>(sub_bucket) << (bucket + unit_magnitude_);
}

int64_t HdrHistogram::lowest_equivalent_value(int64_t value) const noexcept {
  const int32_t bucket = bucket_index(value);
  const int32_t sub_bucket = sub_bucket_index(value, bucket);
  return static_cast<int64_t>(sub_bucket) << (bucket + unit_magnitude_);
}

int64_t HdrHistogram::size_of_equivalent_value_range(int64_t value) const noexcept {
  const int32_t bucket = bucket_index(value);
  const int32_t sub_bucket = sub_bucket_index(value, bucket);
  const int32_t adjusted_bucket = sub_bucket >= sub_bucket_count_ ? bucket + 1 : bucket;
  return int64_t{1} << (unit_magnitude_ + adjusted_bucket);
}

// The top bucket of a histogram reaching INT64_MAX ends at 2^63: sums are
// done unsigned and saturate there (Java's wrap-around gives the same
// highest equivalent value, INT64_MAX).
int64_t HdrHistogram::next_non_equivalent_value(int64_t value) const noexcept {
  const uint64_t next = static_cast<uint64_t>(lowest_equivalent_value(value)) +
                        static_cast<uint64_t>(size_of_equivalent_value_range(value));
  return static_cast<int64_t>(std::min<uint64_t>(next, kInt64Max));
}

int64_t HdrHistogram::highest_equivalent_value(int64_t value) const noexcept {
  const uint64_t highest = static_cast<uint64_t>(lowest_equivalent_value(value)) +
                           static_cast<uint64_t>(size_of_equivalent_value_range(value)) - 1;
  return static_cast<int64_t>(std::min<uint64_t>(highest, kInt64Max));
}

int64_t HdrHistogram::median_equivalent_value(int64_t value) const noexcept {
  const uint64_t median = static_cast<uint64_t>(lowest_equivalent_value(value)) +
                          static_cast<uint64_t>(size_of_equivalent_value_range(value) >> 1);
  return static_cast<int64_t>(std::min<uint64_t>(median, kInt64Max));
}

// --------------------------------------------------------------- recording

bool HdrHistogram::record_corrected(int64_t value, int64_t expected_interval) noexcept {
  if (!record(value)) {
    return false;
  }
  if (expected_interval <= 0 || value <= expected_interval) {
    return true;
  }
  for (int64_t missing = value - expected_interval; missing >= expected_interval;
       missing -= expected_interval) {
    if (!record(missing)) {
      return false;
    }
  }
  return true;
}

void HdrHistogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  out_of_range_count_ = 0;
  min_non_zero_value_ = kInt64Max;
  max_value_ = 0;
}

void HdrHistogram::recompute_min_max() noexcept {
  min_non_zero_value_ = kInt64Max;
  max_value_ = 0;
  int32_t max_index = -1;
  for (int32_t i = 0; i < counts_len_; ++i) {
    if (counts_[static_cast<size_t>(i)] > 0) {
      max_index = i;
      if (i != 0 && min_non_zero_value_ == kInt64Max) {
        min_non_zero_value_ = value_at_index(i);
      }
    }
  }
  if (max_index >= 0) {
    max_value_ = highest_equivalent_value(value_at_index(max_index));
  }
}

int64_t HdrHistogram::merge(const HdrHistogram& other) noexcept {
  const int64_t others_out_of_range = other.out_of_range_count_;
  int64_t dropped = 0;
  if (same_layout(other)) {
    // Index i means the same value range in both: add counts directly.
    const int32_t limit = other.counts_index(other.max_value_) + 1;
    for (int32_t i = 0; i < limit; ++i) {
      const int64_t count = other.counts_[static_cast<size_t>(i)];
      if (count == 0) {
        continue;
      }
      if (i < counts_len_ && value_at_index(i) <= highest_trackable_value_) {
        counts_[static_cast<size_t>(i)] += count;
        total_count_ += count;
      } else {
        dropped += count;
      }
    }
    if (dropped == 0) {
      max_value_ = std::max(max_value_, other.max_value_);
      min_non_zero_value_ = std::min(min_non_zero_value_, other.min_non_zero_value_);
    } else {
      out_of_range_count_ += dropped;
      recompute_min_max();
    }
  } else {
    other.for_each_recorded([&](const Bucket& b) {
      if (!record(b.lowest, b.count)) {
        dropped += b.count;  // record() counted it as out of range
      }
    });
  }
  out_of_range_count_ += others_out_of_range;
  return dropped;
}

// ------------------------------------------------------------------ queries

int64_t HdrHistogram::min() const noexcept {
  if (total_count_ == 0 || counts_[0] > 0) {
    return 0;
  }
  return lowest_equivalent_value(min_non_zero_value_);
}

int64_t HdrHistogram::max() const noexcept {
  return max_value_ == 0 ? 0 : highest_equivalent_value(max_value_);
}

double HdrHistogram::mean() const noexcept {
  if (total_count_ == 0) {
    return 0.0;
  }
  double total = 0.0;
  for_each_recorded([&](const Bucket& b) {
    total += static_cast<double>(b.count) * static_cast<double>(median_equivalent_value(b.lowest));
  });
  return total / static_cast<double>(total_count_);
}

double HdrHistogram::stddev() const noexcept {
  if (total_count_ == 0) {
    return 0.0;
  }
  const double m = mean();
  double total = 0.0;
  for_each_recorded([&](const Bucket& b) {
    const double dev = static_cast<double>(median_equivalent_value(b.lowest)) - m;
    total += dev * dev * static_cast<double>(b.count);
  });
  return std::sqrt(total / static_cast<double>(total_count_));
}

int64_t HdrHistogram::value_at_percentile(double percentile) const noexcept {
  if (total_count_ == 0) {
    return 0;
  }
  const double requested = percentile < 100.0 ? percentile : 100.0;
  auto count_at_percentile =
      static_cast<int64_t>((requested / 100) * static_cast<double>(total_count_) + 0.5);
  count_at_percentile = std::max<int64_t>(count_at_percentile, 1);
  int64_t running = 0;
  for (int32_t i = 0; i < counts_len_; ++i) {
    running += counts_[static_cast<size_t>(i)];
    if (running >= count_at_percentile) {
      const int64_t value = value_at_index(i);
      return percentile == 0.0 ? lowest_equivalent_value(value) : highest_equivalent_value(value);
    }
  }
  return 0;
}

int64_t HdrHistogram::count_at_value(int64_t value) const noexcept {
  if (static_cast<uint64_t>(value) > static_cast<uint64_t>(highest_trackable_value_)) {
    return 0;
  }
  return counts_[static_cast<size_t>(counts_index(value))];
}

bool HdrHistogram::operator==(const HdrHistogram& other) const noexcept {
  return lowest_discernible_value_ == other.lowest_discernible_value_ &&
         highest_trackable_value_ == other.highest_trackable_value_ &&
         significant_figures_ == other.significant_figures_ && total_count_ == other.total_count_ &&
         counts_ == other.counts_;
}

// ----------------------------------------------------------------- encoding

std::string HdrHistogram::encode_compressed_base64(int compression_level) const {
  // Uncompressed V2: header, then counts up to the max value's index, each a
  // ZigZag LEB128 count, a run of k > 1 zeros written as -k (a single zero as
  // 0, as Java does; C writes -1, and both decode alike).
  std::string encoded;
  const int32_t counts_limit = counts_index(max_value_) + 1;
  encoded.reserve(kEncodingHeaderSize + static_cast<size_t>(counts_limit) * 2);
  put_be32(encoded, kV2EncodingCookie | kV2WordSizeFlag);
  put_be32(encoded, 0);  // payload length, patched below
  put_be32(encoded, 0);  // normalizing index offset: we never shift
  put_be32(encoded, static_cast<uint32_t>(significant_figures_));
  put_be64(encoded, static_cast<uint64_t>(lowest_discernible_value_));
  put_be64(encoded, static_cast<uint64_t>(highest_trackable_value_));
  uint64_t ratio_bits = 0;
  const double ratio = 1.0;  // integer-to-double conversion ratio
  std::memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
  put_be64(encoded, ratio_bits);

  for (int32_t i = 0; i < counts_limit;) {
    const int64_t count = counts_[static_cast<size_t>(i++)];
    int64_t zeros = 0;
    if (count == 0) {
      zeros = 1;
      while (i < counts_limit && counts_[static_cast<size_t>(i)] == 0) {
        ++zeros;
        ++i;
      }
    }
    put_zigzag(encoded, zeros > 1 ? -zeros : count);
  }
  const auto payload_len = static_cast<uint32_t>(encoded.size() - kEncodingHeaderSize);
  for (int b = 0; b < 4; ++b) {
    encoded[4 + static_cast<size_t>(b)] = static_cast<char>((payload_len >> (24 - 8 * b)) & 0xff);
  }

  // A zlib stream (header and Adler-32), as java.util.zip.Deflater(level) writes.
  uLongf compressed_len = compressBound(static_cast<uLong>(encoded.size()));
  std::string compressed(kCompressionHeaderSize + compressed_len, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(compressed.data() + kCompressionHeaderSize),
                           &compressed_len, reinterpret_cast<const Bytef*>(encoded.data()),
                           static_cast<uLong>(encoded.size()), compression_level);
  if (rc != Z_OK) {
    throw std::runtime_error(fmt::format("HdrHistogram encode: zlib compress2 failed ({})", rc));
  }
  compressed.resize(kCompressionHeaderSize + compressed_len);
  std::string header;
  put_be32(header, kV2CompressedCookie | kV2WordSizeFlag);
  put_be32(header, static_cast<uint32_t>(compressed_len));
  compressed.replace(0, kCompressionHeaderSize, header);
  return base64_encode(compressed);
}

HdrHistogram HdrHistogram::decode_compressed_base64(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty()) {
    fail("empty input");
  }
  const std::vector<uint8_t> bytes = base64_decode(text);
  if (bytes.size() < kCompressionHeaderSize) {
    fail(fmt::format("{} bytes is too short for a compressed histogram", bytes.size()));
  }

  const auto compression_cookie = static_cast<uint32_t>(get_be(bytes.data(), 4));
  const uint32_t compression_base = compression_cookie & ~kCookieWordSizeMask;
  if (compression_base == kV0CompressedCookie) {
    fail("V0 encoding (HdrHistogram before 2.0) is not supported");
  }
  if (compression_base != kV2CompressedCookie && compression_base != kV1CompressedCookie) {
    fail(fmt::format("not a compressed HdrHistogram (cookie 0x{:08x})", compression_cookie));
  }
  const int32_t compressed_len = get_be32s(bytes.data() + 4);
  if (compressed_len < 0 ||
      static_cast<size_t>(compressed_len) > bytes.size() - kCompressionHeaderSize) {
    fail(fmt::format("compressed length {} does not fit the {} bytes given", compressed_len,
                     bytes.size() - kCompressionHeaderSize));
  }

  Inflater inflater(bytes.data() + kCompressionHeaderSize, static_cast<size_t>(compressed_len));
  std::array<uint8_t, kEncodingHeaderSize> header{};
  if (inflater.read(header.data(), header.size()) != header.size()) {
    fail("truncated encoding header");
  }
  const auto cookie = static_cast<uint32_t>(get_be(header.data(), 4));
  const uint32_t base = cookie & ~kCookieWordSizeMask;
  int word_size = 0;  // 0: V2's variable-length counts
  if (base == kV1EncodingCookie) {
    word_size = static_cast<int>(((cookie & kCookieWordSizeMask) >> 4) & 0xe);
    if (word_size != 2 && word_size != 4 && word_size != 8) {
      fail(fmt::format("V1 encoding with invalid word size {}", word_size));
    }
  } else if (base != kV2EncodingCookie) {
    fail(fmt::format("encoding cookie mismatch (0x{:08x})", cookie));
  }
  const int32_t payload_len = get_be32s(header.data() + 4);
  // Offset 8, the normalizing index offset, is ignored on purpose: Java
  // encodes counts in logical (normalized) order whatever the offset.
  const int32_t significant_figures = get_be32s(header.data() + 12);
  const int64_t lowest = get_be64s(header.data() + 16);
  const int64_t highest = get_be64s(header.data() + 24);

  std::optional<HdrHistogram> built;
  try {
    built.emplace(lowest, highest, significant_figures);
  } catch (const std::invalid_argument& e) {
    fail(fmt::format("bad parameters in header (lowest {}, highest {}, significant figures {}): {}",
                     lowest, highest, significant_figures, e.what()));
  }
  HdrHistogram& h = *built;

  const int64_t max_payload =
      static_cast<int64_t>(h.counts_len_) * (word_size == 0 ? kMaxBytesPerCount : word_size);
  if (payload_len < 0 || payload_len > max_payload) {
    fail(fmt::format("payload length {} is outside 0..{} for this layout", payload_len,
                     max_payload));
  }
  std::vector<uint8_t> payload(static_cast<size_t>(payload_len));
  const size_t got = inflater.read(payload.data(), payload.size());
  if (got != payload.size()) {
    // Old HdrHistogram_c wrote a payload length that included the 40-byte
    // header; accept exactly that from a complete stream (Java refuses it).
    if (!(inflater.ended() && got + kEncodingHeaderSize == payload.size())) {
      fail(fmt::format("truncated payload: header says {} bytes, stream holds {}", payload_len,
                       got));
    }
    payload.resize(got);
  } else {
    // Run the stream to its end so zlib checks its Adler-32; bytes after the
    // payload are ignored, as Java does.
    uint8_t rest = 0;
    inflater.read(&rest, 1);
  }

  int64_t index = 0;
  auto set_count = [&](int64_t count) {
    if (count < 0) {
      fail(fmt::format("negative count {} at index {}", count, index));
    }
    if (count != 0) {
      if (index >= h.counts_len_) {
        fail(fmt::format("count at index {} is beyond the histogram's {} buckets", index,
                         h.counts_len_));
      }
      h.counts_[static_cast<size_t>(index)] = count;
      if (__builtin_add_overflow(h.total_count_, count, &h.total_count_)) {
        fail("total count overflows int64");
      }
    }
    ++index;
  };
  const size_t end = payload.size();
  if (word_size == 0) {
    size_t pos = 0;
    while (pos < end) {
      int64_t value = 0;
      if (!get_zigzag(payload.data(), end, &pos, &value)) {
        fail(fmt::format("truncated count at payload offset {}", pos));
      }
      if (value < 0) {
        // A run of -value zero counts.
        if (value < -static_cast<int64_t>(INT32_MAX)) {
          fail(fmt::format("zero run of {} is too long", -value));
        }
        index -= value;
      } else {
        set_count(value);
      }
    }
  } else {
    const auto width = static_cast<size_t>(word_size);
    for (size_t pos = 0; pos + width <= end; pos += width) {
      const uint64_t raw = get_be(payload.data() + pos, word_size);
      // Sign-extend the big-endian word.
      const int shift = 64 - 8 * word_size;
      set_count(static_cast<int64_t>(raw << shift) >> shift);
    }
  }
  h.recompute_min_max();
  return std::move(*built);
}

}  // namespace lp
