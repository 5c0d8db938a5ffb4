#include "prometheus_text.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

namespace lp::test {
namespace {

bool is_metric_name(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) {
      return false;
    }
  }
  return true;
}

bool is_label_name(std::string_view s) {
  return is_metric_name(s) && s.find(':') == std::string_view::npos;
}

bool parse_value(std::string_view s, double& out) {
  if (s == "+Inf" || s == "Inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-Inf") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "NaN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  const std::string copy(s);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size() && std::isfinite(out);
}

// The family a sample belongs to, given the declared types.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name)) {
    return name;
  }
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      std::string base = name.substr(0, name.size() - suffix.size());
      const auto it = types.find(base);
      if (it != types.end() &&
          (it->second == "histogram" || (it->second == "summary" && suffix != "_bucket"))) {
        return base;
      }
    }
  }
  return {};
}

// Parses `{a="x",b="y"}` at the start of `s`; returns characters consumed, 0 on error.
std::size_t parse_labels(std::string_view s, std::map<std::string, std::string>& labels,
                         std::string& error) {
  const auto bad = [&](std::string message) {
    error = std::move(message);
    return std::size_t{0};
  };
  std::size_t i = 1;  // past '{'
  while (i < s.size() && s[i] != '}') {
    const auto eq = s.find('=', i);
    if (eq == std::string_view::npos) {
      return bad("label without '='");
    }
    const std::string name(s.substr(i, eq - i));
    if (!is_label_name(name)) {
      return bad("bad label name '" + name + "'");
    }
    if (eq + 1 >= s.size() || s[eq + 1] != '"') {
      return bad("label value not quoted");
    }
    std::string value;
    std::size_t j = eq + 2;
    for (; j < s.size() && s[j] != '"'; ++j) {
      if (s[j] == '\\') {
        if (++j >= s.size()) {
          break;
        }
        if (s[j] == 'n') {
          value.push_back('\n');
        } else if (s[j] == '\\' || s[j] == '"') {
          value.push_back(s[j]);
        } else {
          return bad("bad escape in label value");
        }
      } else if (s[j] == '\n') {
        return bad("newline in label value");
      } else {
        value.push_back(s[j]);
      }
    }
    if (j >= s.size()) {
      return bad("unterminated label value");
    }
    if (!labels.emplace(name, value).second) {
      return bad("duplicate label '" + name + "'");
    }
    i = j + 1;
    if (i < s.size() && s[i] == ',') {
      ++i;
    }
  }
  if (i >= s.size()) {
    return bad("unterminated label set");
  }
  return i + 1;
}

void check_histograms(PromText& out) {
  for (const auto& [family, type] : out.types) {
    if (type != "histogram") {
      continue;
    }
    // Buckets per label set (minus le), in order of appearance.
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const auto& s : out.samples) {
      if (s.name == family + "_bucket") {
        auto labels = s.labels;
        const auto le = labels.find("le");
        double bound = 0;
        if (le == labels.end() || !parse_value(le->second, bound)) {
          if (le == labels.end() || le->second != "+Inf") {
            out.errors.push_back(family + ": bucket without a valid le label");
            continue;
          }
          bound = std::numeric_limits<double>::infinity();
        }
        labels.erase("le");
        buckets[labels].emplace_back(bound, s.value);
      } else if (s.name == family + "_count") {
        counts[s.labels] = s.value;
      }
    }
    for (const auto& [labels, list] : buckets) {
      for (std::size_t i = 1; i < list.size(); ++i) {
        if (list[i].first <= list[i - 1].first || list[i].second < list[i - 1].second) {
          out.errors.push_back(family + ": buckets not increasing and cumulative");
        }
      }
      if (list.empty() || !std::isinf(list.back().first)) {
        out.errors.push_back(family + ": no +Inf bucket");
      } else if (!counts.count(labels) || counts[labels] != list.back().second) {
        out.errors.push_back(family + ": _count differs from the +Inf bucket");
      }
    }
  }
}

}  // namespace

