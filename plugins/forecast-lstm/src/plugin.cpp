// forecaster "lstm": a small LSTM per service on windows of the history
// (lstm_net.hpp, windows.hpp), trained with the pinball loss for the trained
// quantile levels; the point forecast is the median. Deterministic for a
// seed: torch runs on one intra-op thread by default, the initial weights and
// the shuffles come from the seed.
//   fit(): trains from scratch with early stopping on the last `validation`
//           windows; a history shorter than one season of window + the
//           horizon + 24 windows is refused ("history too short"): use
//           seasonal-naive for such services. Longer windows are cut down
//           (whole seasons) until 24 windows fit.
//   update(): appends the ticks, so the next forecast starts from them with
//           the same weights; with "update_epochs" > 0 it also fine-tunes on
//           the windows whose targets include the new ticks.
//   save()/load(): the weights (torch::save, base64), the kept history and
//           the network's shape and levels, as JSON; a loaded model forecasts
//           identically (training options come from the loading instance).
// The defaults (3 seasons of window, 8 hidden units, learning rate 3e-4,
// patience 5) did best of the configurations tried on M4 Hourly: larger
// networks and faster learning overfit a single series within a few epochs.
#include <algorithm>
#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/binary_from_base64.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#include <cmath>
#include <cstdio>
#include <loadpilot/sdk.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "history.hpp"
#include "lstm_net.hpp"
#include "quantiles.hpp"
#include "windows.hpp"

