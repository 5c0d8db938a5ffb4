// loadpilot-demo-target: an HTTP service whose maximum sustainable rate follows from its flags.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>

#include "options.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  using lp::demo_target::Options;
  try {
    auto parsed = lp::demo_target::parse_options(argc, argv);
    if (const int* code = std::get_if<int>(&parsed)) {
      return *code;
    }
    const Options& opts = std::get<Options>(parsed);

    // Logging to a pipe whose reader has gone must not kill the service.
    std::signal(SIGPIPE, SIG_IGN);

    lp::demo_target::Server server(opts);
    const auto endpoint = server.listen();
    if (opts.service_mode == lp::demo_target::ServiceMode::kCpu &&
        opts.workers > std::thread::hardware_concurrency()) {
      fmt::print(stderr,
                 "loadpilot-demo-target: warning: {} cpu-mode workers on {} cores: the stated "
                 "capacity assumes a core per worker\n",
                 opts.workers, std::thread::hardware_concurrency());
    }
    const auto address = endpoint.address();
    // The first stdout line is the readiness signal: tests and the host parse the URL from it.
    fmt::print(
        "loadpilot-demo-target listening on http://{}:{} capacity {} req/s "
        "(workers {} * 1000 / service time {} ms; queue {}; mode {})\n",
        address.is_v6() ? "[" + address.to_string() + "]" : address.to_string(), endpoint.port(),
        opts.capacity_rps(), opts.workers, opts.service_time_ms, opts.queue,
        lp::demo_target::service_mode_name(opts.service_mode));
    std::fflush(stdout);
    return server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadpilot-demo-target: %s\n", e.what());
    return 1;
  }
}
