#include "loadpilot/host/plan/criteria.hpp"

#include <gtest/gtest.h>

#include <map>

namespace lp {
namespace {

std::optional<bool> eval(std::string_view text, const std::map<std::string, double>& kpis) {
  auto parsed = Criterion::parse(text);
  if (!std::holds_alternative<Criterion>(parsed)) return std::nullopt;
  return std::get<Criterion>(parsed).evaluate([&](std::string_view name) -> std::optional<double> {
    auto it = kpis.find(std::string(name));
    if (it == kpis.end()) return std::nullopt;
    return it->second;
  });
}

TEST(Criteria, Evaluates) {
  const std::map<std::string, double> kpis{{"p99_ms", 250},
                                           {"error_rate", 0.02},
                                           {"achieved_rate", 96},
                                           {"offered_rate", 100},
                                           {"sut.cpu", 0.5}};
  EXPECT_EQ(eval("p99_ms < 300", kpis), true);
  EXPECT_EQ(eval("error_rate < 1%", kpis), false);
  EXPECT_EQ(eval("achieved_rate >= 0.95 * offered_rate", kpis), true);
  EXPECT_EQ(eval("(offered_rate - achieved_rate) / offered_rate <= 0.05", kpis), true);
  EXPECT_EQ(eval("-p99_ms != -250", kpis), false);
  EXPECT_EQ(eval("sut.cpu == 0.5", kpis), true);
  EXPECT_EQ(eval("1e3 > 999", kpis), true);
  EXPECT_EQ(eval("p50_ms < 10", kpis), std::nullopt);  // no value yet
  EXPECT_EQ(eval("p99_ms / 0 < 1", kpis), false);      // division by zero fails
}

TEST(Criteria, ReportsSyntaxErrorsWithOffsets) {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* message;
  };
  for (const Case& c : {
           Case{"p99_ms <> 300", 8, "expected a number or a KPI name, found \">\""},
           Case{"p99_ms", 6, "expected a comparison (<, <=, >, >=, ==, !=) after the expression"},
           Case{"p99_ms < 300 300", 13, "unexpected \"3\" after the comparison"},
           Case{"(p99_ms < 3", 8, "expected \")\""},
           Case{"1.2.3 < 4", 0, "invalid number \"1.2.3\""},
       }) {
    auto parsed = Criterion::parse(c.text);
    ASSERT_TRUE(std::holds_alternative<CriterionSyntaxError>(parsed)) << c.text;
    const auto& e = std::get<CriterionSyntaxError>(parsed);
    EXPECT_EQ(e.offset, c.offset) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
  }
}

TEST(Criteria, BoundsNesting) {
  const std::string deep = std::string(200, '(') + "1" + std::string(200, ')') + " < 2";
  auto parsed = Criterion::parse(deep);
  ASSERT_TRUE(std::holds_alternative<CriterionSyntaxError>(parsed));
  EXPECT_EQ(std::get<CriterionSyntaxError>(parsed).message,
            "expression nested more than 32 levels deep");
}

TEST(Criteria, ListsIdentifiersInTextOrder) {
  auto parsed = Criterion::parse("achieved_rate >= 0.95 * offered_rate + sut.rps");
  ASSERT_TRUE(std::holds_alternative<Criterion>(parsed));
  const auto ids = std::get<Criterion>(parsed).identifiers();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0].name, "achieved_rate");
  EXPECT_EQ(ids[1].name, "offered_rate");
  EXPECT_EQ(ids[1].offset, 24u);
  EXPECT_EQ(ids[2].name, "sut.rps");
}

}  // namespace
}  // namespace lp
