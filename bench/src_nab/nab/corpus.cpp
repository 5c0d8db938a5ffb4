#include "nab/corpus.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nab/timestamp.hpp"

namespace lp::nab {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& reason) {
  throw CorpusError(file.string() + ": " + reason);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, fs::exists(file) ? "cannot be read" : "no such file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Keeps keys in file order: profiles print in the order NAB lists them.
nlohmann::ordered_json read_json(const fs::path& file) {
  const std::string text = read_text(file);
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail(file, std::string("invalid JSON: ") + e.what());
  }
}

std::int64_t limit_ns(const fs::path& file, const std::string& series,
                      const nlohmann::ordered_json& limit) {
  if (!limit.is_string()) fail(file, series + ": a window limit is not a string");
  const auto ns = parse_timestamp(limit.get<std::string>());
  if (!ns) fail(file, series + ": bad window limit \"" + limit.get<std::string>() + "\"");
  return *ns;
}

// The one row at `ns`; NAB requires window limits to match exactly one row.
std::size_t row_at(const fs::path& file, const Series& s, std::int64_t ns,
                   const std::string& text) {
  std::size_t found = s.timestamps_ns.size();
  for (std::size_t i = 0; i < s.timestamps_ns.size(); ++i) {
    if (s.timestamps_ns[i] != ns) continue;
    if (found != s.timestamps_ns.size()) {
      fail(file, s.name + ": window limit " + text + " matches more than one row");
    }
    found = i;
  }
  if (found == s.timestamps_ns.size()) {
    fail(file, s.name + ": window limit " + text + " is not a timestamp of the data file");
  }
  return found;
}

std::vector<Window> read_windows(const fs::path& file, const Series& s,
                                 const nlohmann::ordered_json& list) {
  if (!list.is_array()) fail(file, s.name + ": expected a list of [start, end] windows");
  std::vector<Window> windows;
  for (const auto& w : list) {
    if (!w.is_array() || w.size() != 2) fail(file, s.name + ": a window is not [start, end]");
    const Window win{row_at(file, s, limit_ns(file, s.name, w[0]), w[0].dump()),
                     row_at(file, s, limit_ns(file, s.name, w[1]), w[1].dump())};
    if (win.last < win.first)
      fail(file, s.name + ": window " + w.dump() + " ends before it starts");
    if (!windows.empty() && win.first <= windows.back().last) {
      fail(file, s.name + ": window " + w.dump() + " overlaps or precedes the one before");
    }
    windows.push_back(win);
  }
  return windows;
}

}  // namespace

std::size_t Corpus::window_count() const {
  std::size_t n = 0;
  for (const auto& s : series) n += s.windows.size();
  return n;
}

std::size_t Corpus::row_count() const {
  std::size_t n = 0;
  for (const auto& s : series) n += s.values.size();
  return n;
}

const Profile& Corpus::profile(std::string_view name) const {
  for (const auto& p : profiles) {
    if (p.name == name) return p;
  }
  throw std::out_of_range("no NAB profile \"" + std::string(name) + "\"");
}

Series read_series(const fs::path& file, std::string name) {
  const std::string text = read_text(file);
  Series s;
  s.name = std::move(name);
  std::size_t line_no = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto where = [&] { return "line " + std::to_string(line_no) + ": "; };
    if (line_no == 1) {
      if (line != "timestamp,value") fail(file, where() + "expected the header timestamp,value");
      continue;
    }
    if (line.empty()) continue;
    const std::size_t comma = line.find(',');
    if (comma == std::string_view::npos) fail(file, where() + "expected timestamp,value");
    const auto ns = parse_timestamp(line.substr(0, comma));
    if (!ns) fail(file, where() + "bad timestamp \"" + std::string(line.substr(0, comma)) + "\"");
    const std::string_view field = line.substr(comma + 1);
    double value = 0;
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec != std::errc() || ptr != field.data() + field.size() || !std::isfinite(value)) {
      fail(file, where() + "bad value \"" + std::string(field) + "\"");
    }
    s.timestamps_ns.push_back(*ns);
    s.values.push_back(value);
  }
  if (s.values.empty()) fail(file, "no data rows");
  return s;
}

std::vector<Profile> read_profiles(const fs::path& file) {
  const auto json = read_json(file);
  if (!json.is_object() || json.empty()) fail(file, "expected an object of profiles");
  std::vector<Profile> profiles;
  for (const auto& [name, body] : json.items()) {
    if (!body.is_object() || !body.contains("CostMatrix") || !body["CostMatrix"].is_object()) {
      fail(file, name + ": expected {\"CostMatrix\": {...}}");
    }
    const auto& m = body["CostMatrix"];
    const auto weight = [&](const char* key) {
      if (!m.contains(key) || !m[key].is_number()) {
        fail(file, name + ": CostMatrix." + key + " is missing or not a number");
      }
      return m[key].get<double>();
    };
    profiles.push_back(
        {name, weight("tpWeight"), weight("fpWeight"), weight("fnWeight"), weight("tnWeight")});
  }
  return profiles;
}

Corpus load_corpus(const fs::path& root) {
  const fs::path data = root / "data";
  const fs::path labels_file = root / "labels" / "combined_windows.json";
  if (!fs::is_directory(data)) fail(data, "no such directory (is this a NAB root?)");

  Corpus corpus;
  corpus.profiles = read_profiles(root / "config" / "profiles.json");
  const auto labels = read_json(labels_file);
  if (!labels.is_object()) fail(labels_file, "expected an object of data file -> windows");

  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(data)) {
    const std::string file = entry.path().filename().string();
    // NAB's corpus skips hidden files too.
    if (!entry.is_regular_file() || entry.path().extension() != ".csv" || file[0] == '.') continue;
    names.push_back(fs::relative(entry.path(), data).generic_string());
  }
  if (names.empty()) fail(data, "no .csv data files");
  std::sort(names.begin(), names.end());

  for (const auto& name : names) {
    if (!labels.contains(name)) fail(labels_file, "no windows for data file " + name);
    Series s = read_series(data / name, name);
    s.windows = read_windows(labels_file, s, labels[name]);
    corpus.series.push_back(std::move(s));
  }
  for (const auto& [name, _] : labels.items()) {
    if (!std::binary_search(names.begin(), names.end(), name)) {
      fail(labels_file, "labels name " + name + ", which is not a file under " + data.string());
    }
  }
  return corpus;
}

}  // namespace lp::nab
