// loadpilot plugin SDK for C++: header-only, over the C ABI in abi.h.
//
// A component is a plain class:
//
//   class Ewma {
//    public:
//     static constexpr lp_kind kind = LP_KIND_DETECTOR;
//     static constexpr const char* type_name = "ewma";
//     static constexpr const char* description = "EWMA with z-score bands";
//     static constexpr const char* config_schema = R"({"type":"object"})";
//     Ewma(const lp::sdk::Host& host, std::string_view config_json);
//     std::uint64_t warmup() const;
//     lp::sdk::Detection observe(std::int64_t wall_ns, std::span<const double> values);
//   };
//   LOADPILOT_PLUGIN("my-detectors", "1.0.0", "Detectors for my team", Ewma)
//
// The macro exports lp_plugin_describe() and generates noexcept trampolines:
// an exception thrown by a component becomes a status code plus its message
// (throw lp::sdk::Error to choose the status). Wrong method signatures fail
// at compile time with the expected signature in the message. Strings and
// arrays a component returns are kept alive by the SDK until the next call on
// the same instance, as the ABI requires.
#pragma once

#include <loadpilot/abi.h>

#include <concepts>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace lp::sdk {

inline lp_str to_lp(std::string_view s) noexcept { return lp_str{s.data(), s.size()}; }
inline std::string_view from_lp(lp_str s) noexcept {
  return s.ptr == nullptr ? std::string_view{} : std::string_view{s.ptr, s.len};
}

// Throw this to fail a call with a specific status.
class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, lp_status status = LP_ERR_FAILED)
      : std::runtime_error(std::move(message)), status_(status) {}
  lp_status status() const noexcept { return status_; }

 private:
  lp_status status_;
};

// Thrown for a config that parses but makes no sense.
class ConfigError : public Error {
 public:
  explicit ConfigError(std::string message) : Error(std::move(message), LP_ERR_INVALID_CONFIG) {}
};

// A host service is usable only within the size the host declared, and non-null.
#define LP_SDK_HOST_HAS(member) \
  (s_ != nullptr && LP_MEMBER_WITHIN(s_, lp_host_services, member) && s_->member != nullptr)

// The host's services, as given at create(). Cheap to copy.
class Host {
 public:
  explicit Host(const lp_host_services* services) noexcept : s_(services) {}

  void log(lp_log_level level, std::string_view message) const noexcept {
    if (LP_SDK_HOST_HAS(log)) s_->log(s_->host_ctx, level, to_lp(message));
  }
  void debug(std::string_view m) const noexcept { log(LP_LOG_DEBUG, m); }
  void info(std::string_view m) const noexcept { log(LP_LOG_INFO, m); }
  void warn(std::string_view m) const noexcept { log(LP_LOG_WARN, m); }
  void error(std::string_view m) const noexcept { log(LP_LOG_ERROR, m); }

  std::int64_t monotonic_ns() const noexcept {
    return LP_SDK_HOST_HAS(monotonic_ns) ? s_->monotonic_ns(s_->host_ctx) : 0;
  }
  std::int64_t wall_ns() const noexcept {
    return LP_SDK_HOST_HAS(wall_ns) ? s_->wall_ns(s_->host_ctx) : 0;
  }
  void emit_metric(std::string_view name, double value, std::int64_t wall_ns,
                   std::span<const lp_label> labels = {}) const noexcept {
    if (LP_SDK_HOST_HAS(emit_metric)) {
      s_->emit_metric(s_->host_ctx, to_lp(name), value, wall_ns, labels.data(), labels.size());
    }
  }
  void report_error(std::string_view message) const noexcept {
    if (LP_SDK_HOST_HAS(report_error)) s_->report_error(s_->host_ctx, to_lp(message));
  }

 private:
  const lp_host_services* s_;
};

// ------------------------------------------------------- per-kind C++ types

struct ToolStatus {
  lp_tool_state state = LP_TOOL_RUNNING;
  std::int64_t active_users = 0;
  double offered_rate_per_s = 0;
  std::string message;
};

struct InstanceType {
  std::string name;
  double vcpus = 0;
  double memory_gib = 0;
  double price_per_hour = 0;
};

