// tool "jmeter": runs an unmodified JMeter .jmx plan in a JVM embedded in the
// host process (JNI, one JVM per process, JMeter 5.6.3 from Maven Central in
// the build tree). The Java glue (java/, org.loadpilot.jmeter) loads the plan
// with SaveService and adds a rate timer the host sets at run time, thread
// control, and a sample collector this plugin drains in batches every poll.
//
// Request types: the plan's sampler and transaction controller names (or the
// config's request_types), plus a last catch-all "other" for labels only
// known at run time (names with ${...}).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <loadpilot/sdk.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "jvm.hpp"

#ifndef LOADPILOT_JMETER_HOME
#error "LOADPILOT_JMETER_HOME must name the JMeter home the build makes"
#endif

namespace {

namespace fs = std::filesystem;
using lp::jmeter::check;
using lp::jmeter::LocalFrame;
using lp::sdk::ConfigError;
using lp::sdk::Error;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kCatchAll = "other";
constexpr int kFields = 11;            // longs per sample (SampleCollector.FIELDS)
constexpr jsize kBatch = 65536;        // samples per JNI drain call
constexpr int kMaxDrainsPerPoll = 64;  // bounds one poll to 4M samples

constexpr const char* kSchema = R"json({
  "type": "object",
  "properties": {
    "base_url": {"type": "string", "pattern": "^https?://", "description": "Filled from target.base_url; its parts go to the JMeter properties named in target_properties"},
    "model": {"enum": ["open", "closed"], "description": "Filled from load.model"},
    "suite": {"type": "string", "description": "The .jmx plan; filled from the tool's suite"},
    "jmeter_home": {"type": "string", "description": "JMeter home with bin/ and lib/ (default: $LOADPILOT_JMETER_HOME, else the one the build made)"},
    "java_home": {"type": "string", "description": "JDK to embed (default: $JAVA_HOME, /usr/lib/jvm/default-java, the java on PATH)"},
    "jvm_options": {"type": "array", "items": {"type": "string"}, "default": ["-Xms256m", "-Xmx1g"], "description": "JVM options; the JVM is made once per process, by the first jmeter tool"},
    "properties": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}, "description": "JMeter properties (read by __P / __property)"},
    "target_properties": {"type": "object", "properties": {"protocol": {"type": "string"}, "host": {"type": "string"}, "port": {"type": "string"}, "path": {"type": "string"}}, "additionalProperties": false, "description": "JMeter property names that receive the parts of base_url (default: protocol, host, port; \"\" to leave one out)"},
    "request_types": {"type": "array", "items": {"type": "string"}, "description": "Sample labels reported as their own request type (default: the plan's sampler and transaction names); the rest go to \"other\""},
    "threads": {"type": "integer", "minimum": 0, "description": "Threads at the start over all thread groups (split as the plan's counts); default: the plan's"},
    "min_threads": {"type": "integer", "minimum": 0, "default": 1, "description": "Open model: fewest threads"},
    "max_threads": {"type": "integer", "minimum": 1, "default": 1000, "description": "Open model: most threads loadpilot adds to reach the rate"},
    "jtl": {"type": "string", "description": "Also write JMeter's own results file (CSV JTL) of the same run here"},
    "remote_hosts": {"type": "array", "items": {"type": "string"}, "description": "JMeter server engines (host:port, started with jmeter-server / org.apache.jmeter.JMeter -s); the plan runs on each, the rate is split between them"},
    "rmi_hostname": {"type": "string", "description": "Address the remote engines reach this host on (java.rmi.server.hostname)"},
    "log_dir": {"type": "string", "description": "Where jmeter.log goes (default: a temporary folder)"}
  },
  "additionalProperties": false
})json";

// Every jar in lib/ and lib/ext/ of a JMeter home, in a stable order, and
// JMeter's launcher jar in bin/.
std::vector<fs::path> classpath_of(const fs::path& home) {
  std::vector<fs::path> jars;
  if (fs::is_regular_file(home / "bin" / "ApacheJMeter.jar"))
    jars.push_back(home / "bin" / "ApacheJMeter.jar");
  for (const char* sub : {"lib/ext", "lib"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(home / sub, ec)) {
      if (e.path().extension() == ".jar") jars.push_back(e.path());
    }
  }
  std::sort(jars.begin(), jars.end());
  return jars;
}

// Java side handles, cached once per process.
struct Glue {
  jclass bridge, session, collector;
  jmethodID init, version, session_new, labels, plan_threads, get_collector, start, set_rate,
      set_threads, steer, active_threads, state, stop, drain, labels_from, dropped;

