// Run ids: "20261123-142501-checkout-peak-3fa9". UTC start time first so ids
// sort by start; the plan name for people; a random suffix for runs started
// in the same second. Only [a-z0-9._-], so an id is always a safe file name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lp {

std::string make_run_id(std::string_view plan_name, int64_t started_ns);

// The plan name as it appears in an id: lower case, runs of anything outside
// [a-z0-9._] become one '-', at most 40 characters, "run" when nothing is left.
std::string run_id_slug(std::string_view plan_name);

}  // namespace lp