struct Generator {
  std::string id;
  std::string address;
  std::string instance_type;
  lp_generator_state state = LP_GENERATOR_PENDING;
};

// A view of a regular series; valid is empty when every value is valid.
struct Series {
  std::int64_t start_ns = 0;
  std::int64_t step_ns = 0;
  std::span<const double> values;
  std::span<const std::uint8_t> valid;
  bool is_valid(std::size_t i) const noexcept { return valid.empty() || valid[i] != 0; }
};

struct Event {
  std::string_view name;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  double multiplier = 1.0;
};

struct Forecast {
  std::int64_t start_ns = 0;
  std::int64_t step_ns = 0;
  std::vector<double> mean;
  std::vector<double> quantiles;  // mean.size() rows of quantile_count, row-major
  std::size_t quantile_count = 0;
};

// A series a source returns (owning).
struct OwnedSeries {
  std::int64_t start_ns = 0;
  std::int64_t step_ns = 0;
  std::vector<double> values;
  std::vector<std::uint8_t> valid;  // empty: all valid
};

struct Detection {
  double score = 0;
  bool flag = false;
  double expected_low = std::numeric_limits<double>::quiet_NaN();
  double expected_high = std::numeric_limits<double>::quiet_NaN();
};

struct MetricPoint {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  std::int64_t wall_ns = 0;
};

