#include "nab/scorer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace lp::nab {

namespace {

constexpr int kNoWindow = -1;

// One row after sweeper.calcSweepScore: its weighted sweep score and the
// window it lies in (or kNoWindow). Probationary rows are left out later.
struct Row {
  double sweep = 0;
  int window = kNoWindow;
};

std::vector<Row> sweep(const Series& s, const Profile& p) {
  const std::size_t n = s.values.size();
  const double max_tp = scaled_sigmoid(-1.0);
  std::vector<Row> rows(n);
  std::size_t next = 0;
  int current = kNoWindow;
  double width = 0;
  std::size_t right = 0;
  bool had_window = false;
  double prev_width = 0;
  std::size_t prev_right = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (next < s.windows.size() && i == s.windows[next].first) {
      current = static_cast<int>(next);
      right = s.windows[next].last;
      width = static_cast<double>(right - s.windows[next].first + 1);
      ++next;
    }
    Row& r = rows[i];
    if (current != kNoWindow) {
      // -(right - i + 1) / width: -1 at the first row of the window.
      const double position = -static_cast<double>(right - i + 1) / width;
      r.sweep = scaled_sigmoid(position) * p.tp_weight / max_tp;
    } else {
      // -1 before any window; NAB divides by zero after a one-row window,
      // where -1 is the limit.
      const double unweighted =
          had_window && prev_width > 1
              ? scaled_sigmoid(static_cast<double>(i - prev_right) / (prev_width - 1))
              : -1.0;
      r.sweep = unweighted * p.fp_weight;
    }
    r.window = current;
    if (current != kNoWindow && i == right) {
      had_window = true;
      prev_right = i;
      prev_width = width;
      current = kNoWindow;
    }
  }
  return rows;
}

void check(const Corpus& corpus, const Scores& scores) {
  if (scores.size() != corpus.series.size()) {
    throw std::invalid_argument("NAB scores: " + std::to_string(scores.size()) +
                                " series of scores for a corpus of " +
                                std::to_string(corpus.series.size()));
  }
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const Series& s = corpus.series[i];
    if (scores[i].size() != s.values.size()) {
      throw std::invalid_argument("NAB scores: " + s.name + " has " +
                                  std::to_string(s.values.size()) + " rows but " +
                                  std::to_string(scores[i].size()) + " scores");
    }
    for (std::size_t j = 0; j < scores[i].size(); ++j) {
      if (!std::isfinite(scores[i][j])) {
        throw std::invalid_argument("NAB scores: " + s.name + " row " + std::to_string(j) +
                                    ": the score is not a finite number");
      }
    }
  }
}

// NAB starts its sweep at 1.1, above any score in [0, 1]; higher scores
// move the "detect nothing" threshold just above them.
double nothing_threshold(const Scores& scores) {
  double top = -std::numeric_limits<double>::infinity();
  for (const auto& v : scores) {
    for (const double x : v) top = std::max(top, x);
  }
  return std::max(1.1, std::nextafter(top, std::numeric_limits<double>::infinity()));
}

// A scored row of the corpus, for sorting by anomaly score.
struct Point {
  double anomaly = 0;
  std::uint32_t series = 0;
  std::uint32_t row = 0;
};

// The scored rows by anomaly score, highest first, of the whole corpus (for
// the optimiser) and of each series (for scoring). Equal scores keep corpus
// order, as Python's stable sorted(..., reverse=True) does; filtering the
// corpus-wide order by series gives each series' own sorted order.
struct Sorted {
  std::vector<Point> corpus;
  std::vector<std::vector<Point>> series;
};

