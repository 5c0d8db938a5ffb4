// Control latency of the jmeter tool: the plugin (loaded through its C ABI,
// as the host does) runs samples/suites/items.jmx in JMeter embedded in this
// process, open model, against the demo target; every few seconds it gets a
// new target rate. For each step: the time from set_target to the achieved
// rate (samples that started in a trailing window) being within 10 % of the
// target. p50 / p95 over the steps; the last line is JSON.
//   bench_jmeter_control [--steps N] [--hold S] [--window S]
#include <dlfcn.h>
#include <loadpilot/abi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void log_fn(void*, lp_log_level level, lp_str m) {
  if (level >= LP_LOG_WARN) std::fprintf(stderr, "plugin: %.*s\n", (int)m.len, m.ptr);
}
std::int64_t mono(void*) {
  return Clock::now().time_since_epoch().count();
}
std::int64_t wall(void*) {
  return wall_ns();
}
void metric(void*, lp_str, double, std::int64_t, const lp_label*, size_t) {}
void report(void*, lp_str m) {
  std::fprintf(stderr, "plugin error: %.*s\n", (int)m.len, m.ptr);
}
void set_error(void* ctx, lp_str m) {
  static_cast<std::string*>(ctx)->assign(m.ptr, m.len);
}

struct Tool {
  const lp_component_factory* f = nullptr;
  const lp_tool_ops* ops = nullptr;
  lp_instance* self = nullptr;
  lp_host_services services{
      sizeof(lp_host_services), nullptr, &log_fn, &mono, &wall, &metric, &report};
  std::string error;
  lp_error err{&error, &set_error};
  std::vector<lp_sample> samples;

  void check(lp_status s, const char* what) {
    if (s != LP_OK) throw std::runtime_error(std::string(what) + ": " + error);
  }
  void set_rate(double r, bool first) {
    lp_tool_target t{sizeof(lp_tool_target), r, -1, -1, nullptr, 0};
    check(first ? ops->start(self, &t, &err) : ops->set_target(self, &t, &err), "set_target");
  }
  void poll() {
    lp_sample_batch b{sizeof(lp_sample_batch), nullptr, 0, 0};
    lp_tool_status st{sizeof(lp_tool_status), 0, 0, 0, {nullptr, 0}};
    check(ops->poll(self, &b, &st, &err), "poll");
    if (st.state == LP_TOOL_FAILED) {
      throw std::runtime_error("tool failed: " + std::string(st.message.ptr, st.message.len));
    }
    const auto* p = static_cast<const unsigned char*>(b.samples);
    for (size_t i = 0; i < b.count; ++i) {
      samples.push_back(*reinterpret_cast<const lp_sample*>(p + i * b.stride));
    }
  }
  double rate(std::int64_t from, std::int64_t to) const {
    const auto n = std::count_if(samples.begin(), samples.end(), [&](const lp_sample& s) {
      return s.start_ns >= from && s.start_ns < to;
    });
    return static_cast<double>(n) * 1e9 / static_cast<double>(to - from);
  }
};

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 20;
  double hold_s = 3.0, window_s = 0.5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--steps")
      steps = std::stoi(argv[i + 1]);
    else if (a == "--hold")
      hold_s = std::stod(argv[i + 1]);
    else if (a == "--window")
      window_s = std::stod(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  try {
    const fs::path build = LOADPILOT_BINARY_DIR;
    lp::bench::Child target({(build / "bin" / "loadpilot-demo-target").string(), "--listen",
                             "127.0.0.1:0", "--workers", "32", "--service-time-ms", "2", "--queue",
                             "512", "--max-runtime", "30m"});
    const std::string line = target.read_line(std::chrono::seconds(10));
    const auto at = line.find("http://");
    const std::string url = line.substr(at, line.find(' ', at) - at);

    void* lib = ::dlopen((build / "plugins" / "tool_jmeter.so").c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) throw std::runtime_error(::dlerror());
    auto describe = reinterpret_cast<lp_plugin_describe_fn>(::dlsym(lib, LP_PLUGIN_ENTRY_SYMBOL));
    const lp_plugin_descriptor* d = describe();
    Tool t;
    t.f = d->factories[0];
    t.ops = static_cast<const lp_tool_ops*>(t.f->ops);
    const std::string config =
        std::string(R"({"base_url":")") + url +
        R"(","model":"open","max_threads":400,"properties":{"threads":4},"suite":")" +
        LOADPILOT_SOURCE_DIR + "/samples/suites/items.jmx\"}";
    t.check(t.f->create(&t.services, {config.data(), config.size()}, &t.self, &t.err), "create");
    t.check(t.ops->prepare(t.self, &t.err), "prepare");

    // Rates between 50 and 400 req/s, every step at least 30 % away from the last.
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> pick(50, 400);
    std::vector<double> rates{100};
    while (static_cast<int>(rates.size()) <= steps) {
      const double r = std::round(pick(rng));
      if (std::abs(r - rates.back()) >= 0.3 * rates.back()) rates.push_back(r);
    }
    std::vector<std::int64_t> at_ns;
    for (std::size_t i = 0; i < rates.size(); ++i) {
      t.set_rate(rates[i], i == 0);
      at_ns.push_back(wall_ns());
      const auto end = Clock::now() + std::chrono::duration<double>(i == 0 ? 4.0 : hold_s);
      while (Clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        t.poll();
      }
    }
    t.check(t.ops->stop(t.self, 2'000'000'000, &t.err), "stop");
    t.poll();
    const std::int64_t end_ns = wall_ns();

    const auto window = static_cast<std::int64_t>(window_s * 1e9);
    std::vector<double> settle;
    std::printf("step  from -> to samples/s   within 10%% after (s)   steady samples/s\n");
    for (std::size_t i = 1; i < rates.size(); ++i) {
      const std::int64_t until = i + 1 < rates.size() ? at_ns[i + 1] : end_ns;
      double s = -1;
      for (std::int64_t e = at_ns[i] + 10'000'000; e <= until; e += 10'000'000) {
        if (std::abs(t.rate(e - window, e) - rates[i]) <= 0.1 * rates[i]) {
          s = static_cast<double>(e - at_ns[i]) / 1e9;
          break;
        }
      }
      const double steady = t.rate(until - 1'500'000'000, until - 500'000'000);
      std::printf("%4zu  %4.0f -> %4.0f        %6.2f                %7.1f\n", i, rates[i - 1],
                  rates[i], s, steady);
      settle.push_back(s < 0 ? hold_s : s);  // never within the hold: counted as the hold
    }
    const double p50 = percentile(settle, 0.5), p95 = percentile(settle, 0.95);
    std::printf(
        "\ncontrol latency over %zu steps (trailing window %.2f s): p50 %.2f s, p95 %.2f s "
        "(goal p95 <= 2 s); samples %zu\n",
        settle.size(), window_s, p50, p95, t.samples.size());
    std::printf(
        "{\"bench\":\"jmeter_control\",\"steps\":%zu,\"window_s\":%.2f,\"control_p50_s\":%.3f,"
        "\"control_p95_s\":%.3f}\n",
        settle.size(), window_s, p50, p95);
    t.f->destroy(t.self);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_jmeter_control: %s\n", e.what());
    return 1;
  }
}
