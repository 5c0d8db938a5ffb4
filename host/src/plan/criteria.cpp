#include "loadpilot/host/plan/criteria.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace lp {

// Recursive descent over
//   criterion := sum compare sum
//   sum := product (("+" | "-") product)*
//   product := unary (("*" | "/") unary)*
//   unary := "-" unary | number ["%"] | kpi | "(" sum ")"
// with nesting bounded so hostile input cannot exhaust the stack.
class CriterionParser {
 public:
  explicit CriterionParser(std::string_view text) : s_(text) {}

  std::variant<Criterion, CriterionSyntaxError> run() {
    Criterion c;
    c.text_ = std::string(s_);
    if (s_.size() > kMaxLength) {
      return CriterionSyntaxError{0,
                                  fmt::format("criterion longer than {} characters", kMaxLength)};
    }
    c.lhs_ = sum(c);
    if (failed()) return *error_;
    skip_space();
    const std::size_t at = pos_;
    auto cmp = compare();
    if (!cmp) {
      return CriterionSyntaxError{
          at, pos_ >= s_.size()
                  ? std::string("expected a comparison (<, <=, >, >=, ==, !=) after the expression")
                  : fmt::format("expected a comparison (<, <=, >, >=, ==, !=), found \"{}\"",
                                s_.substr(pos_, 1))};
    }
    c.compare_ = *cmp;
    c.rhs_ = sum(c);
    if (failed()) return *error_;
    skip_space();
    if (pos_ != s_.size()) {
      return CriterionSyntaxError{
          pos_, fmt::format("unexpected \"{}\" after the comparison", s_.substr(pos_, 1))};
    }
    return c;
  }

 private:
  static constexpr std::size_t kMaxLength = 1000;
  static constexpr int kMaxDepth = 32;
  using Op = Criterion::Term::Op;

