// An SVG plot of a forecast: the recent history, the forecast mean and the
// band between the outermost quantiles. Plain SVG so any browser shows it.
#pragma once

#include <filesystem>

#include "loadpilot/host/plugin/component.hpp"

namespace lp {

void write_forecast_svg(const std::filesystem::path& file, const TimeSeries& history,
                        const ForecastResult& forecast, const std::string& title);

}  // namespace lp
