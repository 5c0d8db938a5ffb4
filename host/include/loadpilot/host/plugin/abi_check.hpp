// Structural checks of what a plugin hands the host: sizes against the ABI
// 1.0 minimum, and required functions present. Each returns the problem, or
// nothing when the struct is acceptable.
#pragma once

#include <loadpilot/abi.h>

#include <optional>
#include <string>

namespace lp::abi {

std::optional<std::string> check_descriptor(const lp_plugin_descriptor& d);
std::optional<std::string> check_factory_size(const lp_component_factory& f);
// create/destroy/ops present, the kind's operation table large enough and its
// required members non-null.
std::optional<std::string> check_factory_functions(const lp_component_factory& f);

}  // namespace lp::abi