  bool failed() const { return error_.has_value(); }
  void fail(std::size_t at, std::string message) {
    if (!error_) error_ = CriterionSyntaxError{at, std::move(message)};
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::optional<Criterion::Compare> compare() {
    using C = Criterion::Compare;
    auto two = [&](std::string_view op) { return s_.substr(pos_, 2) == op; };
    if (two("<=")) return pos_ += 2, C::kLessEqual;
    if (two(">=")) return pos_ += 2, C::kGreaterEqual;
    if (two("==")) return pos_ += 2, C::kEqual;
    if (two("!=")) return pos_ += 2, C::kNotEqual;
    if (s_.substr(pos_, 1) == "<") return pos_ += 1, C::kLess;
    if (s_.substr(pos_, 1) == ">") return pos_ += 1, C::kGreater;
    return std::nullopt;
  }

  int add(Criterion& c, Criterion::Term t) {
    c.terms_.push_back(std::move(t));
    return static_cast<int>(c.terms_.size() - 1);
  }

  int sum(Criterion& c) {
    int lhs = product(c);
    while (!failed()) {
      skip_space();
      const std::size_t at = pos_;
      Op op;
      if (eat('+')) {
        op = Op::kAdd;
      } else if (eat('-')) {
        op = Op::kSubtract;
      } else {
        break;
      }
      const int rhs = product(c);
      lhs = add(c, {op, 0, {}, at, lhs, rhs});
    }
    return lhs;
  }

  int product(Criterion& c) {
    int lhs = unary(c);
    while (!failed()) {
      skip_space();
      const std::size_t at = pos_;
      Op op;
      if (eat('*')) {
        op = Op::kMultiply;
      } else if (eat('/')) {
        op = Op::kDivide;
      } else {
        break;
      }
      const int rhs = unary(c);
      lhs = add(c, {op, 0, {}, at, lhs, rhs});
    }
    return lhs;
  }

  int unary(Criterion& c) {
    if (++depth_ > kMaxDepth) {
      fail(pos_, fmt::format("expression nested more than {} levels deep", kMaxDepth));
      return -1;
    }
    const int result = primary(c);
    --depth_;
    return result;
  }

  int primary(Criterion& c) {
    skip_space();
    const std::size_t at = pos_;
    if (pos_ >= s_.size()) {
      fail(at, "expected a number or a KPI name at the end");
      return -1;
    }
    const char ch = s_[pos_];
    if (ch == '-') {
      ++pos_;
      const int operand = unary(c);
      return add(c, {Op::kNegate, 0, {}, at, operand, -1});
    }
    if (ch == '(') {
      ++pos_;
      const int inner = sum(c);
      if (failed()) return -1;
      if (!eat(')')) fail(pos_, "expected \")\"");
      return inner;
    }
    if ((ch >= '0' && ch <= '9') || ch == '.') {
      std::size_t end = pos_;
      while (end < s_.size() && ((s_[end] >= '0' && s_[end] <= '9') || s_[end] == '.')) ++end;
      if (end < s_.size() && (s_[end] == 'e' || s_[end] == 'E')) {
        std::size_t e = end + 1;
        if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
        const std::size_t digits = e;
        while (e < s_.size() && s_[e] >= '0' && s_[e] <= '9') ++e;
        if (e > digits) end = e;
      }
      double v = 0;
      auto [p, ec] = std::from_chars(s_.data() + pos_, s_.data() + end, v);
      if (ec != std::errc() || p != s_.data() + end || !std::isfinite(v)) {
        fail(at, fmt::format("invalid number \"{}\"", s_.substr(pos_, end - pos_)));
        return -1;
      }
      pos_ = end;
      if (pos_ < s_.size() && s_[pos_] == '%') {
        ++pos_;
        v /= 100.0;
      }
      return add(c, {Op::kNumber, v, {}, at, -1, -1});
    }
    if (ident_start(ch)) {
      std::size_t end = pos_ + 1;
      while (end < s_.size() && ident_char(s_[end])) ++end;
      // <source id>.<metric>
      if (end + 1 < s_.size() && s_[end] == '.' && ident_start(s_[end + 1])) {
        end += 2;
        while (end < s_.size() && ident_char(s_[end])) ++end;
      }
      std::string name(s_.substr(pos_, end - pos_));
      pos_ = end;
      return add(c, {Op::kKpi, 0, std::move(name), at, -1, -1});
    }
    fail(at, fmt::format("expected a number or a KPI name, found \"{}\"", s_.substr(pos_, 1)));
    return -1;
  }

  static bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::optional<CriterionSyntaxError> error_;
};

std::variant<Criterion, CriterionSyntaxError> Criterion::parse(std::string_view text) {
  return CriterionParser(text).run();
}

std::vector<Criterion::Identifier> Criterion::identifiers() const {
  std::vector<Identifier> out;
  for (const Term& t : terms_) {
    if (t.op == Term::Op::kKpi) out.push_back({t.name, t.offset});
  }
  std::sort(out.begin(), out.end(),
            [](const Identifier& a, const Identifier& b) { return a.offset < b.offset; });
  return out;
}

std::optional<double> Criterion::eval(
    int term, const std::function<std::optional<double>(std::string_view)>& kpi,
    bool& divided_by_zero) const {
  if (term < 0 || static_cast<std::size_t>(term) >= terms_.size()) return std::nullopt;
  const Term& t = terms_[static_cast<std::size_t>(term)];
  if (t.op == Term::Op::kNumber) return t.number;
  if (t.op == Term::Op::kKpi) return kpi(t.name);
  const std::optional<double> a = eval(t.lhs, kpi, divided_by_zero);
  if (!a) return std::nullopt;
  if (t.op == Term::Op::kNegate) return -*a;
  const std::optional<double> b = eval(t.rhs, kpi, divided_by_zero);
  if (!b) return std::nullopt;
  switch (t.op) {
    case Term::Op::kAdd:
      return *a + *b;
    case Term::Op::kSubtract:
      return *a - *b;
    case Term::Op::kMultiply:
      return *a * *b;
    case Term::Op::kDivide:
      if (*b == 0) {
        divided_by_zero = true;
        return 0.0;
      }
      return *a / *b;
    default:
      return std::nullopt;
  }
}

std::optional<bool> Criterion::evaluate(
    const std::function<std::optional<double>(std::string_view)>& kpi) const {
  bool divided_by_zero = false;
  const std::optional<double> a = eval(lhs_, kpi, divided_by_zero);
  const std::optional<double> b = eval(rhs_, kpi, divided_by_zero);
  if (!a || !b) return std::nullopt;
  if (divided_by_zero) return false;
  switch (compare_) {
    case Compare::kLess:
      return *a < *b;
    case Compare::kLessEqual:
      return *a <= *b;
    case Compare::kGreater:
      return *a > *b;
    case Compare::kGreaterEqual:
      return *a >= *b;
    case Compare::kEqual:
      return *a == *b;
    case Compare::kNotEqual:
      return *a != *b;
  }
  return std::nullopt;
}

}  // namespace lp
