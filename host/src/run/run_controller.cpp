#include "loadpilot/host/run/run_controller.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "loadpilot/host/alert/alert_manager.hpp"
#include "loadpilot/host/alert/webhook_sender.hpp"
#include "loadpilot/host/cli/cli.hpp"
#include "loadpilot/host/metrics/tick_window.hpp"
#include "loadpilot/host/plan/plan_loader.hpp"
#include "loadpilot/host/plugin/component.hpp"
#include "loadpilot/host/run/alv_sequencer.hpp"
#include "loadpilot/host/run/demo_target_process.hpp"
#include "loadpilot/host/run/run_summary.hpp"
#include "loadpilot/host/store/run_store.hpp"

namespace lp {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr int kInterrupted = 130;  // 128 + SIGINT, as shells report it
constexpr const char* kAllTypes = "(all)";
// A target that gives nothing but connection errors and timeouts for this
// long has stopped answering.
constexpr milliseconds kDeadTargetAfter{3000};

std::int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double seconds(milliseconds d) {
  return static_cast<double>(d.count()) / 1000.0;
}

// A Load Vector as the controller needs it: timing and request frequencies.
struct VectorInfo {
  nlohmann::json doc;
  std::vector<std::pair<std::string, double>> requests;  // name, frequency
  milliseconds ramp_up{0};
  milliseconds duration{0};
  std::optional<double> rate;
};

std::string request_name(const nlohmann::json& r) {
  if (r.contains("name")) return r["name"].get<std::string>();
  return fmt::format("{} {}", r.value("method", "GET"), r.value("path", "/"));
}

VectorInfo read_vector(const std::string& id, const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read Load Vector file", file.string()));
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded())
    throw std::runtime_error(fmt::format("{}: not valid JSON", file.string()));
  const nlohmann::json* found = nullptr;
  if (doc.is_array()) {
    for (const auto& v : doc) {
      if (v.value("vector_id", "") == id) found = &v;
    }
  } else if (doc.value("vector_id", "") == id) {
    found = &doc;
  }
  if (found == nullptr) {
    throw std::runtime_error(fmt::format("{}: has no vector \"{}\"", file.string(), id));
  }
  VectorInfo v;
  v.doc = *found;
  for (const auto& r : found->at("request_types")) {
    v.requests.emplace_back(request_name(r), r.value("frequency", 0.0));
  }
  v.ramp_up = milliseconds(std::llround(1000.0 * found->value("ramp_up_time_sec", 0.0)));
  v.duration = milliseconds(std::llround(1000.0 * found->value("duration_sec", 0.0)));
  if (found->contains("rate")) v.rate = (*found)["rate"].get<double>();
  return v;
}

// One metric predicted one tick ahead, for a detector that tests observations
// against a prediction interval: fitted once enough ticks are in, then
// updated every tick (and refitted now and then).
struct TickPredictor {
  static constexpr std::size_t kFitAfter = 20;
  static constexpr std::size_t kRefitEvery = 100;
  std::unique_ptr<HostServices> services;
  std::unique_ptr<Component> component;
  std::unique_ptr<ForecasterClient> client;
  TimeSeries history;
  std::size_t since_fit = 0;
  bool fitted = false;
};

struct DetectorRun {
  const DetectorSpec* spec = nullptr;
  std::vector<TickPredictor> predictors;  // one per metric, when the spec names a forecaster
  std::unique_ptr<HostServices> services;
  std::unique_ptr<Component> component;
  std::unique_ptr<DetectorClient> client;
  WebhookSender* webhook = nullptr;  // shared per URL
  bool backoff = false;
  bool stop = false;
};

// The shaper's answer to a backoff alert: offer this share of the planned load
// until the episode is resolved.
constexpr double kBackoffFactor = 0.5;

struct ToolRun {
  const ToolSpec* spec = nullptr;
  std::unique_ptr<HostServices> services;
  std::unique_ptr<Component> component;
  std::unique_ptr<ToolClient> client;
  std::vector<std::string> types;
  std::unique_ptr<TickWindow> window;
  RunAccumulator total;
  std::vector<std::vector<double>> step_mix;  // per ALV step; empty: not in this vector
  double share = 1.0;
  ToolTarget last_target;
  bool started = false;
};

