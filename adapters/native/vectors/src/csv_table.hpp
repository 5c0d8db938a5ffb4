// A CSV file behind ${csv(FILE,COLUMN)}: a header row naming the columns,
// then data rows (RFC 4180 quoting, CRLF or LF). Read once when the vector
// is parsed; immutable after that.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lp::vectors::detail {

class CsvTable {
 public:
  // The table, or a message saying what is wrong (without the file name).
  static std::variant<CsvTable, std::string> parse(std::string_view text);
  static std::variant<CsvTable, std::string> load(const std::filesystem::path& path);

  const std::vector<std::string>& columns() const { return columns_; }
  std::optional<std::size_t> column(std::string_view name) const;
  std::size_t rows() const { return rows_; }
  std::string_view cell(std::size_t row, std::size_t column) const {
    return cells_[row * columns_.size() + column];
  }

 private:
  std::vector<std::string> columns_;
  std::vector<std::string> cells_;  // row-major
  std::size_t rows_ = 0;
};

inline constexpr std::size_t kMaxCsvBytes = 64 * 1024 * 1024;

}  // namespace lp::vectors::detail
