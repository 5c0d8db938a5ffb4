#include "loadpilot/vectors/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "program.hpp"
#include "schema_check.hpp"
#include "text_util.hpp"

namespace lp::vectors {
namespace {

using detail::pointer_join;
using detail::Problem;
using detail::quote;
using nlohmann::ordered_json;

constexpr double kFrequencyTolerance = 1e-6;

const std::string* string_at(const ordered_json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

std::optional<double> number_at(const ordered_json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

const ordered_json* child_at(const ordered_json& object, const char* key,
                             ordered_json::value_t type) {
  auto it = object.find(key);
  return it != object.end() && it->type() == type ? &*it : nullptr;
}

bool is_identifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool is_header_name(std::string_view name) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::string infer_content_type(std::string_view payload) {
  const auto first = payload.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  if (payload[first] == '{' || payload[first] == '[') return "application/json";
  if (payload[first] == '<') return "application/xml";
  return {};
}

// Checks one vector object beyond the schema and compiles it. Works on
// whatever is well-typed, so one pass reports every problem it can see.
class VectorBuilder {
 public:
  VectorBuilder(const ordered_json& v, std::string prefix, std::filesystem::path base_dir,
                std::vector<Problem>& problems)
      : v_(v), prefix_(std::move(prefix)), base_dir_(std::move(base_dir)), problems_(problems) {}

  LoadVector build() {
    LoadVector out;
    if (const auto* s = string_at(v_, "vector_id")) out.id = *s;
    if (const auto* s = string_at(v_, "name")) out.name = *s;
    if (const auto* s = string_at(v_, "description")) out.description = *s;
    out.duration_sec = number_at(v_, "duration_sec").value_or(0);
    out.ramp_up_time_sec = number_at(v_, "ramp_up_time_sec").value_or(0);
    out.rate = number_at(v_, "rate");
    if (out.ramp_up_time_sec > out.duration_sec && out.duration_sec > 0) {
      add(at("ramp_up_time_sec"), fmt::format("ramp_up_time_sec {} is longer than duration_sec {}",
                                              detail::format_number(out.ramp_up_time_sec),
                                              detail::format_number(out.duration_sec)));
    }

    auto program = std::make_shared<detail::VectorProgram>();
    if (const auto* types = child_at(v_, "request_types", ordered_json::value_t::array)) {
      program->capture_names = capture_names(*types);
      detail::TemplateCompiler compiler(base_dir_, program->capture_names);
      std::map<std::string, std::size_t> names;
      double sum = 0;
      bool all_numbers = true;
      for (std::size_t i = 0; i < types->size(); ++i) {
        const ordered_json& rt = (*types)[i];
        if (!rt.is_object()) continue;
        const std::string base = pointer_join(at("request_types"), i);
        RequestType type;
        detail::CompiledRequest compiled;
        request_type(rt, base, compiler, program->capture_names, type, compiled);
        if (auto f = number_at(rt, "frequency")) {
          sum += *f;
        } else {
          all_numbers = false;
        }
        auto [first, inserted] = names.emplace(type.name, i);
        if (!inserted) {
          add(rt.contains("name") ? pointer_join(base, "name") : base,
              fmt::format("duplicate request name {}; {} has it too", quote(type.name),
                          pointer_join(at("request_types"), first->second)));
        }
        out.request_types.push_back(std::move(type));
        program->requests.push_back(std::move(compiled));
      }
      if (all_numbers && !types->empty() && std::abs(sum - 100.0) > kFrequencyTolerance) {
        add(pointer_join(pointer_join(at("request_types"), types->size() - 1), "frequency"),
            fmt::format("frequencies sum to {}, not 100", detail::format_number(sum)));
      }
      program->csv_tables = compiler.take_csv_tables();
    }
    out.program = std::move(program);
    return out;
  }

 private:
  std::string at(std::string_view key) const { return pointer_join(prefix_, key); }
  void add(std::string pointer, std::string message) {
    problems_.push_back({std::move(pointer), std::move(message)});
  }

  // Every name any request type captures, in first-seen order: a template may
  // use a value another type captures, whatever their order in the file.
  std::vector<std::string> capture_names(const ordered_json& types) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < types.size(); ++i) {
      if (!types[i].is_object()) continue;
      const auto* capture = child_at(types[i], "capture", ordered_json::value_t::object);
      if (capture == nullptr) continue;
      for (const auto& [name, rule] : capture->items()) {
        if (!is_identifier(name)) {
          add(pointer_join(pointer_join(pointer_join(at("request_types"), i), "capture"), name),
              "a capture name starts with a letter or \"_\" and has only letters, digits and "
              "\"_\"");
          continue;
        }
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
    return names;
  }

  detail::Template compile(detail::TemplateCompiler& compiler, std::string_view text,
                           const std::string& pointer) {
    std::vector<std::string> errors;
    detail::Template t = compiler.compile(text, errors);
    for (auto& e : errors) add(pointer, std::move(e));
    return t;
  }

  void request_type(const ordered_json& rt, const std::string& base,
                    detail::TemplateCompiler& compiler, const std::vector<std::string>& slots,
                    RequestType& type, detail::CompiledRequest& compiled) {
    const auto* method = string_at(rt, "method");
    const auto* path = string_at(rt, "path");
    type.method = method ? *method : std::string();
    type.path = path ? *path : std::string();
    const auto* name = string_at(rt, "name");
    type.name = name ? *name : fmt::format("{} {}", type.method, type.path);
    type.frequency = number_at(rt, "frequency").value_or(0);
    compiled.method = type.method;

    bool is_static = true;
    if (path != nullptr) {
      const std::string pointer = pointer_join(base, "path");
      compiled.path = compile(compiler, *path, pointer);
      if (!path->empty() && path->front() != '/') add(pointer, "must start with \"/\"");
      if (has_space_or_control(compiled.path.literal_text())) {
        add(pointer,
            "must not contain spaces or control characters (percent-encode them, "
            "e.g. %20)");
      }
      is_static = is_static && compiled.path.is_literal();
    }

    bool has_content_type_header = false;
    if (const auto* headers = child_at(rt, "headers", ordered_json::value_t::object)) {
      for (const auto& [header, value] : headers->items()) {
        const std::string pointer = pointer_join(pointer_join(base, "headers"), header);
        if (!is_header_name(header)) {
          add(pointer, "not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)");
        } else if (detail::iequals(header, "Content-Length") ||
                   detail::iequals(header, "Transfer-Encoding")) {
          add(pointer, fmt::format("{} is set by the engine; remove it", header));
        }
        if (detail::iequals(header, "Content-Type")) has_content_type_header = true;
        if (!value.is_string()) continue;
        const auto& text = value.get_ref<const std::string&>();
        if (text.find_first_of("\r\n") != std::string::npos) {
          add(pointer, "must not contain CR or LF");
        }
        type.headers.emplace_back(header, text);
        compiled.headers.push_back({header, compile(compiler, text, pointer)});
        is_static = is_static && compiled.headers.back().value.is_literal();
      }
    }

    if (const auto* payload = string_at(rt, "payload_template")) {
      const std::string pointer = pointer_join(base, "payload_template");
      type.payload_template = *payload;
      compiled.body = compile(compiler, *payload, pointer);
      is_static = is_static && compiled.body->is_literal();
      const auto* given = string_at(rt, "content_type");
      type.content_type = given ? *given : infer_content_type(*payload);
      if (type.content_type.empty() && !given &&
          payload->find_first_not_of(" \t\r\n") != std::string::npos) {
        add(pointer,
            "cannot infer the content type (the payload does not start with \"{\", \"[\" or "
            "\"<\"): give \"content_type\"");
      }
      if (!type.content_type.empty() && !has_content_type_header) {
        detail::TemplateCompiler literal({}, {});
        std::vector<std::string> ignored;
        compiled.headers.push_back(
            {"Content-Type", literal.compile(escape_template(type.content_type), ignored)});
      }
    } else if (rt.contains("content_type")) {
      add(pointer_join(base, "content_type"), "content_type without a payload_template");
    }

    if (auto it = rt.find("think_time_ms"); it != rt.end()) {
      if (it->is_number()) {
        type.think_time = {it->get<double>(), it->get<double>()};
      } else if (it->is_array() && it->size() == 2 && (*it)[0].is_number() &&
                 (*it)[1].is_number()) {
        type.think_time = {(*it)[0].get<double>(), (*it)[1].get<double>()};
        if (type.think_time.min_ms > type.think_time.max_ms) {
          add(pointer_join(base, "think_time_ms"),
              fmt::format("the minimum {} is greater than the maximum {}",
                          detail::format_number(type.think_time.min_ms),
                          detail::format_number(type.think_time.max_ms)));
        }
      }
    }

    if (const auto* capture = child_at(rt, "capture", ordered_json::value_t::object)) {
      for (const auto& [capture_name, rule] : capture->items()) {
        const auto slot = std::find(slots.begin(), slots.end(), capture_name);
        if (slot == slots.end() || !rule.is_object()) continue;  // reported already
        for (const auto& [kind, expression] : rule.items()) {
          if (!expression.is_string()) continue;
          CaptureRule r;
          r.name = capture_name;
          r.expression = expression.get<std::string>();
          if (kind == "json") {
            r.source = CaptureSource::kJsonPointer;
          } else if (kind == "regex") {
            r.source = CaptureSource::kRegex;
          } else if (kind == "header") {
            r.source = CaptureSource::kHeader;
          } else {
            continue;  // the schema reports unknown kinds
          }
          auto c = detail::compile_capture(r, static_cast<uint32_t>(slot - slots.begin()));
          if (auto* why = std::get_if<std::string>(&c)) {
            add(pointer_join(pointer_join(pointer_join(base, "capture"), capture_name), kind),
                std::move(*why));
            continue;
          }
          compiled.needs_body = compiled.needs_body || r.source != CaptureSource::kHeader;
          compiled.captures.push_back(std::move(std::get<detail::CompiledCapture>(c)));
          type.captures.push_back(std::move(r));
        }
      }
    }
    type.is_static = is_static;
  }

  static std::string escape_template(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text.compare(i, 2, "${") == 0) out += '$';
      out += text[i];
    }
    return out;
  }

  const ordered_json& v_;
  std::string prefix_;
  std::filesystem::path base_dir_;
  std::vector<Problem>& problems_;
};

// Remembers every key's pointer so duplicates can be reported: JSON parsers
// keep the last silently, which hides typos made by copy and paste.
class DuplicateKeys {
 public:
  bool operator()(int /*depth*/, ordered_json::parse_event_t event, ordered_json& parsed) {
    using E = ordered_json::parse_event_t;
    switch (event) {
      case E::object_start:
        frames_.push_back({false, 0, {}, {}});
        break;
      case E::array_start:
        frames_.push_back({true, 0, {}, {}});
        break;
      case E::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) {
          problems_.push_back({pointer(), fmt::format("duplicate key {}", quote(f.key))});
        }
        break;
      }
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        element_done();
        break;
      case E::value:
        element_done();
        break;
    }
    return true;
  }

