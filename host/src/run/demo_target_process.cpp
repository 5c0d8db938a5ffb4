#include "loadpilot/host/run/demo_target_process.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace lp {
namespace bp = boost::process;

struct DemoTargetProcess::Impl {
  bp::child child;
  std::optional<int> exit_code;
};

std::filesystem::path DemoTargetProcess::binary() {
  if (const char* env = std::getenv("LOADPILOT_DEMO_TARGET"); env != nullptr && *env != '\0') {
    return env;
  }
  const auto exe = boost::dll::program_location();
  return std::filesystem::path(exe.parent_path().string()) / "loadpilot-demo-target";
}

namespace {
std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

DemoTargetProcess::DemoTargetProcess(const DemoTarget& spec, const std::filesystem::path& log_file,
                                     std::chrono::seconds timeout)
    : impl_(std::make_unique<Impl>()) {
  const auto exe = binary();
  if (!std::filesystem::exists(exe)) {
    throw std::runtime_error(fmt::format(
        "demo target binary {} not found (build the project, or set LOADPILOT_DEMO_TARGET)",
        exe.string()));
  }
  std::vector<std::string> args{
      "--listen",          fmt::format("127.0.0.1:{}", spec.port),
      "--workers",         std::to_string(spec.workers),
      "--queue",           std::to_string(spec.queue),
      "--service-time-ms", fmt::format("{}", spec.service_time_ms),
      "--fail-rate",       fmt::format("{}", spec.fail_rate),
      "--max-runtime",     "6h"};
  // Output goes to a file, not a pipe: a pipe nobody drains would block it.
  impl_->child = bp::child(
      exe.string(), bp::args(args), bp::std_out > log_file.string(),
      bp::std_err > (log_file.string() + ".err"), bp::std_in < bp::null,
      bp::extend::on_exec_setup([](auto&) { ::prctl(PR_SET_PDEATHSIG, SIGTERM); }));

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = read_file(log_file);
    if (const auto at = out.find("listening on "); at != std::string::npos) {
      const auto end = out.find('\n', at);
      if (end != std::string::npos) {
        banner_ = out.substr(0, end);
        const auto url_start = at + std::string_view("listening on ").size();
        base_url_ = out.substr(url_start, out.find(' ', url_start) - url_start);
        return;
      }
    }
    if (exited()) {
      std::string err = read_file(log_file.string() + ".err");
      while (!err.empty() && err.back() == '\n') err.pop_back();
      throw std::runtime_error(fmt::format("demo target exited with status {} at start: {}",
                                           *impl_->exit_code, err.empty() ? "(no message)" : err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  throw std::runtime_error(
      fmt::format("demo target did not report ready within {} s", timeout.count()));
}

DemoTargetProcess::~DemoTargetProcess() { stop(); }

std::optional<int> DemoTargetProcess::exited() {
  if (impl_->exit_code) return impl_->exit_code;
  std::error_code ec;
  if (impl_->child.valid() && !impl_->child.running(ec)) {
    impl_->exit_code = impl_->child.native_exit_code();
    // A signal death shows as 128 + signal, as shells do.
    const int raw = *impl_->exit_code;
    impl_->exit_code = WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : WEXITSTATUS(raw);
  }
  return impl_->exit_code;
}

void DemoTargetProcess::stop(std::chrono::milliseconds grace) {
  if (!impl_ || !impl_->child.valid() || exited()) return;
  ::kill(impl_->child.id(), SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::error_code ec;
  impl_->child.terminate(ec);  // SIGKILL
  impl_->child.wait(ec);
  exited();
}

}  // namespace lp
