// Shared setup for plan tests: the test catalog, a fixed environment, and
// loading fixtures by relative name so messages (and goldens) stay stable.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "loadpilot/host/plan/plan_loader.hpp"
#include "test_catalog.hpp"

namespace lp::testing {

inline const std::filesystem::path kFixtures = LOADPILOT_TEST_FIXTURES;

// The environment every fixture sees (tests/unit/plan/fixtures/*.yaml use these).
inline std::map<std::string, std::string> fixture_env() {
  return {{"LP_HOST", "127.0.0.1"}, {"LP_RATE", "150"}, {"LP_EMPTY", ""}};
}

inline PlanContext fixture_context(const TestCatalog& catalog,
                                   std::map<std::string, std::string> env = fixture_env()) {
  PlanContext ctx(catalog);
  ctx.env = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  ctx.base_dir = kFixtures;
  ctx.repo_dir.clear();  // only the fixtures' own vectors/
  return ctx;
}

// Runs with the fixtures dir as the working directory, as a user would run
// `loadpilot validate plan.yaml` next to their plan.
class InFixtures {
 public:
  InFixtures() : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(kFixtures);
  }
  ~InFixtures() { std::filesystem::current_path(previous_); }
  InFixtures(const InFixtures&) = delete;
  InFixtures& operator=(const InFixtures&) = delete;

 private:
  std::filesystem::path previous_;
};

inline PlanLoadResult load_fixture(const std::string& name, const TestCatalog& catalog) {
  InFixtures here;
  return load_plan(name, fixture_context(catalog));
}

}  // namespace lp::testing