  static const Glue& get(JNIEnv* e) {
    static const Glue g = [e] {
      Glue x{};
      x.bridge = lp::jmeter::find_class(e, "org/loadpilot/jmeter/Bridge");
      x.session = lp::jmeter::find_class(e, "org/loadpilot/jmeter/Session");
      x.collector = lp::jmeter::find_class(e, "org/loadpilot/jmeter/SampleCollector");
      using lp::jmeter::method;
      x.init = method(e, x.bridge, "init", "(Ljava/lang/String;[Ljava/lang/String;)V", true);
      x.version = method(e, x.bridge, "version", "()Ljava/lang/String;", true);
      x.session_new =
          method(e, x.session, "<init>",
                 "(Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;)V");
      x.labels = method(e, x.session, "labels", "()[Ljava/lang/String;");
      x.plan_threads = method(e, x.session, "planThreads", "()I");
      x.get_collector =
          method(e, x.session, "collector", "()Lorg/loadpilot/jmeter/SampleCollector;");
      x.start = method(e, x.session, "start", "(DI)V");
      x.set_rate = method(e, x.session, "setRate", "(D)V");
      x.set_threads = method(e, x.session, "setThreads", "(I)V");
      x.steer = method(e, x.session, "steer", "(II)I");
      x.active_threads = method(e, x.session, "activeThreads", "()I");
      x.state = method(e, x.session, "state", "()Ljava/lang/String;");
      x.stop = method(e, x.session, "stop", "(J)V");
      x.drain = method(e, x.collector, "drain", "([J)I");
      x.labels_from = method(e, x.collector, "labelsFrom", "(I)[Ljava/lang/String;");
      x.dropped = method(e, x.collector, "dropped", "()J");
      return x;
    }();
    return g;
  }
};

std::string scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  return v.dump();
}

class JMeterTool {
 public:
  static constexpr lp_kind kind = LP_KIND_TOOL;
  static constexpr const char* type_name = "jmeter";
  static constexpr const char* description =
      "Apache JMeter 5.6 (unmodified .jmx plans) embedded through JNI, under loadpilot's control";
  static constexpr const char* config_schema = kSchema;

  static void validate(std::string_view config_json) {
    (void)Config(json::parse(config_json), false);
  }

  JMeterTool(const lp::sdk::Host& host, std::string_view config_json)
      : host_(host), cfg_(json::parse(config_json), true) {}

  ~JMeterTool() {
    // Never throws out of a destructor: a run still going is stopped at once.
    try {
      if (session_ != nullptr) {
        JNIEnv* e = lp::jmeter::env();
        if (started_ && !stopped_) {
          e->CallVoidMethod(session_, glue().stop, jlong{0});
          e->ExceptionClear();
        }
        e->DeleteGlobalRef(collector_);
        e->DeleteGlobalRef(buffer_);
        e->DeleteGlobalRef(session_);
      }
    } catch (...) {
    }
  }

