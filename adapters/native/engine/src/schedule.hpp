// Open-model arrival times for one I/O thread: intended send times derived
// from the offered rate alone, never from how fast responses come back (which
// is what keeps coordinated omission out of the latencies).
#pragma once

#include <cstdint>

#include "loadpilot/native/engine_config.hpp"
#include "rng.hpp"

namespace lp::native {

class ArrivalSchedule {
 public:
  explicit ArrivalSchedule(Arrivals arrivals) : arrivals_(arrivals) {}

  // `per_s` is this thread's share; `phase` in [0, 1) of a gap staggers
  // threads that share one uniform rate. Applies from `now_ns` on.
  void set_rate(double per_s, double phase, int64_t now_ns, Rng& rng);

  bool active() const { return gap_ns_ > 0; }
  int64_t next_ns() const { return next_ns_; }
  // Moves to the arrival after next_ns().
  void advance(Rng& rng);

 private:
  Arrivals arrivals_;
  double gap_ns_ = 0;      // mean gap; 0 when paused
  int64_t anchor_ns_ = 0;  // uniform: next = anchor + round(n * gap), no drift
  int64_t count_ = 0;
  int64_t next_ns_ = 0;
  int64_t last_ns_ = -1;  // the last arrival handed out, -1 before any
};

}  // namespace lp::native
