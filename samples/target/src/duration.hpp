// Human-readable durations on the command line ("200ms", "5s", "30m").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lp::demo_target {

using Duration = std::chrono::nanoseconds;

// A non-negative decimal number followed by ns, us, ms, s, m or h; a bare "0" is also accepted.
std::optional<Duration> parse_duration(std::string_view text);

// Shortest exact form for logs, e.g. "200ms", "5s", "30m".
std::string format_duration(Duration d);

}  // namespace lp::demo_target