double PromText::value(std::string_view name,
                       const std::map<std::string, std::string>& labels) const {
  double sum = 0;
  bool found = false;
  for (const auto& s : samples) {
    if (s.name != name) {
      continue;
    }
    bool match = true;
    for (const auto& [k, v] : labels) {
      const auto it = s.labels.find(k);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (match) {
      sum += s.value;
      found = true;
    }
  }
  return found ? sum : std::numeric_limits<double>::quiet_NaN();
}

PromText parse_prometheus_text(std::string_view text) {
  PromText out;
  std::set<std::string> helped, finished_families, series;
  std::string current_family;
  if (!text.empty() && text.back() != '\n') {
    out.errors.push_back("text does not end with a newline");
  }
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const auto fail = [&](const std::string& msg) {
      out.errors.push_back("line " + std::to_string(line_no) + ": " + msg);
    };
    if (line.empty()) {
      continue;
    }
    if (line.front() == '#') {
      // "# HELP name text" and "# TYPE name type"; other comments are free text.
      const bool help = line.starts_with("# HELP "), type = line.starts_with("# TYPE ");
      if (!help && !type) {
        continue;
      }
      const std::string_view rest = line.substr(7);
      const auto sp = rest.find(' ');
      const std::string name(rest.substr(0, sp));
      if (!is_metric_name(name)) {
        fail("bad metric name '" + name + "'");
      }
      if (sp == std::string_view::npos) {
        fail("missing " + std::string(help ? "help text" : "type"));
        continue;
      }
      if (finished_families.count(name)) {
        fail("family '" + name + "' split into several groups");
      }
      if (name != current_family && !current_family.empty()) {
        finished_families.insert(current_family);
      }
      current_family = name;
      if (help) {
        if (!helped.insert(name).second) {
          fail("second HELP for '" + name + "'");
        }
      } else {
        const std::string t(rest.substr(sp + 1));
        if (t != "counter" && t != "gauge" && t != "histogram" && t != "summary" &&
            t != "untyped") {
          fail("unknown type '" + t + "'");
        }
        for (const auto& s : out.samples) {
          if (family_of(s.name, {{name, t}}) == name) {
            fail("TYPE after samples of '" + name + "'");
          }
        }
        if (!out.types.emplace(name, t).second) {
          fail("second TYPE for '" + name + "'");
        }
      }
      continue;
    }
    PromSample sample;
    const auto name_end = line.find_first_of("{ ");
    sample.name = std::string(line.substr(0, name_end));
    if (!is_metric_name(sample.name)) {
      fail("bad metric name '" + sample.name + "'");
      continue;
    }
    std::string_view rest =
        line.substr(name_end == std::string_view::npos ? line.size() : name_end);
    if (!rest.empty() && rest.front() == '{') {
      std::string error;
      const auto used = parse_labels(rest, sample.labels, error);
      if (used == 0) {
        fail(error);
        continue;
      }
      rest.remove_prefix(used);
    }
    if (rest.empty() || rest.front() != ' ') {
      fail("missing value");
      continue;
    }
    rest.remove_prefix(1);
    const std::string_view value_text = rest.substr(0, rest.find(' '));  // a timestamp may follow
    if (!parse_value(value_text, sample.value)) {
      fail("bad value '" + std::string(value_text) + "'");
    }
    const std::string family = family_of(sample.name, out.types);
    if (family.empty()) {
      fail("sample '" + sample.name + "' has no TYPE");
    } else {
      if (family != current_family) {
        if (finished_families.count(family)) {
          fail("family '" + family + "' split into groups");
        }
        if (!current_family.empty()) {
          finished_families.insert(current_family);
        }
        current_family = family;
      }
      if (out.types[family] == "counter" && sample.value < 0) {
        fail("negative counter");
      }
    }
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels) {
      key.append("|").append(k).append("=").append(v);
    }
    if (!series.insert(key).second) {
      fail("duplicate series " + key);
    }
    out.samples.push_back(std::move(sample));
  }
  check_histograms(out);
  return out;
}

}  // namespace lp::test
