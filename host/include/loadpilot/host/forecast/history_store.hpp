// Forecast history from previous load tests: a metric of the runs in a run
// store (one run directory or run.db, or a runs directory holding many) as a
// regular series. Ticks are resampled to `step` (their mean in each step);
// steps between runs are gaps, masked, never zeros.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "loadpilot/host/plugin/component.hpp"

namespace lp {

// Tick metrics, summed over the run's tools: achieved_rate, offered_rate,
// requests, errors; or the tools' request-weighted mean: p50_ms, p90_ms,
// p99_ms, mean_ms, error_rate. Any other name is a series of the store's
// `metrics` table (a source's or detector's), unlabelled or the first labels.
inline constexpr const char* kStoreTickMetrics =
    "achieved_rate, offered_rate, requests, errors, error_rate, p50_ms, p90_ms, p99_ms, mean_ms";

// step_ns 0: the first run's tick length. Throws InputError naming the path
// and the metric when nothing matches.
TimeSeries read_history_store(const std::filesystem::path& path, const std::string& metric,
                              std::int64_t step_ns = 0);

// True when `path` is a run store: a run.db, a run directory or a runs directory.
bool is_run_store(const std::filesystem::path& path);

}  // namespace lp
