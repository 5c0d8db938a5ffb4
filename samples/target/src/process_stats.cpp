#include "process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

namespace lp::demo_target {

ProcessStats read_process_stats() {
  ProcessStats stats;
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    const auto seconds = [](const timeval& tv) {
      return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    stats.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  // statm: size resident shared ... in pages; ru_maxrss would be the peak, not the current.
  std::ifstream statm("/proc/self/statm");
  long size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    stats.resident_bytes =
        static_cast<double>(resident_pages) * static_cast<double>(sysconf(_SC_PAGESIZE));
  }
  return stats;
}

}  // namespace lp::demo_target
