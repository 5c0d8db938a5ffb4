#include "sklearn_reference.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace lp::bench {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The last `count` lines of a text.
std::string tail(const std::string& text, std::size_t count) {
  std::size_t at = text.size();
  while (at > 0 && text[at - 1] == '\n') --at;
  const std::size_t end = at;
  for (std::size_t lines = 0; at > 0; --at) {
    if (text[at - 1] == '\n' && ++lines == count) break;
  }
  return text.substr(at, end - at);
}

}  // namespace

SklearnReference::SklearnReference(fs::path python, fs::path script, fs::path nab_root,
                                   fs::path work_dir, std::string model,
                                   std::vector<std::string> args)
    : python_(std::move(python)),
      script_(std::move(script)),
      nab_root_(std::move(nab_root)),
      out_(work_dir / model),
      log_(work_dir / (model + ".log")),
      model_(std::move(model)),
      args_(std::move(args)) {}

SklearnReference::~SklearnReference() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

void SklearnReference::start() {
  fs::create_directories(out_);
  std::vector<std::string> argv = {python_.string(), script_.string(),   "--model", model_,
                                   "--nab",          nab_root_.string(), "--out",   out_.string()};
  argv.insert(argv.end(), args_.begin(), args_.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int rc = posix_spawn(&pid_, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + python_.string() + " for the sklearn " + model_ +
                             " reference");
  }
}

bool SklearnReference::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  pid_ = -1;
  done_ = true;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return false;
  const std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                            : "signal " + std::to_string(WTERMSIG(status));
  const std::string log = read_text(log_);
  const std::string hint = log.find("ModuleNotFoundError") != std::string::npos
                               ? " (scripts/setup installs numpy and scikit-learn into .venv)"
                               : "";
  throw std::runtime_error("the sklearn " + model_ + " reference (" + script_.string() +
                           ") failed (" + how + ")" + hint + "; the end of its output:\n" +
                           tail(log, 15));
}

std::string SklearnReference::last_line() const {
  return tail(read_text(log_), 1);
}

nab::Scores SklearnReference::scores(const nab::Corpus& corpus) const {
  nab::Scores out;
  for (const auto& s : corpus.series) {
    const fs::path file = out_ / (s.name + ".scores");
    const std::string text = read_text(file);
    std::vector<double> v;
    v.reserve(s.values.size());
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
      double x = 0;
      const auto [next, ec] = std::from_chars(p, end, x);
      if (ec != std::errc() || next == end || *next != '\n') {
        throw std::runtime_error(file.string() + ": line " + std::to_string(v.size() + 1) +
                                 ": expected one number");
      }
      v.push_back(x);
      p = next + 1;
    }
    if (v.size() != s.values.size()) {
      throw std::runtime_error(file.string() + ": " + std::to_string(v.size()) + " scores for " +
                               std::to_string(s.values.size()) + " rows");
    }
    out.push_back(std::move(v));
  }
  return out;
}

double SklearnReference::seconds() const {
  const fs::path file = out_ / "timing.json";
  try {
    return nlohmann::json::parse(read_text(file)).at("fit_score_seconds").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

}  // namespace lp::bench
