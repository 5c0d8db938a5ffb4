#include "connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <cstring>

#include "clock.hpp"
#include "tls.hpp"
#include "worker.hpp"

namespace lp::native {
namespace asio = boost::asio;
namespace {

lp_outcome classify(int status) {
  if (status >= 200 && status < 400) return LP_OUTCOME_OK;
  if (status >= 400) return LP_OUTCOME_HTTP_ERROR;
  return LP_OUTCOME_OTHER_ERROR;
}

bool would_block(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

}  // namespace

Connection::Connection(Worker& worker, const EngineShared& shared, asio::io_context& io,
                       uint32_t slot)
    : worker_(worker), shared_(shared), io_(io), slot_(slot), socket_(io) {}

void Connection::send(uint32_t type, int64_t intended_ns, int64_t start_ns) {
  in_request_ = true;
  retried_ = false;
  type_ = type;
  intended_ns_ = intended_ns;
  start_ns_ = start_ns;
  if (!prepare_bytes()) {
    // Reported from the loop, not from inside send(): the caller may be
    // handing out a whole backlog.
    bump(worker_.counters().hook_errors);
    asio::post(io_, [this] {
      if (in_request_) report(LP_OUTCOME_OTHER_ERROR, 0, 0);
    });
    return;
  }
  switch (state_) {
    case State::kIdle:
      write();
      break;
    case State::kClosed:
      connect();
      break;
    case State::kConnecting:  // a preconnect in progress writes when it lands
    case State::kBusy:
      break;
  }
}

bool Connection::prepare_bytes() {
  const auto& config = shared_.config;
  if (!config.on_request) {
    out_ = shared_.wire[type_];
    head_ = shared_.is_head[type_] != 0;
    return true;
  }
  try {
    if (!builder_) builder_.emplace();
    builder_->reset(type_, config.requests[type_]);
    config.on_request(type_, vu(), *builder_);
    builder_->serialize(shared_.url.path, shared_.url.host_header, out_buf_);
  } catch (...) {
    return false;
  }
  out_ = out_buf_;
  head_ = builder_->method() == "HEAD";
  return true;
}

void Connection::preconnect() {
  if (state_ == State::kClosed) connect();
}

void Connection::connect() {
  state_ = State::kConnecting;
  ++gen_;
  deadline_ns_ = steady_ns() + shared_.config.connect_timeout.count();
  if (!rbuf_) rbuf_ = std::make_unique<char[]>(kBufferSize);
  if (shared_.tls) {
    tls_ = std::make_shared<TlsStream>(io_, *shared_.tls);
    worker_.tls_sessions().offer(tls_->native_handle());
    if (!prepare_tls_peer(tls_->native_handle(), shared_.url, shared_.config.tls_verify)) {
      asio::post(io_, [this, gen = gen_] {
        if (gen == gen_) connect_failed();
      });
      return;
    }
    asio::async_connect(tls_->next_layer(), shared_.endpoints,
                        [this, gen = gen_, keep = tls_](
                            const error_code& ec, const tcp::endpoint&) { on_connected(gen, ec); });
  } else {
    asio::async_connect(
        socket_, shared_.endpoints,
        [this, gen = gen_](const error_code& ec, const tcp::endpoint&) { on_connected(gen, ec); });
  }
}

void Connection::on_connected(uint64_t gen, const error_code& ec) {
  if (gen != gen_) return;
  if (ec) {
    connect_failed();
    return;
  }
  error_code ignored;
  if (tls_) {
    tls_->next_layer().set_option(tcp::no_delay(true), ignored);
    tls_->async_handshake(TlsStream::client, [this, gen, keep = tls_](const error_code& hec) {
      on_handshake(gen, hec);
    });
    return;
  }
  socket_.set_option(tcp::no_delay(true), ignored);
  // Writes and reads are tried directly and only wait on the reactor when the
  // kernel says so: one syscall each on the common path.
  socket_.non_blocking(true, ignored);
  established();
}

void Connection::on_handshake(uint64_t gen, const error_code& ec) {
  if (gen != gen_) return;
  if (ec) {
    connect_failed();
    return;
  }
  established();
}

void Connection::established() {
  state_ = State::kIdle;
  uses_ = 0;
  bump(worker_.counters().connects);
  // Plain sockets always keep one readiness wait queued, even when idle: the
  // reactor is edge-triggered, so this is also how a server's close of an
  // idle connection gets noticed.
  if (!tls_) arm_read();
  if (in_request_) write();
}

void Connection::connect_failed() {
  bump(worker_.counters().connect_errors);
  close_socket();
  if (in_request_) report(LP_OUTCOME_CONNECT_ERROR, 0, 0);
}

void Connection::write() {
  state_ = State::kBusy;
  ++uses_;
  deadline_ns_ = steady_ns() + shared_.config.request_timeout.count();
  const auto& config = shared_.config;
  capturing_ =
      config.on_response && (config.response_types.empty() || config.response_types[type_] != 0);
  new_parser();
  resp_bytes_ = 0;
  rbeg_ = rend_ = 0;
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(out_.data(), out_.size()),
                      [this, gen = gen_, keep = tls_](const error_code& ec, std::size_t) {
                        if (gen != gen_) return;
                        if (ec) {
                          on_io_error(ec);
                        } else {
                          tls_read();
                        }
                      });
    return;
  }
  error_code ec;
  std::size_t n = socket_.write_some(asio::buffer(out_.data(), out_.size()), ec);
  if (would_block(ec)) {
    n = 0;
    ec = {};
  }
  if (ec) {
    defer_io_error(ec);
    return;
  }
  if (n < out_.size()) {
    write_pending_ = true;
    asio::async_write(socket_, asio::buffer(out_.data() + n, out_.size() - n),
                      [this, gen = gen_](const error_code& wec, std::size_t) {
                        if (gen != gen_) return;
                        write_pending_ = false;
                        if (wec) on_io_error(wec);
                      });
  }
}

