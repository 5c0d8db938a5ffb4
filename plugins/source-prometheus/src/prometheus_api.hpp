// The parts of the Prometheus HTTP API a source needs: range queries onto a
// regular grid (split into requests of at most 10,000 points, under the
// server's 11,000-point limit) and instant queries. Errors name the server,
// the query and Prometheus' own message.
#pragma once

#include <chrono>
#include <cstdint>
#include <loadpilot/sdk.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lp::prometheus {

struct Endpoint {
  std::string url;                             // http://host:9090 (no trailing slash needed)
  std::map<std::string, std::string> headers;  // e.g. Authorization
  std::chrono::milliseconds timeout{10000};
};

// Points per request: Prometheus refuses more than 11,000 per series.
inline constexpr std::int64_t kMaxPointsPerRequest = 10000;

// The one series `query` yields over [start_ns, end_ns) at step_ns, on that
// grid: steps with no sample (or NaN/Inf) are invalid. Throws lp::sdk::Error
// when the query yields no series or several (aggregate them: sum(...)).
lp::sdk::OwnedSeries query_range(const Endpoint& e, const std::string& query, std::int64_t start_ns,
                                 std::int64_t end_ns, std::int64_t step_ns);

// Every series of an instant query now, named `name`, with its labels.
std::vector<lp::sdk::MetricPoint> query_instant(const Endpoint& e, const std::string& name,
                                                const std::string& query);

// Parses a query_range answer onto the grid (exposed for tests).
void place_matrix(const nlohmann::json& answer, const std::string& query, std::int64_t start_ns,
                  std::int64_t step_ns, lp::sdk::OwnedSeries& out);

}  // namespace lp::prometheus
