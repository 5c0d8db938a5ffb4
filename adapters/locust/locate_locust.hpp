// Finds the Locust executable of the project virtualenv: the tool's `locust`
// config, else $LOADPILOT_VENV/bin/locust, else a .venv in a folder above
// this plugin (build/plugins/ -> the repository). Locust is never embedded:
// it needs gevent's monkey-patching of the whole process.
#pragma once

#include <filesystem>
#include <string>

namespace lp::locust {

// Throws std::runtime_error naming every place it looked when none has it.
std::filesystem::path locate_locust(const std::string& configured);

// The executable `name` on $PATH (then /usr/sbin, /sbin), or empty.
std::filesystem::path find_in_path(const std::string& name);

}  // namespace lp::locust
