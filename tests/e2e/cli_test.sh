#!/usr/bin/env bash
# The CLI as a user and CI see it: exit codes, error lines, plugin listing,
# and a short real run against the demo target.
set -uo pipefail
loadpilot=$1 src=$2 fixtures=$3
fail() { echo "FAIL: $*"; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$src"

"$loadpilot" --help >/dev/null || fail "--help"
"$loadpilot" --version | grep -q "plugin ABI 1.0.0" || fail "--version"
"$loadpilot" no-such-command >/dev/null 2>&1; [[ $? == 2 ]] || fail "usage error must exit 2"

# Five mistakes: five FILE:LINE:COL: lines, exit 2.
cat >"$work/five.yaml" <<YAML
name: five-mistakes
durration: 1m
tick: 1s
target: {base_url: "ftp://127.0.0.1:1"}
vectors: {dir: $src/vectors}
tools: [{id: api, tool: natve, vectors: [warmupp]}]
load: {model: open, rate: fast, max_rate: 100}
YAML
"$loadpilot" validate "$work/five.yaml" 2>"$work/err"; rc=$?
[[ $rc == 2 ]] || fail "validate of a bad plan exited $rc"
n=$(grep -cE "^$work/five.yaml:[0-9]+:[0-9]+: " "$work/err")
[[ $n == 5 ]] || { cat "$work/err"; fail "expected 5 located errors, got $n"; }
grep -q 'did you mean "native"' "$work/err" || { cat "$work/err"; fail "no did-you-mean for the tool"; }
"$loadpilot" validate samples/quickstart.yaml >/dev/null || fail "quickstart does not validate"

# plugins --json: the landed kinds with schemas.
"$loadpilot" plugins --json >"$work/plugins.json" || fail "plugins --json exited $?"
python3 - "$work/plugins.json" <<'PY' || fail "plugins --json content"
import json, sys
doc = json.load(open(sys.argv[1]))
kinds = {(c["kind"], c["type"]): c for c in doc["components"]}
for key in [("tool", "native"), ("sink", "csv")]:
    assert key in kinds, f"{key} missing"
    assert kinds[key]["config_schema"]["type"] == "object"
    assert kinds[key]["abi"] == doc["host_abi"] == "1.0.0"
PY

# A plugin of another ABI major is refused, naming the file and both versions.
mkdir "$work/plugins" && cp "$fixtures/abi_major.so" "$work/plugins/"
"$loadpilot" --plugin-dir "$work/plugins" plugins >/dev/null 2>"$work/err"; rc=$?
[[ $rc == 3 ]] || fail "a refused plugin must make 'plugins' exit 3, got $rc"
grep -q "$work/plugins/abi_major.so: ABI major version differs: the plugin was built against ABI 2.0.0, this host has ABI 1.0.0" "$work/err" ||
  { cat "$work/err"; fail "refusal message"; }

# A short real run: demo target on a free-ish port, one vector, criteria met.
port=$((20000 + RANDOM % 20000))
cat >"$work/plan.yaml" <<YAML
name: cli-e2e
target: {base_url: "http://127.0.0.1:$port", demo: {start: true, port: $port, workers: 4, service_time_ms: 2, queue: 64}}
vectors: {dir: $src/vectors}
tools: [{id: api, tool: native, vectors: [warmup]}]
load: {model: open, rate: 50, max_rate: 100}
profile: {vector_sequence: [warmup], transition_delay_sec: 0}
store: {dir: $work/runs}
criteria: ["error_rate < 0.01", "achieved_rate > 10"]
YAML
"$loadpilot" run "$work/plan.yaml" >"$work/out" 2>&1; rc=$?
[[ $rc == 0 ]] || { cat "$work/out"; fail "run exited $rc"; }
summary=$(ls "$work"/runs/*/summary.json)
python3 - "$summary" <<'PY' || fail "summary.json content"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["passed"] and s["exit_code"] == 0, s
assert s["overall"]["requests"] > 50, s["overall"]
assert s["vectors"][0]["id"] == "warmup" and s["vectors"][0]["outcome"] == "completed", s["vectors"]
PY
pgrep -f "loadpilot-demo-target --listen 127.0.0.1:$port" && fail "demo target left running"
# forecast: the shipped NASA trace (outage masked), CSV and SVG out; bad input exits 2.
nasa="$src/../shared/data/nasa_http/nasa_http_1h.csv"
[[ -f "$nasa" ]] || fail "the shared data set $nasa is missing"
"$loadpilot" forecast --model ets --history "$nasa" --horizon 24h --quantiles 0.1,0.5,0.9 \
  --mask 1995-08-01T14:00:00/1995-08-03T05:00:00 --out "$work/f.csv" --plot "$work/f.svg" \
  2>"$work/err" || { cat "$work/err"; fail "forecast exited $?"; }
[[ $(wc -l <"$work/f.csv") == 25 ]] || fail "forecast CSV should have 24 rows and a header"
head -1 "$work/f.csv" | grep -q "^timestamp,mean,q0.1,q0.5,q0.9$" || fail "forecast CSV header"
grep -q "<polyline" "$work/f.svg" || fail "no plot"
printf 'timestamp,value\n0,1\n60,oops\n' >"$work/bad.csv"
"$loadpilot" forecast --history "$work/bad.csv" 2>"$work/err"; rc=$?
[[ $rc == 2 ]] || fail "a bad history must exit 2, got $rc"
grep -q "bad.csv:3: value \"oops\" is not a number" "$work/err" || { cat "$work/err"; fail "bad history message"; }
"$loadpilot" forecast --model nosuch --history "$nasa" 2>"$work/err"; [[ $? == 2 ]] || fail "unknown model must exit 2"
grep -q "no such forecaster" "$work/err" || fail "unknown model message"

echo "cli e2e: ok"