// Everything a run owns, stopped and saved in one place whatever happens.
class Controller {
 public:
  Controller(const TestPlan& plan, const PluginRegistry& registry, const RunSettings& settings)
      : plan_(plan), registry_(registry), settings_(settings) {}

  RunOutcome run();

 private:
  void open_store();
  void start_demo_target();
  void create_tools();
  void create_detectors();
  void watch(const AlvState& state, const WindowSummary& tick, TickBatch& batch);
  void build_sequence();
  void loop();
  void apply_targets(const AlvState& state);
  bool schema_has_property(const std::string& tool, const std::string& name) const;
  void poll_tools(std::int64_t tick_start_ns, std::int64_t tick_end_ns, TickBatch& batch,
                  std::int64_t& requests, std::int64_t& errors);
  void record_decisions(const std::vector<AlvDecision>& decisions, TickBatch& batch);
  void check_health(std::int64_t requests, std::int64_t answered, milliseconds elapsed);
  void stop_tools();
  void print_progress(milliseconds elapsed, const AlvState& state, const WindowSummary& tick);
  void fail(std::string message) {
    if (outcome_.exit_code == cli::kSuccess) {
      outcome_.exit_code = cli::kRuntimeFailure;
      outcome_.message = std::move(message);
    }
  }
  void event(TickBatch& batch, std::string kind, std::string source, std::string message,
             nlohmann::json details = nlohmann::json::object()) {
    batch.events.push_back({0, wall_now_ns(), std::move(kind), std::move(source),
                            std::move(message), std::move(details)});
  }

  const TestPlan& plan_;
  const PluginRegistry& registry_;
  const RunSettings& settings_;
  RunOutcome outcome_;
  std::optional<RunStore> store_;
  std::unique_ptr<DemoTargetProcess> demo_;
  std::string base_url_;
  std::map<std::string, VectorInfo> vectors_;
  std::vector<std::unique_ptr<ToolRun>> tools_;
  std::vector<std::unique_ptr<DetectorRun>> detectors_;
  std::map<std::string, std::unique_ptr<WebhookSender>> webhooks_;
  AlertManager alerts_;
  nlohmann::json plugin_errors_ = nlohmann::json::array();  // reported by plugins, not fatal
  nlohmann::json alert_log_ = nlohmann::json::array();
  double backoff_ = 1.0;  // kBackoffFactor while a backoff alert is active
  std::unique_ptr<AlvSequencer> sequencer_;
  std::vector<VectorSpan> spans_;  // one per executed vector
  std::optional<std::size_t> open_span_;
  std::int64_t tick_index_ = 0;
  milliseconds unanswered_for_{0};
  double offered_sum_ = 0;  // offered rate, summed over ticks
  std::int64_t offered_ticks_ = 0;
  RequestStats overall_;
  std::int64_t started_ns_ = 0;
  std::int64_t load_ended_ns_ = 0;  // the end of the last tick, before the tools stop
  milliseconds elapsed_{0};
  std::string current_vector_;
  milliseconds last_progress_line_{-10000};
};

void Controller::open_store() {
  fs::path dir = settings_.runs_dir;
  if (dir.empty()) dir = plan_.store.dir.empty() ? fs::path("runs") : plan_.store.dir;
  RunSpec spec;
  spec.plan_name = plan_.name;
  spec.plan_file = plan_.file.string();
  spec.plan = to_json(plan_);
  store_.emplace(RunStore::create(dir, spec));
  outcome_.run_id = store_->run_id();
  outcome_.run_dir = store_->db_path().parent_path();
}

void Controller::start_demo_target() {
  base_url_ = plan_.target.base_url;
  if (!plan_.target.demo || !plan_.target.demo->start) return;
  demo_ =
      std::make_unique<DemoTargetProcess>(*plan_.target.demo, outcome_.run_dir / "demo-target.log");
  spdlog::info("{}", demo_->banner());
  if (plan_.target.demo->port == 0) {
    // A port the system picked: keep the plan's path, take the demo's address.
    const auto path_at = [](const std::string& url) {
      const auto scheme_end = url.find("://");
      const auto slash = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
      return slash == std::string::npos ? url.size() : slash;
    };
    base_url_ = demo_->base_url() + base_url_.substr(path_at(base_url_));
  }
  TickBatch batch;
  event(batch, "target", "demo", demo_->banner());
  store_->append_tick(batch);
}