namespace detail {

inline void set_error(lp_error* err, std::string_view message) noexcept {
  if (err != nullptr && err->set != nullptr) err->set(err->host_ctx, to_lp(message));
}

// Runs f; turns any exception into a status plus message. Never throws.
template <class F>
lp_status guard(lp_error* err, F&& f) noexcept {
  try {
    std::forward<F>(f)();
    return LP_OK;
  } catch (const Error& e) {
    set_error(err, e.what());
    return e.status();
  } catch (const std::exception& e) {
    set_error(err, e.what());
    return LP_ERR_FAILED;
  } catch (...) {
    set_error(err, "unknown exception");
    return LP_ERR_FAILED;
  }
}

inline std::vector<lp_label> label_views(
    const std::vector<std::pair<std::string, std::string>>& labels) {
  std::vector<lp_label> out;
  out.reserve(labels.size());
  for (const auto& [k, v] : labels) out.push_back({to_lp(k), to_lp(v)});
  return out;
}

// Buffers that keep a call's outputs alive until the next call (ABI rule).
struct OutputBuffers {
  std::vector<std::string> strings;
  std::vector<lp_str> strs;
  std::vector<lp_sample> samples;
  std::vector<lp_instance_type> types;
  std::vector<lp_generator> generators;
  std::vector<double> values;
  std::vector<double> quantiles;
  std::vector<std::uint8_t> valid;
  std::vector<std::vector<lp_label>> labels;
  std::vector<lp_metric_point> points;
  std::string text;
  Forecast forecast;
  std::vector<InstanceType> instance_types;
  std::vector<Generator> generator_list;
  std::vector<MetricPoint> metric_points;
};

template <class T>
struct Holder {
  template <class... A>
  explicit Holder(A&&... a) : impl(std::forward<A>(a)...) {}
  T impl;
  OutputBuffers out;
};

template <class T>
Holder<T>& holder(lp_instance* self) noexcept {
  return *reinterpret_cast<Holder<T>*>(self);
}

// ------------------------------------------------- compile-time signatures

template <class T>
constexpr void check_component() {
  static_assert(std::is_same_v<std::remove_cv_t<decltype(T::kind)>, lp_kind>,
                "component: expected `static constexpr lp_kind kind = LP_KIND_...;`");
  static_assert(std::is_convertible_v<decltype(T::type_name), const char*>,
                "component: expected `static constexpr const char* type_name = \"...\";`");
  static_assert(std::is_convertible_v<decltype(T::description), const char*>,
                "component: expected `static constexpr const char* description = \"...\";`");
  static_assert(std::is_convertible_v<decltype(T::config_schema), const char*>,
                "component: expected `static constexpr const char* config_schema = R\"({...})\";`");
  static_assert(std::is_constructible_v<T, const Host&, std::string_view>,
                "component: expected constructor T(const lp::sdk::Host& host, std::string_view "
                "config_json)");
}

template <class T>
constexpr void check_tool() {
  static_assert(requires(T& t) { t.prepare(); }, "tool: expected signature: void prepare()");
  static_assert(
      requires(T& t) {
        { t.request_types() } -> std::convertible_to<std::vector<std::string>>;
      }, "tool: expected signature: std::vector<std::string> request_types()");
  static_assert(requires(T& t, const lp_tool_target& g) { t.start(g); },
                "tool: expected signature: void start(const lp_tool_target& initial)");
  static_assert(requires(T& t, const lp_tool_target& g) { t.set_target(g); },
                "tool: expected signature: void set_target(const lp_tool_target& target)");
  static_assert(
      requires(T& t, std::vector<lp_sample>& s) {
        { t.poll(s) } -> std::same_as<ToolStatus>;
      },
      "tool: expected signature: lp::sdk::ToolStatus poll(std::vector<lp_sample>& samples_out)");
  static_assert(requires(T& t, std::int64_t g) { t.stop(g); },
                "tool: expected signature: void stop(std::int64_t grace_ns)");
}

template <class T>
constexpr void check_provider() {
  static_assert(
      requires(T& t) {
        { t.instance_types() } -> std::convertible_to<std::vector<InstanceType>>;
      }, "provider: expected signature: std::vector<lp::sdk::InstanceType> instance_types()");
  static_assert(requires(T& t, std::string_view ty, std::uint32_t n) { t.scale_to(ty, n); },
                "provider: expected signature: void scale_to(std::string_view instance_type, "
                "std::uint32_t count)");
  static_assert(
      requires(T& t) {
        { t.list() } -> std::convertible_to<std::vector<Generator>>;
      }, "provider: expected signature: std::vector<lp::sdk::Generator> list()");
  static_assert(requires(T& t) { t.teardown(); }, "provider: expected signature: void teardown()");
}

template <class T>
constexpr void check_forecaster() {
  static_assert(
      requires(T& t, const Series& s, std::span<const Event> e) { t.fit(s, e); },
      "forecaster: expected signature: void fit(const lp::sdk::Series& history, "
      "std::span<const lp::sdk::Event> events)");
  static_assert(
      requires(T& t, std::size_t h, std::span<const double> q, std::span<const Event> e) {
        { t.predict(h, q, e) } -> std::same_as<Forecast>;
      },
      "forecaster: expected signature: lp::sdk::Forecast predict(std::size_t horizon_steps, "
      "std::span<const double> quantiles, std::span<const lp::sdk::Event> events)");
}

template <class T>
constexpr void check_detector() {
  static_assert(
      requires(const T& t) {
        { t.warmup() } -> std::convertible_to<std::uint64_t>;
      }, "detector: expected signature: std::uint64_t warmup() const");
  static_assert(
      requires(T& t, std::int64_t ts, std::span<const double> x) {
        { t.observe(ts, x) } -> std::same_as<Detection>;
      },
      "detector: expected signature: lp::sdk::Detection observe(std::int64_t wall_ns, "
      "std::span<const double> values)");
}

template <class T>
constexpr void check_source() {
  static_assert(
      requires(T& t) {
        { t.poll() } -> std::convertible_to<std::vector<MetricPoint>>;
      }, "source: expected signature: std::vector<lp::sdk::MetricPoint> poll()");
}

template <class T>
constexpr void check_sink() {
  static_assert(requires(T& t, std::span<const lp_metric_point> p) { t.write(p); },
                "sink: expected signature: void write(std::span<const lp_metric_point> points)");
}

// ------------------------------------------------------------ trampolines

template <class T>
struct Tool {
  static lp_status prepare(lp_instance* self, lp_error* err) noexcept {
    return guard(err, [&] { holder<T>(self).impl.prepare(); });
  }
  static lp_status request_types(lp_instance* self, const lp_str** names, std::size_t* count,
                                 lp_error* err) noexcept {
    return guard(err, [&] {
      auto& h = holder<T>(self);
      h.out.strings = h.impl.request_types();
      h.out.strs.clear();
      for (const auto& s : h.out.strings) h.out.strs.push_back(to_lp(s));
      *names = h.out.strs.data();
      *count = h.out.strs.size();
    });
  }
  static lp_status start(lp_instance* self, const lp_tool_target* t, lp_error* err) noexcept {
    return guard(err, [&] { holder<T>(self).impl.start(*t); });
  }
  static lp_status set_target(lp_instance* self, const lp_tool_target* t,
                              lp_error* err) noexcept {
    return guard(err, [&] { holder<T>(self).impl.set_target(*t); });
  }
  static lp_status poll(lp_instance* self, lp_sample_batch* batch, lp_tool_status* status,
                        lp_error* err) noexcept {
    return guard(err, [&] {
      auto& h = holder<T>(self);
      h.out.samples.clear();
      ToolStatus st = h.impl.poll(h.out.samples);
      h.out.text = std::move(st.message);
      batch->samples = h.out.samples.data();
      batch->count = h.out.samples.size();
      batch->stride = sizeof(lp_sample);
      status->state = st.state;
      status->active_users = st.active_users;
      status->offered_rate_per_s = st.offered_rate_per_s;
      status->message = to_lp(h.out.text);
    });
  }
  static lp_status stop(lp_instance* self, std::int64_t grace_ns, lp_error* err) noexcept {
    return guard(err, [&] { holder<T>(self).impl.stop(grace_ns); });
  }
  static constexpr lp_tool_ops ops{sizeof(lp_tool_ops), &prepare, &request_types, &start,
                                   &set_target,         &poll,    &stop};
};

template <class T>
struct Provider {
  static lp_status instance_types(lp_instance* self, const lp_instance_type** types,
                                  std::size_t* count, lp_error* err) noexcept {
    return guard(err, [&] {
      auto& h = holder<T>(self);
      h.out.instance_types = h.impl.instance_types();
      h.out.types.clear();
      for (const auto& t : h.out.instance_types) {
        h.out.types.push_back({to_lp(t.name), t.vcpus, t.memory_gib, t.price_per_hour});
      }
      *types = h.out.types.data();
      *count = h.out.types.size();
    });
  }
  static lp_status scale_to(lp_instance* self, lp_str type, std::uint32_t n,
                            lp_error* err) noexcept {
    return guard(err, [&] { holder<T>(self).impl.scale_to(from_lp(type), n); });
  }
  static lp_status list(lp_instance* self, const lp_generator** gens, std::size_t* count,
                        lp_error* err) noexcept {
    return guard(err, [&] {
      auto& h = holder<T>(self);
      h.out.generator_list = h.impl.list();
      h.out.generators.clear();
      for (const auto& g : h.out.generator_list) {
        h.out.generators.push_back(
            {to_lp(g.id), to_lp(g.address), to_lp(g.instance_type), g.state});
      }
      *gens = h.out.generators.data();
      *count = h.out.generators.size();
    });
  }
  static lp_status teardown(lp_instance* self, lp_error* err) noexcept {
    return guard(err, [&] { holder<T>(self).impl.teardown(); });
  }
  static constexpr lp_provider_ops ops{sizeof(lp_provider_ops), &instance_types, &scale_to, &list,
                                       &teardown};
};

inline Series to_series(const lp_series* s) {
  Series out;
  out.start_ns = s->start_ns;
  out.step_ns = s->step_ns;
  out.values = {s->values, s->count};
  if (s->valid != nullptr) out.valid = {s->valid, s->count};
  return out;
}

inline std::vector<Event> to_events(const lp_event* events, std::size_t n) {
  std::vector<Event> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back({from_lp(events[i].name), events[i].start_ns, events[i].end_ns,
                   events[i].multiplier});
  }
  return out;
}

