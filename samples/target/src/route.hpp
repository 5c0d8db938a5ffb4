// The routes the demo target serves, their metric labels and default service-time multipliers.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace lp::demo_target {

enum class Route : std::size_t {
  kHealth,
  kItems,
  kItem,
  kSearch,
  kCart,
  kCheckout,
  kFail,
  kMetrics,
  kAdminConfig,
  kAdminStall,
  kNotFound,
};

inline constexpr std::size_t kRouteCount = 11;

struct RouteInfo {
  Route route;
  std::string_view label;  // the `route` label in /metrics and the name --route-multiplier takes
  bool pooled;             // served by the worker pool (false: answered at once)
  double multiplier;       // default service-time multiplier for pooled routes
};

// Checkout is the "heavier" route (three times the base service time).
inline constexpr std::array<RouteInfo, kRouteCount> kRoutes{{
    {Route::kHealth, "health", false, 0.0},
    {Route::kItems, "items", true, 1.0},
    {Route::kItem, "item", true, 1.0},
    {Route::kSearch, "search", true, 1.0},
    {Route::kCart, "cart", true, 1.0},
    {Route::kCheckout, "checkout", true, 3.0},
    {Route::kFail, "fail", true, 1.0},
    {Route::kMetrics, "metrics", false, 0.0},
    {Route::kAdminConfig, "admin_config", false, 0.0},
    {Route::kAdminStall, "admin_stall", false, 0.0},
    {Route::kNotFound, "not_found", false, 0.0},
}};

constexpr const RouteInfo& route_info(Route r) {
  return kRoutes[static_cast<std::size_t>(r)];
}

// Only pooled routes can be named, since only they have a service time.
constexpr std::optional<Route> pooled_route_from_label(std::string_view label) {
  for (const auto& info : kRoutes) {
    if (info.pooled && info.label == label) {
      return info.route;
    }
  }
  return std::nullopt;
}

}  // namespace lp::demo_target