  void prepare() {
    const fs::path home = cfg_.jmeter_home;
    if (!fs::is_regular_file(home / "bin" / "jmeter.properties") ||
        !fs::is_directory(home / "lib" / "ext")) {
      throw Error("no JMeter at " + home.string() +
                  " (bin/jmeter.properties, lib/ext); run scripts/setup and build the "
                  "jmeter_glue target");
    }
    lp::jmeter::JvmOptions jo;
    jo.java_home = cfg_.java_home;
    jo.classpath = classpath_of(home);
    jo.options = cfg_.jvm_options;
    jo.options.push_back("-Djmeter.home=" + home.string());
    jo.options.push_back("-Dlog4j.configurationFile=" + (home / "bin" / "log4j2.xml").string());
    jo.options.push_back("-Djmeter.logfile=" + log_file().string());
    if (!cfg_.rmi_hostname.empty()) {
      jo.options.push_back("-Djava.rmi.server.hostname=" + cfg_.rmi_hostname);
    }
    lp::jmeter::ensure_jvm(jo);
    JNIEnv* e = lp::jmeter::env();
    LocalFrame frame(e);
    const Glue& g = glue();

    std::vector<std::string> props;
    for (const auto& [k, v] : target_properties()) props.push_back(k + "=" + v);
    for (const auto& [k, v] : cfg_.properties) props.push_back(k + "=" + v);
    e->CallStaticVoidMethod(g.bridge, g.init, e->NewStringUTF(home.c_str()),
                            lp::jmeter::to_java(e, props));
    check(e, "JMeter could not be set up from " + home.string());
    const std::string version = lp::jmeter::to_string(
        e, static_cast<jstring>(e->CallStaticObjectMethod(g.bridge, g.version)));
    check(e, "JMeter version");

    jobject s = e->NewObject(g.session, g.session_new, e->NewStringUTF(cfg_.suite.c_str()),
                             lp::jmeter::to_java(e, props), e->NewStringUTF(cfg_.jtl.c_str()),
                             lp::jmeter::to_java(e, cfg_.remote_hosts));
    check(e, "JMeter could not load the plan " + cfg_.suite.string());
    session_ = e->NewGlobalRef(s);
    collector_ = e->NewGlobalRef(e->CallObjectMethod(session_, g.get_collector));
    buffer_ = static_cast<jlongArray>(e->NewGlobalRef(e->NewLongArray(kBatch * kFields)));
    check(e, "JVM out of memory");
    plan_threads_ = e->CallIntMethod(session_, g.plan_threads);
    check(e, "JMeter plan");

    const auto labels = lp::jmeter::to_strings(
        e, static_cast<jobjectArray>(e->CallObjectMethod(session_, g.labels)));
    check(e, "JMeter plan labels");
    types_ = cfg_.request_types.empty() ? labels : cfg_.request_types;
    types_.erase(std::remove(types_.begin(), types_.end(), std::string(kCatchAll)), types_.end());
    for (std::size_t i = 0; i < types_.size(); ++i)
      type_of_[types_[i]] = static_cast<std::uint32_t>(i);
    types_.push_back(kCatchAll);
    host_.info("JMeter " + version + " loaded " + cfg_.suite.string() + " (" +
               std::to_string(labels.size()) + " samplers/transactions, " +
               std::to_string(plan_threads_) + " threads in the plan" +
               (cfg_.remote_hosts.empty()
                    ? std::string()
                    : ", " + std::to_string(cfg_.remote_hosts.size()) + " remote engines") +
               "); jmeter.log: " + log_file().string());
  }

  std::vector<std::string> request_types() { return types_; }

  void start(const lp_tool_target& t) {
    reject_mix(t);
    if (!cfg_.closed && t.rate_per_s >= 0) rate_ = t.rate_per_s;
    if (t.concurrency >= 0) min_threads_ = static_cast<int>(t.concurrency);
    int threads = cfg_.threads >= 0 ? cfg_.threads : plan_threads_;
    if (cfg_.closed && t.concurrency >= 0) threads = static_cast<int>(t.concurrency);
    if (!cfg_.closed) threads = std::clamp(threads, std::max(min_threads_, 1), cfg_.max_threads);
    if (!cfg_.remote_hosts.empty()) threads = -1;  // remote engines run the plan's counts
    JNIEnv* e = lp::jmeter::env();
    e->CallVoidMethod(session_, glue().start, rate_.value_or(-1.0), static_cast<jint>(threads));
    check(e, "JMeter could not start the plan " + cfg_.suite.string());
    started_ = true;
  }

  void set_target(const lp_tool_target& t) {
    reject_mix(t);
    JNIEnv* e = lp::jmeter::env();
    if (!cfg_.closed && t.rate_per_s >= 0) {
      rate_ = t.rate_per_s;
      e->CallVoidMethod(session_, glue().set_rate, *rate_);
      check(e, "JMeter: setting the rate");
    }
    if (t.concurrency >= 0) {
      if (!cfg_.remote_hosts.empty()) {
        throw Error("the jmeter tool cannot change thread counts on remote engines",
                    LP_ERR_UNSUPPORTED);
      }
      if (cfg_.closed) {
        e->CallVoidMethod(session_, glue().set_threads, static_cast<jint>(t.concurrency));
        check(e, "JMeter: setting the threads");
      } else {
        min_threads_ = static_cast<int>(t.concurrency);
      }
    }
  }

  lp::sdk::ToolStatus poll(std::vector<lp_sample>& out) {
    JNIEnv* e = lp::jmeter::env();
    LocalFrame frame(e);
    const Glue& g = glue();
    drain(e, out);
    lp::sdk::ToolStatus st;
    st.offered_rate_per_s = rate_.value_or(0.0);
    // Open model: more threads when the rate timer finds none waiting.
    if (!cfg_.closed && rate_ && cfg_.remote_hosts.empty() && !stopped_) {
      e->CallIntMethod(session_, g.steer, static_cast<jint>(std::max(min_threads_, 1)),
                       static_cast<jint>(cfg_.max_threads));
      check(e, "JMeter: adding threads");
    }
    st.active_users = e->CallIntMethod(session_, g.active_threads);
    check(e, "JMeter: thread count");
    auto state = static_cast<jstring>(e->CallObjectMethod(session_, g.state));
    check(e, "JMeter: state");
    if (state != nullptr && !stopped_) {
      drain(e, out);  // what the last samples left
      const std::string why = lp::jmeter::to_string(e, state);
      if (why.empty()) {
        st.state = LP_TOOL_FINISHED;
        st.message = "the JMeter plan ran to its end";
      } else {
        st.state = LP_TOOL_FAILED;
        st.message = "JMeter failed: " + why + " (see " + log_file().string() + ")";
      }
    }
    return st;
  }

