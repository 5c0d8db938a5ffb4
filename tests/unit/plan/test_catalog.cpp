#include "test_catalog.hpp"

namespace lp::testing {

TestCatalog::TestCatalog() {
  add(LP_KIND_TOOL, "native", R"({
    "type": "object", "additionalProperties": false,
    "properties": {
      "connections": {"type": "integer", "minimum": 1},
      "timeout_ms": {"type": "number", "exclusiveMinimum": 0},
      "http2": {"type": "boolean"}}})");
  add(LP_KIND_TOOL, "locust", R"({
    "type": "object", "additionalProperties": false,
    "properties": {
      "users": {"type": "integer", "minimum": 1},
      "spawn_rate": {"type": "number", "exclusiveMinimum": 0},
      "tags": {"type": "array", "items": {"type": "string"}},
      "locust_args": {"type": "array", "items": {"type": "string"}}}})",
      [](const nlohmann::json& c) -> std::optional<std::string> {
        if (c.contains("users") && c.contains("spawn_rate") &&
            c["spawn_rate"].get<double>() > c["users"].get<double>()) {
          return "spawn_rate is larger than users";
        }
        return std::nullopt;
      });
  add(LP_KIND_TOOL, "jmeter", R"({
    "type": "object", "additionalProperties": false,
    "properties": {
      "heap": {"type": "string", "pattern": "^[0-9]+[mg]$"},
      "properties": {"type": "object", "additionalProperties": {"type": "string"}}}})");
  add(LP_KIND_TOOL, "gatling", R"({
    "type": "object", "required": ["simulation"],
    "properties": {"simulation": {"type": "string"}}})");

  add(LP_KIND_PROVIDER, "local", R"({
    "type": "object", "additionalProperties": false,
    "properties": {"max_processes": {"type": "integer", "minimum": 1, "maximum": 64}}})");
  add(LP_KIND_PROVIDER, "ssh", R"({
    "type": "object", "required": ["hosts"], "additionalProperties": false,
    "properties": {
      "hosts": {"type": "array", "minItems": 1, "items": {"type": "string"}},
      "user": {"type": "string"}}})");

  add(LP_KIND_FORECASTER, "prophet", R"({
    "type": "object", "additionalProperties": false,
    "properties": {
      "seasonality": {"enum": ["additive", "multiplicative"]},
      "changepoint_prior_scale": {"type": "number", "exclusiveMinimum": 0}}})");
  add(LP_KIND_FORECASTER, "seasonal-naive", R"({
    "type": "object", "properties": {"season": {"type": "string"}}})");

  add(LP_KIND_DETECTOR, "ewma", R"({
    "type": "object", "additionalProperties": false,
    "properties": {
      "alpha": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
      "threshold": {"type": "number"}}})");
  add(LP_KIND_DETECTOR, "iforest", R"({
    "type": "object", "additionalProperties": false,
    "properties": {
      "trees": {"type": "integer", "minimum": 1, "maximum": 1000},
      "contamination": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.5}}})");

  add(LP_KIND_SOURCE, "prometheus", R"({
    "type": "object", "required": ["url"], "additionalProperties": false,
    "properties": {
      "url": {"type": "string", "pattern": "^https?://"},
      "queries": {"type": "object", "additionalProperties": {"type": "string"}}}})");
  add(LP_KIND_SOURCE, "procfs", R"({
    "type": "object",
    "properties": {"pids": {"type": "array", "items": {"type": "integer"}}}})");

  add(LP_KIND_SINK, "influx", R"({
    "type": "object", "required": ["url"], "additionalProperties": false,
    "properties": {
      "url": {"type": "string", "pattern": "^https?://"},
      "database": {"type": "string"},
      "batch": {"type": "integer", "minimum": 1}}})",
      [](const nlohmann::json& c) -> std::optional<std::string> {
        const std::string url = c.value("url", "");
        if (url.find("/write") == std::string::npos) {
          return "url must end in the /write endpoint";
        }
        return std::nullopt;
      });
  add(LP_KIND_SINK, "csv", R"({
    "type": "object", "properties": {"path": {"type": "string"}}})");
}

void TestCatalog::add(lp_kind kind, std::string type, std::string schema, Validate validate) {
  Entry e;
  e.info.kind = kind;
  e.info.type_name = type;
  e.info.config_schema = std::move(schema);
  e.info.plugin_name = "test-" + type;
  e.info.plugin_version = "1.0.0";
  e.validate = std::move(validate);
  entries_[{kind, std::move(type)}] = std::move(e);
}

const ComponentInfo* TestCatalog::find(lp_kind kind, std::string_view type_name) const {
  auto it = entries_.find(std::make_pair(kind, std::string(type_name)));
  return it == entries_.end() ? nullptr : &it->second.info;
}

std::vector<std::string> TestCatalog::type_names(lp_kind kind) const {
  std::vector<std::string> out;
  for (const auto& [key, e] : entries_) {
    if (key.first == kind) out.push_back(key.second);
  }
  return out;
}

std::optional<std::string> TestCatalog::validate_config(lp_kind kind, std::string_view type_name,
                                                        std::string_view config_json) const {
  auto it = entries_.find(std::make_pair(kind, std::string(type_name)));
  if (it == entries_.end() || !it->second.validate) return std::nullopt;
  const auto config = nlohmann::json::parse(config_json, nullptr, false);
  if (config.is_discarded()) return "config is not JSON";
  return it->second.validate(config);
}

}  // namespace lp::testing
