// What every forecaster plugin test shares: the plugins loaded once per test
// suite through the host's registry, an instance per test, and hourly series.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "loadpilot/host/plugin/component.hpp"
#include "loadpilot/host/plugin/plugin_registry.hpp"

namespace lp::testing {

inline constexpr std::int64_t kHour = 3'600'000'000'000;
inline constexpr std::int64_t kStart = 1'700'000'000'000'000'000 / kHour * kHour;

struct ForecasterInstance {
  std::unique_ptr<HostServices> services;
  std::unique_ptr<Component> component;
  std::unique_ptr<ForecasterClient> client;
};

class ForecasterTest : public ::testing::Test {
 protected:
  // Call from SetUpTestSuite with the plugin files, e.g. {"forecast_ets.so"}.
  static void load(std::initializer_list<const char*> libraries) {
    registry_ = new PluginRegistry();
    for (const char* name : libraries) {
      registry_->load_library(std::filesystem::path(LOADPILOT_PLUGIN_BUILD_DIR) / name);
    }
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }
  static ForecasterInstance make_forecaster(const std::string& type,
                                            const std::string& config = "{}") {
    ForecasterInstance i;
    i.services = std::make_unique<HostServices>("forecast/" + type);
    i.component =
        std::make_unique<Component>(*registry_, LP_KIND_FORECASTER, type, config, *i.services);
    i.client = std::make_unique<ForecasterClient>(*i.component);
    return i;
  }
  static inline PluginRegistry* registry_ = nullptr;
};

// n hourly values f(0..n-1) from kStart.
inline TimeSeries series(std::size_t n, const std::function<double(std::size_t)>& f) {
  TimeSeries s;
  s.start_ns = kStart;
  s.step_ns = kHour;
  for (std::size_t t = 0; t < n; ++t) s.values.push_back(f(t));
  return s;
}

}  // namespace lp::testing
