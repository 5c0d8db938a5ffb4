// Pass/fail criteria over run KPIs: "p99_ms < 300", "achieved_rate >= 0.95 * offered_rate".
// Parsed when the plan loads (so a typo fails before the run), evaluated
// against the run's final KPIs by the run controller.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lp {

struct CriterionSyntaxError {
  std::size_t offset = 0;  // 0-based offset into the expression text
  std::string message;
};

// One comparison of two arithmetic expressions over numbers (5, 0.95, 1%) and
// KPI names (p99_ms, or <source id>.<metric>), with + - * / and parentheses.
class Criterion {
 public:
  enum class Compare { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

  struct Identifier {
    std::string name;
    std::size_t offset = 0;
  };

  static std::variant<Criterion, CriterionSyntaxError> parse(std::string_view text);

  const std::string& text() const { return text_; }
  Compare compare() const { return compare_; }
  // Every KPI name used, in text order.
  std::vector<Identifier> identifiers() const;
  // nullopt when a KPI it uses has no value; a division by zero fails the criterion.
  std::optional<bool> evaluate(
      const std::function<std::optional<double>(std::string_view)>& kpi) const;

 private:
  struct Term {
    enum class Op { kNumber, kKpi, kAdd, kSubtract, kMultiply, kDivide, kNegate };
    Op op = Op::kNumber;
    double number = 0;
    std::string name;
    std::size_t offset = 0;
    int lhs = -1;  // indexes into terms_
    int rhs = -1;
  };
  friend class CriterionParser;

  std::optional<double> eval(int term,
                             const std::function<std::optional<double>(std::string_view)>& kpi,
                             bool& divided_by_zero) const;

  std::string text_;
  Compare compare_ = Compare::kLess;
  std::vector<Term> terms_;
  int lhs_ = -1;
  int rhs_ = -1;
};

}  // namespace lp