namespace {

using lp::sdk::Error;
using nlohmann::json;
namespace fc = lp::forecast;
namespace ls = lp::forecast::lstm;

constexpr std::size_t kMinWindows = 24;

std::string to_base64(const std::string& bytes) {
  using namespace boost::archive::iterators;
  using It = base64_from_binary<transform_width<std::string::const_iterator, 6, 8>>;
  std::string out(It(bytes.begin()), It(bytes.end()));
  return out.append((3 - bytes.size() % 3) % 3, '=');
}

std::string from_base64(std::string text) {
  using namespace boost::archive::iterators;
  using It = transform_width<binary_from_base64<std::string::const_iterator>, 8, 6>;
  const std::size_t pad = text.size() - text.find_last_not_of('=') - 1;
  text.resize(text.size() - std::min<std::size_t>(pad, 2));
  return std::string(It(text.begin()), It(text.end()));
}

class Lstm {
 public:
  static constexpr lp_kind kind = LP_KIND_FORECASTER;
  static constexpr const char* type_name = "lstm";
  static constexpr const char* description =
      "LSTM network per series (libtorch) on normalised windows with calendar and event "
      "features; quantile outputs trained with the pinball loss";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "season": {"type": "integer", "minimum": 0, "maximum": 10000,
                 "description": "season length in steps (one LSTM token); default one day of steps, 0 for none"},
      "window_seasons": {"type": "integer", "minimum": 1, "maximum": 56, "default": 3,
                         "description": "input window in seasons (without a season: in 24 steps)"},
      "horizon": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 48,
                  "description": "steps the network forecasts at once; longer horizons are forecast recursively"},
      "hidden": {"type": "integer", "minimum": 2, "maximum": 1024, "default": 8},
      "epochs": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 60},
      "max_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 86400, "default": 4,
                      "description": "training budget per fit, in CPU seconds of the fitting thread"},
      "batch": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 64},
      "learning_rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.0003},
      "patience": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 5},
      "validation": {"type": "integer", "minimum": 0, "maximum": 100000, "default": 48,
                     "description": "last windows held out for early stopping (0: none)"},
      "final_epochs": {"type": "integer", "minimum": 0, "maximum": 100000, "default": 0,
                       "description": "epochs on all windows after early stopping"},
      "quantiles": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                    "default": [0.025, 0.1, 0.5, 0.9, 0.975],
                    "description": "trained levels; others are interpolated in normal scores"},
      "max_history_seasons": {"type": "integer", "minimum": 2, "maximum": 100000, "default": 84,
                              "description": "history kept and trained on, in seasons"},
      "update_epochs": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 0,
                        "description": "fine-tuning epochs on new ticks in update() (0: only move the window)"},
      "seed": {"type": "integer", "minimum": 0, "default": 1},
      "threads": {"type": "integer", "minimum": 1, "maximum": 256, "default": 1,
                  "description": "torch intra-op threads; 1 keeps fits reproducible"}
    },
    "additionalProperties": false
  })json";

  Lstm(const lp::sdk::Host& host, std::string_view config)
      : host_(host), config_(json::parse(config)) {
    o_.window_seasons = config_.value("window_seasons", o_.window_seasons);
    o_.horizon = config_.value("horizon", o_.horizon);
    o_.net.hidden = config_.value("hidden", o_.net.hidden);
    o_.net.epochs = config_.value("epochs", o_.net.epochs);
    o_.net.max_seconds = config_.value("max_seconds", o_.net.max_seconds);
    o_.net.batch = config_.value("batch", o_.net.batch);
    o_.net.learning_rate = config_.value("learning_rate", o_.net.learning_rate);
    o_.net.patience = config_.value("patience", o_.net.patience);
    o_.validation = config_.value("validation", o_.validation);
    o_.final_epochs = config_.value("final_epochs", o_.final_epochs);
    o_.max_history_seasons = config_.value("max_history_seasons", o_.max_history_seasons);
    o_.update_epochs = config_.value("update_epochs", o_.update_epochs);
    o_.net.seed = config_.value("seed", o_.net.seed);
    o_.net.threads = config_.value("threads", o_.net.threads);
    try {
      o_.net.levels = ls::training_levels(config_.value("quantiles", o_.net.levels));
    } catch (const std::invalid_argument& e) {
      throw Error(std::string("lstm: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
  }

  void fit(const lp::sdk::Series& history, std::span<const lp::sdk::Event> events) {
    fc::History h = fc::prepare_history(history, events);
    std::vector<std::uint8_t> event(h.values.size());
    for (std::size_t t = 0; t < event.size(); ++t) {
      const std::int64_t at = h.start_ns + static_cast<std::int64_t>(t) * h.step_ns;
      event[t] = fc::event_factor(events, at, h.step_ns) != 1.0;
    }
    const std::size_t m = fc::season_length(config_, h.step_ns);
    const std::size_t chunk = m >= 2 ? m : 1;
    ls::SeriesView view(std::move(h), std::move(event), chunk);
    view.keep_last(o_.max_history_seasons * chunk);
    // Without a season a token is one step and the window at least a day's 24.
    ls::Shape shape{chunk, o_.window_seasons * (chunk == 1 ? 24 : chunk), o_.horizon};
    // A short history gets a shorter window, down to one season.
    const auto needed = [&](std::size_t window) {
      return window + shape.horizon + kMinWindows - 1;
    };
    const std::size_t floor = chunk == 1 ? 24 : chunk;
    while (shape.window > floor && view.size() < needed(shape.window)) shape.window -= floor;
    const std::size_t valid = view.history().valid_count();
    if (view.size() < needed(shape.window) || valid < shape.window + shape.horizon) {
      throw Error("history too short: lstm needs at least " + std::to_string(needed(shape.window)) +
                      " steps (" + std::to_string(shape.window) + " of window, " +
                      std::to_string(shape.horizon) + " ahead, " + std::to_string(kMinWindows) +
                      " windows) with " + std::to_string(shape.window + shape.horizon) +
                      " valid values; got " + std::to_string(view.size()) + " steps, " +
                      std::to_string(valid) + " valid",
                  LP_ERR_INVALID_ARGUMENT);
    }
    const std::vector<std::size_t> origins = view.training_origins(shape);
    if (origins.size() < kMinWindows) {
      throw Error("history too short: only " + std::to_string(origins.size()) +
                      " training windows are at least half valid (need " +
                      std::to_string(kMinWindows) + ")",
                  LP_ERR_INVALID_ARGUMENT);
    }
    // The last `validation` origins (at most a quarter) are held out.
    const std::size_t held = std::min(o_.validation, origins.size() / 4);
    const std::size_t cut = view.size() - shape.horizon + 1 - held;
    std::vector<std::size_t> train, check;
    for (const std::size_t o : origins) (o < cut ? train : check).push_back(o);
    if (train.empty()) train = origins;

    o_.net.shape = shape;
    view_ = std::move(view);
    net_.init(o_.net);
    report_ = net_.train(view_.windows(shape, train), view_.windows(shape, check), o_.net,
                         o_.net.epochs, o_.net.learning_rate);
    widen_ = calibrate(view_.windows(shape, check));
    if (o_.final_epochs > 0) {
      net_.train(view_.windows(shape, origins), {}, o_.net, o_.final_epochs,
                 o_.net.learning_rate / 3);
    }
    set_bounds();
    char line[256];
    std::snprintf(line, sizeof line,
                  "lstm fit: %zu steps, window %zu, %zu + %zu windows, %zu epochs (best %zu), "
                  "held-out pinball %.4f (untrained %.4f), %.2f s, intervals x%.2f",
                  view_.size(), shape.window, train.size(), check.size(), report_.epochs,
                  report_.best_epoch, report_.best_loss, report_.initial_loss, report_.seconds,
                  widen_);
    host_.debug(line);
  }

  void update(const lp::sdk::Series& more) {
    if (!net_.ready()) throw Error("update before fit", LP_ERR_INVALID_ARGUMENT);
    fc::History h{view_.end_ns(), view_.history().step_ns, {}, {}};
    fc::append_history(h, more, {});
    const std::size_t old_end = view_.size();
    view_.append(h);
    const std::size_t kept = o_.max_history_seasons * o_.net.shape.chunk;
    const std::size_t dropped = view_.size() > kept ? view_.size() - kept : 0;
    view_.keep_last(kept);
    if (o_.update_epochs > 0) {
      // Fine-tune on the windows whose targets reach the new ticks.
      std::vector<std::size_t> recent;
      for (const std::size_t o : view_.training_origins(o_.net.shape)) {
        if (o + o_.net.shape.horizon + dropped > old_end) recent.push_back(o);
      }
      if (!recent.empty()) {
        net_.train(view_.windows(o_.net.shape, recent), {}, o_.net, o_.update_epochs,
                   o_.net.learning_rate / 10);
      }
    }
    set_bounds();
  }

  lp::sdk::Forecast predict(std::size_t horizon, std::span<const double> quantiles,
                            std::span<const lp::sdk::Event> events) {
    if (!net_.ready()) throw Error("predict before fit", LP_ERR_INVALID_ARGUMENT);
    for (const double q : quantiles) {
      if (!(q > 0 && q < 1))
        throw Error("quantile levels must be in (0, 1)", LP_ERR_INVALID_ARGUMENT);
    }
    const std::vector<double>& levels = o_.net.levels;
    const std::size_t Q = levels.size(), H = o_.net.shape.horizon;
    const std::size_t mid =
        static_cast<std::size_t>(std::find(levels.begin(), levels.end(), 0.5) - levels.begin());
    lp::sdk::Forecast f;
    f.start_ns = view_.end_ns();
    f.step_ns = view_.history().step_ns;
    f.quantile_count = quantiles.size();
    f.mean.reserve(horizon);
    f.quantiles.reserve(horizon * quantiles.size());
    const auto factors = fc::horizon_factors(f.start_ns, f.step_ns, horizon, events);
    // Beyond the trained horizon the medians are fed back as the next window.
    ls::SeriesView rolling = view_;
    std::vector<double> at(Q);
    while (f.mean.size() < horizon) {
      const ls::Batch b = rolling.windows(o_.net.shape, {rolling.size()});
      const std::vector<float> out = net_.forward(b);
      fc::History next{rolling.end_ns(), f.step_ns, {}, {}};
      for (std::size_t h = 0; h < H && f.mean.size() < horizon; ++h) {
        const double median = out[h * Q + mid];
        for (std::size_t k = 0; k < Q; ++k) {
          const double spread = widen_ * (out[h * Q + k] - median);
          at[k] = bound((median + spread + 1.0) * b.level[0]);
        }
        const double factor = factors[f.mean.size()];
        f.mean.push_back(at[mid] * factor);
        for (const double q : quantiles)
          f.quantiles.push_back(bound(ls::quantile_at(levels, at, q)) * factor);
        next.values.push_back(at[mid]);
        next.valid.push_back(1);
      }
      if (f.mean.size() < horizon) rolling.append(next);
    }
    return f;
  }

  std::string save() const {
    if (!net_.ready()) throw Error("nothing to save: fit first", LP_ERR_INVALID_ARGUMENT);
    const fc::History& h = view_.history();
    const ls::Shape& s = o_.net.shape;
    return json{{"model", type_name},      {"version", 1},
                {"start_ns", h.start_ns},  {"step_ns", h.step_ns},
                {"values", h.values},      {"valid", h.valid},
                {"event", view_.event()},  {"shape", {s.chunk, s.window, s.horizon}},
                {"levels", o_.net.levels}, {"hidden", o_.net.hidden},
                {"widen", widen_},         {"weights", to_base64(net_.weights())}}
        .dump();
  }

  void load(std::string_view state) {
    const json j = json::parse(state, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("model", "") != type_name) {
      throw Error("not a saved lstm state", LP_ERR_INVALID_ARGUMENT);
    }
    try {
      if (j.at("version").get<int>() != 1) throw std::invalid_argument("unknown version");
      fc::History h{j.at("start_ns").get<std::int64_t>(), j.at("step_ns").get<std::int64_t>(),
                    j.at("values").get<std::vector<double>>(),
                    j.at("valid").get<std::vector<std::uint8_t>>()};
      auto event = j.at("event").get<std::vector<std::uint8_t>>();
      const auto shape = j.at("shape").get<std::vector<std::size_t>>();
      if (shape.size() != 3 || shape[0] == 0 || shape[1] % shape[0] != 0 ||
          h.valid.size() != h.values.size() || h.values.size() < shape[1] || h.step_ns <= 0) {
        throw std::invalid_argument("inconsistent shape or history");
      }
      o_.net.shape = {shape[0], shape[1], shape[2]};
      o_.net.levels = ls::training_levels(j.at("levels").get<std::vector<double>>());
      o_.net.hidden = j.at("hidden").get<std::size_t>();
      widen_ = j.at("widen").get<double>();
      ls::LstmNet net;
      net.init(o_.net);
      net.load_weights(from_base64(j.at("weights").get<std::string>()));
      view_ = ls::SeriesView(std::move(h), std::move(event), shape[0]);
      net_ = std::move(net);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(std::string("saved lstm state: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
    set_bounds();
  }

  // What the last fit did, for logs and tests.
  const ls::TrainReport& report() const { return report_; }

 private:
  struct Options {
    std::size_t window_seasons = 3;
    std::size_t horizon = 48;
    std::size_t validation = 48;
    std::size_t final_epochs = 0;
    std::size_t max_history_seasons = 84;
    std::size_t update_epochs = 0;
    ls::NetOptions net;
  };

  // The factor on the quantiles' distances from the median that makes the
  // outermost trained interval cover its nominal share of the held-out
  // windows (split-conformal style; at least 1: a per-series network fitted
  // on its own past is overconfident, never too cautious, on new data).
  double calibrate(const ls::Batch& held_out) const {
    const std::vector<double>& lv = o_.net.levels;
    const std::size_t Q = lv.size(), H = o_.net.shape.horizon;
    const std::size_t mid =
        static_cast<std::size_t>(std::find(lv.begin(), lv.end(), 0.5) - lv.begin());
    const std::vector<float> out = net_.forward(held_out);
    std::vector<double> need;
    for (std::size_t i = 0; i < held_out.count * H; ++i) {
      if (held_out.weight[i] == 0) continue;
      const double y = held_out.target[i], m = out[i * Q + mid];
      const double edge = y < m ? out[i * Q] : out[i * Q + Q - 1];
      if (std::fabs(edge - m) > 1e-9) need.push_back((y - m) / (edge - m));
    }
    if (need.size() < 2 * H) return 1.0;  // too little to judge
    std::sort(need.begin(), need.end());
    const double c = fc::sorted_quantile(need, lv.back() - lv.front());
    return std::clamp(c, 1.0, 4.0);
  }

  // A history that never went below zero gets no negative forecasts.
  void set_bounds() {
    const fc::History& h = view_.history();
    nonnegative_ = true;
    for (std::size_t t = 0; t < h.values.size(); ++t)
      if (h.valid[t] && h.values[t] < 0) nonnegative_ = false;
  }
  double bound(double v) const { return nonnegative_ ? std::max(v, 0.0) : v; }

  lp::sdk::Host host_;
  json config_;
  Options o_;
  ls::SeriesView view_;
  ls::LstmNet net_;
  ls::TrainReport report_;
  double widen_ = 1;  // calibrate()
  bool nonnegative_ = true;
};

}  // namespace

LOADPILOT_PLUGIN("forecast-lstm", "0.1.0", "LSTM forecaster on libtorch", Lstm)
