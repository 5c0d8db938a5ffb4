#include "locust_process.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace lp::locust {
namespace bp = boost::process;

struct LocustProcess::Impl {
  bp::child child;
  std::optional<int> status;
};

LocustProcess::LocustProcess(Options options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  // The child's environment, built here rather than with bp::environment:
  // Boost 1.74's environment lookup reads past the end of shorter entries
  // (an AddressSanitizer heap-buffer-overflow).
  std::vector<std::string> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view key = entry.substr(0, entry.find('='));
    if (options_.env.count(std::string(key)) == 0) entries.emplace_back(entry);
  }
  for (const auto& [k, v] : options_.env) entries.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::error_code ec;
  // Output goes to a file, not a pipe: a pipe nobody drains would block Locust.
  impl_->child =
      bp::child(options_.executable.string(), bp::args(options_.args),
                bp::start_dir(options_.cwd.string()), bp::std_out > options_.log_file.string(),
                bp::std_err > options_.log_file.string(), bp::std_in < bp::null, ec,
                bp::extend::on_setup([&envp](auto& exec) { exec.env = envp.data(); }),
                bp::extend::on_exec_setup([](auto&) { ::prctl(PR_SET_PDEATHSIG, SIGTERM); }));
  if (ec) {
    throw std::runtime_error("cannot start " + options_.executable.string() + ": " + ec.message());
  }
}

LocustProcess::~LocustProcess() {
  try {
    stop(std::chrono::milliseconds(2000));
  } catch (...) {  // a destructor must not throw
  }
}

int LocustProcess::pid() const {
  return impl_->child.id();
}

std::optional<int> LocustProcess::exited() {
  if (impl_->status) return impl_->status;
  std::error_code ec;
  if (impl_->child.valid() && !impl_->child.running(ec)) {
    const int raw = impl_->child.native_exit_code();
    impl_->status = WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : WEXITSTATUS(raw);
  }
  return impl_->status;
}

int LocustProcess::stop(std::chrono::milliseconds grace) {
  if (!impl_->child.valid()) return -1;
  if (const auto s = exited()) return *s;
  ::kill(impl_->child.id(), SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto s = exited()) return *s;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::error_code ec;
  impl_->child.terminate(ec);  // SIGKILL
  impl_->child.wait(ec);
  return exited().value_or(128 + SIGKILL);
}

std::string LocustProcess::failure_text(const std::string& focus, std::size_t max_lines) const {
  std::ifstream in(options_.log_file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line) && lines.size() < 100000;) {
    if (!line.empty()) lines.push_back(line);
  }
  std::size_t from = lines.size() > max_lines ? lines.size() - max_lines : 0;
  if (!focus.empty()) {
    const std::string marker = "File \"" + focus + "\"";
    for (std::size_t i = lines.size(); i-- > 0;) {
      if (lines[i].find(marker) != std::string::npos) {
        from = i;
        break;
      }
    }
  }
  std::ostringstream out;
  const std::size_t to = std::min(lines.size(), from + 40);
  for (std::size_t i = from; i < to; ++i) out << (i > from ? "\n" : "") << lines[i];
  return out.str();
}

}  // namespace lp::locust
