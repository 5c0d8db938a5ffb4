// Every rule of the loader, one fixture each: invalid/NAME.json must give
// exactly the lines of invalid/NAME.errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "vectors_test_support.hpp"

namespace lp::vectors {
namespace {

using testing::InFixtures;
using testing::kFixtures;

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures / "invalid")) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class InvalidFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidFixture, GivesExactlyTheExpectedErrors) {
  InFixtures here;
  const std::string name = GetParam();
  const ParseResult result = load_vector_file("invalid/" + name + ".json");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(result.vectors.empty());
  EXPECT_EQ(result.format_errors(), read(kFixtures / "invalid" / (name + ".errors")));
}

INSTANTIATE_TEST_SUITE_P(Rules, InvalidFixture, ::testing::ValuesIn(fixture_names()),
                         [](const auto& param_info) { return param_info.param; });

TEST(ParseErrors, EveryFixtureHasItsExpectedErrors) {
  for (const auto& name : fixture_names()) {
    EXPECT_TRUE(std::filesystem::exists(kFixtures / "invalid" / (name + ".errors"))) << name;
  }
  EXPECT_GE(fixture_names().size(), 25u);
}

TEST(ParseErrors, ErrorCarriesFilePointerAndMessage) {
  InFixtures here;
  const ParseResult result = load_vector_file("invalid/frequency_sum.json");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].file, "invalid/frequency_sum.json");
  EXPECT_EQ(result.errors[0].pointer, "/request_types/2/frequency");
  EXPECT_EQ(result.errors[0].message, "frequencies sum to 95, not 100");
}

TEST(ParseErrors, MissingFile) {
  const ParseResult result = load_vector_file("no/such/file.json");
  EXPECT_EQ(result.format_errors(), "no/such/file.json: no such file\n");
}

TEST(ParseErrors, FrequenciesWithinToleranceAreAccepted) {
  const ParseResult ok = parse_vector(
      R"({"vector_id": "t", "name": "T", "duration_sec": 1, "request_types": [
          {"method": "GET", "path": "/a", "frequency": 33.3333333},
          {"method": "GET", "path": "/b", "frequency": 66.6666667}]})",
      "t.json");
  EXPECT_TRUE(ok.ok()) << ok.format_errors();
  const ParseResult off = parse_vector(
      R"({"vector_id": "t", "name": "T", "duration_sec": 1, "request_types": [
          {"method": "GET", "path": "/a", "frequency": 33.33},
          {"method": "GET", "path": "/b", "frequency": 66.66}]})",
      "t.json");
  EXPECT_EQ(off.format_errors(),
            "t.json: /request_types/1/frequency: frequencies sum to 99.99, not 100\n");
}

TEST(ParseErrors, HugeIdDoesNotOverflowTheSchemaRegex) {
  const std::string id(200000, 'a');
  const ParseResult result = parse_vector(
      R"({"vector_id": ")" + id +
          R"(", "name": "T", "duration_sec": 1, "request_types": [{"method": "GET", "path": "/", "frequency": 100}]})",
      "t.json");
  EXPECT_EQ(result.format_errors(),
            "t.json: /vector_id: expected at most 64 characters, found 200000\n");
}

}  // namespace
}  // namespace lp::vectors
