#include "env_subst.hpp"

#include <fmt/format.h>

#include "diagnostics.hpp"

namespace lp::plan {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

}  // namespace

EnvResult substitute_env(std::string_view text, const EnvLookup& env) {
  EnvResult r;
  if (text.find('$') == std::string_view::npos) {
    r.text = std::string(text);
    return r;
  }
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      r.text += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      r.text += text[i++];
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      r.errors.push_back(
          fmt::format("unterminated {} (missing \"}}\"; write $${{ for a literal ${{)",
                      quote(text.substr(i, 20))));
      r.text += text.substr(i);
      break;
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    const std::size_t sep = inner.find(":-");
    const std::string_view name = inner.substr(0, sep);
    if (!valid_name(name)) {
      r.errors.push_back(
          fmt::format("invalid variable reference {}: expected ${{NAME}} or ${{NAME:-default}}",
                      quote(text.substr(i, close - i + 1))));
      i = close + 1;
      continue;
    }
    std::optional<std::string> value = env ? env(std::string(name)) : std::nullopt;
    if (sep != std::string_view::npos && (!value || value->empty())) {
      value = std::string(inner.substr(sep + 2));
    }
    if (!value) {
      r.errors.push_back(
          fmt::format("environment variable {} is not set (use ${{{}:-default}} to give a default)",
                      quote(name), name));
      i = close + 1;
      continue;
    }
    r.text += *value;
    r.substituted = true;
    i = close + 1;
  }
  return r;
}

}  // namespace lp::plan