  void stop(std::int64_t grace_ns) {
    if (!started_ || stopped_) return;
    JNIEnv* e = lp::jmeter::env();
    e->CallVoidMethod(session_, glue().stop,
                      static_cast<jlong>(std::max<std::int64_t>(grace_ns, 0) / 1'000'000));
    stopped_ = true;
    check(e, "JMeter: stopping");
  }

 private:
  struct Config {
    Config(const json& c, bool complete) {
      base_url = c.value("base_url", "");
      closed = c.value("model", "open") == "closed";
      suite = c.value("suite", "");
      if (complete && suite.empty()) throw ConfigError("suite is required: the .jmx plan to run");
      if (!suite.empty()) {
        std::error_code ec;
        suite = fs::absolute(suite, ec);
        if (!fs::is_regular_file(suite))
          throw ConfigError("suite " + suite.string() + ": no such .jmx file");
      }
      std::string home = c.value("jmeter_home", "");
      if (home.empty()) {
        const char* h = std::getenv("LOADPILOT_JMETER_HOME");
        home = h != nullptr && *h != '\0' ? h : LOADPILOT_JMETER_HOME;
      }
      jmeter_home = fs::absolute(home);
      java_home = c.value("java_home", "");
      jvm_options = c.value("jvm_options", std::vector<std::string>{"-Xms256m", "-Xmx1g"});
      const json props = c.value("properties", json::object());
      for (const auto& [k, v] : props.items()) {
        if (k.empty() || k.find('=') != std::string::npos) {
          throw ConfigError("properties: invalid JMeter property name \"" + k + "\"");
        }
        properties[k] = scalar_text(v);
      }
      target_properties = {
          {"protocol", "protocol"}, {"host", "host"}, {"port", "port"}, {"path", ""}};
      const json names = c.value("target_properties", json::object());
      for (const auto& [k, v] : names.items()) {
        if (!target_properties.count(k)) {
          throw ConfigError("target_properties: " + k +
                            " is not one of protocol, host, port, path");
        }
        target_properties[k] = v.get<std::string>();
      }
      request_types = c.value("request_types", std::vector<std::string>{});
      threads = c.value("threads", -1);
      min_threads = c.value("min_threads", 1);
      max_threads = c.value("max_threads", 1000);
      if (max_threads < 1) throw ConfigError("max_threads: at least 1");
      jtl = c.value("jtl", "");
      if (!jtl.empty()) jtl = fs::absolute(jtl).string();
      remote_hosts = c.value("remote_hosts", std::vector<std::string>{});
      rmi_hostname = c.value("rmi_hostname", "");
      log_dir = c.value("log_dir", "");
    }
    std::string base_url;
    bool closed = false;
    fs::path suite;
    fs::path jmeter_home;
    std::string java_home;
    std::vector<std::string> jvm_options;
    std::map<std::string, std::string> properties;
    std::map<std::string, std::string> target_properties;
    std::vector<std::string> request_types;
    int threads = -1;
    int min_threads = 1;
    int max_threads = 1000;
    std::string jtl;
    std::vector<std::string> remote_hosts;
    std::string rmi_hostname;
    std::string log_dir;
  };

  static const Glue& glue() { return Glue::get(lp::jmeter::env()); }

  static void reject_mix(const lp_tool_target& t) {
    if (t.mix != nullptr) {
      throw Error("the jmeter tool has no request mix: the plan's controllers decide it",
                  LP_ERR_UNSUPPORTED);
    }
  }

  fs::path log_file() {
    if (log_path_.empty()) {
      fs::path dir = cfg_.log_dir;
      if (dir.empty())
        dir = fs::temp_directory_path() / ("loadpilot-jmeter-" + std::to_string(::getpid()));
      fs::create_directories(dir);
      log_path_ = fs::absolute(dir / "jmeter.log");
    }
    return log_path_;
  }

