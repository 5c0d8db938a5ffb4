#include "options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <vector>

namespace lp::demo_target {
namespace {

CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return parse_duration(text) ? "" : "not a duration (examples: 200ms, 5s, 30m, 0)";
      },
      "DURATION", "duration");
}

// "host:port" or "[v6-address]:port".
void parse_listen(const std::string& text, Options& out) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw CLI::ValidationError("--listen", "expected HOST:PORT, got '" + text + "'");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port = std::string_view(text).substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    throw CLI::ValidationError("--listen",
                               "port must be 0..65535, got '" + std::string(port) + "'");
  }
  out.listen_host = std::move(host);
  out.listen_port = static_cast<std::uint16_t>(value);
}

// "checkout=3" entries of --route-multiplier.
void apply_multipliers(const std::vector<std::string>& entries, Options& out) {
  for (const auto& entry : entries) {
    const auto eq = entry.find('=');
    const auto route =
        eq == std::string::npos ? std::nullopt : pooled_route_from_label(entry.substr(0, eq));
    double value = -1;
    if (route) {
      const std::string_view number = std::string_view(entry).substr(eq + 1);
      const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
      if (ec != std::errc{} || end != number.data() + number.size()) {
        value = -1;
      }
    }
    if (!route || !(value > 0 && value <= 1000)) {
      throw CLI::ValidationError(
          "--route-multiplier",
          fmt::format("expected ROUTE=FACTOR with ROUTE one of items, item, search, cart, "
                      "checkout, fail and 0 < FACTOR <= 1000, got '{}'",
                      entry));
    }
    out.multipliers[static_cast<std::size_t>(*route)] = value;
  }
}

}  // namespace

std::string_view service_mode_name(ServiceMode mode) {
  return mode == ServiceMode::kCpu ? "cpu" : "sleep";
}

std::variant<Options, int> parse_options(int argc, char** argv) {
  Options opts;
  for (const auto& info : kRoutes) {
    opts.multipliers[static_cast<std::size_t>(info.route)] = info.multiplier;
  }

  CLI::App app{
      "loadpilot-demo-target: an HTTP service with a known capacity.\n"
      "Capacity (req/s on multiplier-1 routes) = workers * 1000 / service-time-ms.",
      "loadpilot-demo-target"};
  std::string listen = "127.0.0.1:18080";
  std::string stall_every = "0", stall_for = "0", max_runtime = "30m";
  std::vector<std::string> multipliers;
  std::string mode = "sleep";

  app.add_option("--listen", listen, "Address to bind, HOST:PORT; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--workers", opts.workers, "Requests served at the same time")
      ->capture_default_str()
      ->check(CLI::Range(1u, 4096u));
  app.add_option("--queue", opts.queue,
                 "Requests that may wait when all workers are busy; beyond that: 503 at once")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}));
  app.add_option("--service-time-ms", opts.service_time_ms,
                 "Base service time per request, in milliseconds (fractions allowed)")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 3600000.0));
  app.add_option("--service-jitter", opts.service_jitter,
                 "Service time is uniform in base * (1 +/- jitter); the mean is unchanged")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--service-mode", mode,
                 "sleep: a busy worker waits on a timer (capacity independent of cores); "
                 "cpu: a busy worker spins (CPU follows load; needs a core per worker)")
      ->capture_default_str()
      ->check(CLI::IsMember({"sleep", "cpu"}));
  app.add_option("--route-multiplier", multipliers,
                 "ROUTE=FACTOR, repeatable: service-time multiplier of a route "
                 "(items, item, search, cart, checkout, fail; default 1, checkout 3)");
  app.add_option("--fail-rate", opts.fail_rate, "Fraction of GET /fail requests answered 500")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", opts.seed, "Seed of the fail and jitter draws")->capture_default_str();
  app.add_option("--stall-every", stall_every,
                 "Freeze all workers periodically, at this period (0: never)")
      ->capture_default_str()
      ->check(duration_validator());
  app.add_option("--stall-for", stall_for, "How long each periodic freeze lasts")
      ->capture_default_str()
      ->check(duration_validator());
  app.add_option("--max-runtime", max_runtime, "Exit by itself after this long (0: never)")
      ->capture_default_str()
      ->check(duration_validator());
  app.add_option("--io-threads", opts.io_threads, "Threads running the network I/O")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));

  try {
    app.parse(argc, argv);
    parse_listen(listen, opts);
    opts.service_mode = mode == "cpu" ? ServiceMode::kCpu : ServiceMode::kSleep;
    apply_multipliers(multipliers, opts);
    opts.stall_every = *parse_duration(stall_every);
    opts.stall_for = *parse_duration(stall_for);
    opts.max_runtime = *parse_duration(max_runtime);
    if ((opts.stall_every > Duration::zero()) != (opts.stall_for > Duration::zero())) {
      throw CLI::ValidationError("--stall-every/--stall-for", "give both or neither");
    }
    if (opts.stall_every > Duration::zero() && opts.stall_for >= opts.stall_every) {
      throw CLI::ValidationError("--stall-for", "must be shorter than --stall-every");
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return opts;
}

}  // namespace lp::demo_target
