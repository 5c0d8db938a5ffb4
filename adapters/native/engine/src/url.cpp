#include "url.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <stdexcept>

namespace lp::native {
namespace {

[[noreturn]] void bad(std::string_view url, std::string_view why) {
  throw std::invalid_argument("base_url \"" + std::string(url) + "\": " + std::string(why));
}

}  // namespace

BaseUrl parse_base_url(std::string_view url) {
  BaseUrl out;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else {
    bad(url, "scheme must be http:// or https://");
  }
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) {
    bad(url, "no query or fragment allowed; put them in the request targets");
  }
  if (authority.find('@') != std::string_view::npos) bad(url, "user info is not supported");

  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad(url, "unclosed '[' in the host");
    out.host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') bad(url, "expected ':' after ']'");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) bad(url, "no host");

  out.port = out.tls ? 443 : 80;
  const bool explicit_port = !port_text.empty();
  if (explicit_port) {
    unsigned value = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      bad(url, "port must be 1-65535");
    }
    out.port = static_cast<uint16_t>(value);
  }

  while (path.ends_with('/')) path.remove_suffix(1);
  out.path = path;

  boost::system::error_code ec;
  boost::asio::ip::make_address(out.host, ec);
  out.host_is_ip = !ec;
  const bool v6 = out.host.find(':') != std::string::npos;
  out.host_header = v6 ? "[" + out.host + "]" : out.host;
  if (explicit_port && out.port != (out.tls ? 443 : 80)) {
    out.host_header += ":" + std::to_string(out.port);
  }
  return out;
}

}  // namespace lp::native
