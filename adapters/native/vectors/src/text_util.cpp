#include "text_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lp::vectors::detail {

std::string pointer_join(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  out += '/';
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_join(std::string_view pointer, std::size_t index) {
  return fmt::format("{}/{}", pointer, index);
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    if (candidate == word) continue;
    const std::size_t d = edit_distance(word, candidate);
    // Long names tolerate more typos (two edits at least, so "sq" finds
    // "seq"); a shortened name ("cart" for "cart_id") counts too.
    const std::size_t longer = std::max(word.size(), candidate.size());
    const bool prefix = std::min(word.size(), candidate.size()) >= 3 &&
                        (candidate.rfind(word, 0) == 0 || word.rfind(candidate, 0) == 0);
    const bool plausible = (d <= std::max<std::size_t>(2, longer / 3) && d < longer) || prefix;
    if (plausible && (!best || d < best_distance)) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const auto best = closest(word, candidates);
  return best ? fmt::format("; did you mean {}?", quote(*best)) : std::string();
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  const double rounded = std::round(value * 1e9) / 1e9;
  return fmt::format("{}", std::abs(rounded) < 1e15 ? rounded : value);
}

std::string quote(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lx = static_cast<char>(x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x);
           const auto ly = static_cast<char>(y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
           return lx == ly;
         });
}

}  // namespace lp::vectors::detail
