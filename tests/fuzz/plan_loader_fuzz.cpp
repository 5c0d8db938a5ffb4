// libFuzzer target: arbitrary bytes as a plan. load_plan_from_string must
// never crash, throw, hang or leak; and a plan it accepts must load again,
// unchanged, from its own resolved JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "loadpilot/host/plan/plan_loader.hpp"
#include "test_catalog.hpp"

namespace {

const lp::PlanContext& context() {
  static const lp::testing::TestCatalog catalog;
  static const lp::PlanContext ctx = [] {
    lp::PlanContext c(catalog);
    c.env = [](const std::string& name) -> std::optional<std::string> {
      static const std::map<std::string, std::string> kEnv = {
          {"LP_HOST", "127.0.0.1"}, {"LP_RATE", "150"}, {"LP_EMPTY", ""}};
      auto it = kEnv.find(name);
      if (it == kEnv.end()) return std::nullopt;
      return it->second;
    };
    // Relative paths (suites, vectors, includes) resolve among the fixtures.
    c.base_dir = LOADPILOT_TEST_FIXTURES;
    c.repo_dir.clear();
    return c;
  }();
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const lp::PlanLoadResult result = lp::load_plan_from_string(text, "fuzz.yaml", context());
  if (result.ok() != result.errors.empty()) std::abort();
  for (const lp::PlanError& e : result.errors) {
    if (e.format().empty()) std::abort();
  }
  if (!result.plan) return 0;

  const std::string resolved =
      lp::to_json(*result.plan).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // "${" in a value would be substituted again: not the same plan.
  if (resolved.find("${") != std::string::npos) return 0;
  const lp::PlanLoadResult again = lp::load_plan_from_string(resolved, "resolved.json", context());
  if (!again.ok() || lp::to_json(*again.plan) != lp::to_json(*result.plan)) std::abort();
  return 0;
}
