#include "loadpilot/host/plugin/component.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

namespace lp {

namespace {
std::string_view view(lp_str s) {
  return s.ptr == nullptr ? std::string_view{} : std::string_view{s.ptr, s.len};
}
}  // namespace

HostServices::HostServices(std::string component_label, MetricFn on_metric)
    : label_(std::move(component_label)), on_metric_(std::move(on_metric)) {
  table_.struct_size = sizeof(lp_host_services);
  table_.host_ctx = this;
  table_.log = &HostServices::log;
  table_.monotonic_ns = &HostServices::monotonic_ns;
  table_.wall_ns = &HostServices::wall_ns;
  table_.emit_metric = &HostServices::emit_metric;
  table_.report_error = &HostServices::report_error;
}

std::vector<std::string> HostServices::take_reported_errors() {
  std::lock_guard lock(mutex_);
  return std::exchange(reported_, {});
}

void HostServices::log(void* ctx, lp_log_level level, lp_str message) {
  auto* self = static_cast<HostServices*>(ctx);
  const auto spd = level <= LP_LOG_TRACE   ? spdlog::level::trace
                   : level == LP_LOG_DEBUG ? spdlog::level::debug
                   : level == LP_LOG_INFO  ? spdlog::level::info
                   : level == LP_LOG_WARN  ? spdlog::level::warn
                                           : spdlog::level::err;
  spdlog::log(spd, "[{}] {}", self->label_, view(message));
}

std::int64_t HostServices::monotonic_ns(void*) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t HostServices::wall_ns(void*) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void HostServices::emit_metric(void* ctx, lp_str name, double value, std::int64_t wall_ns,
                               const lp_label* labels, size_t count) {
  auto* self = static_cast<HostServices*>(ctx);
  if (self->on_metric_) {
    self->on_metric_(self->label_, view(name), value, wall_ns,
                     std::span<const lp_label>(labels, labels == nullptr ? 0 : count));
  }
}

void HostServices::report_error(void* ctx, lp_str message) {
  auto* self = static_cast<HostServices*>(ctx);
  std::lock_guard lock(self->mutex_);
  self->reported_.emplace_back(view(message));
}

Component::Component(const PluginRegistry& registry, lp_kind kind, std::string_view type_name,
                     std::string_view config_json, HostServices& services)
    : factory_(registry.factory(kind, type_name)), type_(type_name) {
  if (factory_ == nullptr) {
    throw ComponentError(
        fmt::format("no {} component \"{}\" is loaded", kind_name(kind), type_name),
        LP_ERR_INVALID_ARGUMENT);
  }
  call("create", [&](lp_error* err) {
    return factory_->create(services.table(), lp_str{config_json.data(), config_json.size()},
                            &instance_, err);
  });
  if (instance_ == nullptr) fail("create", LP_ERR_FAILED, "returned no instance");
}

Component::~Component() {
  if (instance_ != nullptr) factory_->destroy(instance_);
}

void Component::capture(void* ctx, lp_str message) {
  static_cast<std::string*>(ctx)->assign(view(message));
}

void Component::fail(std::string_view what, lp_status status, std::string_view message) const {
  throw ComponentError(fmt::format("{} \"{}\": {}: {}", kind_name(factory_->kind), type_, what,
                                   message.empty() ? "failed without a message" : message),
                       status);
}

DetectorClient::DetectorClient(Component& c)
    : c_(c), ops_(static_cast<const lp_detector_ops*>(c.ops())) {}

std::uint64_t DetectorClient::warmup() const {
  return ops_->warmup(c_.handle());
}

DetectionResult DetectorClient::observe(std::int64_t wall_ns, std::span<const double> values) {
  lp_detection d{};
  d.struct_size = sizeof d;
  d.expected_low = d.expected_high = std::nan("");
  c_.call("observe", [&](lp_error* err) {
    return ops_->observe(c_.handle(), wall_ns, values.data(), values.size(), &d, err);
  });
  return {d.score, d.flag != 0, d.expected_low, d.expected_high};
}

namespace {

lp_series to_lp(const TimeSeries& s) {
  if (!s.valid.empty() && s.valid.size() != s.values.size()) {
    throw std::invalid_argument("series: valid and values differ in length");
  }
  return {s.start_ns, s.step_ns, s.values.data(), s.valid.empty() ? nullptr : s.valid.data(),
          s.values.size()};
}

std::vector<lp_event> to_lp(std::span<const LoadEvent> events) {
  std::vector<lp_event> out;
  for (const auto& e : events) {
    out.push_back({lp_str{e.name.data(), e.name.size()}, e.start_ns, e.end_ns, e.multiplier});
  }
  return out;
}

}  // namespace

SourceClient::SourceClient(Component& c)
    : c_(c), ops_(static_cast<const lp_source_ops*>(c.ops())) {}

std::vector<MetricSample> SourceClient::poll() {
  const lp_metric_point* points = nullptr;
  std::size_t count = 0;
  c_.call("poll", [&](lp_error* err) { return ops_->poll(c_.handle(), &points, &count, err); });
  std::vector<MetricSample> out;
  for (std::size_t i = 0; i < count && points != nullptr; ++i) {
    MetricSample m;
    m.name = std::string(view(points[i].name));
    for (std::size_t k = 0; k < points[i].label_count; ++k) {
      m.labels.emplace_back(view(points[i].labels[k].key), view(points[i].labels[k].value));
    }
    m.value = points[i].value;
    m.wall_ns = points[i].wall_ns;
    out.push_back(std::move(m));
  }
  return out;
}

TimeSeries SourceClient::query_range(std::string_view query, std::int64_t start_ns,
                                     std::int64_t end_ns, std::int64_t step_ns) {
  if (ops_->query_range == nullptr) {
    throw ComponentError(fmt::format("source \"{}\" has no range queries", c_.type_name()),
                         LP_ERR_UNSUPPORTED);
  }
  lp_series s{};
  c_.call("query_range", [&](lp_error* err) {
    return ops_->query_range(c_.handle(), lp_str{query.data(), query.size()}, start_ns, end_ns,
                             step_ns, &s, err);
  });
  TimeSeries out;
  out.start_ns = s.start_ns;
  out.step_ns = s.step_ns;
  if (s.count > 0 && s.values == nullptr) {
    throw ComponentError(
        fmt::format("source \"{}\": query_range returned no values", c_.type_name()),
        LP_ERR_FAILED);
  }
  out.values.assign(s.values, s.values + s.count);
  if (s.valid != nullptr) out.valid.assign(s.valid, s.valid + s.count);
  return out;
}

ForecasterClient::ForecasterClient(Component& c)
    : c_(c), ops_(static_cast<const lp_forecaster_ops*>(c.ops())) {}

void ForecasterClient::fit(const TimeSeries& history, std::span<const LoadEvent> events) {
  const lp_series s = to_lp(history);
  const auto ev = to_lp(events);
  c_.call("fit",
          [&](lp_error* err) { return ops_->fit(c_.handle(), &s, ev.data(), ev.size(), err); });
}

void ForecasterClient::update(const TimeSeries& more) {
  const lp_series s = to_lp(more);
  c_.call("update", [&](lp_error* err) { return ops_->update(c_.handle(), &s, err); });
}

ForecastResult ForecasterClient::predict(std::size_t horizon, std::span<const double> quantiles,
                                         std::span<const LoadEvent> events) {
  const auto ev = to_lp(events);
  lp_forecast f{};
  f.struct_size = sizeof f;
  c_.call("predict", [&](lp_error* err) {
    return ops_->predict(c_.handle(), horizon, quantiles.data(), quantiles.size(), ev.data(),
                         ev.size(), &f, err);
  });
  if (f.count != horizon || f.quantile_count != quantiles.size() || f.mean == nullptr ||
      (f.quantile_count > 0 && f.quantiles == nullptr)) {
    throw ComponentError(
        fmt::format("forecaster \"{}\": predict returned {} steps and {} quantiles, asked for "
                    "{} and {}",
                    c_.type_name(), f.count, f.quantile_count, horizon, quantiles.size()),
        LP_ERR_FAILED);
  }
  ForecastResult r;
  r.start_ns = f.start_ns;
  r.step_ns = f.step_ns;
  r.mean.assign(f.mean, f.mean + f.count);
  r.quantile_count = f.quantile_count;
  if (f.quantile_count > 0)
    r.quantiles.assign(f.quantiles, f.quantiles + f.count * f.quantile_count);
  return r;
}

std::string ForecasterClient::save() {
  lp_str state{};
  c_.call("save", [&](lp_error* err) { return ops_->save(c_.handle(), &state, err); });
  return std::string(view(state));
}

void ForecasterClient::load(std::string_view state) {
  c_.call("load", [&](lp_error* err) {
    return ops_->load(c_.handle(), lp_str{state.data(), state.size()}, err);
  });
}

ToolClient::ToolClient(Component& c) : c_(c), ops_(static_cast<const lp_tool_ops*>(c.ops())) {}

void ToolClient::prepare() {
  c_.call("prepare", [&](lp_error* err) { return ops_->prepare(c_.handle(), err); });
}

std::vector<std::string> ToolClient::request_types() {
  const lp_str* names = nullptr;
  size_t count = 0;
  c_.call("request_types",
          [&](lp_error* err) { return ops_->request_types(c_.handle(), &names, &count, err); });
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) out.emplace_back(view(names[i]));
  return out;
}

