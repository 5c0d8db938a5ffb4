// Valid plans load into the expected TestPlan values; includes, environment
// substitution and unreadable files behave as documented.
#include <gtest/gtest.h>

#include <fstream>

#include "loadpilot/host/plan/plan_schema.hpp"
#include "plan_test_support.hpp"

namespace lp::testing {
namespace {

using namespace std::chrono_literals;

TEST(PlanLoader, FullPlanHasTheExpectedValues) {
  TestCatalog catalog;
  const PlanLoadResult r = load_fixture("valid_full.yaml", catalog);
  ASSERT_TRUE(r.ok()) << r.format_errors();
  const TestPlan& p = *r.plan;
  EXPECT_EQ(p.name, "checkout-peak");
  EXPECT_EQ(p.description, "Black Friday rehearsal");
  EXPECT_EQ(p.file, "valid_full.yaml");
  EXPECT_EQ(p.duration, Duration(10min));
  EXPECT_EQ(p.tick, Duration(500ms));
  EXPECT_EQ(p.target.base_url, "http://127.0.0.1:8080");
  ASSERT_TRUE(p.target.demo);
  EXPECT_EQ(p.target.demo->port, 18080);
  EXPECT_EQ(p.target.demo->queue, 64);
  EXPECT_DOUBLE_EQ(p.target.demo->service_time_ms, 5.0);

  ASSERT_EQ(p.tools.size(), 3u);
  EXPECT_EQ(p.tools[0].id, "checkout");
  EXPECT_EQ(p.tools[0].tool, "locust");
  EXPECT_EQ(p.tools[0].suite, kFixtures / "suites/locustfile.py");
  EXPECT_DOUBLE_EQ(p.tools[0].share, 0.6);
  EXPECT_EQ(p.tools[0].config, (nlohmann::json{{"users", 50}, {"spawn_rate", 5}}));
  EXPECT_DOUBLE_EQ(p.tools[1].share, 0.3);  // "30%"
  EXPECT_EQ(p.tools[2].vectors,
            (std::vector<std::string>{"browse", "buy", "warmup", "peak", "soak"}));
  EXPECT_EQ(p.vector_dir, kFixtures / "vectors/");
  EXPECT_EQ(p.vector_files.at("buy"), kFixtures / "vectors/buy.json");
  EXPECT_EQ(p.vector_files.size(), 5u);  // browse, buy, warmup, peak, soak

  EXPECT_EQ(p.load.model, LoadModel::kOpen);
  EXPECT_EQ(p.load.rate, 200.0);
  EXPECT_EQ(p.load.max_rate, 2000.0);
  EXPECT_EQ(p.load.concurrency, 50);

  ASSERT_TRUE(p.forecast);
  EXPECT_EQ(p.forecast->model, "prophet");
  EXPECT_EQ(p.forecast->history.file, kFixtures / "history/rps.csv");
  EXPECT_EQ(p.forecast->horizon, Duration(24h));
  EXPECT_EQ(p.forecast->quantiles, (std::vector<double>{0.1, 0.5, 0.9}));
  ASSERT_EQ(p.forecast->events.size(), 1u);
  EXPECT_EQ(p.forecast->events[0].name, "black-friday");
  EXPECT_EQ(p.forecast->events[0].at.time_since_epoch(), std::chrono::seconds(1795737600));
  EXPECT_EQ(p.forecast->events[0].duration, Duration(24h));
  EXPECT_DOUBLE_EQ(p.forecast->events[0].multiplier, 3.0);

  ASSERT_TRUE(p.provision);
  EXPECT_EQ(p.provision->provider, "local");
  EXPECT_EQ(p.provision->baseline_quantile, 0.1);
  EXPECT_EQ(p.provision->max_instances, 8);
  EXPECT_EQ(p.provision->scaling.proportional_gain, 0.5);
  EXPECT_EQ(p.provision->scaling.thresholds.generator_cpu, std::make_pair(0.3, 0.8));
  EXPECT_EQ(p.provision->scaling.cooldown, Duration(30s));

  ASSERT_TRUE(p.shaping);
  EXPECT_EQ(p.shaping->envelope.target_cpu, 0.75);
  EXPECT_EQ(p.shaping->strategies.size(), 5u);
  ASSERT_TRUE(p.shaping->presoak);
  EXPECT_DOUBLE_EQ(p.shaping->presoak->rate, 0.05);
  EXPECT_EQ(p.shaping->presoak->duration, Duration(2min));

  ASSERT_TRUE(p.profile);
  EXPECT_EQ(p.profile->vector_sequence, (std::vector<std::string>{"warmup", "peak", "soak"}));
  EXPECT_EQ(p.profile->transition_delay, Duration(10s));
  EXPECT_EQ(p.profile->on_high_error, OnHighError::kShorten);

  ASSERT_EQ(p.sources.size(), 1u);
  EXPECT_EQ(p.sources[0].id, "sut");
  ASSERT_EQ(p.detect.size(), 1u);
  EXPECT_EQ(p.detect[0].metrics.back(), "sut.cpu");
  EXPECT_EQ(p.detect[0].on_alert,
            (std::vector<AlertAction>{AlertAction::kLog, AlertAction::kBackoff}));
  EXPECT_EQ(p.detect[0].webhook, "http://127.0.0.1:9000/alerts");

  ASSERT_EQ(p.chaos.size(), 2u);
  EXPECT_EQ(p.chaos[0].kind, ChaosKind::kLatency);
  EXPECT_EQ(p.chaos[0].ms, 300.0);
  EXPECT_EQ(p.chaos[1].kind, ChaosKind::kKillGenerator);
  EXPECT_FALSE(p.chaos[1].duration);

  EXPECT_EQ(p.store.dir, kFixtures / "runs/");
  ASSERT_EQ(p.store.sinks.size(), 1u);
  EXPECT_EQ(p.store.sinks[0].config["url"], "http://127.0.0.1:8428/write");

  ASSERT_EQ(p.criteria.size(), 4u);
  EXPECT_EQ(p.criteria[1].text(), "error_rate < 1%");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(PlanLoader, DefaultsAndEqualShares) {
  TestCatalog catalog;
  const PlanLoadResult r = load_fixture("valid_closed.yaml", catalog);
  ASSERT_TRUE(r.ok()) << r.format_errors();
  const TestPlan& p = *r.plan;
  EXPECT_EQ(p.duration, Duration(90s));  // a bare number is seconds
  EXPECT_EQ(p.tick, Duration(1s));
  ASSERT_EQ(p.tools.size(), 2u);
  EXPECT_EQ(p.tools[0].id, "locust");  // the id defaults to the type
  EXPECT_DOUBLE_EQ(p.tools[0].share, 0.5);
  EXPECT_DOUBLE_EQ(p.tools[1].share, 0.5);
  EXPECT_EQ(p.load.model, LoadModel::kClosed);
  EXPECT_EQ(p.load.concurrency, 20);
  EXPECT_FALSE(p.load.max_rate);
  ASSERT_TRUE(p.forecast);
  EXPECT_EQ(p.forecast->history.source, "prometheus");
  EXPECT_EQ(p.forecast->history.range, Duration(28 * 24h));
  EXPECT_EQ(p.forecast->quantiles, (std::vector<double>{0.1, 0.5, 0.9}));
  ASSERT_TRUE(p.provision);
  EXPECT_EQ(p.provision->baseline_instances, 2);
  EXPECT_EQ(p.provision->config["hosts"], (nlohmann::json{"gen1", "gen2"}));
}

TEST(PlanLoader, EnvironmentSubstitution) {
  TestCatalog catalog;
  const PlanLoadResult r = load_fixture("valid_env.yaml", catalog);
  ASSERT_TRUE(r.ok()) << r.format_errors();
  const TestPlan& p = *r.plan;
  EXPECT_EQ(p.name, "env-plan");                     // default used
  EXPECT_EQ(p.description, "cost is ${not_a_var}");  // $${ escapes
  EXPECT_EQ(p.duration, Duration(45s));              // default, then typed
  EXPECT_EQ(p.target.base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(p.load.rate, 150.0);  // "150" typed as a number
  EXPECT_EQ(p.load.max_rate, 1000.0);
}

TEST(PlanLoader, EnvironmentValueOverridesDefault) {
  TestCatalog catalog;
  auto env = fixture_env();
  env["LP_NAME"] = "ci";
  env["LP_MAX_RATE"] = "300";
  InFixtures here;
  const PlanLoadResult r = load_plan("valid_env.yaml", fixture_context(catalog, env));
  ASSERT_TRUE(r.ok()) << r.format_errors();
  EXPECT_EQ(r.plan->name, "env-ci");
  EXPECT_EQ(r.plan->load.max_rate, 300.0);
}

TEST(PlanLoader, IncludesMergeBeneathTheIncludingFile) {
  TestCatalog catalog;
  const PlanLoadResult r = load_fixture("valid_include.yaml", catalog);
  ASSERT_TRUE(r.ok()) << r.format_errors();
  const TestPlan& p = *r.plan;
  EXPECT_EQ(p.includes,
            (std::vector<std::filesystem::path>{"include/common.yaml", "include/base.yaml"}));
  EXPECT_EQ(p.duration, Duration(5min));  // from common.yaml
  EXPECT_EQ(p.tick, Duration(2s));        // from base.yaml, included by common.yaml
  EXPECT_EQ(p.load.rate, 20.0);           // this file wins
  EXPECT_EQ(p.load.max_rate, 400.0);
  ASSERT_TRUE(p.shaping);                           // maps merge deeply:
  EXPECT_EQ(p.shaping->envelope.p99_ms, 200.0);     // this file's value,
  EXPECT_EQ(p.shaping->envelope.error_rate, 0.01);  // the include's sibling,
  EXPECT_EQ(p.shaping->strategies.size(), 1u);      // and the include's other keys
  ASSERT_EQ(p.tools.size(), 1u);                    // lists are replaced
  EXPECT_EQ(p.tools[0].tool, "native");
  EXPECT_EQ(p.store.dir, kFixtures / "runs");  // relative to base.yaml's folder
}

TEST(PlanLoader, MissingFile) {
  TestCatalog catalog;
  const PlanLoadResult r = load_fixture("no_such_plan.yaml", catalog);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.format_errors(), "no_such_plan.yaml: cannot read plan: No such file or directory\n");
}

TEST(PlanLoader, DirectoryIsNotAPlan) {
  TestCatalog catalog;
  const PlanLoadResult r = load_fixture("vectors", catalog);
  EXPECT_EQ(r.format_errors(), "vectors: cannot read plan: is a directory\n");
}

TEST(PlanLoader, FromStringResolvesAgainstBaseDir) {
  TestCatalog catalog;
  const PlanContext ctx = fixture_context(catalog);
  const PlanLoadResult r = load_plan_from_string(
      "name: s\nduration: 1m\ntarget: {base_url: http://127.0.0.1:1}\n"
      "tools: [{tool: locust, suite: suites/locustfile.py}]\nload: {max_rate: 1}\n",
      "inline.yaml", ctx);
  ASSERT_TRUE(r.ok()) << r.format_errors();
  EXPECT_EQ(r.plan->tools[0].suite, kFixtures / "suites/locustfile.py");
}

TEST(PlanLoader, SyntaxErrorFromString) {
  TestCatalog catalog;
  const PlanLoadResult r =
      load_plan_from_string("name: [x\n", "inline.yaml", fixture_context(catalog));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, "inline.yaml");
  EXPECT_EQ(r.errors[0].path, "yaml");
  EXPECT_GT(r.errors[0].line, 0);
}

TEST(PlanLoader, VectorsFallBackToTheRepository) {
  TestCatalog catalog;
  PlanContext ctx = fixture_context(catalog);
  const auto dir = std::filesystem::temp_directory_path() / "lp_plan_repo_fallback";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "repo/vectors");
  std::filesystem::create_directories(dir / "plans");
  { std::ofstream(dir / "repo/vectors/x.json") << R"({"vector_id": "x"})"; }
  { std::ofstream(dir / "repo/vectors/broken.json") << "not json"; }
  {
    std::ofstream(dir / "repo/vectors/pair.json") << R"([{"vector_id": "y"}, {"vector_id": "z"}])";
  }
  { std::ofstream(dir / "repo/vectors/vector.schema.json") << R"({"type": "object"})"; }
  ctx.repo_dir = dir / "repo";
  ctx.base_dir = dir / "plans";
  const PlanLoadResult r = load_plan_from_string(
      "name: s\nduration: 1m\ntarget: {base_url: http://127.0.0.1:1}\n"
      "tools: [{tool: native, vectors: [x, z]}]\nload: {max_rate: 1}\n",
      "inline.yaml", ctx);
  ASSERT_TRUE(r.ok()) << r.format_errors();
  EXPECT_EQ(r.plan->vector_dir, dir / "repo/vectors");
  EXPECT_EQ(r.plan->vector_files.at("z"), dir / "repo/vectors/pair.json");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].message,
            "vector file broken.json is not a JSON object or array of objects");
  std::filesystem::remove_all(dir);
}

