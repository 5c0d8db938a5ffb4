#include "loadpilot/host/plan/duration.hpp"

#include <gtest/gtest.h>

namespace lp {
namespace {

using namespace std::chrono_literals;

TEST(Duration, Parses) {
  EXPECT_EQ(parse_duration("250ms"), Duration(250ms));
  EXPECT_EQ(parse_duration("30s"), Duration(30s));
  EXPECT_EQ(parse_duration("10m"), Duration(10min));
  EXPECT_EQ(parse_duration("2h"), Duration(2h));
  EXPECT_EQ(parse_duration("1h30m"), Duration(90min));
  EXPECT_EQ(parse_duration("1.5s"), Duration(1500ms));
  EXPECT_EQ(parse_duration("7d"), Duration(7 * 24h));
  EXPECT_EQ(parse_duration("0s"), Duration(0ms));
}

TEST(Duration, Rejects) {
  for (const char* bad : {"", "10", "10 m", "m", "-5s", "1x", "1h30", "1e3s", "99999999999999d"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(Duration, FormatsCanonically) {
  EXPECT_EQ(format_duration(Duration(0)), "0s");
  EXPECT_EQ(format_duration(Duration(250ms)), "250ms");
  EXPECT_EQ(format_duration(Duration(90min)), "1h30m");
  EXPECT_EQ(format_duration(Duration(48h + 1500ms)), "48h1s500ms");
  for (Duration d : {Duration(1), Duration(61001), Duration(86400000)}) {
    EXPECT_EQ(parse_duration(format_duration(d)), d);
  }
}

}  // namespace
}  // namespace lp
