// What the native engine is asked to do: target, pool, model and request mix.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lp::native {

class RequestBuilder;

enum class LoadModel {
  kOpen,    // arrivals at an offered rate, whatever the target's latency
  kClosed,  // N virtual users: send, wait for the response, think, repeat
};

// Spacing of open-model arrivals.
enum class Arrivals { kUniform, kPoisson };

// Pause of a closed-model user after a response of a type; uniform in
// [min, max], or fixed at min when max <= min.
struct ThinkTime {
  std::chrono::nanoseconds min{0};
  std::chrono::nanoseconds max{0};
};

struct Header {
  std::string name;
  std::string value;
};

struct RequestTemplate {
  std::string name;  // the request type's label
  std::string method = "GET";
  std::string target = "/";     // path and query, appended to the base URL's path
  std::vector<Header> headers;  // Host is added unless given; Content-Length always computed
  std::string body;
  double weight = 1.0;
  ThinkTime think;
};

// Per-request substitution, called on an I/O thread just before a request of
// `type` is written (so it must be thread-safe when io_threads > 1). When set,
// requests are serialised per send; otherwise each type is serialised once.
// `vu` names the virtual user (closed model) or the connection (open model)
// the request goes out on; it is stable for the run and unique per engine.
using RequestHook = std::function<void(std::size_t type, uint64_t vu, RequestBuilder& request)>;

struct ResponseField {
  std::string_view name;
  std::string_view value;
};

// A complete response as the response hook sees it; valid during the call only.
struct ResponseView {
  int status = 0;
  std::span<const ResponseField> headers;
  std::string_view body;        // decoded from chunks; at most max_response_body bytes
  bool body_truncated = false;  // the body was longer than that
};

// Called on the I/O thread, for the same `vu` as the request, once a response
// of a type selected by EngineConfig::response_types has been read (captures,
// checks). Exceptions are counted (EngineStats::hook_errors) and do not
// change the sample's outcome.
using ResponseHook =
    std::function<void(std::size_t type, uint64_t vu, const ResponseView& response)>;

struct EngineConfig {
  std::string base_url = "http://127.0.0.1:8080";  // http:// or https://host[:port][/path]
  LoadModel model = LoadModel::kOpen;
  Arrivals arrivals = Arrivals::kUniform;
  // Open model: keep-alive connections the schedule draws from. The closed
  // model gives each user its own connection and ignores this.
  int connections = 64;
  int io_threads = 1;  // one io_context and one thread each; 1-2 on small hosts
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(5);
  bool tls_verify = true;
  std::string ca_file;  // PEM; empty: the system's trust store
  // Open model: scheduled requests waiting for a free connection. Beyond this
  // they are dropped as LP_OUTCOME_OTHER_ERROR (counted in dropped_backlog).
  std::size_t max_backlog = 10000;
  // Samples held until drain(); beyond this they are counted in samples_lost.
  std::size_t max_buffered_samples = std::size_t{1} << 22;
  int64_t max_concurrency = 100000;  // closed model: safety cap on users
  // Closed model: a user whose connect failed waits at least this long, so a
  // dead target does not turn the loop into a spin.
  std::chrono::nanoseconds connect_error_backoff = std::chrono::milliseconds(10);
  bool preconnect = true;  // open model: connect the pool at start()
  std::vector<RequestTemplate> requests;
  RequestHook on_request;
  ResponseHook on_response;
  // Request types whose responses are kept for on_response (non-zero entries);
  // empty: every type. Other responses are parsed and discarded as they stream.
  std::vector<uint8_t> response_types;
  std::size_t max_response_body = std::size_t{1} << 20;
  uint32_t generator = 0;  // copied into every sample
  uint64_t seed = 0;       // mix and Poisson draws; 0 picks one at random
};

}  // namespace lp::native