  // base_url's parts under the JMeter property names the plan reads.
  std::map<std::string, std::string> target_properties() const {
    std::map<std::string, std::string> out;
    if (cfg_.base_url.empty()) return out;
    const std::string& u = cfg_.base_url;
    const std::size_t scheme_end = u.find("://");
    const std::string protocol = u.substr(0, scheme_end);
    const std::size_t host_start = scheme_end + 3;
    const std::size_t path_start = std::min(u.find('/', host_start), u.size());
    std::string authority = u.substr(host_start, path_start - host_start);
    std::string host = authority, port = protocol == "https" ? "443" : "80";
    if (const std::size_t colon = authority.rfind(':');
        colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    const std::map<std::string, std::string> parts{
        {"protocol", protocol}, {"host", host}, {"port", port}, {"path", u.substr(path_start)}};
    for (const auto& [part, name] : cfg_.target_properties) {
      if (!name.empty()) out[name] = parts.at(part);
    }
    out["loadpilot.base_url"] = u;
    return out;
  }

  void drain(JNIEnv* e, std::vector<lp_sample>& out) {
    const Glue& g = glue();
    std::vector<jlong> buf(static_cast<std::size_t>(kBatch) * kFields);
    for (int round = 0; round < kMaxDrainsPerPoll; ++round) {
      const jint n = e->CallIntMethod(collector_, g.drain, buffer_);
      check(e, "JMeter: reading samples");
      if (n <= 0) break;
      e->GetLongArrayRegion(buffer_, 0, n * kFields, buf.data());
      check(e, "JMeter: reading samples");
      for (jint i = 0; i < n; ++i)
        out.push_back(convert(e, buf.data() + static_cast<std::size_t>(i) * kFields));
      if (n < kBatch) break;
    }
    const jlong dropped = e->CallLongMethod(collector_, g.dropped);
    check(e, "JMeter: dropped samples");
    if (dropped > dropped_) {
      host_.warn("JMeter: " + std::to_string(dropped - dropped_) +
                 " samples dropped (the host polled too slowly to keep up)");
      dropped_ = dropped;
    }
  }

  lp_sample convert(JNIEnv* e, const jlong* f) {
    lp_sample s{};
    s.start_ns = f[0] * 1'000'000;
    s.intended_ns = s.start_ns;  // JMeter has no schedule per sample
    s.service_ns = f[1] * 1'000'000;
    s.latency_ns = s.service_ns;
    s.bytes_received = static_cast<std::uint64_t>(std::max<jlong>(f[4], 0));
    static constexpr lp_outcome kOutcome[] = {LP_OUTCOME_OK, LP_OUTCOME_HTTP_ERROR,
                                              LP_OUTCOME_TIMEOUT, LP_OUTCOME_CONNECT_ERROR,
                                              LP_OUTCOME_OTHER_ERROR};
    s.outcome = kOutcome[std::clamp<jlong>(f[5], 0, 4)];
    s.status_code = static_cast<std::int32_t>(f[6]);
    s.request_type = type_for_label(e, f[7]);
    s.generator = static_cast<std::uint32_t>(f[9]);  // remote engine 1.., 0 local
    return s;
  }

  std::uint32_t type_for_label(JNIEnv* e, jlong index) {
    if (index >= static_cast<jlong>(label_types_.size())) {
      auto more = lp::jmeter::to_strings(
          e, static_cast<jobjectArray>(e->CallObjectMethod(
                 collector_, glue().labels_from, static_cast<jint>(label_types_.size()))));
      check(e, "JMeter: labels");
      for (const auto& l : more) {
        const auto it = type_of_.find(l);
        label_types_.push_back(
            it != type_of_.end() ? it->second : static_cast<std::uint32_t>(types_.size() - 1));
      }
    }
    return index < static_cast<jlong>(label_types_.size())
               ? label_types_[static_cast<std::size_t>(index)]
               : static_cast<std::uint32_t>(types_.size() - 1);
  }

  lp::sdk::Host host_;
  Config cfg_;
  fs::path log_path_;
  jobject session_ = nullptr;
  jobject collector_ = nullptr;
  jlongArray buffer_ = nullptr;
  int plan_threads_ = 0;
  std::vector<std::string> types_;
  std::map<std::string, std::uint32_t> type_of_;
  std::vector<std::uint32_t> label_types_;  // collector label index -> request type
  std::optional<double> rate_;
  int min_threads_ = cfg_.min_threads;
  jlong dropped_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace

LOADPILOT_PLUGIN("jmeter", "0.1.0", "Apache JMeter adapter (embedded JVM through JNI)", JMeterTool)
