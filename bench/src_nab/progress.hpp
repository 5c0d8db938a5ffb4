// Live progress on stderr: one line rewritten in place on a terminal,
// nothing when stderr is a file or pipe (notes are printed in both cases).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

namespace lp::bench {

class Progress {
 public:
  Progress() : tty_(isatty(STDERR_FILENO) != 0) {}

  void update(const std::string& text) {
    if (!tty_) return;
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void note(const std::string& text) {
    clear();
    std::fprintf(stderr, "%s\n", text.c_str());
    std::fflush(stderr);
  }
  void clear() {
    if (!shown_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  bool tty_;
  bool shown_ = false;
};

}  // namespace lp::bench
