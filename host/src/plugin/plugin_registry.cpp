#include "loadpilot/host/plugin/plugin_registry.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>

#include "loadpilot/host/plugin/abi_check.hpp"

namespace lp {
namespace fs = std::filesystem;

namespace {

// Libraries are never unloaded (a plugin's threads, atexit handlers or
// static data may still be in use); they live here until the process ends.
void keep_forever(boost::dll::shared_library lib) {
  static std::mutex mutex;
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  std::lock_guard lock(mutex);
  libraries->push_back(std::move(lib));
}

std::string abi_string(std::uint32_t major, std::uint32_t minor, std::uint32_t patch) {
  return fmt::format("{}.{}.{}", major, minor, patch);
}

bool valid_type_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  if (!(std::islower(static_cast<unsigned char>(s[0])) ||
        std::isdigit(static_cast<unsigned char>(s[0])))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// The schema must be JSON, an object, and a schema valijson can compile.
std::optional<std::string> check_schema(const char* text) {
  if (text == nullptr) return "config_schema is null";
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return "config_schema is not valid JSON";
  if (!doc.is_object()) return "config_schema is not a JSON object";
  try {
    valijson::Schema schema;
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, schema);
  } catch (const std::exception& e) {
    return fmt::format("config_schema is not a usable JSON Schema: {}", e.what());
  }
  return std::nullopt;
}

}  // namespace

std::vector<fs::path> plugin_search_path(const std::vector<fs::path>& cli_dirs) {
  std::vector<fs::path> dirs(cli_dirs.begin(), cli_dirs.end());
  if (const char* env = std::getenv("LOADPILOT_PLUGIN_PATH"); env != nullptr) {
    std::string_view rest(env);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const auto part = rest.substr(0, colon);
      if (!part.empty()) dirs.emplace_back(part);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  boost::system::error_code ec;
  const auto exe = boost::dll::program_location(ec);
  if (!ec) {
    const fs::path bin = fs::path(exe.parent_path().string());
    dirs.push_back(bin.parent_path() / "plugins");                       // build tree
    dirs.push_back(bin.parent_path() / "lib" / "loadpilot" / "plugins");  // install tree
  }
  dirs.emplace_back(LOADPILOT_INSTALL_PLUGINDIR);
  // Drop duplicates and directories that do not exist, keeping order.
  std::vector<fs::path> out;
  std::set<fs::path> seen;
  for (const auto& d : dirs) {
    std::error_code e;
    if (!fs::is_directory(d, e)) continue;
    const auto canonical = fs::weakly_canonical(d, e);
    if (seen.insert(canonical).second) out.push_back(canonical);
  }
  return out;
}

void PluginRegistry::load_library(const fs::path& path, ScanReport* report) {
  const std::string file = path.string();
  auto refuse = [&](const std::string& why) -> PluginLoadError {
    return PluginLoadError(fmt::format("plugin {}: {}", file, why));
  };

  boost::dll::shared_library lib;
  try {
    lib.load(boost::dll::fs::path(file), boost::dll::load_mode::rtld_now);
  } catch (const std::exception& e) {
    throw refuse(fmt::format("cannot load library: {}", e.what()));
  }
  if (!lib.has(LP_PLUGIN_ENTRY_SYMBOL)) {
    throw refuse(fmt::format("no entry symbol \"{}\"; a loadpilot plugin exports it "
                             "(use LOADPILOT_PLUGIN(...) from <loadpilot/sdk.hpp>)",
                             LP_PLUGIN_ENTRY_SYMBOL));
  }
  auto& describe = lib.get<const lp_plugin_descriptor*()>(LP_PLUGIN_ENTRY_SYMBOL);

  const lp_plugin_descriptor* d = nullptr;
  try {
    d = describe();
  } catch (const std::exception& e) {
    throw refuse(fmt::format("{}() threw an exception: {}; nothing may throw across the ABI",
                             LP_PLUGIN_ENTRY_SYMBOL, e.what()));
  } catch (...) {
    throw refuse(fmt::format("{}() threw an exception; nothing may throw across the ABI",
                             LP_PLUGIN_ENTRY_SYMBOL));
  }
  if (d == nullptr) throw refuse(fmt::format("{}() returned null", LP_PLUGIN_ENTRY_SYMBOL));

  if (auto problem = abi::check_descriptor(*d)) throw refuse(*problem);
  const std::string host_abi =
      abi_string(LP_ABI_VERSION_MAJOR, LP_ABI_VERSION_MINOR, LP_ABI_VERSION_PATCH);
  const std::string plugin_abi = abi_string(d->abi_major, d->abi_minor, d->abi_patch);
  if (d->abi_major != LP_ABI_VERSION_MAJOR) {
    throw refuse(fmt::format(
        "ABI major version differs: the plugin was built against ABI {}, this host has ABI {}; "
        "rebuild the plugin against this SDK",
        plugin_abi, host_abi));
  }
  if (d->abi_minor > LP_ABI_VERSION_MINOR ||
      (d->abi_minor == LP_ABI_VERSION_MINOR && d->abi_patch > LP_ABI_VERSION_PATCH)) {
    throw refuse(fmt::format(
        "the plugin needs a newer host: it was built against ABI {}, this host has ABI {}",
        plugin_abi, host_abi));
  }

  const std::string plugin_name = d->name;
  for (const auto& p : plugins_) {
    if (p.name == plugin_name) {
      if (report != nullptr) {
        report->warnings.push_back(fmt::format("plugin {}: \"{}\" is already loaded from {}; "
                                               "this copy is ignored",
                                               file, plugin_name, p.library_path.string()));
      }
      return;
    }
  }

  // Check every factory before accepting any, so a plugin loads whole or not at all.
  std::vector<Entry> accepted;
  std::set<std::pair<lp_kind, std::string>> in_this_plugin;
  for (std::size_t i = 0; i < d->factory_count; ++i) {
    const lp_component_factory* f = d->factories[i];
    if (f == nullptr) throw refuse(fmt::format("factories[{}] is null", i));
    if (auto problem = abi::check_factory_size(*f)) {
      throw refuse(fmt::format("factories[{}]: {}", i, *problem));
    }
    if (!kind_from_name(kind_name(f->kind))) {
      if (report != nullptr) {
        report->warnings.push_back(fmt::format(
            "plugin {}: factories[{}] ({}) has component kind {} which this host does not know "
            "(a newer plugin?); skipped",
            file, i, f->type_name != nullptr ? f->type_name : "?", f->kind));
      }
      continue;
    }
    const std::string where =
        fmt::format("{} \"{}\"", kind_name(f->kind), f->type_name != nullptr ? f->type_name : "");
    if (f->type_name == nullptr || !valid_type_name(f->type_name)) {
      throw refuse(fmt::format("factories[{}]: type_name must be 1-64 characters of [a-z0-9._-] "
                               "starting with a letter or digit",
                               i));
    }
    if (auto problem = abi::check_factory_functions(*f)) {
      throw refuse(fmt::format("{}: {}", where, *problem));
    }
    if (auto problem = check_schema(f->config_schema)) {
      throw refuse(fmt::format("{}: {}", where, *problem));
    }
    std::pair<lp_kind, std::string> key{f->kind, f->type_name};
    if (!in_this_plugin.insert(key).second) {
      throw refuse(fmt::format("{} is defined twice in this plugin", where));
    }
    if (auto it = components_.find(key); it != components_.end()) {
      throw refuse(fmt::format("{} is already provided by plugin \"{}\" ({}); component type "
                               "names must be unique per kind",
                               where, it->second.info.plugin_name, it->second.info.library_path));
    }
    Entry e;
    e.factory = f;
    e.info.kind = f->kind;
    e.info.type_name = f->type_name;
    e.info.description = f->description != nullptr ? f->description : "";
    e.info.config_schema = f->config_schema;
    e.info.plugin_name = plugin_name;
    e.info.plugin_version = d->version;
    e.info.library_path = file;
    accepted.push_back(std::move(e));
  }

  LoadedPlugin loaded;
  loaded.library_path = path;
  loaded.name = plugin_name;
  loaded.version = d->version;
  loaded.description = d->description != nullptr ? d->description : "";
  loaded.abi_major = d->abi_major;
  loaded.abi_minor = d->abi_minor;
  loaded.abi_patch = d->abi_patch;
  for (auto& e : accepted) {
    loaded.components.push_back(fmt::format("{}/{}", kind_name(e.info.kind), e.info.type_name));
    std::pair<lp_kind, std::string> key{e.info.kind, e.info.type_name};
    components_.emplace(std::move(key), std::move(e));
  }
  plugins_.push_back(std::move(loaded));
  keep_forever(std::move(lib));
}

ScanReport PluginRegistry::load_directories(const std::vector<fs::path>& dirs) {
  ScanReport report;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) {
        files.push_back(entry.path());
      }
    }
    if (ec) {
      report.errors.push_back(
          fmt::format("plugin directory {}: cannot list: {}", dir.string(), ec.message()));
      continue;
    }
    std::sort(files.begin(), files.end());  // deterministic order
    for (const auto& f : files) {
      try {
        load_library(f, &report);
      } catch (const PluginLoadError& e) {
        report.errors.emplace_back(e.what());
      }
    }
  }
  return report;
}

