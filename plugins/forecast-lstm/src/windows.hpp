// The network's view of a history: training windows and the window a forecast
// starts from, normalised per window (ES-RNN style: divided by the level of
// the window's last season), with masked values imputed from the same phase a
// season earlier and flagged, so an outage is never learned as zero. Plain
// C++: no torch here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "history.hpp"

namespace lp::forecast::lstm {

// The shapes: a window of `window` steps cut in tokens of `chunk` steps (one
// season), `horizon` steps ahead.
struct Shape {
  std::size_t chunk = 24;
  std::size_t window = 168;
  std::size_t horizon = 48;
  std::size_t tokens() const { return window / chunk; }
  // Per token: chunk values, chunk validity flags, the share of steps under
  // an event, and the sin/cos of hour of day and day of week of the origin.
  std::size_t features() const { return 2 * chunk + 5; }
};

// A batch of windows, flat row-major, as the network takes them.
struct Batch {
  std::size_t count = 0;
  std::vector<float> tokens;  // count x tokens x features
  std::vector<float> window;  // count x window: normalised values - 1
  std::vector<float> target;  // count x horizon: normalised - 1 (0 where masked)
  std::vector<float> weight;  // count x horizon: 1 where the target is valid
  std::vector<double> level;  // count: the divisor of each window
};

// The series as the model keeps it: event-free values, validity, whether an
// event covered the step, and the values with masked steps imputed.
class SeriesView {
 public:
  SeriesView() = default;
  SeriesView(History h, std::vector<std::uint8_t> event, std::size_t chunk);

  const History& history() const { return h_; }
  const std::vector<std::uint8_t>& event() const { return event_; }
  std::size_t size() const { return h_.values.size(); }
  std::int64_t end_ns() const { return h_.end_ns(); }

  // Appends the values of `more` (already event-free) and refreshes the imputation.
  void append(const History& more);
  // Keeps only the last n steps (bounds memory and fit time on long histories).
  void keep_last(std::size_t n);

  // The windows whose forecast origin is each of `origins` (the index of the
  // first step ahead); targets past the end are masked.
  Batch windows(const Shape& s, const std::vector<std::size_t>& origins) const;

  // The origins usable for training: a whole window and horizon inside the
  // history, at least half the window valid and a valid target.
  std::vector<std::size_t> training_origins(const Shape& s) const;

 private:
  void impute();
  double level_at(std::size_t origin, std::size_t chunk) const;

  History h_;
  std::vector<std::uint8_t> event_;
  std::vector<double> filled_;  // masked steps imputed
  std::size_t chunk_ = 24;
  double scale_ = 1;  // mean |value|: the floor for a window's level
};

// sin/cos of hour of day and day of week (UTC) of the time t_ns.
void calendar_features(std::int64_t t_ns, float out[4]);

}  // namespace lp::forecast::lstm
