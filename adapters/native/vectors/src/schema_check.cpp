#include "schema_check.hpp"

#include <fmt/format.h>

#include <charconv>
#include <set>
#include <string_view>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "text_util.hpp"

namespace lp::vectors::detail {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view kSchemaText =
#include "load_vector_schema.inc"
    ;

// Strings the schema matches with "pattern" are cut to this length before
// validation: std::regex recurses per character and a huge one would overflow
// the stack. The maxLength check still sees a string that is too long.
constexpr std::size_t kMaxPatternInput = 1024;

struct CompiledSchema {
  json document;
  valijson::Schema schema;
};

const CompiledSchema& compiled_schema() {
  static const CompiledSchema* const kSchema = [] {
    auto* out = new CompiledSchema;
    out->document = json::parse(kSchemaText);
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(out->document);
    parser.populateSchema(adapter, out->schema);
    return out;
  }();
  return *kSchema;
}

json to_plain(const ordered_json& value, bool cut_strings) {
  switch (value.type()) {
    case ordered_json::value_t::object: {
      json out = json::object();
      for (const auto& [key, child] : value.items()) {
        out[key] = to_plain(child, cut_strings && key == "vector_id");
      }
      return out;
    }
    case ordered_json::value_t::array: {
      json out = json::array();
      for (const auto& child : value) out.push_back(to_plain(child, false));
      return out;
    }
    case ordered_json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      return cut_strings && s.size() > kMaxPatternInput ? json(s.substr(0, kMaxPatternInput))
                                                        : json(s);
    }
    case ordered_json::value_t::boolean:
      return json(value.get<bool>());
    case ordered_json::value_t::number_integer:
      return json(value.get<int64_t>());
    case ordered_json::value_t::number_unsigned:
      return json(value.get<uint64_t>());
    case ordered_json::value_t::number_float:
      return json(value.get<double>());
    default:
      return json(nullptr);
  }
}

const json* resolve(const json* schema) {
  // Only local "#/definitions/NAME" references occur in our schema.
  for (int hops = 0; schema != nullptr && hops < 8; ++hops) {
    auto ref = schema->find("$ref");
    if (ref == schema->end() || !ref->is_string()) return schema;
    const std::string& target = ref->get_ref<const std::string&>();
    if (target.rfind("#/", 0) != 0) return nullptr;
    const json::json_pointer pointer(target.substr(1));
    const json& root = compiled_schema().document;
    schema = root.contains(pointer) ? &root.at(pointer) : nullptr;
  }
  return schema;
}

// The subschema for the value `value` reached through `token` from `schema`.
const json* step(const json* schema, const ordered_json& parent, const std::string& token) {
  schema = resolve(schema);
  if (schema == nullptr) return nullptr;
  if (parent.is_object()) {
    if (auto props = schema->find("properties"); props != schema->end()) {
      if (auto p = props->find(token); p != props->end()) return resolve(&*p);
    }
    if (auto extra = schema->find("additionalProperties");
        extra != schema->end() && extra->is_object()) {
      return resolve(&*extra);
    }
    return nullptr;
  }
  if (parent.is_array()) {
    if (auto items = schema->find("items"); items != schema->end() && items->is_object()) {
      return resolve(&*items);
    }
  }
  return nullptr;
}

std::string between(const std::string& text, char quote_char) {
  const auto first = text.find(quote_char);
  const auto last = text.rfind(quote_char);
  if (first == std::string::npos || last <= first) return {};
  return text.substr(first + 1, last - first - 1);
}

std::string type_words(const json& type) {
  const auto one = [](const std::string& t) -> std::string {
    if (t == "object" || t == "array" || t == "integer") return "an " + t;
    if (t == "boolean") return "true or false";
    return "a " + t;
  };
  if (type.is_string()) return one(type.get<std::string>());
  std::string out;
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (i > 0) out += " or ";
    out += one(type[i].get<std::string>());
  }
  return out;
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string number_bound(const json* sub, const char* key) {
  if (sub == nullptr) return "?";
  auto it = sub->find(key);
  return it != sub->end() && it->is_number() ? format_number(it->get<double>()) : "?";
}

