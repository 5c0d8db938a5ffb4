#include "router.hpp"

#include <array>

namespace lp::demo_target {
namespace http = boost::beast::http;

namespace {

struct Entry {
  std::string_view path;
  Route route;
  std::string_view allow;
};

constexpr std::array<Entry, 9> kExact{{
    {"/health", Route::kHealth, "GET"},
    {"/metrics", Route::kMetrics, "GET"},
    {"/api/items", Route::kItems, "GET"},
    {"/api/search", Route::kSearch, "GET"},
    {"/api/cart", Route::kCart, "POST"},
    {"/api/checkout", Route::kCheckout, "POST"},
    {"/fail", Route::kFail, "GET"},
    {"/admin/config", Route::kAdminConfig, "GET, POST"},
    {"/admin/stall", Route::kAdminStall, "POST"},
}};

constexpr std::string_view kItemPrefix = "/api/items/";

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);  // a stray '%' is kept as is
    }
  }
  return out;
}

bool allowed(std::string_view allow, http::verb method) {
  if (method == http::verb::get) {
    return allow.find("GET") != std::string_view::npos;
  }
  if (method == http::verb::post) {
    return allow.find("POST") != std::string_view::npos;
  }
  return false;
}

}  // namespace

Target split_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) {
    return {target, {}};
  }
  return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == key) {
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Classified classify(http::verb method, std::string_view path) {
  for (const auto& e : kExact) {
    if (e.path == path) {
      return {e.route, allowed(e.allow, method), e.allow};
    }
  }
  if (path.starts_with(kItemPrefix) && path.size() > kItemPrefix.size() &&
      path.find('/', kItemPrefix.size()) == std::string_view::npos) {
    return {Route::kItem, allowed("GET", method), "GET"};
  }
  return {Route::kNotFound, true, {}};
}

}  // namespace lp::demo_target
