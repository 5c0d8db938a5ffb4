#include "file_io.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace lp::plan {

std::variant<std::string, std::string> read_text_file(const std::filesystem::path& file,
                                                      std::size_t max_bytes) {
  using Result = std::variant<std::string, std::string>;
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec) return Result(std::in_place_index<1>, ec.message());
  if (std::filesystem::is_directory(status))
    return Result(std::in_place_index<1>, "is a directory");
  if (!std::filesystem::is_regular_file(status)) {
    return Result(std::in_place_index<1>, "not a regular file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Result(std::in_place_index<1>, std::strerror(errno));
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return Result(std::in_place_index<1>,
                    fmt::format("file is larger than {} MiB", max_bytes / (1024 * 1024)));
    }
  }
  if (in.bad()) return Result(std::in_place_index<1>, std::strerror(errno));
  return Result(std::in_place_index<0>, std::move(text));
}

}  // namespace lp::plan
