#include "vectors_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "loadpilot/host/cli/cli.hpp"
#include "loadpilot/vectors/load_vector.hpp"
#include "loadpilot/vectors/parse.hpp"
#include "loadpilot/vectors/repository.hpp"

namespace lp::cli {
namespace {

namespace fs = std::filesystem;
using lp::vectors::LoadVector;
using lp::vectors::VectorError;
using lp::vectors::VectorRepository;
using ordered_json = nlohmann::ordered_json;

// Like a plan's vectors: ./vectors when run beside them, else the source tree's.
fs::path vector_dir(const VectorsOptions& options) {
  if (!options.dir.empty()) return options.dir;
  std::error_code ec;
  if (fs::is_directory("vectors", ec)) return "vectors";
#ifdef LOADPILOT_SOURCE_DIR
  if (fs::is_directory(fs::path(LOADPILOT_SOURCE_DIR) / "vectors", ec)) {
    return fs::path(LOADPILOT_SOURCE_DIR) / "vectors";
  }
#endif
  return "vectors";
}

std::string seconds(double s) {
  return fmt::format("{}s", s);
}

ordered_json error_json(const VectorError& e) {
  return {{"file", e.file}, {"pointer", e.pointer}, {"message", e.message}};
}

void print_errors(const std::vector<VectorError>& errors) {
  for (const auto& e : errors) std::cerr << e.format() << "\n";
}

int list(const VectorsOptions& options) {
  const VectorRepository repo = VectorRepository::load(vector_dir(options));
  if (options.json) {
    ordered_json out = ordered_json::array();
    for (const LoadVector& v : repo.list()) {
      ordered_json types = ordered_json::array();
      for (const auto& t : v.request_types) types.push_back(t.name);
      out.push_back({{"vector_id", v.id},
                     {"name", v.name},
                     {"request_types", types},
                     {"ramp_up_time_sec", v.ramp_up_time_sec},
                     {"duration_sec", v.duration_sec},
                     {"file", v.file.string()}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    std::vector<std::array<std::string, 5>> rows = {{"ID", "NAME", "TYPES", "DURATION", "FILE"}};
    for (const LoadVector& v : repo.list()) {
      const std::string duration =
          v.ramp_up_time_sec > 0
              ? fmt::format("{} (ramp {})", seconds(v.duration_sec), seconds(v.ramp_up_time_sec))
              : seconds(v.duration_sec);
      rows.push_back(
          {v.id, v.name, std::to_string(v.request_types.size()), duration, v.file.string()});
    }
    std::array<std::size_t, 5> width{};
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    for (const auto& row : rows) {
      std::cout << fmt::format("{:<{}}  {:<{}}  {:>{}}  {:<{}}  {}\n", row[0], width[0], row[1],
                               width[1], row[2], width[2], row[3], width[3], row[4]);
    }
  }
  print_errors(repo.errors());
  return repo.ok() ? kSuccess : kUsageOrPlanError;
}

int show(const VectorsOptions& options) {
  if (options.args.size() != 1) {
    std::cerr << "loadpilot vectors show: give one vector id\n";
    return kUsageOrPlanError;
  }
  const std::string& id = options.args.front();
  const VectorRepository repo = VectorRepository::load(vector_dir(options));
  const LoadVector* v = repo.find(id);
  if (v == nullptr) {
    const auto best = lp::vectors::suggest_id(repo, id);
    std::cerr << fmt::format("no valid vector \"{}\" in {}{}\n", id, repo.dir().string(),
                             best ? fmt::format("; did you mean \"{}\"?", *best) : "");
    print_errors(repo.errors());
    return kUsageOrPlanError;
  }
  std::cout << lp::vectors::to_json(*v).dump(2) << "\n";
  return kSuccess;
}

int validate(const VectorsOptions& options) {
  std::vector<std::string> inputs = options.args;
  if (inputs.empty()) inputs.push_back(vector_dir(options).string());

  std::vector<VectorError> errors;
  ordered_json checked = ordered_json::array();
  // Ids must be unique across everything validated together, as in one directory.
  std::map<std::string, std::string> ids;
  for (const std::string& input : inputs) {
    std::error_code ec;
    std::vector<LoadVector> vectors;
    std::size_t errors_before = errors.size();
    if (fs::is_directory(input, ec)) {
      VectorRepository repo = VectorRepository::load(input);
      errors.insert(errors.end(), repo.errors().begin(), repo.errors().end());
      vectors = repo.list();
    } else {
      lp::vectors::ParseResult parsed = lp::vectors::load_vector_file(input);
      errors.insert(errors.end(), parsed.errors.begin(), parsed.errors.end());
      vectors = std::move(parsed.vectors);
    }
    ordered_json found = ordered_json::array();
    for (const LoadVector& v : vectors) {
      const std::string file = v.file.string();
      auto [first, inserted] = ids.emplace(v.id, file);
      if (!inserted && first->second != file) {
        errors.push_back(
            {file, v.pointer + "/vector_id",
             fmt::format("duplicate vector id \"{}\"; {} defines it too", v.id, first->second)});
      }
      found.push_back(v.id);
    }
    const std::size_t new_errors = errors.size() - errors_before;
    checked.push_back({{"path", input}, {"vectors", found}, {"errors", new_errors}});
    if (!options.json && new_errors == 0) {
      std::cout << fmt::format("{}: ok ({} vector{})\n", input, found.size(),
                               found.size() == 1 ? "" : "s");
    }
  }

  if (options.json) {
    ordered_json errs = ordered_json::array();
    for (const auto& e : errors) errs.push_back(error_json(e));
    std::cout << ordered_json{{"ok", errors.empty()}, {"checked", checked}, {"errors", errs}}.dump(
                     2)
              << "\n";
  } else if (!errors.empty()) {
    print_errors(errors);
    std::cerr << fmt::format("{} error{}\n", errors.size(), errors.size() == 1 ? "" : "s");
  }
  return errors.empty() ? kSuccess : kUsageOrPlanError;
}

}  // namespace

int vectors_command(const VectorsOptions& options) {
  if (options.action == "list") return list(options);
  if (options.action == "show") return show(options);
  if (options.action == "validate") return validate(options);
  std::cerr << fmt::format("loadpilot vectors: unknown action \"{}\" (list, show, validate)\n",
                           options.action);
  return kUsageOrPlanError;
}

}  // namespace lp::cli
