#!/usr/bin/env bash
# `loadpilot run` with the locust tool, one scenario per ctest test:
#   sample   the unmodified sample locustfile under the open model: exit 0,
#            the offered rate achieved, every request in the store
#   bad      a locustfile with a syntax error: exit 3, Locust's message quoted
#   killed   the Locust process killed mid-run: exit 3, the samples kept
#   missing  no Locust where the plan points: exit 3, "run scripts/setup"
#   locust_run.sh SCENARIO LOADPILOT SOURCE_DIR
# Every wait is bounded; the demo target is on 127.0.0.1 and stopped by loadpilot.
set -uo pipefail
scenario=$1 loadpilot=$2 src=$3
work=$(mktemp -d)
lp_pid=""
cleanup() {
  [[ -n "$lp_pid" ]] && kill "$lp_pid" 2>/dev/null
  [[ -n "${KEEP:-}" ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL [$scenario]: $*"
  [[ -f "$work/out" ]] && { echo "--- loadpilot output"; tail -40 "$work/out"; }
  exit 1
}
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }
summary_file() { ls "$work"/runs/*/summary.json 2>/dev/null | head -1; }
db_file() { ls "$work"/runs/*/run.db 2>/dev/null | head -1; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"s": d}))' "$@"; }

# plan SUITE DURATION RATE [CONFIG_YAML]
plan() {
  cat >"$work/plan.yaml" <<EOF
name: locust-$scenario
tick: 500ms
duration: $2
target:
  base_url: http://127.0.0.1
  demo: {start: true, port: 0, workers: 16, service_time_ms: 2, queue: 256}
tools:
  - id: shop
    tool: locust
    suite: $1
    config: {max_users: 200${4:+, $4}}
load: {model: open, rate: $3, max_rate: 1000}
store: {dir: $work/runs}
EOF
}

# Runs loadpilot in the background; sets lp_pid.
start_run() {
  (cd "$work" && exec "$loadpilot" run plan.yaml) >"$work/out" 2>&1 &
  lp_pid=$!
}
# wait_exit SECONDS: the exit code of the run, or fails after SECONDS.
wait_exit() {
  for ((i = 0; i < $1 * 10; i++)); do
    if ! kill -0 "$lp_pid" 2>/dev/null; then
      wait "$lp_pid"
      code=$?
      lp_pid=""
      return 0
    fi
    sleep 0.1
  done
  fail "loadpilot still running after $1 s"
}

case "$scenario" in
  sample)
    plan "$src/samples/locust/locustfile.py" 8s 80 \
      'request_types: ["GET /api/items?page=N", "POST /api/cart"]'
    start_run
    wait_exit 60
    ((code == 0)) || fail "exit $code, want 0"
    s=$(summary_file)
    [[ -n "$s" ]] || fail "no summary.json"
    requests=$(json_get "$s" 's["overall"]["requests"]')
    achieved=$(json_get "$s" 'round(s["overall"]["achieved_rate"], 1)')
    echo "requests $requests, achieved $achieved/s for 80/s offered"
    python3 -c "import sys; a=float(sys.argv[1]); sys.exit(0 if 72 <= a <= 88 else 1)" "$achieved" ||
      fail "achieved $achieved/s, want 80 +/- 10 %"
    db=$(db_file)
    stored=$(sql "$db" "select sum(count) from ticks t join request_types r on r.id = t.request_type_id where r.name = '(all)'")
    ((stored == requests)) || fail "store has $stored requests, summary $requests"
    types=$(sql "$db" "select group_concat(name, '|') from (select name from request_types order by id)")
    [[ "$types" == *"GET /api/items?page=N|POST /api/cart|other"* ]] || fail "request types: $types"
    ;;
  bad)
    plan "$src/tests/integration/locust/fixtures/bad_syntax.py" 5s 10
    start_run
    wait_exit 60
    ((code == 3)) || fail "exit $code, want 3"
    grep -q "Locust could not run the locustfile" "$work/out" || fail "no clear error"
    grep -q "SyntaxError: expected ':'" "$work/out" || fail "Locust's message not quoted"
    grep -q "bad_syntax.py\", line 5" "$work/out" || fail "no file and line"
    ;;
  killed)
    plan "$src/tests/integration/locust/fixtures/pid_locustfile.py" 60s 50 \
      "env: {LOCUST_PID_FILE: $work/pid}"
    start_run
    for ((i = 0; i < 300; i++)); do
      [[ -s "$work/pid-main" ]] && break
      sleep 0.1
    done
    [[ -s "$work/pid-main" ]] || fail "Locust never started"
    sleep 3
    kill -KILL "$(cat "$work/pid-main")" || fail "cannot kill Locust"
    wait_exit 20
    ((code == 3)) || fail "exit $code, want 3"
    grep -q "exited with status 137 during the run" "$work/out" || fail "crash not reported"
    db=$(db_file)
    stored=$(sql "$db" "select sum(ok) from ticks t join request_types r on r.id = t.request_type_id where r.name = '(all)'")
    echo "requests kept in the store: $stored"
    ((stored > 50)) || fail "only $stored requests kept"
    [[ "$(sql "$db" "select status from runs")" == error ]] || fail "run status not error"
    ;;
  missing)
    plan "$src/samples/locust/locustfile.py" 5s 10 "locust: $work/no-venv"
    start_run
    wait_exit 30
    ((code == 3)) || fail "exit $code, want 3"
    grep -q "run scripts/setup" "$work/out" || fail "no hint to run scripts/setup"
    ;;
  *)
    fail "unknown scenario"
    ;;
esac
echo "PASS [$scenario]"