bool Controller::schema_has_property(const std::string& tool, const std::string& name) const {
  const lp_component_factory* f = registry_.factory(LP_KIND_TOOL, tool);
  if (f == nullptr || f->config_schema == nullptr) return false;
  const auto schema = nlohmann::json::parse(f->config_schema, nullptr, false);
  return schema.is_object() && schema.contains("properties") && schema["properties"].is_object() &&
         schema["properties"].contains(name);
}

void Controller::create_tools() {
  for (const auto& [id, file] : plan_.vector_files) vectors_.emplace(id, read_vector(id, file));
  const bool shares_given = std::any_of(plan_.tools.begin(), plan_.tools.end(),
                                        [](const ToolSpec& t) { return t.share > 0; });
  for (const auto& spec : plan_.tools) {
    auto t = std::make_unique<ToolRun>();
    t->spec = &spec;
    t->share = shares_given ? spec.share : 1.0 / static_cast<double>(plan_.tools.size());
    nlohmann::json config = nlohmann::json::object();
    // What the host knows goes in first; the plan's own config wins.
    config["base_url"] = base_url_;
    config["model"] = plan_.load.model == LoadModel::kClosed ? "closed" : "open";
    if (!spec.suite.empty()) config["suite"] = spec.suite.string();
    std::vector<std::string> ids = spec.vectors;
    if (ids.empty() && spec.suite.empty() && plan_.profile) ids = plan_.profile->vector_sequence;
    if (!ids.empty()) {
      config["vectors"] = ids;
      config["vector_files"] = nlohmann::json::object();
      for (const auto& id : ids) config["vector_files"][id] = plan_.vector_files.at(id).string();
    }
    for (const auto& [k, v] : spec.config.items()) config[k] = v;
    // A tool that keeps logs (its schema has "log_dir") keeps them with the run.
    if (!config.contains("log_dir") && schema_has_property(spec.tool, "log_dir")) {
      const auto dir = store_->db_path().parent_path() / "tools" / spec.id;
      config["log_dir"] = dir.string();
    }

    const std::string label = fmt::format("tool/{}", spec.id);
    t->services = std::make_unique<HostServices>(label);
    t->component = std::make_unique<Component>(registry_, LP_KIND_TOOL, spec.tool, config.dump(),
                                               *t->services);
    t->client = std::make_unique<ToolClient>(*t->component);
    t->client->prepare();
    t->types = t->client->request_types();
    store_->add_request_types(spec.id, t->types);
    t->window = std::make_unique<TickWindow>(t->types);
    t->total = RunAccumulator(t->types);
    tools_.push_back(std::move(t));
  }
}

// The profile's vectors in order, or one step for a plan without a profile.
void Controller::build_sequence() {
  const bool closed = plan_.load.model == LoadModel::kClosed;
  const double default_target = closed ? static_cast<double>(plan_.load.concurrency.value_or(1))
                                       : plan_.load.rate.value_or(0);
  auto capped = [&](double target) {
    if (!closed && plan_.load.max_rate) return std::min(target, *plan_.load.max_rate);
    return target;
  };
  std::vector<VectorStep> steps;
  AlvPolicy policy;
  if (plan_.profile && !plan_.profile->vector_sequence.empty()) {
    policy.max_error_rate = plan_.profile->skip_on_error_rate;
    policy.action = plan_.profile->on_high_error == OnHighError::kShorten
                        ? HighErrorAction::kShorten
                        : HighErrorAction::kSkip;
    policy.transition_delay = plan_.profile->transition_delay;
    for (const auto& id : plan_.profile->vector_sequence) {
      const VectorInfo& v = vectors_.at(id);
      const double target = closed ? default_target : v.rate.value_or(default_target);
      steps.push_back({id, v.ramp_up, v.duration, capped(target)});
    }
  } else {
    if (!plan_.duration) throw std::runtime_error("the plan has neither a duration nor a profile");
    steps.push_back({"", milliseconds{0}, *plan_.duration, capped(default_target)});
  }
  // Each tool's mix per step: the vector's frequencies on its request types
  // (named "<vector>/<request>"), zero elsewhere; empty when it lacks the vector.
  for (auto& t : tools_) {
    for (const auto& step : steps) {
      std::vector<double> mix(t->types.size(), 0.0);
      bool any = false;
      if (step.id.empty()) {
        t->step_mix.emplace_back();  // no profile: the tool's own mix
        continue;
      }
      const VectorInfo& v = vectors_.at(step.id);
      for (std::size_t i = 0; i < t->types.size(); ++i) {
        for (const auto& [name, freq] : v.requests) {
          if (t->types[i] == step.id + "/" + name) {
            mix[i] = freq;
            any = any || freq > 0;
          }
        }
      }
      t->step_mix.push_back(any ? std::move(mix) : std::vector<double>{});
    }
  }
  sequencer_ = std::make_unique<AlvSequencer>(std::move(steps), policy);
}