TEST(PlanLoader, ResolvedPlanLoadsAgainUnchanged) {
  TestCatalog catalog;
  for (const char* name : {"valid_full.yaml", "valid_minimal.yaml", "valid_closed.yaml",
                           "valid_env.yaml", "valid_include.yaml"}) {
    const PlanLoadResult first = load_fixture(name, catalog);
    ASSERT_TRUE(first.ok()) << name << "\n" << first.format_errors();
    const nlohmann::json resolved = to_json(*first.plan);
    if (resolved.dump().find("${") != std::string::npos) continue;  // would substitute again
    const PlanLoadResult second =
        load_plan_from_string(resolved.dump(2), "resolved.json", fixture_context(catalog));
    ASSERT_TRUE(second.ok()) << name << "\n" << second.format_errors() << resolved.dump(2);
    EXPECT_EQ(to_json(*second.plan), resolved) << name;
  }
}

TEST(PlanLoader, LongConfigStringsStopBeforeTheSchemaRegex) {
  // std::regex recurses per character: 200k characters would overflow the stack.
  TestCatalog catalog;
  const std::string yaml =
      "name: s\nduration: 1m\ntarget: {base_url: http://127.0.0.1:1}\n"
      "tools: [{tool: jmeter, suite: suites/search.jmx, config: {heap: \"" +
      std::string(200000, '1') + "\"}}]\nload: {max_rate: 1}\n";
  const PlanLoadResult r = load_plan_from_string(yaml, "long.yaml", fixture_context(catalog));
  EXPECT_EQ(r.format_errors(),
            "long.yaml:4:65: tools[0].config.heap: a string of 200000 characters is longer than "
            "the 4096 a plugin config allows; put long content in a file\n");
}