template <class T>
struct Forecaster {
  static lp_status fit(lp_instance* self, const lp_series* history, const lp_event* events,
                       std::size_t n, lp_error* err) noexcept {
    return guard(err, [&] {
      const auto ev = to_events(events, n);
      holder<T>(self).impl.fit(to_series(history), std::span<const Event>(ev));
    });
  }
  static lp_status update(lp_instance* self, const lp_series* more, lp_error* err) noexcept {
    return guard(err, [&] {
      if constexpr (requires(T& t, const Series& s) { t.update(s); }) {
        holder<T>(self).impl.update(to_series(more));
      } else {
        throw Error("this forecaster does not update incrementally; refit it",
                    LP_ERR_UNSUPPORTED);
      }
    });
  }
  static lp_status predict(lp_instance* self, std::size_t horizon, const double* q,
                           std::size_t nq, const lp_event* events, std::size_t n,
                           lp_forecast* out, lp_error* err) noexcept {
    return guard(err, [&] {
      auto& h = holder<T>(self);
      const auto ev = to_events(events, n);
      h.out.forecast = h.impl.predict(horizon, std::span<const double>(q, nq),
                                      std::span<const Event>(ev));
      const Forecast& f = h.out.forecast;
      if (f.quantiles.size() != f.mean.size() * f.quantile_count) {
        throw Error("forecaster returned quantiles of the wrong size");
      }
      out->start_ns = f.start_ns;
      out->step_ns = f.step_ns;
      out->count = f.mean.size();
      out->mean = f.mean.data();
      out->quantiles = f.quantiles.data();
      out->quantile_count = f.quantile_count;
    });
  }
  static lp_status save(lp_instance* self, lp_str* state, lp_error* err) noexcept {
    return guard(err, [&] {
      if constexpr (requires(T& t) {
                      { t.save() } -> std::convertible_to<std::string>;
                    }) {
        auto& h = holder<T>(self);
        h.out.text = h.impl.save();
        *state = to_lp(h.out.text);
      } else {
        throw Error("this forecaster cannot save its state", LP_ERR_UNSUPPORTED);
      }
    });
  }
  static lp_status load(lp_instance* self, lp_str state, lp_error* err) noexcept {
    return guard(err, [&] {
      if constexpr (requires(T& t, std::string_view s) { t.load(s); }) {
        holder<T>(self).impl.load(from_lp(state));
      } else {
        throw Error("this forecaster cannot load a saved state", LP_ERR_UNSUPPORTED);
      }
    });
  }
  static constexpr lp_forecaster_ops ops{sizeof(lp_forecaster_ops), &fit, &update, &predict,
                                         &save, &load};
};

