#include "readers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "loadpilot/host/plan/plan_schema.hpp"

namespace lp::plan {
namespace {

const std::vector<std::string_view>* section_keys(std::string_view section) {
  for (const PlanSection& s : plan_sections()) {
    if (s.path == section) return &s.keys;
  }
  return nullptr;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

MapReader::MapReader(Diagnostics& diag, const Node& node, std::string path,
                     std::string_view section)
    : diag_(diag), node_(node), path_(std::move(path)) {
  if (node.broken) return;
  if (!node.is_map()) {
    diag_.error(node.loc, path_, fmt::format("expected a map, found {}", describe(node)));
    return;
  }
  ok_ = true;
  const std::vector<std::string_view>* known = section_keys(section);
  if (known == nullptr) return;
  std::vector<std::string> candidates(known->begin(), known->end());
  for (const Entry& e : node.entries) {
    if (diag_.full()) break;
    if (std::find(known->begin(), known->end(), e.key) != known->end()) continue;
    if (auto best = closest(e.key, candidates)) suggested_.push_back(*best);
    diag_.error(e.key_loc, path_,
                fmt::format("unknown key {}{}", quote(e.key),
                            suggestion(e.key, candidates, "valid keys are")));
  }
}

const Entry* MapReader::entry(std::string_view key) const {
  return ok_ ? node_.find(key) : nullptr;
}

const Node* MapReader::get(std::string_view key) const {
  const Entry* e = entry(key);
  return e ? &e->value : nullptr;
}

const Node* MapReader::require(std::string_view key, std::string_view why) {
  if (!ok_) return nullptr;
  if (const Node* n = get(key)) return n;
  if (std::find(suggested_.begin(), suggested_.end(), key) != suggested_.end()) return nullptr;
  diag_.error(node_.loc, path_,
              why.empty() ? fmt::format("missing required key {}", quote(key))
                          : fmt::format("missing required key {} ({})", quote(key), why));
  return nullptr;
}

void Readers::type_error(const Node& at, const std::string& path, std::string_view expected) {
  if (at.broken) return;
  diag_.error(at.loc, path, fmt::format("expected {}, found {}", expected, describe(at)));
}

std::optional<std::string> Readers::string(const Node& n, const std::string& path) {
  if (n.broken) return std::nullopt;
  if (!n.is_scalar() || scalar_type(n) == ScalarType::kNull) {
    type_error(n, path, "a string");
    return std::nullopt;
  }
  return n.text;
}

std::optional<double> Readers::number(const Node& n, const std::string& path) {
  if (n.broken) return std::nullopt;
  const ScalarType t = scalar_type(n);
  if (t == ScalarType::kInt || t == ScalarType::kFloat) {
    const double v = *parse_yaml_number(n.text);
    if (std::isfinite(v)) return v;
    error(n, path, fmt::format("expected a finite number, found {}", n.text));
    return std::nullopt;
  }
  type_error(n, path, "a number");
  return std::nullopt;
}

std::optional<std::int64_t> Readers::integer(const Node& n, const std::string& path,
                                             std::int64_t min, std::int64_t max) {
  if (n.broken) return std::nullopt;
  if (scalar_type(n) != ScalarType::kInt) {
    type_error(n, path, "an integer");
    return std::nullopt;
  }
  const double v = *parse_yaml_number(n.text);
  if (v < static_cast<double>(min) || v > static_cast<double>(max)) {
    error(n, path, fmt::format("must be between {} and {}, found {}", min, max, n.text));
    return std::nullopt;
  }
  return static_cast<std::int64_t>(v);
}

std::optional<bool> Readers::boolean(const Node& n, const std::string& path) {
  if (n.broken) return std::nullopt;
  if (scalar_type(n) == ScalarType::kBool) return parse_yaml_bool(n.text);
  type_error(n, path, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<Duration> Readers::duration(const Node& n, const std::string& path) {
  if (n.broken) return std::nullopt;
  constexpr std::string_view kExpected = "a duration like 30s, 10m or 1h30m (or seconds)";
  const ScalarType t = scalar_type(n);
  if (t == ScalarType::kInt || t == ScalarType::kFloat) {
    const double seconds = *parse_yaml_number(n.text);
    // Up to ~30 years in ms: well inside int64 and any real plan.
    if (!(seconds >= 0 && seconds <= 1e9)) {
      error(n, path,
            fmt::format("expected a duration of 0 to 1000000000 seconds, found {}", n.text));
      return std::nullopt;
    }
    return Duration(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
  }
  if (t == ScalarType::kString) {
    if (auto d = parse_duration(n.text)) return d;
  }
  type_error(n, path, kExpected);
  return std::nullopt;
}

std::optional<double> Readers::fraction(const Node& n, const std::string& path) {
  if (n.broken) return std::nullopt;
  constexpr std::string_view kExpected = "a fraction like 0.05 or a percentage like 5%";
  std::optional<double> v;
  const ScalarType t = scalar_type(n);
  if (t == ScalarType::kInt || t == ScalarType::kFloat) {
    v = parse_yaml_number(n.text);
  } else if (t == ScalarType::kString && n.text.size() > 1 && n.text.back() == '%') {
    const std::string_view digits = std::string_view(n.text).substr(0, n.text.size() - 1);
    bool integer = false;
    if (!digits.empty() && (is_digit(digits.front()) || digits.front() == '.')) {
      if (auto p = parse_yaml_number(digits, &integer)) v = *p / 100.0;
    }
  }
  if (!v) {
    type_error(n, path, kExpected);
    return std::nullopt;
  }
  if (!(*v >= 0.0 && *v <= 1.0)) {
    error(n, path, fmt::format("must be between 0 and 1 (0% and 100%), found {}", n.text));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> Readers::url(const Node& n, const std::string& path) {
  if (n.broken) return std::nullopt;
  if (scalar_type(n) != ScalarType::kString) {
    type_error(n, path, "an http or https URL");
    return std::nullopt;
  }
  const std::string& u = n.text;
  std::string_view rest;
  if (u.rfind("http://", 0) == 0) {
    rest = std::string_view(u).substr(7);
  } else if (u.rfind("https://", 0) == 0) {
    rest = std::string_view(u).substr(8);
  } else {
    error(n, path, fmt::format("expected an http or https URL, found {}", quote(u)));
    return std::nullopt;
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view host = authority;
  std::optional<std::string_view> port;
  if (!host.empty() && host.front() == '[') {  // [::1]:8080
    const std::size_t end = host.find(']');
    const std::string_view after = end == std::string_view::npos ? "x" : host.substr(end + 1);
    host = end == std::string_view::npos ? std::string_view() : host.substr(1, end - 1);
    if (!after.empty() && after.front() == ':') {
      port = after.substr(1);
    } else if (!after.empty()) {
      host = {};
    }
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  bool ok = !host.empty() && host.find_first_of(" \t@[]") == std::string_view::npos &&
            u.find_first_of(" \t\n") == std::string::npos;
  if (port) {
    ok = ok && !port->empty() && port->size() <= 5 &&
         std::all_of(port->begin(), port->end(), is_digit) && std::stoi(std::string(*port)) >= 1 &&
         std::stoi(std::string(*port)) <= 65535;
  }
  if (!ok) {
    error(n, path,
          fmt::format("expected an http or https URL with a host (and a port 1-65535), found {}",
                      quote(u)));
    return std::nullopt;
  }
  return u;
}

std::optional<std::size_t> Readers::choice(const Node& n, const std::string& path,
                                           const std::vector<std::string>& allowed) {
  if (n.broken) return std::nullopt;
  if (n.is_scalar() && scalar_type(n) != ScalarType::kNull) {
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      if (n.text == allowed[i]) return i;
    }
  }
  std::string hint;
  if (n.is_scalar()) {
    if (auto best = closest(n.text, allowed))
      hint = fmt::format("; did you mean {}?", quote(*best));
  }
  error(n, path,
        fmt::format("expected one of {}, found {}{}", join(allowed, ", "), describe(n), hint));
  return std::nullopt;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// RFC 3339: 2026-11-27T00:00:00Z, 2026-11-27T00:00:00.5+01:00 (a space may replace the T).
std::optional<Timestamp> parse_rfc3339(std::string_view s) {
  auto num = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    if (at + len > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (!is_digit(s[i])) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       se = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*mo < 1 || *mo > 12 || *d < 1) return std::nullopt;
  const int max_day = kDays[*mo - 1] + (*mo == 2 && leap(*y) ? 1 : 0);
  if (*d > max_day || *h > 23 || *mi > 59 || *se > 60) return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return std::nullopt;
  }
  if (i >= s.size()) return std::nullopt;
  int offset_minutes = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    auto oh = num(i + 1, 2), om = num(i + 4, 2);
    if (!oh || !om || i + 3 >= s.size() || s[i + 3] != ':' || *oh > 23 || *om > 59) {
      return std::nullopt;
    }
    offset_minutes = (*oh * 60 + *om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t days =
      days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  const std::int64_t secs =
      days * 86400 + *h * 3600 + *mi * 60 + std::min(*se, 59) - offset_minutes * 60;
  return Timestamp(std::chrono::seconds(secs));
}

}  // namespace

std::optional<Timestamp> Readers::timestamp(const Node& n, const std::string& path) {
  if (n.broken) return std::nullopt;
  if (n.is_scalar()) {
    if (auto t = parse_rfc3339(n.text)) return t;
  }
  type_error(n, path, "an RFC 3339 timestamp like \"2026-11-27T00:00:00Z\"");
  return std::nullopt;
}

std::string format_timestamp(Timestamp t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{t - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::optional<std::string> Readers::id(const Node& n, const std::string& path) {
  auto s = string(n, path);
  if (!s) return std::nullopt;
  const bool ok =
      !s->empty() && s->size() <= 64 &&
      ((s->front() >= 'a' && s->front() <= 'z') || (s->front() >= 'A' && s->front() <= 'Z')) &&
      std::all_of(s->begin(), s->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
      });
  if (!ok) {
    error(n, path,
          fmt::format("expected an id (a letter, then letters, digits or \"_\"; at most 64), "
                      "found {}",
                      quote(*s)));
    return std::nullopt;
  }
  return s;
}

const std::vector<Node>* Readers::list(const Node& n, const std::string& path) {
  if (n.broken) return nullptr;
  if (n.is_sequence()) return &n.items;
  type_error(n, path, "a list");
  return nullptr;
}

}  // namespace lp::plan
