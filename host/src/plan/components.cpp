#include "components.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

// Bad plugin schemas must surface as errors, not abort() the host.
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "json_value.hpp"

namespace lp::plan {

struct ComponentChecker::CompiledSchema {
  nlohmann::json document;
  valijson::Schema schema;
  std::string problem;  // set when the plugin's schema is unusable
};

ComponentChecker::ComponentChecker(Diagnostics& diag, const ComponentCatalog& catalog)
    : diag_(diag), catalog_(catalog) {}

ComponentChecker::~ComponentChecker() = default;

std::optional<std::string> ComponentChecker::type(lp_kind kind, const Node& n,
                                                  const std::string& path) {
  if (n.broken) return std::nullopt;
  const std::string kind_text(kind_name(kind));
  if (!n.is_scalar() || scalar_type(n) != ScalarType::kString) {
    diag_.error(n.loc, path,
                fmt::format("expected a {} type name, found {}", kind_text, describe(n)));
    return std::nullopt;
  }
  if (catalog_.find(kind, n.text) != nullptr) return n.text;
  const std::vector<std::string> names = catalog_.type_names(kind);
  std::string hint = suggestion(n.text, names, fmt::format("available {} types are", kind_text));
  if (names.empty()) hint = fmt::format("; no {} plugins are loaded", kind_text);
  diag_.error(n.loc, path, fmt::format("unknown {} type {}{}", kind_text, quote(n.text), hint));
  return std::nullopt;
}

const ComponentChecker::CompiledSchema* ComponentChecker::schema_for(lp_kind kind,
                                                                     const std::string& type) {
  auto key = std::make_pair(kind, type);
  auto it = schemas_.find(key);
  if (it != schemas_.end()) return it->second.get();
  auto compiled = std::make_unique<CompiledSchema>();
  const ComponentInfo* info = catalog_.find(kind, type);
  const std::string text = info ? info->config_schema : std::string();
  if (text.empty()) {
    compiled->document = nlohmann::json::object();  // no schema: anything goes
  } else {
    compiled->document = nlohmann::json::parse(text, nullptr, false);
    if (compiled->document.is_discarded()) {
      compiled->problem = "its config schema is not valid JSON";
    }
  }
  if (compiled->problem.empty()) {
    try {
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(compiled->document);
      parser.populateSchema(adapter, compiled->schema);
    } catch (const std::exception& e) {
      compiled->problem =
          fmt::format("its config schema is not a usable JSON Schema ({})", e.what());
    }
  }
  const CompiledSchema* result = compiled.get();
  schemas_.emplace(std::move(key), std::move(compiled));
  return result;
}

namespace {

using nlohmann::json;

// Follows local "$ref"s ("#/definitions/x"); nullptr when it cannot.
const json* resolve(const json& root, const json* s) {
  for (int hops = 0; s != nullptr && s->is_object() && hops < 16; ++hops) {
    auto ref = s->find("$ref");
    if (ref == s->end()) return s;
    if (!ref->is_string()) return nullptr;
    const std::string r = ref->get<std::string>();
    if (r.empty() || r[0] != '#') return nullptr;
    try {
      s = &root.at(json::json_pointer(r.substr(1)));
    } catch (const std::exception&) {
      return nullptr;
    }
  }
  return s != nullptr && s->is_object() ? s : nullptr;
}

// The subschema that applies to one child of a value (a key or an index).
const json* step(const json& root, const json* s, const std::string& segment, bool in_list,
                 std::size_t index) {
  s = resolve(root, s);
  if (s == nullptr) return nullptr;
  if (in_list) {
    auto items = s->find("items");
    if (items == s->end()) return nullptr;
    if (items->is_array()) {
      if (index < items->size()) return resolve(root, &(*items)[index]);
      auto extra = s->find("additionalItems");
      return extra != s->end() ? resolve(root, &*extra) : nullptr;
    }
    return resolve(root, &*items);
  }
  if (auto props = s->find("properties"); props != s->end() && props->is_object()) {
    if (auto p = props->find(segment); p != props->end()) return resolve(root, &*p);
  }
  if (auto extra = s->find("additionalProperties"); extra != s->end() && extra->is_object()) {
    return resolve(root, &*extra);
  }
  return nullptr;
}

std::string json_type_words(const json& type) {
  auto word = [](const std::string& t) -> std::string {
    if (t == "integer") return "an integer";
    if (t == "object") return "a map";
    if (t == "array") return "a list";
    if (t == "null") return "null";
    if (t == "boolean") return "a boolean (true or false)";
    return "a " + t;
  };
  if (type.is_string()) return word(type.get<std::string>());
  std::vector<std::string> words;
  if (type.is_array()) {
    for (const json& t : type) {
      if (t.is_string()) words.push_back(word(t.get<std::string>()));
    }
  }
  if (words.empty()) return "another type";
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out += i == 0 ? "" : (i + 1 == words.size() ? " or " : ", ");
    out += words[i];
  }
  return out;
}

std::string json_value_text(const json& v) {
  if (v.is_string()) return quote(v.get<std::string>());
  return v.dump();
}

std::string between(const std::string& text, std::string_view open, std::string_view close) {
  const std::size_t a = text.find(open);
  if (a == std::string::npos) return "";
  const std::size_t start = a + open.size();
  const std::size_t b = text.rfind(close);
  if (b == std::string::npos || b < start) return "";
  return text.substr(start, b - start);
}

std::string plain_message(std::string text) {
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.pop_back();
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

// Messages that only say a child failed; the child's own message is reported.
bool is_wrapper(const std::string& d) {
  return d.rfind("Failed to validate item #", 0) == 0 ||
         d.rfind("Failed to validate against schema associated with", 0) == 0 ||
         d.rfind("Failed to validate against additional properties schema", 0) == 0 ||
         d.rfind("Failed to validate against additional items schema", 0) == 0 ||
         d.rfind("Failed to validate against child schema", 0) == 0 ||
         d.rfind("Failed to validate against dependent schema", 0) == 0;
}

// Plugin schemas' "pattern"s run on std::regex, which recurses per character:
// a long enough string overflows the stack. Real configs stay far below this.
constexpr std::size_t kMaxConfigString = 4096;

bool check_string_lengths(Diagnostics& diag, const Node& node, const std::string& path) {
  bool ok = true;
  if (node.is_scalar() && node.text.size() > kMaxConfigString) {
    diag.error(node.loc, path,
               fmt::format("a string of {} characters is longer than the {} a plugin config "
                           "allows; put long content in a file",
                           node.text.size(), kMaxConfigString));
    return false;
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    ok = check_string_lengths(diag, node.items[i], index_path(path, i)) && ok;
  }
  for (const Entry& e : node.entries) {
    if (e.key.size() > kMaxConfigString) {
      diag.error(e.key_loc, path, fmt::format("a key of {} characters is too long", e.key.size()));
      ok = false;
      continue;
    }
    ok = check_string_lengths(diag, e.value, join_path(path, e.key)) && ok;
  }
  return ok;
}

}  // namespace

nlohmann::json ComponentChecker::config(lp_kind kind, const std::string& type, const Node* config,
                                        const Node& owner, const std::string& config_path) {
  json value = json::object();
  if (config != nullptr) {
    if (config->broken) return value;
    if (!config->is_map()) {
      diag_.error(config->loc, config_path,
                  fmt::format("expected a map, found {}", describe(*config)));
      return value;
    }
    value = to_json_value(*config);
    if (!check_string_lengths(diag_, *config, config_path)) return value;
  }
  const Node& anchor = config != nullptr ? *config : owner;
  const CompiledSchema* schema = schema_for(kind, type);
  const ComponentInfo* info = catalog_.find(kind, type);
  const std::string plugin = info && !info->plugin_name.empty() ? info->plugin_name : type;
  if (!schema->problem.empty()) {
    diag_.error(anchor.loc, config_path,
                fmt::format("cannot check the config: plugin {} is broken: {}", quote(plugin),
                            schema->problem));
    return value;
  }

  valijson::ValidationResults results;
  bool valid = false;
  try {
    valijson::Validator validator;
    valijson::adapters::NlohmannJsonAdapter target(value);
    valid = validator.validate(schema->schema, target, &results);
  } catch (const std::exception& e) {
    diag_.error(anchor.loc, config_path, fmt::format("cannot check the config: {}", e.what()));
    return value;
  }

  if (!valid) {
    std::set<std::tuple<int, int, std::string, std::string>> seen;
    valijson::ValidationResults::Error err;
    while (results.popError(err)) {
      if (is_wrapper(err.description)) continue;
      // Walk the YAML and the schema down the error's context together.
      const Node* node = &anchor;
      const json* sub = resolve(schema->document, &schema->document);
      std::string path = config_path;
      for (std::size_t i = 1; i < err.context.size(); ++i) {
        std::string seg = err.context[i];
        if (seg.size() >= 2 && seg.front() == '[' && seg.back() == ']')
          seg = seg.substr(1, seg.size() - 2);
        if (node->is_map()) {
          const Entry* e = node->find(seg);
          if (e == nullptr) break;
          sub = sub ? step(schema->document, sub, seg, false, 0) : nullptr;
          node = &e->value;
          path = join_path(path, seg);
        } else if (node->is_sequence()) {
          std::size_t index = 0;
          try {
            index = std::stoul(seg);
          } catch (const std::exception&) {
            break;
          }
          if (index >= node->items.size()) break;
          sub = sub ? step(schema->document, sub, seg, true, index) : nullptr;
          node = &node->items[index];
          path = index_path(path, index);
        } else {
          break;
        }
      }
      Loc loc = node->loc;
      const json here = to_json_value(*node);
      std::string message;
      const std::string& d = err.description;
      if (d.rfind("Missing required property '", 0) == 0) {
        message = fmt::format("missing required key {}", quote(between(d, "'", "'")));
      } else if (d.rfind("Object contains a property that could not be validated", 0) == 0) {
        const std::string key = between(d, ": '", "'");
        std::vector<std::string> known;
        if (sub) {
          if (auto props = sub->find("properties"); props != sub->end() && props->is_object()) {
            for (auto& [k, v] : props->items()) known.push_back(k);
          }
        }
        if (const Entry* e = node->is_map() ? node->find(key) : nullptr) loc = e->key_loc;
        message =
            fmt::format("unknown key {}{}", quote(key), suggestion(key, known, "valid keys are"));
      } else if (d.rfind("Value type not permitted", 0) == 0 && sub && sub->contains("type")) {
        message =
            fmt::format("expected {}, found {}", json_type_words((*sub)["type"]), describe(*node));
      } else if (d.rfind("Failed to match against any enum values", 0) == 0 && sub &&
                 sub->contains("enum") && (*sub)["enum"].is_array()) {
        std::vector<std::string> allowed;
        std::vector<std::string> names;
        for (const json& v : (*sub)["enum"]) {
          allowed.push_back(v.is_string() ? v.get<std::string>() : v.dump());
          if (v.is_string()) names.push_back(v.get<std::string>());
        }
        std::string hint;
        if (here.is_string()) {
          if (auto best = closest(here.get<std::string>(), names)) {
            hint = fmt::format("; did you mean {}?", quote(*best));
          }
        }
        message = fmt::format("expected one of {}, found {}{}", join(allowed, ", "),
                              describe(*node), hint);
      } else if (d.rfind("Expected number greater than", 0) == 0 && sub) {
        const bool inclusive = d.find("or equal") != std::string::npos;
        const json* bound = nullptr;
        if (inclusive && sub->contains("minimum")) bound = &(*sub)["minimum"];
        if (!inclusive && sub->contains("exclusiveMinimum")) bound = &(*sub)["exclusiveMinimum"];
        if (bound) {
          message = fmt::format("must be {} {}, found {}", inclusive ? ">=" : ">", bound->dump(),
                                here.dump());
        }
      } else if (d.rfind("Expected number less than", 0) == 0 && sub) {
        const bool inclusive = d.find("or equal") != std::string::npos;
        const json* bound = nullptr;
        if (inclusive && sub->contains("maximum")) bound = &(*sub)["maximum"];
        if (!inclusive && sub->contains("exclusiveMaximum")) bound = &(*sub)["exclusiveMaximum"];
        if (bound) {
          message = fmt::format("must be {} {}, found {}", inclusive ? "<=" : "<", bound->dump(),
                                here.dump());
        }
      } else if (d.rfind("Failed to match regex", 0) == 0 && sub && sub->contains("pattern")) {
        message = fmt::format("must match the pattern {}, found {}",
                              json_value_text((*sub)["pattern"]), describe(*node));
      }
      if (message.empty()) message = plain_message(d);
      if (seen.emplace(loc.line, loc.column, path, message).second) {
        diag_.error(loc, path, message);
      }
    }
    return value;
  }

  std::optional<std::string> problem;
  try {
    problem = catalog_.validate_config(
        kind, type, value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } catch (const std::exception& e) {
    problem = e.what();
  }
  if (problem) {
    diag_.error(anchor.loc, config_path,
                fmt::format("rejected by the {} plugin: {}", quote(plugin), *problem));
  }
  return value;
}

}  // namespace lp::plan