void Controller::apply_targets(const AlvState& state) {
  const bool closed = plan_.load.model == LoadModel::kClosed;
  for (auto& t : tools_) {
    ToolTarget target;
    // Under a profile, a tool that lists vectors carries only its own steps;
    // a suite-driven tool (no vectors) carries every step with its own mix.
    const bool profiled = !sequencer_->steps()[0].id.empty();
    const bool suite_driven = t->spec->vectors.empty();
    const bool carries = state.phase == AlvState::Phase::kRunning &&
                         (!profiled || suite_driven || !t->step_mix[state.index].empty());
    const double value = carries ? state.target * t->share * backoff_ : 0.0;
    if (closed) {
      target.concurrency = static_cast<std::int64_t>(std::ceil(value));
    } else {
      target.rate_per_s = value;
    }
    if (carries && profiled && !suite_driven) target.mix = t->step_mix[state.index];
    if (!t->started) {
      t->client->start(target);
      t->started = true;
    } else if (target.rate_per_s != t->last_target.rate_per_s ||
               target.concurrency != t->last_target.concurrency ||
               target.mix != t->last_target.mix) {
      t->client->set_target(target);
    }
    t->last_target = target;
    if (!closed) {
      offered_sum_ += value;
    }
  }
  if (!closed) ++offered_ticks_;
}

void Controller::poll_tools(std::int64_t tick_start_ns, std::int64_t tick_end_ns, TickBatch& batch,
                            std::int64_t& requests, std::int64_t& errors) {
  for (auto& t : tools_) {
    // Rates are per second of the tick as it really lasted.
    t->window->restart(tick_start_ns, std::max<std::int64_t>(tick_end_ns - tick_start_ns, 1));
    const ToolPoll status = t->client->poll([&](const lp_sample& s) { t->window->add(s); });
    t->total.add(*t->window);
    const WindowSummary summary = t->window->summary();
    const auto row = [&](const RequestStats& stats, const RequestSummary& sum,
                         const std::string& name) {
      TickRow r;
      r.tick = tick_index_;
      r.start_ns = tick_start_ns;
      r.end_ns = tick_end_ns;
      r.tool_id = t->spec->id;
      r.request_type = name;
      if (!current_vector_.empty()) r.vector_id = current_vector_;
      r.outcomes = {stats.outcomes[LP_OUTCOME_OK], stats.outcomes[LP_OUTCOME_HTTP_ERROR],
                    stats.outcomes[LP_OUTCOME_TIMEOUT], stats.outcomes[LP_OUTCOME_CONNECT_ERROR],
                    stats.outcomes[LP_OUTCOME_OTHER_ERROR]};
      r.bytes = static_cast<std::int64_t>(stats.bytes);
      if (t->last_target.rate_per_s >= 0) r.offered_rate = t->last_target.rate_per_s;
      r.achieved_rate = sum.rate_per_s;
      if (sum.count > 0) {
        r.latency =
            LatencyMs{sum.p50_ms, sum.p90_ms, sum.p99_ms, sum.p999_ms, sum.max_ms, sum.mean_ms};
        r.histogram = stats.latency_us.encode_compressed_base64();
      }
      batch.ticks.push_back(std::move(r));
    };
    for (std::size_t i = 0; i < t->window->types().size(); ++i) {
      if (t->window->types()[i].count > 0) {
        row(t->window->types()[i], summary.types[i], t->window->type_names()[i]);
      }
    }
    row(t->window->all(), summary.all, kAllTypes);  // every tick has a row per tool
    requests += summary.all.count;
    errors += summary.all.errors;
    overall_.merge(t->window->all());
    if (open_span_) spans_[*open_span_].stats.merge(t->window->all());

    // Errors a tool reported without failing (a lost worker under
    // on_worker_loss: continue) are kept with the run, not only logged.
    for (auto& message : t->services->take_reported_errors()) {
      spdlog::warn("tool \"{}\": {}", t->spec->id, message);
      plugin_errors_.push_back({{"source", "tool/" + t->spec->id}, {"message", message}});
      event(batch, "plugin_error", "tool/" + t->spec->id, std::move(message));
    }
    if (status.state == LP_TOOL_FAILED) {
      fail(fmt::format("tool \"{}\" failed: {}", t->spec->id,
                       status.message.empty() ? "(no message)" : status.message));
      event(batch, "error", "tool/" + t->spec->id, outcome_.message);
    }
  }
}