const ComponentInfo* PluginRegistry::find(lp_kind kind, std::string_view type_name) const {
  auto it = components_.find({kind, std::string(type_name)});
  return it == components_.end() ? nullptr : &it->second.info;
}

const lp_component_factory* PluginRegistry::factory(lp_kind kind,
                                                    std::string_view type_name) const {
  auto it = components_.find({kind, std::string(type_name)});
  return it == components_.end() ? nullptr : it->second.factory;
}

std::vector<std::string> PluginRegistry::type_names(lp_kind kind) const {
  std::vector<std::string> out;
  for (const auto& [key, entry] : components_) {
    if (key.first == kind) out.push_back(key.second);
  }
  return out;  // the map keeps them sorted
}

std::vector<const ComponentInfo*> PluginRegistry::components() const {
  std::vector<const ComponentInfo*> out;
  for (const auto& [key, entry] : components_) out.push_back(&entry.info);
  return out;
}

std::optional<std::string> PluginRegistry::validate_config(lp_kind kind,
                                                           std::string_view type_name,
                                                           std::string_view config_json) const {
  const lp_component_factory* f = factory(kind, type_name);
  if (f == nullptr) return fmt::format("no {} component \"{}\"", kind_name(kind), type_name);
  if (!LP_MEMBER_WITHIN(f, lp_component_factory, validate) || f->validate == nullptr) {
    return std::nullopt;  // optional: the schema is the whole check
  }
  std::string message;
  lp_error err{&message, [](void* ctx, lp_str m) {
                 static_cast<std::string*>(ctx)->assign(m.ptr == nullptr ? "" : m.ptr, m.len);
               }};
  lp_status status = LP_ERR_FAILED;
  try {
    status = f->validate(lp_str{config_json.data(), config_json.size()}, &err);
  } catch (...) {
    return "the plugin's validate() threw an exception across the ABI";
  }
  if (status == LP_OK) return std::nullopt;
  return message.empty() ? fmt::format("invalid config (status {})", status) : message;
}

}  // namespace lp
