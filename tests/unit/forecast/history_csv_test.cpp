// Reading history and event files: regular grids with gaps, masks, and the
// errors a user meets (non-numeric values, unsorted timestamps).
#include "loadpilot/host/forecast/history_csv.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lp::testing {
namespace {

std::filesystem::path write(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("lp_forecast_" + name);
  std::ofstream(p) << text;
  return p;
}

TEST(HistoryCsv, ReadsAGridWithGapsAndAHeader) {
  const auto p = write("ok.csv",
                       "timestamp,requests\n"
                       "1995-07-01 00:00:00,10\n"
                       "1995-07-01 01:00:00,11\n"
                       "1995-07-01 03:00:00,13\n"  // 02:00 missing
                       "1995-07-01T04:00:00Z,\n"   // empty: a gap
                       "1995-07-01 05:00:00,15\n");
  const TimeSeries s = read_history_csv(p);
  EXPECT_EQ(s.step_ns, 3'600'000'000'000);
  EXPECT_EQ(format_timestamp(s.start_ns), "1995-07-01T00:00:00Z");
  ASSERT_EQ(s.values.size(), 6u);
  EXPECT_EQ(s.valid, (std::vector<std::uint8_t>{1, 1, 0, 1, 0, 1}));
  EXPECT_EQ(s.values[3], 13);
  TimeSeries m = s;
  mask_range(m, *parse_timestamp("1995-07-01 01:00:00"), *parse_timestamp("1995-07-01 04:00:00"));
  EXPECT_EQ(m.valid, (std::vector<std::uint8_t>{1, 0, 0, 0, 0, 1}));
}

TEST(HistoryCsv, UnixSecondsWork) {
  const auto p = write("unix.csv", "0,1\n60,2\n120,3\n");
  const TimeSeries s = read_history_csv(p);
  EXPECT_EQ(s.step_ns, 60'000'000'000);
  EXPECT_EQ(s.values, (std::vector<double>{1, 2, 3}));
}

TEST(HistoryCsv, ErrorsNameFileLineAndProblem) {
  const auto bad = write("bad.csv", "t,v\n0,1\n60,abc\n");
  try {
    read_history_csv(bad);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), bad.string() + ":3: value \"abc\" is not a number");
  }
  const auto unsorted = write("unsorted.csv", "0,1\n120,2\n60,3\n");
  try {
    read_history_csv(unsorted);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        unsorted.string() + ":3: timestamps must increase: 60 comes after 1970-01-01T00:02:00Z");
  }
  EXPECT_THROW(read_history_csv(write("one.csv", "0,1\n")), InputError);
  EXPECT_THROW(read_history_csv(write("irregular.csv", "0,1\n60,2\n120,3\n150,4\n")), InputError);
  EXPECT_THROW(read_history_csv("/nonexistent/file.csv"), InputError);
}

TEST(EventsCsv, ReadsAndChecks) {
  const auto p =
      write("events.csv", "name,start,end,multiplier\nlaunch,2024-01-01,2024-01-02,1.8\n");
  const auto ev = read_events_csv(p);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].name, "launch");
  EXPECT_EQ(ev[0].multiplier, 1.8);
  EXPECT_EQ(ev[0].end_ns - ev[0].start_ns, 86'400'000'000'000);
  EXPECT_THROW(read_events_csv(write("ev_bad.csv", "x,2024-01-02,2024-01-01,2\n")), InputError);
  EXPECT_THROW(read_events_csv(write("ev_bad2.csv", "x,2024-01-01,2024-01-02,-1\n")), InputError);
}

}  // namespace
}  // namespace lp::testing