void Controller::record_decisions(const std::vector<AlvDecision>& decisions, TickBatch& batch) {
  for (const auto& d : decisions) {
    if (d.vector_id.empty()) continue;  // a plan without a profile
    const std::int64_t at_ns = started_ns_ + std::chrono::nanoseconds(d.at).count();
    if (d.kind == AlvDecision::Kind::kStarted) {
      spans_.push_back({});
      VectorSpan& s = spans_.back();
      s.vector_id = d.vector_id;
      s.start_ns = at_ns;
      open_span_ = spans_.size() - 1;
      current_vector_ = d.vector_id;
      batch.vectors.push_back({static_cast<std::int64_t>(*open_span_), d.vector_id, at_ns,
                               std::nullopt, VectorOutcome::kRunning, ""});
      event(batch, "vector", "alv", fmt::format("vector {} started", d.vector_id),
            {{"vector", d.vector_id}, {"decision", "started"}});
      spdlog::info("vector {} started", d.vector_id);
      continue;
    }
    const char* what = d.kind == AlvDecision::Kind::kSkipped     ? "skipped"
                       : d.kind == AlvDecision::Kind::kShortened ? "shortened"
                                                                 : "completed";
    if (!d.ends_vector) {  // a cut, announced when taken
      event(batch, "vector", "alv", fmt::format("vector {} {}: {}", d.vector_id, what, d.reason),
            {{"vector", d.vector_id}, {"decision", what}, {"reason", d.reason}});
      spdlog::warn("vector {} {}: {}", d.vector_id, what, d.reason);
      continue;
    }
    if (!open_span_) continue;
    VectorSpan& s = spans_[*open_span_];
    s.end_ns = at_ns;
    s.outcome = d.kind == AlvDecision::Kind::kCompleted ? VectorOutcome::kCompleted
                : d.kind == AlvDecision::Kind::kSkipped ? VectorOutcome::kSkipped
                                                        : VectorOutcome::kShortened;
    s.reason = d.reason;
    batch.vectors.push_back({static_cast<std::int64_t>(*open_span_), s.vector_id, s.start_ns,
                             s.end_ns, s.outcome, s.reason});
    event(batch, "vector", "alv", fmt::format("vector {} {}", d.vector_id, what),
          {{"vector", d.vector_id}, {"decision", what}, {"ended", true}});
    open_span_.reset();
    current_vector_.clear();
  }
}

void Controller::check_health(std::int64_t requests, std::int64_t answered, milliseconds tick) {
  if (demo_) {
    if (const auto code = demo_->exited()) {
      fail(fmt::format("the demo target exited (status {}) during the run", *code));
      return;
    }
  }
  if (requests > 0 && answered == 0) {
    unanswered_for_ += tick;
    if (unanswered_for_ >= kDeadTargetAfter) {
      fail(
          fmt::format("the target {} stopped answering: only connection errors and timeouts "
                      "for {:.0f} s",
                      base_url_, seconds(unanswered_for_)));
    }
  } else if (answered > 0) {
    unanswered_for_ = milliseconds{0};
  }
}

