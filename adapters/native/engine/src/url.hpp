// The engine's base URL, split once at construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lp::native {

struct BaseUrl {
  bool tls = false;
  std::string host;  // without IPv6 brackets
  uint16_t port = 0;
  std::string path;         // "" or "/prefix" without a trailing slash
  std::string host_header;  // host[:port] as the Host header wants it
  bool host_is_ip = false;  // no SNI; verify against an IP SAN
};

// Throws std::invalid_argument saying what is wrong with `url`.
BaseUrl parse_base_url(std::string_view url);

}  // namespace lp::native
