// Golden fixtures (Telegraf style): fixtures/<name>.yaml is loaded and the
// whole error text must equal fixtures/<name>.errors. Set
// LOADPILOT_UPDATE_GOLDENS=1 to rewrite the .errors files, then review the diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "plan_test_support.hpp"

namespace lp::testing {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() == ".errors") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, ErrorsMatchGolden) {
  const std::string name = GetParam();
  TestCatalog catalog;
  const PlanLoadResult result = load_fixture(name + ".yaml", catalog);
  const auto golden_file = kFixtures / (name + ".errors");
  const char* update = std::getenv("LOADPILOT_UPDATE_GOLDENS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(golden_file, std::ios::binary) << result.format_errors();
  }
  EXPECT_EQ(result.format_errors(), read(golden_file));
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.errors.empty());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenTest, ::testing::ValuesIn(golden_names()),
                         [](const auto& test_param) {
                           std::string n = test_param.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(Golden, EveryErrorFixtureHasAGoldenAndEveryValidOneLoads) {
  TestCatalog catalog;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string stem = entry.path().stem().string();
    const bool valid = stem.rfind("valid_", 0) == 0;
    EXPECT_NE(valid, std::filesystem::exists(kFixtures / (stem + ".errors")))
        << stem << ": a fixture is either valid_* or has a .errors golden";
    if (valid) {
      const PlanLoadResult r = load_fixture(stem + ".yaml", catalog);
      EXPECT_TRUE(r.ok()) << stem << ":\n" << r.format_errors();
    }
  }
}

TEST(Golden, FiveMistakesGiveExactlyFiveErrors) {
  TestCatalog catalog;
  const PlanLoadResult r = load_fixture("five_mistakes.yaml", catalog);
  EXPECT_EQ(r.errors.size(), 5u) << r.format_errors();
}

TEST(Golden, ErrorsAreInFileOrder) {
  TestCatalog catalog;
  for (const std::string& name : golden_names()) {
    const PlanLoadResult r = load_fixture(name + ".yaml", catalog);
    for (std::size_t i = 1; i < r.errors.size(); ++i) {
      const PlanError& a = r.errors[i - 1];
      const PlanError& b = r.errors[i];
      if (a.file != b.file) continue;
      EXPECT_LE(std::make_pair(a.line, a.column), std::make_pair(b.line, b.column))
          << name << ": " << a.format() << " / " << b.format();
    }
  }
}

}  // namespace
}  // namespace lp::testing
