// A forecaster's view of its history: values with a validity mask (gaps and
// masked outages are not learned as zeros), event multipliers divided out so
// the model learns the base load, and the season length in steps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <loadpilot/sdk.hpp>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace lp::forecast {

struct History {
  std::int64_t start_ns = 0;
  std::int64_t step_ns = 0;
  std::vector<double> values;
  std::vector<std::uint8_t> valid;  // 1: use the value
  std::size_t valid_count() const;
  std::int64_t end_ns() const {  // the time of the step after the last value
    return start_ns + static_cast<std::int64_t>(values.size()) * step_ns;
  }
};

// The product of the multipliers of the events covering [t, t + step).
double event_factor(std::span<const lp::sdk::Event> events, std::int64_t t, std::int64_t step_ns);

// Copies the series, masks non-finite values, divides event multipliers out.
// Throws lp::sdk::Error for a non-positive step.
History prepare_history(const lp::sdk::Series& series, std::span<const lp::sdk::Event> events);

// Appends `more` (which must continue the history at the same step).
void append_history(History& h, const lp::sdk::Series& more,
                    std::span<const lp::sdk::Event> events);

// Season length in steps: the config's "season" when given (0: none), else
// one day of steps when that is between 2 and 2000 (hourly: 24), else none.
std::size_t season_length(const nlohmann::json& config, std::int64_t step_ns);

// The forecast skeleton: times and, per step, the event factor to apply.
std::vector<double> horizon_factors(std::int64_t start_ns, std::int64_t step_ns, std::size_t h,
                                    std::span<const lp::sdk::Event> events);

// Quantile q of the sorted values (linear interpolation, type 7).
double sorted_quantile(std::span<const double> sorted, double q);

}  // namespace lp::forecast
