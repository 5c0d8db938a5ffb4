#include "json_value.hpp"

#include <cmath>

namespace lp::plan {

nlohmann::json to_json_value(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kNull:
      return nullptr;
    case Node::Kind::kSequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const Node& item : node.items) out.push_back(to_json_value(item));
      return out;
    }
    case Node::Kind::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const Entry& e : node.entries) out[e.key] = to_json_value(e.value);
      return out;
    }
    case Node::Kind::kScalar:
      break;
  }
  switch (scalar_type(node)) {
    case ScalarType::kNull:
      return nullptr;
    case ScalarType::kBool:
      return *parse_yaml_bool(node.text);
    case ScalarType::kInt: {
      const double v = *parse_yaml_number(node.text);
      if (std::abs(v) < 9.0e18) return static_cast<std::int64_t>(v);
      return v;
    }
    case ScalarType::kFloat: {
      const double v = *parse_yaml_number(node.text);
      if (std::isfinite(v)) return v;
      return node.text;
    }
    case ScalarType::kString:
      break;
  }
  return node.text;
}

}  // namespace lp::plan
