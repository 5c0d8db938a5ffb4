// One I/O thread's counters: written by that thread only, read by stats()
// from any thread, so relaxed atomics without read-modify-write suffice.
#pragma once

#include <atomic>
#include <cstdint>

namespace lp::native {

struct WorkerCounters {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> connects{0};
  std::atomic<uint64_t> connect_errors{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> dropped_backlog{0};
  std::atomic<uint64_t> hook_errors{0};
  std::atomic<uint64_t> cancelled_at_stop{0};
  std::atomic<uint64_t> aborted_at_stop{0};
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> backlog{0};
  std::atomic<int64_t> active_users{0};
};

// Single-writer increment: no locked instruction on the I/O path.
template <typename T, typename D>
inline void bump(std::atomic<T>& counter, D delta = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + static_cast<T>(delta),
                std::memory_order_relaxed);
}

template <typename T>
inline void bump(std::atomic<T>& counter) {
  bump(counter, 1);
}

template <typename T, typename V>
inline void set(std::atomic<T>& gauge, V value) {
  gauge.store(static_cast<T>(value), std::memory_order_relaxed);
}

}  // namespace lp::native
