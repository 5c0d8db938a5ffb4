// A small Beast HTTP(S) server on 127.0.0.1 for the engine's tests, with
// routes that misbehave on request:
//   /status/N  answers status N        /sleep/MS  answers after MS ms
//   /close     answers with Connection: close
//   /idle-close  answers keep-alive, then closes the idle connection 20 ms later
//   /chunked   answers with a chunked body
//   /echo      answers with the request body (and records it)
//   anything else: 200 "ok"
// A global delay and a stall (hold every response until a moment) act on all.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lp::native::testing {

class TestServer {
 public:
  struct Options {
    bool tls = false;
    std::string cert_pem;  // with tls
    std::string key_pem;
  };

  explicit TestServer(Options options);
  TestServer();
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const;
  std::string url() const;  // scheme://127.0.0.1:port

  void set_delay(std::chrono::milliseconds delay);
  // Holds every response (in flight or arriving) until now + duration.
  // Returns the stall's start as wall-clock nanoseconds.
  int64_t stall_for(std::chrono::milliseconds duration);

  uint64_t requests() const;     // requests received
  uint64_t connections() const;  // connections accepted
  uint64_t tls_resumed() const;  // TLS handshakes that resumed a session
  int64_t in_flight() const;     // received, not yet answered
  int64_t max_in_flight() const;
  void reset_max_in_flight();
  uint64_t hits(const std::string& path) const;
  std::vector<std::string> bodies() const;  // /echo request bodies, in order

  struct Impl;  // opaque; public so the .cpp's session classes can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// A port on 127.0.0.1 nothing listens on (bound, then closed).
uint16_t closed_port();

}  // namespace lp::native::testing
