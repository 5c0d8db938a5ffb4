// bench_native_rate: how exactly the open model holds an offered rate. For
// each rate, the engine sends to a local nginx for a settle second plus the
// measured window; the achieved rate is the responses that completed inside
// the window divided by its length. Prints a table and one JSON line last.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
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
  int duration_s = 10;
  std::vector<double> rates = {1000, 10000, 50000};
  int connections = 64;
  int threads = 1;
};

Options parse(int argc, char** argv) {
  Options o;
  const std::string usage =
      "usage: bench_native_rate [--duration S] [--rates R1,R2,...] [--connections N] "
      "[--threads T]";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage << "\n";
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument(usage);
    const std::string value = argv[++i];
    if (arg == "--duration") {
      o.duration_s = std::stoi(value);
    } else if (arg == "--connections") {
      o.connections = std::stoi(value);
    } else if (arg == "--threads") {
      o.threads = std::stoi(value);
    } else if (arg == "--rates") {
      o.rates.clear();
      std::stringstream list(value);
      for (std::string r; std::getline(list, r, ',');) o.rates.push_back(std::stod(r));
    } else {
      throw std::invalid_argument(usage);
    }
  }
  if (o.duration_s < 1 || o.connections < 1 || o.threads < 1 || o.rates.empty()) {
    throw std::invalid_argument("duration, connections and threads must be >= 1, rates non-empty");
  }
  return o;
}

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Result {
  double offered = 0;
  double achieved = 0;  // completed in the window / window
  double sent = 0;      // left in the window / window
  double errors = 0;    // non-OK share of the window's completions
  double p99_ms = 0;
  double cpu_per_request_us = 0;
};

Result measure(const std::string& url, double rate, const Options& o) {
  lp::native::EngineConfig config;
  config.base_url = url;
  config.model = lp::native::LoadModel::kOpen;
  config.connections = o.connections;
  config.io_threads = o.threads;
  config.requests = {lp::native::RequestTemplate{}};
  config.requests[0].name = "ok";
  config.seed = 1;
  lp::native::Engine engine(config);
  engine.set_rate(rate);

  const int64_t settle_ns = 1'000'000'000;
  const int64_t window_ns = int64_t{o.duration_s} * 1'000'000'000;
  std::vector<lp_sample> batch;
  uint64_t completed = 0, sent = 0, failed = 0;
  std::vector<int64_t> latencies;
  int64_t begin = 0;
  const auto take = [&] {
    engine.drain(batch);
    for (const auto& s : batch) {
      const int64_t end = s.intended_ns + s.latency_ns;
      if (end >= begin && end < begin + window_ns) {
        ++completed;
        if (s.outcome != LP_OUTCOME_OK) ++failed;
        latencies.push_back(s.latency_ns);
      }
      if (s.start_ns >= begin && s.start_ns < begin + window_ns) ++sent;
    }
    batch.clear();
  };
  engine.start();
  const int64_t started = wall_ns();
  begin = started + settle_ns;
  const double cpu0 = lp::bench::cpu_seconds(RUSAGE_SELF);
  // Runs a second past the window so late responses of its end still count.
  while (wall_ns() < begin + window_ns + settle_ns) {
    std::this_thread::sleep_for(100ms);
    take();
  }
  const double cpu = lp::bench::cpu_seconds(RUSAGE_SELF) - cpu0;
  engine.stop(1s);
  take();
  const std::string error = engine.error();
  if (!error.empty()) throw std::runtime_error("engine failed: " + error);

  Result r;
  r.offered = rate;
  const double window_s = static_cast<double>(window_ns) / 1e9;
  r.achieved = static_cast<double>(completed) / window_s;
  r.sent = static_cast<double>(sent) / window_s;
  r.errors = completed ? static_cast<double>(failed) / static_cast<double>(completed) : 0;
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    r.p99_ms = static_cast<double>(latencies[(latencies.size() - 1) * 99 / 100]) / 1e6;
  }
  const double all = r.achieved * (window_s + 2.0);
  r.cpu_per_request_us = all > 0 ? cpu / all * 1e6 : 0;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const std::string nginx_bin = lp::bench::find_program("nginx");
    if (nginx_bin.empty()) {
      std::cerr << "bench_native_rate needs nginx (scripts/setup installs it)\n";
      return 2;
    }
    lp::bench::Nginx nginx(nginx_bin);
    const std::string url = "http://127.0.0.1:" + std::to_string(nginx.port());
    std::printf(
        "nginx on %s (1 worker); open model, uniform arrivals, %d connection(s), "
        "%d I/O thread(s), %d s window after 1 s settle; %u cores\n",
        url.c_str(), o.connections, o.threads, o.duration_s, std::thread::hardware_concurrency());
    std::printf("%10s %12s %12s %9s %8s %9s %12s\n", "offered", "achieved", "sent", "dev %",
                "errors", "p99 ms", "CPU us/req");
    std::string json = "{\"bench\":\"native_rate\"";
    double worst = 0;
    for (const double rate : o.rates) {
      const Result r = measure(url, rate, o);
      const double dev = (r.achieved - r.offered) / r.offered * 100;
      worst = std::max(worst, std::fabs(dev));
      std::printf("%10.0f %12.1f %12.1f %+9.3f %8.4f %9.3f %12.2f\n", r.offered, r.achieved, r.sent,
                  dev, r.errors, r.p99_ms, r.cpu_per_request_us);
      std::fflush(stdout);
      const std::string key = std::to_string(static_cast<long long>(rate));
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    ",\"achieved_%s\":%.1f,\"deviation_pct_%s\":%.4f,\"errors_%s\":%.5f",
                    key.c_str(), r.achieved, key.c_str(), dev, key.c_str(), r.errors);
      json += buf;
    }
    char tail[96];
    std::snprintf(tail, sizeof tail, ",\"worst_deviation_pct\":%.4f,\"within_1pct\":%s}", worst,
                  worst <= 1.0 ? "true" : "false");
    std::printf("%s%s\n", json.c_str(), tail);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_native_rate: " << e.what() << "\n";
    return 1;
  }
}