// One valijson error in our words; "" for wrappers that only say a child failed.
std::string message_for(const std::string& d, const json* sub, const ordered_json& here,
                        std::string& pointer) {
  const auto starts = [&](std::string_view prefix) { return d.rfind(prefix, 0) == 0; };
  if (starts("Failed to validate item #") || starts("Failed to validate against schema") ||
      starts("Failed to validate against additional") ||
      starts("Failed to validate against child schema")) {
    return {};
  }
  if (starts("Missing required property '")) {
    return fmt::format("missing required key {}", quote(between(d, '\'')));
  }
  if (starts("Object contains a property that could not be validated")) {
    const std::string key = d.substr(d.rfind(": '") + 3, d.size() - d.rfind(": '") - 5);
    std::vector<std::string> known;
    if (sub != nullptr) {
      if (auto props = sub->find("properties"); props != sub->end() && props->is_object()) {
        for (const auto& [k, v] : props->items()) {
          if (k != "$schema") known.push_back(k);
        }
      }
    }
    pointer = pointer_join(pointer, key);
    return fmt::format("unknown key {}{}", quote(key), did_you_mean(key, known));
  }
  if (starts("Value type not permitted") && sub != nullptr && sub->contains("type")) {
    return fmt::format("expected {}, found {}", type_words((*sub)["type"]), describe(here));
  }
  if (starts("Failed to match against any enum values") && sub != nullptr &&
      sub->contains("enum")) {
    std::vector<std::string> names;
    std::string allowed;
    for (const auto& v : (*sub)["enum"]) {
      const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      allowed += allowed.empty() ? s : ", " + s;
      names.push_back(s);
    }
    const std::string hint =
        here.is_string() ? did_you_mean(here.get<std::string>(), names) : std::string();
    return fmt::format("expected one of {}, found {}{}", allowed, describe(here), hint);
  }
  if (starts("Failed to match regex specified by 'pattern'") && sub != nullptr) {
    return fmt::format("expected a value matching {}, found {}",
                       sub->value("pattern", std::string("?")), describe(here));
  }
  if (starts("Expected number greater than")) {
    const bool inclusive = d.find("or equal") != std::string::npos;
    return fmt::format("expected a number {} {}, found {}", inclusive ? ">=" : ">",
                       number_bound(sub, inclusive ? "minimum" : "exclusiveMinimum"),
                       describe(here));
  }
  if (starts("Expected number less than")) {
    const bool inclusive = d.find("or equal") != std::string::npos;
    return fmt::format("expected a number {} {}, found {}", inclusive ? "<=" : "<",
                       number_bound(sub, inclusive ? "maximum" : "exclusiveMaximum"),
                       describe(here));
  }
  if ((starts("Array should contain no fewer") || starts("Array should contain no more")) &&
      sub != nullptr) {
    const auto min = sub->value("minItems", std::size_t{0});
    const auto max = sub->value("maxItems", std::size_t{0});
    const std::size_t found = here.size();
    if (min == max) {
      return fmt::format("expected exactly {}, found {}", plural(min, "item"), found);
    }
    return starts("Array should contain no fewer")
               ? fmt::format("expected at least {}, found {}", plural(min, "item"), found)
               : fmt::format("expected at most {}, found {}", plural(max, "item"), found);
  }
  if (starts("String should be no fewer") && sub != nullptr) {
    const auto min = sub->value("minLength", std::size_t{0});
    return min <= 1 ? std::string("must not be empty")
                    : fmt::format("expected at least {}", plural(min, "character"));
  }
  if (starts("String should be no more") && sub != nullptr) {
    return fmt::format("expected at most {}, found {}",
                       plural(sub->value("maxLength", std::size_t{0}), "character"),
                       here.is_string() ? here.get_ref<const std::string&>().size() : 0);
  }
  if ((starts("Object should have no fewer") || starts("Object should have no more")) &&
      sub != nullptr && sub->contains("properties")) {
    std::string keys;
    const auto& props = (*sub)["properties"];
    std::size_t i = 0;
    for (const auto& [k, v] : props.items()) {
      keys += i == 0 ? "" : (i + 1 == props.size() ? " or " : ", ");
      keys += quote(k);
      ++i;
    }
    return fmt::format("expected exactly one of {}, found {}", keys,
                       here.empty() ? std::string("none") : std::to_string(here.size()));
  }
  return d;
}

}  // namespace

std::string_view schema_text() {
  return kSchemaText;
}

void check_schema(const ordered_json& vector, const std::string& prefix,
                  std::vector<Problem>& problems) {
  const CompiledSchema& compiled = compiled_schema();
  const json plain = to_plain(vector, true);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(plain);
  if (validator.validate(compiled.schema, target, &results)) return;

  std::set<std::pair<std::string, std::string>> seen;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    // Walk the document and the schema down the error's context together.
    const ordered_json* node = &vector;
    const json* sub = resolve(&compiled.document);
    std::string pointer = prefix;
    for (std::size_t i = 1; i < error.context.size(); ++i) {
      std::string token = error.context[i];
      if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
        token = token.substr(1, token.size() - 2);
      }
      const ordered_json* child = nullptr;
      if (node->is_object()) {
        auto it = node->find(token);
        if (it != node->end()) child = &*it;
      } else if (node->is_array()) {
        std::size_t index = 0;
        const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
        if (ec == std::errc{} && end == token.data() + token.size() && index < node->size()) {
          child = &(*node)[index];
        }
      }
      if (child == nullptr) break;
      sub = step(sub, *node, token);
      pointer = pointer_join(pointer, token);
      node = child;
    }
    sub = resolve(sub);
    std::string message = message_for(error.description, sub, *node, pointer);
    if (message.empty()) continue;
    if (seen.emplace(pointer, message).second) problems.push_back({pointer, std::move(message)});
  }
}

}  // namespace lp::vectors::detail
