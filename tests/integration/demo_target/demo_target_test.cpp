// Runs the real loadpilot-demo-target binary and talks HTTP to it over 127.0.0.1.
// Timing assertions are lower bounds only (a timer never fires early), so they hold on a
// loaded machine.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <latch>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "demo_target_process.hpp"
#include "http_client.hpp"
#include "prometheus_text.hpp"

namespace lp::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

double ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

PromText scrape(HttpClient& client) {
  const auto r = client.get("/metrics");
  EXPECT_EQ(r.status, 200u) << r.error;
  return parse_prometheus_text(r.body);
}

// Sends one GET per client at the same moment (each connected beforehand).
std::vector<HttpResponse> concurrent_gets(std::uint16_t port, const std::string& target, int n) {
  std::vector<HttpResponse> out(static_cast<std::size_t>(n));
  std::latch ready(n);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      HttpClient client(port);
      client.connect();
      ready.arrive_and_wait();
      out[static_cast<std::size_t>(i)] = client.get(target);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  return out;
}

TEST(DemoTarget, StartupLineStatesAddressAndCapacity) {
  auto t = start_demo_target({"--workers", "4", "--service-time-ms", "5"});
  EXPECT_NE(t.port, 0);
  EXPECT_NE(t.first_line.find("capacity 800 req/s"), std::string::npos) << t.first_line;
}

TEST(DemoTarget, RoutesAnswerWithStatusAndJson) {
  auto t = start_demo_target({"--service-time-ms", "1"});
  HttpClient c(t.port);

  auto r = c.get("/health");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body)["status"], "ok");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_TRUE(r.keep_alive);

  r = c.get("/api/items");
  ASSERT_EQ(r.status, 200u);
  auto body = json::parse(r.body);
  EXPECT_EQ(body["items"].size(), 10u);
  EXPECT_EQ(body["items"][0]["id"], 1);

  r = c.get("/api/items?page=2");
  EXPECT_EQ(json::parse(r.body)["items"][0]["id"], 21);
  EXPECT_EQ(c.get("/api/items?page=x").status, 400u);

  r = c.get("/api/items/42");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body)["id"], 42);
  EXPECT_EQ(c.get("/api/items/100000").status, 404u);
  EXPECT_EQ(c.get("/api/items/abc").status, 404u);

  r = c.get("/api/search?q=blue%20lamp");
  ASSERT_EQ(r.status, 200u);
  body = json::parse(r.body);
  EXPECT_EQ(body["query"], "blue lamp");
  ASSERT_FALSE(body["results"].empty());
  EXPECT_EQ(body["results"][0]["name"], "Blue Lamp 1");
  EXPECT_EQ(c.get("/api/search").status, 400u);

  r = c.post("/api/cart", R"({"items":[{"id":1},{"id":2},{"id":3}]})");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body)["items"], 3);
  EXPECT_EQ(json::parse(c.post("/api/cart", "[1,2]").body)["items"], 2);
  EXPECT_EQ(c.post("/api/cart", "{not json").status, 400u);
  EXPECT_EQ(c.post("/api/cart", R"({"x":1})").status, 400u);

  r = c.post("/api/checkout", R"({"cart":1})");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body)["status"], "confirmed");

  EXPECT_EQ(c.get("/fail").status, 200u);  // fail rate 0 by default
  EXPECT_EQ(c.get("/nowhere").status, 404u);
  r = c.get("/api/cart");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.allow, "POST");

  r = c.get("/metrics");
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.content_type.starts_with("text/plain; version=0.0.4")) << r.content_type;
}

TEST(DemoTarget, OversizedBodyGets413) {
  auto t = start_demo_target({});
  HttpClient c(t.port);
  const auto r = c.post("/api/cart", std::string(std::size_t{100} * 1024, 'x'));
  EXPECT_EQ(r.status, 413u) << r.error;
  EXPECT_FALSE(r.keep_alive);
}

