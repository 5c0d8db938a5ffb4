// The capacity model: `workers` servers, a FIFO waiting room of `queue` places, a service time
// per request. Everything the service's true capacity depends on lives here.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "options.hpp"

namespace lp::demo_target {

class WorkerPool {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs on an I/O thread once the request's service has ended; answers the request.
  using Completion = std::function<void()>;

  struct Settings {
    unsigned workers = 1;
    std::size_t queue = 0;
    double service_time_ms = 1.0;
    double jitter = 0.0;
    ServiceMode mode = ServiceMode::kSleep;
    std::uint64_t seed = 1;
  };

  struct Snapshot {
    std::size_t queue_depth = 0;
    unsigned busy_workers = 0;
    bool stalled = false;
    std::uint64_t stalls = 0;
    double stall_seconds = 0;  // scheduled stall time so far, the current stall included
  };

  WorkerPool(boost::asio::io_context& ioc, const Settings& settings);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Admits a request needing `multiplier` times the base service time: it starts on an idle
  // worker or waits in the queue. Returns false (and drops `done`) when every worker is busy
  // and the queue is full: the caller answers 503 at once.
  bool submit(double multiplier, Completion done);

  // Freezes all workers for `d` from now: no request starts or completes until the stall ends
  // (an overlapping stall extends the current one). Arrivals queue meanwhile; beyond the
  // queue they get 503.
  void stall(Clock::duration d);

  // Ends the current stall and refuses new ones, so the queue drains during shutdown.
  void stop_stalls();

  void set_service_time_ms(double ms) { service_time_ms_.store(ms); }
  double service_time_ms() const { return service_time_ms_.load(); }
  unsigned workers() const { return static_cast<unsigned>(slots_.size()); }
  std::size_t queue_capacity() const { return queue_capacity_; }
  double capacity_rps() const { return workers() * 1000.0 / service_time_ms(); }
  Snapshot snapshot() const;

 private:
  struct Job {
    double multiplier;
    Clock::time_point arrival;
    Completion done;
  };
  struct Slot {
    explicit Slot(boost::asio::io_context& ioc) : timer(ioc) {}
    boost::asio::steady_timer timer;
    bool busy = false;
    bool held = false;             // service over, response held by a stall
    std::uint64_t generation = 0;  // tells a stale timer or spin completion from the current
    Clock::time_point free_at{};   // scheduled end of the last service
    Clock::time_point finish{};    // scheduled end of the current service
    Clock::duration service{};     // of the current request
    Completion done;
  };

  using Lock = std::unique_lock<std::mutex>;

  // Starts the service of `job` on `slot`: a timer (sleep mode) or a spinning thread (cpu mode).
  void start(Slot& slot, Job job, Clock::time_point now);
  // Makes `slot` busy with `job`; in sleep mode also sets its scheduled finish.
  void assign(Slot& slot, Job job, Clock::time_point now);
  void arm(Slot& slot, Clock::time_point at);
  void on_service_end(Slot& slot, std::uint64_t generation);
  void start_queued(Clock::time_point now);
  void arm_stall_end();
  bool stalled_at(Clock::time_point t) const { return t >= stall_start_ && t < stall_end_; }
  Clock::duration service_for(double multiplier);

  boost::asio::io_context& ioc_;
  const std::size_t queue_capacity_;
  const double jitter_;
  const ServiceMode mode_;
  const std::uint64_t seed_;
  std::atomic<double> service_time_ms_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> idle_;
  std::deque<Job> queue_;
  std::uint64_t jitter_draws_ = 0;
  Clock::time_point stall_start_{}, stall_end_{};
  boost::asio::steady_timer stall_timer_;
  std::uint64_t stalls_ = 0;
  Clock::duration stall_total_{};
  bool stalls_stopped_ = false;
  std::atomic<bool> stopping_{false};                 // ends cpu-mode spins at destruction
  std::optional<boost::asio::thread_pool> spinners_;  // cpu mode only
};

}  // namespace lp::demo_target
