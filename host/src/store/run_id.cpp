#include "loadpilot/host/store/run_id.hpp"

#include <fmt/format.h>

#include <ctime>
#include <random>

namespace lp {

std::string run_id_slug(std::string_view plan_name) {
  constexpr size_t kMaxLength = 40;
  std::string slug;
  for (char c : plan_name) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
    if (keep) {
      slug += c;
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= kMaxLength) {
      break;
    }
  }
  // No leading dots ("..", hidden files) and no trailing dashes.
  while (!slug.empty() && (slug.front() == '.' || slug.front() == '-')) {
    slug.erase(0, 1);
  }
  while (!slug.empty() && slug.back() == '-') {
    slug.pop_back();
  }
  return slug.empty() ? std::string("run") : slug;
}

std::string make_run_id(std::string_view plan_name, int64_t started_ns) {
  // UTC: ids stay sortable across time zones and daylight saving changes.
  const std::time_t seconds = static_cast<std::time_t>(started_ns / 1'000'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);

  // A fresh draw each time: a seeded engine would repeat itself in forked children.
  std::random_device random;
  const unsigned suffix = std::uniform_int_distribution<unsigned>(0, 0xffff)(random);
  return fmt::format("{}-{}-{:04x}", stamp, run_id_slug(plan_name), suffix);
}

}  // namespace lp
