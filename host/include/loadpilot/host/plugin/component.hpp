// Host side of the ABI for one component instance: creates and destroys it,
// turns failed calls into exceptions that name the component, and calls only
// members that lie within the sizes the plugin declared.
#pragma once

#include <loadpilot/abi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "loadpilot/host/plugin/plugin_registry.hpp"

namespace lp {

// A failed call into a plugin: "detector \"ewma\": observe: <plugin message>".
class ComponentError : public std::runtime_error {
 public:
  ComponentError(std::string message, lp_status status)
      : std::runtime_error(std::move(message)), status_(status) {}
  lp_status status() const noexcept { return status_; }

 private:
  lp_status status_;
};

// The services table one component instance gets; it labels logs and
// metrics with the component and forwards metrics to a sink the host sets.
class HostServices {
 public:
  using MetricFn =
      std::function<void(std::string_view component, std::string_view name, double value,
                         std::int64_t wall_ns, std::span<const lp_label> labels)>;
  explicit HostServices(std::string component_label, MetricFn on_metric = {});
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  const lp_host_services* table() const { return &table_; }
  const std::string& label() const { return label_; }
  // Errors reported from the plugin's own threads, taken (and cleared).
  std::vector<std::string> take_reported_errors();

 private:
  static void log(void* ctx, lp_log_level level, lp_str message);
  static std::int64_t monotonic_ns(void* ctx);
  static std::int64_t wall_ns(void* ctx);
  static void emit_metric(void* ctx, lp_str name, double value, std::int64_t wall_ns,
                          const lp_label* labels, size_t count);
  static void report_error(void* ctx, lp_str message);

  std::string label_;
  MetricFn on_metric_;
  std::mutex mutex_;
  std::vector<std::string> reported_;
  lp_host_services table_{};
};

class Component {
 public:
  // Creates an instance or throws ComponentError. `services` must outlive it.
  Component(const PluginRegistry& registry, lp_kind kind, std::string_view type_name,
            std::string_view config_json, HostServices& services);
  ~Component();
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;

  lp_kind kind() const { return factory_->kind; }
  const std::string& type_name() const { return type_; }
  lp_instance* handle() const { return instance_; }
  const void* ops() const { return factory_->ops; }

  // Calls fn(lp_error*) and throws ComponentError naming `what` unless LP_OK.
  template <class Fn>
  void call(std::string_view what, Fn&& fn) const {
    std::string message;
    lp_error err{&message, &capture};
    lp_status status = LP_ERR_FAILED;
    try {
      status = std::forward<Fn>(fn)(&err);
    } catch (...) {
      fail(what, LP_ERR_FAILED, "threw an exception across the ABI");
    }
    if (status != LP_OK) fail(what, status, message);
  }

 private:
  static void capture(void* ctx, lp_str message);
  [[noreturn]] void fail(std::string_view what, lp_status status, std::string_view message) const;

  const lp_component_factory* factory_ = nullptr;
  std::string type_;
  lp_instance* instance_ = nullptr;
};

struct DetectionResult {
  double score = 0;
  bool flag = false;
  double expected_low = 0;
  double expected_high = 0;
};

class DetectorClient {
 public:
  explicit DetectorClient(Component& c);
  std::uint64_t warmup() const;
  DetectionResult observe(std::int64_t wall_ns, std::span<const double> values);

 private:
  Component& c_;
  const lp_detector_ops* ops_;
};

// A regular series the host hands a forecaster; valid[i] == 0 masks a gap.
struct TimeSeries {
  std::int64_t start_ns = 0;
  std::int64_t step_ns = 0;
  std::vector<double> values;
  std::vector<std::uint8_t> valid;  // empty: all valid
};

struct LoadEvent {
  std::string name;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  double multiplier = 1.0;
};

struct ForecastResult {
  std::int64_t start_ns = 0;
  std::int64_t step_ns = 0;
  std::vector<double> mean;
  std::vector<double> quantiles;  // mean.size() rows of quantile_count values
  std::size_t quantile_count = 0;
  double quantile(std::size_t step, std::size_t k) const {
    return quantiles[step * quantile_count + k];
  }
};

class ForecasterClient {
 public:
  explicit ForecasterClient(Component& c);
  void fit(const TimeSeries& history, std::span<const LoadEvent> events = {});
  void update(const TimeSeries& more);
  ForecastResult predict(std::size_t horizon_steps, std::span<const double> quantiles,
                         std::span<const LoadEvent> events = {});
  std::string save();
  void load(std::string_view state);

 private:
  Component& c_;
  const lp_forecaster_ops* ops_;
};

// A `source` component: metrics of the system under test now (poll) and the
// history of one query (query_range), e.g. Prometheus.
struct MetricSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  std::int64_t wall_ns = 0;
};

class SourceClient {
 public:
  explicit SourceClient(Component& c);
  std::vector<MetricSample> poll();
  // A regular series over [start_ns, end_ns) at step_ns; gaps are invalid.
  TimeSeries query_range(std::string_view query, std::int64_t start_ns, std::int64_t end_ns,
                         std::int64_t step_ns);

 private:
  Component& c_;
  const lp_source_ops* ops_;
};

struct ToolTarget {
  double rate_per_s = -1;  // negative: leave as is
  std::int64_t concurrency = -1;
  double spawn_rate_per_s = -1;
  std::vector<double> mix;  // empty: leave as is
};

struct ToolPoll {
  lp_tool_state state = LP_TOOL_RUNNING;
  std::int64_t active_users = 0;
  double offered_rate_per_s = 0;
  std::string message;
};

class ToolClient {
 public:
  explicit ToolClient(Component& c);
  void prepare();
  std::vector<std::string> request_types();
  void start(const ToolTarget& initial);
  void set_target(const ToolTarget& target);
  // Hands each sample of the batch to `on_sample` (valid during the call).
  template <class Fn>
  ToolPoll poll(Fn&& on_sample) {
    lp_sample_batch batch{};
    batch.struct_size = sizeof batch;
    ToolPoll out = poll_raw(batch);
    const auto* bytes = static_cast<const unsigned char*>(batch.samples);
    for (std::size_t i = 0; i < batch.count; ++i) {
      on_sample(*reinterpret_cast<const lp_sample*>(bytes + i * batch.stride));
    }
    return out;
  }
  void stop(std::int64_t grace_ns);

 private:
  ToolPoll poll_raw(lp_sample_batch& batch);
  Component& c_;
  const lp_tool_ops* ops_;
};

class SinkClient {
 public:
  explicit SinkClient(Component& c);
  void write(std::span<const lp_metric_point> points);
  void flush();

 private:
  Component& c_;
  const lp_sink_ops* ops_;
};

}  // namespace lp
