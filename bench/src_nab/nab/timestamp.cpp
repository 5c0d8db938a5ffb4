#include "nab/timestamp.hpp"

#include <chrono>

namespace lp::nab {

namespace {

bool digits(std::string_view s, std::size_t at, std::size_t count, int& out) {
  if (at + count > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
      !digits(s, 0, 4, year) || !digits(s, 5, 2, month) || !digits(s, 8, 2, day) ||
      !digits(s, 11, 2, hour) || !digits(s, 14, 2, minute) || !digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  std::int64_t fraction_ns = 0;
  if (s.size() > 19) {
    const std::size_t count = s.size() - 20;
    if (s[19] != '.' || count == 0 || count > 9) return std::nullopt;
    int d = 0;
    for (std::size_t i = 20; i < s.size(); ++i) {
      if (!digits(s, i, 1, d)) return std::nullopt;
      fraction_ns = fraction_ns * 10 + d;
    }
    for (std::size_t i = count; i < 9; ++i) fraction_ns *= 10;
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  const std::int64_t seconds = std::int64_t{days} * 86400 + hour * 3600 + minute * 60 + second;
  return seconds * 1'000'000'000 + fraction_ns;
}

}  // namespace lp::nab
