#!/usr/bin/env bash
# `loadpilot run` end to end, one scenario per ctest test (they run in
# parallel): ALV skip and shorten against the demo target's failing route,
# response captures, HTTPS through the native plugin (nginx with a
# self-signed certificate), a killed demo target and a target that stops
# answering (exit 3, data kept), and Ctrl-C (exit 130, no orphans).
#   run_scenarios.sh SCENARIO LOADPILOT SOURCE_DIR DEMO_TARGET_BINARY
# Every wait is bounded; every server is on 127.0.0.1 and stopped on exit.
set -uo pipefail
scenario=$1 loadpilot=$2 src=$3 demo_bin=$4
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [[ -n "${KEEP:-}" ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL [$scenario]: $*"
  [[ -f "$work/out" ]] && { echo "--- loadpilot output"; tail -40 "$work/out"; }
  exit 1
}
mkdir -p "$work/vectors"

# vector ID DURATION_S RATE PATH...: a vector of GETs, equal frequencies.
vector() {
  local id=$1 duration=$2 rate=$3
  shift 3
  local n=$# i=0 types=""
  for path in "$@"; do
    i=$((i + 1))
    local freq=$((100 / n))
    ((i == n)) && freq=$((100 - (n - 1) * (100 / n)))
    types+="${types:+,}{\"name\": \"r$i\", \"method\": \"GET\", \"path\": \"$path\", \"frequency\": $freq}"
  done
  printf '{"vector_id": "%s", "name": "%s", "duration_sec": %s, "rate": %s, "request_types": [%s]}\n' \
    "$id" "$id" "$duration" "$rate" "$types" >"$work/vectors/$id.json"
}

# py FILE EXPR...: asserts on a JSON file with Python; prints the document on failure.
check_summary() {
  python3 - "$1" "$2" <<'PY' || fail "summary check: $2"
import json, sys
s = json.load(open(sys.argv[1]))
v = {x["id"]: x for x in s.get("vectors", [])}
ok = eval(sys.argv[2], {"s": s, "v": v})
if not ok:
    print(json.dumps(s, indent=1)[:3000])
    sys.exit(1)
PY
}

summary_file() { ls "$work"/runs/*/summary.json 2>/dev/null | head -1; }
db_file() { ls "$work"/runs/*/run.db 2>/dev/null | head -1; }
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }

# Runs loadpilot in the background; sets lp_pid.
start_run() {
  "$loadpilot" run "$1" >"$work/out" 2>&1 &
  lp_pid=$!
  pids+=("$lp_pid")
}
# wait_exit PID SECONDS: the exit status, or fails after SECONDS.
wait_exit() {
  local pid=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      return $?
    fi
    sleep 0.1
  done
  fail "loadpilot still running after ${limit}s"
}
# wait_ticks N SECONDS: until the store holds N ticks.
wait_ticks() {
  local i db
  for ((i = 0; i < $2 * 10; i++)); do
    db=$(db_file)
    if [[ -n "$db" ]] && (($(sql "$db" "select count(distinct tick) from ticks" 2>/dev/null || echo 0) >= $1)); then
      return 0
    fi
    sleep 0.1
  done
  fail "no $1 ticks in the store within $2 s"
}
demo_child() { pgrep -P "$1" -f loadpilot-demo-target | head -1; }

plan_head() {  # NAME BASE_URL [DEMO_YAML]
  cat <<YAML
name: $1
tick: 500ms
target: {base_url: "$2"${3:+, demo: $3}}
vectors: {dir: $work/vectors}
store: {dir: $work/runs}
YAML
}

