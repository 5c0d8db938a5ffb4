// CPU time and resident memory of this process, for /metrics.
#pragma once

namespace lp::demo_target {

struct ProcessStats {
  double cpu_seconds = 0;     // user + system, all threads
  double resident_bytes = 0;  // 0 if /proc is unavailable
};

ProcessStats read_process_stats();

}  // namespace lp::demo_target
