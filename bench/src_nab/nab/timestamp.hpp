// NAB timestamps ("2014-07-01 00:00:00", windows add ".000000") as
// nanoseconds since the Unix epoch, read as UTC like pandas' naive times.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lp::nab {

// nullopt unless the text is "YYYY-MM-DD HH:MM:SS" with an optional fraction
// of up to 9 digits.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

}  // namespace lp::nab