case "$scenario" in
  alv_skip | alv_shorten)
    action=${scenario#alv_}
    vector ok1 2 40 /api/items/1
    vector bad 8 40 /fail
    vector ok2 2 40 /api/items/2
    { plan_head "alv-$action" "http://127.0.0.1" "{port: 0, workers: 4, service_time_ms: 1, fail_rate: 0.8}"
      cat <<YAML
tools: [{id: api, tool: native, vectors: [ok1, bad, ok2]}]
load: {model: open, max_rate: 100}
profile: {vector_sequence: [ok1, bad, ok2], transition_delay_sec: 0, skip_on_error_rate: 0.2, on_high_error: $action}
YAML
    } >"$work/plan.yaml"
    timeout 60 "$loadpilot" run "$work/plan.yaml" >"$work/out" 2>&1
    rc=$?
    [[ $rc == 0 ]] || fail "exit $rc"
    s=$(summary_file)
    [[ -n "$s" ]] || fail "no summary.json"
    check_summary "$s" "v['ok1']['outcome'] == 'completed' and v['ok2']['outcome'] == 'completed'"
    check_summary "$s" "v['bad']['outcome'] == '${action/skip/skipped}'.replace('shorten', 'shortened') and 'error rate' in v['bad']['reason']"
    grep -q "vector bad ${action/skip/skipped}" "$work/out" || grep -qi "bad.*${action}" "$work/out" ||
      fail "the decision is not on the console"
    db=$(db_file)
    secs=$(sql "$db" "select (end_ns - start_ns) / 1e9 from vectors where vector_id = 'bad'")
    outcome=$(sql "$db" "select outcome from vectors where vector_id = 'bad'")
    reason=$(sql "$db" "select reason from vectors where vector_id = 'bad'")
    echo "bad: $outcome after ${secs}s: $reason"
    [[ "$reason" == *"error rate"* ]] || fail "no reason in the store"
    if [[ $action == skip ]]; then
      [[ $outcome == skipped ]] || fail "store says $outcome"
      python3 -c "import sys; sys.exit(0 if float('$secs') < 2.5 else 1)" || fail "skip took ${secs}s of 8"
    else
      [[ $outcome == shortened ]] || fail "store says $outcome"
      # 25 % of 8 s, give or take a tick.
      python3 -c "import sys; sys.exit(0 if 1.4 < float('$secs') < 3.0 else 1)" || fail "shortened to ${secs}s, not ~2s"
    fi
    ;;

  captures)
    # An item page answers ids; the next request asks for one of them. Without
    # captures the path is /api/items/ and the demo target answers 404.
    cat >"$work/vectors/cap.json" <<'JSON'
{"vector_id": "cap", "name": "captures", "duration_sec": 3, "request_types": [
  {"name": "page", "method": "GET", "path": "/api/items?page=${random_int(1,9)}", "frequency": 50,
   "capture": {"pick": {"json": "/items/3/id"}}},
  {"name": "item", "method": "GET", "path": "/api/items/${capture.pick}", "frequency": 50}]}
