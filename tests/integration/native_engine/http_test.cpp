// HTTP behaviour: outcome classification, framing, connection handling,
// failures, the request hook and drain.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "test_server.hpp"
#include "test_support.hpp"

namespace lp::native::testing {
namespace {

TEST(NativeEngineHttp, ClassifiesResponsesAndCountsBytes) {
  TestServer server;
  Engine engine(
      config_for(server.url(), {get("/"), get("/status/302"), get("/status/404"),
                                get("/status/500"), get("/status/204"), get("/chunked")}));
  engine.set_rate(300);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 600ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  ASSERT_GT(samples.size(), 100u);

  const int statuses[] = {200, 302, 404, 500, 204, 200};
  const lp_outcome outcomes[] = {LP_OUTCOME_OK,         LP_OUTCOME_OK, LP_OUTCOME_HTTP_ERROR,
                                 LP_OUTCOME_HTTP_ERROR, LP_OUTCOME_OK, LP_OUTCOME_OK};
  // "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
  const uint64_t plain_ok_bytes = 17 + 19 + 2 + 2;
  for (const auto& s : samples) {
    ASSERT_LT(s.request_type, 6u);
    EXPECT_EQ(s.status_code, statuses[s.request_type]);
    EXPECT_EQ(s.outcome, outcomes[s.request_type]);
    if (s.request_type == 0) {
      EXPECT_EQ(s.bytes_received, plain_ok_bytes);
    }
    if (s.request_type == 5) {
      EXPECT_GT(s.bytes_received, 3000u);
    }
    EXPECT_GE(s.latency_ns, s.service_ns);
    EXPECT_GT(s.service_ns, 0);
  }
}

TEST(NativeEngineHttp, HeadResponsesHaveNoBody) {
  TestServer server;
  RequestTemplate head = get("/");
  head.method = "HEAD";
  Engine engine(config_for(server.url(), {head, get("/")}, LoadModel::kClosed));
  engine.set_concurrency(2);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 300ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  ASSERT_GT(samples.size(), 20u);
  for (const auto& s : samples) {
    EXPECT_EQ(s.outcome, LP_OUTCOME_OK);
    EXPECT_EQ(s.bytes_received, s.request_type == 0 ? 38u : 40u);
  }
  EXPECT_EQ(server.connections(), 2u);  // the length of a HEAD did not desync keep-alive
}

TEST(NativeEngineHttp, ReconnectsAfterConnectionClose) {
  TestServer server;
  Engine engine(config_for(server.url(), {get("/close")}, LoadModel::kClosed));
  engine.set_concurrency(2);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 300ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  ASSERT_GT(samples.size(), 20u);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
  EXPECT_EQ(server.connections(), samples.size());
}

TEST(NativeEngineHttp, SurvivesServerClosingIdleKeepAliveConnections) {
  TestServer server;
  auto config = config_for(server.url(), {get("/idle-close")});
  config.connections = 1;
  Engine engine(config);
  engine.set_rate(40);  // 25 ms apart: some requests meet a connection being dropped
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 800ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  ASSERT_GT(samples.size(), 25u);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
}

TEST(NativeEngineHttp, RefusedConnectionIsConnectError) {
  const uint16_t port = closed_port();
  auto config = config_for("http://127.0.0.1:" + std::to_string(port), {get("/")});
  config.connections = 4;
  Engine engine(config);
  engine.set_rate(50);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 400ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  ASSERT_GT(samples.size(), 10u);
  for (const auto& s : samples) {
    EXPECT_EQ(s.outcome, LP_OUTCOME_CONNECT_ERROR);
    EXPECT_EQ(s.status_code, 0);
  }
  EXPECT_GE(engine.stats().connect_errors, samples.size());
}

TEST(NativeEngineHttp, RefusedConnectionInClosedModelBacksOff) {
  const uint16_t port = closed_port();
  Engine engine(
      config_for("http://127.0.0.1:" + std::to_string(port), {get("/")}, LoadModel::kClosed));
  engine.set_concurrency(2);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 300ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  // 2 users, >= 10 ms between attempts.
  ASSERT_GT(samples.size(), 4u);
  EXPECT_LE(samples.size(), 2u * 31u);
  for (const auto& s : samples) EXPECT_EQ(s.outcome, LP_OUTCOME_CONNECT_ERROR);
}

TEST(NativeEngineHttp, SlowResponseIsTimeout) {
  TestServer server;
  auto config = config_for(server.url(), {get("/sleep/2000")});
  config.request_timeout = 200ms;
  config.connections = 8;
  Engine engine(config);
  engine.set_rate(10);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 500ms, samples);
  engine.stop(1s);  // the ones in flight time out within the grace
  engine.drain(samples);
  ASSERT_GE(samples.size(), 4u);
  for (const auto& s : samples) {
    EXPECT_EQ(s.outcome, LP_OUTCOME_TIMEOUT);
    EXPECT_GE(s.latency_ns, 200 * kMs);
    EXPECT_LT(s.latency_ns, 400 * kMs);
  }
  EXPECT_EQ(engine.stats().timeouts, samples.size());
  EXPECT_EQ(engine.stats().aborted_at_stop, 0u);
}

TEST(NativeEngineHttp, HookSubstitutesPerRequest) {
  TestServer server;
  RequestTemplate post;
  post.name = "echo";
  post.method = "POST";
  post.target = "/echo";
  post.body = "template";
  auto config = config_for(server.url(), {post});
  std::atomic<int> next{0};
  config.on_request = [&next](std::size_t type, uint64_t, RequestBuilder& request) {
    EXPECT_EQ(type, 0u);
    request.add_header("X-Seq", "1");
    request.set_body("id=" + std::to_string(next++));
  };
  Engine engine(config);
  engine.set_rate(200);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 300ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  const auto bodies = server.bodies();
  ASSERT_EQ(bodies.size(), samples.size());
  const std::set<std::string> unique(bodies.begin(), bodies.end());
  EXPECT_EQ(unique.size(), bodies.size());
  EXPECT_TRUE(unique.count("id=0"));
  for (const auto& s : samples) EXPECT_EQ(s.outcome, LP_OUTCOME_OK);
}

// Each user's response comes back to the hook with the same vu its request
// had: the echo route answers with what that user sent.
TEST(NativeEngineHttp, ResponseHookSeesBodyAndHeadersForTheSameUser) {
  TestServer server;
  RequestTemplate post;
  post.name = "echo";
  post.method = "POST";
  post.target = "/echo";
  auto config = config_for(server.url(), {post}, LoadModel::kClosed);
  std::mutex mutex;
  std::map<uint64_t, std::string> sent;  // vu -> last body it sent
  uint64_t matched = 0;
  uint64_t mismatched = 0;
  bool saw_length_header = false;
  config.on_request = [&](std::size_t, uint64_t vu, RequestBuilder& request) {
    std::lock_guard lock(mutex);
    const std::string body =
        "vu=" + std::to_string(vu) + ";n=" + std::to_string(sent.size() + matched);
    sent[vu] = body;
    request.set_body(body);
  };
  config.on_response = [&](std::size_t type, uint64_t vu, const ResponseView& response) {
    EXPECT_EQ(type, 0u);
    EXPECT_EQ(response.status, 200);
    EXPECT_FALSE(response.body_truncated);
    std::lock_guard lock(mutex);
    for (const auto& field : response.headers) {
      if (field.name == "Content-Length") saw_length_header = true;
    }
    (response.body == sent[vu] ? matched : mismatched)++;
  };
  Engine engine(config);
  engine.set_concurrency(3);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 300ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  std::lock_guard lock(mutex);
  EXPECT_EQ(sent.size(), 3u);  // three users, three distinct vu ids
  EXPECT_GT(matched, 10u);
  EXPECT_EQ(mismatched, 0u);
  EXPECT_EQ(matched, samples.size());
  EXPECT_TRUE(saw_length_header);
}

TEST(NativeEngineHttp, ResponseHookGetsChunkedBodiesDecodedAndTruncated) {
  TestServer server;
  auto config = config_for(server.url(), {get("/chunked"), get("/")});
  config.max_response_body = 1000;
  config.response_types = {1, 0};  // only the chunked type
  std::atomic<int> calls{0};
  std::atomic<int> bad{0};
  config.on_response = [&](std::size_t type, uint64_t, const ResponseView& response) {
    ++calls;
    if (type != 0 || response.body != std::string(1000, 'c') || !response.body_truncated) ++bad;
    if (calls == 3) throw std::runtime_error("a hook that throws must not fail the sample");
  };
  Engine engine(config);
  engine.set_rate(200);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 300ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  int chunked = 0;
  for (const auto& s : samples) {
    EXPECT_EQ(s.outcome, LP_OUTCOME_OK);
    chunked += s.request_type == 0 ? 1 : 0;
  }
  EXPECT_GT(chunked, 5);
  EXPECT_EQ(calls.load(), chunked);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(engine.stats().hook_errors, 1u);
}

TEST(NativeEngineHttp, LargeBodiesBothWays) {
  TestServer server;
  RequestTemplate post;
  post.method = "POST";
  post.target = "/echo";
  post.body = std::string(256 * 1024, 'x');  // more than one socket write and read
  Engine engine(config_for(server.url(), {post}, LoadModel::kClosed));
  engine.set_concurrency(2);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 300ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  ASSERT_GT(samples.size(), 4u);
  for (const auto& s : samples) {
    EXPECT_EQ(s.outcome, LP_OUTCOME_OK);
    EXPECT_GT(s.bytes_received, 256u * 1024u);
  }
  for (const auto& body : server.bodies()) EXPECT_EQ(body.size(), 256u * 1024u);
  EXPECT_EQ(server.connections(), 2u);
}

TEST(NativeEngineHttp, HookFailureIsOtherError) {
  TestServer server;
  auto config = config_for(server.url(), {get("/")});
  config.on_request = [](std::size_t, uint64_t, RequestBuilder& request) {
    request.set_target("/a b");
  };
  Engine engine(config);
  engine.set_rate(100);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 200ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  ASSERT_GT(samples.size(), 5u);
  for (const auto& s : samples) EXPECT_EQ(s.outcome, LP_OUTCOME_OTHER_ERROR);
  EXPECT_EQ(engine.stats().hook_errors, samples.size());
  EXPECT_EQ(server.requests(), 0u);
}

TEST(NativeEngineHttp, DrainFromAnotherThreadLosesAndRepeatsNothing) {
  TestServer server;
  auto config = config_for(server.url(), {get("/")});
  config.connections = 8;
  Engine engine(config);
  engine.set_rate(2000);
  engine.start();
  std::vector<lp_sample> drained;
  std::atomic<bool> done{false};
  std::thread drainer([&] {
    while (!done) {
      engine.drain(drained);
      std::this_thread::sleep_for(1ms);
    }
  });
  std::this_thread::sleep_for(500ms);
  engine.stop(1s);
  done = true;
  drainer.join();
  engine.drain(drained);
  EXPECT_GT(drained.size(), 200u);
  EXPECT_EQ(drained.size(), server.requests());
  std::set<int64_t> intended;
  for (const auto& s : drained) intended.insert(s.intended_ns);
  EXPECT_EQ(intended.size(), drained.size());
}

TEST(NativeEngineHttp, RejectsBadConfig) {
  EXPECT_THROW(Engine(config_for("ftp://x", {get("/")})), std::invalid_argument);
  EXPECT_THROW(Engine(config_for("http://127.0.0.1:0", {get("/")})), std::invalid_argument);
  EXPECT_THROW(Engine(config_for("http://127.0.0.1:80", {})), std::invalid_argument);
  EXPECT_THROW(Engine(config_for("http://127.0.0.1", {get("/", 0)})), std::invalid_argument);
  EXPECT_THROW(Engine(config_for("http://127.0.0.1", {get("/a b")})), std::invalid_argument);
  Engine engine(config_for("http://127.0.0.1", {get("/a"), get("/b")}));
  const std::vector<double> wrong = {1};
  EXPECT_THROW(engine.set_mix(wrong), std::invalid_argument);
  const std::vector<double> negative = {1, -1};
  EXPECT_THROW(engine.set_mix(negative), std::invalid_argument);
}

}  // namespace
}  // namespace lp::native::testing
