#include "forecast_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include "loadpilot/host/forecast/history_csv.hpp"

namespace lp {

void write_forecast_svg(const std::filesystem::path& file, const TimeSeries& history,
                        const ForecastResult& f, const std::string& title) {
  constexpr double kW = 960, kH = 420, kLeft = 70, kRight = 20, kTop = 40, kBottom = 40;
  const std::size_t h = f.mean.size();
  const std::size_t shown = std::min(history.values.size(), std::max<std::size_t>(4 * h, 48));
  const std::size_t first = history.values.size() - shown;
  const auto t_of = [&](std::size_t i) {
    return static_cast<double>(history.start_ns) +
           static_cast<double>(i) * static_cast<double>(history.step_ns);
  };
  const double t0 = t_of(first);
  const double t1 =
      static_cast<double>(f.start_ns) + static_cast<double>(h) * static_cast<double>(f.step_ns);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto see = [&](double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  };
  for (std::size_t i = first; i < history.values.size(); ++i) {
    if (history.valid.empty() || history.valid[i]) see(history.values[i]);
  }
  for (const double v : f.mean) see(v);
  for (const double v : f.quantiles) see(v);
  if (!(hi > lo)) hi = lo + 1;
  const auto x = [&](double t) { return kLeft + (t - t0) / (t1 - t0) * (kW - kLeft - kRight); };
  const auto y = [&](double v) { return kTop + (hi - v) / (hi - lo) * (kH - kTop - kBottom); };

  std::ofstream out(file);
  if (!out) throw InputError(fmt::format("{}: cannot write the plot", file.string()));
  out << fmt::format(
             R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="12">)",
             kW, kH)
      << "\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << fmt::format("<text x=\"{}\" y=\"22\" font-size=\"15\">{}</text>\n", kLeft, title);
  if (f.quantile_count >= 2) {  // the band: lowest quantile forward, highest back
    std::string pts;
    for (std::size_t i = 0; i < h; ++i) {
      pts +=
          fmt::format("{:.1f},{:.1f} ",
                      x(static_cast<double>(f.start_ns + static_cast<std::int64_t>(i) * f.step_ns)),
                      y(f.quantile(i, 0)));
    }
    for (std::size_t i = h; i-- > 0;) {
      pts +=
          fmt::format("{:.1f},{:.1f} ",
                      x(static_cast<double>(f.start_ns + static_cast<std::int64_t>(i) * f.step_ns)),
                      y(f.quantile(i, f.quantile_count - 1)));
    }
    out << "<polygon fill=\"#9ecae1\" fill-opacity=\"0.6\" stroke=\"none\" points=\"" << pts
        << "\"/>\n";
  }
  std::string hist;
  for (std::size_t i = first; i < history.values.size(); ++i) {
    if (!history.valid.empty() && !history.valid[i]) continue;
    hist += fmt::format("{:.1f},{:.1f} ", x(t_of(i)), y(history.values[i]));
  }
  out << "<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"1.2\" points=\"" << hist
      << "\"/>\n";
  std::string mean;
  for (std::size_t i = 0; i < h; ++i) {
    mean +=
        fmt::format("{:.1f},{:.1f} ",
                    x(static_cast<double>(f.start_ns + static_cast<std::int64_t>(i) * f.step_ns)),
                    y(f.mean[i]));
  }
  out << "<polyline fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\" points=\"" << mean
      << "\"/>\n";
  // Axes: value range and the first, forecast-start and last times.
  out << fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#999\"/>\n", kLeft,
                     kTop, kH - kBottom);
  out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.4g}</text>\n", kLeft - 6,
                     y(hi) + 4, hi);
  out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.4g}</text>\n", kLeft - 6,
                     y(lo) + 4, lo);
  for (const double t : {t0, static_cast<double>(f.start_ns), t1}) {
    out << fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x(t),
                       kH - 14, format_timestamp(static_cast<std::int64_t>(t)));
  }
  out << fmt::format(
      "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#bbb\" "
      "stroke-dasharray=\"4 3\"/>\n",
      x(static_cast<double>(f.start_ns)), kTop, kH - kBottom);
  out << "</svg>\n";
}

}  // namespace lp
