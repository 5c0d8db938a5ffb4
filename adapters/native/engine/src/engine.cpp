#include "loadpilot/native/engine.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cmath>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "clock.hpp"
#include "shared.hpp"
#include "tls.hpp"
#include "url.hpp"
#include "worker.hpp"

namespace lp::native {
namespace asio = boost::asio;
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument(what);
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool has_ctl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; });
}

void check_weights(std::span<const double> weights, std::size_t types, const std::string& what) {
  if (weights.size() != types) {
    bad(what + ": " + std::to_string(weights.size()) + " weights for " + std::to_string(types) +
        " request types");
  }
  double sum = 0;
  for (const double w : weights) {
    if (!(w >= 0) || !std::isfinite(w)) bad(what + ": weights must be finite and >= 0");
    sum += w;
  }
  if (!(sum > 0)) bad(what + ": at least one weight must be > 0");
}

void validate(const EngineConfig& c) {
  parse_base_url(c.base_url);
  if (c.connections < 1) bad("connections must be >= 1");
  if (c.io_threads < 1 || c.io_threads > 64) bad("io_threads must be 1-64");
  if (c.request_timeout.count() <= 0) bad("request_timeout must be > 0");
  if (c.connect_timeout.count() <= 0) bad("connect_timeout must be > 0");
  if (c.max_backlog < 1) bad("max_backlog must be >= 1");
  if (c.max_buffered_samples < 1) bad("max_buffered_samples must be >= 1");
  if (c.max_concurrency < 1) bad("max_concurrency must be >= 1");
  if (c.connect_error_backoff.count() < 0) bad("connect_error_backoff must be >= 0");
  if (c.requests.empty()) bad("requests: at least one request template is needed");
  if (!c.response_types.empty() && c.response_types.size() != c.requests.size()) {
    bad("response_types: " + std::to_string(c.response_types.size()) + " entries for " +
        std::to_string(c.requests.size()) + " request types");
  }
  std::vector<double> weights;
  for (std::size_t i = 0; i < c.requests.size(); ++i) {
    const auto& r = c.requests[i];
    const std::string at = "requests[" + std::to_string(i) + "]";
    if (!is_token(r.method)) bad(at + ".method: not an HTTP method token: \"" + r.method + "\"");
    if (r.target.find_first_of(" \r\n") != std::string::npos) {
      bad(at + ".target: must not contain spaces or line breaks");
    }
    for (const auto& h : r.headers) {
      if (!is_token(h.name) || has_ctl(h.value)) bad(at + ".headers: invalid header " + h.name);
    }
    if (r.think.min.count() < 0 || r.think.max.count() < 0) bad(at + ".think: must be >= 0");
    weights.push_back(r.weight);
  }
  check_weights(weights, c.requests.size(), "requests[].weight");
}

std::vector<asio::ip::tcp::endpoint> resolve(const BaseUrl& url) {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot resolve " + url.host + ": " + ec.message());
  }
  std::vector<asio::ip::tcp::endpoint> out;
  for (const auto& r : results) out.push_back(r.endpoint());
  return out;
}

}  // namespace

struct Engine::Impl {
  EngineShared shared;
  std::vector<std::unique_ptr<Worker>> workers;

  mutable std::mutex control;  // start, set_*, stop
  bool started = false;
  std::atomic<bool> ready{false};  // workers exist; drain and stats may look
  std::atomic<bool> running{false};
  double rate = 0;
  int64_t users = 0;
  std::vector<double> mix;

  std::mutex drain;

  void post_users(int64_t total) {
    const auto n = static_cast<int64_t>(workers.size());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t mine = total / n + (i < total % n ? 1 : 0);
      Worker* w = workers[i].get();
      asio::post(w->io(), [w, mine] { w->apply_users(mine); });
    }
  }
};

Engine::Engine(EngineConfig config) : impl_(std::make_unique<Impl>()) {
  validate(config);
  impl_->shared.url = parse_base_url(config.base_url);
  for (const auto& r : config.requests) impl_->mix.push_back(r.weight);
  impl_->shared.config = std::move(config);
}

Engine::~Engine() {
  if (running()) stop(std::chrono::nanoseconds(0));
}

const EngineConfig& Engine::config() const {
  return impl_->shared.config;
}

std::size_t Engine::request_type_count() const {
  return impl_->shared.config.requests.size();
}

