// One keep-alive HTTP/1.1 connection carrying one request at a time: connects
// (and reconnects) on demand, writes, reads and parses the response, enforces
// the deadline the worker's sweep checks, and reports each end to its Worker.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "loadpilot/abi.h"
#include "loadpilot/native/request_builder.hpp"
#include "response_parser.hpp"
#include "shared.hpp"

namespace lp::native {

class Worker;

class Connection {
 public:
  Connection(Worker& worker, const EngineShared& shared, boost::asio::io_context& io,
             uint32_t slot);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  uint32_t slot() const { return slot_; }
  bool in_request() const { return in_request_; }
  uint32_t type() const { return type_; }
  int64_t intended_ns() const { return intended_ns_; }
  int64_t start_ns() const { return start_ns_; }

  // Starts a request meant to leave at intended_ns, leaving now (start_ns);
  // must not be in_request(). The end always arrives later through
  // Worker::on_result, never from inside this call.
  void send(uint32_t type, int64_t intended_ns, int64_t start_ns);
  // Opens the connection ahead of the first request.
  void preconnect();
  // Fails the request (or an idle connect) whose deadline has passed.
  void check_deadline(int64_t now_ns);
  // Closes without reporting anything (engine shutdown).
  void abort();

 private:
  using error_code = boost::system::error_code;
  using tcp = boost::asio::ip::tcp;
  using TlsStream = boost::asio::ssl::stream<tcp::socket>;
  enum class State : uint8_t { kClosed, kConnecting, kIdle, kBusy };
  enum class Parse : uint8_t { kNeedMore, kDone, kError };
  static constexpr std::size_t kBufferSize = 16 * 1024;

  bool prepare_bytes();
  void connect();
  void on_connected(uint64_t gen, const error_code& ec);
  void on_handshake(uint64_t gen, const error_code& ec);
  void established();
  void connect_failed();
  void write();
  void arm_read();
  void on_readable(uint64_t gen, const error_code& ec);
  void tls_read();
  void on_tls_read(uint64_t gen, const error_code& ec, std::size_t n);
  Parse parse(std::size_t n);
  void on_eof();
  void on_io_error(const error_code& ec);
  bool retry_on_fresh_connection();
  void complete();
  void fail(lp_outcome outcome);
  void report(lp_outcome outcome, int status, uint64_t bytes);
  void close_socket();
  void defer_io_error(const error_code& ec);

  Worker& worker_;
  const EngineShared& shared_;
  boost::asio::io_context& io_;
  const uint32_t slot_;

  tcp::socket socket_;              // http://
  std::shared_ptr<TlsStream> tls_;  // https://; handlers hold a reference while pending
  State state_ = State::kClosed;
  uint64_t gen_ = 0;   // bumped on every close, so handlers of an old socket drop out
  uint32_t uses_ = 0;  // requests written on this TCP connection

  bool in_request_ = false;
  bool retried_ = false;
  bool write_pending_ = false;  // the rest of a large request is still being written
  bool head_ = false;
  uint32_t type_ = 0;
  int64_t intended_ns_ = 0;
  int64_t start_ns_ = 0;
  int64_t deadline_ns_ = 0;
  std::string_view out_;  // the request bytes: shared wire or out_buf_
  std::string out_buf_;
  std::optional<RequestBuilder> builder_;  // only with a hook

  void new_parser();
  void deliver_response(int status);
  uint64_t vu() const;

  std::optional<ResponseParser> parser_;
  std::unique_ptr<ResponseCapture> capture_;  // only for types the response hook wants
  bool capturing_ = false;
  uint64_t resp_bytes_ = 0;
  std::unique_ptr<char[]> rbuf_;
  std::size_t rbeg_ = 0;
  std::size_t rend_ = 0;
};

}  // namespace lp::native
