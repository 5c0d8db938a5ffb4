#include "worker_pool.hpp"

#include <time.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "deterministic_random.hpp"

namespace lp::demo_target {
namespace net = boost::asio;

namespace {

// Timers wake a little late. A worker's next request starts at the scheduled end of its last
// one, not at the late wake-up, so throughput stays exactly workers / service time. The
// catch-up is bounded so that a long hiccup of the process is not repaid as a burst.
constexpr auto kMaxCatchUp = std::chrono::milliseconds(50);

}  // namespace

WorkerPool::WorkerPool(net::io_context& ioc, const Settings& settings)
    : ioc_(ioc),
      queue_capacity_(settings.queue),
      jitter_(settings.jitter),
      mode_(settings.mode),
      seed_(settings.seed),
      service_time_ms_(settings.service_time_ms),
      stall_timer_(ioc) {
  slots_.reserve(settings.workers);
  for (unsigned i = 0; i < settings.workers; ++i) {
    slots_.push_back(std::make_unique<Slot>(ioc));
    idle_.push_back(slots_.back().get());
  }
  if (mode_ == ServiceMode::kCpu) {
    spinners_.emplace(settings.workers);
  }
}

WorkerPool::~WorkerPool() {
  stopping_.store(true);
  if (spinners_) {
    spinners_->join();
  }
}

bool WorkerPool::submit(double multiplier, Completion done) {
  Lock lock(mu_);
  const auto now = Clock::now();
  // Waiting requests go first: idle workers with a non-empty queue only occur during a stall.
  if (queue_.empty() && !idle_.empty() && !stalled_at(now)) {
    Slot& slot = *idle_.back();
    idle_.pop_back();
    start(slot, Job{multiplier, now, std::move(done)}, now);
    return true;
  }
  if (queue_.size() >= queue_capacity_) {
    return false;
  }
  queue_.push_back(Job{multiplier, now, std::move(done)});
  return true;
}

void WorkerPool::start(Slot& slot, Job job, Clock::time_point now) {
  assign(slot, std::move(job), now);
  if (mode_ == ServiceMode::kSleep) {
    arm(slot, slot.finish);
    return;
  }
  const auto service = slot.service;
  const auto generation = ++slot.generation;
  net::post(*spinners_, [this, &slot, generation, service] {
    // Spin until this thread has used the service time of CPU, as a CPU-bound
    // service does: on a contended core the request takes longer in wall time.
    const auto cpu_now = [] {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
    };
    const auto cpu_end = cpu_now() + service;
    while (cpu_now() < cpu_end && !stopping_.load(std::memory_order_relaxed)) {
    }
    const auto end = Clock::now();
    net::post(ioc_, [this, &slot, generation, end] {
      {
        Lock lock(mu_);
        if (generation != slot.generation) {
          return;
        }
        slot.finish = end;
      }
      on_service_end(slot, generation);
    });
  });
}

void WorkerPool::assign(Slot& slot, Job job, Clock::time_point now) {
  slot.busy = true;
  slot.held = false;
  slot.done = std::move(job.done);
  slot.service = service_for(job.multiplier);
  if (mode_ == ServiceMode::kSleep) {
    auto begin = std::max({slot.free_at, job.arrival, now - kMaxCatchUp});
    if (stalled_at(begin)) {
      begin = stall_end_;
    }
    slot.finish = begin + slot.service;
  }
}

void WorkerPool::arm(Slot& slot, Clock::time_point at) {
  const auto generation = ++slot.generation;
  slot.timer.expires_at(at);
  slot.timer.async_wait([this, &slot, generation](const boost::system::error_code& ec) {
    if (!ec) {
      on_service_end(slot, generation);
    }
  });
}

void WorkerPool::on_service_end(Slot& slot, std::uint64_t generation) {
  std::vector<Completion> ready;
  {
    Lock lock(mu_);
    if (generation != slot.generation || !slot.busy) {
      return;
    }
    const auto now = Clock::now();
    // A worker that is behind schedule (a busy event loop wakes timers late) may owe several
    // services: finish every one that is due now instead of one per event-loop turn, or a
    // loaded I/O thread would cap throughput below the capacity.
    while (true) {
      auto finish = slot.finish;
      if (stalled_at(finish)) {
        finish = stall_end_;  // a stall holds the response until it ends
      }
      if (finish > now) {
        slot.held = finish != slot.finish;
        slot.finish = finish;
        arm(slot, finish);
        break;
      }
      ready.push_back(std::move(slot.done));
      slot.busy = false;
      slot.held = false;
      slot.free_at = finish;
      if (mode_ == ServiceMode::kCpu || queue_.empty() || stalled_at(now)) {
        idle_.push_back(&slot);
        start_queued(now);
        break;
      }
      Job job = std::move(queue_.front());
      queue_.pop_front();
      assign(slot, std::move(job), now);
    }
  }
  for (auto& done : ready) {
    done();
  }
}

void WorkerPool::start_queued(Clock::time_point now) {
  while (!queue_.empty() && !idle_.empty() && !stalled_at(now)) {
    Slot& slot = *idle_.back();
    idle_.pop_back();
    Job job = std::move(queue_.front());
    queue_.pop_front();
    start(slot, std::move(job), now);
  }
}

void WorkerPool::stall(Clock::duration d) {
  Lock lock(mu_);
  if (stalls_stopped_ || d <= Clock::duration::zero()) {
    return;
  }
  const auto now = Clock::now();
  const auto end = now + d;
  if (stalled_at(now)) {
    if (end > stall_end_) {
      stall_total_ += end - stall_end_;
      stall_end_ = end;
    }
  } else {
    stall_start_ = now;
    stall_end_ = end;
    stall_total_ += d;
    ++stalls_;
  }
  arm_stall_end();
}

void WorkerPool::arm_stall_end() {
  stall_timer_.expires_at(stall_end_);
  stall_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    Lock lock(mu_);
    const auto now = Clock::now();
    if (stalled_at(now)) {
      arm_stall_end();  // extended meanwhile
      return;
    }
    start_queued(now);
  });
}

void WorkerPool::stop_stalls() {
  Lock lock(mu_);
  stalls_stopped_ = true;
  const auto now = Clock::now();
  if (stalled_at(now)) {
    stall_end_ = now;
  }
  stall_timer_.cancel();
  for (auto& slot : slots_) {
    if (slot->busy && slot->held) {
      slot->finish = now;
      arm(*slot, now);
    }
  }
  start_queued(now);
}

WorkerPool::Snapshot WorkerPool::snapshot() const {
  Lock lock(mu_);
  Snapshot s;
  s.queue_depth = queue_.size();
  s.busy_workers = static_cast<unsigned>(slots_.size() - idle_.size());
  s.stalled = stalled_at(Clock::now());
  s.stalls = stalls_;
  s.stall_seconds = std::chrono::duration<double>(stall_total_).count();
  return s;
}

WorkerPool::Clock::duration WorkerPool::service_for(double multiplier) {
  double ms = service_time_ms_.load() * multiplier;
  if (jitter_ > 0) {
    const double u = uniform_draw(seed_, RandomStream::kJitter, jitter_draws_++);
    ms *= 1.0 + jitter_ * (2.0 * u - 1.0);
  }
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms));
}

}  // namespace lp::demo_target
