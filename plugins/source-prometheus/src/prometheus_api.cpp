#include "prometheus_api.hpp"

#include <curl/curl.h>

#include <cmath>
#include <limits>
#include <memory>
#include <mutex>

namespace lp::prometheus {
namespace {

using lp::sdk::Error;
using nlohmann::json;

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string escape(CURL* curl, const std::string& s) {
  std::unique_ptr<char, decltype(&curl_free)> e(
      curl_easy_escape(curl, s.data(), static_cast<int>(s.size())), &curl_free);
  if (!e) throw Error("cannot URL-encode the query");
  return e.get();
}

std::string seconds(std::int64_t ns) {  // Prometheus takes float seconds
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                static_cast<long long>(ns % 1'000'000'000));
  return buf;
}

// GET {url}{path}?{params}; the decoded JSON of a "success" answer, else an
// Error quoting Prometheus (or curl) and naming the server and the query.
json get(const Endpoint& e, const std::string& path,
         const std::vector<std::pair<std::string, std::string>>& params, const std::string& query) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw Error("libcurl: cannot make a handle");
  std::string url = e.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += path;
  char sep = '?';
  for (const auto& [k, v] : params) {
    url += sep + k + "=" + escape(curl.get(), v);
    sep = '&';
  }
  struct curl_slist* headers = nullptr;
  for (const auto& [k, v] : e.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          &curl_slist_free_all);
  std::string body;
  char curl_error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(e.timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    throw Error("prometheus at " + e.url + ": " +
                    (curl_error[0] != 0 ? std::string(curl_error) : curl_easy_strerror(rc)),
                LP_ERR_FAILED);
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  const json answer = json::parse(body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    throw Error("prometheus at " + e.url + path + ": HTTP " + std::to_string(status) +
                ", not a Prometheus API answer: " + body.substr(0, 200));
  }
  if (answer.value("status", "") != "success") {
    throw Error("prometheus at " + e.url + ": " + answer.value("errorType", "error") + ": " +
                    answer.value("error", "(no message)") + " (query: " + query + ")",
                LP_ERR_INVALID_ARGUMENT);
  }
  return answer;
}

std::string labels_of(const json& metric) {
  std::string s = "{";
  for (const auto& [k, v] : metric.items()) {
    s +=
        (s.size() > 1 ? ", " : "") + k + "=\"" + (v.is_string() ? v.get<std::string>() : "") + "\"";
  }
  return s + "}";
}

double number(const json& v) {  // Prometheus sends sample values as strings
  if (!v.is_string()) return std::numeric_limits<double>::quiet_NaN();
  try {
    return std::stod(v.get<std::string>());
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace

void place_matrix(const json& answer, const std::string& query, std::int64_t start_ns,
                  std::int64_t step_ns, lp::sdk::OwnedSeries& out) {
  const json& data = answer.at("data");
  if (data.value("resultType", "") != "matrix") {
    throw Error("query " + query + ": expected a range vector (matrix), got " +
                    data.value("resultType", "?"),
                LP_ERR_INVALID_ARGUMENT);
  }
  const json& result = data.at("result");
  if (result.empty()) return;  // no samples in this part of the range
  if (result.size() > 1) {
    std::string some;
    for (std::size_t i = 0; i < result.size() && i < 3; ++i) {
      some += (i ? ", " : "") + labels_of(result[i].value("metric", json::object()));
    }
    throw Error("query " + query + " yields " + std::to_string(result.size()) + " series (" + some +
                    (result.size() > 3 ? ", ..." : "") +
                    "); a forecast needs one: aggregate them, e.g. sum(" + query + ")",
                LP_ERR_INVALID_ARGUMENT);
  }
  for (const auto& point : result[0].at("values")) {
    const double t = point.at(0).get<double>();
    const double v = number(point.at(1));
    const double offset = (t * 1e9 - static_cast<double>(start_ns)) / static_cast<double>(step_ns);
    const auto i = static_cast<std::int64_t>(std::llround(offset));
    if (i < 0 || i >= static_cast<std::int64_t>(out.values.size())) continue;
    if (!std::isfinite(v)) continue;
    out.values[static_cast<std::size_t>(i)] = v;
    out.valid[static_cast<std::size_t>(i)] = 1;
  }
}

lp::sdk::OwnedSeries query_range(const Endpoint& e, const std::string& query, std::int64_t start_ns,
                                 std::int64_t end_ns, std::int64_t step_ns) {
  if (step_ns <= 0) throw Error("step must be positive", LP_ERR_INVALID_ARGUMENT);
  if (end_ns <= start_ns) throw Error("empty range: end before start", LP_ERR_INVALID_ARGUMENT);
  const std::int64_t n = (end_ns - start_ns + step_ns - 1) / step_ns;
  if (n > 10'000'000) throw Error("range too long for its step", LP_ERR_INVALID_ARGUMENT);
  lp::sdk::OwnedSeries out;
  out.start_ns = start_ns;
  out.step_ns = step_ns;
  out.values.assign(static_cast<std::size_t>(n), std::numeric_limits<double>::quiet_NaN());
  out.valid.assign(static_cast<std::size_t>(n), 0);
  for (std::int64_t first = 0; first < n; first += kMaxPointsPerRequest) {
    const std::int64_t last = std::min(n, first + kMaxPointsPerRequest) - 1;  // inclusive
    const json answer = get(e, "/api/v1/query_range",
                            {{"query", query},
                             {"start", seconds(start_ns + first * step_ns)},
                             {"end", seconds(start_ns + last * step_ns)},
                             {"step", seconds(step_ns)}},
                            query);
    place_matrix(answer, query, start_ns, step_ns, out);
  }
  bool any = false;
  for (const auto v : out.valid) any = any || v != 0;
  if (!any) {
    throw Error("query " + query + " yields no samples in the range (prometheus at " + e.url + ")",
                LP_ERR_INVALID_ARGUMENT);
  }
  return out;
}

std::vector<lp::sdk::MetricPoint> query_instant(const Endpoint& e, const std::string& name,
                                                const std::string& query) {
  const json answer = get(e, "/api/v1/query", {{"query", query}}, query);
  const json& data = answer.at("data");
  std::vector<lp::sdk::MetricPoint> out;
  const auto add = [&](const json& metric, const json& sample) {
    lp::sdk::MetricPoint p;
    p.name = name;
    for (const auto& [k, v] : metric.items()) {
      if (v.is_string()) p.labels.emplace_back(k, v.get<std::string>());
    }
    p.value = number(sample.at(1));
    p.wall_ns = std::llround(sample.at(0).get<double>() * 1e9);
    out.push_back(std::move(p));
  };
  const std::string type = data.value("resultType", "");
  if (type == "vector") {
    for (const auto& r : data.at("result")) add(r.value("metric", json::object()), r.at("value"));
  } else if (type == "scalar") {
    add(json::object(), data.at("result"));
  } else {
    throw Error("query " + query + ": an instant vector or scalar is needed, got " + type,
                LP_ERR_INVALID_ARGUMENT);
  }
  return out;
}

}  // namespace lp::prometheus
