// Small text helpers for error messages: JSON pointers, "did you mean",
// describing a value that was found, printing numbers as people write them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lp::vectors::detail {

// Appends one reference token to a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_join(std::string_view pointer, std::string_view token);
std::string pointer_join(std::string_view pointer, std::size_t index);

// The candidate closest to `word` by edit distance, if close enough to be a
// plausible typo.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// "; did you mean \"x\"?" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// 95 -> "95", 99.99 -> "99.99"; rounds off float noise past 9 decimals.
std::string format_number(double value);

// A JSON string literal (quotes and escapes), for messages.
std::string quote(std::string_view text);

// `"text"` for a string (cut at 40 characters), the number, true/false/null,
// "an object", "an array".
template <class Json>
std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string: {
      const auto& s = value.template get_ref<const std::string&>();
      return s.size() > 40 ? quote(s.substr(0, 40)) + "..." : quote(s);
    }
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::number_float:
      return format_number(value.template get<double>());
    default:
      return value.dump();
  }
}

bool iequals(std::string_view a, std::string_view b);

}  // namespace lp::vectors::detail
