// Values captured from responses (JSON pointer, regex, header) and used by
// later requests of the same virtual user.
#include <gtest/gtest.h>

#include "vectors_test_support.hpp"

namespace lp::vectors {
namespace {

LoadVector shop() {
  return testing::vector_of(R"json([
      {"name": "add", "method": "POST", "path": "/cart", "frequency": 50, "payload_template": "{}",
       "capture": {"cart_id": {"json": "/id"}, "token": {"regex": "token=([a-z0-9]+)"},
                   "loc": {"header": "Location"}, "digits": {"regex": "[0-9]{3}"},
                   "nested": {"json": "/nested"}, "body": {"json": ""}}},
      {"name": "use", "method": "GET",
       "path": "/use/${capture.cart_id}?t=${capture.token}&l=${capture.loc}", "frequency": 50}
  ])json");
}

constexpr std::string_view kBody =
    R"({"id": 42, "nested": {"a": [1, 2]}, "msg": "token=abc123 ok"})";

std::string use_target(const VectorRuntime& runtime, RenderContext& ctx) {
  RenderedRequest out;
  runtime.render(1, ctx, out);
  return out.target;
}

TEST(Captures, JsonPointerRegexAndHeader) {
  VectorRuntime runtime(shop());
  RenderContext ctx;
  const HeaderView headers[] = {{"Content-Type", "application/json"}, {"location", "/carts/9"}};
  EXPECT_EQ(runtime.apply_captures(0, 201, headers, kBody, ctx), 6u);
  EXPECT_EQ(ctx.capture("cart_id"), "42");    // a number is captured as its JSON text
  EXPECT_EQ(ctx.capture("token"), "abc123");  // the first group
  EXPECT_EQ(ctx.capture("loc"), "/carts/9");  // header names match case-insensitively
  EXPECT_EQ(ctx.capture("digits"), "123");    // no group: the whole match
  EXPECT_EQ(ctx.capture("nested"), R"({"a":[1,2]})");
  EXPECT_EQ(ctx.capture("body")->substr(0, 8), R"({"id":42)");
  EXPECT_EQ(use_target(runtime, ctx), "/use/42?t=abc123&l=/carts/9");
  EXPECT_EQ(ctx.stats().captured, 6u);
  EXPECT_EQ(ctx.stats().capture_misses, 0u);
}

TEST(Captures, MissesAreCountedPerUse) {
  VectorRuntime runtime(shop());
  RenderContext ctx;
  EXPECT_EQ(use_target(runtime, ctx), "/use/?t=&l=");
  EXPECT_EQ(ctx.stats().capture_misses, 3u);
}

TEST(Captures, BelongToOneVirtualUser) {
  VectorRuntime runtime(shop());
  RenderContext ctx;
  ctx.set_vu(1);
  const HeaderView headers[] = {{"Location", "/carts/1"}};
  runtime.apply_captures(0, 200, headers, kBody, ctx);
  ctx.set_vu(2);
  EXPECT_EQ(use_target(runtime, ctx), "/use/?t=&l=");
  ctx.set_vu(1);
  EXPECT_EQ(use_target(runtime, ctx), "/use/42?t=abc123&l=/carts/1");
  ctx.forget_vu(1);
  EXPECT_EQ(use_target(runtime, ctx), "/use/?t=&l=");
}

TEST(Captures, FailedRuleKeepsThePreviousValue) {
  VectorRuntime runtime(shop());
  RenderContext ctx;
  const HeaderView headers[] = {{"Location", "/carts/9"}};
  runtime.apply_captures(0, 200, headers, kBody, ctx);
  // Not JSON, no token, no digits, no Location: only "body"... which is not JSON either.
  EXPECT_EQ(runtime.apply_captures(0, 200, {}, "plain text", ctx), 0u);
  EXPECT_EQ(ctx.stats().capture_failures, 6u);
  EXPECT_EQ(use_target(runtime, ctx), "/use/42?t=abc123&l=/carts/9");
}

TEST(Captures, ErrorResponsesAreNotCaptured) {
  VectorRuntime runtime(shop());
  RenderContext ctx;
  const HeaderView headers[] = {{"Location", "/carts/9"}};
  EXPECT_EQ(runtime.apply_captures(0, 500, headers, kBody, ctx), 0u);
  EXPECT_EQ(ctx.stats().capture_failures, 6u);
  EXPECT_FALSE(ctx.capture("cart_id").has_value());
}

TEST(Captures, TypesWithoutRulesDoNothing) {
  VectorRuntime runtime(shop());
  RenderContext ctx;
  EXPECT_TRUE(runtime.has_captures(0));
  EXPECT_TRUE(runtime.needs_body(0));
  EXPECT_FALSE(runtime.has_captures(1));
  EXPECT_EQ(runtime.apply_captures(1, 200, {}, kBody, ctx), 0u);
  EXPECT_EQ(ctx.stats().capture_failures, 0u);
}

TEST(Captures, AnotherVectorStartsAfresh) {
  VectorRuntime first(shop());
  VectorRuntime second(shop());  // same text, another program: its own slots
  RenderContext ctx;
  first.apply_captures(0, 200, {}, kBody, ctx);
  EXPECT_EQ(use_target(second, ctx), "/use/?t=&l=");
}

TEST(Captures, RegexOnAHugeBodyDoesNotOverflowTheStack) {
  VectorRuntime runtime(shop());
  RenderContext ctx;
  const std::string body = "x token=" + std::string(2'000'000, 'a') + " y";
  runtime.apply_captures(0, 200, {}, body, ctx);
  EXPECT_EQ(ctx.capture("token")->size(), 2'000'000u);
}

}  // namespace
}  // namespace lp::vectors