JSON
    { plan_head captures "http://127.0.0.1" "{port: 0, workers: 8, service_time_ms: 1}"
      cat <<YAML
tools: [{id: api, tool: native, vectors: [cap]}]
load: {model: closed, concurrency: 4, max_rate: 100000}
profile: {vector_sequence: [cap]}
YAML
    } >"$work/plan.yaml"
    timeout 60 "$loadpilot" run "$work/plan.yaml" >"$work/out" 2>&1 || fail "exit $?"
    grep -E "captures: [0-9]+ values stored" "$work/out" || fail "no capture count in the log"
    db=$(db_file)
    ok=$(sql "$db" "select sum(ok) from tick_view where request_type = 'cap/item'")
    all=$(sql "$db" "select sum(count) from tick_view where request_type = 'cap/item'")
    echo "cap/item: $ok of $all OK"
    # A user's item requests before its first page answer miss (at most a few each).
    python3 -c "import sys; sys.exit(0 if $all > 100 and $ok >= 0.95 * $all else 1)" ||
      fail "captured ids did not reach the requests ($ok of $all OK)"
    ;;

  https)
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || fail "nginx not installed (scripts/setup)"
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" \
      >/dev/null 2>&1 || fail "openssl could not make a certificate"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    location / { return 200 "ok"; }
  }
}
CONF
    "$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
    pids+=($!)
    for ((i = 0; i < 50; i++)); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      sleep 0.1
    done
    vector tls 3 50 /
    { plan_head https "https://127.0.0.1:$port"
      cat <<YAML
tools: [{id: api, tool: native, vectors: [tls], config: {ca_file: $work/cert.pem, connections: 4}}]
load: {model: open, max_rate: 100}
profile: {vector_sequence: [tls]}
criteria: ["error_rate == 0", "achieved_rate > 40"]
YAML
    } >"$work/plan.yaml"
    timeout 60 "$loadpilot" run "$work/plan.yaml" >"$work/out" 2>&1 || fail "run over HTTPS exited $?"
    check_summary "$(summary_file)" "s['overall']['requests'] >= 120 and s['overall']['errors'] == 0"
    # Without the CA the certificate is refused: connection errors, exit 3.
    rm -rf "$work/runs"
    sed -i "s|ca_file: $work/cert.pem, ||" "$work/plan.yaml"
    timeout 60 "$loadpilot" run "$work/plan.yaml" >"$work/out" 2>&1
    rc=$?
    [[ $rc == 3 ]] || fail "an untrusted certificate must end the run with 3, got $rc"
    grep -q "stopped answering" "$work/out" || fail "no 'stopped answering' message"
    check_summary "$(summary_file)" "s['overall']['requests'] > 0 and s['overall']['outcomes']['ok'] == 0"
    ;;

  demo_killed)
    vector long 30 50 /api/items/1
    { plan_head demo-killed "http://127.0.0.1" "{port: 0, workers: 4, service_time_ms: 1}"
      echo "tools: [{id: api, tool: native, vectors: [long]}]"
      echo "load: {model: open, max_rate: 100}"
      echo "profile: {vector_sequence: [long]}"
    } >"$work/plan.yaml"
    start_run "$work/plan.yaml"
    wait_ticks 4 20
    demo=$(demo_child "$lp_pid")
    [[ -n "$demo" ]] || fail "no demo target child"
    kill -9 "$demo"
    wait_exit "$lp_pid" 20
    rc=$?
    [[ $rc == 3 ]] || fail "a killed demo target must end the run with 3, got $rc"
    grep -q "demo target exited" "$work/out" || fail "no message naming the demo target"
    check_summary "$(summary_file)" "s['exit_code'] == 3 and s['overall']['requests'] >= 80 and s['overall']['outcomes']['ok'] >= 80"
    ticks=$(sql "$(db_file)" "select count(distinct tick) from ticks")
    ((ticks >= 4)) || fail "ticks measured before the kill are gone ($ticks)"
    ;;

  target_silent)
    # A target loadpilot did not start stops answering mid-run.
    "$demo_bin" --listen 127.0.0.1:0 --workers 4 --service-time-ms 1 --max-runtime 2m >"$work/target.out" &
    target_pid=$!
    pids+=("$target_pid")
    for ((i = 0; i < 50; i++)); do grep -q "listening on" "$work/target.out" && break; sleep 0.1; done
    url=$(grep -o "http://127.0.0.1:[0-9]*" "$work/target.out" | head -1)
    [[ -n "$url" ]] || fail "the demo target did not start"
    vector long 30 50 /api/items/1
    { plan_head target-silent "$url"
      echo "tools: [{id: api, tool: native, vectors: [long], config: {timeout_ms: 500, connect_timeout_ms: 500}}]"
      echo "load: {model: open, max_rate: 100}"
      echo "profile: {vector_sequence: [long]}"
    } >"$work/plan.yaml"
    start_run "$work/plan.yaml"
    wait_ticks 4 20
    kill -9 "$target_pid"
    wait_exit "$lp_pid" 20
    rc=$?
    [[ $rc == 3 ]] || fail "a silent target must end the run with 3, got $rc"
    grep -q "stopped answering" "$work/out" || fail "no 'stopped answering' message"
    check_summary "$(summary_file)" "s['exit_code'] == 3 and s['overall']['outcomes']['ok'] >= 80"
    ;;

  interrupt)
    vector long 30 50 /api/items/1
    { plan_head interrupt "http://127.0.0.1" "{port: 0, workers: 4, service_time_ms: 1}"
      echo "tools: [{id: api, tool: native, vectors: [long]}]"
      echo "load: {model: open, max_rate: 100}"
      echo "profile: {vector_sequence: [long]}"
    } >"$work/plan.yaml"
    start_run "$work/plan.yaml"
    wait_ticks 4 20
    demo=$(demo_child "$lp_pid")
    [[ -n "$demo" ]] || fail "no demo target child"
    kill -INT "$lp_pid"
    wait_exit "$lp_pid" 15
    rc=$?
    [[ $rc == 130 ]] || fail "Ctrl-C must exit 130, got $rc"
    for ((i = 0; i < 30; i++)); do kill -0 "$demo" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$demo" 2>/dev/null && fail "the demo target outlived the run"
    check_summary "$(summary_file)" "s['exit_code'] == 130 and s['overall']['outcomes']['ok'] >= 80"
    ;;

  alert_stop | alert_backoff | alert_band)
    # The demo target's service time jumps from 1 ms to 40 ms mid-run: an
    # EWMA on p50 flags it (the median, so a scheduling hiccup of a loaded CI
    # machine in the baseline is no false alarm); the alert reaches the console, the store and a
    # webhook receiver that answers 503 once (so the sender must retry).
    cat >"$work/receiver.py" <<'PY'
