// One client connection: HTTP/1.1 keep-alive, one request at a time, pooled routes go through
// the worker pool before they are answered.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "metrics.hpp"
#include "router.hpp"
#include "service.hpp"
#include "session_set.hpp"
#include "worker_pool.hpp"

namespace lp::demo_target {

struct SessionEnv {
  Service& service;
  WorkerPool& pool;
  Metrics& metrics;
  SessionSet& sessions;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, SessionEnv env);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // For shutdown: an idle connection closes now, a busy one after its answer.
  void close_when_idle();

 private:
  void read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void dispatch();
  void on_served();
  void reply(Reply r);
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  RequestView view() const;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::request<boost::beast::http::string_body> req_;
  boost::beast::http::response<boost::beast::http::string_body> res_;
  SessionEnv env_;
  Target target_;
  Route route_ = Route::kNotFound;
  std::chrono::steady_clock::time_point arrival_{};
  bool busy_ = false;  // between a request's arrival and its answer being written
  bool closing_ = false;
};

}  // namespace lp::demo_target
