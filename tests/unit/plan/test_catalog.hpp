// An in-memory ComponentCatalog for plan tests and the fuzzer: a few types per
// kind, each with a real JSON Schema and, for some, a validate_config check.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loadpilot/host/plugin/component_catalog.hpp"

namespace lp::testing {

class TestCatalog : public ComponentCatalog {
 public:
  using Validate = std::function<std::optional<std::string>(const nlohmann::json& config)>;

  // native, locust, jmeter, gatling; local, ssh; prophet, seasonal-naive;
  // ewma, iforest; prometheus, procfs; influx, csv.
  TestCatalog();

  void add(lp_kind kind, std::string type, std::string schema, Validate validate = {});

  const ComponentInfo* find(lp_kind kind, std::string_view type_name) const override;
  std::vector<std::string> type_names(lp_kind kind) const override;
  std::optional<std::string> validate_config(lp_kind kind, std::string_view type_name,
                                             std::string_view config_json) const override;

 private:
  struct Entry {
    ComponentInfo info;
    Validate validate;
  };
  std::map<std::pair<lp_kind, std::string>, Entry, std::less<>> entries_;
};

}  // namespace lp::testing
