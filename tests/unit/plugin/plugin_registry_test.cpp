// Every way a plugin library can be refused, with the message a user sees.
#include "loadpilot/host/plugin/plugin_registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include "loadpilot/host/plugin/component.hpp"

namespace lp {
namespace {

std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(LOADPILOT_FIXTURE_PLUGINS) / (name + ".so");
}

// Loading must fail, and the message must name the file and contain `why`.
void expect_refused(const std::string& name, const std::string& why) {
  PluginRegistry registry;
  try {
    registry.load_library(fixture(name));
    FAIL() << name << " was accepted";
  } catch (const PluginLoadError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(fixture(name).string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(why), std::string::npos) << msg;
  }
  EXPECT_TRUE(registry.plugins().empty());
  EXPECT_TRUE(registry.components().empty());
}

TEST(PluginRegistry, LoadsAPluginWrittenInCAndRunsIt) {
  PluginRegistry registry;
  registry.load_library(fixture("good_c"));
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.plugins()[0].name, "fixture-good-c");
  const ComponentInfo* info = registry.find(LP_KIND_DETECTOR, "c-threshold");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->plugin_name, "fixture-good-c");
  EXPECT_NE(info->config_schema.find("threshold"), std::string::npos);

  HostServices services("detector/c-threshold");
  Component c(registry, LP_KIND_DETECTOR, "c-threshold", R"({"threshold": 5})", services);
  DetectorClient d(c);
  EXPECT_FALSE(d.observe(0, std::vector<double>{4.0}).flag);
  const auto hit = d.observe(0, std::vector<double>{6.0});
  EXPECT_TRUE(hit.flag);
  EXPECT_DOUBLE_EQ(hit.expected_high, 5.0);
}

TEST(PluginRegistry, PluginErrorsBecomeComponentErrorsNamingTheComponent) {
  PluginRegistry registry;
  registry.load_library(fixture("good_c"));
  HostServices services("detector/c-threshold");
  Component c(registry, LP_KIND_DETECTOR, "c-threshold", "{}", services);
  DetectorClient d(c);
  try {
    d.observe(0, {});
    FAIL() << "observe with no values succeeded";
  } catch (const ComponentError& e) {
    EXPECT_EQ(std::string(e.what()), "detector \"c-threshold\": observe: no values");
    EXPECT_EQ(e.status(), LP_ERR_INVALID_ARGUMENT);
  }
}

TEST(PluginRegistry, RefusesMissingEntrySymbol) {
  expect_refused("no_entry", "no entry symbol \"lp_plugin_describe\"");
}

TEST(PluginRegistry, RefusesDifferentAbiMajorNamingBothVersions) {
  expect_refused("abi_major", "the plugin was built against ABI 2.0.0, this host has ABI 1.0.0");
}

TEST(PluginRegistry, RefusesNewerAbiMinor) {
  expect_refused("abi_minor", "the plugin needs a newer host: it was built against ABI 1.1.0");
}

TEST(PluginRegistry, RefusesDescriptorSmallerThanMinimum) {
  expect_refused("small_descriptor", "descriptor struct_size is 16, smaller than the ABI 1.0");
}

TEST(PluginRegistry, RefusesOpsTableWithMembersBeyondDeclaredSize) {
  expect_refused("small_ops", "lp_detector_ops.struct_size is 16, smaller than the ABI 1.0 "
                              "minimum 24: required members lie beyond the declared size");
}

TEST(PluginRegistry, RefusesNullRequiredFunction) {
  expect_refused("null_function",
                 "detector \"null-observe\": required function lp_detector_ops.observe is null");
}

TEST(PluginRegistry, RefusesEntryPointThatThrows) {
  expect_refused("throwing", "lp_plugin_describe() threw an exception: static initialisation "
                             "failed; nothing may throw across the ABI");
}

TEST(PluginRegistry, RefusesDuplicateTypeWithinAPlugin) {
  expect_refused("duplicate_in_plugin", "detector \"twice\" is defined twice in this plugin");
}

TEST(PluginRegistry, RefusesTypeAlreadyProvidedByAnotherPlugin) {
  PluginRegistry registry;
  registry.load_library(fixture("good_c"));
  try {
    registry.load_library(fixture("clash"));
    FAIL() << "clash was accepted";
  } catch (const PluginLoadError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(fixture("clash").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("detector \"c-threshold\" is already provided by plugin \"fixture-good-c\""),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find(fixture("good_c").string()), std::string::npos) << msg;
  }
  EXPECT_EQ(registry.plugins().size(), 1u);
}

TEST(PluginRegistry, RefusesSchemaThatIsNotJson) {
  expect_refused("bad_schema", "detector \"bad-schema\": config_schema is not valid JSON");
}

TEST(PluginRegistry, RefusesLibraryWithUnresolvedSymbols) {
  expect_refused("missing_symbol", "lp_fixture_symbol_that_does_not_exist");
}

TEST(PluginRegistry, RefusesAFileThatIsNotALibrary) {
  const auto path = std::filesystem::temp_directory_path() / "lp-not-a-library.so";
  { std::ofstream(path) << "not an ELF file"; }
  PluginRegistry registry;
  EXPECT_THROW(registry.load_library(path), PluginLoadError);
  std::filesystem::remove(path);
}

TEST(PluginRegistry, SkipsUnknownKindWithWarningAndKeepsTheRest) {
  PluginRegistry registry;
  ScanReport report;
  registry.load_library(fixture("unknown_kind"), &report);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("component kind 99 which this host does not know"),
            std::string::npos)
      << report.warnings[0];
  EXPECT_NE(registry.find(LP_KIND_DETECTOR, "known-threshold"), nullptr);
  EXPECT_EQ(registry.components().size(), 1u);
}

TEST(PluginRegistry, DirectoryScanCollectsEveryRefusalAndLoadsTheGoodOnes) {
  PluginRegistry registry;
  const ScanReport report = registry.load_directories({LOADPILOT_FIXTURE_PLUGINS});
  // good_c and unknown_kind load; the 11 broken ones (clash included) are refused.
  EXPECT_EQ(registry.plugins().size(), 2u);
  EXPECT_EQ(report.errors.size(), 11u);
  for (const auto& e : report.errors) EXPECT_EQ(e.rfind("plugin ", 0), 0u) << e;
}

TEST(PluginRegistry, ValidateConfigWithoutPluginValidateAcceptsAnything) {
  PluginRegistry registry;
  registry.load_library(fixture("good_c"));
  EXPECT_FALSE(registry.validate_config(LP_KIND_DETECTOR, "c-threshold", "{}").has_value());
  EXPECT_TRUE(registry.validate_config(LP_KIND_DETECTOR, "absent", "{}").has_value());
}

TEST(PluginSearchPath, CliDirsComeFirstThenEnvironment) {
  const auto a = std::filesystem::temp_directory_path() / "lp-path-a";
  const auto b = std::filesystem::temp_directory_path() / "lp-path-b";
  std::filesystem::create_directories(a);
  std::filesystem::create_directories(b);
  ::setenv("LOADPILOT_PLUGIN_PATH", (b.string() + ":/nonexistent-dir").c_str(), 1);
  const auto dirs = plugin_search_path({a});
  ::unsetenv("LOADPILOT_PLUGIN_PATH");
  ASSERT_GE(dirs.size(), 2u);
  EXPECT_EQ(dirs[0], std::filesystem::weakly_canonical(a));
  EXPECT_EQ(dirs[1], std::filesystem::weakly_canonical(b));
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
}

}  // namespace
}  // namespace lp
