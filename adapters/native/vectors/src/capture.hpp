// Capture rules compiled once (JSON pointer parsed, regex built) and applied
// to responses: the value for ${capture.NAME} in later requests of a user.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "loadpilot/vectors/load_vector.hpp"
#include "loadpilot/vectors/render.hpp"

namespace lp::vectors::detail {

struct CompiledCapture {
  uint32_t slot = 0;
  CaptureSource source = CaptureSource::kJsonPointer;
  std::string header;
  nlohmann::json::json_pointer pointer;
  std::optional<std::regex> regex;
};

// The compiled rule, or what is wrong with its expression.
std::variant<CompiledCapture, std::string> compile_capture(const CaptureRule& rule, uint32_t slot);

// Writes the value the rule finds into `out`; false when it finds none.
// `doc` is the parsed body (null or discarded when it is not JSON), parsed
// once per response by the caller however many json rules there are.
bool extract(const CompiledCapture& rule, std::span<const HeaderView> headers,
             std::string_view body, const nlohmann::json& doc, std::string& out);

}  // namespace lp::vectors::detail