void Controller::print_progress(milliseconds elapsed, const AlvState& state,
                                const WindowSummary& tick) {
  if (settings_.progress == nullptr) return;
  // Without a terminal, one line every 5 s keeps CI logs short.
  if (!settings_.progress_is_tty && elapsed - last_progress_line_ < milliseconds(5000)) return;
  last_progress_line_ = elapsed;
  const milliseconds total = sequencer_->planned_duration();
  const std::string vector =
      state.phase == AlvState::Phase::kRunning
          ? (current_vector_.empty() ? std::string("-") : current_vector_)
          : (state.phase == AlvState::Phase::kTransition ? std::string("(pause)")
                                                         : std::string("(done)"));
  const double target = state.target * backoff_;
  const std::string offered = plan_.load.model == LoadModel::kClosed
                                  ? fmt::format("users {:.0f}", std::ceil(target))
                                  : fmt::format("offered {:7.1f}/s", target);
  const std::string line = fmt::format(
      "[{:5.1f}/{:5.1f}s] {:<10} {} achieved {:7.1f}/s  p50 {:6.2f} ms  p99 {:7.2f} ms  "
      "errors {:5.1f}%",
      seconds(elapsed), seconds(total), vector, offered, tick.all.rate_per_s, tick.all.p50_ms,
      tick.all.p99_ms, 100.0 * tick.all.error_rate);
  if (settings_.progress_is_tty) {
    *settings_.progress << "\r" << line << "\x1b[K" << std::flush;
  } else {
    *settings_.progress << line << "\n" << std::flush;
  }
}

void Controller::loop() {
  const milliseconds tick = plan_.tick;
  const auto start = Clock::now();
  started_ns_ = wall_now_ns();
  // Bounded by the plan: the sequencer ends after its planned duration; the
  // extra ticks allow for a slow final one.
  const std::int64_t max_ticks = sequencer_->planned_duration() / tick + 10;
  for (tick_index_ = 0; tick_index_ < max_ticks; ++tick_index_) {
    elapsed_ = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    TickBatch batch;
    std::vector<AlvDecision> decisions;
    const AlvState state = sequencer_->advance(elapsed_, tick, decisions);
    record_decisions(decisions, batch);
    if (state.phase == AlvState::Phase::kDone) {
      store_->append_tick(batch);
      break;
    }
    apply_targets(state);

    const std::int64_t tick_start_ns = wall_now_ns();
    const auto tick_end = start + (tick_index_ + 1) * tick;
    while (Clock::now() < tick_end) {
      if (settings_.interrupt != nullptr && settings_.interrupt->load()) break;
      std::this_thread::sleep_for(
          std::min<Clock::duration>(milliseconds(50), tick_end - Clock::now()));
    }
    std::int64_t requests = 0, errors = 0;
    poll_tools(tick_start_ns, wall_now_ns(), batch, requests, errors);
    std::int64_t answered = 0;
    for (const auto& t : tools_) {
      const auto& o = t->window->all().outcomes;
      answered += o[LP_OUTCOME_OK] + o[LP_OUTCOME_HTTP_ERROR] + o[LP_OUTCOME_OTHER_ERROR];
    }
    elapsed_ = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    decisions.clear();
    sequencer_->observe(requests, errors, elapsed_, decisions);
    record_decisions(decisions, batch);
    check_health(requests, answered, tick);
    RunAccumulator acc;
    for (const auto& t : tools_) acc.add(*t->window);
    const WindowSummary tick_summary = acc.summary();
    watch(state, tick_summary, batch);
    store_->append_tick(batch);  // committed every tick: nothing measured is lost
    if (!tools_.empty()) print_progress(elapsed_, state, tick_summary);
    if (outcome_.exit_code != cli::kSuccess) break;
    if (settings_.interrupt != nullptr && settings_.interrupt->load()) {
      outcome_.exit_code = kInterrupted;
      outcome_.message = "interrupted";
      break;
    }
  }
  load_ended_ns_ = wall_now_ns();
  if (settings_.progress != nullptr && settings_.progress_is_tty) *settings_.progress << "\n";
}

void Controller::create_detectors() {
  for (const auto& spec : plan_.detect) {
    auto d = std::make_unique<DetectorRun>();
    d->spec = &spec;
    d->services = std::make_unique<HostServices>(fmt::format("detect/{}", spec.id));
    d->component = std::make_unique<Component>(registry_, LP_KIND_DETECTOR, spec.detector,
                                               spec.config.dump(), *d->services);
    d->client = std::make_unique<DetectorClient>(*d->component);
    for (const AlertAction a : spec.on_alert) {
      d->backoff = d->backoff || a == AlertAction::kBackoff;
      d->stop = d->stop || a == AlertAction::kStop;
    }
    if (!spec.forecaster.empty()) {
      for (const auto& metric : spec.metrics) {
        TickPredictor p;
        p.services = std::make_unique<HostServices>(fmt::format("detect/{}/{}", spec.id, metric));
        p.component = std::make_unique<Component>(registry_, LP_KIND_FORECASTER, spec.forecaster,
                                                  "{}", *p.services);
        p.client = std::make_unique<ForecasterClient>(*p.component);
        p.history.step_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(plan_.tick).count();
        d->predictors.push_back(std::move(p));
      }
    }
    if (!spec.webhook.empty()) {
      auto& sender = webhooks_[spec.webhook];
      if (!sender) sender = std::make_unique<WebhookSender>(spec.webhook);
      d->webhook = sender.get();
    }
    detectors_.push_back(std::move(d));
  }
}

