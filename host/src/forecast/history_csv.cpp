#include "loadpilot/host/forecast/history_csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

namespace lp {
namespace {

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c) && c != '"'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::optional<double> parse_number(const std::string& s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::ifstream open(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError(fmt::format("{}: cannot read the file", file.string()));
  return in;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (auto secs = parse_number(text)) {
    return static_cast<std::int64_t>(std::llround(*secs * 1e9));
  }
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double sec = 0;
  char sep = 0;
  const int n = std::sscanf(text.c_str(), "%d-%d-%d%c%d:%d:%lf", &y, &mo, &d, &sep, &h, &mi, &sec);
  if (n != 3 && n != 7) return std::nullopt;
  if (n == 7 && sep != 'T' && sep != ' ') return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
      sec >= 61) {
    return std::nullopt;
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  const std::int64_t whole = timegm(&tm);
  return whole * 1'000'000'000 + static_cast<std::int64_t>(std::llround(sec * 1e9));
}

std::string format_timestamp(std::int64_t wall_ns) {
  const std::time_t secs = static_cast<std::time_t>(wall_ns / 1'000'000'000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

TimeSeries read_history_csv(const std::filesystem::path& file) {
  std::ifstream in = open(file);
  std::vector<std::pair<std::int64_t, double>> rows;
  std::vector<int> lines;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty() || line[0] == '#') continue;
    const auto cells = split(line);
    const std::string where = fmt::format("{}:{}", file.string(), number);
    if (cells.size() < 2) throw InputError(where + ": expected timestamp,value");
    const auto t = parse_timestamp(cells[0]);
    if (!t) {
      if (rows.empty() && !parse_number(cells[1])) continue;  // the header line
      throw InputError(
          fmt::format("{}: \"{}\" is not a timestamp (ISO 8601 or unix seconds)", where, cells[0]));
    }
    double v = std::nan("");
    const std::string lower = [&] {
      std::string s = cells[1];
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      return s;
    }();
    if (!cells[1].empty() && lower != "nan" && lower != "na" && lower != "null") {
      const auto parsed = parse_number(cells[1]);
      if (!parsed)
        throw InputError(fmt::format("{}: value \"{}\" is not a number", where, cells[1]));
      v = *parsed;
    }
    if (!rows.empty() && *t <= rows.back().first) {
      throw InputError(fmt::format("{}: timestamps must increase: {} comes after {}", where,
                                   cells[0], format_timestamp(rows.back().first)));
    }
    rows.emplace_back(*t, v);
    lines.push_back(number);
  }
  if (rows.size() < 2) throw InputError(fmt::format("{}: needs at least two rows", file.string()));
  std::map<std::int64_t, int> spacing;
  for (std::size_t i = 1; i < rows.size(); ++i) ++spacing[rows[i].first - rows[i - 1].first];
  const std::int64_t step = std::max_element(spacing.begin(), spacing.end(), [](auto& a, auto& b) {
                              return a.second < b.second;
                            })->first;
  TimeSeries s;
  s.start_ns = rows.front().first;
  s.step_ns = step;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::int64_t offset = rows[i].first - s.start_ns;
    if (offset % step != 0) {
      throw InputError(fmt::format("{}:{}: irregular spacing: {} is not on the {} s grid",
                                   file.string(), lines[i], format_timestamp(rows[i].first),
                                   static_cast<double>(step) / 1e9));
    }
    const auto index = static_cast<std::size_t>(offset / step);
    s.values.resize(index + 1, 0.0);
    s.valid.resize(index + 1, 0);
    s.values[index] = std::isfinite(rows[i].second) ? rows[i].second : 0.0;
    s.valid[index] = std::isfinite(rows[i].second) ? 1 : 0;
  }
  return s;
}

std::vector<LoadEvent> read_events_csv(const std::filesystem::path& file) {
  std::ifstream in = open(file);
  std::vector<LoadEvent> events;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty() || line[0] == '#') continue;
    const auto cells = split(line);
    const std::string where = fmt::format("{}:{}", file.string(), number);
    if (cells.size() != 4) throw InputError(where + ": expected name,start,end,multiplier");
    const auto start = parse_timestamp(cells[1]);
    const auto end = parse_timestamp(cells[2]);
    const auto mult = parse_number(cells[3]);
    if (!start && !end && !mult && events.empty()) continue;  // the header line
    if (!start || !end) throw InputError(where + ": start and end must be timestamps");
    if (*end <= *start) throw InputError(where + ": end must be after start");
    if (!mult || !(*mult > 0)) throw InputError(where + ": multiplier must be a number > 0");
    events.push_back({cells[0], *start, *end, *mult});
  }
  return events;
}

void mask_range(TimeSeries& s, std::int64_t from_ns, std::int64_t to_ns) {
  if (s.valid.empty()) s.valid.assign(s.values.size(), 1);
  for (std::size_t i = 0; i < s.values.size(); ++i) {
    const std::int64_t t = s.start_ns + static_cast<std::int64_t>(i) * s.step_ns;
    if (t >= from_ns && t < to_ns) s.valid[i] = 0;
  }
}

}  // namespace lp
