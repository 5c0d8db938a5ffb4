// From the quantile levels the network was trained on to the levels a caller
// asks for: linear interpolation in normal scores between the two nearest
// trained levels, linear extrapolation in normal scores past the outermost.
#pragma once

#include <span>
#include <vector>

namespace lp::forecast::lstm {

// values: the forecasts at `levels` (both ascending, levels in (0, 1), at
// least two). Returns the forecast at level q.
double quantile_at(std::span<const double> levels, std::span<const double> values, double q);

// Checks and sorts the trained levels; adds 0.5 (the point forecast) when missing.
std::vector<double> training_levels(std::vector<double> levels);

}  // namespace lp::forecast::lstm
