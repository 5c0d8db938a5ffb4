// sink "csv": appends metric points to a CSV file (RFC 4180 quoting) that
// spreadsheets, pandas and `sqlite3 .import` read as they are.
#include <loadpilot/sdk.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using lp::sdk::ConfigError;
using lp::sdk::Error;

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

class CsvSink {
 public:
  static constexpr lp_kind kind = LP_KIND_SINK;
  static constexpr const char* type_name = "csv";
  static constexpr const char* description = "Appends points to a CSV file: wall_ns,name,labels,value";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "path": {"type": "string", "minLength": 1, "description": "CSV file to write"},
      "append": {"type": "boolean", "default": true,
                 "description": "Keep an existing file's rows (false: truncate)"}
    },
    "required": ["path"],
    "additionalProperties": false
  })json";

  CsvSink(const lp::sdk::Host&, std::string_view config_json) {
    const auto config = nlohmann::json::parse(config_json);
    path_ = config.at("path").get<std::string>();
    const bool append = config.value("append", true);
    file_ = std::fopen(path_.c_str(), append ? "a" : "w");
    if (file_ == nullptr) throw ConfigError("cannot open " + path_ + " for writing");
    if (std::ftell(file_) == 0) std::fputs("wall_ns,name,labels,value\n", file_);
  }
  ~CsvSink() {
    if (file_ != nullptr) std::fclose(file_);
  }
  CsvSink(const CsvSink&) = delete;
  CsvSink& operator=(const CsvSink&) = delete;

  void write(std::span<const lp_metric_point> points) {
    std::string line;
    for (const auto& p : points) {
      std::string labels;
      for (std::size_t i = 0; i < p.label_count; ++i) {
        if (i) labels += ';';
        labels += lp::sdk::from_lp(p.labels[i].key);
        labels += '=';
        labels += lp::sdk::from_lp(p.labels[i].value);
      }
      line = std::to_string(p.wall_ns) + ',' + csv_field(lp::sdk::from_lp(p.name)) + ',' +
             csv_field(labels) + ',' + fmt_double(p.value) + '\n';
      if (std::fputs(line.c_str(), file_) < 0) throw Error("write to " + path_ + " failed");
    }
  }
  void flush() {
    if (std::fflush(file_) != 0) throw Error("flush of " + path_ + " failed");
  }

 private:
  static std::string fmt_double(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace

LOADPILOT_PLUGIN("sink-csv", "0.1.0", "CSV file sink", CsvSink)
