// Maps a request line to a route, and reads query parameters.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <optional>
#include <ostream>  // boost/utility/string_view.hpp in Boost 1.74 needs it first
#include <string>
#include <string_view>

#include "route.hpp"

namespace lp::demo_target {

struct Target {
  std::string_view path;
  std::string_view query;  // after '?', without it
};

Target split_target(std::string_view target);

// Value of `key` in a query string, percent-decoded with '+' as space; nullopt if absent.
std::optional<std::string> query_param(std::string_view query, std::string_view key);

struct Classified {
  Route route = Route::kNotFound;
  bool method_allowed = true;
  std::string_view allow;  // methods the route accepts, for 405 answers
};

Classified classify(boost::beast::http::verb method, std::string_view path);

}  // namespace lp::demo_target
