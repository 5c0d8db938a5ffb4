// The ALV sequencer: runs Load Vectors in order (ramp-up, then duration,
// then a transition delay) and skips or shortens a vector whose error rate
// passes the plan's threshold. Pure logic on elapsed time, so it is tested
// without a network; the run controller feeds it ticks.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lp {

struct VectorStep {
  std::string id;
  std::chrono::milliseconds ramp_up{0};
  std::chrono::milliseconds duration{0};
  double target = 0;  // offered rate (open model) or users (closed model) once ramped up
};

enum class HighErrorAction { kSkip, kShorten };

struct AlvPolicy {
  std::optional<double> max_error_rate;  // fraction; none: never skip or shorten
  HighErrorAction action = HighErrorAction::kSkip;
  double shorten_to = 0.25;   // a shortened vector runs this fraction of its planned time
  std::int64_t min_requests = 20;  // judge an error rate only on this many requests
  std::chrono::milliseconds transition_delay{0};
};

struct AlvDecision {
  enum class Kind { kStarted, kCompleted, kShortened, kSkipped };
  Kind kind;
  std::size_t index;  // into the steps
  std::string vector_id;
  std::chrono::milliseconds at{0};  // elapsed run time
  std::string reason;               // for shortened/skipped
  // True when the vector ends here; false for a start, or for a cut announced
  // when taken (the vector then ends with a second decision of the same kind).
  bool ends_vector = false;
};

struct AlvState {
  enum class Phase { kTransition, kRunning, kDone };
  Phase phase = Phase::kTransition;
  std::size_t index = 0;  // the vector running, or the next one in a transition
  double target = 0;      // what to offer now (0 in a transition)
};

class AlvSequencer {
 public:
  AlvSequencer(std::vector<VectorStep> steps, AlvPolicy policy);

  // Moves to elapsed time `now`; decisions taken on the way are appended.
  // `tick` smooths the ramp: the target is the one for the end of the tick.
  AlvState advance(std::chrono::milliseconds now, std::chrono::milliseconds tick,
                   std::vector<AlvDecision>& decisions);

  // Requests and errors of the running vector completed in the last tick; a
  // vector over the error threshold is cut short at `now` (the cut shows in
  // the next advance()).
  void observe(std::int64_t requests, std::int64_t errors, std::chrono::milliseconds now,
               std::vector<AlvDecision>& decisions);

  // The planned length of the whole profile, with transitions.
  std::chrono::milliseconds planned_duration() const;
  const std::vector<VectorStep>& steps() const { return steps_; }

 private:
  std::vector<VectorStep> steps_;
  AlvPolicy policy_;
  AlvState::Phase phase_ = AlvState::Phase::kTransition;
  std::size_t index_ = 0;
  std::chrono::milliseconds phase_start_{0};
  std::chrono::milliseconds end_{0};  // of the running vector
  std::int64_t requests_ = 0;
  std::int64_t errors_ = 0;
  std::optional<AlvDecision::Kind> cut_;  // skipped or shortened
  std::string cut_reason_;
};

}  // namespace lp