TEST(DemoTarget, CheckoutTakesThreeServiceTimes) {
  auto t = start_demo_target({"--service-time-ms", "40"});
  HttpClient c(t.port);
  c.connect();
  const auto item = c.get("/api/items/1");
  const auto checkout = c.post("/api/checkout");
  ASSERT_EQ(item.status, 200u);
  ASSERT_EQ(checkout.status, 200u);
  EXPECT_GE(ms(item.elapsed), 40.0);
  EXPECT_GE(ms(checkout.elapsed), 120.0);
}

// workers 1 + queue 1: of 5 simultaneous requests, one is served, one waits, three get 503.
TEST(DemoTarget, RejectsBeyondWorkersPlusQueue) {
  auto t = start_demo_target({"--workers", "1", "--queue", "1", "--service-time-ms", "200"});
  const auto results = concurrent_gets(t.port, "/api/items/1", 5);
  int ok = 0, rejected = 0;
  std::vector<double> ok_ms;
  for (const auto& r : results) {
    if (r.status == 200) {
      ++ok;
      ok_ms.push_back(ms(r.elapsed));
    }
    if (r.status == 503) {
      ++rejected;
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(rejected, 3);
  ASSERT_EQ(ok_ms.size(), 2u);
  // The queued one waited a whole service (400 ms in all), less the few ms its
  // client thread may have started after the first one's.
  EXPECT_GE(std::max(ok_ms[0], ok_ms[1]), 380.0);

  HttpClient c(t.port);
  const auto m = scrape(c);
  EXPECT_EQ(m.value("demo_target_rejected_total", {{"route", "item"}}), 3.0);
  EXPECT_EQ(m.value("demo_target_http_responses_total", {{"route", "item"}, {"code", "503"}}), 3.0);
  EXPECT_EQ(m.value("demo_target_http_responses_total", {{"route", "item"}, {"code", "200"}}), 2.0);
}

int count_failures(const std::vector<std::string>& args, int requests) {
  auto t = start_demo_target(args);
  HttpClient c(t.port);
  int failures = 0;
  for (int i = 0; i < requests; ++i) {
    const auto r = c.get("/fail");
    EXPECT_TRUE(r.status == 200 || r.status == 500) << r.status << " " << r.error;
    if (r.status == 500) {
      ++failures;
    }
  }
  return failures;
}

TEST(DemoTarget, FailRateIsRoughlyHonouredAndDeterministic) {
  const std::vector<std::string> args{"--fail-rate",       "0.5",  "--seed",    "42",
                                      "--service-time-ms", "0.05", "--workers", "4"};
  const int first = count_failures(args, 400);
  EXPECT_GE(first, 150);
  EXPECT_LE(first, 250);
  EXPECT_EQ(count_failures(args, 400), first);  // same seed, same draws
}

TEST(DemoTarget, MetricsAreValidPrometheusTextAndCountersMove) {
  auto t = start_demo_target({"--workers", "8", "--service-time-ms", "2", "--queue", "16"});
  HttpClient c(t.port);
  const auto before = scrape(c);
  ASSERT_TRUE(before.errors.empty()) << before.errors.front();
  EXPECT_EQ(before.value("demo_target_capacity_requests_per_second"), 4000.0);
  EXPECT_EQ(before.value("demo_target_workers"), 8.0);
  EXPECT_EQ(before.value("demo_target_queue_capacity"), 16.0);
  EXPECT_GE(before.value("process_cpu_seconds_total"), 0.0);
  EXPECT_GT(before.value("process_resident_memory_bytes"), 0.0);
  EXPECT_EQ(before.types.at("process_cpu_seconds_total"), "counter");
  EXPECT_EQ(before.types.at("demo_target_request_duration_seconds"), "histogram");
  for (const char* gauge : {"demo_target_queue_depth", "demo_target_in_flight_requests",
                            "demo_target_uptime_seconds", "demo_target_busy_workers"}) {
    EXPECT_EQ(before.types.at(gauge), "gauge") << gauge;
  }

  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(c.get("/api/items").status, 200u);
  }
  ASSERT_EQ(c.get("/api/items/999999").status, 404u);
  std::this_thread::sleep_for(20ms);
  const auto after = scrape(c);
  ASSERT_TRUE(after.errors.empty()) << after.errors.front();
  const auto items_ok = [](const PromText& m) {
    return m.value("demo_target_http_responses_total", {{"route", "items"}, {"code", "200"}});
  };
  EXPECT_EQ(items_ok(after) - items_ok(before), 5.0);
  EXPECT_EQ(after.value("demo_target_http_responses_total", {{"route", "item"}, {"code", "404"}}),
            1.0);
  EXPECT_EQ(after.value("demo_target_request_duration_seconds_count") -
                before.value("demo_target_request_duration_seconds_count"),
            6.0);
  EXPECT_GT(after.value("demo_target_uptime_seconds"), before.value("demo_target_uptime_seconds"));
  EXPECT_EQ(after.value("demo_target_http_responses_total", {{"route", "metrics"}}), 1.0);
}

// The stall starts when the server receives the admin request, i.e. after t0.
TEST(DemoTarget, AdminStallDelaysRequests) {
  auto t = start_demo_target({"--service-time-ms", "1"});
  HttpClient admin(t.port), c(t.port);
  c.connect();
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(admin.post("/admin/stall?ms=300").status, 200u);
  auto r = c.get("/api/items/1");
  ASSERT_EQ(r.status, 200u);
  EXPECT_GE(ms(std::chrono::steady_clock::now() - t0), 300.0);
  EXPECT_EQ(admin.post("/admin/stall?ms=abc").status, 400u);

  t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(admin.post("/admin/config", R"({"stall_for_ms": 250})").status, 200u);
  r = c.get("/api/items/1");
  ASSERT_EQ(r.status, 200u);
  EXPECT_GE(ms(std::chrono::steady_clock::now() - t0), 250.0);

  const auto m = scrape(admin);
  EXPECT_EQ(m.value("demo_target_stalls_total"), 2.0);
  EXPECT_NEAR(m.value("demo_target_stall_seconds_total"), 0.55, 1e-9);
}

// During a stall idle workers take nothing: arrivals fill the queue, the rest get 503.
TEST(DemoTarget, StallQueuesThenRejects) {
  auto t = start_demo_target({"--workers", "2", "--queue", "2", "--service-time-ms", "1"});
  HttpClient admin(t.port);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(admin.post("/admin/stall?ms=400").status, 200u);
  const auto results = concurrent_gets(t.port, "/api/items/1", 4);
  int ok = 0, rejected = 0;
  for (const auto& r : results) {
    ok += r.status == 200;
    rejected += r.status == 503;
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(rejected, 2);
  EXPECT_GE(ms(std::chrono::steady_clock::now() - t0), 400.0);
}

TEST(DemoTarget, AdminConfigChangesBehaviour) {
  auto t = start_demo_target({"--workers", "2", "--service-time-ms", "10"});
  HttpClient c(t.port);
  auto r = c.get("/admin/config");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body)["capacity_rps"], 200.0);

  r = c.post("/admin/config", R"({"fail_rate": 1, "service_time_ms": 4})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json::parse(r.body)["capacity_rps"], 500.0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(c.get("/fail").status, 500u);
  }
  EXPECT_EQ(scrape(c).value("demo_target_capacity_requests_per_second"), 500.0);

  ASSERT_EQ(c.post("/admin/config", R"({"fail_rate": 0})").status, 200u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(c.get("/fail").status, 200u);
  }

  EXPECT_EQ(c.post("/admin/config", R"({"fail_rate": 2})").status, 400u);
  EXPECT_EQ(c.post("/admin/config", R"({"colour": "red"})").status, 400u);
  EXPECT_EQ(c.post("/admin/config", R"({"service_time_ms": "fast"})").status, 400u);
  EXPECT_EQ(c.post("/admin/config", "nope").status, 400u);
  EXPECT_EQ(json::parse(c.get("/admin/config").body)["fail_rate"], 0.0);
}

