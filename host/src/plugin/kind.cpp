#include "loadpilot/host/plugin/component_catalog.hpp"

#include <array>
#include <utility>

namespace lp {
namespace {
constexpr std::array<std::pair<lp_kind, std::string_view>, 6> kKinds{{
    {LP_KIND_TOOL, "tool"},
    {LP_KIND_PROVIDER, "provider"},
    {LP_KIND_FORECASTER, "forecaster"},
    {LP_KIND_DETECTOR, "detector"},
    {LP_KIND_SOURCE, "source"},
    {LP_KIND_SINK, "sink"},
}};
}  // namespace

std::string_view kind_name(lp_kind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<lp_kind> kind_from_name(std::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

}  // namespace lp
