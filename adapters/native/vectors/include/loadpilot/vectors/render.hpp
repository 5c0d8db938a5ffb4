// Turning a parsed vector's request types into requests on the engine's hot
// path. Templates were compiled by the parser; rendering only walks their
// segments and appends into buffers the caller reuses, so once every buffer
// has grown to its working size nothing allocates.
//
//   VectorRuntime runtime(vector);        // one per run of the vector (shared by threads)
//   RenderContext ctx(seed);              // one per thread
//   RenderedRequest req;                  // one per thread, reused
//   ctx.set_vu(connection_id);
//   runtime.render(mix.pick(ctx.rng()), ctx, req);
//   ... send, receive ...
//   ctx.set_vu(connection_id);
//   runtime.apply_captures(type, status, headers, body, ctx);
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loadpilot/vectors/load_vector.hpp"
#include "loadpilot/vectors/rng.hpp"

namespace lp::vectors {

namespace detail {
class RenderScope;
}

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

// One rendered request. Method and header names point into the vector's
// compiled program and live as long as the VectorRuntime.
class RenderedRequest {
 public:
  std::string_view method;
  std::string target;  // path and query
  std::string body;    // empty without a payload

  // The type's headers (plus Content-Type when it has a payload and the file
  // does not set one), values rendered.
  std::size_t header_count() const { return headers_.size(); }
  HeaderView header(std::size_t i) const {
    return {headers_[i].name,
            std::string_view(header_values_).substr(headers_[i].offset, headers_[i].length)};
  }

 private:
  friend class VectorRuntime;
  struct HeaderSpan {
    std::string_view name;
    std::size_t offset;
    std::size_t length;
  };
  std::vector<HeaderSpan> headers_;
  std::string header_values_;
};

// Per-thread state: each virtual user's random stream and captured values.
// Not thread-safe; one per thread.
class RenderContext {
 public:
  struct Stats {
    uint64_t captured = 0;          // values stored by apply_captures
    uint64_t capture_failures = 0;  // a rule found nothing (or the status was not 2xx/3xx)
    uint64_t capture_misses = 0;    // ${capture.NAME} rendered before any value was captured
  };

  // Each virtual user's stream is derived from (seed, vu id) alone, so a
  // given seed reproduces what every user sends whatever thread serves it.
  explicit RenderContext(uint64_t seed = 0);
  ~RenderContext();
  RenderContext(const RenderContext&) = delete;
  RenderContext& operator=(const RenderContext&) = delete;

  // Selects the virtual user (or connection) the following calls act for;
  // its state is created on first use.
  void set_vu(uint64_t vu);
  uint64_t vu() const { return current_->id; }
  // The current user's random stream (e.g. for MixSampler::pick).
  Rng& rng() { return current_->rng; }
  // A user or connection ended: drop its captures and stream.
  void forget_vu(uint64_t vu);

  // Freezes ${timestamp}, ${timestamp_ms} and ${now_iso} (tests, replays).
  void set_fixed_time(std::optional<std::chrono::system_clock::time_point> time) {
    fixed_time_ = time;
  }

  const Stats& stats() const { return stats_; }
  // The current user's captured value of `name`, if any (diagnostics, tests).
  std::optional<std::string_view> capture(std::string_view name) const;

 private:
  friend class VectorRuntime;
  friend class detail::RenderScope;

  struct VuState {
    uint64_t id;
    Rng rng;
    std::vector<std::string> values;  // by capture slot of `layout_`
    std::vector<uint8_t> present;
  };

  // Captures are indexed by the slots of one program; another vector's
  // program starts every user's captures afresh. Holding the program keeps
  // its address from being reused by another while we compare against it.
  void use_program(const std::shared_ptr<const detail::VectorProgram>& program);

  uint64_t seed_;
  std::unordered_map<uint64_t, VuState> users_;
  VuState* current_ = nullptr;
  std::shared_ptr<const detail::VectorProgram> layout_;
  std::optional<std::chrono::system_clock::time_point> fixed_time_;
  Stats stats_;
  // Per-request memo of each CSV file's row (buffers reused across requests).
  std::vector<int64_t> csv_row_;
  std::vector<int64_t> csv_random_row_;
};

// The run-time side of one vector in one run: the ${seq} counter and the CSV
// cursors (atomic, shared by every thread), over the vector's compiled program.
class VectorRuntime {
 public:
  // std::invalid_argument for a LoadVector the parser did not produce.
  explicit VectorRuntime(const LoadVector& vector);
  ~VectorRuntime();
  VectorRuntime(const VectorRuntime&) = delete;
  VectorRuntime& operator=(const VectorRuntime&) = delete;

  std::size_t size() const;
  const RequestType& request_type(std::size_t type) const;

  // Renders request type `type` for the context's current user. Within one
  // request every ${seq}, ${timestamp*}/${now_iso} and every CSV file's row
  // are drawn once and shared by all occurrences; ${random_*} and ${uuid}
  // draw afresh at each occurrence.
  void render(std::size_t type, RenderContext& ctx, RenderedRequest& out) const;

  // Stores the values `type`'s capture rules find in a 2xx/3xx response, for
  // the context's current user. A rule that finds nothing keeps the previous
  // value and counts a capture failure. Returns the number of values stored.
  std::size_t apply_captures(std::size_t type, int status, std::span<const HeaderView> headers,
                             std::string_view body, RenderContext& ctx) const;

  // Whether `type` captures anything (the engine can skip keeping the body).
  bool has_captures(std::size_t type) const;
  // Whether `type` reads the response body (json or regex rules).
  bool needs_body(std::size_t type) const;

  // The last ${seq} handed out (0 before the first).
  uint64_t last_sequence() const { return seq_.load(std::memory_order_relaxed); }

 private:
  LoadVector vector_;  // shares the compiled program
  mutable std::atomic<uint64_t> seq_{0};
  std::unique_ptr<std::atomic<uint64_t>[]> csv_cursor_;
};

}  // namespace lp::vectors