import http.server, sys
out, seen = sys.argv[1], []
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        seen.append(body)
        code = 503 if len(seen) == 1 else 200
        if code == 200:
            with open(out, "ab") as f: f.write(body + b"\n")
        self.send_response(code); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
    python3 "$work/receiver.py" "$work/hooks.jsonl" >"$work/receiver.port" &
    pids+=($!)
    for ((i = 0; i < 50; i++)); do [[ -s "$work/receiver.port" ]] && break; sleep 0.1; done
    hook_port=$(head -1 "$work/receiver.port")
    [[ -n "$hook_port" ]] || fail "the webhook receiver did not start"
    action=${scenario#alert_}
    # min_stddev: a loaded CI machine moves the median by a few ms; 40 ms is the anomaly.
    detector="{detector: ewma, config: {alpha: 0.2, warmup: 6, threshold: 6, min_stddev: 2}}"
    wait_for=10 length=20
    if [[ $action == band ]]; then
      # The residual test: ets predicts p50 one tick ahead; the band detector
      # flags an observation outside the 99 % interval. The forecaster is
      # fitted after 20 ticks, so the slow-down comes after that.
      action=stop
      detector="{detector: band, forecaster: ets, interval: 0.99, config: {consecutive: 2, min_half_width: 5}}"
      # Long enough that a loaded machine still slows the target mid-run;
      # the alert stops the run well before the end.
      wait_for=26 length=60
    fi
    vector steady "$length" 50 /api/items/1
    { plan_head "alert-$action" "http://127.0.0.1" "{port: 0, workers: 8, service_time_ms: 1, queue: 1000}"
      cat <<YAML
tools: [{id: api, tool: native, vectors: [steady]}]
load: {model: open, max_rate: 100}
profile: {vector_sequence: [steady]}
detect:
  - id: latency
    <<: $detector
    metrics: [p50_ms]
    on_alert: [log, $action]
    webhook: "http://127.0.0.1:$hook_port/hook"
YAML
    } >"$work/plan.yaml"
    start_run "$work/plan.yaml"
    wait_ticks $wait_for 30
    url=$(grep -o "listening on http://127.0.0.1:[0-9]*" "$work/out" | head -1 | sed 's/listening on //')
    [[ -n "$url" ]] || fail "no demo target URL in the output"
    python3 - "$url" <<'PY' || fail "could not slow the demo target down"
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/admin/config", data=b'{"service_time_ms": 40}',
                             headers={"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(req, timeout=5).read()
PY
    wait_exit "$lp_pid" 40
    rc=$?
    grep -q "anomaly: latency ($(sed -n 's/.*detector: \([a-z]*\).*/\1/p' <<<"$detector")) flags p50_ms=" "$work/out" ||
      fail "no alert on the console"
    db=$(db_file)
    n=$(sql "$db" "select count(*) from events where kind = 'alert' and source = 'detect/latency'")
    ((n >= 1)) || fail "no alert in the store"
    # The receiver saw the alert once (after one 503), with its context.
    for ((i = 0; i < 50; i++)); do [[ -s "$work/hooks.jsonl" ]] && break; sleep 0.1; done
    python3 - "$work/hooks.jsonl" <<'PY' || fail "webhook body"
import json, sys
bodies = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
alerts = [b for b in bodies if b["kind"] == "alert"]
assert len(alerts) == 1, bodies
a = alerts[0]
assert a["detector"] == "latency" and a["detector_type"] in ("ewma", "band"), a
assert a["metrics"][0]["name"] == "p50_ms" and a["metrics"][0]["value"] > 20, a
assert a["vector"] == "steady" and a["run_id"] and 0 <= a["score"] <= 1, a
assert a["expected_range"][1] < a["metrics"][0]["value"], a
PY
    if [[ $action == stop ]]; then
      [[ $rc == 1 ]] || fail "an alert with 'stop' must end the run with 1, got $rc"
      check_summary "$(summary_file)" "s['exit_code'] == 1 and 'stopped by an alert' in s['error'] and s['alerts'][0]['detector'] == 'latency'"
    else
      [[ $rc == 0 ]] || fail "a backoff run must finish normally, got $rc"
      grep -q "backing off to 50% of the planned load" "$work/out" || fail "no backoff on the console"
      low=$(sql "$db" "select min(offered_rate) from ticks where tick > 12")
      python3 -c "import sys; sys.exit(0 if 20 <= $low <= 30 else 1)" || fail "offered rate did not halve (min $low)"
      check_summary "$(summary_file)" "s['alerts'][0]['kind'] == 'alert'"
    fi
    ;;

  *) fail "unknown scenario" ;;
esac
echo "run scenario $scenario: ok"