namespace {
lp_tool_target to_abi(const ToolTarget& t) {
  lp_tool_target out{};
  out.struct_size = sizeof out;
  out.rate_per_s = t.rate_per_s;
  out.concurrency = t.concurrency;
  out.spawn_rate_per_s = t.spawn_rate_per_s;
  out.mix = t.mix.empty() ? nullptr : t.mix.data();
  out.mix_count = t.mix.size();
  return out;
}
}  // namespace

void ToolClient::start(const ToolTarget& initial) {
  const lp_tool_target t = to_abi(initial);
  c_.call("start", [&](lp_error* err) { return ops_->start(c_.handle(), &t, err); });
}

void ToolClient::set_target(const ToolTarget& target) {
  const lp_tool_target t = to_abi(target);
  c_.call("set_target", [&](lp_error* err) { return ops_->set_target(c_.handle(), &t, err); });
}

ToolPoll ToolClient::poll_raw(lp_sample_batch& batch) {
  lp_tool_status status{};
  status.struct_size = sizeof status;
  c_.call("poll", [&](lp_error* err) { return ops_->poll(c_.handle(), &batch, &status, err); });
  if (batch.count > 0 && (batch.samples == nullptr || batch.stride < sizeof(lp_sample))) {
    throw ComponentError(fmt::format("tool \"{}\": poll: sample stride {} is smaller than "
                                     "lp_sample ({} bytes)",
                                     c_.type_name(), batch.stride, sizeof(lp_sample)),
                         LP_ERR_FAILED);
  }
  return {status.state, status.active_users, status.offered_rate_per_s,
          std::string(view(status.message))};
}

void ToolClient::stop(std::int64_t grace_ns) {
  c_.call("stop", [&](lp_error* err) { return ops_->stop(c_.handle(), grace_ns, err); });
}

SinkClient::SinkClient(Component& c) : c_(c), ops_(static_cast<const lp_sink_ops*>(c.ops())) {}

void SinkClient::write(std::span<const lp_metric_point> points) {
  c_.call("write", [&](lp_error* err) {
    return ops_->write(c_.handle(), points.data(), points.size(), err);
  });
}

void SinkClient::flush() {
  if (!LP_MEMBER_WITHIN(ops_, lp_sink_ops, flush) || ops_->flush == nullptr) return;
  c_.call("flush", [&](lp_error* err) { return ops_->flush(c_.handle(), err); });
}

}  // namespace lp
