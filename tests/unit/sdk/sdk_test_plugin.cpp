// A plugin built with the C++ SDK that has one component of every kind, each
// small but real, to check the SDK's trampolines end to end.
#include <loadpilot/sdk.hpp>

#include <cmath>
#include <map>
#include <numeric>

namespace {

using namespace lp::sdk;

// Flags values more than `k` standard deviations from the running mean.
class ZScore {
 public:
  static constexpr lp_kind kind = LP_KIND_DETECTOR;
  static constexpr const char* type_name = "test-zscore";
  static constexpr const char* description = "running z-score (SDK test)";
  static constexpr const char* config_schema =
      R"({"type":"object","properties":{"k":{"type":"number","exclusiveMinimum":0}}})";

  static void validate(std::string_view config) {
    if (config.find("\"k\": 0.5") != std::string_view::npos) {
      throw ConfigError("k = 0.5 is too small to be useful");
    }
  }
  ZScore(const Host& host, std::string_view config) : host_(host) {
    if (config.find("explode") != std::string_view::npos) throw std::runtime_error("boom");
  }
  std::uint64_t warmup() const { return 3; }
  Detection observe(std::int64_t wall_ns, std::span<const double> x) {
    if (x.empty()) throw Error("need one value", LP_ERR_INVALID_ARGUMENT);
    if (std::isnan(x[0])) throw std::invalid_argument("NaN input");
    Detection d;
    if (n_ >= 2) {
      const double sd = std::sqrt(m2_ / static_cast<double>(n_ - 1));
      d.expected_low = mean_ - 3 * sd;
      d.expected_high = mean_ + 3 * sd;
      d.flag = x[0] < d.expected_low || x[0] > d.expected_high;
      d.score = d.flag ? 1.0 : 0.0;
    }
    ++n_;
    const double delta = x[0] - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x[0] - mean_);
    host_.emit_metric("zscore_mean", mean_, wall_ns);
    return d;
  }

 private:
  Host host_;
  std::size_t n_ = 0;
  double mean_ = 0, m2_ = 0;
};

// Repeats the last season of the history.
class Repeat {
 public:
  static constexpr lp_kind kind = LP_KIND_FORECASTER;
  static constexpr const char* type_name = "test-repeat";
  static constexpr const char* description = "seasonal repeat (SDK test)";
  static constexpr const char* config_schema = R"({"type":"object"})";
  Repeat(const Host&, std::string_view) {}
  void fit(const Series& s, std::span<const Event>) {
    history_.assign(s.values.begin(), s.values.end());
    start_ = s.start_ns;
    step_ = s.step_ns;
  }
  Forecast predict(std::size_t h, std::span<const double> q, std::span<const Event> events) {
    Forecast f;
    f.step_ns = step_;
    f.start_ns = start_ + static_cast<std::int64_t>(history_.size()) * step_;
    f.quantile_count = q.size();
    for (std::size_t i = 0; i < h; ++i) {
      double v = history_.empty() ? 0 : history_[i % history_.size()];
      for (const auto& e : events) v *= e.multiplier;
      f.mean.push_back(v);
      for (double p : q) f.quantiles.push_back(v * (0.5 + p));
    }
    return f;
  }
  std::string save() const { return std::to_string(history_.size()); }

 private:
  std::vector<double> history_;
  std::int64_t start_ = 0, step_ = 0;
};

// Sums what it is given; flush emits the total.
class Summer {
 public:
  static constexpr lp_kind kind = LP_KIND_SINK;
  static constexpr const char* type_name = "test-sum";
  static constexpr const char* description = "sums points (SDK test)";
  static constexpr const char* config_schema = R"({"type":"object"})";
  Summer(const Host& host, std::string_view) : host_(host) {}
  void write(std::span<const lp_metric_point> points) {
    for (const auto& p : points) total_ += p.value;
  }
  void flush() { host_.emit_metric("sum_total", total_, 0); }

 private:
  Host host_;
  double total_ = 0;
};

class Counter {
 public:
  static constexpr lp_kind kind = LP_KIND_SOURCE;
  static constexpr const char* type_name = "test-counter";
  static constexpr const char* description = "counts polls (SDK test)";
  static constexpr const char* config_schema = R"({"type":"object"})";
  Counter(const Host&, std::string_view) {}
  std::vector<MetricPoint> poll() {
    ++polls_;
    return {{"polls", {{"source", "counter"}}, static_cast<double>(polls_), 1},
            {"constant", {}, 42.0, 1}};
  }

 private:
  int polls_ = 0;
};

class Fleet {
 public:
  static constexpr lp_kind kind = LP_KIND_PROVIDER;
  static constexpr const char* type_name = "test-fleet";
  static constexpr const char* description = "in-memory fleet (SDK test)";
  static constexpr const char* config_schema = R"({"type":"object"})";
  Fleet(const Host&, std::string_view) {}
  std::vector<InstanceType> instance_types() { return {{"small", 2, 4, 0.1}, {"big", 8, 32, 0.4}}; }
  void scale_to(std::string_view type, std::uint32_t n) {
    if (type != "small" && type != "big") throw Error("unknown instance type", LP_ERR_INVALID_ARGUMENT);
    count_ = n;
    type_ = type;
  }
  std::vector<Generator> list() {
    std::vector<Generator> out;
    for (std::uint32_t i = 0; i < count_; ++i) {
      out.push_back({"g" + std::to_string(i), "127.0.0.1", type_, LP_GENERATOR_READY});
    }
    return out;
  }
  void teardown() { count_ = 0; }

 private:
  std::uint32_t count_ = 0;
  std::string type_;
};

class Ticker {
 public:
  static constexpr lp_kind kind = LP_KIND_TOOL;
  static constexpr const char* type_name = "test-ticker";
  static constexpr const char* description = "emits one sample per poll (SDK test)";
  static constexpr const char* config_schema = R"({"type":"object"})";
  Ticker(const Host&, std::string_view) {}
  void prepare() {}
  std::vector<std::string> request_types() { return {"GET /a", "POST /b"}; }
  void start(const lp_tool_target& t) { rate_ = t.rate_per_s; }
  void set_target(const lp_tool_target& t) {
    if (t.rate_per_s >= 0) rate_ = t.rate_per_s;
  }
  ToolStatus poll(std::vector<lp_sample>& out) {
    lp_sample s{};
    s.latency_ns = 1000;
    s.request_type = 1;
    s.status_code = 200;
    out.push_back(s);
    return {LP_TOOL_RUNNING, 1, rate_, ""};
  }
  void stop(std::int64_t) {}

 private:
  double rate_ = 0;
};

}  // namespace

LOADPILOT_PLUGIN("sdk-test", "2.3.4", "every kind, for the SDK tests", ZScore, Repeat, Summer,
                 Counter, Fleet, Ticker)
