#include "loadpilot/host/plan/plan_schema.hpp"

#include "diagnostics.hpp"
#include "json_value.hpp"
#include "loadpilot/host/plan/test_plan.hpp"
#include "yaml_tree.hpp"

namespace lp {

// The one list of keys the loader accepts; host/schema/plan.schema.json must
// match it (tests/unit/plan/schema_test.cpp checks).
const std::vector<PlanSection>& plan_sections() {
  static const std::vector<PlanSection> kSections = {
      {"",
       {"name", "description", "include", "duration", "tick", "target", "vectors", "tools", "load",
        "forecast", "provision", "shaping", "profile", "sources", "detect", "chaos", "store",
        "criteria"}},
      {"target", {"base_url", "demo"}},
      {"target.demo", {"start", "port", "workers", "service_time_ms", "queue", "fail_rate"}},
      {"vectors", {"dir"}},
      {"tools[]", {"id", "tool", "suite", "vectors", "share", "config"}},
      {"load", {"model", "rate", "max_rate", "concurrency"}},
      {"forecast", {"model", "history", "horizon", "step", "quantiles", "events", "config"}},
      {"forecast.history", {"source", "query", "range"}},
      {"forecast.events[]", {"at", "duration", "name", "multiplier"}},
      {"provision",
       {"provider", "baseline", "min_instances", "max_instances", "instance_types", "config",
        "scaling"}},
      {"provision.scaling", {"proportional", "thresholds", "cooldown"}},
      {"provision.scaling.proportional", {"gain"}},
      {"provision.scaling.thresholds", {"generator_cpu", "p99_ms", "error_rate"}},
      {"shaping", {"envelope", "strategies", "presoak"}},
      {"shaping.envelope", {"target_cpu", "p99_ms", "error_rate"}},
      {"shaping.presoak", {"rate", "duration"}},
      {"profile",
       {"start_time", "vector_sequence", "transition_delay_sec", "skip_on_error_rate",
        "on_high_error"}},
      {"sources[]", {"id", "source", "config"}},
      {"detect[]", {"id", "detector", "metrics", "config", "on_alert", "webhook", "forecaster", "interval"}},
      {"chaos[]", {"at", "kind", "duration", "ms", "rate", "load", "count"}},
      {"store", {"dir", "sinks"}},
      {"store.sinks[]", {"id", "sink", "config"}},
  };
  return kSections;
}

const std::vector<std::string>& kpi_names() {
  static const std::vector<std::string> kNames = {
      "offered_rate", "achieved_rate", "p50_ms",        "p90_ms",        "p99_ms",
      "error_rate",   "target_cpu",    "target_memory", "generator_cpu", "network_latency_ms"};
  return kNames;
}

std::optional<nlohmann::json> yaml_to_json(std::string_view yaml, std::string* error) {
  plan::Diagnostics diag;
  const int file = diag.add_file("<yaml>");
  plan::TreeBudget budget;
  std::optional<plan::Node> root = plan::read_yaml(yaml, file, diag, nullptr, budget);
  if (!root || diag.has_errors()) {
    if (error != nullptr) {
      const auto errors = diag.errors();
      *error = errors.empty() ? std::string("invalid YAML") : errors.front().format();
    }
    return std::nullopt;
  }
  return plan::to_json_value(*root);
}

}  // namespace lp