// Feeds this tick's KPIs to every detector; flags become alerts (console,
// store, webhook) and the plan's actions (stop the run, back off the load).
void Controller::watch(const AlvState& state, const WindowSummary& tick, TickBatch& batch) {
  if (detectors_.empty()) return;
  const std::int64_t now = wall_now_ns();
  const double offered = state.phase == AlvState::Phase::kRunning ? state.target * backoff_ : 0.0;
  bool backoff_active = false;
  for (auto& d : detectors_) {
    AlertContext ctx;
    ctx.run_id = outcome_.run_id;
    ctx.plan = plan_.name;
    ctx.detector_id = d->spec->id;
    ctx.detector_type = d->spec->detector;
    ctx.metrics = d->spec->metrics;
    ctx.vector = current_vector_;
    ctx.wall_ns = now;
    bool measured = true;
    for (const auto& name : d->spec->metrics) {
      const auto v = run_kpi(name, tick.all, offered);
      measured = measured && v.has_value();
      ctx.values.push_back(v.value_or(std::nan("")));
    }
    // A tick without the KPI (no requests, a source not wired yet) is not
    // evidence either way: the detector does not see it.
    if (!measured) {
      backoff_active = backoff_active || (d->backoff && alerts_.active(d->spec->id));
      continue;
    }
    std::vector<double> inputs = ctx.values;
    if (!d->predictors.empty()) {
      // [observed, low, high] per metric, once the forecaster has been fitted.
      inputs.clear();
      const double tail = (1 - d->spec->interval) / 2;
      const std::vector<double> levels{tail, 1 - tail};
      bool ready = true;
      for (std::size_t i = 0; i < d->predictors.size(); ++i) {
        TickPredictor& p = d->predictors[i];
        const double value = ctx.values[i];
        if (p.fitted) {
          const ForecastResult f = p.client->predict(1, levels);
          inputs.insert(inputs.end(), {value, f.quantile(0, 0), f.quantile(0, 1)});
          TimeSeries one{p.history.start_ns +
                             static_cast<std::int64_t>(p.history.values.size()) * p.history.step_ns,
                         p.history.step_ns,
                         {value},
                         {}};
          p.client->update(one);
        } else {
          ready = false;
        }
        if (p.history.values.empty()) p.history.start_ns = now;
        p.history.values.push_back(value);
        if (!p.fitted ? p.history.values.size() >= TickPredictor::kFitAfter
                      : ++p.since_fit >= TickPredictor::kRefitEvery) {
          p.client->fit(p.history);
          p.fitted = true;
          p.since_fit = 0;
        }
      }
      if (!ready) {
        backoff_active = backoff_active || (d->backoff && alerts_.active(d->spec->id));
        continue;
      }
    }
    const DetectionResult r = d->client->observe(now, inputs);
    ctx.score = r.score;
    ctx.expected_low = r.expected_low;
    ctx.expected_high = r.expected_high;
    batch.metrics.push_back({now, "detector_score", {{"detector", d->spec->id}}, r.score});
    if (auto alert = alerts_.observe(ctx, r.flag)) {
      const std::string message = alert->message();
      nlohmann::json body = alert->to_json();
      if (alert->kind == Alert::Kind::kRaised) {
        spdlog::warn("{}", message);
      } else {
        spdlog::info("{}", message);
      }
      event(batch, "alert", fmt::format("detect/{}", d->spec->id), message, body);
      if (d->webhook != nullptr) d->webhook->post(body.dump());
      alert_log_.push_back(std::move(body));
      if (alert->kind == Alert::Kind::kRaised && d->stop && outcome_.exit_code == cli::kSuccess) {
        outcome_.exit_code = cli::kCriteriaFailed;
        outcome_.message = fmt::format("stopped by an alert: {}", message);
      }
    }
    backoff_active = backoff_active || (d->backoff && alerts_.active(d->spec->id));
  }
  const double factor = backoff_active ? kBackoffFactor : 1.0;
  if (factor != backoff_) {
    event(batch, "shape", "alert",
          backoff_active ? fmt::format("backing off to {:.0f}% of the planned load while an "
                                       "alert is active",
                                       100 * kBackoffFactor)
                         : std::string("alerts resolved: back to the planned load"),
          {{"factor", factor}});
    spdlog::info("{}", batch.events.back().message);
    backoff_ = factor;
  }
}