TEST(PlanLoader, QuickstartSampleLoads) {
  TestCatalog catalog;
  PlanContext ctx = fixture_context(catalog);
  const std::filesystem::path source = LOADPILOT_SOURCE_DIR;
  ctx.repo_dir = source;
  // Until the repository ships its Load Vectors, stand in for them.
  const auto stand_in = std::filesystem::temp_directory_path() / "lp_plan_quickstart_repo";
  auto has_vectors = [](const std::filesystem::path& dir) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".json") return true;
    }
    return false;
  };
  if (!has_vectors(source / "samples/vectors") && !has_vectors(source / "vectors")) {
    std::filesystem::create_directories(stand_in / "vectors");
    for (const char* id : {"browse", "buy", "warmup", "peak"}) {
      std::ofstream(stand_in / "vectors" / (std::string(id) + ".json"))
          << R"({"vector_id": ")" << id << R"("})";
    }
    ctx.repo_dir = stand_in;
  }
  const PlanLoadResult r = load_plan(source / "samples/quickstart.yaml", ctx);
  std::filesystem::remove_all(stand_in);
  ASSERT_TRUE(r.ok()) << r.format_errors();
  EXPECT_EQ(r.plan->name, "quickstart");
  EXPECT_EQ(r.plan->target.base_url, "http://127.0.0.1:18080");
  ASSERT_TRUE(r.plan->target.demo);
  EXPECT_EQ(r.plan->target.demo->port, 18080);
  EXPECT_EQ(r.plan->tools.at(0).tool, "native");
  EXPECT_EQ(r.plan->profile->vector_sequence, (std::vector<std::string>{"warmup", "peak"}));
  EXPECT_EQ(r.plan->criteria.size(), 3u);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front().format();
}

