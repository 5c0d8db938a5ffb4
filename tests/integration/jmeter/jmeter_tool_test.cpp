// The "jmeter" tool plugin driven through the host's own plugin loading,
// with real JMeter 5.6.3 embedded in this process against the real demo
// target. No skips: without JMeter in the build (scripts/setup not run)
// these tests fail. Each test is its own process (gtest_discover_tests), so
// each gets its own JVM.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "demo_target_process.hpp"
#include "loadpilot/host/plugin/component.hpp"
#include "loadpilot/host/plugin/plugin_registry.hpp"

namespace lp {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using std::chrono::milliseconds;

const fs::path kSuites = fs::path(LOADPILOT_SOURCE_DIR) / "samples" / "suites";
const fs::path kFixtures = LOADPILOT_TEST_FIXTURES;
const fs::path kHome = LOADPILOT_JMETER_HOME;

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const PluginRegistry& registry() {
  static PluginRegistry* r = [] {
    auto* reg = new PluginRegistry();
    reg->load_library(fs::path(LOADPILOT_PLUGIN_BUILD_DIR) / "tool_jmeter.so");
    return reg;
  }();
  return *r;
}

// Capacity 8000 req/s, far above what these tests send.
const test::DemoTarget& target() {
  static const test::DemoTarget t = test::start_demo_target(
      {"--workers", "16", "--service-time-ms", "2", "--queue", "256", "--max-runtime", "30m"});
  return t;
}

class JMeterToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::is_regular_file(kHome / "lib" / "ext" / "loadpilot-jmeter-glue.jar"))
        << "no JMeter in " << kHome << ": run scripts/setup, then build the jmeter_glue target";
  }
};

struct Tool {
  explicit Tool(json config) : services("tool/test") {
    config["base_url"] = "http://127.0.0.1:" + std::to_string(target().port);
    config["log_dir"] =
        (fs::temp_directory_path() / ("loadpilot-jmeter-test-" + std::to_string(::getpid())))
            .string();
    component =
        std::make_unique<Component>(registry(), LP_KIND_TOOL, "jmeter", config.dump(), services);
    client = std::make_unique<ToolClient>(*component);
  }
  ToolPoll poll() {
    last = client->poll([&](const lp_sample& s) { samples.push_back(s); });
    return last;
  }
  void run_for(milliseconds d) {
    const auto end = Clock::now() + d;
    while (Clock::now() < end) {
      std::this_thread::sleep_for(milliseconds(100));
      poll();
    }
  }
  double rate(std::int64_t from_ns, std::int64_t to_ns) const {
    const auto n = std::count_if(samples.begin(), samples.end(), [&](const lp_sample& s) {
      return s.start_ns >= from_ns && s.start_ns < to_ns;
    });
    return static_cast<double>(n) * 1e9 / static_cast<double>(to_ns - from_ns);
  }
  HostServices services;
  std::unique_ptr<Component> component;
  std::unique_ptr<ToolClient> client;
  std::vector<lp_sample> samples;
  ToolPoll last;
};

