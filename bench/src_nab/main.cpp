// bench_nab: the Numenta Anomaly Benchmark (v1.1) for loadpilot's detector
// plugins. Each plugin runs through the real plugin host over the 58 NAB
// series (a fresh instance per series, every value observed in order), and
// is scored with loadpilot_nab, a C++ port of NAB's scorer. In the same run:
// the per-point max of the plugins (ensemble_max), scikit-learn's
// IsolationForest and OneClassSVM under the plugins' exact streaming
// protocol (bench/nab_reference.py, run in the background), NAB's own
// windowedGaussian (ported, a check of the scorer) and the null detector.
// Prints a table beside the published scoreboard and one JSON line last.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loadpilot/host/plugin/plugin_registry.hpp"
#include "nab/corpus.hpp"
#include "nab/scorer.hpp"
#include "nab/windowed_gaussian.hpp"
#include "plugin_detectors.hpp"
#include "progress.hpp"
#include "sklearn_reference.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const char* const kUsage =
    R"(usage: bench_nab [--detectors LIST] [--config TYPE=JSON]... [--plugin-dir DIR]...
                 [--nab DIR] [--python PATH] [--sklearn LIST | --no-sklearn] [--full-precision]

NAB v1.1 scores (standard, reward_low_FP_rate, reward_low_FN_rate; 100 is
perfect, 0 the null detector) of loadpilot's detector plugins, of their
per-point max (ensemble_max), of scikit-learn references, of NAB's
windowedGaussian and of the null detector, beside NAB's published scoreboard.

  --detectors LIST     detector plugin types, comma-separated
                       (default ewma,mad,cusum,iforest,ocsvm)
  --config TYPE=JSON   a JSON object merged into TYPE's config (default {});
                       for iforest / ocsvm it also configures the sklearn
                       reference: shingle, window, train_min, refit_every, seed,
                       trees, subsample (iforest), nu, gamma (ocsvm)
  --plugin-dir DIR     where the plugins are (default: the build's plugins/)
  --nab DIR            the NAB root (default: ../shared/data/NAB)
  --python PATH        Python with numpy and scikit-learn (default: .venv/bin/python)
  --sklearn LIST       scikit-learn references to run (default iforest,ocsvm)
  --no-sklearn         skip the scikit-learn references
  --full-precision     score the full-precision scores; by default scores are
                       rounded to 12 significant digits, as NAB's Python 2
                       results files stored them for the published scoreboard

The last line is JSON: nab_standard_<row>, nab_reward_low_FP_rate_<row>,
nab_reward_low_FN_rate_<row> and seconds_<row> for every row, and
nab_best_standard / nab_best_detector over the plugins and ensemble_max.
)";

struct Options {
  std::vector<std::string> detectors = {"ewma", "mad", "cusum", "iforest", "ocsvm"};
  std::map<std::string, json> configs;
  std::vector<fs::path> plugin_dirs;
  fs::path nab = fs::path(LOADPILOT_SOURCE_DIR) / ".." / "shared" / "data" / "NAB";
  fs::path python = fs::path(LOADPILOT_SOURCE_DIR) / ".venv" / "bin" / "python";
  std::vector<std::string> sklearn = {"iforest", "ocsvm"};
  bool full_precision = false;
};

struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (arg == "--no-sklearn") {
      o.sklearn.clear();
      continue;
    }
    if (arg == "--full-precision") {
      o.full_precision = true;
      continue;
    }
    static const char* const kValued[] = {"--detectors", "--config", "--plugin-dir",
                                          "--nab",       "--python", "--sklearn"};
    if (std::find(std::begin(kValued), std::end(kValued), arg) == std::end(kValued)) {
      throw UsageError("unknown option " + arg + " (see --help)");
    }
    if (i + 1 >= argc) throw UsageError(arg + " needs a value (see --help)");
    const std::string value = argv[++i];
    if (arg == "--detectors") {
      o.detectors = split(value);
      if (o.detectors.empty()) throw UsageError("--detectors needs at least one type");
    } else if (arg == "--config") {
      const auto eq = value.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--config takes TYPE=JSON");
      json c;
      try {
        c = json::parse(value.substr(eq + 1));
      } catch (const json::exception& e) {
        throw UsageError("--config " + value.substr(0, eq) + ": invalid JSON: " + e.what());
      }
      if (!c.is_object()) throw UsageError("--config " + value.substr(0, eq) + ": not an object");
      o.configs[value.substr(0, eq)].update(c);
    } else if (arg == "--sklearn") {
      o.sklearn = split(value);
      for (const auto& m : o.sklearn) {
        if (m != "iforest" && m != "ocsvm") throw UsageError("--sklearn: no reference " + m);
      }
    } else if (arg == "--plugin-dir") {
      o.plugin_dirs.emplace_back(value);
    } else if (arg == "--nab") {
      o.nab = value;
    } else {  // --python
      o.python = value;
    }
  }
  for (const auto& [type, _] : o.configs) {
    const bool listed =
        std::find(o.detectors.begin(), o.detectors.end(), type) != o.detectors.end();
    if (!listed && type != "iforest" && type != "ocsvm") {
      throw UsageError("--config names " + type + ", which is not in --detectors");
    }
  }
  if (o.plugin_dirs.empty()) o.plugin_dirs.emplace_back(LOADPILOT_PLUGIN_BUILD_DIR);
  return o;
}

