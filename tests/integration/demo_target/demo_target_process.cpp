#include "demo_target_process.hpp"

#include <cstdlib>
#include <regex>
#include <stdexcept>

namespace lp::test {

std::string demo_target_exe() {
  // Lets the same tests run against another build (a sanitizer build, an installed binary).
  const char* override_path = std::getenv("LOADPILOT_DEMO_TARGET");
  return override_path != nullptr && *override_path != '\0' ? override_path : DEMO_TARGET_EXE;
}

DemoTarget start_demo_target(const std::vector<std::string>& args) {
  std::vector<std::string> all{"--listen", "127.0.0.1:0"};
  all.insert(all.end(), args.begin(), args.end());
  DemoTarget t;
  t.process = std::make_unique<ChildProcess>(demo_target_exe(), all);
  auto line = t.process->read_line(std::chrono::seconds(10));
  if (!line) {
    throw std::runtime_error("demo target printed no start-up line");
  }
  t.first_line = *line;
  std::smatch m;
  if (!std::regex_search(t.first_line, m,
                         std::regex(R"(listening on http://127\.0\.0\.1:(\d+) )"))) {
    throw std::runtime_error("no address in start-up line: " + t.first_line);
  }
  t.port = static_cast<std::uint16_t>(std::stoul(m[1].str()));
  return t;
}

}  // namespace lp::test
