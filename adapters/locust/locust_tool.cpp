// tool "locust": runs an unmodified locustfile in Locust subprocesses (one
// standalone process, or a master and workers, local or on other hosts such as
// network namespaces) with loadpilot's shim as a second locustfile. The shim
// streams every request to this plugin over a socket (127.0.0.1, or the `bind`
// address the workers reach this host on) and follows the targets: users (closed model) or an
// offered request rate (open model; the shim paces tasks and steers users).
//
// Request types: the host fixes them at prepare(), but Locust names requests
// only as they are sent. So the types are the names listed in the config's
// `request_types` ("GET /api/items", as Locust prints them) plus a last,
// catch-all type "other" for every name not listed. At stop the plugin logs
// the requests per Locust name, so a plan can list the ones it wants apart.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <loadpilot/sdk.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "locate_locust.hpp"
#include "locust_process.hpp"
#include "shim_server.hpp"

namespace lp::locust {
extern const char* const kShimSource;  // shim/loadpilot_shim.py, embedded at build time
}

namespace {

namespace fs = std::filesystem;
using lp::locust::LocustProcess;
using lp::locust::ShimPeer;
using lp::locust::ShimServer;
using lp::sdk::ConfigError;
using lp::sdk::Error;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kCatchAll = "other";
constexpr const char* kShimFile = "loadpilot_shim.py";

constexpr const char* kSchema = R"json({
  "type": "object",
  "properties": {
    "base_url": {"type": "string", "pattern": "^https?://", "description": "Locust's --host; the host fills it from target.base_url"},
    "model": {"enum": ["open", "closed"], "description": "Filled from load.model"},
    "suite": {"type": "string", "description": "The locustfile; filled from the tool's suite"},
    "locust": {"type": "string", "description": "Locust executable or virtualenv (default: $LOADPILOT_VENV, else the repository's .venv)"},
    "request_types": {"type": "array", "items": {"type": "string"}, "description": "Locust names (\"GET /path\" or \"GET name\") reported as their own request type; the rest go to \"other\""},
    "users": {"type": "integer", "minimum": 0, "description": "Open model: fewest users; closed model: users until the host sets them"},
    "max_users": {"type": "integer", "minimum": 1, "default": 1000, "description": "Open model: most users the shim may start"},
    "spawn_rate": {"type": "number", "exclusiveMinimum": 0, "default": 100, "description": "Users started per second"},
    "workers": {"type": "integer", "minimum": 0, "maximum": 64, "default": 0, "description": "0: one Locust process; N: a master and N local worker processes"},
    "worker_hosts": {"type": "array", "maxItems": 64, "description": "One more worker per entry, started on that host: a network namespace (ip netns exec) or a command prefix (e.g. [ssh, gen-1])",
      "items": {"type": "object", "properties": {
        "netns": {"type": "string", "minLength": 1},
        "prefix": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
        "additionalProperties": false, "minProperties": 1, "maxProperties": 1}},
    "bind": {"type": "string", "default": "127.0.0.1", "description": "IP address the master and the sample socket listen on; worker_hosts must reach this host there"},
    "on_worker_loss": {"enum": ["stop", "continue"], "default": "stop", "description": "A worker that dies mid-run fails the run (stop) or is reported and its share moved to the others (continue)"},
    "user_classes": {"type": "array", "items": {"type": "string"}, "description": "Run only these User classes"},
    "env": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Environment variables for the Locust processes"},
    "args": {"type": "array", "items": {"type": "string"}, "description": "Further Locust command-line arguments"},
    "csv": {"type": "string", "description": "Locust's own --csv prefix (its totals, to compare)"},
    "log_dir": {"type": "string", "description": "Keep Locust's logs here; loadpilot run sets runs/<id>/tools/<tool id> (else a temporary folder removed at the end)"},
    "start_timeout_s": {"type": "number", "exclusiveMinimum": 0, "default": 60}
  },
  "additionalProperties": false
})json";