template <class T>
struct Detector {
  static std::uint64_t warmup(lp_instance* self) noexcept {
    try {
      return static_cast<std::uint64_t>(holder<T>(self).impl.warmup());
    } catch (...) {
      return 0;
    }
  }
  static lp_status observe(lp_instance* self, std::int64_t wall_ns, const double* values,
                           std::size_t dim, lp_detection* out, lp_error* err) noexcept {
    return guard(err, [&] {
      const Detection d = holder<T>(self).impl.observe(wall_ns, std::span<const double>(values, dim));
      out->score = d.score;
      out->flag = d.flag ? 1 : 0;
      out->expected_low = d.expected_low;
      out->expected_high = d.expected_high;
    });
  }
  static constexpr lp_detector_ops ops{sizeof(lp_detector_ops), &warmup, &observe};
};

template <class T>
struct Source {
  static lp_status poll(lp_instance* self, const lp_metric_point** points, std::size_t* count,
                        lp_error* err) noexcept {
    return guard(err, [&] {
      auto& h = holder<T>(self);
      h.out.metric_points = h.impl.poll();
      h.out.labels.clear();
      h.out.points.clear();
      for (const auto& p : h.out.metric_points) h.out.labels.push_back(label_views(p.labels));
      for (std::size_t i = 0; i < h.out.metric_points.size(); ++i) {
        const auto& p = h.out.metric_points[i];
        h.out.points.push_back({to_lp(p.name), h.out.labels[i].data(), h.out.labels[i].size(),
                                p.value, p.wall_ns});
      }
      *points = h.out.points.data();
      *count = h.out.points.size();
    });
  }
  static lp_status query_range(lp_instance* self, lp_str query, std::int64_t start_ns,
                               std::int64_t end_ns, std::int64_t step_ns, lp_series* out,
                               lp_error* err) noexcept {
    return guard(err, [&] {
      if constexpr (requires(T& t) {
                      {
                        t.query_range(std::string_view{}, std::int64_t{}, std::int64_t{},
                                      std::int64_t{})
                      } -> std::same_as<OwnedSeries>;
                    }) {
        auto& h = holder<T>(self);
        OwnedSeries s = h.impl.query_range(from_lp(query), start_ns, end_ns, step_ns);
        h.out.values = std::move(s.values);
        h.out.valid = std::move(s.valid);
        out->start_ns = s.start_ns;
        out->step_ns = s.step_ns;
        out->values = h.out.values.data();
        out->valid = h.out.valid.empty() ? nullptr : h.out.valid.data();
        out->count = h.out.values.size();
      } else {
        throw Error("this source has no range queries", LP_ERR_UNSUPPORTED);
      }
    });
  }
  static constexpr lp_source_ops ops{sizeof(lp_source_ops), &poll, &query_range};
};

