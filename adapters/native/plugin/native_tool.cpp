// tool "native": loadpilot's own HTTP engine running Load Vectors. Request
// types are "<vector>/<request>" across every vector it is given; the host
// moves between vectors by setting the mix (zero weight outside the vector).
#include <algorithm>
#include <atomic>
#include <loadpilot/native/engine.hpp>
#include <loadpilot/sdk.hpp>
#include <loadpilot/vectors/parse.hpp>
#include <loadpilot/vectors/render.hpp>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using lp::sdk::ConfigError;
using lp::sdk::Error;
using nlohmann::json;
namespace native = lp::native;
namespace vec = lp::vectors;

constexpr const char* kSchema = R"json({
  "type": "object",
  "properties": {
    "base_url": {"type": "string", "pattern": "^https?://", "description": "Target; the host fills it from target.base_url"},
    "model": {"enum": ["open", "closed"], "description": "Filled from load.model"},
    "vectors": {"type": "array", "items": {"type": "string"}, "description": "Filled from the plan"},
    "vector_files": {"type": "object", "additionalProperties": {"type": "string"}},
    "requests": {"type": "array", "description": "Plain requests, for a plan without Load Vectors",
      "items": {"type": "object", "required": ["path"], "additionalProperties": false,
        "properties": {"name": {"type": "string"}, "method": {"type": "string"},
          "path": {"type": "string"}, "body": {"type": "string"}, "weight": {"type": "number", "minimum": 0},
          "headers": {"type": "object", "additionalProperties": {"type": "string"}}}}},
    "connections": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 64},
    "io_threads": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1},
    "timeout_ms": {"type": "number", "exclusiveMinimum": 0, "default": 10000},
    "connect_timeout_ms": {"type": "number", "exclusiveMinimum": 0, "default": 5000},
    "tls_verify": {"type": "boolean", "default": true},
    "ca_file": {"type": "string"},
    "arrivals": {"enum": ["uniform", "poisson"], "default": "uniform"},
    "max_backlog": {"type": "integer", "minimum": 1},
    "seed": {"type": "integer", "minimum": 0}
  },
  "additionalProperties": false
})json";

class NativeTool {
 public:
  static constexpr lp_kind kind = LP_KIND_TOOL;
  static constexpr const char* type_name = "native";
  static constexpr const char* description =
      "loadpilot's HTTP/1.1 engine (open model free of coordinated omission, or closed model)";
  static constexpr const char* config_schema = kSchema;

  NativeTool(const lp::sdk::Host& host, std::string_view config_json) : host_(host) {
    const json config = json::parse(config_json);
    cfg_.base_url = config.value("base_url", "");
    if (cfg_.base_url.empty())
      throw ConfigError("base_url is required (the plan's target.base_url)");
    cfg_.model = config.value("model", "open") == "closed" ? native::LoadModel::kClosed
                                                           : native::LoadModel::kOpen;
    cfg_.arrivals = config.value("arrivals", "uniform") == "poisson" ? native::Arrivals::kPoisson
                                                                     : native::Arrivals::kUniform;
    cfg_.connections = config.value("connections", 64);
    cfg_.io_threads = config.value("io_threads", 1);
    cfg_.request_timeout = to_ns(config.value("timeout_ms", 10000.0));
    cfg_.connect_timeout = to_ns(config.value("connect_timeout_ms", 5000.0));
    cfg_.tls_verify = config.value("tls_verify", true);
    cfg_.ca_file = config.value("ca_file", "");
    if (config.contains("max_backlog")) cfg_.max_backlog = config["max_backlog"].get<std::size_t>();
    cfg_.seed = config.value("seed", std::uint64_t{0});
    config_ = config;
  }