TEST(DemoTarget, PeriodicStallsDelaySomeRequests) {
  auto t = start_demo_target(
      {"--service-time-ms", "1", "--stall-every", "300ms", "--stall-for", "150ms"});
  HttpClient c(t.port);
  double worst = 0;
  const auto end = std::chrono::steady_clock::now() + 1s;
  for (int i = 0; i < 5000 && std::chrono::steady_clock::now() < end; ++i) {
    const auto r = c.get("/api/items/1");
    ASSERT_EQ(r.status, 200u) << r.error;
    worst = std::max(worst, ms(r.elapsed));
  }
  EXPECT_GE(worst, 100.0);
  EXPECT_GE(scrape(c).value("demo_target_stalls_total"), 2.0);
}

TEST(DemoTarget, CpuModeBurnsCpu) {
  auto t =
      start_demo_target({"--service-mode", "cpu", "--workers", "1", "--service-time-ms", "50"});
  HttpClient c(t.port);
  const double cpu_before = scrape(c).value("process_cpu_seconds_total");
  for (int i = 0; i < 4; ++i) {
    const auto r = c.get("/api/items/1");
    ASSERT_EQ(r.status, 200u);
    EXPECT_GE(ms(r.elapsed), 50.0);
  }
  // Each request spins until it has used 50 ms of thread CPU: 200 ms in all,
  // however busy the machine (a contended core stretches the wall time instead).
  EXPECT_GE(scrape(c).value("process_cpu_seconds_total") - cpu_before, 0.19);
}

