#include "csv_table.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace lp::vectors::detail {
namespace {

// Splits the next record off `text` at `pos`; false at the end of input.
// `error` is set on an unterminated quote.
bool next_record(std::string_view text, std::size_t& pos, std::vector<std::string>& fields,
                 std::string& error) {
  fields.clear();
  if (pos >= text.size()) return false;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
      fields.push_back(std::move(field));
      return true;
    } else {
      field += c;
    }
  }
  if (quoted) {
    error = "a quoted field is not closed";
    return false;
  }
  fields.push_back(std::move(field));
  return true;
}

}  // namespace

std::variant<CsvTable, std::string> CsvTable::parse(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  CsvTable table;
  std::size_t pos = 0;
  std::size_t line = 0;
  std::string error;
  std::vector<std::string> fields;
  while (next_record(text, pos, fields, error)) {
    ++line;
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (table.columns_.empty()) {
      for (auto& f : fields) {
        if (f.empty()) return fmt::format("line {}: the header has an empty column name", line);
        table.columns_.push_back(std::move(f));
      }
      continue;
    }
    if (fields.size() != table.columns_.size()) {
      return fmt::format("line {} has {} field{}, but the header has {}", line, fields.size(),
                         fields.size() == 1 ? "" : "s", table.columns_.size());
    }
    for (auto& f : fields) table.cells_.push_back(std::move(f));
    ++table.rows_;
  }
  if (!error.empty()) return fmt::format("line {}: {}", line + 1, error);
  if (table.columns_.empty()) return std::string("it is empty (expected a header row)");
  if (table.rows_ == 0) return std::string("it has a header but no data rows");
  return table;
}

std::variant<CsvTable, std::string> CsvTable::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::string("no such file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return ec.message();
  if (size > kMaxCsvBytes) {
    return fmt::format("it is larger than {} MiB", kMaxCsvBytes / (1024 * 1024));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot be opened");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str());
}

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return i;
  }
  return std::nullopt;
}

}  // namespace lp::vectors::detail