  void prepare() {
    const json empty_object = json::object();
    const json empty_array = json::array();
    const json& files = config_.contains("vector_files") ? config_["vector_files"] : empty_object;
    const json& ids = config_.contains("vectors") ? config_["vectors"] : empty_array;
    for (const auto& id : ids) {
      const std::string vid = id.get<std::string>();
      if (!files.contains(vid)) throw ConfigError("no file given for vector \"" + vid + "\"");
      const auto path = files[vid].get<std::string>();
      vec::ParseResult parsed = vec::load_vector_file(path);
      if (!parsed.ok()) throw ConfigError(parsed.format_errors());
      const vec::LoadVector* found = nullptr;
      for (const auto& v : parsed.vectors) {
        if (v.id == vid) found = &v;
      }
      if (found == nullptr) throw ConfigError(path + ": has no vector \"" + vid + "\"");
      add_vector(*found, vectors_.empty());
    }
    const json& requests = config_.contains("requests") ? config_["requests"] : empty_array;
    for (const auto& r : requests) {
      native::RequestTemplate t;
      t.method = r.value("method", "GET");
      t.target = r.at("path").get<std::string>();
      t.name = r.value("name", t.method + " " + t.target);
      t.body = r.value("body", "");
      t.weight = r.value("weight", 1.0);
      const json& headers = r.contains("headers") ? r["headers"] : empty_object;
      for (const auto& [k, v] : headers.items()) {
        t.headers.push_back({k, v.get<std::string>()});
      }
      cfg_.requests.push_back(std::move(t));
      routes_.push_back({nullptr, 0, false});
      content_types_.emplace_back();
    }
    if (cfg_.requests.empty()) {
      throw ConfigError("nothing to send: give the tool Load Vectors (vectors: [...]) or requests");
    }
    if (std::any_of(routes_.begin(), routes_.end(), [](const Route& r) { return r.dynamic; })) {
      cfg_.on_request = [this](std::size_t type, std::uint64_t vu, native::RequestBuilder& b) {
        render(type, vu, b);
      };
    }
    bool any_capture = false;
    for (const Route& r : routes_) {
      const bool captures = r.runtime && r.runtime->has_captures(r.index);
      cfg_.response_types.push_back(captures ? 1 : 0);
      any_capture = any_capture || captures;
    }
    if (any_capture) {
      cfg_.on_response = [this](std::size_t type, std::uint64_t vu,
                                const native::ResponseView& response) {
        capture(type, vu, response);
      };
    } else {
      cfg_.response_types.clear();
    }
    engine_ = std::make_unique<native::Engine>(cfg_);  // checks the config
  }

  std::vector<std::string> request_types() {
    std::vector<std::string> names;
    for (const auto& r : cfg_.requests) names.push_back(r.name);
    return names;
  }

  void start(const lp_tool_target& t) {
    apply(t);
    engine_->start();
  }
  void set_target(const lp_tool_target& t) { apply(t); }

  lp::sdk::ToolStatus poll(std::vector<lp_sample>& out) {
    engine_->drain(out);
    lp::sdk::ToolStatus st;
    const auto stats = engine_->stats();
    st.active_users =
        cfg_.model == native::LoadModel::kClosed ? stats.active_users : stats.in_flight;
    st.offered_rate_per_s = engine_->rate();
    const std::string error = engine_->error();
    if (!error.empty()) {
      st.state = LP_TOOL_FAILED;
      st.message = error;
    }
    return st;
  }

  void stop(std::int64_t grace_ns) {
    engine_->stop(std::chrono::nanoseconds(grace_ns));
    // The I/O threads are joined: their render contexts can be read now.
    vec::RenderContext::Stats total;
    for (const auto& ctx : contexts_) {
      total.captured += ctx->stats().captured;
      total.capture_failures += ctx->stats().capture_failures;
      total.capture_misses += ctx->stats().capture_misses;
    }
    if (total.capture_failures + total.capture_misses > 0) {
      host_.log(LP_LOG_WARN, "captures: " + std::to_string(total.captured) + " values stored, " +
                                 std::to_string(total.capture_failures) +
                                 " responses without the value, " +
                                 std::to_string(total.capture_misses) +
                                 " requests rendered before their user had captured it");
    } else if (total.captured > 0) {
      host_.log(LP_LOG_INFO, "captures: " + std::to_string(total.captured) + " values stored");
    }
  }

 private:
  struct Route {
    std::shared_ptr<vec::VectorRuntime> runtime;  // null: a plain request
    std::size_t index;                            // request type within its vector
    bool dynamic;                                 // rendered per request (has variables)
  };

  // Each I/O thread's render context: every virtual user's random stream and
  // captured values live in the thread that serves that user's connection.
  struct Local {
    vec::RenderContext* ctx = nullptr;
    vec::RenderedRequest out;
    std::vector<vec::HeaderView> headers;
  };

