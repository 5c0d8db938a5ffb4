// One I/O thread: its own io_context, its share of the connections or users,
// its share of the arrival rate, and its own sample buffer. Workers share
// nothing mutable, so the I/O path takes no lock but the sample push.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backlog.hpp"
#include "connection.hpp"
#include "counters.hpp"
#include "mix.hpp"
#include "rng.hpp"
#include "sample_sink.hpp"
#include "schedule.hpp"
#include "shared.hpp"
#include "tls.hpp"

namespace lp::native {

class Worker {
 public:
  // `pool` connections for the open model (the closed model makes one per user).
  Worker(const EngineShared& shared, uint32_t index, uint32_t count, int pool, uint64_t seed);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& io() { return io_; }
  uint32_t index() const { return index_; }
  void launch();  // starts the thread; control posted before runs first
  void join();

  // Run on the I/O thread; the engine posts them.
  void apply_rate(double total_per_s);
  void apply_users(int64_t users);  // this thread's share
  void apply_mix(const std::vector<double>& weights);
  void begin_stop();  // no new requests; those in flight go on
  void shutdown();    // close everything and leave the loop

  // From this worker's connections.
  void on_result(Connection& connection, lp_outcome outcome, int status, uint64_t bytes);
  WorkerCounters& counters() { return counters_; }
  TlsSessionCache& tls_sessions() { return tls_sessions_; }

  // Any thread.
  SampleSink& samples() { return samples_; }
  const WorkerCounters& counters() const { return counters_; }
  bool stop_seen() const { return stop_seen_.load(std::memory_order_acquire); }
  std::string error() const;

 private:
  struct User {
    std::unique_ptr<Connection> connection;
    std::unique_ptr<boost::asio::steady_timer> think;
    uint64_t think_gen = 0;
    bool running = false;  // sending or thinking
  };

  void start_loop();
  void arm_pace();
  void on_pace(uint64_t gen, const boost::system::error_code& ec);
  void dispatch(int64_t intended_ns);
  void send_on(Connection& connection, uint32_t type, int64_t intended_ns, int64_t now_ns);
  void drop(uint32_t type, int64_t intended_ns);
  void record(const lp_sample& sample);
  void user_send(std::size_t user, int64_t intended_ns, int64_t now_ns);
  void user_next(std::size_t user, lp_outcome outcome, uint32_t type);
  void park(User& user);
  int64_t think_ns(uint32_t type);
  void arm_sweep();

  const EngineShared& shared_;
  const uint32_t index_;
  const uint32_t count_;
  const bool open_;

  boost::asio::io_context io_{1};  // one thread per context: Asio can skip some sharing work
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;

  Rng rng_;
  Mix mix_;
  ArrivalSchedule schedule_;
  boost::asio::steady_timer pace_timer_;
  uint64_t pace_gen_ = 0;
  boost::asio::steady_timer sweep_timer_;
  bool stopping_ = false;
  bool shut_ = false;

  // Open model.
  std::vector<std::unique_ptr<Connection>> pool_;
  std::vector<Connection*> free_;  // LIFO keeps hot connections hot
  Backlog backlog_;

  // Closed model.
  std::vector<User> users_;
  int64_t user_target_ = 0;

  TlsSessionCache tls_sessions_;
  SampleSink samples_;
  WorkerCounters counters_;
  std::atomic<bool> stop_seen_{false};
  mutable std::mutex error_mutex_;
  std::string error_;
};

}  // namespace lp::native