json config_of(const Options& o, const std::string& type) {
  const auto it = o.configs.find(type);
  return it == o.configs.end() ? json::object() : it->second;
}

// The script's arguments: the protocol's defaults, overridden by the keys
// the plugin of the same type is given, so both sides run alike.
std::vector<std::string> reference_args(const Options& o, const std::string& model) {
  json c = {{"shingle", 1}, {"window", 1024}, {"train_min", 256}, {"refit_every", 256}};
  if (model == "iforest") {
    c.update({{"seed", 1}, {"trees", 100}, {"subsample", 256}});
  } else {
    c.update({{"nu", 0.1}, {"gamma", 0}});
  }
  const json given = config_of(o, model);
  std::vector<std::string> args;
  for (const auto& [key, value] : c.items()) {
    const json& v = given.contains(key) ? given[key] : value;
    if (!v.is_number()) throw UsageError("--config " + model + ": " + key + " is not a number");
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    args.push_back(flag);
    args.push_back(v.dump());
  }
  return args;
}

// A row of the table.
struct Row {
  std::string name;
  lp::nab::Scores scores;
  double seconds = -1;  // negative: not measured
  lp::nab::NormalisedScores nab;
  double min = 0;
  double max = 0;
};

std::string seconds_text(double s) {
  if (s < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "lp-bench-nab-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temp dir");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "bench_nab: " << e.what() << "\n";
    return 2;
  }
  lp::bench::Progress progress;
  try {
    // Plugin logs go to stderr, warnings and above only.
    spdlog::set_default_logger(spdlog::stderr_color_mt("bench_nab"));
    spdlog::set_level(spdlog::level::warn);

    const auto load_start = std::chrono::steady_clock::now();
    const lp::nab::Corpus corpus = lp::nab::load_corpus(o.nab);
    const fs::path results_file = o.nab / "results" / "final_results.json";
    json published;
    try {
      published = json::parse(std::ifstream(results_file));
    } catch (const json::exception& e) {
      throw std::runtime_error(results_file.string() + ": " + e.what());
    }

    lp::PluginRegistry registry;
    lp::bench::load_detector_plugins(registry, o.plugin_dirs, o.detectors,
                                     [&](const std::string& w) { progress.note("warning: " + w); });

    // The references run in the background, one after the other.
    std::optional<TempDir> work;
    std::vector<std::unique_ptr<lp::bench::SklearnReference>> refs;
    if (!o.sklearn.empty()) {
      const fs::path script = fs::path(LOADPILOT_SOURCE_DIR) / "bench" / "nab_reference.py";
      if (!fs::exists(o.python)) {
        throw std::runtime_error(o.python.string() +
                                 " not found: run scripts/setup (it creates the project "
                                 "virtualenv with numpy and scikit-learn), or pass --no-sklearn");
      }
      if (!fs::exists(script)) throw std::runtime_error(script.string() + ": no such file");
      work.emplace();
      for (const std::string& model : o.sklearn) {
        refs.push_back(std::make_unique<lp::bench::SklearnReference>(
            o.python, script, o.nab, work->path(), model, reference_args(o, model)));
      }
      refs.front()->start();
    }
    // Starts the next reference once one is done; false when all are done.
    // `status` gets the running one's last log line (its progress).
    const auto poll_refs = [&](std::string& status) {
      for (auto& ref : refs) {
        if (!ref->started()) ref->start();
        if (ref->running()) {
          status = ref->last_line();
          return true;
        }
      }
      status.clear();
      return false;
    };

    std::printf("NAB v1.1: %zu series, %zu rows, %zu windows, profiles", corpus.series.size(),
                corpus.row_count(), corpus.window_count());
    for (const auto& p : corpus.profiles) std::printf(" %s", p.name.c_str());
    std::printf(" (%s)\n", o.nab.lexically_normal().c_str());
    std::fflush(stdout);

    std::vector<Row> rows;
    for (const auto& type : o.detectors) {
      const std::string config = config_of(o, type).dump();
      auto run = lp::bench::run_detector(
          registry, type, config, corpus,
          [&](std::size_t done, std::size_t total, const std::string& name) {
            std::string ref;
            poll_refs(ref);
            progress.update(type + ": " + std::to_string(done) + "/" + std::to_string(total) + " " +
                            name + (ref.empty() ? "" : "  |  " + ref));
          });
      progress.note(type + ": " + std::to_string(corpus.series.size()) + " series in " +
                    seconds_text(run.seconds) + " s (config " + config + ")");
      rows.push_back({type, std::move(run.scores), run.seconds, {}, 0, 0});
    }

    // The per-point max of the plugins' scores.
    Row ensemble{"ensemble_max", rows.front().scores, -1, {}, 0, 0};
    for (std::size_t d = 1; d < rows.size(); ++d) {
      for (std::size_t s = 0; s < corpus.series.size(); ++s) {
        for (std::size_t r = 0; r < corpus.series[s].values.size(); ++r) {
          ensemble.scores[s][r] = std::max(ensemble.scores[s][r], rows[d].scores[s][r]);
        }
      }
    }
    const std::size_t plugin_rows = rows.size() + 1;
    rows.push_back(std::move(ensemble));

    {
      Row wg{"windowed_gaussian", {}, 0, {}, 0, 0};
      const auto start = std::chrono::steady_clock::now();
      for (const auto& s : corpus.series) {
        wg.scores.push_back(lp::nab::windowed_gaussian_scores(s.values));
      }
      wg.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      Row null{"null", {}, 0, {}, 0, 0};
      for (const auto& s : corpus.series) null.scores.emplace_back(s.values.size(), 0.0);

      for (std::string ref; poll_refs(ref);) {
        progress.update("waiting for the sklearn references: " + ref);
        std::this_thread::sleep_for(500ms);
      }
      for (const auto& ref : refs) {
        rows.push_back({"sklearn_" + ref->model(), ref->scores(corpus), ref->seconds(), {}, 0, 0});
        progress.note("sklearn_" + ref->model() + ": " + seconds_text(ref->seconds()) +
                      " s fitting and scoring");
      }
      rows.push_back(std::move(wg));
      rows.push_back(std::move(null));
    }

    progress.update("scoring");
    for (Row& row : rows) {
      row.min = row.max = row.scores.front().front();
      for (auto& series : row.scores) {
        for (double& x : series) {
          row.min = std::min(row.min, x);
          row.max = std::max(row.max, x);
          if (!o.full_precision) x = lp::nab::as_stored_by_nab(x);
        }
      }
      try {
        row.nab = lp::nab::normalised_scores(corpus, row.scores);
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(row.name + ": " + e.what());
      }
    }
    progress.clear();

    std::printf(
        "scores %s; %.0f s in all\n\n",
        o.full_precision ? "at full precision"
                         : "rounded to 12 digits as NAB's results files stored them",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count());
    std::printf("%-20s %9s %12s %12s %12s %12s\n", "detector", "standard", "low_FP_rate",
                "low_FN_rate", "threshold", "fit+score s");
    for (const Row& row : rows) {
      std::printf("%-20s %9.2f %12.2f %12.2f %12.6g %12s\n", row.name.c_str(), row.nab.standard(),
                  row.nab.reward_low_fp_rate(), row.nab.reward_low_fn_rate(),
                  row.nab.at("standard").threshold, seconds_text(row.seconds).c_str());
    }
    for (const Row& row : rows) {
      if (row.min < 0 || row.max > 1) {
        std::printf(
            "note: %s scores span [%g, %g]; NAB's detectors give [0, 1] (the scorer "
            "takes any finite score)\n",
            row.name.c_str(), row.min, row.max);
      }
    }

    std::printf("\npublished scoreboard (%s):\n", results_file.lexically_normal().c_str());
    std::vector<std::pair<double, std::string>> board;
    for (const auto& [name, scores] : published.items()) {
      board.emplace_back(scores.value("standard", 0.0), name);
    }
    std::sort(board.rbegin(), board.rend());
    for (const auto& [standard, name] : board) {
      const json& s = published[name];
      std::printf("%-20s %9.2f %12.2f %12.2f\n", name.c_str(), standard,
                  s.value("reward_low_FP_rate", 0.0), s.value("reward_low_FN_rate", 0.0));
    }

    json out = {{"bench", "nab"}};
    std::size_t best = 0;
    for (std::size_t i = 0; i < plugin_rows; ++i) {
      if (rows[i].nab.standard() > rows[best].nab.standard()) best = i;
    }
    out["nab_best_standard"] = rows[best].nab.standard();
    out["nab_best_detector"] = rows[best].name;
    for (const Row& row : rows) {
      out["nab_standard_" + row.name] = row.nab.standard();
      out["nab_reward_low_FP_rate_" + row.name] = row.nab.reward_low_fp_rate();
      out["nab_reward_low_FN_rate_" + row.name] = row.nab.reward_low_fn_rate();
      if (row.seconds >= 0) out["seconds_" + row.name] = row.seconds;
    }
    if (published.contains("windowedGaussian")) {
      out["nab_published_standard_windowedGaussian"] =
          published["windowedGaussian"].value("standard", 0.0);
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
  } catch (const std::exception& e) {
    progress.clear();
    std::cerr << "bench_nab: " << e.what() << "\n";
    return 1;
  }
}
