#include "loadpilot/host/run/alv_sequencer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lp {

using std::chrono::milliseconds;

AlvSequencer::AlvSequencer(std::vector<VectorStep> steps, AlvPolicy policy)
    : steps_(std::move(steps)), policy_(std::move(policy)) {
  if (steps_.empty()) phase_ = AlvState::Phase::kDone;
}

milliseconds AlvSequencer::planned_duration() const {
  milliseconds total{0};
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    if (i > 0) total += policy_.transition_delay;
    total += steps_[i].ramp_up + steps_[i].duration;
  }
  return total;
}

AlvState AlvSequencer::advance(milliseconds now, milliseconds tick,
                               std::vector<AlvDecision>& decisions) {
  // Bounded: each pass either returns or moves one phase forward.
  for (std::size_t guard = 0; guard <= 2 * steps_.size() + 2; ++guard) {
    if (phase_ == AlvState::Phase::kDone) return {AlvState::Phase::kDone, steps_.size(), 0};
    const VectorStep& step = steps_[index_];
    if (phase_ == AlvState::Phase::kTransition) {
      const milliseconds wait = index_ == 0 ? milliseconds{0} : policy_.transition_delay;
      if (now < phase_start_ + wait) return {AlvState::Phase::kTransition, index_, 0};
      phase_start_ += wait;
      end_ = phase_start_ + step.ramp_up + step.duration;
      phase_ = AlvState::Phase::kRunning;
      requests_ = errors_ = 0;
      cut_.reset();
      decisions.push_back({AlvDecision::Kind::kStarted, index_, step.id, phase_start_, "", false});
      continue;
    }
    if (now >= end_) {
      const auto kind = cut_.value_or(AlvDecision::Kind::kCompleted);
      decisions.push_back({kind, index_, step.id, end_, cut_reason_, true});
      cut_reason_.clear();
      phase_start_ = end_;
      ++index_;
      phase_ = index_ < steps_.size() ? AlvState::Phase::kTransition : AlvState::Phase::kDone;
      continue;
    }
    const milliseconds into = now - phase_start_ + tick;
    double fraction = 1.0;
    if (step.ramp_up.count() > 0 && into < step.ramp_up) {
      fraction = static_cast<double>(into.count()) / static_cast<double>(step.ramp_up.count());
    }
    return {AlvState::Phase::kRunning, index_, step.target * std::clamp(fraction, 0.0, 1.0)};
  }
  return {AlvState::Phase::kDone, steps_.size(), 0};
}

void AlvSequencer::observe(std::int64_t requests, std::int64_t errors, milliseconds now,
                           std::vector<AlvDecision>& decisions) {
  if (phase_ != AlvState::Phase::kRunning || !policy_.max_error_rate || cut_) return;
  requests_ += requests;
  errors_ += errors;
  if (requests_ < policy_.min_requests) return;
  const double rate = static_cast<double>(errors_) / static_cast<double>(requests_);
  if (rate <= *policy_.max_error_rate) return;

  const VectorStep& step = steps_[index_];
  const std::string why = fmt::format("error rate {:.1f}% > {:.1f}% after {} requests",
                                      100.0 * rate, 100.0 * *policy_.max_error_rate, requests_);
  if (policy_.action == HighErrorAction::kSkip) {
    cut_ = AlvDecision::Kind::kSkipped;
    cut_reason_ = why;
    end_ = std::min(end_, now);
  } else {
    cut_ = AlvDecision::Kind::kShortened;
    const auto planned = step.ramp_up + step.duration;
    const auto shortened = milliseconds(static_cast<std::int64_t>(
        std::llround(static_cast<double>(planned.count()) * policy_.shorten_to)));
    end_ = std::min(end_, std::max(now, phase_start_ + shortened));
    cut_reason_ = fmt::format("{}; cut to {:.1f} s of {:.1f} s", why,
                              static_cast<double>((end_ - phase_start_).count()) / 1000.0,
                              static_cast<double>(planned.count()) / 1000.0);
  }
  decisions.push_back({*cut_, index_, step.id, now, cut_reason_, false});
}

}  // namespace lp
