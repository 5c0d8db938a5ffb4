#!/usr/bin/env bash
# `loadpilot run` with the jmeter tool (real JMeter 5.6.3 embedded in the
# host), one scenario per ctest test:
#   sample       samples/suites/sample.jmx under the open model: exit 0, every
#                label in the store, the store's counts equal the JTL JMeter
#                wrote for the same run (per label and in total), no errors
#   malformed    a .jmx JMeter cannot parse: exit 3, JMeter's message quoted
#   unknown      a sampler class not on the classpath: exit 3, the class named
#   missing_csv  a CSV Data Set file that does not exist: exit 3, file named
#   no_jmeter    a JMeter home without JMeter: exit 3, "run scripts/setup"
#   no_jdk       java_home without a JVM: exit 3, a clear error
#   bad_classpath  a JMeter home with JMeter's files but no jars: the JVM
#                starts without the glue: exit 3, a clear error
#   jmeter_run.sh SCENARIO LOADPILOT SOURCE_DIR [JMETER_HOME]
# Every wait is bounded; the demo target is on 127.0.0.1 and stopped by loadpilot.
set -uo pipefail
scenario=$1 loadpilot=$2 src=$3 home=${4:-}
fixtures="$src/tests/integration/jmeter/fixtures"
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
# Without JMeter in the build these tests fail (never skip).
if [[ -n "$home" && ! -f "$home/lib/ext/loadpilot-jmeter-glue.jar" ]]; then
  fail "no JMeter in $home: run scripts/setup, then build the jmeter_glue target"
fi
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }
summary_file() { ls "$work"/runs/*/summary.json 2>/dev/null | head -1; }
db_file() { ls "$work"/runs/*/run.db 2>/dev/null | head -1; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"s": d}))' "$@"; }

# plan SUITE DURATION RATE [CONFIG_YAML]
plan() {
  cat >"$work/plan.yaml" <<EOP
name: jmeter-$scenario
tick: 500ms
duration: $2
target:
  base_url: http://127.0.0.1
  demo: {start: true, port: 0, workers: 16, service_time_ms: 2, queue: 256}
tools:
  - id: plan
    tool: jmeter
    suite: $1
    config: {log_dir: $work/logs, max_threads: 100${4:+, $4}}
load: {model: open, rate: $3, max_rate: 1000}
store: {dir: $work/runs}
EOP
}
start_run() {
  (cd "$work" && exec "$loadpilot" run plan.yaml) >"$work/out" 2>&1 &
  lp_pid=$!
}
# wait_exit SECONDS: sets code to the run's exit code, or fails after SECONDS.
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
expect_error() {  # expect_error PATTERN...: exit 3 and every pattern in the output
  wait_exit 60
  ((code == 3)) || fail "exit $code, want 3"
  for p in "$@"; do grep -qF -- "$p" "$work/out" || fail "output lacks: $p"; done
}

case "$scenario" in
  sample)
    plan "$src/samples/suites/sample.jmx" 8s 60 "jtl: $work/run.jtl"
    start_run
    wait_exit 90
    ((code == 0)) || fail "exit $code, want 0"
    db=$(db_file)
    [[ -n "$db" ]] || fail "no run store"
    [[ -s "$work/run.jtl" ]] || fail "JMeter wrote no JTL"
    # Per label: the store's request types against the JTL's label column.
    python3 - "$db" "$work/run.jtl" <<'PY' || fail "store and JTL differ"
import collections, csv, sqlite3, sys
db, jtl = sys.argv[1:]
rows = list(csv.DictReader(open(jtl, newline="")))
want = collections.Counter(r["label"] for r in rows)
failed = sum(r["success"] != "true" for r in rows)
con = sqlite3.connect(db)
got = dict(con.execute("select r.name, sum(t.count) from ticks t join request_types r "
                       "on r.id = t.request_type_id group by r.name").fetchall())
total = got.pop("(all)", 0)
print(f"JTL: {len(rows)} samples, {failed} failed, by label {dict(want)}")
print(f"store: {total} samples, by type {got}")
ok = total == len(rows) and failed == 0
for label, n in want.items():
    ok &= got.get(label, 0) == n
for label in ["items page", "item", "search", "checkout flow", "cart", "checkout"]:
    ok &= want[label] > 0
sys.exit(0 if ok else 1)
PY
    s=$(summary_file)
    achieved=$(json_get "$s" 'round(s["overall"]["achieved_rate"], 1)')
    echo "achieved $achieved samples/s (60/s offered to the samplers, + transaction samples)"
    ;;
  malformed)
    plan "$fixtures/malformed.jmx" 5s 10
    start_run
    expect_error "JMeter could not load the plan $fixtures/malformed.jmx" "no more data available - expected end tags" "@38:69"
    ;;
  unknown)
    plan "$fixtures/unknown_sampler.jmx" 5s 10
    start_run
    expect_error "JMeter could not load the plan" "Problem loading XML from:'$fixtures/unknown_sampler.jmx'" \
      "com.example.jmeter.NoSuchSampler"
    ;;
  missing_csv)
    plan "$fixtures/missing_csv.jmx" 5s 10
    start_run
    expect_error "CSV Data Set Config \"search words\"" "$fixtures/no_such_words.csv (No such file or directory)"
    ;;
  no_jmeter)
    plan "$src/samples/suites/items.jmx" 5s 10 "jmeter_home: $work/empty-home"
    start_run
    expect_error "no JMeter at $work/empty-home" "run scripts/setup"
    ;;
  no_jdk)
    plan "$src/samples/suites/items.jmx" 5s 10 "java_home: $work/no-jdk"
    start_run
    expect_error "no Java runtime (libjvm.so) found in $work/no-jdk"
    ;;
  bad_classpath)
    mkdir -p "$work/bad-home/bin" "$work/bad-home/lib/ext"
    cp "$home/bin/jmeter.properties" "$work/bad-home/bin/"
    plan "$src/samples/suites/items.jmx" 5s 10 "jmeter_home: $work/bad-home"
    start_run
    expect_error "the JVM started but the loadpilot JMeter glue (org.loadpilot.jmeter.Bridge) is not on its classpath" \
      "run scripts/setup"
    ;;
  *)
    fail "unknown scenario"
    ;;
esac
echo "PASS [$scenario]"