  static std::chrono::nanoseconds to_ns(double ms) {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ms * 1e6));
  }

  void add_vector(const vec::LoadVector& v, bool first) {
    auto runtime = std::make_shared<vec::VectorRuntime>(v);
    vectors_.push_back(runtime);
    for (std::size_t i = 0; i < v.request_types.size(); ++i) {
      const auto& rt = v.request_types[i];
      native::RequestTemplate t;
      t.name = v.id + "/" + rt.name;
      t.method = rt.method;
      t.target = rt.path;
      for (const auto& [k, val] : rt.headers) t.headers.push_back({k, val});
      if (rt.payload_template) {
        t.body = *rt.payload_template;
        if (!rt.content_type.empty()) t.headers.push_back({"Content-Type", rt.content_type});
      }
      t.weight = first ? rt.frequency : 0.0;
      t.think = {to_ns(rt.think_time.min_ms), to_ns(rt.think_time.max_ms)};
      const bool dynamic = !rt.is_static;
      if (dynamic) t.headers.clear();  // rendered per request instead
      cfg_.requests.push_back(std::move(t));
      routes_.push_back({runtime, i, dynamic});
      content_types_.push_back(rt.payload_template ? rt.content_type : std::string());
    }
  }

  Local& local() {
    // Keyed by instance number, not address: a later tool may reuse an address.
    thread_local std::unordered_map<std::uint64_t, Local> locals;
    Local& l = locals[instance_];
    if (l.ctx == nullptr) {
      std::lock_guard lock(mutex_);
      contexts_.push_back(std::make_unique<vec::RenderContext>(cfg_.seed + next_context_++));
      l.ctx = contexts_.back().get();
    }
    return l;
  }

  // Fills a request's variables for the user `vu`.
  void render(std::size_t type, std::uint64_t vu, native::RequestBuilder& b) {
    const Route& route = routes_[type];
    if (!route.dynamic) return;
    Local& l = local();
    l.ctx->set_vu(vu);
    route.runtime->render(route.index, *l.ctx, l.out);
    b.set_method(l.out.method);
    b.set_target(l.out.target);
    b.set_body(l.out.body);
    for (std::size_t i = 0; i < l.out.header_count(); ++i) {
      const auto h = l.out.header(i);
      b.add_header(h.name, h.value);
    }
    if (!content_types_[type].empty()) b.add_header("Content-Type", content_types_[type]);
  }

  // Stores what the type's capture rules find, for the same user.
  void capture(std::size_t type, std::uint64_t vu, const native::ResponseView& response) {
    const Route& route = routes_[type];
    Local& l = local();
    l.headers.clear();
    for (const auto& f : response.headers) l.headers.push_back({f.name, f.value});
    l.ctx->set_vu(vu);
    route.runtime->apply_captures(route.index, response.status, l.headers, response.body, *l.ctx);
  }

  void apply(const lp_tool_target& t) {
    if (t.rate_per_s >= 0) engine_->set_rate(t.rate_per_s);
    if (t.concurrency >= 0) engine_->set_concurrency(t.concurrency);
    if (t.mix != nullptr) {
      if (t.mix_count != cfg_.requests.size()) {
        throw Error("mix has " + std::to_string(t.mix_count) + " weights for " +
                        std::to_string(cfg_.requests.size()) + " request types",
                    LP_ERR_INVALID_ARGUMENT);
      }
      engine_->set_mix(std::span<const double>(t.mix, t.mix_count));
    }
  }

  lp::sdk::Host host_;
  json config_;
  native::EngineConfig cfg_;
  std::vector<std::shared_ptr<vec::VectorRuntime>> vectors_;
  std::vector<Route> routes_;
  std::vector<std::string> content_types_;
  std::unique_ptr<native::Engine> engine_;
  std::mutex mutex_;  // guards contexts_ while I/O threads create theirs
  std::vector<std::unique_ptr<vec::RenderContext>> contexts_;
  inline static std::atomic<std::uint64_t> instances_{0};
  const std::uint64_t instance_ = ++instances_;
  std::uint64_t next_context_ = 1;
};

}  // namespace

LOADPILOT_PLUGIN("native", "0.1.0", "loadpilot's own HTTP load engine", NativeTool)
