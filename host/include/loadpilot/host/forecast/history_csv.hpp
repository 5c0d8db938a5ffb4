// Reading a forecaster's inputs from CSV files people already have:
// `timestamp,value` history (a header line is optional; timestamps as unix
// seconds or ISO 8601 "YYYY-MM-DD[ T]HH:MM:SS[Z]"; an empty or "nan" value is
// a gap) and `name,start,end,multiplier` event calendars. Errors name the
// file and line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "loadpilot/host/plugin/component.hpp"

namespace lp {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses "2024-01-31T12:00:00Z", "2024-01-31 12:00:00", "2024-01-31" (UTC)
// or unix seconds ("1706702400", "1706702400.5"); nothing when it is none.
std::optional<std::int64_t> parse_timestamp(const std::string& text);
std::string format_timestamp(std::int64_t wall_ns);  // "2024-01-31T12:00:00Z"

// A regular series: the step is the most common spacing; missing steps
// become masked gaps. InputError for unsorted or duplicate timestamps,
// non-numeric values, spacing that is not a multiple of the step, or fewer
// than two rows.
TimeSeries read_history_csv(const std::filesystem::path& file);

std::vector<LoadEvent> read_events_csv(const std::filesystem::path& file);

// Masks the values in [from, to) (an outage that must not be learned).
void mask_range(TimeSeries& series, std::int64_t from_ns, std::int64_t to_ns);

}  // namespace lp
