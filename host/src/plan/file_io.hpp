// Bounded reads of plan, include and vector files (a plan may name /dev/zero).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <variant>

namespace lp::plan {

inline constexpr std::size_t kMaxPlanFileBytes = 4 * 1024 * 1024;

// The file's bytes, or why it could not be read ("No such file or directory").
std::variant<std::string, std::string> read_text_file(const std::filesystem::path& file,
                                                      std::size_t max_bytes);

}  // namespace lp::plan
