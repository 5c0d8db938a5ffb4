// A strict reader of the Prometheus text exposition format (0.0.4), for checking /metrics.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lp::test {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromText {
  std::vector<PromSample> samples;
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram, ...
  std::vector<std::string> errors;           // "line N: problem"; empty if well-formed

  // Sum of the samples named `name` whose labels include all of `labels`; NaN if none.
  double value(std::string_view name, const std::map<std::string, std::string>& labels = {}) const;
};

PromText parse_prometheus_text(std::string_view text);

}  // namespace lp::test
