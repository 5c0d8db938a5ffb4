#include "capture.hpp"

#include <fmt/format.h>

#include "text_util.hpp"

namespace lp::vectors::detail {
namespace {

std::optional<std::string> pointer_problem(std::string_view pointer) {
  if (!pointer.empty() && pointer.front() != '/') {
    return std::string("it must be empty (the whole body) or start with \"/\"");
  }
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~' &&
        (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
      return std::string("\"~\" must be followed by 0 or 1 (\"~0\" is \"~\", \"~1\" is \"/\")");
    }
  }
  return std::nullopt;
}

// libstdc++'s polynomial mode cannot run backreferences, so they are refused.
bool has_backreference(std::string_view regex) {
  for (std::size_t i = 0; i + 1 < regex.size(); ++i) {
    if (regex[i] != '\\') continue;
    const char next = regex[i + 1];
    if ((next >= '1' && next <= '9') || next == 'k') return true;
    ++i;  // skip the escaped character
  }
  return false;
}

std::regex::flag_type regex_flags() {
#if defined(__GLIBCXX__)
  // libstdc++'s default (backtracking) executor recurses once per character
  // matched, so a long match in a large body overflows the stack; the
  // polynomial (breadth-first) executor's depth does not grow with the input.
  return std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
  return std::regex::ECMAScript;
#endif
}

}  // namespace

std::variant<CompiledCapture, std::string> compile_capture(const CaptureRule& rule, uint32_t slot) {
  CompiledCapture out;
  out.slot = slot;
  out.source = rule.source;
  switch (rule.source) {
    case CaptureSource::kJsonPointer:
      if (auto problem = pointer_problem(rule.expression)) {
        return fmt::format("bad JSON pointer {}: {}", quote(rule.expression), *problem);
      }
      out.pointer = nlohmann::json::json_pointer(rule.expression);
      break;
    case CaptureSource::kRegex:
      if (has_backreference(rule.expression)) {
        return fmt::format("bad regex {}: backreferences are not supported",
                           quote(rule.expression));
      }
      try {
        out.regex.emplace(rule.expression, regex_flags());
      } catch (const std::regex_error& e) {
        return fmt::format("bad regex {}: {}", quote(rule.expression), e.what());
      }
      break;
    case CaptureSource::kHeader:
      out.header = rule.expression;
      break;
  }
  return out;
}

bool extract(const CompiledCapture& rule, std::span<const HeaderView> headers,
             std::string_view body, const nlohmann::json& doc, std::string& out) {
  switch (rule.source) {
    case CaptureSource::kHeader:
      for (const HeaderView& h : headers) {
        if (iequals(h.name, rule.header)) {
          out.assign(h.value);
          return true;
        }
      }
      return false;
    case CaptureSource::kJsonPointer: {
      if (doc.is_discarded() || !doc.contains(rule.pointer)) return false;
      const nlohmann::json& value = doc.at(rule.pointer);
      if (value.is_string()) {
        out.assign(value.get_ref<const std::string&>());
      } else {
        out = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
      return true;
    }
    case CaptureSource::kRegex: {
      std::match_results<std::string_view::const_iterator> match;
      if (!std::regex_search(body.begin(), body.end(), match, *rule.regex)) return false;
      const auto& group = match.size() > 1 && match[1].matched ? match[1] : match[0];
      out.assign(group.first, group.second);
      return true;
    }
  }
  return false;
}

}  // namespace lp::vectors::detail
