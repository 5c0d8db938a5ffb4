// HTTPS against a server with a certificate made for the test.
#include <gtest/gtest.h>

#include "self_signed.hpp"
#include "test_server.hpp"
#include "test_support.hpp"

namespace lp::native::testing {
namespace {

class NativeEngineTls : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = make_self_signed();
    ca_file_ = dir_.write("ca.pem", cert_.cert_pem);
    server_ = std::make_unique<TestServer>(
        TestServer::Options{.tls = true, .cert_pem = cert_.cert_pem, .key_pem = cert_.key_pem});
  }

  std::vector<lp_sample> run(EngineConfig config) {
    Engine engine(std::move(config));
    engine.set_concurrency(4);
    engine.start();
    std::vector<lp_sample> samples;
    run_for(engine, 300ms, samples);
    engine.stop(1s);
    engine.drain(samples);
    return samples;
  }

  TempDir dir_;
  SelfSigned cert_;
  std::string ca_file_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(NativeEngineTls, VerifiesByHostNameWithTheGivenCa) {
  auto config = config_for("https://localhost:" + std::to_string(server_->port()), {get("/")},
                           LoadModel::kClosed);
  config.ca_file = ca_file_;
  const auto samples = run(config);
  ASSERT_GT(samples.size(), 20u);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
  EXPECT_EQ(server_->connections(), 4u);  // keep-alive over TLS
}

TEST_F(NativeEngineTls, VerifiesByIpAddressWithTheGivenCa) {
  auto config = config_for(server_->url(), {get("/"), get("/status/404")}, LoadModel::kClosed);
  config.ca_file = ca_file_;
  const auto samples = run(config);
  ASSERT_GT(samples.size(), 20u);
  for (const auto& s : samples) {
    EXPECT_EQ(s.outcome, s.request_type == 0 ? LP_OUTCOME_OK : LP_OUTCOME_HTTP_ERROR);
  }
}

TEST_F(NativeEngineTls, UntrustedCertificateIsConnectError) {
  // The system store does not know the test's certificate.
  const auto samples = run(config_for(server_->url(), {get("/")}, LoadModel::kClosed));
  ASSERT_FALSE(samples.empty());
  for (const auto& s : samples) EXPECT_EQ(s.outcome, LP_OUTCOME_CONNECT_ERROR);
  EXPECT_EQ(server_->requests(), 0u);
}

TEST_F(NativeEngineTls, VerifyOffAcceptsAnyCertificate) {
  auto config = config_for(server_->url(), {get("/")}, LoadModel::kClosed);
  config.tls_verify = false;
  const auto samples = run(config);
  ASSERT_GT(samples.size(), 20u);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
}

TEST_F(NativeEngineTls, ReconnectsResumeTheSession) {
  auto config = config_for(server_->url(), {get("/close")}, LoadModel::kClosed);
  config.ca_file = ca_file_;
  const auto samples = run(config);
  ASSERT_GT(samples.size(), 10u);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
  EXPECT_EQ(server_->connections(), samples.size());
  // All but the first few handshakes (one per user before a session exists).
  EXPECT_GE(server_->tls_resumed() + 8, samples.size());
}

TEST_F(NativeEngineTls, OpenModelOverTls) {
  auto config = config_for(server_->url(), {get("/")});
  config.ca_file = ca_file_;
  config.connections = 8;
  Engine engine(config);
  engine.set_rate(200);
  engine.start();
  std::vector<lp_sample> samples;
  run_for(engine, 500ms, samples);
  engine.stop(1s);
  engine.drain(samples);
  EXPECT_NEAR(static_cast<double>(samples.size()), 100.0, 6.0);
  EXPECT_EQ(count_if(samples, [](auto& s) { return s.outcome != LP_OUTCOME_OK; }), 0u);
}

}  // namespace
}  // namespace lp::native::testing
