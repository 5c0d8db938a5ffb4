// Shared helpers for the Load Vector tests: fixtures by relative name (so
// messages are stable), and vectors built from a few lines of JSON.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "loadpilot/vectors/parse.hpp"
#include "loadpilot/vectors/render.hpp"

namespace lp::vectors::testing {

inline const std::filesystem::path kFixtures = LOADPILOT_TEST_FIXTURES;
inline const std::filesystem::path kShippedVectors =
    std::filesystem::path(LOADPILOT_SOURCE_DIR) / "vectors";

// Runs with the fixtures folder as the working directory.
class InFixtures {
 public:
  InFixtures() : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(kFixtures);
  }
  ~InFixtures() { std::filesystem::current_path(previous_); }
  InFixtures(const InFixtures&) = delete;
  InFixtures& operator=(const InFixtures&) = delete;

 private:
  std::filesystem::path previous_;
};

// A vector of the given request types (a JSON array's text); CSV files are
// resolved in the fixtures folder. Fails the test on any error.
inline LoadVector vector_of(const std::string& request_types) {
  const std::string text =
      R"({"vector_id": "t", "name": "T", "duration_sec": 10, "request_types": )" + request_types +
      "}";
  ParseResult parsed = parse_vector(text, "inline.json", kFixtures);
  EXPECT_TRUE(parsed.ok()) << parsed.format_errors();
  if (!parsed.ok()) return {};
  return parsed.vectors.at(0);
}

// One POST type whose payload is `payload` (text/plain, so any text goes).
inline LoadVector payload_vector(const std::string& payload) {
  nlohmann::json types = nlohmann::json::array({{{"method", "POST"},
                                                 {"path", "/"},
                                                 {"frequency", 100},
                                                 {"payload_template", payload},
                                                 {"content_type", "text/plain"}}});
  return vector_of(types.dump());
}

inline std::string render_body(const VectorRuntime& runtime, RenderContext& ctx,
                               std::size_t type = 0) {
  RenderedRequest out;
  runtime.render(type, ctx, out);
  return out.body;
}

}  // namespace lp::vectors::testing
