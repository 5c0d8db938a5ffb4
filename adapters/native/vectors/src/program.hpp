// A vector compiled by the parser: what VectorRuntime renders from. Shared
// and immutable, so one program serves every thread and every run.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture.hpp"
#include "csv_table.hpp"
#include "template.hpp"

namespace lp::vectors::detail {

struct CompiledHeader {
  std::string name;
  Template value;
};

struct CompiledRequest {
  std::string method;
  Template path;
  std::vector<CompiledHeader> headers;  // Content-Type added when there is a payload
  std::optional<Template> body;
  std::vector<CompiledCapture> captures;
  bool needs_body = false;  // a json or regex rule
};

struct VectorProgram {
  std::vector<CompiledRequest> requests;
  std::vector<std::string> capture_names;  // by slot
  std::vector<std::shared_ptr<const CsvTable>> csv_tables;
};

}  // namespace lp::vectors::detail
