#include "loadpilot/host/store/rows.hpp"

#include <array>
#include <utility>

namespace lp {
namespace {

// The texts are part of the schema (CHECK constraints in schema.cpp).
constexpr std::array<std::pair<RunStatus, std::string_view>, 5> kRunStatuses{{
    {RunStatus::kRunning, "running"},
    {RunStatus::kPassed, "passed"},
    {RunStatus::kFailed, "failed"},
    {RunStatus::kError, "error"},
    {RunStatus::kInterrupted, "interrupted"},
}};

constexpr std::array<std::pair<VectorOutcome, std::string_view>, 4> kVectorOutcomes{{
    {VectorOutcome::kRunning, "running"},
    {VectorOutcome::kCompleted, "completed"},
    {VectorOutcome::kShortened, "shortened"},
    {VectorOutcome::kSkipped, "skipped"},
}};

template <typename Enum, size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                         Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) {
      return name;
    }
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) {
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(RunStatus status) {
  return name_of(kRunStatuses, status);
}

std::optional<RunStatus> run_status_from_string(std::string_view text) {
  return value_of(kRunStatuses, text);
}

std::string_view to_string(VectorOutcome outcome) {
  return name_of(kVectorOutcomes, outcome);
}

std::optional<VectorOutcome> vector_outcome_from_string(std::string_view text) {
  return value_of(kVectorOutcomes, text);
}

}  // namespace lp
