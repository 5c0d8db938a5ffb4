#include "worker.hpp"

#include <algorithm>
#include <exception>

#include "clock.hpp"

namespace lp::native {
namespace asio = boost::asio;
namespace {

constexpr int kMaxBurst = 4096;           // arrivals handed out per timer wake before yielding
constexpr int64_t kSweepNs = 10'000'000;  // deadline check period

std::size_t share(std::size_t total, uint32_t index, uint32_t count) {
  return total / count + (index < total % count ? 1 : 0);
}

}  // namespace

Worker::Worker(const EngineShared& shared, uint32_t index, uint32_t count, int pool, uint64_t seed)
    : shared_(shared),
      index_(index),
      count_(count),
      open_(shared.config.model == LoadModel::kOpen),
      work_(io_.get_executor()),
      rng_(seed),
      schedule_(shared.config.arrivals),
      pace_timer_(io_),
      sweep_timer_(io_),
      backlog_(std::max<std::size_t>(1, share(shared.config.max_backlog, index, count))),
      samples_(share(shared.config.max_buffered_samples, index, count)) {
  for (int i = 0; open_ && i < pool; ++i) {
    pool_.push_back(std::make_unique<Connection>(*this, shared_, io_, static_cast<uint32_t>(i)));
  }
  // Reverse, so the LIFO hands out connection 0 first.
  for (auto it = pool_.rbegin(); it != pool_.rend(); ++it) free_.push_back(it->get());
}

Worker::~Worker() {
  join();
}

void Worker::launch() {
  asio::post(io_, [this] { start_loop(); });
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      std::lock_guard lock(error_mutex_);
      error_ = e.what();
    } catch (...) {
      std::lock_guard lock(error_mutex_);
      error_ = "unknown exception on an I/O thread";
    }
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

std::string Worker::error() const {
  std::lock_guard lock(error_mutex_);
  return error_;
}

void Worker::start_loop() {
  if (open_ && shared_.config.preconnect) {
    for (auto& c : pool_) c->preconnect();
  }
  arm_sweep();
}

void Worker::arm_sweep() {
  sweep_timer_.expires_after(std::chrono::nanoseconds(kSweepNs));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shut_) return;
    const int64_t now = steady_ns();
    for (auto& c : pool_) c->check_deadline(now);
    for (auto& u : users_) u.connection->check_deadline(now);
    arm_sweep();
  });
}

// ------------------------------------------------------------------ open model

void Worker::apply_rate(double total_per_s) {
  if (!open_ || stopping_) return;
  const double phase = static_cast<double>(index_) / count_;
  schedule_.set_rate(total_per_s / count_, phase, steady_ns(), rng_);
  ++pace_gen_;  // a wake already queued for the old schedule must not run it too
  if (schedule_.active()) {
    arm_pace();
  } else {
    pace_timer_.cancel();
  }
}

void Worker::arm_pace() {
  pace_timer_.expires_at(steady_point(schedule_.next_ns()));
  pace_timer_.async_wait(
      [this, gen = pace_gen_](const boost::system::error_code& ec) { on_pace(gen, ec); });
}

void Worker::on_pace(uint64_t gen, const boost::system::error_code& ec) {
  if (ec || gen != pace_gen_ || stopping_ || !schedule_.active()) return;
  const int64_t now = steady_ns();
  // Every arrival whose time has come goes out with that time as its
  // intended_ns, however late the loop woke.
  for (int i = 0; i < kMaxBurst && schedule_.next_ns() <= now; ++i) {
    dispatch(schedule_.next_ns());
    schedule_.advance(rng_);
  }
  arm_pace();
}

void Worker::dispatch(int64_t intended_ns) {
  const auto type = static_cast<uint32_t>(mix_.pick(rng_));
  if (!free_.empty()) {
    Connection* c = free_.back();
    free_.pop_back();
    send_on(*c, type, intended_ns, steady_ns());
  } else if (!backlog_.full()) {
    backlog_.push({intended_ns, type});
    set(counters_.backlog, backlog_.size());
  } else {
    drop(type, intended_ns);
  }
}

void Worker::send_on(Connection& connection, uint32_t type, int64_t intended_ns, int64_t now_ns) {
  bump(counters_.sent);
  bump(counters_.in_flight);
  connection.send(type, intended_ns, now_ns);
}

void Worker::drop(uint32_t type, int64_t intended_ns) {
  bump(counters_.dropped_backlog);
  lp_sample s{};
  s.intended_ns = intended_ns + shared_.wall_offset_ns;
  s.start_ns = s.intended_ns;  // never left
  s.request_type = type;
  s.outcome = LP_OUTCOME_OTHER_ERROR;
  s.generator = shared_.config.generator;
  record(s);
}

// ---------------------------------------------------------------- results

void Worker::record(const lp_sample& sample) {
  bump(counters_.completed);
  samples_.push(sample);
}

