// bench_native_co: coordinated omission, measured. The demo target freezes
// every worker for S ms every P ms; requests arrive at a constant rate R. A
// request arriving u ms into a stall waits S - u ms more than usual, so with
// base latency b the true latency is above x (b < x < b + S) with probability
// (S - (x - b)) / P, and the q-quantile is b + S - (1 - q) * P for
// q > 1 - S / P. The native engine's open model measures from each request's
// intended send time and should match. Beside it: the same samples timed
// from when each request actually left (what a tool with coordinated omission
// reports), and wrk's percentiles (a closed loop that corrects its histogram
// after the fact with the mean interval per connection, wrk 4's
// stats_correct). Prints expected vs measured, and one JSON line last.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child.hpp"
#include "loadpilot/native/engine.hpp"
#include "nginx.hpp"

namespace {

using namespace std::chrono_literals;

struct Options {
  int duration_s = 30;
  double rate = 1000;
  double stall_every_ms = 1000;
  double stall_for_ms = 250;
  int connections = 64;
  bool with_wrk = true;
};

Options parse(int argc, char** argv) {
  Options o;
  const std::string usage =
      "usage: bench_native_co [--duration S] [--rate R] [--stall-every MS] [--stall-for MS] "
      "[--connections N] [--no-wrk]";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage << "\n";
      std::exit(0);
    }
    if (arg == "--no-wrk") {
      o.with_wrk = false;
      continue;
    }
    if (i + 1 >= argc) throw std::invalid_argument(usage);
    const std::string value = argv[++i];
    if (arg == "--duration") {
      o.duration_s = std::stoi(value);
    } else if (arg == "--rate") {
      o.rate = std::stod(value);
    } else if (arg == "--stall-every") {
      o.stall_every_ms = std::stod(value);
    } else if (arg == "--stall-for") {
      o.stall_for_ms = std::stod(value);
    } else if (arg == "--connections") {
      o.connections = std::stoi(value);
    } else {
      throw std::invalid_argument(usage);
    }
  }
  if (o.duration_s < 1 || !(o.rate > 0) || !(o.stall_for_ms > 0) ||
      !(o.stall_every_ms > o.stall_for_ms)) {
    throw std::invalid_argument("need duration >= 1, rate > 0, 0 < stall-for < stall-every");
  }
  return o;
}

double quantile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))) - 1;
  return static_cast<double>(sorted[std::min(i, sorted.size() - 1)]) / 1e6;
}

// The q-quantile the stall schedule implies over base latency b (ms).
double expected(double q, double base_ms, const Options& o) {
  const double stalled_share = o.stall_for_ms / o.stall_every_ms;
  if (q <= 1 - stalled_share) return base_ms;
  return base_ms + o.stall_for_ms - (1 - q) * o.stall_every_ms;
}

std::string demo_target_url(lp::bench::Child& target) {
  const std::string banner = target.read_line(10s);
  const auto at = banner.find("listening on ");
  if (at == std::string::npos) throw std::runtime_error("unexpected demo target banner: " + banner);
  const auto url_begin = at + 13;
  return banner.substr(url_begin, banner.find(' ', url_begin) - url_begin);
}

