// What a valid vector file becomes: fields, defaults, inferred content types,
// and the file form `vectors show` prints.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "loadpilot/vectors/repository.hpp"
#include "vectors_test_support.hpp"

namespace lp::vectors {
namespace {

using testing::InFixtures;
using testing::kShippedVectors;

TEST(Parse, OneVectorWithDefaults) {
  InFixtures here;
  const ParseResult result = load_vector_file("valid/one.json");
  ASSERT_TRUE(result.ok()) << result.format_errors();
  ASSERT_EQ(result.vectors.size(), 1u);
  const LoadVector& v = result.vectors[0];
  EXPECT_EQ(v.id, "alpha");
  EXPECT_EQ(v.name, "Alpha");
  EXPECT_EQ(v.description, "one vector in a file");
  EXPECT_EQ(v.duration_sec, 10);
  EXPECT_EQ(v.ramp_up_time_sec, 2.5);
  EXPECT_EQ(v.rate, 40);
  EXPECT_EQ(v.file, "valid/one.json");
  EXPECT_EQ(v.pointer, "");
  ASSERT_EQ(v.request_types.size(), 2u);

  const RequestType& get = v.request_types[0];
  EXPECT_EQ(get.name, "GET /items/${random_int(1,10)}");  // default: METHOD path
  EXPECT_EQ(get.frequency, 60);
  EXPECT_EQ(get.think_time, (ThinkTime{10, 20}));
  EXPECT_FALSE(get.payload_template.has_value());
  EXPECT_EQ(get.content_type, "");
  EXPECT_FALSE(get.is_static);

  const RequestType& post = v.request_types[1];
  EXPECT_EQ(post.name, "post");
  EXPECT_EQ(post.content_type, "application/xml");  // first non-space character is '<'
  EXPECT_EQ(post.think_time, (ThinkTime{5, 5}));
  ASSERT_EQ(post.captures.size(), 1u);
  EXPECT_EQ(post.captures[0], (CaptureRule{"cart", CaptureSource::kHeader, "Location"}));
  EXPECT_EQ(v.frequencies(), (std::vector<double>{60, 40}));
}

TEST(Parse, InfersJsonForObjectsAndArrays) {
  const LoadVector v = testing::vector_of(R"([
      {"method": "POST", "path": "/a", "frequency": 50, "payload_template": "\n {\"a\": 1}"},
      {"method": "POST", "path": "/b", "frequency": 50, "payload_template": "[1]"}])");
  EXPECT_EQ(v.request_types[0].content_type, "application/json");
  EXPECT_EQ(v.request_types[1].content_type, "application/json");
  EXPECT_TRUE(v.request_types[0].is_static);
}

TEST(Parse, ArrayFileGivesEveryVector) {
  InFixtures here;
  const ParseResult result = load_vector_file("valid/many.json");
  ASSERT_TRUE(result.ok()) << result.format_errors();
  ASSERT_EQ(result.vectors.size(), 2u);
  EXPECT_EQ(result.vectors[0].id, "gamma");
  EXPECT_EQ(result.vectors[0].pointer, "/0");
  EXPECT_EQ(result.vectors[1].id, "beta");
  EXPECT_EQ(result.vectors[1].pointer, "/1");
}

TEST(Parse, ToJsonRoundTrips) {
  InFixtures here;
  const LoadVector v = load_vector_file("valid/one.json").vectors.at(0);
  const auto j = to_json(v);
  EXPECT_EQ(j["request_types"][0]["think_time_ms"].dump(), "[10,20]");
  EXPECT_EQ(j["request_types"][1]["think_time_ms"].dump(), "5");
  EXPECT_EQ(j["request_types"][1]["capture"].dump(), R"({"cart":{"header":"Location"}})");
  const ParseResult again = parse_vector(j.dump(2), "valid/again.json");
  ASSERT_TRUE(again.ok()) << again.format_errors();
  EXPECT_EQ(to_json(again.vectors.at(0)), j);
}

TEST(Parse, SchemaIsTheShippedFile) {
  std::ifstream in(kShippedVectors / "load-vector.schema.json", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(load_vector_schema(), text.str());
  EXPECT_TRUE(nlohmann::json::accept(load_vector_schema()));
}

TEST(ShippedVectors, AllValidate) {
  const VectorRepository repo = VectorRepository::load(kShippedVectors);
  EXPECT_TRUE(repo.ok()) << [&] {
    std::string s;
    for (const auto& e : repo.errors()) s += e.format() + "\n";
    return s;
  }();
  EXPECT_EQ(repo.ids(), (std::vector<std::string>{"browse", "buy", "errors", "peak", "warmup"}));
  for (const LoadVector& v : repo.list()) {
    EXPECT_EQ(v.duration_sec, v.id == "warmup" ? 5 : 10) << v.id;
    EXPECT_LE(v.ramp_up_time_sec, v.duration_sec) << v.id;
  }
}

TEST(ShippedVectors, RenderToValidRequests) {
  const VectorRepository repo = VectorRepository::load(kShippedVectors);
  RenderContext ctx(1);
  RenderedRequest out;
  for (const LoadVector& v : repo.list()) {
    VectorRuntime runtime(v);
    for (std::size_t t = 0; t < runtime.size(); ++t) {
      runtime.render(t, ctx, out);
      EXPECT_EQ(out.target.find(' '), std::string::npos) << v.id << " " << out.target;
      EXPECT_EQ(out.target.substr(0, 1), "/");
      if (runtime.request_type(t).content_type == "application/json") {
        EXPECT_TRUE(nlohmann::json::accept(out.body)) << v.id << ": " << out.body;
      }
    }
  }
}

TEST(ShippedVectors, ErrorsVectorIsMostlyFail) {
  const VectorRepository repo = VectorRepository::load(kShippedVectors);
  const LoadVector* errors = repo.find("errors");
  ASSERT_NE(errors, nullptr);
  double fail = 0;
  for (const auto& t : errors->request_types) {
    if (t.path == "/fail") fail += t.frequency;
  }
  EXPECT_GE(fail, 80);
}

}  // namespace
}  // namespace lp::vectors
