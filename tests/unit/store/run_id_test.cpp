// Run ids: sortable by start, safe as a file name, unique.
#include "loadpilot/host/store/run_id.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "loadpilot/host/store/run_store.hpp"
#include "store_test_support.hpp"

namespace lp {
namespace {

using store_test::kStartNs;
using store_test::kTickNs;
using store_test::TempDir;

TEST(StoreRunId, FormatIsUtcStampSlugAndFourHex) {
  const std::string id = make_run_id("checkout-peak", kStartNs);
  EXPECT_TRUE(std::regex_match(id, std::regex(R"(20261123-142501-checkout-peak-[0-9a-f]{4})")))
      << id;
}

TEST(StoreRunId, SlugIsFileNameSafe) {
  EXPECT_EQ(run_id_slug("Checkout Peak!"), "checkout-peak");
  EXPECT_EQ(run_id_slug("../../etc/passwd"), "etc-passwd");
  EXPECT_EQ(run_id_slug("v1.2_beta"), "v1.2_beta");
  EXPECT_EQ(run_id_slug("a  //  b"), "a-b");
  EXPECT_EQ(run_id_slug(""), "run");
  EXPECT_EQ(run_id_slug("\xc3\x84\xc3\x96"), "run");  // only non-ASCII
  EXPECT_EQ(run_id_slug("..."), "run");
  const std::string slug = run_id_slug(std::string(100, 'x') + "-tail");
  EXPECT_EQ(slug, std::string(40, 'x'));
  for (const char* name : {"a/b\\c:d*e?f\"g<h>i|j", "tab\there", "new\nline"}) {
    EXPECT_TRUE(std::regex_match(run_id_slug(name), std::regex(R"([a-z0-9._]+(-[a-z0-9._]+)*)")))
        << run_id_slug(name);
  }
}

TEST(StoreRunId, IdsSortByStartTime) {
  std::vector<std::string> ids;
  for (int64_t s : {0, 1, 59, 3600, 86400 * 40}) {
    ids.push_back(make_run_id("zeta", kStartNs + s * kTickNs));
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_LT(make_run_id("zzz", kStartNs), make_run_id("aaa", kStartNs + kTickNs));
}

TEST(StoreRunId, RunsCreatedInTheSameSecondGetDistinctIdsAndDirectories) {
  TempDir tmp;
  RunSpec spec = store_test::sample_spec();
  std::set<std::string> ids;
  constexpr int kRuns = 60;
  for (int i = 0; i < kRuns; ++i) {
    ids.insert(RunStore::create(tmp.path(), spec).run_id());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kRuns));
  EXPECT_EQ(RunStore::list_runs(tmp.path()).size(), static_cast<size_t>(kRuns));
}

}  // namespace
}  // namespace lp