void Worker::on_result(Connection& connection, lp_outcome outcome, int status, uint64_t bytes) {
  const int64_t end = steady_ns();
  lp_sample s{};
  s.intended_ns = connection.intended_ns() + shared_.wall_offset_ns;
  s.start_ns = connection.start_ns() + shared_.wall_offset_ns;
  s.latency_ns = end - connection.intended_ns();
  s.service_ns = end - connection.start_ns();
  s.bytes_received = bytes;
  s.request_type = connection.type();
  s.outcome = outcome;
  s.status_code = status;
  s.generator = shared_.config.generator;
  record(s);
  bump(counters_.in_flight, -1);

  if (!open_) {
    user_next(connection.slot(), outcome, connection.type());
    return;
  }
  if (!stopping_ && !backlog_.empty()) {
    const PendingRequest next = backlog_.pop();
    set(counters_.backlog, backlog_.size());
    send_on(connection, next.type, next.intended_ns, end);
  } else {
    free_.push_back(&connection);
  }
}

// ------------------------------------------------------------ closed model

void Worker::apply_users(int64_t users) {
  if (open_ || stopping_) return;
  user_target_ = users;
  while (static_cast<int64_t>(users_.size()) < users) {
    User u;
    u.connection =
        std::make_unique<Connection>(*this, shared_, io_, static_cast<uint32_t>(users_.size()));
    u.think = std::make_unique<asio::steady_timer>(io_);
    users_.push_back(std::move(u));
  }
  const int64_t now = steady_ns();
  for (std::size_t i = 0; i < users_.size(); ++i) {
    User& u = users_[i];
    if (static_cast<int64_t>(i) < users) {
      if (!u.running) {
        u.running = true;
        bump(counters_.active_users);
        user_send(i, now, now);
      }
    } else if (u.running && !u.connection->in_request()) {
      park(u);  // thinking: stop now; one in flight stops when it ends
    }
  }
}

void Worker::park(User& user) {
  ++user.think_gen;
  user.think->cancel();
  user.running = false;
  bump(counters_.active_users, -1);
}

void Worker::user_send(std::size_t user, int64_t intended_ns, int64_t now_ns) {
  send_on(*users_[user].connection, static_cast<uint32_t>(mix_.pick(rng_)), intended_ns, now_ns);
}

int64_t Worker::think_ns(uint32_t type) {
  const ThinkTime& t = shared_.config.requests[type].think;
  const int64_t lo = t.min.count();
  const int64_t hi = t.max.count();
  if (hi <= lo) return lo;
  return lo + static_cast<int64_t>(rng_.uniform() * static_cast<double>(hi - lo));
}

void Worker::user_next(std::size_t index, lp_outcome outcome, uint32_t type) {
  User& u = users_[index];
  if (stopping_ || static_cast<int64_t>(index) >= user_target_) {
    park(u);
    return;
  }
  int64_t pause = think_ns(type);
  if (outcome == LP_OUTCOME_CONNECT_ERROR) {
    pause = std::max<int64_t>(pause, shared_.config.connect_error_backoff.count());
  }
  const int64_t now = steady_ns();
  if (pause <= 0) {
    user_send(index, now, now);
    return;
  }
  // The next request is meant to leave when the pause ends; a late wake
  // counts against latency, as in the open model.
  const int64_t at = now + pause;
  u.think->expires_at(steady_point(at));
  u.think->async_wait([this, index, gen = ++u.think_gen, at](const boost::system::error_code& ec) {
    if (ec || gen != users_[index].think_gen) return;
    user_send(index, at, steady_ns());
  });
}

// -------------------------------------------------------------------- mix, stop

void Worker::apply_mix(const std::vector<double>& weights) {
  mix_.set(weights);
}

void Worker::begin_stop() {
  stopping_ = true;
  ++pace_gen_;
  pace_timer_.cancel();
  bump(counters_.cancelled_at_stop, backlog_.size());
  backlog_.clear();
  set(counters_.backlog, 0);
  for (auto& u : users_) {
    if (u.running && !u.connection->in_request()) park(u);
  }
  stop_seen_.store(true, std::memory_order_release);
}

void Worker::shutdown() {
  stopping_ = true;
  shut_ = true;
  stop_seen_.store(true, std::memory_order_release);
  const auto close = [this](Connection& c) {
    if (c.in_request()) {
      bump(counters_.aborted_at_stop);
      bump(counters_.in_flight, -1);
    }
    c.abort();
  };
  for (auto& c : pool_) close(*c);
  for (auto& u : users_) {
    close(*u.connection);
    if (u.running) park(u);
  }
  backlog_.clear();
  set(counters_.backlog, 0);
  pace_timer_.cancel();
  sweep_timer_.cancel();
  work_.reset();
  io_.stop();
}

}  // namespace lp::native
