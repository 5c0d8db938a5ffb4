#include "loadpilot/host/plan/duration.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace lp {

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double value = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + i, value);
    if (ec != std::errc() || p != text.data() + i) return std::nullopt;
    const std::size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1e3;
    } else if (unit == "m") {
      scale = 60e3;
    } else if (unit == "h") {
      scale = 3600e3;
    } else if (unit == "d") {
      scale = 86400e3;
    } else {
      return std::nullopt;
    }
    total_ms += value * scale;
  }
  // About 30 years: keeps every later sum far from int64 overflow.
  if (!(total_ms >= 0 && total_ms <= 1e12)) return std::nullopt;
  return Duration(static_cast<std::int64_t>(std::llround(total_ms)));
}

std::string format_duration(Duration d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out += '-';
    ms = -ms;
  }
  const std::int64_t h = ms / 3600000;
  const std::int64_t m = ms / 60000 % 60;
  const std::int64_t s = ms / 1000 % 60;
  const std::int64_t rest = ms % 1000;
  if (h) out += fmt::format("{}h", h);
  if (m) out += fmt::format("{}m", m);
  if (s) out += fmt::format("{}s", s);
  if (rest) out += fmt::format("{}ms", rest);
  return out;
}

}  // namespace lp
