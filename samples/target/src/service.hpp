// The answers of every route: JSON bodies for the API, admin changes, /metrics.
#pragma once

#include <atomic>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>  // boost/utility/string_view.hpp in Boost 1.74 needs it first
#include <string>
#include <string_view>

#include "catalogue.hpp"
#include "metrics.hpp"
#include "options.hpp"
#include "worker_pool.hpp"

namespace lp::demo_target {

struct Reply {
  unsigned status = 200;
  std::string body;
  std::string_view content_type = "application/json";
  std::string_view allow;  // for 405
};

struct RequestView {
  Route route = Route::kNotFound;
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string_view path;
  std::string_view query;
  std::string_view body;
};

class Service {
 public:
  Service(const Options& opts, WorkerPool& pool, const Metrics& metrics);

  double multiplier(Route route) const {
    return opts_.multipliers[static_cast<std::size_t>(route)];
  }
  double fail_rate() const { return fail_rate_.load(); }

  // For pooled routes this runs once the request's service time has passed.
  Reply handle(const RequestView& req);

  static Reply rejected();
  static Reply method_not_allowed(std::string_view allow);
  static Reply payload_too_large();

 private:
  Reply items(std::string_view query) const;
  Reply item(std::string_view path) const;
  Reply search(std::string_view query) const;
  static Reply cart(std::string_view body);
  Reply checkout();
  Reply fail();
  Reply metrics() const;
  Reply admin_config(boost::beast::http::verb method, std::string_view body);
  Reply admin_stall(std::string_view query);
  nlohmann::json config_json(double stalled_ms) const;

  const Options& opts_;
  WorkerPool& pool_;
  const Metrics& metrics_;
  const Catalogue catalogue_;
  std::atomic<double> fail_rate_;
  std::atomic<std::uint64_t> fail_draws_{0};
  std::atomic<std::uint64_t> next_order_{1};
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const double start_unix_seconds_;
};

}  // namespace lp::demo_target