// A number from a peer's last status report (null until the first arrives).
std::int64_t status_int(const ShimPeer& p, const char* key, std::int64_t fallback) {
  if (!p.status.is_object()) return fallback;
  const auto it = p.status.find(key);
  return it != p.status.end() && it->is_number() ? it->get<std::int64_t>() : fallback;
}

std::string random_token() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string t;
  for (int i = 0; i < 32; ++i) t += kHex[rd() % 16];
  return t;
}

class LocustTool {
 public:
  static constexpr lp_kind kind = LP_KIND_TOOL;
  static constexpr const char* type_name = "locust";
  static constexpr const char* description =
      "Locust (unmodified locustfiles) under loadpilot's control, standalone or master + workers";
  static constexpr const char* config_schema = kSchema;

  // The plan's own config, before the host adds base_url and suite.
  static void validate(std::string_view config_json) {
    (void)Config(json::parse(config_json), false);
  }

  LocustTool(const lp::sdk::Host& host, std::string_view config_json)
      : host_(host), cfg_(json::parse(config_json), true) {
    for (const auto& t : cfg_.request_types) types_.push_back(t);
    types_.push_back(kCatchAll);
  }

  ~LocustTool() {
    for (auto& w : workers_) w.reset();
    master_.reset();
    server_.reset();
    if (remove_dir_) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  void prepare() {
    const fs::path locust = lp::locust::locate_locust(cfg_.locust);
    make_dir();
    const fs::path shim = dir_ / kShimFile;
    {
      std::ofstream out(shim);
      out << lp::locust::kShimSource;
      if (!out) throw Error("cannot write " + shim.string());
    }
    try {
      server_ = std::make_unique<ShimServer>(types_, token_, cfg_.bind);
    } catch (const std::exception& e) {
      throw Error("cannot listen on bind address " + cfg_.bind + ": " + e.what());
    }

    std::vector<std::string> common{"-f", cfg_.suite.string() + "," + shim.string()};
    common.insert(common.end(), cfg_.user_classes.begin(), cfg_.user_classes.end());
    std::map<std::string, std::string> env = cfg_.env;
    env["LOADPILOT_SHIM_ADDR"] = cfg_.bind + ":" + std::to_string(server_->port());
    env["LOADPILOT_SHIM_TOKEN"] = token_;
    env["PYTHONUNBUFFERED"] = "1";

    std::vector<std::string> args = common;
    for (const char* a : {"--headless", "--only-summary", "-u", "0", "-r", "1", "--host"}) {
      args.emplace_back(a);
    }
    args.push_back(cfg_.base_url);
    if (!cfg_.csv.empty()) args.insert(args.end(), {"--csv", cfg_.csv});
    std::uint16_t master_port = 0;
    const int workers = cfg_.total_workers();
    if (workers > 0) {
      master_port = lp::locust::free_local_port(cfg_.bind);
      args.insert(args.end(),
                  {"--master", "--master-bind-host", cfg_.bind, "--master-bind-port",
                   std::to_string(master_port), "--expect-workers", std::to_string(workers)});
    }
    args.insert(args.end(), cfg_.args.begin(), cfg_.args.end());
    master_ = std::make_unique<LocustProcess>(
        LocustProcess::Options{locust, args, env, cfg_.suite.parent_path(), dir_ / "locust.log"});
    for (int i = 0; i < workers; ++i) {
      std::vector<std::string> wargs = common;
      wargs.insert(wargs.end(), {"--worker", "--master-host", cfg_.bind, "--master-port",
                                 std::to_string(master_port)});
      wargs.insert(wargs.end(), cfg_.args.begin(), cfg_.args.end());
      auto wenv = env;
      wenv["LOADPILOT_WORKER_INDEX"] = std::to_string(i);
      const fs::path log = dir_ / ("worker-" + std::to_string(i) + ".log");
      if (i < cfg_.workers) {
        workers_.push_back(std::make_unique<LocustProcess>(
            LocustProcess::Options{locust, wargs, wenv, cfg_.suite.parent_path(), log}));
      } else {
        workers_.push_back(
            start_on_host(cfg_.worker_hosts[static_cast<std::size_t>(i - cfg_.workers)], locust,
                          wargs, wenv, log));
      }
    }
    wait_ready();
    host_.info("Locust " + std::string(workers > 0 ? "master + " : "") +
               (workers > 0 ? std::to_string(workers) + " workers" : "process") + " ready (" +
               locust.string() + "); logs in " + dir_.string());
  }

  std::vector<std::string> request_types() { return types_; }

  void start(const lp_tool_target& t) { apply(t); }
  void set_target(const lp_tool_target& t) { apply(t); }

  lp::sdk::ToolStatus poll(std::vector<lp_sample>& out) {
    server_->drain(out);
    lp::sdk::ToolStatus st;
    const auto peers = server_->peers();
    for (const auto& p : peers) {
      if (p.role != "worker") st.active_users = status_int(p, "users", 0);
    }
    st.offered_rate_per_s = rate_.value_or(0.0);
    if (!stopping_) {
      if (auto failure = check(peers)) {
        st.state = LP_TOOL_FAILED;
        st.message = *failure;
      } else if (cfg_.total_workers() > 0 && rate_) {
        steer_distributed(peers);
      }
    }
    return st;
  }

  void stop(std::int64_t grace_ns) {
    if (!master_) return;
    stopping_ = true;
    const auto deadline =
        Clock::now() + std::chrono::nanoseconds(std::max<std::int64_t>(grace_ns, 0));
    for (const auto& p : server_->peers()) server_->send(p.id, json{{"stop", true}});
    // Everything the shims still hold arrives before their bye.
    for (int i = 0; i < 10000 && Clock::now() < deadline; ++i) {
      const auto peers = server_->peers();
      if (std::all_of(peers.begin(), peers.end(),
                      [](const ShimPeer& p) { return p.said_bye || p.closed; })) {
        break;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    // Locust writes its CSV every second and not again at exit: let it write
    // the final totals (no request is sent any more) before it is stopped.
    if (!cfg_.csv.empty()) {
      std::this_thread::sleep_until(std::min(deadline, Clock::now() + milliseconds(1200)));
    }
    const auto left = [&] {
      return std::max(milliseconds(500),
                      std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
    };
    master_->stop(left());
    for (auto& w : workers_) w->stop(left());
    report_peers();
    report_names();
  }

 private:
  // Where a worker runs when it is not a local process.
  struct WorkerHost {
    std::string netns;                // ip netns exec NETNS ...
    std::vector<std::string> prefix;  // or any command prefix (ssh HOST ...)
  };

  // A worker started through its host's prefix. The environment goes on the
  // command line through env(1), since a prefix like ssh does not pass it on.
  std::unique_ptr<LocustProcess> start_on_host(const WorkerHost& h, const fs::path& locust,
                                               const std::vector<std::string>& args,
                                               const std::map<std::string, std::string>& env,
                                               const fs::path& log) {
    std::vector<std::string> prefix = h.prefix;
    if (!h.netns.empty()) prefix = {"ip", "netns", "exec", h.netns};
    fs::path exe = prefix.front();
    if (!exe.has_parent_path()) {
      exe = lp::locust::find_in_path(prefix.front());
      if (exe.empty()) throw Error("worker_hosts: " + prefix.front() + " is not on PATH");
    }
    std::vector<std::string> full(prefix.begin() + 1, prefix.end());
    full.emplace_back("env");
    for (const auto& [k, v] : env) full.push_back(k + "=" + v);
    full.push_back(locust.string());
    full.insert(full.end(), args.begin(), args.end());
    return std::make_unique<LocustProcess>(
        LocustProcess::Options{exe, full, {}, cfg_.suite.parent_path(), log});
  }

  struct Config {
    // complete: the host has added what it knows (base_url, model, suite).
    Config(const json& c, bool complete) {
      base_url = c.value("base_url", "");
      if (complete && base_url.empty()) {
        throw ConfigError("base_url is required (the plan's target.base_url)");
      }
      closed = c.value("model", "open") == "closed";
      suite = c.value("suite", "");
      if (suite.empty() && complete) throw ConfigError("suite is required: the locustfile to run");
      std::error_code ec;
      if (!suite.empty()) suite = fs::absolute(suite, ec);
      if (!suite.empty() && !fs::is_regular_file(suite)) {
        throw ConfigError("suite " + suite.string() + ": no such locustfile");
      }
      if (suite.string().find(',') != std::string::npos) {
        throw ConfigError("suite " + suite.string() +
                          ": Locust takes comma-separated locustfiles, so the path may not "
                          "contain a comma");
      }
      locust = c.value("locust", "");
      request_types = c.value("request_types", std::vector<std::string>{});
      for (const auto& t : request_types) {
        if (t == kCatchAll) throw ConfigError("request_types: \"other\" is the catch-all type");
      }
      users = c.value("users", std::int64_t{-1});
      max_users = c.value("max_users", std::int64_t{1000});
      spawn_rate = c.value("spawn_rate", 100.0);
      workers = c.value("workers", 0);
      if (workers < 0 || workers > 64) throw ConfigError("workers: between 0 and 64");
      bind = c.value("bind", "127.0.0.1");
      for (const auto& h : c.value("worker_hosts", json::array())) {
        WorkerHost w;
        w.netns = h.value("netns", "");
        w.prefix = h.value("prefix", std::vector<std::string>{});
        if (w.netns.empty() == w.prefix.empty()) {
          throw ConfigError("worker_hosts: each entry needs either \"netns\" or \"prefix\"");
        }
        worker_hosts.push_back(std::move(w));
      }
      if (total_workers() > 64) throw ConfigError("workers + worker_hosts: at most 64 workers");
      if (!worker_hosts.empty() && bind.rfind("127.", 0) == 0) {
        throw ConfigError("worker_hosts: workers on other hosts cannot reach the master on " +
                          bind + "; set bind to this host's address on their network");
      }
      stop_on_worker_loss = c.value("on_worker_loss", "stop") != "continue";
      user_classes = c.value("user_classes", std::vector<std::string>{});
      env = c.value("env", std::map<std::string, std::string>{});
      args = c.value("args", std::vector<std::string>{});
      csv = c.value("csv", "");
      log_dir = c.value("log_dir", "");
      start_timeout = milliseconds(std::llround(1000 * c.value("start_timeout_s", 60.0)));
    }
    std::string base_url;
    bool closed = false;
    fs::path suite;
    std::string locust;
    std::vector<std::string> request_types;
    std::int64_t users = -1;
    std::int64_t max_users = 1000;
    double spawn_rate = 100;
    int workers = 0;  // local worker processes
    std::vector<WorkerHost> worker_hosts;
    std::string bind = "127.0.0.1";
    bool stop_on_worker_loss = true;
    int total_workers() const { return workers + static_cast<int>(worker_hosts.size()); }
    std::vector<std::string> user_classes;
    std::map<std::string, std::string> env;
    std::vector<std::string> args;
    std::string csv;
    std::string log_dir;
    milliseconds start_timeout{60000};
  };

  void make_dir() {
    if (!cfg_.log_dir.empty()) {
      dir_ = fs::absolute(cfg_.log_dir);
      fs::create_directories(dir_);
      return;
    }
    std::string tmpl = (fs::temp_directory_path() / "loadpilot-locust-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw Error("cannot make a temporary folder");
    dir_ = tmpl;
    remove_dir_ = true;
  }

  // Until every process has said hello (and the master sees its workers), or
  // one of them exits: then Locust's own message is the error.
  void wait_ready() {
    const auto deadline = Clock::now() + cfg_.start_timeout;
    const std::size_t want = 1 + static_cast<std::size_t>(cfg_.total_workers());
    for (int i = 0; i < 1000000 && Clock::now() < deadline; ++i) {
      const auto peers = server_->peers();
      std::size_t ready = 0;
      for (const auto& p : peers) ready += p.closed ? 0 : 1;
      const bool master_sees_all =
          cfg_.total_workers() == 0 ||
          std::any_of(peers.begin(), peers.end(), [&](const ShimPeer& p) {
            return p.role == "master" && status_int(p, "workers", 0) >= cfg_.total_workers();
          });
      if (ready >= want && master_sees_all) return;
      if (const auto status = master_->exited()) throw start_failure(*master_, *status);
      for (auto& w : workers_) {
        if (const auto status = w->exited()) throw start_failure(*w, *status);
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    throw Error("Locust did not become ready within " +
                std::to_string(cfg_.start_timeout.count() / 1000) + " s; its log (" +
                master_->log_file().string() + ") ends:\n" + master_->failure_text(""));
  }

  Error start_failure(LocustProcess& p, int status) {
    return Error("Locust could not run the locustfile " + cfg_.suite.string() + " (exit status " +
                 std::to_string(status) + "):\n" + p.failure_text(cfg_.suite.string()));
  }

  void apply(const lp_tool_target& t) {
    if (t.mix != nullptr) {
      throw Error("the locust tool has no request mix: the locustfile's task weights decide it",
                  LP_ERR_UNSUPPORTED);
    }
    json c;
    if (t.spawn_rate_per_s > 0) spawn_rate_ = t.spawn_rate_per_s;
    c["spawn_rate"] = spawn_rate_;
    if (cfg_.closed) {
      c["rate"] = nullptr;  // Locust's own pacing (wait_time)
      c["auto_users"] = false;
      if (t.concurrency >= 0)
        c["users"] = t.concurrency;
      else if (!started_ && cfg_.users >= 0)
        c["users"] = cfg_.users;
    } else {
      if (t.rate_per_s >= 0) rate_ = t.rate_per_s;
      if (t.concurrency >= 0) min_users_ = t.concurrency;
    }
    started_ = true;
    send_targets(c);
  }

  // Closed model: users to the master (or the one process). Open model: the
  // rate, split over the live workers; users follow from what they need.
  void send_targets(json c) {
    const auto peers = server_->peers();
    std::vector<const ShimPeer*> workers;
    for (const auto& p : peers) {
      if (p.role == "worker" && !p.closed) workers.push_back(&p);
    }
    for (const auto& p : peers) {
      if (p.closed) continue;
      json m = c;
      if (!cfg_.closed && rate_) {
        if (p.role == "local") {
          m["rate"] = *rate_;
          m["auto_users"] = true;
          m["min_users"] = min_users_;
          m["max_users"] = cfg_.max_users;
        } else if (p.role == "worker") {
          m["rate"] = workers.empty() ? 0.0 : *rate_ / static_cast<double>(workers.size());
        } else {  // master: users from the workers' needs
          m["users"] = distributed_users(peers);
          sent_users_ = m["users"].get<std::int64_t>();
        }
      }
      server_->send(p.id, m);
    }
  }

  // Users the workers need for their share of the rate (each reports its own need).
  std::int64_t distributed_users(const std::vector<ShimPeer>& peers) const {
    std::int64_t need = 0;
    for (const auto& p : peers) {
      if (p.role == "worker" && !p.closed) need += status_int(p, "need", 2);
    }
    return std::clamp<std::int64_t>(need, std::max<std::int64_t>(min_users_, 1), cfg_.max_users);
  }

  void steer_distributed(const std::vector<ShimPeer>& peers) {
    const std::int64_t users = distributed_users(peers);
    if (users == sent_users_) return;
    for (const auto& p : peers) {
      if (p.role == "master" && !p.closed) server_->send(p.id, json{{"users", users}});
    }
    sent_users_ = users;
  }

  // A failure that ends the run, or nullopt. Lost workers under
  // on_worker_loss: continue are reported once and their share moves on.
  std::optional<std::string> check(const std::vector<ShimPeer>& peers) {
    if (const auto status = master_->exited()) {
      return "Locust" + std::string(cfg_.total_workers() > 0 ? " master" : "") + " (pid " +
             std::to_string(master_->pid()) + ") exited with status " + std::to_string(*status) +
             " during the run; its log ends:\n" + master_->failure_text("", 8);
    }
    for (const auto& p : peers) {
      if (p.role != "worker" && p.closed && !p.said_bye) {
        return "Locust (pid " + std::to_string(p.pid) + ") closed its connection to loadpilot";
      }
    }
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      if (lost_[i]) continue;
      const auto status = workers_[i]->exited();
      const bool gone = status || std::any_of(peers.begin(), peers.end(), [&](const ShimPeer& p) {
                          return p.generator == i + 1 && p.closed && !p.said_bye;
                        });
      if (!gone) continue;
      lost_[i] = true;
      const std::string what =
          "Locust worker " + std::to_string(i) + " (pid " + std::to_string(workers_[i]->pid()) +
          ") " +
          (status ? "exited with status " + std::to_string(*status) : "lost its connection") +
          " during the run";
      if (cfg_.stop_on_worker_loss) return what + " (on_worker_loss: stop)";
      // Reported, not logged: the host logs it and keeps it with the run.
      host_.report_error(what + "; going on with the others (on_worker_loss: continue)");
      host_.emit_metric("locust_workers_lost", 1.0, host_.wall_ns());
      if (rate_) send_targets(json::object());  // the others take its share
    }
    return std::nullopt;
  }

  // Samples per Locust process and where it ran, so a distributed run shows
  // every worker (and host) took part.
  void report_peers() {
    for (const auto& p : server_->peers()) {
      if (p.role == "master") continue;
      host_.info("Locust " + p.role +
                 (p.generator > 0 ? " " + std::to_string(p.generator - 1) : "") + " (pid " +
                 std::to_string(p.pid) + ", from " +
                 (p.address.empty() ? std::string("?") : p.address) +
                 "): " + std::to_string(p.samples) + " samples");
    }
  }

  void report_names() {
    const auto counts = server_->name_counts();
    std::string line;
    std::size_t shown = 0;
    for (const auto& [name, n] : counts) {
      if (++shown > 50) {
        line += ", ...";
        break;
      }
      line += (line.empty() ? "" : ", ") + name + ": " + std::to_string(n);
    }
    host_.info("requests by Locust name (list names under request_types to report them apart): " +
               (line.empty() ? std::string("none") : line));
  }

  lp::sdk::Host host_;
  Config cfg_;
  std::vector<std::string> types_;
  std::string token_ = random_token();
  fs::path dir_;
  bool remove_dir_ = false;
  std::unique_ptr<ShimServer> server_;
  std::unique_ptr<LocustProcess> master_;  // the standalone process, or the master
  std::vector<std::unique_ptr<LocustProcess>> workers_;
  std::vector<bool> lost_ = std::vector<bool>(64, false);
  std::optional<double> rate_;
  std::int64_t min_users_ = cfg_.users > 0 ? cfg_.users : 1;
  std::int64_t sent_users_ = -1;
  double spawn_rate_ = cfg_.spawn_rate;
  bool started_ = false;
  bool stopping_ = false;
};

}  // namespace

LOADPILOT_PLUGIN("locust", "0.1.0", "Locust load tool adapter", LocustTool)
