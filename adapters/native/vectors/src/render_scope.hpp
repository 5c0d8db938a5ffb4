// What a template sees while one request renders: the values drawn once per
// request (sequence number, time, CSV rows) are memoised here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "loadpilot/vectors/render.hpp"
#include "program.hpp"

namespace lp::vectors::detail {

class RenderScope {
 public:
  RenderScope(std::atomic<uint64_t>& seq, std::atomic<uint64_t>* csv_cursor,
              const VectorProgram& program, RenderContext& ctx)
      : seq_counter_(seq), csv_cursor_(csv_cursor), program_(program), ctx_(ctx) {
    ctx_.csv_row_.assign(program.csv_tables.size(), -1);
    ctx_.csv_random_row_.assign(program.csv_tables.size(), -1);
  }

  uint64_t seq() {
    if (!seq_) seq_ = seq_counter_.fetch_add(1, std::memory_order_relaxed) + 1;
    return *seq_;
  }
  uint64_t vu() const { return ctx_.current_->id; }
  Rng& rng() { return ctx_.current_->rng; }

  std::chrono::system_clock::time_point now() {
    if (!now_) now_ = ctx_.fixed_time_ ? *ctx_.fixed_time_ : std::chrono::system_clock::now();
    return *now_;
  }

  std::string_view csv(uint32_t file, uint32_t column, bool random) {
    const CsvTable& table = *program_.csv_tables[file];
    int64_t& row = random ? ctx_.csv_random_row_[file] : ctx_.csv_row_[file];
    if (row < 0) {
      const uint64_t n = table.rows();
      row = static_cast<int64_t>(
          random ? rng().below(n) : csv_cursor_[file].fetch_add(1, std::memory_order_relaxed) % n);
    }
    return table.cell(static_cast<std::size_t>(row), column);
  }

  std::string_view capture(uint32_t slot) {
    const auto& user = *ctx_.current_;
    if (slot < user.present.size() && user.present[slot]) return user.values[slot];
    ++ctx_.stats_.capture_misses;
    return {};
  }

 private:
  std::atomic<uint64_t>& seq_counter_;
  std::atomic<uint64_t>* csv_cursor_;
  const VectorProgram& program_;
  RenderContext& ctx_;
  std::optional<uint64_t> seq_;
  std::optional<std::chrono::system_clock::time_point> now_;
};

}  // namespace lp::vectors::detail
