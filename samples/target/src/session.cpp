#include "session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <string_view>

namespace lp::demo_target {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kBodyLimit = std::size_t{64} * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(30);

// Beast 1.74 uses boost::string_view.
std::string_view to_std(beast::string_view s) {
  return {s.data(), s.size()};
}
beast::string_view to_beast(std::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace

Session::Session(tcp::socket socket, SessionEnv env) : stream_(std::move(socket)), env_(env) {
  env_.metrics.connection_opened();
}

Session::~Session() {
  env_.sessions.remove(this);
  env_.metrics.connection_closed();
}

void Session::start() {
  beast::error_code ignored;
  stream_.socket().set_option(tcp::no_delay(true), ignored);
  env_.sessions.add(shared_from_this());
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&Session::read, shared_from_this()));
}

void Session::close_when_idle() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    if (!self->busy_) {
      self->stream_.cancel();  // aborts the pending read
    }
  });
}

void Session::read() {
  busy_ = false;
  if (closing_) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  parser_.emplace();
  parser_->body_limit(kBodyLimit);
  stream_.expires_after(kIdleTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec == http::error::body_limit) {
    // Answer from the header alone, then close: the rest of the body is not worth reading.
    busy_ = true;
    env_.metrics.request_started();
    arrival_ = std::chrono::steady_clock::now();
    req_ = {};
    req_.version(parser_->get().version());
    req_.keep_alive(false);
    route_ =
        classify(parser_->get().method(), split_target(to_std(parser_->get().target())).path).route;
    reply(Service::payload_too_large());
    return;
  }
  if (ec) {
    return;  // end of stream, timeout, reset or shutdown: the connection just ends
  }
  busy_ = true;
  env_.metrics.request_started();
  arrival_ = std::chrono::steady_clock::now();
  req_ = parser_->release();
  stream_.expires_never();  // waiting for a worker (or a stall) is not a client timeout
  dispatch();
}

RequestView Session::view() const {
  return RequestView{route_, req_.method(), target_.path, target_.query, req_.body()};
}

void Session::dispatch() {
  target_ = split_target(to_std(req_.target()));
  const Classified c = classify(req_.method(), target_.path);
  route_ = c.route;
  if (!c.method_allowed) {
    return reply(Service::method_not_allowed(c.allow));
  }
  if (!route_info(route_).pooled) {
    return on_served();
  }
  const bool admitted =
      env_.pool.submit(env_.service.multiplier(route_), [self = shared_from_this()] {
        net::post(self->stream_.get_executor(), [self] { self->on_served(); });
      });
  if (!admitted) {
    env_.metrics.record_rejected(route_);
    reply(Service::rejected());
  }
}

void Session::on_served() {
  Reply r;
  try {
    r = env_.service.handle(view());
  } catch (...) {  // a bug in a handler must not take the service down
    r.status = 500;
    r.body = R"({"error":"internal error"})";
  }
  if (route_info(route_).pooled) {
    env_.metrics.observe_latency(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - arrival_).count());
  }
  reply(std::move(r));
}

void Session::reply(Reply r) {
  env_.metrics.record_response(route_, r.status);
  res_ = {};
  res_.result(r.status);
  res_.version(req_.version());
  res_.set(http::field::server, "loadpilot-demo-target");
  res_.set(http::field::content_type, to_beast(r.content_type));
  if (!r.allow.empty()) {
    res_.set(http::field::allow, to_beast(r.allow));
  }
  res_.body() = std::move(r.body);
  res_.keep_alive(req_.keep_alive() && !closing_);
  res_.prepare_payload();
  stream_.expires_after(kWriteTimeout);
  http::async_write(stream_, res_,
                    beast::bind_front_handler(&Session::on_write, shared_from_this()));
}

void Session::on_write(beast::error_code ec, std::size_t /*bytes*/) {
  env_.metrics.request_finished();
  if (ec) {
    return;
  }
  if (!res_.keep_alive()) {
    closing_ = true;
  }
  read();  // closes instead when closing_
}

}  // namespace lp::demo_target
