// `loadpilot vectors list|show|validate`, run in-process with its output captured.
#include "vectors_command.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "vectors_test_support.hpp"

namespace lp::cli {
namespace {

using lp::vectors::testing::InFixtures;
using lp::vectors::testing::kShippedVectors;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome run(const VectorsOptions& options) {
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  const int code = vectors_command(options);
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str(), err.str()};
}

TEST(VectorsCommand, ListsIdNameTypesDurationFile) {
  InFixtures here;
  const Outcome r = run({"list", {}, "valid", false});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "ID     NAME   TYPES  DURATION         FILE\n"
            "alpha  Alpha      2  10s (ramp 2.5s)  valid/one.json\n"
            "beta   Beta       3  2s               valid/many.json\n"
            "gamma  Gamma      1  1s               valid/many.json\n");
  EXPECT_EQ(r.err, "");
}

TEST(VectorsCommand, ListJson) {
  InFixtures here;
  const Outcome r = run({"list", {}, "valid", true});
  ASSERT_EQ(r.code, 0);
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["vector_id"], "alpha");
  EXPECT_EQ(j[0]["request_types"], (nlohmann::json{"GET /items/${random_int(1,10)}", "post"}));
  EXPECT_EQ(j[0]["file"], "valid/one.json");
}

TEST(VectorsCommand, ListReportsBrokenFiles) {
  InFixtures here;
  const Outcome r = run({"list", {}, "dup_ids", false});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("same"), std::string::npos);
  EXPECT_EQ(r.err,
            "dup_ids/b.json: /vector_id: duplicate vector id \"same\"; dup_ids/a.json defines it "
            "too\n");
}

TEST(VectorsCommand, ShowPrintsTheVector) {
  InFixtures here;
  const Outcome r = run({"show", {"gamma"}, "valid", false});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, R"({
  "vector_id": "gamma",
  "name": "Gamma",
  "ramp_up_time_sec": 0,
  "duration_sec": 1,
  "request_types": [
    {
      "name": "GET /g",
      "method": "GET",
      "path": "/g",
      "frequency": 100,
      "think_time_ms": 0
    }
  ]
}
)");
}

TEST(VectorsCommand, ShowUnknownIdSuggests) {
  InFixtures here;
  const Outcome r = run({"show", {"gama"}, "valid", false});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "no valid vector \"gama\" in valid; did you mean \"gamma\"?\n");
  EXPECT_EQ(run({"show", {}, "valid", false}).code, 2);
}

TEST(VectorsCommand, ValidateFilesAndDirectories) {
  InFixtures here;
  const Outcome good = run({"validate", {"valid/one.json", "valid"}, {}, false});
  EXPECT_EQ(good.code, 0) << good.err;
  EXPECT_EQ(good.out, "valid/one.json: ok (1 vector)\nvalid: ok (3 vectors)\n");

  const Outcome bad = run({"validate",
                           {"invalid/frequency_sum.json", "invalid/ramp.json", "valid/many.json"},
                           {},
                           false});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.out, "valid/many.json: ok (2 vectors)\n");
  EXPECT_EQ(bad.err,
            "invalid/frequency_sum.json: /request_types/2/frequency: frequencies sum to 95, not "
            "100\n"
            "invalid/ramp.json: /ramp_up_time_sec: ramp_up_time_sec 20 is longer than "
            "duration_sec 10\n"
            "2 errors\n");
}

TEST(VectorsCommand, ValidateFindsDuplicatesAcrossFiles) {
  InFixtures here;
  const Outcome r = run({"validate", {"dup_ids/a.json", "dup_ids/b.json"}, {}, true});
  EXPECT_EQ(r.code, 2);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], false);
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0]["file"], "dup_ids/b.json");
  EXPECT_EQ(j["errors"][0]["pointer"], "/vector_id");
}

TEST(VectorsCommand, ValidateTheShippedVectors) {
  const Outcome r = run({"validate", {}, kShippedVectors, false});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kShippedVectors.string() + ": ok (5 vectors)\n");
}

TEST(VectorsCommand, UnknownAction) {
  EXPECT_EQ(run({"frobnicate", {}, {}, false}).code, 2);
}

}  // namespace
}  // namespace lp::cli
