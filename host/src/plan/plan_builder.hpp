// The merged tree -> TestPlan: every section typed and range-checked, every
// component checked against the catalog, then the wiring between sections.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "components.hpp"
#include "diagnostics.hpp"
#include "loadpilot/host/plan/plan_loader.hpp"
#include "plan_files.hpp"
#include "readers.hpp"
#include "vector_index.hpp"
#include "yaml_tree.hpp"

namespace lp::plan {

class PlanBuilder {
 public:
  PlanBuilder(Diagnostics& diag, const PlanContext& ctx, const PlanFiles& files);

  TestPlan build(const Node& root);

 private:
  // Ids are unique within their list; they default to the component type.
  class IdSet {
   public:
    explicit IdSet(std::string_view type_key) : type_key_(type_key) {}
    void add(Diagnostics& diag, const Node& at, const std::string& id, const std::string& path,
             bool defaulted);
    bool contains(const std::string& id) const { return first_.count(id) != 0; }

   private:
    std::string type_key_;
    std::map<std::string, std::string> first_;
  };

  // sections, in build_plan.cpp
  void read_top(MapReader& top);
  void read_target(const Node& n);
  void read_tools(const Entry& e);
  void read_load(const Node& n);
  void read_profile(const Node& n);
  void read_chaos(const Entry& e);
  void read_store(const Node& n);
  void read_criteria(const Entry& e);
  // sections, in build_control.cpp
  void read_sources(const Entry& e);
  void read_forecast(const Node& n);
  void read_provision(const Node& n);
  void read_shaping(const Node& n);
  void read_detect(const Entry& e);

  // A path as written in the file that holds n, made absolute.
  std::filesystem::path resolve(const Node& n, const std::string& written) const;
  // Checks that a referenced Load Vector exists; records its file.
  // Whether `n` names a defined vector (an error says why not).
  bool check_vector(const Node& n, const std::string& path);
  void check_carried(const Node& n, const std::string& path);
  const VectorIndex* vector_index(const Node& first_reference, const std::string& path);
  // A KPI name or <source id>.<metric>; reports at loc otherwise.
  bool check_metric(std::string_view name, const Loc& loc, const std::string& path,
                    std::string_view what);
  // The id an element of a component list goes by.
  std::optional<std::string> element_id(MapReader& m, const std::optional<std::string>& type,
                                        const Node& type_node, IdSet& ids);

  Diagnostics& diag_;
  const PlanContext& ctx_;
  const PlanFiles& files_;
  Readers read_;
  ComponentChecker components_;
  TestPlan plan_;

  const Node* vectors_dir_node_ = nullptr;  // vectors.dir, when given
  bool vectors_dir_invalid_ = false;
  std::optional<VectorIndex> vectors_;
  bool reported_missing_vector_dir_ = false;
  std::map<std::string, std::string> sources_;  // id -> path, for <source>.<metric>
  bool sources_broken_ = false;                 // suppress knock-on reference errors
  bool forecast_given_ = false;
  bool quantiles_complete_ = true;
};

}  // namespace lp::plan
