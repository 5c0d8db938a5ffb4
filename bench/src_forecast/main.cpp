// bench_forecast: M4 Hourly with the M4 protocol. Every forecaster plugin
// named fits each training series and forecasts 48 hours with the 2.5 % and
// 97.5 % quantiles; the reference (statsmodels ETS) runs on the same series
// in the same run through bench/forecast_reference.py. Prints a table and one
// JSON line last.
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "loadpilot/host/plugin/component.hpp"
#include "loadpilot/host/plugin/plugin_registry.hpp"
#include "nginx.hpp"  // run_capture

namespace {

namespace fs = std::filesystem;
constexpr std::size_t kH = 48;
constexpr std::size_t kM = 24;
constexpr double kAlpha = 0.05;

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

struct Scores {
  double smape = 0, mase = 0, msis = 0, coverage = 0, seconds = 0;
  std::size_t n = 0;
  void add(const Scores& s) {
    smape += s.smape;
    mase += s.mase;
    msis += s.msis;
    coverage += s.coverage;
    seconds += s.seconds;
    ++n;
  }
  Scores mean() const {
    const double k = n ? static_cast<double>(n) : 1;
    return {smape / k, mase / k, msis / k, coverage / k, seconds, n};
  }
};

// The M4 definitions, for one series.
Scores score(const std::vector<double>& train, const std::vector<double>& test,
             const std::vector<double>& mean, const std::vector<double>& lo,
             const std::vector<double>& hi) {
  double scale = 0;
  for (std::size_t i = kM; i < train.size(); ++i) scale += std::fabs(train[i] - train[i - kM]);
  scale /= static_cast<double>(train.size() - kM);
  Scores s;
  for (std::size_t h = 0; h < kH; ++h) {
    const double y = test[h], f = mean[h];
    s.smape += 200 * std::fabs(y - f) / (std::fabs(y) + std::fabs(f));
    s.mase += std::fabs(y - f) / scale;
    const double penalty = (lo[h] - y) * (y < lo[h]) + (y - hi[h]) * (y > hi[h]);
    s.msis += ((hi[h] - lo[h]) + 2 / kAlpha * penalty) / scale;
    s.coverage += (y >= lo[h] && y <= hi[h]) ? 1 : 0;
  }
  for (double* v : {&s.smape, &s.mase, &s.msis, &s.coverage}) *v /= static_cast<double>(kH);
  return s;
}

struct Options {
  std::size_t series = 414;
  std::vector<std::string> models{"seasonal-naive", "ets"};
  bool reference = true;
  fs::path data;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const fs::path repo = fs::canonical(fs::path(LOADPILOT_SOURCE_DIR));
    Options o;
    o.data = repo.parent_path() / "shared" / "data" / "M4";
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--help" || a == "-h") {
        std::cout
            << "usage: bench_forecast [--series N] [--models a,b] [--no-reference] [--data DIR]\n";
        return 0;
      } else if (a == "--no-reference") {
        o.reference = false;
      } else if (i + 1 < argc && a == "--series") {
        o.series = std::stoul(argv[++i]);
      } else if (i + 1 < argc && a == "--data") {
        o.data = argv[++i];
      } else if (i + 1 < argc && a == "--models") {
        o.models.clear();
        std::stringstream list(argv[++i]);
        for (std::string m; std::getline(list, m, ',');) o.models.push_back(m);
      } else {
        throw std::invalid_argument("unknown argument " + a + " (see --help)");
      }
    }
    const auto train = read_m4(o.data / "Hourly-train.csv", o.series);
    const auto test = read_m4(o.data / "Hourly-test.csv", o.series);
    if (train.size() != test.size())
      throw std::runtime_error("train and test differ in series count");

    lp::PluginRegistry registry;
    registry.load_directories({fs::path(LOADPILOT_PLUGIN_BUILD_DIR)});
    std::map<std::string, Scores> results;
    std::vector<std::string> order;
    for (const auto& model : o.models) {
      if (registry.find(LP_KIND_FORECASTER, model) == nullptr) {
        throw std::runtime_error("no forecaster \"" + model + "\" in " LOADPILOT_PLUGIN_BUILD_DIR);
      }
      Scores total;
      for (std::size_t i = 0; i < train.size(); ++i) {
        lp::HostServices services("bench/" + model);
        lp::Component c(registry, LP_KIND_FORECASTER, model, "{}", services);
        lp::ForecasterClient f(c);
        lp::TimeSeries s;
        s.start_ns = 0;
        s.step_ns = 3'600'000'000'000;
        s.values = train[i].values;
        const auto t0 = std::chrono::steady_clock::now();
        f.fit(s);
        const std::vector<double> q{kAlpha / 2, 1 - kAlpha / 2};
        const auto r = f.predict(kH, q);
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::vector<double> lo(kH), hi(kH);
        for (std::size_t h = 0; h < kH; ++h) {
          lo[h] = r.quantile(h, 0);
          hi[h] = r.quantile(h, 1);
        }
        Scores one = score(train[i].values, test[i].values, r.mean, lo, hi);
        one.seconds = secs;
        total.add(one);
        if ((i + 1) % 50 == 0) std::cerr << model << ": " << i + 1 << "/" << train.size() << "\n";
      }
      results[model] = total.mean();
      order.push_back(model);
    }
    if (o.reference) {
      const fs::path python = repo / ".venv" / "bin" / "python";
      if (!fs::exists(python))
        throw std::runtime_error(python.string() + " missing: run scripts/setup");
      const fs::path out = fs::temp_directory_path() / "lp_bench_forecast_statsmodels.csv";
      const std::string cmd = python.string() + " " +
                              (repo / "bench" / "forecast_reference.py").string() + " --train " +
                              (o.data / "Hourly-train.csv").string() + " --series " +
                              std::to_string(o.series) + " --out " + out.string();
      std::cerr << "statsmodels ETS on the same " << train.size() << " series (slow)...\n";
      const auto t0 = std::chrono::steady_clock::now();
      if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error("the reference script failed: " + cmd);
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::map<std::string, std::vector<std::vector<double>>> rows;  // id -> [mean, lo, hi] per h
      std::map<std::string, double> fit_seconds;
      std::ifstream in(out);
      std::string line;
      std::getline(in, line);
      while (std::getline(in, line)) {
        std::stringstream cells(line);
        std::string id, h, mean, lo, hi, secs;
        std::getline(cells, id, ',');
        std::getline(cells, h, ',');
        std::getline(cells, mean, ',');
        std::getline(cells, lo, ',');
        std::getline(cells, hi, ',');
        std::getline(cells, secs, ',');
        rows[id].push_back({std::stod(mean), std::stod(lo), std::stod(hi)});
        if (!secs.empty() && secs != "\r") fit_seconds[id] = std::stod(secs);
      }
      Scores total;
      for (std::size_t i = 0; i < train.size(); ++i) {
        const auto it = rows.find(train[i].id);
        if (it == rows.end() || it->second.size() != kH) continue;
        std::vector<double> mean, lo, hi;
        for (const auto& r : it->second) {
          mean.push_back(r[0]);
          lo.push_back(r[1]);
          hi.push_back(r[2]);
        }
        Scores one = score(train[i].values, test[i].values, mean, lo, hi);
        one.seconds = fit_seconds[train[i].id];
        total.add(one);
      }
      results["statsmodels-ets"] = total.mean();
      order.push_back("statsmodels-ets");
      std::cerr << "reference wall time " << wall << " s\n";
      fs::remove(out);
    }

    std::printf("M4 Hourly, %zu series, horizon %zu, m = %zu (M4 protocol; MSIS at 95 %%)\n",
                train.size(), kH, kM);
    std::printf("%-18s %8s %8s %8s %10s %8s %10s\n", "model", "sMAPE", "MASE", "MSIS", "coverage",
                "series", "fit+pred s");
    std::string best;
    for (const auto& m : order) {
      const Scores& s = results[m];
      std::printf("%-18s %8.3f %8.3f %8.3f %10.3f %8zu %10.2f\n", m.c_str(), s.smape, s.mase,
                  s.msis, s.coverage, s.n, s.seconds);
      if (m != "statsmodels-ets" && (best.empty() || s.mase < results[best].mase)) best = m;
    }
    std::printf(
        "published M4 (all 414): Seasonal naive 13.912 / 1.193, Naive2 18.383 / 2.395, "
        "Theta 18.138 / 2.455, ES-RNN 9.328 / 0.893, best 8.913 / 0.801 (sMAPE / MASE); "
        "MSIS: ARIMA 7.54, ETS 17.49, Naive 71.25\n");
    std::string json = "{\"bench\":\"forecast\",\"series\":" + std::to_string(train.size());
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  ",\"m4_best_model\":\"%s\",\"m4_best_mase\":%.4f,\"m4_best_msis\":%.4f,\"m4_best_"
                  "coverage95\":%.4f",
                  best.c_str(), results[best].mase, results[best].msis, results[best].coverage);
    json += buf;
    for (const auto& m : order) {
      std::string key = m;
      std::replace(key.begin(), key.end(), '-', '_');
      std::snprintf(buf, sizeof buf, ",\"m4_mase_%s\":%.4f,\"m4_seconds_%s\":%.2f", key.c_str(),
                    results[m].mase, key.c_str(), results[m].seconds);
      json += buf;
    }
    std::printf("%s}\n", json.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_forecast: " << e.what() << "\n";
    return 1;
  }
}
