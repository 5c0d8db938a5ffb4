// Every template variable: format, range, per-request sharing, determinism
// given a seed, CSV order and wrap-round, escaping.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "vectors_test_support.hpp"

namespace lp::vectors {
namespace {

using testing::payload_vector;
using testing::render_body;

std::chrono::system_clock::time_point fixed_time() {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(1767323045678));
}

TEST(Render, LiteralsAndEscapes) {
  VectorRuntime runtime(payload_vector("a $${seq} b $$ c $ d $${"));
  RenderContext ctx;
  EXPECT_EQ(render_body(runtime, ctx), "a ${seq} b $$ c $ d ${");
  EXPECT_EQ(runtime.last_sequence(), 0u);  // no ${seq} was drawn
}

TEST(Render, SeqIsSharedWithinARequestAndCounts) {
  VectorRuntime runtime(payload_vector("${seq}-${ seq }"));
  RenderContext ctx;
  EXPECT_EQ(render_body(runtime, ctx), "1-1");
  EXPECT_EQ(render_body(runtime, ctx), "2-2");
  EXPECT_EQ(runtime.last_sequence(), 2u);
  VectorRuntime fresh(payload_vector("${seq}"));
  EXPECT_EQ(render_body(fresh, ctx), "1");  // a runtime per run starts afresh
}

TEST(Render, SeqIsUniqueAcrossThreads) {
  VectorRuntime runtime(payload_vector("${seq}"));
  constexpr int kThreads = 4;
  constexpr int kEach = 5000;
  std::vector<std::vector<uint64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      RenderContext ctx(static_cast<uint64_t>(t));
      RenderedRequest out;
      for (int i = 0; i < kEach; ++i) {
        runtime.render(0, ctx, out);
        seen[t].push_back(std::stoull(out.body));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  for (const auto& s : seen) all.insert(s.begin(), s.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kEach));
}

TEST(Render, VuIsTheCallersId) {
  VectorRuntime runtime(payload_vector("user-${vu}"));
  RenderContext ctx;
  EXPECT_EQ(render_body(runtime, ctx), "user-0");
  ctx.set_vu(18446744073709551615ULL);
  EXPECT_EQ(render_body(runtime, ctx), "user-18446744073709551615");
}

TEST(Render, RandomIntStaysInRangeAndCoversIt) {
  VectorRuntime runtime(payload_vector("${random_int(1,100)} ${random_int(-5,-3)}"));
  RenderContext ctx(7);
  std::set<int> first;
  std::set<int> second;
  for (int i = 0; i < 5000; ++i) {
    const std::string body = render_body(runtime, ctx);
    const auto space = body.find(' ');
    first.insert(std::stoi(body.substr(0, space)));
    second.insert(std::stoi(body.substr(space + 1)));
  }
  EXPECT_EQ(first.size(), 100u);
  EXPECT_EQ(*first.begin(), 1);
  EXPECT_EQ(*first.rbegin(), 100);
  EXPECT_EQ(second, (std::set<int>{-5, -4, -3}));
}

TEST(Render, RandomIntFullRangeAndSingleValue) {
  VectorRuntime runtime(
      payload_vector("${random_int(-9223372036854775808,9223372036854775807)}|${random_int(7,7)}"));
  RenderContext ctx(1);
  const std::string body = render_body(runtime, ctx);
  EXPECT_EQ(body.substr(body.find('|')), "|7");
  EXPECT_NO_THROW((void)std::stoll(body.substr(0, body.find('|'))));
}

TEST(Render, RandomStringIsLowercaseAlphanumeric) {
  VectorRuntime runtime(payload_vector("${random_string(12)}/${random_string(1)}"));
  RenderContext ctx(3);
  const std::regex shape("[a-z0-9]{12}/[a-z0-9]");
  std::set<char> chars;
  for (int i = 0; i < 200; ++i) {
    const std::string body = render_body(runtime, ctx);
    EXPECT_TRUE(std::regex_match(body, shape)) << body;
    chars.insert(body.begin(), body.begin() + 12);
  }
  EXPECT_EQ(chars.size(), 36u);
}

TEST(Render, UuidIsVersion4AndFreshAtEachOccurrence) {
  VectorRuntime runtime(payload_vector("${uuid} ${uuid}"));
  RenderContext ctx(5);
  const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string body = render_body(runtime, ctx);
    const std::string a = body.substr(0, 36);
    const std::string b = body.substr(37);
    EXPECT_TRUE(std::regex_match(a, v4)) << a;
    EXPECT_TRUE(std::regex_match(b, v4)) << b;
    seen.insert(a);
    seen.insert(b);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(Render, TimeVariablesWithAFixedClock) {
  VectorRuntime runtime(payload_vector("${timestamp} ${timestamp_ms} ${now_iso}"));
  RenderContext ctx;
  ctx.set_fixed_time(fixed_time());
  EXPECT_EQ(render_body(runtime, ctx), "1767323045 1767323045678 2026-01-02T03:04:05.678Z");
}

TEST(Render, TimeVariablesFollowTheClock) {
  VectorRuntime runtime(payload_vector("${timestamp} ${now_iso}"));
  RenderContext ctx;
  const auto before = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string body = render_body(runtime, ctx);
  const long long stamp = std::stoll(body.substr(0, body.find(' ')));
  EXPECT_GE(stamp, before);
  EXPECT_LE(stamp, before + 5);
  EXPECT_TRUE(std::regex_match(body.substr(body.find(' ') + 1),
                               std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")));
}

TEST(Render, SameSeedSameRequestsWhateverTheInterleaving) {
  const LoadVector v = payload_vector("${random_int(1,1000000)} ${random_string(8)} ${uuid}");
  VectorRuntime runtime(v);
  RenderContext a(42);
  RenderContext b(42);
  RenderContext other(43);
  std::vector<std::string> a1, a2, b1, b2;
  for (int i = 0; i < 20; ++i) {
    a.set_vu(1);
    a1.push_back(render_body(runtime, a));
    a.set_vu(2);
    a2.push_back(render_body(runtime, a));
  }
  b.set_vu(2);  // the other order: users' streams are independent
  for (int i = 0; i < 20; ++i) b2.push_back(render_body(runtime, b));
  b.set_vu(1);
  for (int i = 0; i < 20; ++i) b1.push_back(render_body(runtime, b));
  EXPECT_EQ(a1, b1);
  EXPECT_EQ(a2, b2);
  EXPECT_NE(a1, a2);
  other.set_vu(1);
  EXPECT_NE(render_body(runtime, other), a1[0]);
}

TEST(Render, CsvInOrderWrapsRoundAndSharesTheRow) {
  VectorRuntime runtime(payload_vector("${csv(data/users.csv,email)}|${csv(data/users.csv,name)}"));
  RenderContext ctx;
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(render_body(runtime, ctx));
  EXPECT_EQ(got,
            (std::vector<std::string>{"a@example.com|Ann", "b@example.com|Bob", "c@example.com|Cid",
                                      "a@example.com|Ann", "b@example.com|Bob"}));
}

TEST(Render, CsvQuotedFieldsAndCrlf) {
  VectorRuntime runtime(payload_vector("${csv(data/users.csv,note)}|${csv(data/crlf.csv,name)}"));
  RenderContext ctx;
  EXPECT_EQ(render_body(runtime, ctx), "one, \"1\"|Xi");
}

TEST(Render, CsvRandomIsDeterministicAndCoversTheRows) {
  const LoadVector v =
      payload_vector("${csv_random(data/users.csv,email)} ${csv_random(data/users.csv,name)}");
  VectorRuntime runtime(v);
  RenderContext a(9);
  RenderContext b(9);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string body = render_body(runtime, a);
    EXPECT_EQ(body, render_body(runtime, b));
    seen.insert(body);
  }
  EXPECT_EQ(seen,
            (std::set<std::string>{"a@example.com Ann", "b@example.com Bob", "c@example.com Cid"}));
}

TEST(Render, MethodTargetAndHeaders) {
  const LoadVector v = testing::vector_of(R"([
      {"method": "PUT", "path": "/users/${vu}/cart?n=${seq}", "frequency": 100,
       "headers": {"X-Seq": "${seq}", "Accept": "application/json"},
       "payload_template": "{\"n\": ${seq}}"}])");
  VectorRuntime runtime(v);
  RenderContext ctx;
  ctx.set_vu(7);
  RenderedRequest out;
  runtime.render(0, ctx, out);
  EXPECT_EQ(out.method, "PUT");
  EXPECT_EQ(out.target, "/users/7/cart?n=1");
  EXPECT_EQ(out.body, "{\"n\": 1}");
  ASSERT_EQ(out.header_count(), 3u);
  EXPECT_EQ(out.header(0).name, "X-Seq");
  EXPECT_EQ(out.header(0).value, "1");
  EXPECT_EQ(out.header(1).name, "Accept");
  EXPECT_EQ(out.header(1).value, "application/json");
  EXPECT_EQ(out.header(2).name, "Content-Type");  // added for the payload
  EXPECT_EQ(out.header(2).value, "application/json");
  runtime.render(0, ctx, out);
  EXPECT_EQ(out.target, "/users/7/cart?n=2");
}

TEST(Render, GivenContentTypeHeaderIsNotDuplicated) {
  const LoadVector v = testing::vector_of(R"([
      {"method": "POST", "path": "/", "frequency": 100,
       "headers": {"content-type": "application/vnd.x+json"}, "payload_template": "{}"}])");
  VectorRuntime runtime(v);
  RenderContext ctx;
  RenderedRequest out;
  runtime.render(0, ctx, out);
  ASSERT_EQ(out.header_count(), 1u);
  EXPECT_EQ(out.header(0).value, "application/vnd.x+json");
}

TEST(Render, CaptureBeforeAnyValueIsEmptyAndCounted) {
  const LoadVector v = testing::vector_of(R"([
      {"method": "GET", "path": "/a", "frequency": 50, "capture": {"id": {"json": "/id"}}},
      {"method": "GET", "path": "/b/${capture.id}", "frequency": 50}])");
  VectorRuntime runtime(v);
  RenderContext ctx;
  RenderedRequest out;
  runtime.render(1, ctx, out);
  EXPECT_EQ(out.target, "/b/");
  EXPECT_EQ(ctx.stats().capture_misses, 1u);
}

}  // namespace
}  // namespace lp::vectors
