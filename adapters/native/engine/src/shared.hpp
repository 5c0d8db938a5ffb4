// What every I/O thread reads and nobody writes once the engine has started.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loadpilot/native/engine_config.hpp"
#include "url.hpp"

namespace lp::native {

struct EngineShared {
  EngineConfig config;
  BaseUrl url;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  std::vector<std::string> wire;  // each type serialised once, used when there is no hook
  std::vector<char> is_head;      // per type: the response has no body
  std::unique_ptr<boost::asio::ssl::context> tls;  // null for http://
  int64_t wall_offset_ns = 0;                      // wall = steady + offset
};

}  // namespace lp::native