double settle_seconds(const Tool& t, std::int64_t step_ns, std::int64_t until_ns, double want) {
  for (std::int64_t end = step_ns + 1'000'000'000; end <= until_ns; end += 100'000'000) {
    if (std::abs(t.rate(end - 1'000'000'000, end) - want) <= 0.1 * want) {
      return static_cast<double>(end - step_ns) / 1e9;
    }
  }
  return -1;
}

ToolTarget rate_target(double r) {
  ToolTarget t;
  t.rate_per_s = r;
  return t;
}

TEST_F(JMeterToolTest, LiveRateStepsAreFollowed) {
  Tool t({{"model", "open"},
          {"suite", (kSuites / "items.jmx").string()},
          {"max_threads", 200},
          {"properties", {{"threads", 2}}}});
  t.client->prepare();
  EXPECT_EQ(t.client->request_types(), (std::vector<std::string>{"item", "other"}));
  // Bounds: within 10 % (trailing 1 s) by 3 s after the step; steady
  // (the step's last 2.5 s) within 8 %.
  const std::vector<double> steps{50, 200, 100, 300};
  t.client->start(rate_target(steps[0]));
  std::vector<std::int64_t> at;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (i > 0) t.client->set_target(rate_target(steps[i]));
    at.push_back(wall_ns());
    t.run_for(milliseconds(4500));
    ASSERT_EQ(t.last.state, LP_TOOL_RUNNING) << t.last.message;
  }
  t.client->stop(2'000'000'000);
  t.poll();
  const std::int64_t end = wall_ns();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::int64_t until = i + 1 < steps.size() ? at[i + 1] : end;
    const double s = settle_seconds(t, at[i], until, steps[i]);
    const double steady = t.rate(until - 3'000'000'000, until - 500'000'000);
    std::printf("step to %.0f/s: within 10%% after %.1f s; steady %.1f/s\n", steps[i], s, steady);
    EXPECT_GE(s, 0) << "rate " << steps[i] << " never reached";
    EXPECT_LE(s, 3.0) << "rate " << steps[i];
    EXPECT_NEAR(steady, steps[i], 0.08 * steps[i]);
  }
  for (const auto& s : t.samples) {
    EXPECT_EQ(s.request_type, 0u);
    EXPECT_EQ(s.outcome, LP_OUTCOME_OK);
    EXPECT_EQ(s.status_code, 200);
    EXPECT_GT(s.bytes_received, 0u);
  }
}

TEST_F(JMeterToolTest, ClosedModelThreadsFollowTheHost) {
  Tool t({{"model", "closed"},
          {"suite", (kSuites / "items.jmx").string()},
          {"properties", {{"threads", 1}}}});
  t.client->prepare();
  ToolTarget target;
  bool first = true;
  for (const std::int64_t threads : {3, 12, 4}) {
    target.concurrency = threads;
    if (first) {
      t.client->start(target);
      first = false;
    } else {
      t.client->set_target(target);
    }
    const auto deadline = Clock::now() + milliseconds(3000);
    while (Clock::now() < deadline && t.last.active_users != threads) t.run_for(milliseconds(100));
    EXPECT_EQ(t.last.active_users, threads);
    t.run_for(milliseconds(1000));
    EXPECT_EQ(t.last.state, LP_TOOL_RUNNING) << t.last.message;
  }
  t.client->stop(2'000'000'000);
  t.poll();
  EXPECT_GT(t.samples.size(), 100u);
  const auto failed = std::count_if(t.samples.begin(), t.samples.end(),
                                    [](const lp_sample& s) { return s.outcome != LP_OUTCOME_OK; });
  EXPECT_EQ(failed, 0);
}

std::string prepare_error(Tool& t) {
  try {
    t.client->prepare();
  } catch (const ComponentError& e) {
    return e.what();
  }
  return "(prepare succeeded)";
}

// Exceptions inside the JVM become errors; the JVM (and the host) go on and
// run a good plan afterwards in the same process.
TEST_F(JMeterToolTest, BrokenPlansQuoteJMeterAndTheJvmGoesOn) {
  {
    Tool t(json{{"suite", (kFixtures / "malformed.jmx").string()}});
    const std::string m = prepare_error(t);
    EXPECT_NE(m.find("JMeter could not load the plan " + (kFixtures / "malformed.jmx").string()),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("no more data available - expected end tags"), std::string::npos) << m;
  }
  {
    Tool t(json{{"suite", (kFixtures / "unknown_sampler.jmx").string()}});
    const std::string m = prepare_error(t);
    EXPECT_NE(m.find("com.example.jmeter.NoSuchSampler"), std::string::npos) << m;
    EXPECT_NE(m.find("Problem loading XML"), std::string::npos) << m;
  }
  {
    Tool t(json{{"suite", (kFixtures / "missing_csv.jmx").string()}});
    const std::string m = prepare_error(t);
    EXPECT_NE(m.find("CSV Data Set Config \"search words\""), std::string::npos) << m;
    EXPECT_NE(m.find("no_such_words.csv (No such file or directory)"), std::string::npos) << m;
  }
  Tool t({{"model", "open"}, {"suite", (kSuites / "sample.jmx").string()}});
  t.client->prepare();
  const auto types = t.client->request_types();
  EXPECT_EQ(types, (std::vector<std::string>{"items page", "item", "search", "checkout flow",
                                             "cart", "checkout", "other"}));
  t.client->start(rate_target(50));
  t.run_for(milliseconds(3000));
  EXPECT_EQ(t.last.state, LP_TOOL_RUNNING) << t.last.message;
  // The mix is the plan's: a host asking for one is refused, and the run goes on.
  ToolTarget mix;
  mix.mix = {1, 0, 0, 0, 0, 0, 0};
  EXPECT_THROW(t.client->set_target(mix), ComponentError);
  t.run_for(milliseconds(500));
  t.client->stop(2'000'000'000);
  t.poll();
  std::vector<std::size_t> per_type(types.size(), 0);
  for (const auto& s : t.samples) {
    ASSERT_LT(s.request_type, types.size());
    ++per_type[s.request_type];
    EXPECT_EQ(s.outcome, LP_OUTCOME_OK) << types[s.request_type];
  }
  for (std::size_t i = 0; i + 1 < types.size(); ++i) EXPECT_GT(per_type[i], 0u) << types[i];
  EXPECT_EQ(per_type.back(), 0u);
}

TEST_F(JMeterToolTest, MissingJMeterSaysRunSetup) {
  Tool t({{"suite", (kSuites / "items.jmx").string()}, {"jmeter_home", "/nonexistent/jmeter"}});
  const std::string m = prepare_error(t);
  EXPECT_NE(m.find("no JMeter at /nonexistent/jmeter"), std::string::npos) << m;
  EXPECT_NE(m.find("run scripts/setup"), std::string::npos) << m;
}

}  // namespace
}  // namespace lp
