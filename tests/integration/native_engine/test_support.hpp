// Shared helpers for the native engine's integration tests.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "loadpilot/native/engine.hpp"

namespace lp::native::testing {

using namespace std::chrono_literals;

inline int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline RequestTemplate get(std::string target, double weight = 1.0) {
  RequestTemplate t;
  t.name = target;
  t.target = std::move(target);
  t.weight = weight;
  return t;
}

inline EngineConfig config_for(const std::string& base_url, std::vector<RequestTemplate> requests,
                               LoadModel model = LoadModel::kOpen) {
  EngineConfig c;
  c.base_url = base_url;
  c.model = model;
  c.requests = std::move(requests);
  c.seed = 42;
  return c;
}

// Lets the engine run for `duration`, draining as the host's tick would.
inline void run_for(Engine& engine, std::chrono::nanoseconds duration,
                    std::vector<lp_sample>& out) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(
        std::min<std::chrono::nanoseconds>(20ms, end - std::chrono::steady_clock::now()));
    engine.drain(out);
  }
}

template <typename Pred>
std::size_t count_if(const std::vector<lp_sample>& samples, Pred pred) {
  return static_cast<std::size_t>(std::count_if(samples.begin(), samples.end(), pred));
}

inline bool intended_in(const lp_sample& s, int64_t from, int64_t to) {
  return s.intended_ns >= from && s.intended_ns < to;
}

inline bool started_in(const lp_sample& s, int64_t from, int64_t to) {
  return s.start_ns >= from && s.start_ns < to;
}

constexpr int64_t kMs = 1'000'000;

}  // namespace lp::native::testing
