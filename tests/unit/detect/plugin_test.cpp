// The detector plugins as the host loads them: every type from the built
// plugin directory flags an injected spike; bad configs and inputs give
// errors that name the component.
#include <gtest/gtest.h>

#include <filesystem>

#include "loadpilot/host/plugin/component.hpp"
#include "loadpilot/host/plugin/plugin_registry.hpp"
#include "series.hpp"

namespace lp::detect::testing {
namespace {

class DetectorPlugins : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    for (const char* name : {"detect_stats.so", "detect_ml.so"}) {
      registry_->load_library(std::filesystem::path(LOADPILOT_PLUGIN_BUILD_DIR) / name);
    }
  }
  static void TearDownTestSuite() {
    delete registry_;  // the libraries stay mapped: the host never unloads
    registry_ = nullptr;
  }
  static PluginRegistry* registry_;
};
PluginRegistry* DetectorPlugins::registry_ = nullptr;

TEST_F(DetectorPlugins, EveryTypeFlagsASpike) {
  const auto series = with_spike(1500, 1000, 10, 12);
  for (const char* type : {"ewma", "mad", "cusum", "iforest", "ocsvm"}) {
    HostServices services(std::string("detector/") + type);
    Component c(*registry_, LP_KIND_DETECTOR, type, "{}", services);
    DetectorClient d(c);
    EXPECT_GT(d.warmup(), 0u) << type;
    std::vector<bool> flags;
    for (std::size_t i = 0; i < series.size(); ++i) {
      const auto r = d.observe(static_cast<std::int64_t>(i) * 1'000'000'000, {&series[i], 1});
      EXPECT_GE(r.score, 0) << type;
      EXPECT_LE(r.score, 1) << type;
      flags.push_back(r.flag);
    }
    EXPECT_TRUE(flags[1000]) << type;
    EXPECT_LT(flag_rate(flags, d.warmup(), flags.size()), 0.02) << type;
  }
}

TEST_F(DetectorPlugins, ConfigAndInputErrorsNameTheComponent) {
  EXPECT_TRUE(registry_->validate_config(LP_KIND_DETECTOR, "ewma", R"({"alpha": 2})").has_value());
  EXPECT_TRUE(
      registry_->validate_config(LP_KIND_DETECTOR, "iforest", R"({"trees": 0})").has_value());
  EXPECT_FALSE(
      registry_->validate_config(LP_KIND_DETECTOR, "ocsvm", R"({"nu": 0.05})").has_value());
  HostServices services("detector/iforest");
  try {
    Component c(*registry_, LP_KIND_DETECTOR, "iforest", R"({"window": 16, "train_min": 64})",
                services);
    FAIL() << "window < train_min must be refused";
  } catch (const ComponentError& e) {
    EXPECT_NE(std::string(e.what()).find("window must be >= train_min"), std::string::npos)
        << e.what();
  }
  Component band(*registry_, LP_KIND_DETECTOR, "band", "{}", services);
  DetectorClient client(band);
  const double one = 1;
  try {
    client.observe(0, {&one, 1});
    FAIL() << "band needs three values";
  } catch (const ComponentError& e) {
    EXPECT_NE(std::string(e.what()).find("band expects [observed, low, high]"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace lp::detect::testing
