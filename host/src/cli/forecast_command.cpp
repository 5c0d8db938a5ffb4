// `loadpilot forecast`: fit a forecaster plugin on a history file and write
// the forecast (CSV or JSON) and a plot. `--model auto` picks the forecaster
// with the lowest mean MASE over rolling-origin backtests of the history.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../forecast/forecast_plot.hpp"
#include "commands.hpp"
#include "loadpilot/host/cli/cli.hpp"
#include "loadpilot/host/forecast/history_csv.hpp"
#include "loadpilot/host/forecast/history_store.hpp"
#include "loadpilot/host/plan/duration.hpp"
#include "loadpilot/host/plugin/component.hpp"

namespace lp::cli {
namespace {

struct Fitted {
  std::unique_ptr<HostServices> services;
  std::unique_ptr<Component> component;
  std::unique_ptr<ForecasterClient> client;
};

Fitted make(const PluginRegistry& registry, const std::string& type, const std::string& config) {
  Fitted f;
  f.services = std::make_unique<HostServices>("forecast/" + type);
  f.component =
      std::make_unique<Component>(registry, LP_KIND_FORECASTER, type, config, *f.services);
  f.client = std::make_unique<ForecasterClient>(*f.component);
  return f;
}

TimeSeries head(const TimeSeries& s, std::size_t n) {
  TimeSeries out = s;
  out.values.resize(n);
  if (!out.valid.empty()) out.valid.resize(n);
  return out;
}

bool valid_at(const TimeSeries& s, std::size_t i) {
  return s.valid.empty() || s.valid[i] != 0;
}

// MASE of a forecast of the `h` values after `origin`, scaled by the in-sample
// MAE of the seasonal naive (lag m) forecast, as M4 defines it.
double mase(const TimeSeries& s, std::size_t origin, const std::vector<double>& forecast,
            std::size_t m) {
  double scale = 0;
  std::size_t n = 0;
  for (std::size_t i = m; i < origin; ++i) {
    if (valid_at(s, i) && valid_at(s, i - m)) {
      scale += std::fabs(s.values[i] - s.values[i - m]);
      ++n;
    }
  }
  double err = 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < forecast.size() && origin + i < s.values.size(); ++i) {
    if (!valid_at(s, origin + i)) continue;
    err += std::fabs(s.values[origin + i] - forecast[i]);
    ++k;
  }
  if (n == 0 || k == 0 || scale == 0) return std::numeric_limits<double>::infinity();
  return (err / static_cast<double>(k)) / (scale / static_cast<double>(n));
}

std::string pick_by_backtest(const PluginRegistry& registry, const TimeSeries& history,
                             const std::vector<LoadEvent>& events, std::size_t horizon) {
  const std::size_t m =
      std::max<std::size_t>(1, history.step_ns > 0 && 86'400'000'000'000 % history.step_ns == 0
                                   ? static_cast<std::size_t>(86'400'000'000'000 / history.step_ns)
                                   : 1);
  std::string best;
  double best_score = std::numeric_limits<double>::infinity();
  std::cerr << "backtest (rolling origin, 3 folds of " << horizon << " steps, MASE):\n";
  for (const auto& type : registry.type_names(LP_KIND_FORECASTER)) {
    double total = 0;
    int folds = 0;
    std::string failure;
    for (std::size_t k = 3; k >= 1; --k) {
      if (history.values.size() <= k * horizon + 2 * m) continue;
      const std::size_t origin = history.values.size() - k * horizon;
      try {
        Fitted f = make(registry, type, "{}");
        f.client->fit(head(history, origin), events);
        const auto r = f.client->predict(horizon, {}, events);
        total += mase(history, origin, r.mean, m);
        ++folds;
      } catch (const std::exception& e) {
        failure = e.what();
        break;
      }
    }
    if (!failure.empty() || folds == 0) {
      std::cerr << fmt::format("  {:<16} skipped: {}\n", type,
                               failure.empty() ? "history too short" : failure);
      continue;
    }
    const double score = total / folds;
    std::cerr << fmt::format("  {:<16} {:.4f}\n", type, score);
    if (score < best_score) {
      best_score = score;
      best = type;
    }
  }
  if (best.empty())
    throw InputError("--model auto: no forecaster could be backtested on this history");
  std::cerr << "chosen: " << best << "\n";
  return best;
}

void write_csv(std::ostream& out, const ForecastResult& r, const std::vector<double>& q) {
  out << "timestamp,mean";
  for (const double level : q) out << fmt::format(",q{:g}", level);
  out << "\n";
  for (std::size_t i = 0; i < r.mean.size(); ++i) {
    out << format_timestamp(r.start_ns + static_cast<std::int64_t>(i) * r.step_ns) << ','
        << fmt::format("{:.6g}", r.mean[i]);
    for (std::size_t k = 0; k < r.quantile_count; ++k)
      out << fmt::format(",{:.6g}", r.quantile(i, k));
    out << "\n";
  }
}

nlohmann::json to_json(const ForecastResult& r, const std::vector<double>& q,
                       const std::string& model) {
  nlohmann::json steps = nlohmann::json::array();
  for (std::size_t i = 0; i < r.mean.size(); ++i) {
    nlohmann::json quant = nlohmann::json::object();
    for (std::size_t k = 0; k < r.quantile_count; ++k)
      quant[fmt::format("{:g}", q[k])] = r.quantile(i, k);
    steps.push_back(
        {{"timestamp", format_timestamp(r.start_ns + static_cast<std::int64_t>(i) * r.step_ns)},
         {"mean", r.mean[i]},
         {"quantiles", quant}});
  }
  return {{"model", model}, {"step_s", static_cast<double>(r.step_ns) / 1e9}, {"forecast", steps}};
}

std::int64_t duration_ns(const std::string& text, const char* option) {
  const auto d = parse_duration(text);
  if (!d || d->count() <= 0) {
    throw InputError(fmt::format("{} {}: expected a duration like 1h, 90m or 14d", option, text));
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(*d).count();
}

// The history: a CSV, a run store, or a source plugin's range query.
TimeSeries read_history(const PluginRegistry& registry, const ForecastOptions& o,
                        std::string& label) {
  std::string source = o.source;
  std::string source_config = o.source_config;
  if (!o.prometheus.empty()) {
    if (!source.empty() && source != "prometheus")
      throw InputError("--prometheus and --source " + source + ": give one");
    source = "prometheus";
    source_config = nlohmann::json{{"url", o.prometheus}}.dump();
  }
  const int given = (o.history.empty() ? 0 : 1) + (source.empty() ? 0 : 1);
  if (given != 1) {
    throw InputError(
        "give the history: --history FILE.csv, --history RUNS_DIR, or --prometheus URL --query Q");
  }
  if (!o.history.empty()) {
    label = o.history.filename().string();
    if (!std::filesystem::exists(o.history))
      throw InputError(fmt::format("--history {}: no such file or directory", o.history.string()));
    if (is_run_store(o.history)) {
      label += " " + o.metric;
      return read_history_store(o.history, o.metric,
                                o.step.empty() ? 0 : duration_ns(o.step, "--step"));
    }
    return read_history_csv(o.history);
  }
  if (o.query.empty()) throw InputError("--source/--prometheus needs --query");
  if (registry.find(LP_KIND_SOURCE, source) == nullptr)
    throw InputError(fmt::format("--source {}: no such source plugin", source));
  if (auto problem = registry.validate_config(LP_KIND_SOURCE, source, source_config))
    throw InputError(fmt::format("--source-config: {}", *problem));
  const std::int64_t step = duration_ns(o.step.empty() ? "1h" : o.step, "--step");
  const std::int64_t range = duration_ns(o.range, "--range");
  std::int64_t until = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  if (!o.until.empty()) {
    const auto t = parse_timestamp(o.until);
    if (!t) throw InputError(fmt::format("--until {}: not a timestamp", o.until));
    until = *t;
  }
  until = until / step * step;  // whole steps, so the grid is the server's own
  HostServices services("source/" + source);
  Component c(registry, LP_KIND_SOURCE, source, source_config, services);
  SourceClient client(c);
  spdlog::info("{}: {} over {} at {} s steps", source, o.query, o.range,
               static_cast<double>(step) / 1e9);
  label = o.query;
  return client.query_range(o.query, until - range, until, step);
}

}  // namespace

int forecast_command(const GlobalOptions& global, const ForecastOptions& o) {
  PluginRegistry registry;
  load_plugins(registry, global);
  try {
    std::string label;
    TimeSeries history = read_history(registry, o, label);
    for (const auto& range : o.masks) {
      const auto slash = range.find('/');
      const auto from = parse_timestamp(range.substr(0, slash));
      const auto to =
          slash == std::string::npos ? std::nullopt : parse_timestamp(range.substr(slash + 1));
      if (!from || !to)
        throw InputError(fmt::format("--mask {}: expected FROM/TO timestamps", range));
      mask_range(history, *from, *to);
    }
    const std::vector<LoadEvent> events =
        o.events.empty() ? std::vector<LoadEvent>{} : read_events_csv(o.events);
    const auto horizon_time = parse_duration(o.horizon);
    if (!horizon_time || horizon_time->count() <= 0) {
      throw InputError(fmt::format("--horizon {}: expected a duration like 24h or 90m", o.horizon));
    }
    const auto horizon_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(*horizon_time).count();
    const auto horizon =
        static_cast<std::size_t>((horizon_ns + history.step_ns - 1) / history.step_ns);
    std::vector<double> quantiles;
    std::stringstream list(o.quantiles);
    for (std::string item; std::getline(list, item, ',');) {
      char* end = nullptr;
      const double q = std::strtod(item.c_str(), &end);
      if (end == item.c_str() || *end != '\0' || !(q > 0 && q < 1)) {
        throw InputError(fmt::format("--quantiles: \"{}\" is not a level in (0, 1)", item));
      }
      quantiles.push_back(q);
    }
    std::sort(quantiles.begin(), quantiles.end());

    std::string model = o.model;
    if (model == "auto") model = pick_by_backtest(registry, history, events, horizon);
    if (registry.find(LP_KIND_FORECASTER, model) == nullptr) {
      const auto names = registry.type_names(LP_KIND_FORECASTER);
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw InputError(
          fmt::format("--model {}: no such forecaster (installed: {}; or auto)", model, known));
    }
    if (auto problem = registry.validate_config(LP_KIND_FORECASTER, model, o.config)) {
      throw InputError(fmt::format("--config: {}", *problem));
    }
    Fitted f = make(registry, model, o.config);
    spdlog::info("fitting {} on {} values ({} masked) at {} s steps", model, history.values.size(),
                 std::count(history.valid.begin(), history.valid.end(), std::uint8_t{0}),
                 static_cast<double>(history.step_ns) / 1e9);
    f.client->fit(history, events);
    const ForecastResult r = f.client->predict(horizon, quantiles, events);
    if (!o.save_state.empty()) {
      std::ofstream(o.save_state) << f.client->save();
    }
    if (o.out.empty() || o.out == "-") {
      write_csv(std::cout, r, quantiles);
    } else {
      std::ofstream out(o.out);
      if (!out) throw InputError(fmt::format("{}: cannot write", o.out));
      if (o.out.ends_with(".json")) {
        out << to_json(r, quantiles, model).dump(1) << "\n";
      } else {
        write_csv(out, r, quantiles);
      }
      spdlog::info("forecast of {} steps written to {}", horizon, o.out);
    }
    if (!o.plot.empty()) {
      write_forecast_svg(o.plot, history, r,
                         fmt::format("{}: {} forecast, {} steps", label, model, horizon));
      spdlog::info("plot written to {}", o.plot);
    }
    return kSuccess;
  } catch (const InputError& e) {
    spdlog::error("{}", e.what());
    return kUsageOrPlanError;
  } catch (const ComponentError& e) {
    spdlog::error("{}", e.what());
    return kRuntimeFailure;
  }
}

}  // namespace lp::cli
