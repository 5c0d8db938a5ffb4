// The demo target's pieces without a process: parsing, routing, the catalogue, draws, and the
// exposition checked by the same reader the process tests use.
#include <gtest/gtest.h>

#include "catalogue.hpp"
#include "deterministic_random.hpp"
#include "duration.hpp"
#include "exposition.hpp"
#include "prometheus_text.hpp"
#include "router.hpp"

namespace lp::demo_target {
namespace {

using namespace std::chrono_literals;
namespace http = boost::beast::http;

TEST(DemoTargetDuration, ParsesUnits) {
  EXPECT_EQ(parse_duration("200ms"), Duration(200ms));
  EXPECT_EQ(parse_duration("5s"), Duration(5s));
  EXPECT_EQ(parse_duration("30m"), Duration(30min));
  EXPECT_EQ(parse_duration("1.5h"), Duration(90min));
  EXPECT_EQ(parse_duration("250us"), Duration(250us));
  EXPECT_EQ(parse_duration("0"), Duration::zero());
  EXPECT_EQ(parse_duration("0s"), Duration::zero());
}

TEST(DemoTargetDuration, RejectsJunk) {
  for (const char* bad :
       {"", "5", "s", "ms", "-5s", "5 s", "5sec", "inf s", "nanms", "1e3s", "5x"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(DemoTargetDuration, FormatsShortest) {
  EXPECT_EQ(format_duration(200ms), "200ms");
  EXPECT_EQ(format_duration(30min), "30m");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(Duration::zero()), "0");
}

TEST(DemoTargetRouter, ClassifiesPathsAndMethods) {
  EXPECT_EQ(classify(http::verb::get, "/health").route, Route::kHealth);
  EXPECT_EQ(classify(http::verb::get, "/api/items/12").route, Route::kItem);
  EXPECT_EQ(classify(http::verb::get, "/api/items/12/x").route, Route::kNotFound);
  EXPECT_EQ(classify(http::verb::get, "/api/items/").route, Route::kNotFound);
  const auto cart = classify(http::verb::get, "/api/cart");
  EXPECT_EQ(cart.route, Route::kCart);
  EXPECT_FALSE(cart.method_allowed);
  EXPECT_EQ(cart.allow, "POST");
  EXPECT_TRUE(classify(http::verb::post, "/admin/config").method_allowed);
  EXPECT_TRUE(classify(http::verb::get, "/admin/config").method_allowed);
  EXPECT_FALSE(classify(http::verb::delete_, "/health").method_allowed);
}

TEST(DemoTargetRouter, ReadsQueryParameters) {
  const auto t = split_target("/api/search?q=red+lamp%21&page=2&empty");
  EXPECT_EQ(t.path, "/api/search");
  EXPECT_EQ(query_param(t.query, "q"), "red lamp!");
  EXPECT_EQ(query_param(t.query, "page"), "2");
  EXPECT_EQ(query_param(t.query, "empty"), "");
  EXPECT_FALSE(query_param(t.query, "missing").has_value());
  EXPECT_EQ(query_param("q=100%", "q"), "100%");
}

TEST(DemoTargetCatalogue, FindsPagesAndSearches) {
  const Catalogue c;
  ASSERT_NE(c.find(1), nullptr);
  EXPECT_EQ(c.find(1)->name, "Red Chair 1");
  EXPECT_EQ(c.find(0), nullptr);
  EXPECT_EQ(c.find(Catalogue::kSize + 1), nullptr);
  EXPECT_EQ(c.page(0).size(), Catalogue::kPageSize);
  EXPECT_TRUE(c.page(Catalogue::kSize / Catalogue::kPageSize).empty());
  const auto found = c.search("QUIET desk", 3);
  ASSERT_EQ(found.size(), 3u);
  for (const Item* it : found) {
    EXPECT_NE(it->name.find("Quiet Desk"), std::string::npos);
  }
}

TEST(DemoTargetRandom, DrawsAreReproducibleAndUniformEnough) {
  int below_half = 0;
  for (std::uint64_t n = 0; n < 10000; ++n) {
    const double u = uniform_draw(7, RandomStream::kFail, n);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    EXPECT_EQ(u, uniform_draw(7, RandomStream::kFail, n));
    below_half += u < 0.5;
  }
  EXPECT_NEAR(below_half, 5000, 300);
  EXPECT_NE(uniform_draw(7, RandomStream::kFail, 0), uniform_draw(8, RandomStream::kFail, 0));
  EXPECT_NE(uniform_draw(7, RandomStream::kFail, 0), uniform_draw(7, RandomStream::kJitter, 0));
}

TEST(DemoTargetExposition, IsValidPrometheusText) {
  Metrics m;
  m.record_response(Route::kItems, 200);
  m.record_response(Route::kFail, 500);
  m.record_response(Route::kItems, 302);  // counted as "other"
  m.record_rejected(Route::kCheckout);
  m.observe_latency(0.003);
  m.observe_latency(42.0);
  ExpositionInput in{m};
  in.workers = 8;
  in.queue_capacity = 64;
  in.service_time_ms = 10;
  in.multipliers.fill(1.0);
  const auto text = lp::test::parse_prometheus_text(render_prometheus(in));
  ASSERT_TRUE(text.errors.empty()) << text.errors.front();
  EXPECT_EQ(text.value("demo_target_capacity_requests_per_second"), 800.0);
  EXPECT_EQ(text.value("demo_target_http_responses_total", {{"code", "other"}}), 1.0);
  EXPECT_EQ(text.value("demo_target_rejected_total", {{"route", "checkout"}}), 1.0);
  EXPECT_EQ(text.value("demo_target_request_duration_seconds_bucket", {{"le", "0.005"}}), 1.0);
  EXPECT_EQ(text.value("demo_target_request_duration_seconds_bucket", {{"le", "+Inf"}}), 2.0);
}

TEST(DemoTargetExposition, ReaderCatchesMalformedText) {
  using lp::test::parse_prometheus_text;
  EXPECT_FALSE(parse_prometheus_text("x 1\n").errors.empty());  // no TYPE
  EXPECT_FALSE(parse_prometheus_text("# TYPE x gauge\nx{a=1} 1\n").errors.empty());
  EXPECT_FALSE(parse_prometheus_text("# TYPE x gauge\nx one\n").errors.empty());
  EXPECT_FALSE(parse_prometheus_text("# TYPE x gauge\nx 1\nx 2\n").errors.empty());
  EXPECT_FALSE(parse_prometheus_text("# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a=\"b\"} 1\n")
                   .errors.empty());
  EXPECT_TRUE(
      parse_prometheus_text("# HELP x h\n# TYPE x gauge\nx{a=\"b\\\"\"} 1\n").errors.empty());
}

}  // namespace
}  // namespace lp::demo_target