TEST(PlanLoader, YamlToJsonTypesLikeYaml12) {
  std::string error;
  auto j = yaml_to_json(
      "a: 1\nb: 1.5\nc: true\nd: yes\ne: ~\nf: '1'\ng: 0x10\nh: [x, {y: z}]\n"
      "i: ${X}\n",
      &error);
  ASSERT_TRUE(j) << error;
  EXPECT_EQ(*j, nlohmann::json::parse(R"({"a": 1, "b": 1.5, "c": true, "d": "yes", "e": null,
      "f": "1", "g": 16, "h": ["x", {"y": "z"}], "i": "${X}"})"));
  EXPECT_FALSE(yaml_to_json("a: [", &error));
  EXPECT_NE(error.find("yaml: end of sequence flow not found"), std::string::npos) << error;
}

TEST(PlanLoader, ErrorFormat) {
  PlanError e{"plan.yaml", 3, 7, "tools[1].share", "must be in (0, 1], found 0"};
  EXPECT_EQ(e.format(), "plan.yaml:3:7: tools[1].share: must be in (0, 1], found 0");
  PlanError whole{"plan.yaml", 0, 0, "", "cannot read plan: No such file or directory"};
  EXPECT_EQ(whole.format(), "plan.yaml: cannot read plan: No such file or directory");
}