  std::vector<Problem> take() { return std::move(problems_); }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
    std::set<std::string> keys;
  };

  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  std::string pointer() const {
    std::string out;
    for (const Frame& f : frames_)
      out = f.array ? pointer_join(out, f.index) : pointer_join(out, f.key);
    return out;
  }

  std::vector<Frame> frames_;
  std::vector<Problem> problems_;
};

// Position of every value in the file, so errors come out in reading order.
void number_nodes(const ordered_json& node, const std::string& pointer,
                  std::unordered_map<std::string, std::size_t>& order) {
  order.emplace(pointer, order.size());
  if (node.is_object()) {
    for (const auto& [key, child] : node.items())
      number_nodes(child, pointer_join(pointer, key), order);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      number_nodes(node[i], pointer_join(pointer, i), order);
  }
}

std::size_t position(const std::unordered_map<std::string, std::size_t>& order,
                     std::string pointer) {
  while (true) {
    if (auto it = order.find(pointer); it != order.end()) return it->second;
    if (pointer.empty()) return 0;
    pointer.erase(pointer.rfind('/'));
  }
}

std::optional<LoadVector> check_vector(const ordered_json& v, const std::string& prefix,
                                       const std::filesystem::path& base_dir,
                                       std::vector<Problem>& problems) {
  const std::size_t before = problems.size();
  detail::check_schema(v, prefix, problems);
  if (!v.is_object()) return std::nullopt;
  LoadVector vector = VectorBuilder(v, prefix, base_dir, problems).build();
  if (problems.size() != before) return std::nullopt;
  return vector;
}

}  // namespace