void Controller::stop_tools() {
  TickBatch batch;
  const std::int64_t start_ns = wall_now_ns();
  for (auto& t : tools_) {
    if (!t->started) continue;
    try {
      t->client->stop(2'000'000'000);
    } catch (const std::exception& e) {
      spdlog::error("{}", e.what());
    }
  }
  // Requests completed during the stop are measured too.
  std::int64_t requests = 0, errors = 0;
  try {
    poll_tools(start_ns, wall_now_ns(), batch, requests, errors);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
  }
  store_->append_tick(batch);
}

RunOutcome Controller::run() {
  open_store();
  bool store_finished = false;
  try {
    start_demo_target();
    create_tools();
    create_detectors();
    build_sequence();
    loop();
  } catch (const std::exception& e) {
    fail(e.what());
  }
  try {
    stop_tools();
  } catch (const std::exception& e) {
    fail(e.what());
  }
  if (demo_) demo_->stop();
  for (auto& [url, sender] : webhooks_) {
    if (!sender->flush(std::chrono::seconds(10))) {
      spdlog::warn("webhook {}: gave up waiting for the last alerts", url);
    }
  }
  const std::int64_t ended_ns = wall_now_ns();
  for (auto& s : spans_) {
    if (!s.end_ns) s.end_ns = ended_ns;
    if (s.outcome == VectorOutcome::kRunning) {
      s.outcome = VectorOutcome::kShortened;
      s.reason = outcome_.message.empty() ? "the run ended early" : outcome_.message;
    }
  }

  SummaryInput in;
  in.run_id = outcome_.run_id;
  in.plan = &plan_;
  in.started_ns = started_ns_ == 0 ? ended_ns : started_ns_;
  // Rates are over the load period: the tools' stop (up to its grace period)
  // adds the last answers but no load time.
  in.ended_ns = load_ended_ns_ > in.started_ns ? load_ended_ns_ : ended_ns;
  in.overall = &overall_;
  for (const auto& t : tools_) in.tools.push_back({t->spec->id, &t->total});
  in.vectors = &spans_;
  in.mean_offered_rate =
      offered_ticks_ > 0 ? std::optional<double>(offered_sum_ / static_cast<double>(offered_ticks_))
                         : std::nullopt;
  in.alerts = alert_log_;
  in.plugin_errors = plugin_errors_;
  const SummaryResult summary =
      write_summary(in, outcome_.run_dir / "summary.json", outcome_.exit_code, outcome_.message);
  if (outcome_.exit_code == cli::kSuccess && !summary.criteria_passed) {
    outcome_.exit_code = cli::kCriteriaFailed;
    outcome_.message = summary.criteria_message;
  }
  try {
    TickBatch batch;
    for (std::size_t i = 0; i < spans_.size(); ++i) {
      batch.vectors.push_back({static_cast<std::int64_t>(i), spans_[i].vector_id,
                               spans_[i].start_ns, spans_[i].end_ns, spans_[i].outcome,
                               spans_[i].reason});
    }
    store_->append_tick(batch);
    const RunStatus status = outcome_.exit_code == cli::kSuccess          ? RunStatus::kPassed
                             : outcome_.exit_code == cli::kCriteriaFailed ? RunStatus::kFailed
                             : outcome_.exit_code == kInterrupted         ? RunStatus::kInterrupted
                                                                          : RunStatus::kError;
    store_->finish(status, outcome_.exit_code, ended_ns);
    store_finished = true;
  } catch (const std::exception& e) {
    spdlog::error("could not finish the run store: {}", e.what());
  }
  if (!store_finished && outcome_.exit_code == cli::kSuccess) {
    outcome_.exit_code = cli::kRuntimeFailure;
  }
  return outcome_;
}

}  // namespace

RunOutcome run_plan(const TestPlan& plan, const PluginRegistry& registry,
                    const RunSettings& settings) {
  Controller controller(plan, registry, settings);
  return controller.run();
}

}  // namespace lp
