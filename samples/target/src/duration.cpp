#include "duration.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace lp::demo_target {
namespace {

// Longest suffixes first so "ms" is not read as "m" followed by junk.
constexpr std::array<std::pair<std::string_view, double>, 6> kUnits{{
    {"ns", 1.0},
    {"us", 1e3},
    {"ms", 1e6},
    {"s", 1e9},
    {"m", 60e9},
    {"h", 3600e9},
}};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text == "0") {
    return Duration::zero();
  }
  for (const auto& [suffix, ns_per_unit] : kUnits) {
    if (text.size() <= suffix.size() || !text.ends_with(suffix)) {
      continue;
    }
    const std::string_view number = text.substr(0, text.size() - suffix.size());
    // from_chars would accept "inf", "nan" and a sign: only plain decimals are durations.
    if (number.find_first_not_of("0123456789.") != std::string_view::npos) {
      continue;
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc{} || end != number.data() + number.size()) {
      continue;
    }
    const double ns = value * ns_per_unit;
    if (!std::isfinite(ns) || ns > 1e18) {
      return std::nullopt;  // beyond ~31 years: a typo
    }
    return Duration{static_cast<Duration::rep>(std::llround(ns))};
  }
  return std::nullopt;
}

std::string format_duration(Duration d) {
  const auto ns = d.count();
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    const auto unit = static_cast<Duration::rep>(it->second);
    if (ns != 0 && ns % unit == 0) {
      return fmt::format("{}{}", ns / unit, it->first);
    }
  }
  return ns == 0 ? "0" : fmt::format("{}ns", ns);
}

}  // namespace lp::demo_target
