// Shared by the store tests: a temp dir that removes itself, and rows with
// every field set so round trips check every column.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "loadpilot/host/store/rows.hpp"

namespace lp::store_test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lp-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline constexpr int64_t kStartNs = 1'795'443'901'000'000'000;  // 2026-11-23 14:25:01 UTC
inline constexpr int64_t kTickNs = 1'000'000'000;

inline RunSpec sample_spec() {
  RunSpec spec;
  spec.plan_name = "checkout-peak";
  spec.plan_file = "plans/checkout-peak.yaml";
  spec.plan = {{"name", "checkout-peak"}, {"tools", {{{"id", "checkout"}, {"share", 0.6}}}}};
  spec.started_ns = kStartNs;
  spec.host_version = "0.1.0-test";
  return spec;
}

// A tick row whose numbers depend on (tick, salt), so mix-ups show.
inline TickRow sample_tick(int64_t tick, const std::string& tool, const std::string& type,
                           int64_t salt = 0) {
  TickRow row;
  row.tick = tick;
  row.start_ns = kStartNs + tick * kTickNs;
  row.end_ns = row.start_ns + kTickNs;
  row.tool_id = tool;
  row.request_type = type;
  row.vector_id = "peak";
  row.outcomes = {100 + tick + salt, 3, 2, 1, 4};
  row.bytes = 123'456 + tick;
  row.offered_rate = 120.5;
  row.achieved_rate = 110.0 + static_cast<double>(salt);
  row.latency = LatencyMs{12.5, 40.25, 99.125, 180.0, 250.5, 20.0 + static_cast<double>(tick)};
  row.histogram = "HISTFAAAACl4nJNpmSzMwMDAyQABjFCaEUoz2X+AsQEAQBsCqQ==";
  return row;
}

}  // namespace lp::store_test