// wrk's own percentiles: closed loop, 8 connections, corrected after the run.
std::vector<double> wrk_percentiles(const std::string& wrk, const std::string& url, int seconds) {
  const std::string out = lp::bench::run_capture(wrk + " -t1 -c8 -d" + std::to_string(seconds) +
                                                 "s --latency " + url + "/api/items/1 2>&1");
  std::vector<double> values;
  for (const char* label : {"50%", "90%", "99%"}) {
    std::smatch m;
    const std::regex line(std::string("\\s") + label + R"(\s+([0-9.]+)(us|ms|s))");
    if (!std::regex_search(out, m, line))
      throw std::runtime_error("unexpected wrk output:\n" + out);
    const double v = std::stod(m[1]);
    values.push_back(m[2] == "us" ? v / 1000 : m[2] == "s" ? v * 1000 : v);
  }
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const auto ms = [](double v) { return std::to_string(static_cast<long long>(v)) + "ms"; };
    // Capacity far above the offered rate (64 workers x 1 ms), a queue that
    // holds a whole stall's arrivals: the stalls are the only delay.
    lp::bench::Child target({LOADPILOT_DEMO_TARGET_BINARY, "--listen", "127.0.0.1:0", "--workers",
                             "64", "--service-time-ms", "1", "--queue", "100000", "--stall-every",
                             ms(o.stall_every_ms), "--stall-for", ms(o.stall_for_ms),
                             "--max-runtime", "10m"});
    const std::string url = demo_target_url(target);
    std::printf(
        "demo target %s: 64 workers x 1 ms, stalls %.0f ms every %.0f ms; open model %.0f "
        "req/s, %d connections, %d s\n",
        url.c_str(), o.stall_for_ms, o.stall_every_ms, o.rate, o.connections, o.duration_s);
    std::fflush(stdout);

    lp::native::EngineConfig config;
    config.base_url = url;
    config.model = lp::native::LoadModel::kOpen;
    config.connections = o.connections;
    config.requests = {lp::native::RequestTemplate{}};
    config.requests[0].name = "item";
    config.requests[0].target = "/api/items/1";
    config.seed = 1;
    lp::native::Engine engine(config);
    engine.set_rate(o.rate);
    std::vector<lp_sample> batch;
    std::vector<int64_t> from_intended, from_sent;
    uint64_t failed = 0;
    engine.start();
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(o.duration_s);
    while (std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(200ms);
      engine.drain(batch);
    }
    engine.set_rate(0);
    engine.stop(3s);
    engine.drain(batch);
    for (const auto& s : batch) {
      if (s.outcome != LP_OUTCOME_OK) {
        ++failed;
        continue;
      }
      from_intended.push_back(s.latency_ns);
      from_sent.push_back(s.latency_ns - (s.start_ns - s.intended_ns));
    }
    if (from_intended.size() < 1000) throw std::runtime_error("too few successful samples");
    std::sort(from_intended.begin(), from_intended.end());
    std::sort(from_sent.begin(), from_sent.end());

    // The base latency: the median, below the stalled share.
    const double base = quantile(from_intended, 0.5 * (1 - o.stall_for_ms / o.stall_every_ms));
    std::vector<double> wrk;
    const std::string wrk_bin = o.with_wrk ? lp::bench::find_program("wrk") : "";
    if (!wrk_bin.empty()) wrk = wrk_percentiles(wrk_bin, url, std::min(o.duration_s, 20));

    std::printf("%llu samples (%llu not OK); base latency %.3f ms\n",
                static_cast<unsigned long long>(from_intended.size()),
                static_cast<unsigned long long>(failed), base);
    std::printf("%8s %12s %14s %10s %16s %12s\n", "", "expected ms", "native (open)", "error %",
                "from send time", "wrk -c8");
    const double qs[] = {0.5, 0.9, 0.99, 0.999};
    double measured[4], expect[4], worst = 0;
    for (int i = 0; i < 4; ++i) {
      expect[i] = expected(qs[i], base, o);
      measured[i] = quantile(from_intended, qs[i]);
      const double err = (measured[i] - expect[i]) / expect[i] * 100;
      if (qs[i] >= 0.9) worst = std::max(worst, std::fabs(err));
      char w[32] = "-";
      if (i < 3 && !wrk.empty()) std::snprintf(w, sizeof w, "%.2f", wrk[i]);
      std::printf("%8s %12.2f %14.2f %+10.2f %16.2f %12s\n",
                  i == 3   ? "p99.9"
                  : i == 2 ? "p99"
                  : i == 1 ? "p90"
                           : "p50",
                  expect[i], measured[i], err, quantile(from_sent, qs[i]), w);
    }
    std::printf(
        "('from send time' is the same run measured as a tool with coordinated omission "
        "would, from when each request actually left)\n");
    std::printf(
        "{\"bench\":\"native_co\",\"expected_p99_ms\":%.3f,\"measured_p99_ms\":%.3f,"
        "\"expected_p999_ms\":%.3f,\"measured_p999_ms\":%.3f,\"worst_error_pct\":%.3f,"
        "\"wrk_p99_ms\":%.3f}\n",
        expect[2], measured[2], expect[3], measured[3], worst, wrk.empty() ? -1.0 : wrk[2]);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_native_co: " << e.what() << "\n";
    return 1;
  }
}
