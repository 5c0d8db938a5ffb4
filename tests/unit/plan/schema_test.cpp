// host/schema/plan.schema.json (for editors) and the C++ loader must agree:
// same sections and keys, and every shipped sample and valid fixture validates.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "loadpilot/host/plan/plan_schema.hpp"
#include "plan_test_support.hpp"

namespace lp::testing {
namespace {

using nlohmann::json;

const std::filesystem::path kSourceDir = LOADPILOT_SOURCE_DIR;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json schema_document() {
  return json::parse(read(kSourceDir / "host/schema/plan.schema.json"));
}

const json* resolve(const json& root, const json* s) {
  while (s != nullptr && s->is_object() && s->contains("$ref")) {
    s = &root.at(json::json_pointer((*s)["$ref"].get<std::string>().substr(1)));
  }
  return s;
}

// Every object schema with properties, by loader section path ("tools[]", "target.demo").
void walk(const json& root, const json& node, const std::string& path,
          std::map<std::string, std::set<std::string>>& out, int depth = 0) {
  const json* s = resolve(root, &node);
  ASSERT_LT(depth, 20);
  if (s == nullptr || !s->is_object()) return;
  if (auto props = s->find("properties"); props != s->end()) {
    EXPECT_EQ(s->value("additionalProperties", true), false)
        << "schema section \"" << path << "\" must reject unknown keys, as the loader does";
    auto& keys = out[path];
    for (const auto& [key, sub] : props->items()) {
      keys.insert(key);
      walk(root, sub, path.empty() ? key : path + "." + key, out, depth + 1);
    }
  }
  if (auto items = s->find("items"); items != s->end() && items->is_object()) {
    walk(root, *items, path + "[]", out, depth + 1);
  }
  for (const char* combinator : {"anyOf", "oneOf", "allOf"}) {
    if (auto alts = s->find(combinator); alts != s->end() && alts->is_array()) {
      for (const json& alt : *alts) walk(root, alt, path, out, depth + 1);
    }
  }
}

TEST(PlanSchema, SectionsAndKeysMatchTheLoader) {
  const json schema = schema_document();
  std::map<std::string, std::set<std::string>> from_schema;
  walk(schema, schema, "", from_schema);

  std::map<std::string, std::set<std::string>> from_loader;
  for (const PlanSection& s : plan_sections()) {
    from_loader[std::string(s.path)] = std::set<std::string>(s.keys.begin(), s.keys.end());
  }
  for (const auto& [path, keys] : from_loader) {
    ASSERT_TRUE(from_schema.count(path)) << "schema lacks section \"" << path << "\"";
    EXPECT_EQ(from_schema[path], keys) << "keys of section \"" << path << "\" differ";
  }
  for (const auto& [path, keys] : from_schema) {
    EXPECT_TRUE(from_loader.count(path)) << "loader lacks section \"" << path << "\"";
  }
}

class SchemaValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    document_ = schema_document();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document_);
    parser.populateSchema(adapter, schema_);
  }

  // Empty when valid; else every violation, one per line.
  std::string violations(const json& plan) {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(plan);
    if (validator.validate(schema_, target, &results)) return "";
    std::string out;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
      for (const auto& c : e.context) out += c;
      out += ": " + e.description + "\n";
    }
    return out.empty() ? "invalid" : out;
  }

  std::string file_violations(const std::filesystem::path& file) {
    std::string error;
    auto doc = yaml_to_json(read(file), &error);
    if (!doc) return "not YAML: " + error;
    return violations(*doc);
  }

  json document_;
  valijson::Schema schema_;
};

TEST_F(SchemaValidation, ShippedSamplesValidate) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSourceDir / "samples")) {
    if (entry.path().extension() != ".yaml") continue;
    EXPECT_EQ(file_violations(entry.path()), "") << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 1) << "samples/quickstart.yaml at least";
}

TEST_F(SchemaValidation, ValidFixturesAndTheirResolvedFormValidate) {
  TestCatalog catalog;
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".yaml" || stem.rfind("valid_", 0) != 0) continue;
    EXPECT_EQ(file_violations(entry.path()), "") << entry.path();
    const PlanLoadResult r = load_fixture(entry.path().filename().string(), catalog);
    ASSERT_TRUE(r.ok()) << r.format_errors();
    EXPECT_EQ(violations(to_json(*r.plan)), "") << stem << " resolved";
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST_F(SchemaValidation, RejectsWhatTheLoaderRejects) {
  EXPECT_NE(violations(json{{"name", "x"}}), "");  // no target, tools, load
  auto plan = json::parse(R"({"name": "x", "duration": "1m", "target": {"base_url": "http://h"},
      "tools": [{"tool": "native", "vectors": ["a"]}], "load": {"max_rate": 10}})");
  EXPECT_EQ(violations(plan), "");
  plan["durration"] = "1m";
  EXPECT_NE(violations(plan), "");
  plan.erase("durration");
  plan["load"] = {{"model", "closed"}};
  EXPECT_NE(violations(plan), "") << "closed needs concurrency";
  plan["load"] = {{"model", "open"}};
  EXPECT_NE(violations(plan), "") << "open needs max_rate";
}

}  // namespace
}  // namespace lp::testing
