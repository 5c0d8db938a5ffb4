#include "loadpilot/vectors/load_vector.hpp"

#include <cmath>

namespace lp::vectors {
namespace {

// Whole numbers print as integers ("10", not "10.0") so output reads like input.
nlohmann::ordered_json number(double value) {
  if (std::trunc(value) == value && std::abs(value) < 9e15) {
    return static_cast<int64_t>(value);
  }
  return value;
}

const char* capture_kind(CaptureSource source) {
  switch (source) {
    case CaptureSource::kJsonPointer:
      return "json";
    case CaptureSource::kRegex:
      return "regex";
    case CaptureSource::kHeader:
      return "header";
  }
  return "json";
}

}  // namespace

std::vector<double> LoadVector::frequencies() const {
  std::vector<double> out;
  out.reserve(request_types.size());
  for (const auto& t : request_types) out.push_back(t.frequency);
  return out;
}

nlohmann::ordered_json to_json(const LoadVector& vector) {
  nlohmann::ordered_json out;
  out["vector_id"] = vector.id;
  out["name"] = vector.name;
  if (!vector.description.empty()) out["description"] = vector.description;
  out["ramp_up_time_sec"] = number(vector.ramp_up_time_sec);
  out["duration_sec"] = number(vector.duration_sec);
  if (vector.rate) out["rate"] = number(*vector.rate);
  auto& types = out["request_types"] = nlohmann::ordered_json::array();
  for (const auto& t : vector.request_types) {
    nlohmann::ordered_json j;
    j["name"] = t.name;
    j["method"] = t.method;
    j["path"] = t.path;
    if (!t.headers.empty()) {
      auto& headers = j["headers"] = nlohmann::ordered_json::object();
      for (const auto& [name, value] : t.headers) headers[name] = value;
    }
    j["frequency"] = number(t.frequency);
    if (t.payload_template) {
      j["payload_template"] = *t.payload_template;
      if (!t.content_type.empty()) j["content_type"] = t.content_type;
    }
    if (t.think_time.min_ms == t.think_time.max_ms) {
      j["think_time_ms"] = number(t.think_time.min_ms);
    } else {
      j["think_time_ms"] = {number(t.think_time.min_ms), number(t.think_time.max_ms)};
    }
    if (!t.captures.empty()) {
      auto& capture = j["capture"] = nlohmann::ordered_json::object();
      for (const auto& c : t.captures) capture[c.name] = {{capture_kind(c.source), c.expression}};
    }
    types.push_back(std::move(j));
  }
  return out;
}

}  // namespace lp::vectors
