#include "template.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "render_scope.hpp"
#include "text_util.hpp"

namespace lp::vectors::detail {
namespace {

constexpr std::string_view kAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHex = "0123456789abcdef";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_args(std::string_view args) {
  std::vector<std::string_view> out;
  if (trim(args).empty()) return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = args.find(',', start);
    out.push_back(trim(args.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t value = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

void append_uint(std::string& out, uint64_t value) {
  const fmt::format_int text(value);
  out.append(text.data(), text.size());
}

void append_digits(std::string& out, unsigned value, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

void append_iso(std::string& out, std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  const auto ms = time_point_cast<milliseconds>(tp);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss time{ms - day};
  append_digits(out, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  out += '-';
  append_digits(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  append_digits(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  append_digits(out, static_cast<unsigned>(time.hours().count()), 2);
  out += ':';
  append_digits(out, static_cast<unsigned>(time.minutes().count()), 2);
  out += ':';
  append_digits(out, static_cast<unsigned>(time.seconds().count()), 2);
  out += '.';
  append_digits(out, static_cast<unsigned>(time.subseconds().count()), 3);
  out += 'Z';
}

void append_uuid(std::string& out, Rng& rng) {
  std::array<uint8_t, 16> bytes;
  const uint64_t hi = rng.next();
  const uint64_t lo = rng.next();
  for (int i = 0; i < 8; ++i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    bytes[static_cast<std::size_t>(8 + i)] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0f];
  }
}

const std::vector<std::string>& builtin_names() {
  static const std::vector<std::string> kNames = {
      "seq",       "vu",           "random_int", "random_string", "uuid",
      "timestamp", "timestamp_ms", "now_iso",    "csv",           "csv_random"};
  return kNames;
}

}  // namespace

bool Template::is_literal() const {
  return segments_.empty() || (segments_.size() == 1 && segments_[0].var == Var::kLiteral);
}

void Template::render(RenderScope& scope, std::string& out) const {
  for (const Segment& s : segments_) {
    switch (s.var) {
      case Var::kLiteral:
        out.append(literals_, s.a, s.b);
        break;
      case Var::kSeq:
        append_uint(out, scope.seq());
        break;
      case Var::kVu:
        append_uint(out, scope.vu());
        break;
      case Var::kRandomInt: {
        // Unsigned arithmetic: the span of [INT64_MIN, INT64_MAX] does not fit int64.
        const uint64_t span = static_cast<uint64_t>(s.hi) - static_cast<uint64_t>(s.lo) + 1;
        const uint64_t offset = span == 0 ? scope.rng().next() : scope.rng().below(span);
        const fmt::format_int text(static_cast<int64_t>(static_cast<uint64_t>(s.lo) + offset));
        out.append(text.data(), text.size());
        break;
      }
      case Var::kRandomString:
        for (uint32_t i = 0; i < s.a; ++i) out += kAlphanumeric[scope.rng().below(36)];
        break;
      case Var::kUuid:
        append_uuid(out, scope.rng());
        break;
      case Var::kTimestamp:
        append_uint(out, static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                   scope.now().time_since_epoch())
                                                   .count()));
        break;
      case Var::kTimestampMs:
        append_uint(out,
                    static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              scope.now().time_since_epoch())
                                              .count()));
        break;
      case Var::kNowIso:
        append_iso(out, scope.now());
        break;
      case Var::kCsv:
      case Var::kCsvRandom:
        out.append(scope.csv(s.a, s.b, s.var == Var::kCsvRandom));
        break;
      case Var::kCapture:
        out.append(scope.capture(s.a));
        break;
    }
  }
}

TemplateCompiler::TemplateCompiler(std::filesystem::path base_dir,
                                   std::vector<std::string> capture_names)
    : base_dir_(std::move(base_dir)), capture_names_(std::move(capture_names)) {}

Template TemplateCompiler::compile(std::string_view text, std::vector<std::string>& errors) {
  Template out;
  std::string literal;
  const auto flush = [&] {
    if (literal.empty()) return;
    Segment s;
    s.a = static_cast<uint32_t>(out.literals_.size());
    s.b = static_cast<uint32_t>(literal.size());
    out.literals_ += literal;
    out.segments_.push_back(s);
    literal.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") == 0) {
      const std::size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        errors.push_back(fmt::format(
            "unterminated \"${{\" at character {} (write \"$${{\" for a literal \"${{\")", i + 1));
        literal.append(text.substr(i));
        break;
      }
      flush();
      compile_variable(text.substr(i + 2, close - i - 2), out, errors);
      i = close + 1;
      continue;
    }
    literal += text[i++];
  }
  flush();
  return out;
}

void TemplateCompiler::compile_variable(std::string_view body, Template& out,
                                        std::vector<std::string>& errors) {
  const std::string shown = fmt::format("${{{}}}", body);
  body = trim(body);
  if (body.empty()) {
    errors.push_back("empty variable ${}");
    return;
  }
  std::string_view name = body;
  std::vector<std::string_view> args;
  bool has_parens = false;
  if (const std::size_t open = body.find('('); open != std::string_view::npos) {
    if (body.back() != ')') {
      errors.push_back(fmt::format("{}: missing \")\"", shown));
      return;
    }
    has_parens = true;
    name = trim(body.substr(0, open));
    args = split_args(body.substr(open + 1, body.size() - open - 2));
  }

  Segment s;
  const auto no_args = [&](Var var) {
    if (!args.empty()) {
      errors.push_back(fmt::format("{}: {} takes no arguments", shown, name));
      return;
    }
    s.var = var;
    out.segments_.push_back(s);
  };

  if (name.substr(0, 8) == "capture.") {
    const std::string_view capture = name.substr(8);
    if (has_parens) {
      errors.push_back(fmt::format("{}: a capture takes no arguments", shown));
      return;
    }
    for (std::size_t slot = 0; slot < capture_names_.size(); ++slot) {
      if (capture_names_[slot] == capture) {
        s.var = Var::kCapture;
        s.a = static_cast<uint32_t>(slot);
        out.segments_.push_back(s);
        return;
      }
    }
    if (capture_names_.empty()) {
      errors.push_back(fmt::format(
          "{}: no request type of this vector captures {} (it has no \"capture\" rules)", shown,
          quote(capture)));
    } else {
      errors.push_back(fmt::format("{}: no request type of this vector captures {}{}", shown,
                                   quote(capture), did_you_mean(capture, capture_names_)));
    }
    return;
  }

  if (name == "seq") return no_args(Var::kSeq);
  if (name == "vu") return no_args(Var::kVu);
  if (name == "uuid") return no_args(Var::kUuid);
  if (name == "timestamp") return no_args(Var::kTimestamp);
  if (name == "timestamp_ms") return no_args(Var::kTimestampMs);
  if (name == "now_iso") return no_args(Var::kNowIso);

  if (name == "random_int") {
    const auto lo = args.size() == 2 ? parse_int(args[0]) : std::nullopt;
    const auto hi = args.size() == 2 ? parse_int(args[1]) : std::nullopt;
    if (!lo || !hi) {
      errors.push_back(
          fmt::format("{}: random_int takes two integers, e.g. ${{random_int(1,100)}}", shown));
      return;
    }
    if (*lo > *hi) {
      errors.push_back(
          fmt::format("{}: the minimum {} is greater than the maximum {}", shown, *lo, *hi));
      return;
    }
    s.var = Var::kRandomInt;
    s.lo = *lo;
    s.hi = *hi;
    out.segments_.push_back(s);
    return;
  }

  if (name == "random_string") {
    const auto length = args.size() == 1 ? parse_int(args[0]) : std::nullopt;
    if (!length || *length < 1 || *length > static_cast<int64_t>(kMaxRandomStringLength)) {
      errors.push_back(
          fmt::format("{}: random_string takes a length from 1 to {}, e.g. ${{random_string(12)}}",
                      shown, kMaxRandomStringLength));
      return;
    }
    s.var = Var::kRandomString;
    s.a = static_cast<uint32_t>(*length);
    out.segments_.push_back(s);
    return;
  }

  if (name == "csv" || name == "csv_random") {
    if (args.size() != 2 || args[0].empty() || args[1].empty()) {
      errors.push_back(fmt::format(
          "{}: {} takes a file and a column, e.g. ${{{}(users.csv,email)}}", shown, name, name));
      return;
    }
    const auto file = csv_file(args[0], shown, errors);
    if (!file) return;
    const CsvTable& table = *csv_tables_[*file];
    const auto column = table.column(args[1]);
    if (!column) {
      errors.push_back(fmt::format("{}: {} has no column {}{}", shown, args[0], quote(args[1]),
                                   did_you_mean(args[1], table.columns())));
      return;
    }
    s.var = name == "csv" ? Var::kCsv : Var::kCsvRandom;
    s.a = *file;
    s.b = static_cast<uint32_t>(*column);
    out.segments_.push_back(s);
    return;
  }

  std::vector<std::string> known = builtin_names();
  for (const auto& c : capture_names_) known.push_back("capture." + c);
  errors.push_back(fmt::format("unknown variable {}{}", shown, did_you_mean(name, known)));
}

std::optional<uint32_t> TemplateCompiler::csv_file(std::string_view name, std::string_view variable,
                                                   std::vector<std::string>& errors) {
  for (std::size_t i = 0; i < csv_names_.size(); ++i) {
    if (csv_names_[i] == name) return static_cast<uint32_t>(i);
  }
  for (const auto& [failed, why] : csv_failures_) {
    if (failed == name) {
      errors.push_back(
          fmt::format("{}: cannot read {} (relative to the vector file): {}", variable, name, why));
      return std::nullopt;
    }
  }
  auto loaded = CsvTable::load(base_dir_ / std::filesystem::path(name));
  if (auto* why = std::get_if<std::string>(&loaded)) {
    csv_failures_.emplace_back(std::string(name), *why);
    errors.push_back(
        fmt::format("{}: cannot read {} (relative to the vector file): {}", variable, name, *why));
    return std::nullopt;
  }
  csv_names_.emplace_back(name);
  csv_tables_.push_back(std::make_shared<const CsvTable>(std::move(std::get<CsvTable>(loaded))));
  return static_cast<uint32_t>(csv_names_.size() - 1);
}

}  // namespace lp::vectors::detail