template <class T>
struct Sink {
  static lp_status write(lp_instance* self, const lp_metric_point* points, std::size_t count,
                         lp_error* err) noexcept {
    return guard(err, [&] {
      holder<T>(self).impl.write(std::span<const lp_metric_point>(points, count));
    });
  }
  static lp_status flush(lp_instance* self, lp_error* err) noexcept {
    return guard(err, [&] {
      if constexpr (requires(T& t) { t.flush(); }) holder<T>(self).impl.flush();
    });
  }
  static constexpr lp_sink_ops ops{sizeof(lp_sink_ops), &write, &flush};
};

template <class T>
constexpr const void* ops_for() {
  if constexpr (T::kind == LP_KIND_TOOL) {
    check_tool<T>();
    return &Tool<T>::ops;
  } else if constexpr (T::kind == LP_KIND_PROVIDER) {
    check_provider<T>();
    return &Provider<T>::ops;
  } else if constexpr (T::kind == LP_KIND_FORECASTER) {
    check_forecaster<T>();
    return &Forecaster<T>::ops;
  } else if constexpr (T::kind == LP_KIND_DETECTOR) {
    check_detector<T>();
    return &Detector<T>::ops;
  } else if constexpr (T::kind == LP_KIND_SOURCE) {
    check_source<T>();
    return &Source<T>::ops;
  } else {
    static_assert(T::kind == LP_KIND_SINK, "component: unknown kind");
    check_sink<T>();
    return &Sink<T>::ops;
  }
}

template <class T>
struct Factory {
  static lp_status validate(lp_str config, lp_error* err) noexcept {
    return guard(err, [&] {
      if constexpr (requires(std::string_view c) { T::validate(c); }) {
        T::validate(from_lp(config));
      }
    });
  }
  static lp_status create(const lp_host_services* host, lp_str config, lp_instance** out,
                          lp_error* err) noexcept {
    *out = nullptr;
    return guard(err, [&] {
      auto* h = new Holder<T>(Host(host), from_lp(config));
      *out = reinterpret_cast<lp_instance*>(h);
    });
  }
  static void destroy(lp_instance* self) noexcept {
    try {
      delete &holder<T>(self);
    } catch (...) {  // a throwing destructor must not cross the boundary
    }
  }
  static const lp_component_factory* get() noexcept {
    check_component<T>();
    static const lp_component_factory f{sizeof(lp_component_factory),
                                        T::kind,
                                        T::type_name,
                                        T::description,
                                        T::config_schema,
                                        &validate,
                                        &create,
                                        &destroy,
                                        ops_for<T>()};
    return &f;
  }
};

template <class... Ts>
const lp_plugin_descriptor* describe(const char* name, const char* version,
                                     const char* description) noexcept {
  static const lp_component_factory* const factories[] = {Factory<Ts>::get()...};
  static const lp_plugin_descriptor d{sizeof(lp_plugin_descriptor),
                                      LP_ABI_VERSION_MAJOR,
                                      LP_ABI_VERSION_MINOR,
                                      LP_ABI_VERSION_PATCH,
                                      name,
                                      version,
                                      description,
                                      factories,
                                      sizeof...(Ts)};
  return &d;
}

}  // namespace detail
}  // namespace lp::sdk

// Exports the plugin's entry symbol for the listed component classes.
#define LOADPILOT_PLUGIN(NAME, VERSION, DESCRIPTION, ...)                                 \
  extern "C" LP_EXPORT const lp_plugin_descriptor* lp_plugin_describe(void) {             \
    return ::lp::sdk::detail::describe<__VA_ARGS__>(NAME, VERSION, DESCRIPTION);          \
  }
