#include "test_server.hpp"

#include <atomic>
// Not <boost/asio.hpp>: in Boost 1.74 it pulls awaitable.hpp, which misses
// an #include <utility> that GCC 12 no longer provides transitively.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <map>
#include <mutex>
#include <thread>

namespace lp::native::testing {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

int64_t steady_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int number_after(std::string_view target, std::string_view prefix) {
  int value = 0;
  const auto digits = target.substr(prefix.size());
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

}  // namespace

struct TestServer::Impl {
  Options options;
  std::unique_ptr<asio::ssl::context> tls;  // before io: sessions die with io
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;

  std::atomic<int64_t> delay_ns{0};
  std::atomic<int64_t> stall_until_ns{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> tls_resumed{0};
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> max_in_flight{0};
  mutable std::mutex mutex;
  std::map<std::string, uint64_t> hits;
  std::vector<std::string> bodies;

  void accept();
  void note_request(const std::string& path, const std::string& body) {
    ++requests;
    const int64_t now = ++in_flight;
    int64_t seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    std::lock_guard lock(mutex);
    ++hits[path];
    if (path == "/echo") bodies.push_back(body);
  }
};

namespace {

template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... Args>
  Session(TestServer::Impl& server, Args&&... args)
      : server_(server), stream_(std::forward<Args>(args)...), timer_(server.io) {}

  void start() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      read();
    } else {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](boost::system::error_code ec) {
                                if (ec) return;
                                if (SSL_session_reused(self->stream_.native_handle())) {
                                  ++self->server_.tls_resumed;
                                }
                                self->read();
                              });
    }
  }

 private:
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (!ec) self->handle();
                     });
  }

  void handle() {
    const std::string path(request_.target());
    server_.note_request(path, request_.body());
    int64_t at = steady_now() + server_.delay_ns.load();
    if (path.starts_with("/sleep/")) at += int64_t{number_after(path, "/sleep/")} * 1'000'000;
    at = std::max(at, server_.stall_until_ns.load());

    response_ = {};
    response_.version(11);
    response_.result(http::status::ok);
    response_.body() = "ok";
    if (path.starts_with("/status/")) {
      const int status = number_after(path, "/status/");
      response_.result(static_cast<unsigned>(status));
      response_.body() = status == 204 || status == 304 ? "" : "status";
    } else if (path == "/echo") {
      response_.body() = request_.body();
    } else if (path == "/chunked") {
      response_.chunked(true);
      response_.body() = std::string(3000, 'c');
    }
    close_ = path == "/close" || !request_.keep_alive();
    idle_close_ = path == "/idle-close";
    response_.keep_alive(!close_);
    response_.prepare_payload();
    if (request_.method() == http::verb::head) {
      // The length a GET would get, and no body.
      const auto length = response_.body().size();
      response_.body().clear();
      response_.content_length(length);
    }

    const int64_t wait = at - steady_now();
    if (wait <= 0) {
      write();
      return;
    }
    timer_.expires_after(std::chrono::nanoseconds(wait));
    timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->write();
    });
  }

  void write() {
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                        --self->server_.in_flight;
                        if (!ec && self->idle_close_) {
                          // Keep-alive promised, then dropped while idle: the
                          // stale-connection case a client must survive.
                          self->timer_.expires_after(std::chrono::milliseconds(20));
                          self->timer_.async_wait([self](boost::system::error_code) {
                            boost::system::error_code ignored;
                            self->socket().close(ignored);
                          });
                          return;
                        }
                        if (ec || self->close_) {
                          boost::system::error_code ignored;
                          self->socket().shutdown(tcp::socket::shutdown_both, ignored);
                          self->socket().close(ignored);
                          return;
                        }
                        self->read();
                      });
  }

  tcp::socket& socket() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      return stream_;
    } else {
      return stream_.next_layer();
    }
  }

  TestServer::Impl& server_;
  Stream stream_;
  asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  bool close_ = false;
  bool idle_close_ = false;
};

}  // namespace

void TestServer::Impl::accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;  // closed at shutdown
    ++connections;
    socket.set_option(tcp::no_delay(true));
    if (tls) {
      std::make_shared<Session<asio::ssl::stream<tcp::socket>>>(*this, std::move(socket), *tls)
          ->start();
    } else {
      std::make_shared<Session<tcp::socket>>(*this, std::move(socket))->start();
    }
    accept();
  });
}

TestServer::TestServer() : TestServer(Options{}) {}

TestServer::TestServer(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.tls) {
    impl_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain(
        asio::buffer(impl_->options.cert_pem.data(), impl_->options.cert_pem.size()));
    impl_->tls->use_private_key(
        asio::buffer(impl_->options.key_pem.data(), impl_->options.key_pem.size()),
        asio::ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

TestServer::~TestServer() {
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->io.stop();
  });
  impl_->thread.join();
}

uint16_t TestServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string TestServer::url() const {
  return std::string(impl_->options.tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port());
}

void TestServer::set_delay(std::chrono::milliseconds delay) {
  impl_->delay_ns = std::chrono::nanoseconds(delay).count();
}

int64_t TestServer::stall_for(std::chrono::milliseconds duration) {
  const int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  impl_->stall_until_ns = steady_now() + std::chrono::nanoseconds(duration).count();
  return wall;
}

uint64_t TestServer::requests() const {
  return impl_->requests;
}
uint64_t TestServer::connections() const {
  return impl_->connections;
}
uint64_t TestServer::tls_resumed() const {
  return impl_->tls_resumed;
}
int64_t TestServer::in_flight() const {
  return impl_->in_flight;
}
int64_t TestServer::max_in_flight() const {
  return impl_->max_in_flight;
}
void TestServer::reset_max_in_flight() {
  impl_->max_in_flight = impl_->in_flight.load();
}

uint64_t TestServer::hits(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->hits.find(path);
  return it == impl_->hits.end() ? 0 : it->second;
}

std::vector<std::string> TestServer::bodies() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->bodies;
}

uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();  // closed when `acceptor` goes
}

}  // namespace lp::native::testing
