// Loading a NAB root: a small one written to a temp dir, and every way a
// file can be missing or malformed (each error names the file and why).
#include "nab/corpus.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "nab/timestamp.hpp"

namespace lp::nab {
namespace {

namespace fs = std::filesystem;

TEST(NabTimestamp, ParsesNabFormats) {
  EXPECT_EQ(parse_timestamp("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(parse_timestamp("2014-07-01 00:30:00"), std::int64_t{1404174600} * 1'000'000'000);
  EXPECT_EQ(parse_timestamp("2014-04-10 11:50:00.000000"), parse_timestamp("2014-04-10 11:50:00"));
  EXPECT_EQ(parse_timestamp("1970-01-01 00:00:01.5"), 1'500'000'000);
  EXPECT_FALSE(parse_timestamp("2014-07-01T00:30:00"));
  EXPECT_FALSE(parse_timestamp("2014-02-30 00:00:00"));
  EXPECT_FALSE(parse_timestamp("2014-07-01 24:00:00"));
  EXPECT_FALSE(parse_timestamp("2014-07-01 00:00:00."));
  EXPECT_FALSE(parse_timestamp("2014-07-01"));
}

// A NAB root with two series and the three profiles, rewritten per test.
class NabCorpusFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("lp-nab-corpus-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    write("data/b/two.csv",
          "timestamp,value\n"
          "2015-01-01 00:00:00,1\n"
          "2015-01-01 00:05:00,2.5\n"
          "2015-01-01 00:10:00,3\n"
          "2015-01-01 00:15:00,4\n");
    write("data/a/one.csv", "timestamp,value\r\n2015-01-01 00:00:00,7\r\n");
    write("labels/combined_windows.json",
          R"({"b/two.csv": [["2015-01-01 00:05:00.000000", "2015-01-01 00:10:00.000000"]],
              "a/one.csv": []})");
    write("config/profiles.json", R"({
      "standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}},
      "reward_low_FP_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.22, "tnWeight": 1.0}}
    })");
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& relative, const std::string& text) {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  // load_corpus must fail with a message holding both parts.
  void expect_error(const std::string& file, const std::string& reason) {
    try {
      load_corpus(root_);
      ADD_FAILURE() << "expected a CorpusError naming " << file;
    } catch (const CorpusError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(file), std::string::npos) << message;
      EXPECT_NE(message.find(reason), std::string::npos) << message;
    }
  }

  fs::path root_;
};

TEST_F(NabCorpusFiles, LoadsSeriesWindowsAndProfiles) {
  const Corpus c = load_corpus(root_);
  ASSERT_EQ(c.series.size(), 2u);
  EXPECT_EQ(c.series[0].name, "a/one.csv");  // sorted by name
  EXPECT_EQ(c.series[1].name, "b/two.csv");
  EXPECT_EQ(c.series[1].values, (std::vector<double>{1, 2.5, 3, 4}));
  EXPECT_EQ(c.series[1].timestamps_ns[1] - c.series[1].timestamps_ns[0],
            std::int64_t{300} * 1'000'000'000);
  ASSERT_EQ(c.series[1].windows.size(), 1u);
  EXPECT_EQ(c.series[1].windows[0].first, 1u);
  EXPECT_EQ(c.series[1].windows[0].last, 2u);
  EXPECT_EQ(c.window_count(), 1u);
  EXPECT_EQ(c.row_count(), 5u);
  ASSERT_EQ(c.profiles.size(), 2u);
  EXPECT_EQ(c.profiles[0].name, "standard");  // file order
  EXPECT_DOUBLE_EQ(c.profile("reward_low_FP_rate").fp_weight, 0.22);
  EXPECT_THROW(c.profile("reward_low_FN_rate"), std::out_of_range);
}

TEST_F(NabCorpusFiles, MissingFiles) {
  fs::remove(root_ / "config/profiles.json");
  expect_error("profiles.json", "no such file");
  SetUp();
  fs::remove(root_ / "labels/combined_windows.json");
  expect_error("combined_windows.json", "no such file");
  SetUp();
  fs::remove_all(root_ / "data");
  expect_error("data", "no such directory");
}

TEST_F(NabCorpusFiles, MalformedData) {
  write("data/b/two.csv", "timestamp,value\n2015-01-01 00:00:00,1\n2015-01-01 00:05:00,x\n");
  expect_error("two.csv", "line 3: bad value \"x\"");
  write("data/b/two.csv", "time,value\n");
  expect_error("two.csv", "line 1: expected the header timestamp,value");
  write("data/b/two.csv", "timestamp,value\n2015-01-01,1\n");
  expect_error("two.csv", "line 2: bad timestamp");
  write("data/b/two.csv", "timestamp,value\n");
  expect_error("two.csv", "no data rows");
}

TEST_F(NabCorpusFiles, MalformedLabels) {
  write("labels/combined_windows.json", "{not json");
  expect_error("combined_windows.json", "invalid JSON");
  write("labels/combined_windows.json",
        R"({"b/two.csv": [["2015-01-01 00:06:00", "2015-01-01 00:10:00"]], "a/one.csv": []})");
  expect_error("combined_windows.json", "is not a timestamp of the data file");
  write("labels/combined_windows.json",
        R"({"b/two.csv": [["2015-01-01 00:10:00", "2015-01-01 00:05:00"]], "a/one.csv": []})");
  expect_error("combined_windows.json", "ends before it starts");
  write("labels/combined_windows.json", R"({"b/two.csv": []})");
  expect_error("combined_windows.json", "no windows for data file a/one.csv");
  write("labels/combined_windows.json", R"({"b/two.csv": [], "a/one.csv": [], "c/three.csv": []})");
  expect_error("combined_windows.json", "c/three.csv");
}

TEST_F(NabCorpusFiles, MalformedProfiles) {
  write("config/profiles.json", R"({"standard": {"CostMatrix": {"tpWeight": 1.0}}})");
  expect_error("profiles.json", "standard: CostMatrix.fpWeight is missing or not a number");
  write("config/profiles.json", "[]");
  expect_error("profiles.json", "expected an object of profiles");
}

}  // namespace
}  // namespace lp::nab
