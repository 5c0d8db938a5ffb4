// One vector object against vectors/load-vector.schema.json (compiled in),
// valijson's errors turned into JSON pointers and plain messages.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lp::vectors::detail {

struct Problem {
  std::string pointer;
  std::string message;
};

// Appends the schema violations of `vector` (one vector object, or any value
// where one is expected); pointers are `prefix` + the path inside `vector`.
void check_schema(const nlohmann::ordered_json& vector, const std::string& prefix,
                  std::vector<Problem>& problems);

std::string_view schema_text();

}  // namespace lp::vectors::detail
