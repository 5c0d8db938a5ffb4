// Command-line options of loadpilot-demo-target.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>

#include "duration.hpp"
#include "route.hpp"

namespace lp::demo_target {

enum class ServiceMode { kSleep, kCpu };

struct Options {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 18080;
  unsigned workers = 8;
  std::size_t queue = 64;
  double service_time_ms = 10.0;
  double service_jitter = 0.0;  // fraction: service time is uniform in base * (1 +/- jitter)
  ServiceMode service_mode = ServiceMode::kSleep;
  std::array<double, kRouteCount> multipliers{};  // per route, from kRoutes and --route-multiplier
  double fail_rate = 0.0;
  std::uint64_t seed = 1;
  Duration stall_every{0};
  Duration stall_for{0};
  Duration max_runtime = std::chrono::minutes(30);
  unsigned io_threads = 1;

  // Requests per second the pool sustains on routes with multiplier 1.
  double capacity_rps() const { return workers * 1000.0 / service_time_ms; }
};

// Parses argv. Returns the options, or the exit code to use after CLI11 has printed the help
// text or the error.
std::variant<Options, int> parse_options(int argc, char** argv);

std::string_view service_mode_name(ServiceMode mode);

}  // namespace lp::demo_target
