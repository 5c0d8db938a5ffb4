// An example third-party plugin: a detector with fixed bounds and hysteresis,
// so a value hovering at a limit does not flap between alert and clear.
#include <loadpilot/sdk.hpp>

#include <charconv>
#include <string>

namespace {

// Reads "key": number from a flat JSON object. A real plugin would use a
// JSON library; this example keeps to the SDK alone.
double number_field(std::string_view json, std::string_view key, double fallback) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  auto at = json.find(quoted);
  if (at == std::string_view::npos) return fallback;
  at = json.find(':', at);
  if (at == std::string_view::npos) return fallback;
  ++at;
  while (at < json.size() && json[at] == ' ') ++at;
  double value = fallback;
  std::from_chars(json.data() + at, json.data() + json.size(), value);
  return value;
}

class Hysteresis {
 public:
  static constexpr lp_kind kind = LP_KIND_DETECTOR;
  static constexpr const char* type_name = "example-hysteresis";
  static constexpr const char* description =
      "Flags values above `high` until they fall below `low` (example out-of-tree plugin)";
  static constexpr const char* config_schema = R"({
    "type": "object",
    "properties": {"high": {"type": "number"}, "low": {"type": "number"}},
    "required": ["high", "low"],
    "additionalProperties": false
  })";

  static void validate(std::string_view config) {
    if (number_field(config, "low", 0) > number_field(config, "high", 0)) {
      throw lp::sdk::ConfigError("low must not be above high");
    }
  }

  Hysteresis(const lp::sdk::Host&, std::string_view config)
      : high_(number_field(config, "high", 0)), low_(number_field(config, "low", 0)) {}

  std::uint64_t warmup() const { return 0; }

  lp::sdk::Detection observe(std::int64_t, std::span<const double> values) {
    if (values.empty()) throw lp::sdk::Error("expected one value", LP_ERR_INVALID_ARGUMENT);
    const double v = values[0];
    if (v > high_) active_ = true;
    if (v < low_) active_ = false;
    lp::sdk::Detection d;
    d.flag = active_;
    d.score = active_ ? 1.0 : 0.0;
    d.expected_low = -std::numeric_limits<double>::infinity();
    d.expected_high = high_;
    return d;
  }

 private:
  double high_, low_;
  bool active_ = false;
};

}  // namespace

LOADPILOT_PLUGIN("example-hysteresis", "1.0.0", "Example out-of-tree plugin", Hysteresis)
