// bench_native_wrk: loadpilot's native engine against wrk, same nginx, same
// connections and threads, maximum throughput (closed model, no think time).
// Prints both, the ratio, and one JSON line last.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loadpilot/native/engine.hpp"
#include "child.hpp"
#include "nginx.hpp"

namespace {

struct Options {
  int duration_s = 10;
  int connections = 64;
  int threads = 1;
  int rounds = 1;
  std::string only;  // "native" or "wrk": run one side (profiling)
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return std::atoi(argv[++i]);
    };
    if (arg == "--duration") {
      o.duration_s = value();
    } else if (arg == "--connections") {
      o.connections = value();
    } else if (arg == "--threads") {
      o.threads = value();
    } else if (arg == "--rounds") {
      o.rounds = value();
    } else if (arg == "--only" && i + 1 < argc) {
      o.only = argv[++i];
    } else {
      throw std::invalid_argument(
          "usage: bench_native_wrk [--duration S] [--connections N] "
          "[--threads T] [--rounds R] [--only native|wrk]");
    }
  }
  if (o.duration_s < 1 || o.connections < 1 || o.threads < 1 || o.rounds < 1) {
    throw std::invalid_argument("all options must be >= 1");
  }
  return o;
}

using lp::bench::cpu_seconds;

// Client CPU per request tells the clients apart even when the shared cores
// make throughput noisy.
void print_cpu(const char* who, double cpu_s, double rps, int duration_s) {
  const double requests = rps * duration_s;
  std::printf("  %s: client CPU %.2f s, %.2f us per request\n", who, cpu_s,
              requests > 0 ? cpu_s / requests * 1e6 : 0.0);
}

double wrk_rps(const std::string& wrk, const std::string& url, const Options& o) {
  const std::string command = wrk + " -t" + std::to_string(o.threads) + " -c" +
                              std::to_string(o.connections) + " -d" + std::to_string(o.duration_s) +
                              "s " + url + " 2>&1";
  const double cpu0 = cpu_seconds(RUSAGE_CHILDREN);  // nginx is not reaped until the end
  const std::string out = lp::bench::run_capture(command);
  const double cpu = cpu_seconds(RUSAGE_CHILDREN) - cpu0;
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    throw std::runtime_error("unexpected wrk output:\n" + out);
  }
  if (std::regex_search(out, m, std::regex(R"((Non-2xx.*|Socket errors.*))"))) {
    std::cout << "  wrk reported: " << m[1] << "\n";
  }
  std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"));
  const double rps = std::stod(m[1]);
  print_cpu("wrk", cpu, rps, o.duration_s);
  return rps;
}

double native_rps(const std::string& url, const Options& o) {
  lp::native::EngineConfig config;
  config.base_url = url;
  config.model = lp::native::LoadModel::kClosed;
  config.io_threads = o.threads;
  config.requests = {lp::native::RequestTemplate{}};
  config.requests[0].name = "ok";
  lp::native::Engine engine(config);
  engine.set_concurrency(o.connections);

  std::vector<lp_sample> batch;
  std::vector<int64_t> latencies;
  uint64_t ok = 0;
  uint64_t failed = 0;
  const auto take = [&] {
    engine.drain(batch);
    for (const auto& s : batch) {
      if (s.outcome == LP_OUTCOME_OK) {
        ++ok;
        latencies.push_back(s.latency_ns);
      } else {
        ++failed;
      }
    }
    batch.clear();
  };
  const double cpu0 = cpu_seconds(RUSAGE_SELF);
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::seconds(o.duration_s);
  engine.start();
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(100), end - std::chrono::steady_clock::now()));
    take();
  }
  engine.stop(std::chrono::nanoseconds(0));
  const double cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  take();

  std::sort(latencies.begin(), latencies.end());
  const auto pct = [&](double q) {
    return latencies.empty() ? 0.0
                             : static_cast<double>(latencies[static_cast<std::size_t>(
                                   q * static_cast<double>(latencies.size() - 1))]) /
                                   1e6;
  };
  std::printf("  native: %llu ok, %llu failed in %.2f s; latency p50 %.3f ms, p99 %.3f ms\n",
              static_cast<unsigned long long>(ok), static_cast<unsigned long long>(failed), elapsed,
              pct(0.5), pct(0.99));
  const double rps = static_cast<double>(ok) / elapsed;
  print_cpu("native", cpu, rps, o.duration_s);
  return rps;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const std::string nginx_bin = lp::bench::find_program("nginx");
    const std::string wrk = lp::bench::find_program("wrk");
    if (nginx_bin.empty() || wrk.empty()) {
      std::cerr << "bench_native_wrk needs nginx and wrk (apt-get install -y nginx wrk)\n";
      return 2;
    }
    lp::bench::Nginx nginx(nginx_bin);
    std::printf(
        "nginx on %s (1 worker); %d connection(s), %d thread(s), %d s, %d round(s); "
        "%u cores\n",
        nginx.url().c_str(), o.connections, o.threads, o.duration_s, o.rounds,
        std::thread::hardware_concurrency());
    std::vector<double> wrk_runs, native_runs;
    for (int r = 0; r < o.rounds; ++r) {
      // Alternate who goes first, so warm-up and drift favour neither.
      for (int k = 0; k < 2; ++k) {
        const bool wrk_turn = (k == 0) == (r % 2 == 0);
        if (!o.only.empty() && o.only != (wrk_turn ? "wrk" : "native")) continue;
        if (wrk_turn) {
          wrk_runs.push_back(wrk_rps(wrk, nginx.url(), o));
          std::printf("round %d wrk:    %.0f req/s\n", r + 1, wrk_runs.back());
        } else {
          native_runs.push_back(native_rps("http://127.0.0.1:" + std::to_string(nginx.port()), o));
          std::printf("round %d native: %.0f req/s\n", r + 1, native_runs.back());
        }
        std::fflush(stdout);
      }
    }
    const double w = wrk_runs.empty() ? 0 : median(wrk_runs);
    const double n = native_runs.empty() ? 0 : median(native_runs);
    const double ratio = w > 0 ? n / w : 0;
    std::printf("wrk    %.0f req/s\nnative %.0f req/s\nratio  %.3f (native / wrk)\n", w, n, ratio);
    std::printf("{\"bench\":\"native_wrk\",\"native_rps\":%.1f,\"wrk_rps\":%.1f,\"ratio\":%.4f}\n",
                n, w, ratio);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_native_wrk: " << e.what() << "\n";
    return 1;
  }
}
