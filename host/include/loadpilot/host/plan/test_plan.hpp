// The typed test plan: what a YAML plan means once loaded, resolved and
// checked. Paths are absolute, defaults are filled in, references resolve.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loadpilot/host/plan/criteria.hpp"
#include "loadpilot/host/plan/duration.hpp"

namespace lp {

using Timestamp = std::chrono::sys_seconds;

// The shipped demo service with a known capacity (samples/), started by the host.
struct DemoTarget {
  bool start = true;
  int port = 18080;
  int workers = 4;
  double service_time_ms = 5.0;
  int queue = 64;
  double fail_rate = 0.0;
};

struct TargetSpec {
  std::string base_url;  // http or https
  std::optional<DemoTarget> demo;
};

struct ToolSpec {
  std::string id;                    // unique among tools; defaults to the tool type
  std::string tool;                  // a `tool` component type
  std::filesystem::path suite;       // absolute; empty for vector-driven tools
  std::vector<std::string> vectors;  // Load Vector ids (see TestPlan::vector_files)
  double share = 0.0;                // of the offered load; equal split when the plan gives none
  nlohmann::json config = nlohmann::json::object();
};

enum class LoadModel { kOpen, kClosed };

struct LoadSpec {
  LoadModel model = LoadModel::kOpen;
  std::optional<double> rate;      // initial offered rate, requests/s
  std::optional<double> max_rate;  // hard safety cap on offered rate; always set for kOpen
  std::optional<int> concurrency;  // users (closed model) or connection limit (open)
};

// Production history to fit on: a CSV file, or a range query on a metrics source.
struct ForecastHistory {
  std::filesystem::path file;  // absolute, when a file
  std::string source;          // a sources[] id, when a query
  std::string query;
  Duration range{};
};

struct ForecastEvent {
  Timestamp at{};
  std::optional<Duration> duration;
  std::string name;
  double multiplier = 1.0;
};

struct ForecastSpec {
  std::string model;  // a `forecaster` component type
  ForecastHistory history;
  Duration horizon = std::chrono::hours(24);
  Duration step = std::chrono::hours(1);
  std::vector<double> quantiles{0.1, 0.5, 0.9};  // strictly increasing, in (0, 1)
  std::vector<ForecastEvent> events;
  nlohmann::json config = nlohmann::json::object();
};

struct ScalingThresholds {
  std::optional<std::pair<double, double>> generator_cpu;  // scale in below, out above
  std::optional<double> p99_ms;
  std::optional<double> error_rate;
};

struct ScalingSpec {
  std::optional<double> proportional_gain;
  ScalingThresholds thresholds;
  Duration cooldown = std::chrono::seconds(30);
};

struct ProvisionSpec {
  std::string provider;  // a `provider` component type
  // Pre-provisioned baseline: a forecast quantile ("p10" -> 0.1) or a fixed count.
  std::optional<double> baseline_quantile;
  std::optional<int> baseline_instances;
  int min_instances = 1;
  int max_instances = 1;
  std::vector<std::string> instance_types;
  nlohmann::json config = nlohmann::json::object();
  ScalingSpec scaling;
};

// What the shaper keeps the system under test within.
struct Envelope {
  std::optional<double> target_cpu;  // fraction
  std::optional<double> p99_ms;
  std::optional<double> error_rate;  // fraction
};

enum class ShapingStrategy { kRateLimit, kDistribution, kPrioritization, kPresoak, kChaos };

struct Presoak {
  double rate = 0.05;  // fraction of the planned rate
  Duration duration = std::chrono::minutes(2);
};

struct ShapingSpec {
  Envelope envelope;
  std::vector<ShapingStrategy> strategies;
  std::optional<Presoak> presoak;
};

enum class OnHighError { kSkip, kShorten };

// The Load Vector sequence (ALV sequencer).
struct ProfileSpec {
  std::optional<Timestamp> start_time;
  std::vector<std::string> vector_sequence;
  Duration transition_delay{};
  std::optional<double> skip_on_error_rate;
  OnHighError on_high_error = OnHighError::kSkip;
};

struct SourceSpec {
  std::string id;      // unique among sources; defaults to the source type
  std::string source;  // a `source` component type
  nlohmann::json config = nlohmann::json::object();
};

enum class AlertAction { kLog, kStop, kBackoff };

struct DetectorSpec {
  std::string id;                    // unique among detectors; defaults to the detector type
  std::string detector;              // a `detector` component type
  std::vector<std::string> metrics;  // KPI names or <source id>.<metric>
  nlohmann::json config = nlohmann::json::object();
  std::vector<AlertAction> on_alert{AlertAction::kLog};
  std::string webhook;  // empty when none
  // When set, each metric is predicted one tick ahead by this forecaster and
  // the detector sees [observed, low, high] per metric (the band detector).
  std::string forecaster;
  double interval = 0.95;  // central prediction interval
};

enum class ChaosKind { kLatency, kErrors, kKillGenerator, kCpuHog };

struct ChaosSpec {
  Duration at{};  // from the start of the run
  ChaosKind kind = ChaosKind::kLatency;
  std::optional<Duration> duration;  // all kinds but kill_generator
  std::optional<double> ms;          // latency: added milliseconds
  std::optional<double> rate;        // errors: fraction of requests failed
  std::optional<double> load;        // cpu_hog: fraction of the target's CPU
  std::optional<int> count;          // kill_generator: instances killed
};

struct SinkSpec {
  std::string id;    // unique among sinks; defaults to the sink type
  std::string sink;  // a `sink` component type
  nlohmann::json config = nlohmann::json::object();
};

struct StoreSpec {
  std::filesystem::path dir;  // absolute; empty = the run controller's default
  std::vector<SinkSpec> sinks;
};

struct TestPlan {
  std::string name;  // [a-z0-9._-]+
  std::string description;
  std::filesystem::path file;                   // as given to load_plan
  std::vector<std::filesystem::path> includes;  // files merged beneath, in load order
  std::optional<Duration> duration;  // may be absent when profile.vector_sequence gives it
  Duration tick = std::chrono::seconds(1);
  TargetSpec target;
  std::filesystem::path vector_dir;                           // absolute; empty if unused
  std::map<std::string, std::filesystem::path> vector_files;  // every referenced vector id
  std::vector<ToolSpec> tools;
  LoadSpec load;
  std::optional<ForecastSpec> forecast;
  std::optional<ProvisionSpec> provision;
  std::optional<ShapingSpec> shaping;
  std::optional<ProfileSpec> profile;
  std::vector<SourceSpec> sources;
  std::vector<DetectorSpec> detect;
  std::vector<ChaosSpec> chaos;
  StoreSpec store;
  std::vector<Criterion> criteria;
};

// KPI names a detector metric or a criterion may use (besides <source id>.<metric>).
const std::vector<std::string>& kpi_names();

}  // namespace lp
