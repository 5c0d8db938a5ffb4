// TestPlan -> JSON in the plan's own shape, so the resolved plan loads again.
#include <nlohmann/json.hpp>

#include "loadpilot/host/plan/plan_loader.hpp"
#include "readers.hpp"

namespace lp {
namespace {

using nlohmann::json;

json component_list(const std::string& type_key, const std::string& id, const std::string& type,
                    const json& config) {
  json j = {{"id", id}, {type_key, type}};
  if (!config.empty()) j["config"] = config;
  return j;
}

}  // namespace

json to_json(const TestPlan& p) {
  json j = json::object();
  j["name"] = p.name;
  if (!p.description.empty()) j["description"] = p.description;
  if (p.duration) j["duration"] = format_duration(*p.duration);
  j["tick"] = format_duration(p.tick);

  json target = {{"base_url", p.target.base_url}};
  if (p.target.demo) {
    const DemoTarget& d = *p.target.demo;
    target["demo"] = {{"start", d.start},     {"port", d.port},
                      {"workers", d.workers}, {"service_time_ms", d.service_time_ms},
                      {"queue", d.queue},     {"fail_rate", d.fail_rate}};
  }
  j["target"] = target;
  if (!p.vector_dir.empty()) j["vectors"] = {{"dir", p.vector_dir.string()}};

  json tools = json::array();
  for (const ToolSpec& t : p.tools) {
    json tool = {{"id", t.id}, {"tool", t.tool}};
    if (!t.suite.empty()) tool["suite"] = t.suite.string();
    if (!t.vectors.empty()) tool["vectors"] = t.vectors;
    tool["share"] = t.share;
    if (!t.config.empty()) tool["config"] = t.config;
    tools.push_back(tool);
  }
  j["tools"] = tools;

  json load = {{"model", p.load.model == LoadModel::kOpen ? "open" : "closed"}};
  if (p.load.rate) load["rate"] = *p.load.rate;
  if (p.load.max_rate) load["max_rate"] = *p.load.max_rate;
  if (p.load.concurrency) load["concurrency"] = *p.load.concurrency;
  j["load"] = load;

  if (p.forecast) {
    const ForecastSpec& f = *p.forecast;
    json history;
    if (!f.history.source.empty()) {
      history = {{"source", f.history.source},
                 {"query", f.history.query},
                 {"range", format_duration(f.history.range)}};
    } else {
      history = f.history.file.string();
    }
    json events = json::array();
    for (const ForecastEvent& e : f.events) {
      json ev = {
          {"at", plan::format_timestamp(e.at)}, {"name", e.name}, {"multiplier", e.multiplier}};
      if (e.duration) ev["duration"] = format_duration(*e.duration);
      events.push_back(ev);
    }
    json forecast = {{"model", f.model},
                     {"history", history},
                     {"horizon", format_duration(f.horizon)},
                     {"step", format_duration(f.step)},
                     {"quantiles", f.quantiles}};
    if (!events.empty()) forecast["events"] = events;
    if (!f.config.empty()) forecast["config"] = f.config;
    j["forecast"] = forecast;
  }

  if (p.provision) {
    const ProvisionSpec& v = *p.provision;
    json provision = {{"provider", v.provider},
                      {"min_instances", v.min_instances},
                      {"max_instances", v.max_instances}};
    if (v.baseline_quantile) {
      provision["baseline"] =
          "p" + std::to_string(static_cast<int>(*v.baseline_quantile * 100 + 0.5));
    } else if (v.baseline_instances) {
      provision["baseline"] = *v.baseline_instances;
    }
    if (!v.instance_types.empty()) provision["instance_types"] = v.instance_types;
    if (!v.config.empty()) provision["config"] = v.config;
    json scaling = {{"cooldown", format_duration(v.scaling.cooldown)}};
    if (v.scaling.proportional_gain)
      scaling["proportional"] = {{"gain", *v.scaling.proportional_gain}};
    json thresholds = json::object();
    if (v.scaling.thresholds.generator_cpu) {
      thresholds["generator_cpu"] = {v.scaling.thresholds.generator_cpu->first,
                                     v.scaling.thresholds.generator_cpu->second};
    }
    if (v.scaling.thresholds.p99_ms) thresholds["p99_ms"] = *v.scaling.thresholds.p99_ms;
    if (v.scaling.thresholds.error_rate)
      thresholds["error_rate"] = *v.scaling.thresholds.error_rate;
    if (!thresholds.empty()) scaling["thresholds"] = thresholds;
    provision["scaling"] = scaling;
    j["provision"] = provision;
  }

  if (p.shaping) {
    static const char* kStrategies[] = {"rate_limit", "distribution", "prioritization", "presoak",
                                        "chaos"};
    const ShapingSpec& s = *p.shaping;
    json shaping = json::object();
    json envelope = json::object();
    if (s.envelope.target_cpu) envelope["target_cpu"] = *s.envelope.target_cpu;
    if (s.envelope.p99_ms) envelope["p99_ms"] = *s.envelope.p99_ms;
    if (s.envelope.error_rate) envelope["error_rate"] = *s.envelope.error_rate;
    if (!envelope.empty()) shaping["envelope"] = envelope;
    json strategies = json::array();
    for (ShapingStrategy st : s.strategies) strategies.push_back(kStrategies[static_cast<int>(st)]);
    shaping["strategies"] = strategies;
    if (s.presoak) {
      shaping["presoak"] = {{"rate", s.presoak->rate},
                            {"duration", format_duration(s.presoak->duration)}};
    }
    j["shaping"] = shaping;
  }

  if (p.profile) {
    const ProfileSpec& pr = *p.profile;
    json profile = {
        {"vector_sequence", pr.vector_sequence},
        {"transition_delay_sec", static_cast<double>(pr.transition_delay.count()) / 1000.0},
        {"on_high_error", pr.on_high_error == OnHighError::kSkip ? "skip" : "shorten"}};
    if (pr.start_time) profile["start_time"] = plan::format_timestamp(*pr.start_time);
    if (pr.skip_on_error_rate) profile["skip_on_error_rate"] = *pr.skip_on_error_rate;
    j["profile"] = profile;
  }

  if (!p.sources.empty()) {
    json sources = json::array();
    for (const SourceSpec& s : p.sources)
      sources.push_back(component_list("source", s.id, s.source, s.config));
    j["sources"] = sources;
  }

  if (!p.detect.empty()) {
    static const char* kActions[] = {"log", "stop", "backoff"};
    json detect = json::array();
    for (const DetectorSpec& d : p.detect) {
      json det = component_list("detector", d.id, d.detector, d.config);
      det["metrics"] = d.metrics;
      json actions = json::array();
      for (AlertAction a : d.on_alert) actions.push_back(kActions[static_cast<int>(a)]);
      det["on_alert"] = actions;
      if (!d.webhook.empty()) det["webhook"] = d.webhook;
      if (!d.forecaster.empty()) {
        det["forecaster"] = d.forecaster;
        det["interval"] = d.interval;
      }
      detect.push_back(det);
    }
    j["detect"] = detect;
  }

  if (!p.chaos.empty()) {
    static const char* kKinds[] = {"latency", "errors", "kill_generator", "cpu_hog"};
    json chaos = json::array();
    for (const ChaosSpec& c : p.chaos) {
      json item = {{"at", format_duration(c.at)}, {"kind", kKinds[static_cast<int>(c.kind)]}};
      if (c.duration) item["duration"] = format_duration(*c.duration);
      if (c.ms) item["ms"] = *c.ms;
      if (c.rate) item["rate"] = *c.rate;
      if (c.load) item["load"] = *c.load;
      if (c.count) item["count"] = *c.count;
      chaos.push_back(item);
    }
    j["chaos"] = chaos;
  }

  json store = json::object();
  if (!p.store.dir.empty()) store["dir"] = p.store.dir.string();
  if (!p.store.sinks.empty()) {
    json sinks = json::array();
    for (const SinkSpec& s : p.store.sinks)
      sinks.push_back(component_list("sink", s.id, s.sink, s.config));
    store["sinks"] = sinks;
  }
  if (!store.empty()) j["store"] = store;

  if (!p.criteria.empty()) {
    json criteria = json::array();
    for (const Criterion& c : p.criteria) criteria.push_back(c.text());
    j["criteria"] = criteria;
  }
  return j;
}

}  // namespace lp