Sorted sort_points(const Scores& scores) {
  Sorted out;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    for (std::size_t j = probationary_length(scores[i].size()); j < scores[i].size(); ++j) {
      out.corpus.push_back(
          {scores[i][j], static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
    }
  }
  std::stable_sort(out.corpus.begin(), out.corpus.end(),
                   [](const Point& a, const Point& b) { return a.anomaly > b.anomaly; });
  out.series.resize(scores.size());
  for (const Point& p : out.corpus) out.series[p.series].push_back(p);
  return out;
}

// The state of sweeper.calcScoreByThreshold while it lowers the threshold
// through a sorted list of scored rows. Window parts start at -fnWeight in
// order of first appearance in the list (a Python dict keeps insertion
// order); the score is sum(parts) with the false-positive part first.
class Sweep {
 public:
  Sweep(const std::vector<Point>& points, const std::vector<std::vector<Row>>& rows,
        const std::vector<std::size_t>& window_base, std::size_t windows, const Profile& p)
      : rows_(rows), base_(window_base), part_(windows, 0) {
    std::vector<char> seen(windows, 0);
    for (const Point& pt : points) {
      const Row& r = rows_[pt.series][pt.row];
      if (r.window == kNoWindow) {
        ++counts_.tn;
        continue;
      }
      ++counts_.fn;
      const std::size_t w = window(pt, r);
      if (!seen[w]) {
        seen[w] = 1;
        order_.push_back(w);
        part_[w] = -p.fn_weight;
      }
    }
  }

  // The row becomes a detection.
  void add(const Point& pt) {
    const Row& r = rows_[pt.series][pt.row];
    if (r.window == kNoWindow) {
      ++counts_.fp;
      --counts_.tn;
      fp_ += r.sweep;
    } else {
      ++counts_.tp;
      --counts_.fn;
      double& w = part_[window(pt, r)];
      w = std::max(w, r.sweep);
    }
  }

  double score() const {
    double sum = 0 + fp_;
    for (const std::size_t w : order_) sum += part_[w];
    return sum;
  }
  const Counts& counts() const { return counts_; }

 private:
  std::size_t window(const Point& pt, const Row& r) const {
    return base_[pt.series] + static_cast<std::size_t>(r.window);
  }

  const std::vector<std::vector<Row>>& rows_;
  const std::vector<std::size_t>& base_;
  std::vector<double> part_;
  std::vector<std::size_t> order_;
  Counts counts_;
  double fp_ = 0;
};

// Window ids over the whole corpus: a series' windows start at its offset.
std::vector<std::size_t> window_offsets(const Corpus& corpus) {
  std::vector<std::size_t> base(corpus.series.size());
  std::size_t total = 0;
  for (std::size_t i = 0; i < corpus.series.size(); ++i) {
    base[i] = total;
    total += corpus.series[i].windows.size();
  }
  return base;
}

std::vector<std::vector<Row>> sweep_all(const Corpus& corpus, const Profile& p) {
  std::vector<std::vector<Row>> rows;
  rows.reserve(corpus.series.size());
  for (const auto& s : corpus.series) rows.push_back(sweep(s, p));
  return rows;
}

// sweeper.scoreDataSet for every series, summed as scorer.scoreCorpus does.
// NAB takes the row of the threshold itself, else the last row above it:
// both mean "score >= threshold" (NAB fails when the threshold lies above
// 1.1 or below every score of a series; here that detects nothing or all).
CorpusScore score_sorted(const Corpus& corpus, const Sorted& sorted, const Profile& profile,
                         double threshold) {
  const auto rows = sweep_all(corpus, profile);
  const auto base = window_offsets(corpus);
  CorpusScore out;
  out.threshold = threshold;
  for (std::size_t i = 0; i < corpus.series.size(); ++i) {
    Sweep sweep(sorted.series[i], rows, base, corpus.window_count(), profile);
    for (const Point& pt : sorted.series[i]) {
      if (pt.anomaly < threshold) break;
      sweep.add(pt);
    }
    const SeriesScore s{sweep.score(), sweep.counts()};
    out.score += s.score;
    out.counts.tp += s.counts.tp;
    out.counts.tn += s.counts.tn;
    out.counts.fp += s.counts.fp;
    out.counts.fn += s.counts.fn;
    out.series.push_back(s);
  }
  return out;
}

// optimizer.optimizeThreshold: every series' rows in one sorted list, the
// score recorded before each new threshold, and the first of the best kept
// (Python's sorted(..., reverse=True)[0] is stable).
Optimum optimise_sorted(const Corpus& corpus, const Scores& scores, const Sorted& sorted,
                        const Profile& profile) {
  const auto rows = sweep_all(corpus, profile);
  const auto base = window_offsets(corpus);
  Sweep sweep(sorted.corpus, rows, base, corpus.window_count(), profile);
  double threshold = nothing_threshold(scores);
  // The first record detects nothing.
  Optimum best{threshold, sweep.score()};
  const auto record = [&] {
    const double score = sweep.score();
    if (score > best.score) best = {threshold, score};
  };
  for (const Point& pt : sorted.corpus) {
    if (pt.anomaly != threshold) {
      record();
      threshold = pt.anomaly;
    }
    sweep.add(pt);
  }
  record();
  return best;
}

}  // namespace

double scaled_sigmoid(double x) {
  if (x > 3.0) return -1.0;
  return 2 * (1 / (1 + std::exp(-(-5 * x)))) - 1.0;
}

std::size_t probationary_length(std::size_t rows) {
  const double length = std::min(std::floor(kProbationaryPercent * static_cast<double>(rows)),
                                 kProbationaryPercent * 5000);
  return static_cast<std::size_t>(std::ceil(length));
}

CorpusScore score(const Corpus& corpus, const Scores& scores, const Profile& profile,
                  double threshold) {
  check(corpus, scores);
  return score_sorted(corpus, sort_points(scores), profile, threshold);
}

Optimum optimise_threshold(const Corpus& corpus, const Scores& scores, const Profile& profile) {
  check(corpus, scores);
  return optimise_sorted(corpus, scores, sort_points(scores), profile);
}

double as_stored_by_nab(double score) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", score);
  return std::strtod(text, nullptr);
}

const ProfileScore& NormalisedScores::at(std::string_view profile) const {
  for (const auto& p : profiles) {
    if (p.profile == profile) return p;
  }
  throw std::out_of_range("no NAB profile \"" + std::string(profile) + "\"");
}

NormalisedScores normalised_scores(const Corpus& corpus, const Scores& scores) {
  check(corpus, scores);
  Scores null_scores;
  for (const auto& s : corpus.series) null_scores.emplace_back(s.values.size(), 0.5);
  const Sorted sorted = sort_points(scores);
  const Sorted null_sorted = sort_points(null_scores);
  NormalisedScores out;
  for (const Profile& p : corpus.profiles) {
    ProfileScore r;
    r.profile = p.name;
    r.threshold = optimise_sorted(corpus, scores, sorted, p).threshold;
    r.raw = score_sorted(corpus, sorted, p, r.threshold).score;
    const double null_threshold = optimise_sorted(corpus, null_scores, null_sorted, p).threshold;
    r.null_raw = score_sorted(corpus, null_sorted, p, null_threshold).score;
    // tpCount in Runner.normalize is the number of windows in the labels.
    r.perfect = static_cast<double>(corpus.window_count()) * p.tp_weight;
    r.normalised = 100 * (r.raw - r.null_raw) / (r.perfect - r.null_raw);
    out.profiles.push_back(r);
  }
  return out;
}

}  // namespace lp::nab
