// bench_forecast: loadpilot's forecasters on real data, beside the reference
// implementations from PyPI run in the same run.
//   - M4 Hourly (../shared/data/M4): the M4 protocol, horizon 48, m = 24,
//     sMAPE, MASE, MSIS at 95 % and coverage, with the published figures.
//     References (project .venv): statsmodels ETS, statsmodels SARIMAX with
//     a stepwise order search, and Prophet, through bench/forecast_reference*.py.
//   - Rolling-origin 24 h-ahead forecasts on NASA-HTTP hourly (the outage
//     masked), NAB nyc_taxi (30 min) and elb_request_count (5 min).
// Prints a table (data set x model x metric, fit time) and one JSON line last.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "loadpilot/host/forecast/history_csv.hpp"
#include "loadpilot/host/plugin/component.hpp"
#include "loadpilot/host/plugin/plugin_registry.hpp"
#include "scores.hpp"

namespace {

namespace fs = std::filesystem;
using lp::bench::Scores;
using Clock = std::chrono::steady_clock;
constexpr std::size_t kH = 48;
constexpr std::size_t kM = 24;
constexpr double kAlpha = 0.05;
constexpr std::int64_t kHourNs = 3'600'000'000'000;

struct Series {
  std::string id;
  std::vector<double> values;
};

std::vector<Series> read_m4(const fs::path& file, std::size_t limit) {
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error(file.string() + ": cannot read (is ../shared beside the repo?)");
  std::vector<Series> out;
  std::string line;
  std::getline(in, line);  // header
  while (out.size() < limit && std::getline(in, line)) {
    std::stringstream cells(line);
    std::string cell;
    Series s;
    std::getline(cells, cell, ',');
    s.id = cell.substr(cell.find_first_not_of('"'),
                       cell.find_last_not_of('"') - cell.find_first_not_of('"') + 1);
    while (std::getline(cells, cell, ',')) {
      cell.erase(
          std::remove_if(cell.begin(), cell.end(), [](char c) { return c == '"' || c == '\r'; }),
          cell.end());
      if (!cell.empty()) s.values.push_back(std::stod(cell));
    }
    out.push_back(std::move(s));
  }
  return out;
}

// One fit and forecast with the 2.5 % and 97.5 % quantiles, timed.
struct Forecast {
  std::vector<double> mean, lo, hi;
  double seconds = 0;
};

Forecast run_model(const lp::PluginRegistry& registry, const std::string& model,
                   const lp::TimeSeries& history, std::size_t h) {
  lp::HostServices services("bench/" + model);
  lp::Component c(registry, LP_KIND_FORECASTER, model, "{}", services);
  lp::ForecasterClient f(c);
  const auto t0 = Clock::now();
  f.fit(history);
  const std::vector<double> q{kAlpha / 2, 1 - kAlpha / 2};
  const auto r = f.predict(h, q);
  Forecast out;
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  out.mean = r.mean;
  for (std::size_t i = 0; i < h; ++i) {
    out.lo.push_back(r.quantile(i, 0));
    out.hi.push_back(r.quantile(i, 1));
  }
  return out;
}

// Scores over all series, and over the first `head` (the references' share).
struct M4Scores {
  Scores all, head;
};

M4Scores m4_model(const lp::PluginRegistry& registry, const std::string& model,
                  const std::vector<Series>& train, const std::vector<Series>& test,
                  std::size_t head) {
  Scores total, first;
  for (std::size_t i = 0; i < train.size(); ++i) {
    lp::TimeSeries s;
    s.step_ns = kHourNs;
    s.values = train[i].values;
    const Forecast f = run_model(registry, model, s, kH);
    Scores one =
        lp::bench::score(train[i].values, {}, test[i].values, {}, f.mean, f.lo, f.hi, kM, kAlpha);
    one.seconds = f.seconds;
    total.add(one);
    if (i < head) first.add(one);
    if ((i + 1) % 50 == 0) std::cerr << model << ": " << i + 1 << "/" << train.size() << "\n";
  }
  return {total.mean(), first.mean()};
}

// A reference script: `python SCRIPT --train CSV --series N --out CSV` writing
// id,h,mean,lo,hi,seconds (95 % interval, fit seconds per series).
struct Reference {
  std::string name;    // as printed
  std::string script;  // in bench/
  std::string ours;    // the loadpilot model it is the reference of
};
const std::vector<Reference> kReferences = {
    {"statsmodels-ets", "forecast_reference.py", "ets"},
    {"statsmodels-arima", "forecast_reference_arima.py", "arima"},
    {"prophet-pypi", "forecast_reference_prophet.py", "prophet"},
};

Scores m4_reference(const fs::path& repo, const Reference& ref, const fs::path& data,
                    std::size_t series, const std::vector<Series>& train,
                    const std::vector<Series>& test) {
  const fs::path python = repo / ".venv" / "bin" / "python";
  if (!fs::exists(python))
    throw std::runtime_error(python.string() + " missing: run scripts/setup");
  const fs::path script = repo / "bench" / ref.script;
  if (!fs::exists(script)) throw std::runtime_error(script.string() + " missing");
  const fs::path out = fs::temp_directory_path() / ("lp_bench_forecast_" + ref.name + ".csv");
  const std::string cmd = python.string() + " " + script.string() + " --train " +
                          (data / "Hourly-train.csv").string() + " --series " +
                          std::to_string(series) + " --out " + out.string();
  std::cerr << ref.name << " on the same " << train.size() << " series (slow)...\n";
  const auto t0 = Clock::now();
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("the reference failed: " + cmd);
  std::cerr << ref.name << " wall time " << std::chrono::duration<double>(Clock::now() - t0).count()
            << " s\n";
  std::map<std::string, std::vector<std::vector<double>>> rows;  // id -> [mean, lo, hi] per h
  std::map<std::string, double> fit_seconds;
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string id, h, mean, lo, hi, secs;
    for (std::string* c : {&id, &h, &mean, &lo, &hi, &secs}) std::getline(cells, *c, ',');
    rows[id].push_back({std::stod(mean), std::stod(lo), std::stod(hi)});
    if (!secs.empty() && secs != "\r") fit_seconds[id] = std::stod(secs);
  }
  fs::remove(out);
  Scores total;
  for (std::size_t i = 0; i < train.size(); ++i) {
    const auto it = rows.find(train[i].id);
    if (it == rows.end() || it->second.size() != kH) {
      std::cerr << ref.name << ": no forecast for " << train[i].id << "\n";
      continue;
    }
    std::vector<double> mean, lo, hi;
    for (const auto& r : it->second) {
      mean.push_back(r[0]);
      lo.push_back(r[1]);
      hi.push_back(r[2]);
    }
    Scores one =
        lp::bench::score(train[i].values, {}, test[i].values, {}, mean, lo, hi, kM, kAlpha);
    one.seconds = fit_seconds[train[i].id];
    total.add(one);
  }
  return total.mean();
}

