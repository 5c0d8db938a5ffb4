// The C++ SDK seen from the host: trampolines, exceptions turned into status
// codes, outputs kept alive, plugin metadata.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "loadpilot/host/plugin/component.hpp"
#include "loadpilot/host/plugin/plugin_registry.hpp"

namespace lp {
namespace {

class SdkWrapper : public ::testing::Test {
 protected:
  void SetUp() override { registry.load_library(LOADPILOT_SDK_TEST_PLUGIN); }
  PluginRegistry registry;
  std::vector<std::pair<std::string, double>> metrics;
  HostServices services{"sdk-test", [this](std::string_view, std::string_view name, double v,
                                           std::int64_t, std::span<const lp_label>) {
                          metrics.emplace_back(std::string(name), v);
                        }};
};

TEST_F(SdkWrapper, DescriptorCarriesPluginAndAbiVersions) {
  ASSERT_EQ(registry.plugins().size(), 1u);
  const auto& p = registry.plugins()[0];
  EXPECT_EQ(p.name, "sdk-test");
  EXPECT_EQ(p.version, "2.3.4");
  EXPECT_EQ(p.abi_major, static_cast<std::uint32_t>(LP_ABI_VERSION_MAJOR));
  EXPECT_EQ(p.components.size(), 6u);
  for (lp_kind k : {LP_KIND_TOOL, LP_KIND_PROVIDER, LP_KIND_FORECASTER, LP_KIND_DETECTOR,
                    LP_KIND_SOURCE, LP_KIND_SINK}) {
    EXPECT_EQ(registry.type_names(k).size(), 1u) << kind_name(k);
  }
}

TEST_F(SdkWrapper, DetectorWorksAndEmitsMetricsThroughHostServices) {
  Component c(registry, LP_KIND_DETECTOR, "test-zscore", "{}", services);
  DetectorClient d(c);
  EXPECT_EQ(d.warmup(), 3u);
  for (double v : {10.0, 11.0, 9.0, 10.5, 9.5}) EXPECT_FALSE(d.observe(0, std::vector{v}).flag);
  const auto r = d.observe(0, std::vector{100.0});
  EXPECT_TRUE(r.flag);
  EXPECT_LT(r.expected_high, 100.0);
  ASSERT_EQ(metrics.size(), 6u);
  EXPECT_EQ(metrics[0].first, "zscore_mean");
}

TEST_F(SdkWrapper, ExceptionsBecomeStatusAndMessage) {
  Component c(registry, LP_KIND_DETECTOR, "test-zscore", "{}", services);
  DetectorClient d(c);
  try {
    d.observe(0, std::vector{std::nan("")});
    FAIL();
  } catch (const ComponentError& e) {
    EXPECT_EQ(std::string(e.what()), "detector \"test-zscore\": observe: NaN input");
    EXPECT_EQ(e.status(), LP_ERR_FAILED);
  }
  try {
    d.observe(0, {});
    FAIL();
  } catch (const ComponentError& e) {
    EXPECT_EQ(e.status(), LP_ERR_INVALID_ARGUMENT);  // lp::sdk::Error carries its status
  }
}

TEST_F(SdkWrapper, ThrowingConstructorFailsCreateCleanly) {
  try {
    Component c(registry, LP_KIND_DETECTOR, "test-zscore", R"({"explode": true})", services);
    FAIL();
  } catch (const ComponentError& e) {
    EXPECT_EQ(std::string(e.what()), "detector \"test-zscore\": create: boom");
  }
}

TEST_F(SdkWrapper, ValidateReportsConfigErrors) {
  const auto err = registry.validate_config(LP_KIND_DETECTOR, "test-zscore", R"({"k": 0.5})");
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err, "k = 0.5 is too small to be useful");
  EXPECT_FALSE(registry.validate_config(LP_KIND_DETECTOR, "test-zscore", R"({"k": 2})"));
}

TEST_F(SdkWrapper, ForecasterRoundTripThroughTheCAbi) {
  Component c(registry, LP_KIND_FORECASTER, "test-repeat", "{}", services);
  const auto* ops = static_cast<const lp_forecaster_ops*>(c.ops());
  const std::vector<double> values{1, 2, 3};
  lp_series s{1000, 10, values.data(), nullptr, values.size()};
  c.call("fit", [&](lp_error* e) { return ops->fit(c.handle(), &s, nullptr, 0, e); });
  const double q[] = {0.1, 0.9};
  const std::string name = "sale";
  lp_event ev{{name.data(), name.size()}, 0, 1, 2.0};
  lp_forecast f{};
  f.struct_size = sizeof f;
  c.call("predict",
         [&](lp_error* e) { return ops->predict(c.handle(), 4, q, 2, &ev, 1, &f, e); });
  ASSERT_EQ(f.count, 4u);
  EXPECT_EQ(f.start_ns, 1030);
  EXPECT_DOUBLE_EQ(f.mean[3], 2.0);           // 1 * multiplier 2
  EXPECT_DOUBLE_EQ(f.quantiles[2 * 1 + 1], 4 * 1.4);  // step 1 (value 2*2), q 0.9
  lp_str state{};
  c.call("save", [&](lp_error* e) { return ops->save(c.handle(), &state, e); });
  EXPECT_EQ(std::string(state.ptr, state.len), "3");
  // No load() in this component: the SDK answers "unsupported", not a crash.
  try {
    c.call("load", [&](lp_error* e) { return ops->load(c.handle(), state, e); });
    FAIL();
  } catch (const ComponentError& e) {
    EXPECT_EQ(e.status(), LP_ERR_UNSUPPORTED);
  }
}

TEST_F(SdkWrapper, SinkSourceProviderAndToolTables) {
  {
    Component c(registry, LP_KIND_SINK, "test-sum", "{}", services);
    SinkClient sink(c);
    const std::string n = "x";
    lp_metric_point pts[2] = {{{n.data(), 1}, nullptr, 0, 1.5, 0}, {{n.data(), 1}, nullptr, 0, 2.5, 0}};
    sink.write(pts);
    sink.flush();
    ASSERT_FALSE(metrics.empty());
    EXPECT_EQ(metrics.back(), (std::pair<std::string, double>{"sum_total", 4.0}));
  }
  {
    Component c(registry, LP_KIND_SOURCE, "test-counter", "{}", services);
    const auto* ops = static_cast<const lp_source_ops*>(c.ops());
    const lp_metric_point* pts = nullptr;
    size_t n = 0;
    c.call("poll", [&](lp_error* e) { return ops->poll(c.handle(), &pts, &n, e); });
    c.call("poll", [&](lp_error* e) { return ops->poll(c.handle(), &pts, &n, e); });
    ASSERT_EQ(n, 2u);
    EXPECT_EQ(std::string(pts[0].name.ptr, pts[0].name.len), "polls");
    EXPECT_DOUBLE_EQ(pts[0].value, 2.0);
    ASSERT_EQ(pts[0].label_count, 1u);
    EXPECT_EQ(std::string(pts[0].labels[0].value.ptr, pts[0].labels[0].value.len), "counter");
    lp_series out{};
    try {
      c.call("query_range",
             [&](lp_error* e) { return ops->query_range(c.handle(), {"q", 1}, 0, 1, 1, &out, e); });
      FAIL();
    } catch (const ComponentError& e) {
      EXPECT_EQ(e.status(), LP_ERR_UNSUPPORTED);
    }
  }
  {
    Component c(registry, LP_KIND_PROVIDER, "test-fleet", "{}", services);
    const auto* ops = static_cast<const lp_provider_ops*>(c.ops());
    c.call("scale_to", [&](lp_error* e) { return ops->scale_to(c.handle(), {"big", 3}, 2, e); });
    const lp_generator* g = nullptr;
    size_t n = 0;
    c.call("list", [&](lp_error* e) { return ops->list(c.handle(), &g, &n, e); });
    ASSERT_EQ(n, 2u);
    EXPECT_EQ(std::string(g[1].id.ptr, g[1].id.len), "g1");
    EXPECT_EQ(std::string(g[1].instance_type.ptr, g[1].instance_type.len), "big");
    EXPECT_THROW(c.call("scale_to",
                        [&](lp_error* e) { return ops->scale_to(c.handle(), {"huge", 4}, 1, e); }),
                 ComponentError);
  }
  {
    Component c(registry, LP_KIND_TOOL, "test-ticker", "{}", services);
    const auto* ops = static_cast<const lp_tool_ops*>(c.ops());
    const lp_str* names = nullptr;
    size_t n = 0;
    c.call("request_types",
           [&](lp_error* e) { return ops->request_types(c.handle(), &names, &n, e); });
    ASSERT_EQ(n, 2u);
    EXPECT_EQ(std::string(names[1].ptr, names[1].len), "POST /b");
    lp_tool_target t{sizeof t, 50.0, -1, -1, nullptr, 0};
    c.call("start", [&](lp_error* e) { return ops->start(c.handle(), &t, e); });
    lp_sample_batch batch{sizeof batch, nullptr, 0, 0};
    lp_tool_status st{};
    st.struct_size = sizeof st;
    c.call("poll", [&](lp_error* e) { return ops->poll(c.handle(), &batch, &st, e); });
    ASSERT_EQ(batch.count, 1u);
    EXPECT_EQ(batch.stride, sizeof(lp_sample));
    EXPECT_EQ(static_cast<const lp_sample*>(batch.samples)->request_type, 1u);
    EXPECT_DOUBLE_EQ(st.offered_rate_per_s, 50.0);
  }
}

}  // namespace
}  // namespace lp
