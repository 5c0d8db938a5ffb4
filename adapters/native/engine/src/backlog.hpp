// Open model: requests whose intended time has come but no connection is
// free yet. A FIFO ring that grows by doubling up to its cap and then stays
// allocated, so a busy run stops allocating once it reached its high mark.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lp::native {

struct PendingRequest {
  int64_t intended_ns;
  uint32_t type;
};

class Backlog {
 public:
  explicit Backlog(std::size_t cap) : cap_(cap) {}

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ >= cap_; }

  // The caller checks full() first.
  void push(PendingRequest request) {
    if (size_ == ring_.size()) grow();
    ring_[(head_ + size_) % ring_.size()] = request;
    ++size_;
  }

  PendingRequest pop() {
    const PendingRequest front = ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    --size_;
    return front;
  }

  void clear() { head_ = size_ = 0; }

 private:
  void grow() {
    std::vector<PendingRequest> bigger(ring_.empty() ? 64 : ring_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = ring_[(head_ + i) % ring_.size()];
    ring_.swap(bigger);
    head_ = 0;
  }

  std::size_t cap_;
  std::vector<PendingRequest> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace lp::native
