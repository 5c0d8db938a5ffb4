#include "loadpilot/host/forecast/history_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "loadpilot/host/forecast/history_csv.hpp"
#include "loadpilot/host/store/run_store.hpp"

namespace lp {
namespace fs = std::filesystem;
namespace {

constexpr const char* kAllTypes = "(all)";

struct Point {
  std::int64_t start_ns;
  std::int64_t end_ns;
  double value;
};

std::vector<fs::path> run_dbs(const fs::path& path) {
  if (fs::is_regular_file(path)) return {path};
  if (fs::is_regular_file(path / RunStore::kDbFileName)) return {path / RunStore::kDbFileName};
  std::vector<std::string> problems;
  std::vector<fs::path> out;
  for (const auto& run : RunStore::list_runs(path, &problems)) out.push_back(run.db_path);
  if (out.empty()) {
    throw InputError(fmt::format("{}: no runs there{}", path.string(),
                                 problems.empty() ? "" : " (" + problems.front() + ")"));
  }
  return out;
}

// One point per tick of the run, the tools combined.
std::vector<Point> tick_points(const RunStore& store, const std::string& metric) {
  TickQuery q;
  q.request_type = kAllTypes;
  std::map<std::int64_t, std::vector<TickRow>> by_tick;
  for (auto& row : store.ticks(q)) by_tick[row.tick].push_back(std::move(row));
  std::vector<Point> out;
  for (const auto& [tick, rows] : by_tick) {
    double sum = 0, weight = 0, weighted = 0;
    std::int64_t start = rows.front().start_ns, end = rows.front().end_ns;
    bool any = false;
    for (const auto& r : rows) {
      start = std::min(start, r.start_ns);
      end = std::max(end, r.end_ns);
      const double count = static_cast<double>(r.outcomes.total());
      const double errors = static_cast<double>(r.outcomes.total() - r.outcomes.ok);
      if (metric == "achieved_rate") {
        sum += r.achieved_rate;
        any = true;
      } else if (metric == "offered_rate") {
        if (r.offered_rate) {
          sum += *r.offered_rate;
          any = true;
        }
      } else if (metric == "requests") {
        sum += count;
        any = true;
      } else if (metric == "errors") {
        sum += errors;
        any = true;
      } else if (metric == "error_rate") {
        sum += errors;
        weight += count;
        any = any || count > 0;
      } else if (r.latency && count > 0) {
        const double v = metric == "p50_ms"   ? r.latency->p50
                         : metric == "p90_ms" ? r.latency->p90
                         : metric == "p99_ms" ? r.latency->p99
                                              : r.latency->mean;
        weighted += v * count;
        weight += count;
        any = true;
      }
    }
    if (!any) continue;
    double value = sum;
    if (metric == "error_rate") value = sum / weight;
    if (metric.ends_with("_ms")) value = weighted / weight;
    out.push_back({start, end, value});
  }
  return out;
}

bool is_tick_metric(const std::string& m) {
  static const std::vector<std::string> kNames = {"achieved_rate", "offered_rate", "requests",
                                                  "errors",        "error_rate",   "p50_ms",
                                                  "p90_ms",        "p99_ms",       "mean_ms"};
  return std::find(kNames.begin(), kNames.end(), m) != kNames.end();
}

}  // namespace

bool is_run_store(const fs::path& path) {
  if (path.extension() == ".db") return true;
  return fs::is_directory(path);
}

TimeSeries read_history_store(const fs::path& path, const std::string& metric,
                              std::int64_t step_ns) {
  std::vector<Point> points;
  std::int64_t tick_ns = 0;
  for (const auto& db : run_dbs(path)) {
    const RunStore store = RunStore::open(db);
    if (is_tick_metric(metric)) {
      auto p = tick_points(store, metric);
      if (tick_ns == 0 && !p.empty()) tick_ns = p.front().end_ns - p.front().start_ns;
      points.insert(points.end(), p.begin(), p.end());
    } else {
      for (const auto& m : store.metric_series(metric)) {
        points.push_back({m.wall_ns, m.wall_ns, m.value});
      }
    }
  }
  if (points.size() < 2) {
    throw InputError(
        fmt::format("{}: {} values of \"{}\" in the runs there (tick metrics: {}; or a name of the "
                    "store's metrics table)",
                    path.string(), points.size(), metric, kStoreTickMetrics));
  }
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.start_ns < b.start_ns; });
  if (step_ns <= 0) step_ns = tick_ns;
  if (step_ns <= 0) {
    throw InputError(
        fmt::format("{}: \"{}\" has no tick length; give --step", path.string(), metric));
  }
  // Steps on a grid from the first point; each holds the mean of its points.
  const std::int64_t t0 = points.front().start_ns / step_ns * step_ns;
  const std::int64_t last = points.back().start_ns;
  const auto n = static_cast<std::size_t>((last - t0) / step_ns + 1);
  if (n > 10'000'000) {
    throw InputError(fmt::format("{}: {} steps of {} s: give a longer --step", path.string(), n,
                                 static_cast<double>(step_ns) / 1e9));
  }
  std::vector<double> sum(n, 0.0), count(n, 0.0);
  for (const auto& p : points) {
    const auto i = static_cast<std::size_t>((p.start_ns - t0) / step_ns);
    sum[i] += p.value;
    count[i] += 1;
  }
  TimeSeries s;
  s.start_ns = t0;
  s.step_ns = step_ns;
  s.values.resize(n);
  s.valid.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    s.valid[i] = count[i] > 0 ? 1 : 0;
    s.values[i] = count[i] > 0 ? sum[i] / count[i] : std::nan("");
  }
  return s;
}

}  // namespace lp