TEST(DemoTarget, SigtermWithIdleConnectionExitsZeroPromptly) {
  auto t = start_demo_target({});
  HttpClient c(t.port);
  ASSERT_EQ(c.get("/health").status, 200u);  // keeps an idle keep-alive connection open
  const auto t0 = std::chrono::steady_clock::now();
  t.process->send_signal(SIGTERM);
  const auto code = t.process->wait(3s);
  ASSERT_TRUE(code.has_value()) << "still running 3 s after SIGTERM";
  EXPECT_EQ(*code, 0);
  EXPECT_LT(ms(std::chrono::steady_clock::now() - t0), 1500.0);
}

TEST(DemoTarget, SigtermFinishesInFlightRequest) {
  auto t = start_demo_target({"--service-time-ms", "300"});
  HttpResponse in_flight;
  std::thread client([&] {
    HttpClient c(t.port);
    in_flight = c.get("/api/items/1");
  });
  std::this_thread::sleep_for(100ms);  // the request is being served
  t.process->send_signal(SIGTERM);
  client.join();
  EXPECT_EQ(in_flight.status, 200u) << in_flight.error;
  EXPECT_FALSE(in_flight.keep_alive);
  const auto code = t.process->wait(3s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  // No new connections after shutdown began.
  HttpClient late(t.port, 1s);
  EXPECT_FALSE(late.connect());
}

TEST(DemoTarget, MaxRuntimeEndsTheProcess) {
  auto t = start_demo_target({"--max-runtime", "300ms"});
  const auto code = t.process->wait(5s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
}

TEST(DemoTarget, HelpAndBadFlags) {
  ChildProcess help(demo_target_exe(), {"--help"});
  const auto line = help.read_line(5s);
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("loadpilot-demo-target"), std::string::npos);
  EXPECT_EQ(help.wait(5s), 0);

  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--workers", "0"},
                                              {"--fail-rate", "1.5"},
                                              {"--stall-every", "5s"},
                                              {"--stall-every", "1s", "--stall-for", "2s"},
                                              {"--route-multiplier", "nowhere=2"},
                                              {"--listen", "127.0.0.1"},
                                              {"--max-runtime", "ten"}}) {
    ChildProcess p(demo_target_exe(), bad);
    const auto code = p.wait(5s);
    ASSERT_TRUE(code.has_value()) << bad.front();
    EXPECT_NE(*code, 0) << bad.front();
  }
}

}  // namespace
}  // namespace lp::test