void Connection::defer_io_error(const error_code& ec) {
  asio::post(io_, [this, gen = gen_, ec] {
    if (gen == gen_) on_io_error(ec);
  });
}

void Connection::arm_read() {
  socket_.async_wait(tcp::socket::wait_read,
                     [this, gen = gen_](const error_code& ec) { on_readable(gen, ec); });
}

void Connection::on_readable(uint64_t gen, const error_code& ec) {
  if (gen != gen_) return;
  if (ec) {
    on_io_error(ec);
    return;
  }
  // Edge-triggered: read until the kernel has nothing more, or the response
  // is complete. A long body yields to the loop now and then.
  for (int round = 0; round < 64; ++round) {
    error_code rec;
    const std::size_t n =
        socket_.read_some(asio::buffer(rbuf_.get() + rend_, kBufferSize - rend_), rec);
    if (would_block(rec)) {
      arm_read();
      return;
    }
    if (rec == asio::error::eof) {
      on_eof();
      return;
    }
    if (rec) {
      on_io_error(rec);
      return;
    }
    if (!in_request_ || state_ != State::kBusy) {
      close_socket();  // bytes nobody asked for: the connection is unusable
      return;
    }
    switch (parse(n)) {
      case Parse::kDone:
        complete();
        return;
      case Parse::kError:
        fail(LP_OUTCOME_OTHER_ERROR);
        return;
      case Parse::kNeedMore:
        break;
    }
  }
  asio::post(io_, [this, gen = gen_] { on_readable(gen, {}); });
}

void Connection::tls_read() {
  tls_->async_read_some(asio::buffer(rbuf_.get() + rend_, kBufferSize - rend_),
                        [this, gen = gen_, keep = tls_](const error_code& ec, std::size_t n) {
                          on_tls_read(gen, ec, n);
                        });
}

void Connection::on_tls_read(uint64_t gen, const error_code& ec, std::size_t n) {
  if (gen != gen_) return;
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    on_eof();
    return;
  }
  if (ec) {
    on_io_error(ec);
    return;
  }
  switch (parse(n)) {
    case Parse::kDone:
      complete();
      return;
    case Parse::kError:
      fail(LP_OUTCOME_OTHER_ERROR);
      return;
    case Parse::kNeedMore:
      tls_read();
      return;
  }
}