TEST(PlanLoader, ProfileVectorSentByNoToolIsAnError) {
  TestCatalog catalog;
  const auto dir = std::filesystem::temp_directory_path() / "lp_plan_uncarried";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "vectors");
  { std::ofstream(dir / "vectors/v.json") << R"([{"vector_id": "a"}, {"vector_id": "b"}])"; }
  PlanContext ctx = fixture_context(catalog);
  ctx.base_dir = dir;
  const std::string head =
      "name: s\ntarget: {base_url: http://127.0.0.1:1}\nvectors: {dir: vectors}\n"
      "load: {max_rate: 1}\nprofile: {vector_sequence: [a, b]}\n";
  const PlanLoadResult listed = load_plan_from_string(
      head + "tools: [{id: api, tool: native, vectors: [a]}]\n", "inline.yaml", ctx);
  ASSERT_EQ(listed.errors.size(), 1u) << listed.format_errors();
  EXPECT_EQ(listed.errors[0].path, "profile.vector_sequence[1]");
  EXPECT_EQ(listed.errors[0].message,
            "vector \"b\" is sent by no tool: add it to a tool's vectors (api has [a])");
  EXPECT_EQ(listed.errors[0].line, 5);
  const PlanLoadResult all = load_plan_from_string(
      head +
          "tools: [{id: api, tool: native, vectors: [a]}, {id: b, tool: native, vectors: [b]}]\n",
      "inline.yaml", ctx);
  EXPECT_TRUE(all.ok()) << all.format_errors();
  // A suite-driven tool carries every step of the profile.
  std::filesystem::create_directories(dir / "suites");
  { std::ofstream(dir / "suites/locustfile.py") << "# a locustfile\n"; }
  const PlanLoadResult suite = load_plan_from_string(
      head +
          "tools: [{id: api, tool: native, vectors: [a]}, {id: shop, tool: locust, "
          "suite: suites/locustfile.py}]\n",
      "inline.yaml", ctx);
  EXPECT_TRUE(suite.ok()) << suite.format_errors();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lp::testing
