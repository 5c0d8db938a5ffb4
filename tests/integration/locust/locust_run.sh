#!/usr/bin/env bash
# `loadpilot run` with the locust tool, one scenario per ctest test:
#   sample   the unmodified sample locustfile under the open model: exit 0,
#            the store's total equal to Locust's own CSV total,
#            the offered rate achieved, every request in the store
#   bad      a locustfile with a syntax error: exit 3, Locust's message quoted
#   killed   the Locust process killed mid-run: exit 3, the samples kept
#   missing  no Locust where the plan points: exit 3, "run scripts/setup"
#   sample_plan  samples/locust.yaml as shipped (profile warmup -> peak, p99
#            back-off): exit 0, both vectors done, criteria met, all stored
#   netns    master here, 2 workers in network namespaces this test makes
#            (own addresses on a bridge): both send, the rate is reached
#   netns_loss  the same, one worker killed mid-run under on_worker_loss:
#            continue: the run goes on at the rate, the loss is in the store
#   locust_run.sh SCENARIO LOADPILOT SOURCE_DIR
# Every wait is bounded; the demo target is on 127.0.0.1 and stopped by loadpilot.
set -uo pipefail
scenario=$1 loadpilot=$2 src=$3
work=$(mktemp -d)
lp_pid=""
net_down=""
cleanup() {
  [[ -n "$lp_pid" ]] && kill "$lp_pid" 2>/dev/null
  [[ -n "${target_pid:-}" ]] && kill "$target_pid" 2>/dev/null
  [[ -n "$net_down" ]] && eval "$net_down"
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

# A bridge 10.232.N.1/24 here and namespaces lpw<pid>-1/-2 at .11 and .12,
# each with its own veth; sets subnet, ns1, ns2 and the teardown.
make_hosts() {
  command -v ip >/dev/null || fail "ip (iproute2) missing: run scripts/setup"
  ((EUID == 0)) || fail "network namespaces need root (CAP_NET_ADMIN)"
  subnet="10.232.$(($$ % 200 + 20))"
  br="lpbr$$" ns1="lpw$$-1" ns2="lpw$$-2"
  net_down="ip netns del $ns1 2>/dev/null; ip netns del $ns2 2>/dev/null; ip link del $br 2>/dev/null"
  ip link add "$br" type bridge || fail "cannot make a bridge"
  { ip addr add "$subnet.1/24" dev "$br" && ip link set "$br" up; } || fail "bridge address"
  local i=0
  for ns in "$ns1" "$ns2"; do
    i=$((i + 1))
    ip netns add "$ns" || fail "cannot make namespace $ns"
    ip link add "lpv$$-$i" type veth peer name eth0 netns "$ns" || fail "veth $i"
    ip link set "lpv$$-$i" master "$br" up || fail "veth $i up"
    ip -n "$ns" addr add "$subnet.1$i/24" dev eth0 || fail "address in $ns"
    { ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up; } || fail "links in $ns"
  done
  for ((i = 0; i < 50; i++)); do
    # "refused": the host's own address answered (nothing listens on port 9).
    out=$(ip netns exec "$ns2" timeout 2 bash -c "exec 3<>/dev/tcp/$subnet.1/9" 2>&1)
    [[ "$out" == *refused* ]] && return 0
    sleep 0.1
  done
  fail "the host is not reachable from $ns2"
}

# The demo target on the bridge address (a free port); sets base_url.
start_bridge_target() {
  "$(dirname "$loadpilot")/loadpilot-demo-target" --listen "$subnet.1:0" --workers 16 \
    --service-time-ms 2 --queue 256 --max-runtime 5m >"$work/target.out" 2>&1 &
  target_pid=$!
  for ((i = 0; i < 100; i++)); do
    base_url=$(grep -so 'http://[0-9.:]*' "$work/target.out" | head -1)
    [[ -n "$base_url" ]] && return 0
    sleep 0.1
  done
  fail "demo target did not start: $(cat "$work/target.out")"
}

# netns_plan DURATION RATE ON_LOSS
netns_plan() {
  cat >"$work/plan.yaml" <<EOF
name: locust-$scenario
tick: 500ms
duration: $1
target: {base_url: "$base_url"}
tools:
  - id: shop
    tool: locust
    suite: $src/tests/integration/locust/fixtures/pid_locustfile.py
    config:
      max_users: 200
      bind: $subnet.1
      worker_hosts: [{netns: $ns1}, {netns: $ns2}]
      on_worker_loss: $3
      env: {LOCUST_PID_FILE: $work/pid}
load: {model: open, rate: $2, max_rate: 1000}
store: {dir: $work/runs}
EOF
}

case "$scenario" in
  sample_plan)
    (cd "$work" && exec "$loadpilot" run "$src/samples/locust.yaml") >"$work/out" 2>&1 &
    lp_pid=$!
    wait_exit 90
    ((code == 0)) || fail "exit $code, want 0"
    s=$(summary_file)
    [[ "$(json_get "$s" 's["passed"]')" == True ]] || fail "criteria not met"
    done_vectors=$(json_get "$s" '",".join(v["id"] + ":" + v["outcome"] for v in s["vectors"])')
    echo "vectors $done_vectors"
    [[ "$done_vectors" == "warmup:completed,peak:completed" ]] || fail "vectors: $done_vectors"
    requests=$(json_get "$s" 's["overall"]["requests"]')
    stored=$(sql "$(db_file)" "select sum(count) from ticks t join request_types r on r.id = t.request_type_id where r.name = '(all)'")
    ((stored == requests && requests > 1000)) || fail "store has $stored requests, summary $requests"
    ;;
  netns)
    make_hosts
    start_bridge_target
    netns_plan 8s 60 stop
    start_run
    wait_exit 90
    ((code == 0)) || fail "exit $code, want 0"
    s=$(summary_file)
    achieved=$(json_get "$s" 'round(s["overall"]["achieved_rate"], 1)')
    echo "achieved $achieved/s for 60/s offered, by two workers in namespaces"
    python3 -c "import sys; a=float(sys.argv[1]); sys.exit(0 if 54 <= a <= 66 else 1)" "$achieved" ||
      fail "achieved $achieved/s, want 60 +/- 10 %"
    for host in 11 12; do
      n=$(grep -o "from $subnet.$host): [0-9]* samples" "$work/out" | grep -o '[0-9]* samples' | cut -d' ' -f1)
      echo "worker at $subnet.$host: ${n:-0} samples"
      ((${n:-0} > 100)) || fail "the worker at $subnet.$host sent ${n:-0} samples"
    done
    requests=$(json_get "$s" 's["overall"]["requests"]')
    stored=$(sql "$(db_file)" "select sum(count) from ticks t join request_types r on r.id = t.request_type_id where r.name = '(all)'")
    ((stored == requests)) || fail "store has $stored requests, summary $requests"
    ;;
  netns_loss)
    make_hosts
    start_bridge_target
    netns_plan 14s 60 continue
    start_run
    for ((i = 0; i < 300; i++)); do
      [[ -s "$work/pid-1" ]] && break
      sleep 0.1
    done
    [[ -s "$work/pid-1" ]] || fail "worker 1 never started"
    sleep 5
    kill -KILL "$(cat "$work/pid-1")" || fail "cannot kill worker 1"
    wait_exit 60
    ((code == 0)) || fail "exit $code, want 0 (on_worker_loss: continue)"
    grep -q "Locust worker 1 .* during the run; going on with the others" "$work/out" ||
      fail "the loss was not reported"
    s=$(summary_file)
    lost=$(json_get "$s" 'len([e for e in s["plugin_errors"] if "worker 1" in e["message"]])')
    ((lost == 1)) || fail "summary.json plugin_errors has $lost entries on worker 1"
    db=$(db_file)
    events=$(sql "$db" "select count(*) from events where kind = 'plugin_error' and message like '%worker 1%'")
    ((events == 1)) || fail "$events plugin_error events in the store"
    # The last 4 s: worker 0 alone carries the whole rate.
    late=$(sql "$db" "select round(avg(achieved_rate), 1) from ticks t join request_types r on r.id = t.request_type_id where r.name = '(all)' and tick >= (select max(tick) - 7 from ticks)")
    echo "achieved $late/s over the last 4 s with one worker left"
    python3 -c "import sys; a=float(sys.argv[1]); sys.exit(0 if 51 <= a <= 69 else 1)" "$late" ||
      fail "achieved $late/s after the loss, want 60 +/- 15 %"
    ;;
  sample)
    plan "$src/samples/locust/locustfile.py" 8s 80 \
      "request_types: [\"GET /api/items?page=N\", \"POST /api/cart\"], csv: $work/locust"
    start_run
    wait_exit 60
    ((code == 0)) || fail "exit $code, want 0"
    s=$(summary_file)
    [[ -n "$s" ]] || fail "no summary.json"
    requests=$(json_get "$s" 's["overall"]["requests"]')
    # Locust's own totals for the same run (its --csv) against the store.
    locust_total=$(python3 -c 'import csv,sys; print(next(int(r["Request Count"]) for r in csv.DictReader(open(sys.argv[1])) if r["Name"] == "Aggregated"))' "$work/locust_stats.csv") ||
      fail "no Locust CSV totals"
    echo "Locust's CSV: $locust_total requests"
    ((locust_total == requests)) || fail "Locust counted $locust_total, loadpilot $requests"
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
