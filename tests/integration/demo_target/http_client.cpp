#include "http_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace lp::test {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Runs the one pending operation to completion; tcp_stream's expiry bounds it.
void run(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

}  // namespace

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout), stream_(ioc_) {}

bool HttpClient::connect() {
  if (connected_) {
    return true;
  }
  beast::error_code result;
  stream_.expires_after(timeout_);
  stream_.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_),
                        [&](beast::error_code ec) { result = ec; });
  run(ioc_);
  connected_ = !result;
  return connected_;
}

void HttpClient::close() {
  beast::error_code ignored;
  stream_.socket().close(ignored);
  buffer_.clear();
  connected_ = false;
}

HttpResponse HttpClient::request(http::verb method, const std::string& target,
                                 const std::string& body) {
  HttpResponse out;
  const auto start = std::chrono::steady_clock::now();
  if (!connect()) {
    out.error = "connect failed";
    return out;
  }
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (method == http::verb::post) {
    req.set(http::field::content_type, "application/json");
  }
  req.body() = body;
  req.prepare_payload();

  beast::error_code result;
  stream_.expires_after(timeout_);
  http::async_write(stream_, req, [&](beast::error_code ec, std::size_t) { result = ec; });
  run(ioc_);
  http::response<http::string_body> res;
  if (!result) {
    stream_.expires_after(timeout_);
    http::async_read(stream_, buffer_, res,
                     [&](beast::error_code ec, std::size_t) { result = ec; });
    run(ioc_);
  }
  out.elapsed = std::chrono::steady_clock::now() - start;
  if (result) {
    out.error = result.message();
    close();
    return out;
  }
  out.status = res.result_int();
  out.body = res.body();
  out.content_type = std::string(res[http::field::content_type]);
  out.allow = std::string(res[http::field::allow]);
  out.keep_alive = res.keep_alive();
  if (!out.keep_alive) {
    close();
  }
  return out;
}

}  // namespace lp::test
