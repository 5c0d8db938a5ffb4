// summary.json: what a run measured (overall, per request type, per vector)
// and how its pass/fail criteria came out. Written at the end of every run,
// failed or not, from the data the run kept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "loadpilot/host/metrics/tick_window.hpp"
#include "loadpilot/host/plan/test_plan.hpp"
#include "loadpilot/host/store/rows.hpp"

namespace lp {

struct VectorSpan {
  std::string vector_id;
  std::int64_t start_ns = 0;
  std::optional<std::int64_t> end_ns;
  VectorOutcome outcome = VectorOutcome::kRunning;
  std::string reason;
  RequestStats stats;  // every tool's requests while it ran
};

struct SummaryInput {
  std::string run_id;
  const TestPlan* plan = nullptr;
  std::int64_t started_ns = 0;
  std::int64_t ended_ns = 0;
  const RequestStats* overall = nullptr;
  struct Tool {
    std::string id;
    const RunAccumulator* total;
  };
  std::vector<Tool> tools;
  const std::vector<VectorSpan>* vectors = nullptr;
  std::optional<double> mean_offered_rate;
  nlohmann::json alerts = nlohmann::json::array();         // raised and resolved, in order
  nlohmann::json plugin_errors = nlohmann::json::array();  // reported, not fatal: {source, message}
};

struct SummaryResult {
  bool criteria_passed = true;
  std::string criteria_message;  // the first failed criterion, for the console
};

// The KPIs criteria can use, from a run's overall figures; nothing for a KPI
// that was not measured.
std::optional<double> run_kpi(std::string_view name, const RequestSummary& overall,
                              std::optional<double> mean_offered_rate);

// Figures of a RequestStats over a span of `duration_s`.
RequestSummary summarize(const RequestStats& stats, double duration_s, std::string name);

SummaryResult write_summary(const SummaryInput& in, const std::filesystem::path& file,
                            int exit_code, const std::string& error);

}  // namespace lp
