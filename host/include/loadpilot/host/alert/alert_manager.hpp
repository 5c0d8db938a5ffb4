// Turns detector flags into alerts. A flag opens an episode and raises one
// alert; further flags while it lasts are counted, not sent again
// (deduplication); `clear_after` ticks without a flag close it with a
// "resolved" alert. Each alert carries its context: metric, value, expected
// range, score, detector, run and vector.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lp {

struct AlertContext {
  std::string run_id;
  std::string plan;
  std::string detector_id;
  std::string detector_type;
  std::vector<std::string> metrics;
  std::vector<double> values;  // by metric
  double expected_low = 0;     // of the first metric; NaN when the detector gave none
  double expected_high = 0;
  double score = 0;
  std::string vector;  // the Load Vector running, "" when none
  std::int64_t wall_ns = 0;
};

struct Alert {
  enum class Kind { kRaised, kResolved };
  Kind kind = Kind::kRaised;
  AlertContext context;
  std::uint64_t flags = 0;         // flags in the episode so far
  std::int64_t started_ns = 0;     // when the episode began
  std::string message() const;     // one line for the console and the store
  nlohmann::json to_json() const;  // the webhook body and the store's details
};

class AlertManager {
 public:
  explicit AlertManager(int clear_after_ticks = 3) : clear_after_(clear_after_ticks) {}

  // One detector's verdict for this tick; returns the alert to send, if any.
  std::optional<Alert> observe(const AlertContext& context, bool flag);
  bool active(const std::string& detector_id) const;
  std::uint64_t raised() const { return raised_; }
  std::uint64_t suppressed() const { return suppressed_; }  // flags inside an episode

 private:
  struct Episode {
    bool active = false;
    std::uint64_t flags = 0;
    std::int64_t started_ns = 0;
    int quiet_ticks = 0;
  };
  int clear_after_;
  std::map<std::string, Episode> episodes_;
  std::uint64_t raised_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace lp
