// A payload, path or header template compiled once into segments: literal
// text and variables with their arguments resolved (CSV file and column
// indices, capture slots, integer ranges), so rendering does no parsing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csv_table.hpp"

namespace lp::vectors::detail {

class RenderScope;

enum class Var : uint8_t {
  kLiteral,       // a = offset, b = length in the literal buffer
  kSeq,           // per-vector sequence number
  kVu,            // virtual user id
  kRandomInt,     // lo..hi inclusive
  kRandomString,  // a = length, [a-z0-9]
  kUuid,          // version 4
  kTimestamp,     // unix seconds
  kTimestampMs,   // unix milliseconds
  kNowIso,        // UTC, 2026-01-02T03:04:05.678Z
  kCsv,           // a = file, b = column; the request's row, in order
  kCsvRandom,     // a = file, b = column; the request's random row
  kCapture,       // a = capture slot
};

struct Segment {
  Var var = Var::kLiteral;
  uint32_t a = 0;
  uint32_t b = 0;
  int64_t lo = 0;
  int64_t hi = 0;
};

class Template {
 public:
  // Appends the rendering to `out`.
  void render(RenderScope& scope, std::string& out) const;
  bool is_literal() const;
  const std::vector<Segment>& segments() const { return segments_; }
  // Every literal piece, concatenated (for checks on the text outside ${...}).
  const std::string& literal_text() const { return literals_; }

 private:
  friend class TemplateCompiler;
  std::string literals_;
  std::vector<Segment> segments_;
};

// What templates of one vector may refer to; CSV files are read on first
// reference and shared by every template of the vector.
class TemplateCompiler {
 public:
  TemplateCompiler(std::filesystem::path base_dir, std::vector<std::string> capture_names);

  // Problems are appended to `errors` as messages without a location.
  Template compile(std::string_view text, std::vector<std::string>& errors);

  const std::vector<std::string>& capture_names() const { return capture_names_; }
  // Successfully read CSV files, by the index segments refer to.
  std::vector<std::shared_ptr<const CsvTable>> take_csv_tables() { return std::move(csv_tables_); }

 private:
  void compile_variable(std::string_view body, Template& out, std::vector<std::string>& errors);
  // Index of the CSV file, or nullopt after appending an error.
  std::optional<uint32_t> csv_file(std::string_view name, std::string_view variable,
                                   std::vector<std::string>& errors);

  std::filesystem::path base_dir_;
  std::vector<std::string> capture_names_;
  std::vector<std::string> csv_names_;  // as written, parallel to csv_tables_
  std::vector<std::shared_ptr<const CsvTable>> csv_tables_;
  std::vector<std::pair<std::string, std::string>> csv_failures_;  // name -> why
};

inline constexpr std::size_t kMaxRandomStringLength = 4096;

}  // namespace lp::vectors::detail
