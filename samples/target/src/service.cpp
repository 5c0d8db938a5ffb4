#include "service.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "deterministic_random.hpp"
#include "exposition.hpp"
#include "router.hpp"

namespace lp::demo_target {
namespace http = boost::beast::http;
using nlohmann::json;

namespace {

constexpr std::size_t kSearchLimit = 10;
constexpr double kMaxStallMs = 600000;  // 10 minutes: anything longer is a typo

Reply json_reply(unsigned status, const json& body) {
  Reply r;
  r.status = status;
  // Replace, not throw, on invalid UTF-8 (a percent-decoded search query may hold any byte).
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Reply error(unsigned status, std::string_view message) {
  return json_reply(status, json{{"error", message}});
}

json item_json(const Item& item) {
  return json{{"id", item.id}, {"name", item.name}, {"price", item.price}};
}

std::optional<unsigned> parse_unsigned(std::string_view s) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

void log_line(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

Service::Service(const Options& opts, WorkerPool& pool, const Metrics& metrics)
    : opts_(opts),
      pool_(pool),
      metrics_(metrics),
      fail_rate_(opts.fail_rate),
      start_unix_seconds_(
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count()) {}

Reply Service::handle(const RequestView& req) {
  switch (req.route) {
    case Route::kHealth:
      return json_reply(200, json{{"status", "ok"}});
    case Route::kItems:
      return items(req.query);
    case Route::kItem:
      return item(req.path);
    case Route::kSearch:
      return search(req.query);
    case Route::kCart:
      return cart(req.body);
    case Route::kCheckout:
      return checkout();
    case Route::kFail:
      return fail();
    case Route::kMetrics:
      return metrics();
    case Route::kAdminConfig:
      return admin_config(req.method, req.body);
    case Route::kAdminStall:
      return admin_stall(req.query);
    case Route::kNotFound:
      break;
  }
  return error(404, "not found");
}

Reply Service::rejected() {
  return error(503, "overloaded: all workers busy and queue full");
}

Reply Service::method_not_allowed(std::string_view allow) {
  Reply r = error(405, "method not allowed");
  r.allow = allow;
  return r;
}

Reply Service::payload_too_large() {
  return error(413, "request body too large");
}

Reply Service::items(std::string_view query) const {
  const auto page_text = query_param(query, "page");
  const auto page = page_text ? parse_unsigned(*page_text) : std::optional<unsigned>(0);
  if (!page) {
    return error(400, "page must be a non-negative integer");
  }
  json list = json::array();
  for (const Item* it : catalogue_.page(*page)) {
    list.push_back(item_json(*it));
  }
  return json_reply(200, json{{"page", *page}, {"total", Catalogue::kSize}, {"items", list}});
}

Reply Service::item(std::string_view path) const {
  const auto id = parse_unsigned(path.substr(path.rfind('/') + 1));
  const Item* found = id ? catalogue_.find(*id) : nullptr;
  if (found == nullptr) {
    return error(404, "no such item");
  }
  return json_reply(200, item_json(*found));
}

Reply Service::search(std::string_view query) const {
  const auto q = query_param(query, "q");
  if (!q) {
    return error(400, "missing query parameter q");
  }
  json results = json::array();
  for (const Item* it : catalogue_.search(*q, kSearchLimit)) {
    results.push_back(item_json(*it));
  }
  const auto count = results.size();
  return json_reply(200, json{{"query", *q}, {"count", count}, {"results", std::move(results)}});
}

// Accepts {"items": [...]} or a bare array and answers with the number of items.
Reply Service::cart(std::string_view body) {
  const json payload = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) {
    return error(400, "body is not JSON");
  }
  const json* items = nullptr;
  if (payload.is_array()) {
    items = &payload;
  } else if (payload.is_object() && payload.contains("items") && payload["items"].is_array()) {
    items = &payload["items"];
  }
  if (items == nullptr) {
    return error(400, "expected {\"items\": [...]}");
  }
  return json_reply(200, json{{"items", items->size()}});
}

Reply Service::checkout() {
  return json_reply(200, json{{"order_id", next_order_.fetch_add(1)}, {"status", "confirmed"}});
}

Reply Service::fail() {
  const double u = uniform_draw(opts_.seed, RandomStream::kFail, fail_draws_.fetch_add(1));
  if (u < fail_rate_.load()) {
    return error(500, "injected failure");
  }
  return json_reply(200, json{{"status", "ok"}});
}

Reply Service::metrics() const {
  ExpositionInput in{metrics_};
  in.pool = pool_.snapshot();
  in.workers = pool_.workers();
  in.queue_capacity = pool_.queue_capacity();
  in.service_time_ms = pool_.service_time_ms();
  in.service_jitter = opts_.service_jitter;
  in.fail_rate = fail_rate_.load();
  in.mode = opts_.service_mode;
  in.multipliers = opts_.multipliers;
  in.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  in.start_time_seconds = start_unix_seconds_;
  in.process = read_process_stats();
  Reply r;
  r.body = render_prometheus(in);
  r.content_type = kPrometheusContentType;
  return r;
}

json Service::config_json(double stalled_ms) const {
  json j{{"fail_rate", fail_rate_.load()},
         {"service_time_ms", pool_.service_time_ms()},
         {"capacity_rps", pool_.capacity_rps()},
         {"workers", pool_.workers()},
         {"queue", pool_.queue_capacity()},
         {"service_mode", service_mode_name(opts_.service_mode)}};
  if (stalled_ms > 0) {
    j["stalled_ms"] = stalled_ms;
  }
  return j;
}

// Every field is checked before any is applied, so a bad request changes nothing.
Reply Service::admin_config(http::verb method, std::string_view body) {
  if (method == http::verb::get) {
    return json_reply(200, config_json(0));
  }
  const json payload = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object()) {
    return error(400, "expected a JSON object with fail_rate, service_time_ms, stall_for_ms");
  }
  std::optional<double> fail_rate, service_time_ms, stall_for_ms;
  for (const auto& [key, value] : payload.items()) {
    if (!value.is_number()) {
      return error(400, fmt::format("{} must be a number", key));
    }
    const double v = value.get<double>();
    if (key == "fail_rate" && v >= 0 && v <= 1) {
      fail_rate = v;
    } else if (key == "service_time_ms" && v >= 0.001 && v <= 3600000) {
      service_time_ms = v;
    } else if (key == "stall_for_ms" && v >= 0 && v <= kMaxStallMs) {
      stall_for_ms = v;
    } else if (key == "fail_rate" || key == "service_time_ms" || key == "stall_for_ms") {
      return error(400, fmt::format("{} out of range", key));
    } else {
      return error(400, fmt::format("unknown field '{}'", key));
    }
  }
  if (fail_rate) {
    fail_rate_.store(*fail_rate);
  }
  if (service_time_ms) {
    pool_.set_service_time_ms(*service_time_ms);
  }
  if (stall_for_ms && *stall_for_ms > 0) {
    pool_.stall(std::chrono::duration_cast<WorkerPool::Clock::duration>(
        std::chrono::duration<double, std::milli>(*stall_for_ms)));
  }
  log_line(fmt::format("admin config: fail_rate={} service_time_ms={} capacity={} req/s{}",
                       fail_rate_.load(), pool_.service_time_ms(), pool_.capacity_rps(),
                       stall_for_ms ? fmt::format(" stall_for_ms={}", *stall_for_ms) : ""));
  return json_reply(200, config_json(stall_for_ms.value_or(0)));
}

Reply Service::admin_stall(std::string_view query) {
  const auto text = query_param(query, "ms");
  const auto ms = text ? parse_unsigned(*text) : std::nullopt;
  if (!ms || *ms == 0 || *ms > kMaxStallMs) {
    return error(400, "ms must be an integer in 1..600000");
  }
  pool_.stall(std::chrono::milliseconds(*ms));
  log_line(fmt::format("admin stall: {} ms", *ms));
  return json_reply(200, json{{"stalled_ms", *ms}});
}

}  // namespace lp::demo_target
