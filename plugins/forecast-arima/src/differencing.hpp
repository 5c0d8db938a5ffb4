// Choosing and applying the differencing of an ARIMA model as auto.arima
// does (Hyndman and Khandakar 2008): D from the seasonal strength of a
// decomposition (the "seas" rule of forecast::nsdiffs: difference when it
// exceeds 0.64), then d by repeated KPSS tests at 5 % on the seasonally
// differenced series (forecast::ndiffs). Missing values are masked
// throughout: a difference that touches one is missing too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lp::forecast {

struct Masked {
  std::vector<double> values;
  std::vector<std::uint8_t> valid;
};

// y_t - y_{t-lag}, one shorter by lag.
Masked difference(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t lag);

// d times at lag 1 and D times at lag m.
Masked difference(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t d,
                  std::size_t D, std::size_t m);

// The coefficients of (1 - B)^d (1 - B^m)^D moved to the right-hand side:
// y_t = sum_k delta[k] y_{t-k-1} + (the differenced series)_t.
std::vector<double> differencing_polynomial(std::size_t d, std::size_t D, std::size_t m);

// The KPSS level-stationarity statistic of the valid values, with
// trunc(3 sqrt(n) / 13) Bartlett lags as forecast::ndiffs uses; 0 for a
// constant series.
double kpss_statistic(std::span<const double> y, std::span<const std::uint8_t> valid);

// How many first differences KPSS asks for, at most max_d.
std::size_t choose_d(std::span<const double> y, std::span<const std::uint8_t> valid,
                     std::size_t max_d);

// The seasonal strength max(0, 1 - var(remainder) / var(seasonal + remainder))
// of a classical decomposition (centred moving-average trend, mean seasonal
// profile); 0 when there are fewer than two full seasons.
double seasonal_strength(std::span<const double> y, std::span<const std::uint8_t> valid,
                         std::size_t m);

// How many seasonal differences the strength rule asks for, at most max_D.
std::size_t choose_seasonal_d(std::span<const double> y, std::span<const std::uint8_t> valid,
                              std::size_t m, std::size_t max_D);

}  // namespace lp::forecast
