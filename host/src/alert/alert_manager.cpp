#include "loadpilot/host/alert/alert_manager.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>

namespace lp {
namespace {

std::string iso_time(std::int64_t wall_ns) {
  const std::time_t secs = static_cast<std::time_t>(wall_ns / 1'000'000'000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     (wall_ns / 1'000'000) % 1000);
}

nlohmann::json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

std::string Alert::message() const {
  const AlertContext& c = context;
  std::vector<std::string> values;
  for (std::size_t i = 0; i < c.metrics.size() && i < c.values.size(); ++i) {
    values.push_back(fmt::format("{}={:.4g}", c.metrics[i], c.values[i]));
  }
  const std::string range =
      std::isfinite(c.expected_low) && std::isfinite(c.expected_high)
          ? fmt::format(" (expected {:.4g}..{:.4g})", c.expected_low, c.expected_high)
          : std::string();
  const std::string where = c.vector.empty() ? "" : fmt::format(" in vector {}", c.vector);
  if (kind == Kind::kResolved) {
    return fmt::format("resolved: {} ({}) quiet again after {} flag(s){}", c.detector_id,
                       c.detector_type, flags, where);
  }
  return fmt::format("anomaly: {} ({}) flags {}{} score {:.3f}{}", c.detector_id, c.detector_type,
                     fmt::join(values, ", "), range, c.score, where);
}

nlohmann::json Alert::to_json() const {
  const AlertContext& c = context;
  nlohmann::json metrics = nlohmann::json::array();
  for (std::size_t i = 0; i < c.metrics.size(); ++i) {
    metrics.push_back({{"name", c.metrics[i]},
                       {"value", i < c.values.size() ? number_or_null(c.values[i]) : nullptr}});
  }
  return {{"kind", kind == Kind::kRaised ? "alert" : "resolved"},
          {"message", message()},
          {"run_id", c.run_id},
          {"plan", c.plan},
          {"detector", c.detector_id},
          {"detector_type", c.detector_type},
          {"metrics", metrics},
          {"expected_range", {number_or_null(c.expected_low), number_or_null(c.expected_high)}},
          {"score", number_or_null(c.score)},
          {"vector", c.vector},
          {"time", iso_time(c.wall_ns)},
          {"wall_ns", c.wall_ns},
          {"episode_started", iso_time(started_ns)},
          {"flags_in_episode", flags}};
}

std::optional<Alert> AlertManager::observe(const AlertContext& context, bool flag) {
  Episode& e = episodes_[context.detector_id];
  if (flag) {
    e.quiet_ticks = 0;
    ++e.flags;
    if (e.active) {
      ++suppressed_;
      return std::nullopt;
    }
    e.active = true;
    e.flags = 1;
    e.started_ns = context.wall_ns;
    ++raised_;
    return Alert{Alert::Kind::kRaised, context, e.flags, e.started_ns};
  }
  if (!e.active) return std::nullopt;
  if (++e.quiet_ticks < clear_after_) return std::nullopt;
  e.active = false;
  return Alert{Alert::Kind::kResolved, context, e.flags, e.started_ns};
}

bool AlertManager::active(const std::string& detector_id) const {
  const auto it = episodes_.find(detector_id);
  return it != episodes_.end() && it->second.active;
}

}  // namespace lp