void Engine::start() {
  std::lock_guard lock(impl_->control);
  if (impl_->started) throw std::logic_error("Engine::start: an engine runs once");
  EngineShared& s = impl_->shared;
  const EngineConfig& c = s.config;
  s.endpoints = resolve(s.url);
  if (s.url.tls) s.tls = make_tls_context(c.tls_verify, c.ca_file);
  for (const auto& r : c.requests) {
    s.wire.push_back(serialize_request(r, s.url.path, s.url.host_header));
    s.is_head.push_back(r.method == "HEAD" ? 1 : 0);
  }
  s.wall_offset_ns = wall_ns() - steady_ns();

  const bool open = c.model == LoadModel::kOpen;
  // In the open model every thread needs at least one connection of its own.
  const int threads = open ? std::min(c.io_threads, c.connections) : c.io_threads;
  uint64_t seed = c.seed;
  if (seed == 0) seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  for (int i = 0; i < threads; ++i) {
    const int pool = c.connections / threads + (i < c.connections % threads ? 1 : 0);
    impl_->workers.push_back(
        std::make_unique<Worker>(s, static_cast<uint32_t>(i), static_cast<uint32_t>(threads), pool,
                                 seed + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(i + 1)));
  }
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    asio::post(w->io(), [w, mix = impl_->mix] { w->apply_mix(mix); });
    if (open) {
      asio::post(w->io(), [w, rate = impl_->rate] { w->apply_rate(rate); });
    }
  }
  if (!open) impl_->post_users(impl_->users);
  for (auto& w : impl_->workers) w->launch();
  impl_->started = true;
  impl_->ready.store(true, std::memory_order_release);
  impl_->running = true;
}

void Engine::set_rate(double per_s) {
  if (!std::isfinite(per_s)) throw std::invalid_argument("set_rate: rate must be finite");
  std::lock_guard lock(impl_->control);
  impl_->rate = std::max(0.0, per_s);
  if (!impl_->running || impl_->shared.config.model != LoadModel::kOpen) return;
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    asio::post(w->io(), [w, rate = impl_->rate] { w->apply_rate(rate); });
  }
}

void Engine::set_concurrency(int64_t users) {
  std::lock_guard lock(impl_->control);
  impl_->users = std::clamp<int64_t>(users, 0, impl_->shared.config.max_concurrency);
  if (!impl_->running || impl_->shared.config.model != LoadModel::kClosed) return;
  impl_->post_users(impl_->users);
}

void Engine::set_mix(std::span<const double> weights) {
  check_weights(weights, request_type_count(), "set_mix");
  std::lock_guard lock(impl_->control);
  impl_->mix.assign(weights.begin(), weights.end());
  if (!impl_->running) return;
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    asio::post(w->io(), [w, mix = impl_->mix] { w->apply_mix(mix); });
  }
}

void Engine::stop(std::chrono::nanoseconds grace) {
  std::lock_guard lock(impl_->control);
  if (!impl_->running) return;
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    asio::post(w->io(), [w] { w->begin_stop(); });
  }
  // Wait for in-flight requests, polling: stop is rare and a 1 ms step is
  // far below any grace worth asking for.
  const int64_t deadline = steady_ns() + std::max<int64_t>(0, grace.count());
  while (steady_ns() < deadline) {
    const bool settled = std::all_of(impl_->workers.begin(), impl_->workers.end(), [](auto& w) {
      return w->stop_seen() && w->counters().in_flight.load(std::memory_order_relaxed) <= 0;
    });
    if (settled) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    asio::post(w->io(), [w] { w->shutdown(); });
  }
  for (auto& w : impl_->workers) w->join();
  impl_->running = false;
}

std::size_t Engine::drain(std::vector<lp_sample>& out) {
  std::lock_guard lock(impl_->drain);
  std::size_t n = 0;
  if (!impl_->ready.load(std::memory_order_acquire)) return 0;
  for (auto& w : impl_->workers) n += w->samples().take(out);
  return n;
}

EngineStats Engine::stats() const {
  EngineStats out;
  if (!impl_->ready.load(std::memory_order_acquire)) return out;
  const auto get = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  for (const auto& w : impl_->workers) {
    const WorkerCounters& c = w->counters();
    out.sent += get(c.sent);
    out.completed += get(c.completed);
    out.connects += get(c.connects);
    out.connect_errors += get(c.connect_errors);
    out.timeouts += get(c.timeouts);
    out.retries += get(c.retries);
    out.dropped_backlog += get(c.dropped_backlog);
    out.hook_errors += get(c.hook_errors);
    out.cancelled_at_stop += get(c.cancelled_at_stop);
    out.aborted_at_stop += get(c.aborted_at_stop);
    out.in_flight += get(c.in_flight);
    out.backlog += get(c.backlog);
    out.active_users += get(c.active_users);
    out.samples_lost += w->samples().lost();
  }
  return out;
}

bool Engine::running() const {
  return impl_->running.load();
}

std::string Engine::error() const {
  if (!impl_->ready.load(std::memory_order_acquire)) return {};
  for (const auto& w : impl_->workers) {
    if (auto e = w->error(); !e.empty()) return e;
  }
  return {};
}

double Engine::rate() const {
  std::lock_guard lock(impl_->control);
  return impl_->rate;
}

int64_t Engine::concurrency() const {
  std::lock_guard lock(impl_->control);
  return impl_->users;
}

}  // namespace lp::native
