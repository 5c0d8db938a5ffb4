#!/usr/bin/env bash
# Shared by the bench/NAME scripts: builds the benchmark's target in the build
# directory if it is missing or stale, then runs it with the arguments.
#   exec bench/support/exec_bench.sh TARGET [ARGS...]
# LOADPILOT_BUILD_DIR picks the build directory (default: build/; a relative
# path is taken from the repository root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target=$1
shift
build="${LOADPILOT_BUILD_DIR:-build}"
[[ "$build" = /* ]] || build="$root/$build"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
cmake --build "$build" --target "$target" >&2
exec "$build/bench/$target" "$@"