Connection::Parse Connection::parse(std::size_t n) {
  rend_ += n;
  while (rbeg_ < rend_) {
    error_code ec;
    const std::size_t used =
        parser_->put(asio::const_buffer(rbuf_.get() + rbeg_, rend_ - rbeg_), ec);
    rbeg_ += used;
    resp_bytes_ += used;
    if (ec == boost::beast::http::error::need_more) break;
    if (ec) return Parse::kError;
    if (parser_->is_done()) {
      const int status = parser_->status();
      if (status >= 100 && status < 200 && status != 101) {
        new_parser();  // an interim response; the real one follows
        continue;
      }
      return Parse::kDone;
    }
    if (used == 0) break;
  }
  if (rbeg_ == rend_) {
    rbeg_ = rend_ = 0;
  } else if (rbeg_ > 0 && kBufferSize - rend_ < kBufferSize / 4) {
    std::memmove(rbuf_.get(), rbuf_.get() + rbeg_, rend_ - rbeg_);
    rend_ -= rbeg_;
    rbeg_ = 0;
  }
  return Parse::kNeedMore;
}

void Connection::on_eof() {
  if (!in_request_ || state_ != State::kBusy) {
    close_socket();  // the server closed an idle keep-alive connection
    return;
  }
  if (parser_->is_header_done()) {
    error_code ec;
    parser_->put_eof(ec);  // a body delimited by the close
    if (!ec && parser_->is_done()) {
      complete();
      return;
    }
  }
  if (retry_on_fresh_connection()) return;
  fail(LP_OUTCOME_OTHER_ERROR);
}

void Connection::on_io_error(const error_code& ec) {
  if (ec == asio::error::operation_aborted) return;
  if (!in_request_ || state_ != State::kBusy) {
    close_socket();
    return;
  }
  if (retry_on_fresh_connection()) return;
  fail(LP_OUTCOME_OTHER_ERROR);
}

// A kept-alive connection the server already closed fails before any
// response byte; that says nothing about the target, so send again once.
bool Connection::retry_on_fresh_connection() {
  if (retried_ || uses_ <= 1 || resp_bytes_ > 0) return false;
  retried_ = true;
  bump(worker_.counters().retries);
  close_socket();
  connect();
  return true;
}

void Connection::complete() {
  const int status = parser_->status();
  // A server may answer (e.g. 413) before it has read the whole body; the
  // unwritten rest would be taken for the next request, so start afresh.
  const bool keep_alive = parser_->keep_alive() && !write_pending_;
  const uint64_t bytes = resp_bytes_;
  state_ = State::kIdle;
  rbeg_ = rend_ = 0;  // no pipelining: anything after the response is stray
  // TLS 1.3 tickets arrive after the handshake, so a session is worth keeping
  // only once a response has been read.
  if (tls_ && uses_ == 1) worker_.tls_sessions().remember(tls_->native_handle());
  if (!keep_alive) {
    close_socket();
  } else if (!tls_) {
    arm_read();  // before the worker may send the next request on this connection
  }
  if (capturing_) deliver_response(status);
  report(classify(status), status, bytes);
}

void Connection::new_parser() {
  if (capturing_ && !capture_) {
    capture_ = std::make_unique<ResponseCapture>();
    capture_->max_body = shared_.config.max_response_body;
  }
  parser_.emplace(capturing_ ? capture_.get() : nullptr);
  if (head_) parser_->skip(true);
}

void Connection::deliver_response(int status) {
  try {
    shared_.config.on_response(type_, vu(), capture_->view(status));
  } catch (...) {
    bump(worker_.counters().hook_errors);
  }
}

uint64_t Connection::vu() const {
  return (static_cast<uint64_t>(worker_.index()) << 32) | slot_;
}

void Connection::fail(lp_outcome outcome) {
  const uint64_t bytes = resp_bytes_;
  close_socket();
  report(outcome, 0, bytes);
}

void Connection::report(lp_outcome outcome, int status, uint64_t bytes) {
  in_request_ = false;
  worker_.on_result(*this, outcome, status, bytes);
}

void Connection::check_deadline(int64_t now_ns) {
  if (state_ == State::kClosed || now_ns < deadline_ns_) return;
  if (state_ == State::kConnecting) {
    connect_failed();
  } else if (in_request_ && state_ == State::kBusy) {
    bump(worker_.counters().timeouts);
    fail(LP_OUTCOME_TIMEOUT);
  }
}

void Connection::abort() {
  in_request_ = false;
  close_socket();
}

void Connection::close_socket() {
  ++gen_;
  error_code ignored;
  if (tls_) {
    close_quietly(tls_->native_handle());
    tls_->next_layer().close(ignored);
    tls_.reset();
  } else {
    socket_.close(ignored);
  }
  state_ = State::kClosed;
  write_pending_ = false;
  uses_ = 0;
  rbeg_ = rend_ = 0;
}

}  // namespace lp::native
