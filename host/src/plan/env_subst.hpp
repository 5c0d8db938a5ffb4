// ${VAR} and ${VAR:-default} in scalar values, before they are typed; $${ is a literal ${.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loadpilot/host/plan/plan_loader.hpp"

namespace lp::plan {

struct EnvResult {
  std::string text;
  std::vector<std::string> errors;  // unset variables, malformed references
  bool substituted = false;         // at least one ${VAR} was replaced
};

// Values are inserted as they are: never scanned again for ${.
EnvResult substitute_env(std::string_view text, const EnvLookup& env);

}  // namespace lp::plan
