// A Load Vector as its file describes it: a named mix of request types run
// for a duration. Produced only by the parser (parse.hpp), which also compiles
// its templates; a LoadVector is immutable and cheap to copy after that.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lp::vectors {

namespace detail {
struct VectorProgram;  // compiled templates, capture rules, CSV tables
}

// Pause after a response, drawn uniformly in [min_ms, max_ms].
struct ThinkTime {
  double min_ms = 0;
  double max_ms = 0;
  bool operator==(const ThinkTime&) const = default;
};

enum class CaptureSource { kJsonPointer, kRegex, kHeader };

// `{"NAME": {"json": "/id"}}`, `{"regex": "..."}` or `{"header": "Location"}`.
struct CaptureRule {
  std::string name;
  CaptureSource source = CaptureSource::kJsonPointer;
  std::string expression;  // the pointer, the regex, or the header name
  bool operator==(const CaptureRule&) const = default;
};

struct RequestType {
  std::string name;  // "METHOD path" unless the file names it
  std::string method;
  std::string path;                                          // template
  std::vector<std::pair<std::string, std::string>> headers;  // values are templates
  double frequency = 0;                                      // percent of the vector's requests
  std::optional<std::string> payload_template;
  std::string content_type;  // given or inferred; empty without a payload
  ThinkTime think_time;
  std::vector<CaptureRule> captures;
  // True when no template of this type has a variable: it can be serialised once.
  bool is_static = true;
};

struct LoadVector {
  std::string id;
  std::string name;
  std::string description;
  std::vector<RequestType> request_types;
  double ramp_up_time_sec = 0;
  double duration_sec = 0;
  std::optional<double> rate;  // requests/s the vector aims at
  std::filesystem::path file;  // where it was read from (the label given to the parser)
  std::string pointer;         // within the file: "" for a lone vector, "/N" in an array

  // Shared, immutable; used by VectorRuntime (render.hpp).
  std::shared_ptr<const detail::VectorProgram> program;

  // Request-type weights in file order, for a MixSampler.
  std::vector<double> frequencies() const;
};

// The vector in file form with defaults filled in (what `vectors show` prints);
// parsing it again gives the same vector.
nlohmann::ordered_json to_json(const LoadVector& vector);

}  // namespace lp::vectors
