#include "diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <numeric>
#include <tuple>

namespace lp::plan {

int Diagnostics::add_file(std::string label) {
  files_.push_back(std::move(label));
  return static_cast<int>(files_.size() - 1);
}

void Diagnostics::error(const Loc& loc, std::string path, std::string message) {
  if (errors_.size() >= kMaxErrors) {
    overflowed_ = true;
    return;
  }
  errors_.push_back({loc, std::move(path), std::move(message)});
}

void Diagnostics::warning(const Loc& loc, std::string path, std::string message) {
  if (warnings_.size() >= kMaxErrors) return;
  warnings_.push_back({loc, std::move(path), std::move(message)});
}

void Diagnostics::file_error(int file, std::string message) {
  error(Loc{file, 0, 0}, "", std::move(message));
}

std::vector<PlanError> Diagnostics::sorted(const std::vector<Item>& items) const {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable: two errors at one position keep the order they were found in.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Loc& x = items[a].loc;
    const Loc& y = items[b].loc;
    return std::tie(x.file, x.line, x.column) < std::tie(y.file, y.line, y.column);
  });
  std::vector<PlanError> out;
  out.reserve(items.size());
  for (std::size_t i : order) {
    const Item& item = items[i];
    PlanError e;
    e.file = item.loc.file >= 0 && static_cast<std::size_t>(item.loc.file) < files_.size()
                 ? files_[static_cast<std::size_t>(item.loc.file)]
                 : std::string("<plan>");
    e.line = item.loc.line;
    e.column = item.loc.column;
    e.path = item.path;
    e.message = item.message;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<PlanError> Diagnostics::errors() const {
  std::vector<PlanError> out = sorted(errors_);
  if (overflowed_) {
    PlanError e;
    e.file = files_.empty() ? std::string("<plan>") : files_.front();
    e.message = fmt::format("too many errors; only the first {} are shown", kMaxErrors);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<PlanError> Diagnostics::warnings() const {
  return sorted(warnings_);
}

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string index_path(std::string_view parent, std::size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::string quote(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : text) {
    if (n++ == kMax) {
      out += "...";
      break;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

namespace {

// Optimal string alignment distance (a transposition counts as one edit), case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

}  // namespace

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  // Long garbage has no useful suggestion and would cost O(n*m).
  constexpr std::size_t kMaxLength = 64;
  if (word.empty() || word.size() > kMaxLength) return std::nullopt;
  const std::size_t allowed = word.size() <= 3 ? 1 : word.size() <= 8 ? 2 : 3;
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const std::string& c : candidates) {
    if (c.size() > kMaxLength) continue;
    const std::size_t dist = edit_distance(word, c);
    if (dist < best_distance && dist < std::max(word.size(), c.size())) {
      best_distance = dist;
      best = c;
    }
  }
  // "p99" for "p99_ms": a clipped name is a likely slip too.
  if (!best && word.size() >= 3) {
    for (const std::string& c : candidates) {
      if (c.size() > word.size() && c.compare(0, word.size(), word) == 0) return c;
    }
  }
  return best;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       std::string_view intro) {
  if (auto best = closest(word, candidates)) return fmt::format("; did you mean {}?", quote(*best));
  if (candidates.empty() || intro.empty()) return "";
  return fmt::format("; {} {}", intro, join(candidates, ", "));
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string format_number(double value) {
  return fmt::format("{}", value);
}

}  // namespace lp::plan
