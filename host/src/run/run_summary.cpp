#include "loadpilot/host/run/run_summary.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace lp {
namespace {

double ms(std::int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

nlohmann::json to_json(const RequestSummary& s) {
  return {{"requests", s.count},
          {"errors", s.errors},
          {"error_rate", s.error_rate},
          {"achieved_rate", s.rate_per_s},
          {"latency_ms",
           {{"p50", s.p50_ms},
            {"p90", s.p90_ms},
            {"p99", s.p99_ms},
            {"p999", s.p999_ms},
            {"max", s.max_ms},
            {"mean", s.mean_ms}}},
          {"outcomes",
           {{"ok", s.outcomes[LP_OUTCOME_OK]},
            {"http_error", s.outcomes[LP_OUTCOME_HTTP_ERROR]},
            {"timeout", s.outcomes[LP_OUTCOME_TIMEOUT]},
            {"connect_error", s.outcomes[LP_OUTCOME_CONNECT_ERROR]},
            {"other_error", s.outcomes[LP_OUTCOME_OTHER_ERROR]}}},
          {"bytes", s.bytes}};
}

}  // namespace

RequestSummary summarize(const RequestStats& stats, double duration_s, std::string name) {
  RequestSummary s;
  s.name = std::move(name);
  s.count = stats.count;
  s.outcomes = stats.outcomes;
  s.errors = stats.count - stats.outcomes[LP_OUTCOME_OK];
  s.error_rate =
      stats.count > 0 ? static_cast<double>(s.errors) / static_cast<double>(stats.count) : 0.0;
  s.rate_per_s = duration_s > 0 ? static_cast<double>(stats.count) / duration_s : 0.0;
  s.bytes = stats.bytes;
  s.status_codes = stats.status_codes;
  const HdrHistogram& h = stats.latency_us;
  if (h.total_count() > 0) {
    s.p50_ms = ms(h.value_at_percentile(50.0));
    s.p90_ms = ms(h.value_at_percentile(90.0));
    s.p99_ms = ms(h.value_at_percentile(99.0));
    s.p999_ms = ms(h.value_at_percentile(99.9));
    s.max_ms = ms(h.max());
    s.mean_ms = h.mean() / 1000.0;
  }
  s.latency_out_of_range = h.out_of_range_count();
  return s;
}

std::optional<double> run_kpi(std::string_view name, const RequestSummary& overall,
                              std::optional<double> mean_offered_rate) {
  if (name == "requests") return static_cast<double>(overall.count);
  if (name == "offered_rate") return mean_offered_rate;
  if (name == "achieved_rate") return overall.rate_per_s;
  // Latencies and error rates of a run with no requests were not measured:
  // a criterion on them must fail, not pass on zeros.
  if (overall.count == 0) return std::nullopt;
  if (name == "p50_ms") return overall.p50_ms;
  if (name == "p90_ms") return overall.p90_ms;
  if (name == "p99_ms") return overall.p99_ms;
  if (name == "p999_ms") return overall.p999_ms;
  if (name == "max_ms") return overall.max_ms;
  if (name == "mean_ms") return overall.mean_ms;
  if (name == "error_rate") return overall.error_rate;
  if (name == "errors") return static_cast<double>(overall.errors);
  return std::nullopt;  // target_cpu etc.: not measured by this run
}

SummaryResult write_summary(const SummaryInput& in, const std::filesystem::path& file,
                            int exit_code, const std::string& error) {
  const double duration_s = static_cast<double>(in.ended_ns - in.started_ns) / 1e9;
  const RequestSummary overall = summarize(*in.overall, duration_s, "all");

  nlohmann::json doc;
  doc["run_id"] = in.run_id;
  doc["plan"] = in.plan->name;
  doc["plan_file"] = in.plan->file.string();
  doc["started_ns"] = in.started_ns;
  doc["ended_ns"] = in.ended_ns;
  doc["duration_s"] = duration_s;
  doc["overall"] = to_json(overall);
  if (in.mean_offered_rate) doc["overall"]["offered_rate"] = *in.mean_offered_rate;

  doc["request_types"] = nlohmann::json::array();
  for (const auto& t : in.tools) {
    const WindowSummary ws = t.total->summary();
    // Rates over the whole run, not only over the ticks that had samples.
    for (std::size_t i = 0; i < ws.types.size(); ++i) {
      if (ws.types[i].count == 0) continue;
      RequestSummary s = summarize(t.total->types()[i], duration_s, ws.types[i].name);
      nlohmann::json j = to_json(s);
      j["tool"] = t.id;
      j["name"] = s.name;
      doc["request_types"].push_back(std::move(j));
    }
  }

  doc["vectors"] = nlohmann::json::array();
  for (const auto& v : *in.vectors) {
    const std::int64_t end = v.end_ns.value_or(in.ended_ns);
    const double span_s = static_cast<double>(end - v.start_ns) / 1e9;
    nlohmann::json j = to_json(summarize(v.stats, span_s, v.vector_id));
    j["id"] = v.vector_id;
    j["outcome"] = std::string(to_string(v.outcome));
    if (!v.reason.empty()) j["reason"] = v.reason;
    j["duration_s"] = span_s;
    doc["vectors"].push_back(std::move(j));
  }

  SummaryResult result;
  doc["alerts"] = in.alerts;
  doc["plugin_errors"] = in.plugin_errors;
  doc["criteria"] = nlohmann::json::array();
  for (const auto& c : in.plan->criteria) {
    const auto passed = c.evaluate(
        [&](std::string_view kpi) { return run_kpi(kpi, overall, in.mean_offered_rate); });
    nlohmann::json j{{"criterion", c.text()}};
    nlohmann::json values = nlohmann::json::object();
    for (const auto& id : c.identifiers()) {
      if (auto v = run_kpi(id.name, overall, in.mean_offered_rate)) values[id.name] = *v;
    }
    j["values"] = values;
    if (passed.has_value()) {
      j["passed"] = *passed;
    } else {
      j["passed"] = false;
      j["reason"] = "a KPI it uses was not measured by this run";
    }
    if (!j["passed"].get<bool>() && result.criteria_passed) {
      result.criteria_passed = false;
      result.criteria_message = fmt::format("criterion failed: {} ({})", c.text(), values.dump());
    }
    doc["criteria"].push_back(std::move(j));
  }
  doc["passed"] = exit_code == 0 && result.criteria_passed;
  doc["exit_code"] = exit_code != 0 ? exit_code : (result.criteria_passed ? 0 : 1);
  if (!error.empty()) doc["error"] = error;

  const auto tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << doc.dump(2) << "\n";
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", tmp));
  }
  std::filesystem::rename(tmp, file);  // never a half-written summary
  return result;
}

}  // namespace lp
