// A small blocking HTTP/1.1 client over Beast, every operation bounded by a timeout.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <ostream>  // boost/utility/string_view.hpp in Boost 1.74 needs it first
#include <string>

namespace lp::test {

struct HttpResponse {
  unsigned status = 0;  // 0: no answer (see error)
  std::string body;
  std::string content_type;
  std::string allow;
  bool keep_alive = false;
  std::string error;
  std::chrono::steady_clock::duration elapsed{};
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Opens the connection now (requests open it on demand otherwise).
  bool connect();
  // Reuses the connection while the server keeps it alive.
  HttpResponse request(boost::beast::http::verb method, const std::string& target,
                       const std::string& body = "");
  HttpResponse get(const std::string& target) {
    return request(boost::beast::http::verb::get, target);
  }
  HttpResponse post(const std::string& target, const std::string& body = "") {
    return request(boost::beast::http::verb::post, target, body);
  }

 private:
  void close();

  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace lp::test
