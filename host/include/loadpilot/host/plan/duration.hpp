// Durations as plans write them: "250ms", "30s", "10m", "2h", "1h30m", "7d".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lp {

using Duration = std::chrono::milliseconds;

// One or more <number><unit> parts (units ms, s, m, h, d; numbers may have a
// fraction). nullopt on anything else, on overflow and on negative values.
std::optional<Duration> parse_duration(std::string_view text);

// The canonical spelling, which parse_duration reads back: "1h30m", "250ms", "0s".
std::string format_duration(Duration d);

}  // namespace lp