// Rolling-origin forecasts on one CSV series: origins one horizon apart
// going back from the end, each model fitted on at most `max_train` steps.
struct RollingSet {
  std::string key;   // for the JSON: nasa, nyc_taxi, elb
  std::string name;  // as printed
  fs::path file;
  std::vector<std::pair<std::string, std::string>> masks;  // outages, FROM/TO
  std::size_t origins = 7;
  std::size_t max_train_days = 28;
};

Scores rolling(const lp::PluginRegistry& registry, const std::string& model,
               const RollingSet& set) {
  lp::TimeSeries all = lp::read_history_csv(set.file);
  for (const auto& [from, to] : set.masks) {
    lp::mask_range(all, *lp::parse_timestamp(from), *lp::parse_timestamp(to));
  }
  const auto per_day = static_cast<std::size_t>(86'400'000'000'000 / all.step_ns);
  const std::size_t h = per_day, m = per_day, max_train = set.max_train_days * per_day;
  Scores total;
  for (std::size_t j = 0; j < set.origins; ++j) {
    if (all.values.size() < (j + 1) * h + 2 * m) break;
    const std::size_t origin = all.values.size() - (j + 1) * h;
    const std::size_t first = origin > max_train ? origin - max_train : 0;
    lp::TimeSeries train;
    train.step_ns = all.step_ns;
    train.start_ns = all.start_ns + static_cast<std::int64_t>(first) * all.step_ns;
    train.values.assign(all.values.begin() + first, all.values.begin() + origin);
    if (!all.valid.empty())
      train.valid.assign(all.valid.begin() + first, all.valid.begin() + origin);
    std::vector<double> test(all.values.begin() + origin, all.values.begin() + origin + h);
    std::vector<std::uint8_t> test_valid;
    if (!all.valid.empty())
      test_valid.assign(all.valid.begin() + origin, all.valid.begin() + origin + h);
    const Forecast f = run_model(registry, model, train, h);
    Scores one = lp::bench::score(train.values, train.valid, test, test_valid, f.mean, f.lo, f.hi,
                                  m, kAlpha);
    one.seconds = f.seconds;
    if (one.n > 0) total.add(one);
  }
  return total.mean();
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string json_key(std::string s) {
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

void print_row(const std::string& set, const std::string& model, const Scores& s) {
  std::printf("%-16s %-20s %8.3f %8.3f %8.3f %9.3f %6zu %11.2f\n", set.c_str(), model.c_str(),
              s.smape, s.mase, s.msis, s.coverage, s.n, s.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const fs::path repo = fs::canonical(fs::path(LOADPILOT_SOURCE_DIR));
    const fs::path shared = repo.parent_path() / "shared" / "data";
    std::size_t series = 414;
    std::size_t ref_series = 20;  // the references take seconds to minutes per series
    std::vector<std::string> models{"seasonal-naive", "ets", "arima", "prophet", "lstm"};
    std::vector<std::string> references{"ets", "arima", "prophet"};
    bool rolling_sets = true;
    fs::path m4 = shared / "M4";
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--help" || a == "-h") {
        std::cout << "usage: bench/forecast [--series N] [--models a,b,...] [--references "
                     "ets,arima,prophet | --no-reference] [--reference-series N (20)] "
                     "[--no-rolling] [--data M4_DIR]\n"
                     "  models default: every installed one of seasonal-naive, ets, arima, "
                     "prophet, lstm\n";
        return 0;
      } else if (a == "--no-reference") {
        references.clear();
      } else if (a == "--no-rolling") {
        rolling_sets = false;
      } else if (i + 1 < argc && a == "--reference-series") {
        ref_series = std::stoul(argv[++i]);
      } else if (i + 1 < argc && a == "--series") {
        series = std::stoul(argv[++i]);
      } else if (i + 1 < argc && a == "--data") {
        m4 = argv[++i];
      } else if (i + 1 < argc && a == "--models") {
        models = split(argv[++i]);
      } else if (i + 1 < argc && a == "--references") {
        references = split(argv[++i]);
      } else {
        throw std::invalid_argument("unknown argument " + a + " (see --help)");
      }
    }
    const auto train = read_m4(m4 / "Hourly-train.csv", series);
    const auto test = read_m4(m4 / "Hourly-test.csv", series);
    if (train.size() != test.size())
      throw std::runtime_error("train and test differ in series count");

    lp::PluginRegistry registry;
    registry.load_directories({fs::path(LOADPILOT_PLUGIN_BUILD_DIR)});
    for (const auto& model : models) {
      if (registry.find(LP_KIND_FORECASTER, model) == nullptr) {
        throw std::runtime_error("no forecaster \"" + model + "\" in " LOADPILOT_PLUGIN_BUILD_DIR +
                                 " (build it, or leave it out of --models)");
      }
    }

    std::map<std::string, Scores> m4_results;  // model or reference name
    std::map<std::string, Scores> m4_head;     // model, on the references' series
    const std::size_t ref_n = std::min(ref_series, train.size());
    for (const auto& model : models) {
      const M4Scores r = m4_model(registry, model, train, test, ref_n);
      m4_results[model] = r.all;
      m4_head[model] = r.head;
    }
    const std::vector<Series> ref_train(train.begin(), train.begin() + static_cast<long>(ref_n));
    const std::vector<Series> ref_test(test.begin(), test.begin() + static_cast<long>(ref_n));
    std::vector<const Reference*> refs;
    for (const auto& which : references) {
      const auto it = std::find_if(kReferences.begin(), kReferences.end(),
                                   [&](const Reference& r) { return r.ours == which; });
      if (it == kReferences.end())
        throw std::invalid_argument("--references: no reference for " + which);
      m4_results[it->name] = m4_reference(repo, *it, m4, ref_n, ref_train, ref_test);
      refs.push_back(&*it);
    }

    const std::vector<RollingSet> sets = {
        {"nasa",
         "NASA-HTTP 1h",
         shared / "nasa_http" / "nasa_http_1h.csv",
         {{"1995-08-01 14:00:00", "1995-08-03 05:00:00"}},
         14,
         28},
        {"nyc_taxi",
         "nyc_taxi 30m",
         shared / "NAB" / "data" / "realKnownCause" / "nyc_taxi.csv",
         {},
         14,
         28},
        {"elb",
         "elb_requests 5m",
         shared / "NAB" / "data" / "realAWSCloudwatch" / "elb_request_count_8c0756.csv",
         {},
         5,
         9},
    };
    std::map<std::string, std::map<std::string, Scores>> rolled;  // set -> model -> scores
    if (rolling_sets) {
      for (const auto& set : sets) {
        for (const auto& model : models) {
          std::cerr << set.name << ": " << model << "\n";
          rolled[set.key][model] = rolling(registry, model, set);
        }
      }
    }

    std::printf(
        "\nM4 Hourly: %zu series, horizon %zu, m = %zu (M4 protocol; MSIS at 95 %%). "
        "Rolling origin: 24 h ahead, one origin per day back from the end.\n",
        train.size(), kH, kM);
    std::printf("%-16s %-20s %8s %8s %8s %9s %6s %11s\n", "data set", "model", "sMAPE", "MASE",
                "MSIS", "coverage", "fcsts", "fit+pred s");
    std::string best;
    for (const auto& model : models) {
      print_row("M4 Hourly", model, m4_results[model]);
      if (best.empty() || m4_results[model].mase < m4_results[best].mase) best = model;
    }
    if (!refs.empty()) {
      const std::string label = "M4 first " + std::to_string(ref_n);
      for (const auto* r : refs) {
        if (m4_head.count(r->ours)) print_row(label, r->ours, m4_head[r->ours]);
        print_row(label, r->name + " (ref)", m4_results[r->name]);
      }
    }
    for (const auto& set : sets) {
      if (!rolling_sets) break;
      for (const auto& model : models) print_row(set.name, model, rolled[set.key][model]);
    }
    std::printf(
        "published M4 Hourly (all 414): Seasonal naive 13.912 / 1.193, Naive2 18.383 / 2.395, "
        "Theta 18.138 / 2.455, ES-RNN 9.328 / 0.893, best 8.913 / 0.801 (sMAPE / MASE); "
        "MSIS: ARIMA 7.54, ETS 17.49, Naive 71.25\n");
    for (const auto* r : refs) {
      const auto ours = m4_head.find(r->ours);
      if (ours == m4_head.end()) continue;
      const Scores& ref = m4_results[r->name];
      std::printf(
          "%s vs %s on the first %zu series: MASE ratio %.3f (goal <= 1.05), time %.1f s "
          "vs %.1f s\n",
          r->ours.c_str(), r->name.c_str(), ref_n, ours->second.mase / ref.mase,
          ours->second.seconds, ref.seconds);
    }
    std::printf(
        "goals: best M4 MASE <= 0.90 (%s %.3f), MSIS <= 7.5 (%.3f), coverage in "
        "[0.93, 0.97] (%.3f)\n",
        best.c_str(), m4_results[best].mase, m4_results[best].msis, m4_results[best].coverage);

    std::string json = "{\"bench\":\"forecast\",\"series\":" + std::to_string(train.size());
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  ",\"m4_best_model\":\"%s\",\"m4_best_mase\":%.4f,\"m4_best_msis\":%.4f,"
                  "\"m4_best_coverage95\":%.4f",
                  best.c_str(), m4_results[best].mase, m4_results[best].msis,
                  m4_results[best].coverage);
    json += buf;
    // Reference figures are over the first ref_n series only: "ref_" keys,
    // with our models' figures on the same series beside them.
    const auto is_ref = [&](const std::string& name) {
      return std::any_of(refs.begin(), refs.end(),
                         [&](const Reference* r) { return r->name == name; });
    };
    if (!refs.empty()) {
      json += ",\"ref_series\":" + std::to_string(ref_n);
      for (const auto& [model, h] : m4_head) {
        std::snprintf(buf, sizeof buf, ",\"ref_mase_%s\":%.4f", json_key(model).c_str(), h.mase);
        json += buf;
      }
    }
    for (const auto& [name, s] : m4_results) {
      const std::string k = (is_ref(name) ? "ref_" : "") + json_key(name);
      std::snprintf(buf, sizeof buf,
                    ",\"m4_mase_%s\":%.4f,\"m4_msis_%s\":%.4f,\"m4_coverage95_%s\":%.4f,"
                    "\"m4_seconds_%s\":%.2f",
                    k.c_str(), s.mase, k.c_str(), s.msis, k.c_str(), s.coverage, k.c_str(),
                    s.seconds);
      json += buf;
    }
    for (const auto& [set, by_model] : rolled) {
      for (const auto& [model, s] : by_model) {
        std::snprintf(buf, sizeof buf, ",\"%s_mase_%s\":%.4f", set.c_str(), json_key(model).c_str(),
                      s.mase);
        json += buf;
      }
    }
    std::printf("%s}\n", json.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_forecast: " << e.what() << "\n";
    return 1;
  }
}
