// HdrHistogram::record() throughput on one pinned core, with a latency-like
// distribution generated before timing. Prints a readable line, then a JSON
// line last (what scripts read).
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "loadpilot/host/metrics/hdr_histogram.hpp"

namespace {

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;

// Pins the process to the CPU it runs on now; returns it, or -1.
int pin_to_current_cpu() {
  const int cpu = sched_getcpu();
  if (cpu < 0) {
    return -1;
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

// Microseconds: log-normal body (median 2 ms, sigma 1), and 0.1% of
// timeouts spread over 1..30 s, as a loaded service looks.
std::vector<int64_t> latencies(size_t n) {
  std::mt19937_64 rng(20240601);
  std::lognormal_distribution<double> body(std::log(2000.0), 1.0);
  std::uniform_int_distribution<int64_t> tail(1'000'000, 30'000'000);
  std::uniform_real_distribution<double> pick(0.0, 1.0);
  std::vector<int64_t> values(n);
  for (int64_t& v : values) {
    v = pick(rng) < 0.001 ? tail(rng) : static_cast<int64_t>(body(rng));
    v = std::clamp<int64_t>(v, 0, kHourUs);
  }
  return values;
}

int64_t arg(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) {
      return std::strtoll(argv[i + 1], nullptr, 10);
    }
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t reps = std::max<int64_t>(1, arg(argc, argv, "--reps", 15));
  const int64_t per_rep = std::max<int64_t>(1 << 20, arg(argc, argv, "--values", 1 << 24));
  const int cpu = pin_to_current_cpu();

  // 1 Mi distinct values (8 MiB), replayed until per_rep values are recorded.
  const std::vector<int64_t> values = latencies(size_t{1} << 20);
  lp::HdrHistogram h(1, kHourUs, 3);

  auto run_once = [&]() {
    h.reset();
    int64_t left = per_rep;
    const auto start = std::chrono::steady_clock::now();
    while (left > 0) {
      const auto n =
          static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(values.size())));
      for (size_t i = 0; i < n; ++i) {
        h.record(values[i]);
      }
      left -= static_cast<int64_t>(n);
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return static_cast<double>(per_rep) / took.count();
  };

  run_once();  // warm caches and page in the counts
  std::vector<double> rates;
  for (int64_t r = 0; r < reps; ++r) {
    rates.push_back(run_once());
    if (h.total_count() != per_rep) {  // also keeps the work observable
      std::fprintf(stderr, "hdr_record: recorded %lld of %lld values\n",
                   static_cast<long long>(h.total_count()), static_cast<long long>(per_rep));
      return 1;
    }
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates.size() % 2 == 1
                            ? rates[rates.size() / 2]
                            : (rates[rates.size() / 2 - 1] + rates[rates.size() / 2]) / 2;

  std::printf(
      "hdr_record: record() %.3g values/s median (min %.3g, max %.3g; %.2f ns each) over %lld "
      "reps of %lld values on cpu %d; latency-like values (log-normal, median 2 ms, 0.1%% "
      "1-30 s), histogram 1 us..1 h, 3 digits; p99 of the data %.3f ms\n",
      median, rates.front(), rates.back(), 1e9 / median, static_cast<long long>(reps),
      static_cast<long long>(per_rep), cpu,
      static_cast<double>(h.value_at_percentile(99.0)) / 1000.0);
  std::printf(
      "{\"bench\":\"hdr_record\",\"record_values_per_s\":%.0f,\"min_values_per_s\":%.0f,"
      "\"max_values_per_s\":%.0f,\"ns_per_record\":%.3f,\"reps\":%lld,\"values_per_rep\":%lld,"
      "\"cpu\":%d}\n",
      median, rates.front(), rates.back(), 1e9 / median, static_cast<long long>(reps),
      static_cast<long long>(per_rep), cpu);
  return 0;
}
