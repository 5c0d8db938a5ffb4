#include "locate_locust.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace lp::locust {
namespace fs = std::filesystem;

namespace {

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// The folder this plugin library was loaded from.
fs::path plugin_dir() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&plugin_dir), &info) == 0 || info.dli_fname == nullptr) {
    return {};
  }
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(info.dli_fname, ec);
  return ec ? fs::path() : p.parent_path();
}

}  // namespace

fs::path locate_locust(const std::string& configured) {
  std::vector<fs::path> tried;
  if (!configured.empty()) {
    fs::path p = configured;
    if (fs::is_directory(p)) p = p / "bin" / "locust";  // a virtualenv
    if (executable(p)) return p;
    throw std::runtime_error("locust: " + p.string() +
                             " (the tool's `locust` config) is not a Locust executable; run "
                             "scripts/setup for the project's .venv, or fix the path");
  }
  if (const char* venv = std::getenv("LOADPILOT_VENV"); venv != nullptr && *venv != '\0') {
    const fs::path p = fs::path(venv) / "bin" / "locust";
    if (executable(p)) return p;
    tried.push_back(p);
  }
  fs::path dir = plugin_dir();
  for (int up = 0; up < 6 && !dir.empty(); ++up) {  // build/plugins, lib/loadpilot/plugins
    const fs::path p = dir / ".venv" / "bin" / "locust";
    if (executable(p)) return p;
    tried.push_back(p);
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  std::string where;
  for (const auto& p : tried) where += "\n  " + p.string();
  throw std::runtime_error(
      "Locust not found; run scripts/setup (it makes the project's .venv with the pinned "
      "Locust), or set LOADPILOT_VENV to a virtualenv with Locust, or the tool's `locust` "
      "config to its executable. Looked in:" +
      where);
}

fs::path find_in_path(const std::string& name) {
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/sbin";  // ip(8) lives there and PATH may lack it
  std::size_t from = 0;
  for (int i = 0; i < 1000 && from <= dirs.size(); ++i) {
    const std::size_t to = std::min(dirs.find(':', from), dirs.size());
    const std::string dir = dirs.substr(from, to - from);
    from = to + 1;
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace lp::locust
