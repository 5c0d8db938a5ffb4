// source "prometheus": the system under test's metrics from a Prometheus (or
// VictoriaMetrics, which speaks the same query API). poll() runs the config's
// named instant queries; query_range() gives forecasters their history.
#include <loadpilot/sdk.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prometheus_api.hpp"

namespace {

using nlohmann::json;
namespace prom = lp::prometheus;

class Prometheus {
 public:
  static constexpr lp_kind kind = LP_KIND_SOURCE;
  static constexpr const char* type_name = "prometheus";
  static constexpr const char* description =
      "Prometheus HTTP API: instant queries each tick, range queries for forecast history";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "url": {"type": "string", "pattern": "^https?://", "description": "the server, e.g. http://127.0.0.1:9090"},
      "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 600, "default": 10},
      "headers": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "sent with every request, e.g. Authorization"},
      "queries": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "metric name -> PromQL instant query, run at every poll"}
    },
    "required": ["url"],
    "additionalProperties": false
  })json";

  Prometheus(const lp::sdk::Host&, std::string_view config) {
    const json c = json::parse(config);
    endpoint_.url = c.at("url").get<std::string>();
    endpoint_.timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(1000 * c.value("timeout_s", 10.0)));
    endpoint_.headers = c.value("headers", std::map<std::string, std::string>{});
    queries_ = c.value("queries", std::map<std::string, std::string>{});
  }

  std::vector<lp::sdk::MetricPoint> poll() {
    std::vector<lp::sdk::MetricPoint> out;
    for (const auto& [name, query] : queries_) {
      auto points = prom::query_instant(endpoint_, name, query);
      out.insert(out.end(), points.begin(), points.end());
    }
    return out;
  }

  lp::sdk::OwnedSeries query_range(std::string_view query, std::int64_t start_ns,
                                   std::int64_t end_ns, std::int64_t step_ns) {
    return prom::query_range(endpoint_, std::string(query), start_ns, end_ns, step_ns);
  }

 private:
  prom::Endpoint endpoint_;
  std::map<std::string, std::string> queries_;
};

}  // namespace

LOADPILOT_PLUGIN("source-prometheus", "0.1.0", "Prometheus query API source", Prometheus)
