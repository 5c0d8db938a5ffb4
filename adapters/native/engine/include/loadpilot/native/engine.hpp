// loadpilot's own HTTP/1.1 load engine. Its controls map onto lp_tool_ops:
// start, set_rate / set_concurrency / set_mix (set_target), drain (poll) and
// stop. Asio stays behind the pimpl so plugin code needs only this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "loadpilot/abi.h"
#include "loadpilot/native/engine_config.hpp"
#include "loadpilot/native/request_builder.hpp"

namespace lp::native {

struct EngineStats {
  uint64_t sent = 0;       // requests handed to a connection
  uint64_t completed = 0;  // samples produced (any outcome)
  uint64_t connects = 0;   // TCP (and TLS) connections established
  uint64_t connect_errors = 0;
  uint64_t timeouts = 0;
  uint64_t retries = 0;            // resent once on a fresh connection after a stale keep-alive
  uint64_t dropped_backlog = 0;    // open model: scheduled while the backlog was full
  uint64_t hook_errors = 0;        // a hook threw: request hook -> sample is OTHER_ERROR; response hook -> counted only
  uint64_t samples_lost = 0;       // produced while max_buffered_samples were waiting
  uint64_t cancelled_at_stop = 0;  // scheduled but never sent when stop() came
  uint64_t aborted_at_stop = 0;    // still in flight when the grace ran out
  int64_t in_flight = 0;
  int64_t backlog = 0;       // open model: waiting for a connection now
  int64_t active_users = 0;  // closed model: users sending or thinking now
};

class Engine {
 public:
  // Checks the config; throws std::invalid_argument naming the bad field.
  explicit Engine(EngineConfig config);
  ~Engine();  // stops with no grace if still running
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineConfig& config() const;
  std::size_t request_type_count() const;

  // Resolves the target and starts the I/O threads with the rate, users and
  // mix set so far. Throws std::runtime_error (e.g. unknown host); once only.
  void start();

  // Callable from any thread, before or during the run; a running engine
  // applies them at once on its I/O threads.
  // Open model (the closed model keeps it for status only); <= 0 pauses arrivals.
  void set_rate(double per_s);
  // Closed model (the open model keeps it for status only); clamped to
  // [0, max_concurrency]. Extra users finish the request they have in flight.
  void set_concurrency(int64_t users);
  // One weight per request type, >= 0, not all zero; else std::invalid_argument.
  void set_mix(std::span<const double> weights);

  // Stops sending, waits up to `grace` for requests in flight, then closes
  // everything and joins the threads. Samples stay available to drain().
  void stop(std::chrono::nanoseconds grace);

  // Appends the samples completed since the last drain; returns how many.
  // Thread-safe; the I/O threads only ever wait for a buffer swap.
  std::size_t drain(std::vector<lp_sample>& out);

  EngineStats stats() const;
  bool running() const;
  // Why an I/O thread died, if one did (the tool then reports FAILED).
  std::string error() const;
  double rate() const;
  int64_t concurrency() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lp::native
