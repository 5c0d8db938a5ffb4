// Reading Load Vector files: the JSON Schema (vectors/load-vector.schema.json,
// compiled in) and then the checks a schema cannot express. Every error is
// collected, each naming the file and the JSON pointer of the value at fault.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "loadpilot/vectors/load_vector.hpp"

namespace lp::vectors {

struct VectorError {
  std::string file;     // the label: the path as the caller gave it
  std::string pointer;  // JSON pointer ("" for the whole document)
  std::string message;

  // "FILE: POINTER: message", or "FILE: message" when the pointer is empty.
  std::string format() const;
  bool operator==(const VectorError&) const = default;
};

struct ParseResult {
  std::vector<LoadVector> vectors;  // empty whenever there are errors
  std::vector<VectorError> errors;  // in document order

  bool ok() const { return errors.empty(); }
  // One formatted error per line.
  std::string format_errors() const;
};

// A file holding one vector (an object) or several (an array of objects).
// CSV files named by ${csv(...)} are resolved relative to the file's folder.
ParseResult load_vector_file(const std::filesystem::path& path);

// Same, from text. `label` names the source in errors and becomes
// LoadVector::file; CSV files are resolved relative to `base_dir`, or to
// label's folder when base_dir is empty.
ParseResult parse_vector(std::string_view json_text, std::string_view label,
                         const std::filesystem::path& base_dir = {});

// The compiled-in schema text (one vector), for editors and `--schema` output.
std::string_view load_vector_schema();

// Files larger than this are refused rather than read.
inline constexpr std::size_t kMaxVectorFileBytes = 4 * 1024 * 1024;

}  // namespace lp::vectors
