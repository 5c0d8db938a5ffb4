// A scikit-learn reference (bench/nab_reference.py) run in the project
// virtualenv as a background process: its output goes to a log file in the
// work directory, its scores to one file per series there.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "nab/corpus.hpp"

namespace lp::bench {

class SklearnReference {
 public:
  // `args` are passed to the script after --model, --nab and --out.
  SklearnReference(std::filesystem::path python, std::filesystem::path script,
                   std::filesystem::path nab_root, std::filesystem::path work_dir,
                   std::string model, std::vector<std::string> args);
  ~SklearnReference();  // stops the process if it still runs
  SklearnReference(const SklearnReference&) = delete;
  SklearnReference& operator=(const SklearnReference&) = delete;

  const std::string& model() const { return model_; }
  bool started() const { return pid_ > 0 || done_; }
  void start();
  // False once the process has exited; throws std::runtime_error with the
  // end of its log when it failed.
  bool running();
  // The last line of its log (its progress).
  std::string last_line() const;
  // After it finished: its scores, one vector per series of the corpus, and
  // the seconds it spent fitting and scoring.
  nab::Scores scores(const nab::Corpus& corpus) const;
  double seconds() const;

 private:
  std::filesystem::path python_, script_, nab_root_, out_, log_;
  std::string model_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  bool done_ = false;
};

}  // namespace lp::bench
