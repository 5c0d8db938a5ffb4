// One I/O thread's finished samples until drain() takes them. The I/O thread
// holds the lock only for a push_back; drain swaps the vector out, so the
// copy to the caller happens outside the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "loadpilot/abi.h"

namespace lp::native {

class SampleSink {
 public:
  explicit SampleSink(std::size_t capacity) : capacity_(capacity) { buffer_.reserve(4096); }

  void push(const lp_sample& sample) {
    std::lock_guard lock(mutex_);
    if (buffer_.size() >= capacity_) {
      ++lost_;
      return;
    }
    buffer_.push_back(sample);
  }

  // Not reentrant: the engine serialises callers.
  std::size_t take(std::vector<lp_sample>& out) {
    {
      std::lock_guard lock(mutex_);
      buffer_.swap(spare_);
    }
    out.insert(out.end(), spare_.begin(), spare_.end());
    const std::size_t n = spare_.size();
    spare_.clear();  // keeps its capacity for the next swap
    return n;
  }

  uint64_t lost() const {
    std::lock_guard lock(mutex_);
    return lost_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<lp_sample> buffer_;  // guarded by mutex_
  uint64_t lost_ = 0;              // guarded by mutex_
  std::vector<lp_sample> spare_;   // the drain side's
};

}  // namespace lp::native
