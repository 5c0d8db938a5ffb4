#include "loadpilot/host/metrics/tick_window.hpp"

#include <cstring>
#include <stdexcept>
#include <utility>

namespace lp {
namespace {

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;

// Nearest microsecond; negative latencies map to -1 so the histogram refuses
// them rather than hiding them in the 0 bucket.
int64_t to_us(int64_t ns) {
  if (ns < 0) {
    return -1;
  }
  return ns / 1000 + (ns % 1000 >= 500 ? 1 : 0);
}

size_t outcome_index(lp_outcome outcome) {
  if (outcome < 0 || static_cast<size_t>(outcome) >= kOutcomeCount) {
    return LP_OUTCOME_OTHER_ERROR;
  }
  return static_cast<size_t>(outcome);
}

double us_to_ms(int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

RequestSummary summarize(std::string name, const RequestStats& stats, int64_t duration_ns) {
  RequestSummary s;
  s.name = std::move(name);
  s.count = stats.count;
  s.errors = stats.count - stats.outcomes[LP_OUTCOME_OK];
  s.error_rate =
      stats.count == 0 ? 0.0 : static_cast<double>(s.errors) / static_cast<double>(stats.count);
  s.rate_per_s = duration_ns <= 0
                     ? 0.0
                     : static_cast<double>(stats.count) * 1e9 / static_cast<double>(duration_ns);
  const HdrHistogram& h = stats.latency_us;
  s.p50_ms = us_to_ms(h.value_at_percentile(50.0));
  s.p90_ms = us_to_ms(h.value_at_percentile(90.0));
  s.p99_ms = us_to_ms(h.value_at_percentile(99.0));
  s.p999_ms = us_to_ms(h.value_at_percentile(99.9));
  s.max_ms = us_to_ms(h.max());
  s.mean_ms = h.mean() / 1000.0;
  s.outcomes = stats.outcomes;
  s.status_codes = stats.status_codes;
  s.bytes = stats.bytes;
  s.latency_out_of_range = h.out_of_range_count();
  return s;
}

WindowSummary summarize_all(const std::vector<std::string>& names,
                            const std::vector<RequestStats>& types, const RequestStats& all,
                            int64_t unknown_type_samples, int64_t duration_ns) {
  WindowSummary w;
  w.duration_s = static_cast<double>(duration_ns) / 1e9;
  w.types.reserve(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    w.types.push_back(summarize(names[i], types[i], duration_ns));
  }
  w.all = summarize("all", all, duration_ns);
  w.unknown_type_samples = unknown_type_samples;
  return w;
}

}  // namespace

HdrHistogram make_latency_histogram() {
  return HdrHistogram(1, kHourUs, 3);
}

// ------------------------------------------------------------ RequestStats

void RequestStats::add(const lp_sample& sample) {
  ++count;
  ++outcomes[outcome_index(sample.outcome)];
  ++status_codes[sample.status_code];
  bytes += sample.bytes_received;
  latency_us.record(to_us(sample.latency_ns));
}

void RequestStats::merge(const RequestStats& other) {
  count += other.count;
  for (size_t i = 0; i < kOutcomeCount; ++i) {
    outcomes[i] += other.outcomes[i];
  }
  for (const auto& [code, n] : other.status_codes) {
    status_codes[code] += n;
  }
  bytes += other.bytes;
  latency_us.merge(other.latency_us);
}

void RequestStats::reset() {
  count = 0;
  outcomes = {};
  status_codes.clear();
  bytes = 0;
  latency_us.reset();
}

// -------------------------------------------------------------- TickWindow

TickWindow::TickWindow(std::vector<std::string> type_names, int64_t start_ns, int64_t duration_ns)
    : names_(std::move(type_names)),
      types_(names_.size()),
      start_ns_(start_ns),
      duration_ns_(duration_ns) {
  if (duration_ns <= 0) {
    throw std::invalid_argument("TickWindow: duration_ns must be > 0");
  }
}

void TickWindow::add(const lp_sample& sample) {
  if (sample.request_type < types_.size()) {
    types_[sample.request_type].add(sample);
  } else {
    ++unknown_type_samples_;
  }
  all_.add(sample);
}

void TickWindow::add(const lp_sample_batch& batch) {
  // Records may be longer than the lp_sample we know (appended members), never
  // shorter (the ABI's minimum stride); copy the known prefix of each.
  if (batch.count == 0) {
    return;
  }
  if (batch.stride < sizeof(lp_sample) || batch.samples == nullptr) {
    throw std::invalid_argument("TickWindow: sample batch stride below sizeof(lp_sample)");
  }
  const auto* base = static_cast<const unsigned char*>(batch.samples);
  for (size_t i = 0; i < batch.count; ++i) {
    lp_sample sample;
    std::memcpy(&sample, base + i * batch.stride, sizeof sample);
    add(sample);
  }
}

void TickWindow::restart(int64_t start_ns, int64_t duration_ns) {
  if (duration_ns > 0) duration_ns_ = duration_ns;
  for (RequestStats& t : types_) {
    t.reset();
  }
  all_.reset();
  unknown_type_samples_ = 0;
  start_ns_ = start_ns;
}

WindowSummary TickWindow::summary() const {
  return summarize_all(names_, types_, all_, unknown_type_samples_, duration_ns_);
}

// ---------------------------------------------------------- RunAccumulator

RunAccumulator::RunAccumulator(std::vector<std::string> type_names)
    : names_(std::move(type_names)), types_(names_.size()) {}

void RunAccumulator::add(const TickWindow& window) {
  const std::vector<std::string>& names = window.type_names();
  for (size_t i = names_.size(); i < names.size(); ++i) {
    names_.push_back(names[i]);
    types_.emplace_back();
  }
  for (size_t i = 0; i < window.types().size(); ++i) {
    types_[i].merge(window.types()[i]);
  }
  all_.merge(window.all());
  unknown_type_samples_ += window.unknown_type_samples();
  duration_ns_ += window.duration_ns();
  ++window_count_;
}

WindowSummary RunAccumulator::summary() const {
  return summarize_all(names_, types_, all_, unknown_type_samples_, duration_ns_);
}

}  // namespace lp