std::string VectorError::format() const {
  return pointer.empty() ? fmt::format("{}: {}", file, message)
                         : fmt::format("{}: {}: {}", file, pointer, message);
}

std::string ParseResult::format_errors() const {
  std::string out;
  for (const auto& e : errors) {
    out += e.format();
    out += '\n';
  }
  return out;
}

std::string_view load_vector_schema() {
  return detail::schema_text();
}

ParseResult parse_vector(std::string_view json_text, std::string_view label,
                         const std::filesystem::path& base_dir) {
  ParseResult result;
  const std::string file(label);
  const auto fail = [&](std::string pointer, std::string message) {
    result.errors.push_back({file, std::move(pointer), std::move(message)});
    return result;
  };
  if (json_text.size() > kMaxVectorFileBytes) {
    return fail("", fmt::format("larger than {} MiB", kMaxVectorFileBytes / (1024 * 1024)));
  }

  DuplicateKeys duplicates;
  ordered_json doc;
  try {
    doc = ordered_json::parse(json_text, std::ref(duplicates));
  } catch (const ordered_json::parse_error& e) {
    std::string what = e.what();
    if (const auto end = what.find("] "); what.front() == '[' && end != std::string::npos) {
      what.erase(0, end + 2);
    }
    return fail("", "invalid JSON: " + what);
  }

  const std::filesystem::path base =
      base_dir.empty() ? std::filesystem::path(file).parent_path() : base_dir;
  std::vector<Problem> problems = duplicates.take();
  std::vector<LoadVector> vectors;
  if (doc.is_object()) {
    if (auto v = check_vector(doc, "", base, problems)) vectors.push_back(std::move(*v));
  } else if (doc.is_array()) {
    if (doc.empty()) return fail("", "expected Load Vectors, found an empty array");
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < doc.size(); ++i) {
      const std::string prefix = pointer_join("", i);
      if (auto v = check_vector(doc[i], prefix, base, problems)) {
        v->pointer = prefix;
        vectors.push_back(std::move(*v));
      }
      if (const auto* id = doc[i].is_object() ? string_at(doc[i], "vector_id") : nullptr) {
        auto [first, inserted] = ids.emplace(*id, i);
        if (!inserted) {
          problems.push_back(
              {pointer_join(prefix, "vector_id"),
               fmt::format("duplicate vector id {}; /{} has it too", quote(*id), first->second)});
        }
      }
    }
  } else {
    return fail("", fmt::format("expected a Load Vector (an object) or an array of them, found {}",
                                detail::describe(doc)));
  }

  if (problems.empty()) {
    for (auto& v : vectors) v.file = file;
    result.vectors = std::move(vectors);
    return result;
  }
  std::unordered_map<std::string, std::size_t> order;
  number_nodes(doc, "", order);
  std::stable_sort(problems.begin(), problems.end(), [&](const Problem& a, const Problem& b) {
    return position(order, a.pointer) < position(order, b.pointer);
  });
  for (auto& p : problems)
    result.errors.push_back({file, std::move(p.pointer), std::move(p.message)});
  return result;
}

ParseResult load_vector_file(const std::filesystem::path& path) {
  const std::string label = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    ParseResult result;
    result.errors.push_back(
        {label, "", std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"});
    return result;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxVectorFileBytes) {
    ParseResult result;
    result.errors.push_back(
        {label, "", fmt::format("larger than {} MiB", kMaxVectorFileBytes / (1024 * 1024))});
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ParseResult result;
    result.errors.push_back({label, "", "cannot be opened"});
    return result;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_vector(buffer.str(), label, path.parent_path());
}

}  // namespace lp::vectors
