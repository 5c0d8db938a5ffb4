#!/usr/bin/env bash
# A real Prometheus on 127.0.0.1 holding 21 days of an hourly load series
# (daily cycle x weekday factor, seeded noise) backfilled with promtool, and
# `loadpilot forecast --prometheus` on it:
#   forecast  sum(...) over 14 d: the 24 h ets forecast follows the true
#             pattern (MAPE < 10 %), the series has the server's samples
#   errors    a query with two series, bad PromQL, a server that is not
#             there: non-zero exits whose messages say what and where
#   forecast_prometheus.sh SCENARIO LOADPILOT
set -uo pipefail
scenario=$1 loadpilot=$2
work=$(mktemp -d)
prom_pid=""
cleanup() {
  [[ -n "$prom_pid" ]] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
  [[ -n "${KEEP:-}" ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL [$scenario]: $*"
  [[ -f "$work/out" ]] && { echo "--- output"; tail -20 "$work/out"; }
  exit 1
}
command -v prometheus >/dev/null && command -v promtool >/dev/null ||
  fail "prometheus/promtool missing: run scripts/setup (Debian package prometheus)"

# 21 days to the last whole hour, two label sets (shop, search).
now=$(date +%s)
end=$((now / 3600 * 3600))
python3 - "$work/series.om" "$end" <<'PY'
import math, random, sys
out, end = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
with open(out, "w") as f:
    f.write("# HELP lp_demo_rps requests per second\n# TYPE lp_demo_rps gauge\n")
    for service, scale in (("shop", 1.0), ("search", 0.5)):
        for h in range(21 * 24, 0, -1):
            t = end - h * 3600
            hour, day = (t // 3600) % 24, (t // 86400) % 7
            base = 100 + 60 * math.sin(2 * math.pi * (hour - 6) / 24)
            week = 0.7 if day in (2, 3) else 1.0  # 1970-01-01 was a Thursday: days 2, 3 = Sat, Sun
            f.write(f'lp_demo_rps{{service="{service}"}} {scale * base * week * (1 + rng.gauss(0, 0.02)):.3f} {t}\n')
    f.write("# EOF\n")
PY
mkdir -p "$work/data"
promtool tsdb create-blocks-from openmetrics --max-block-duration=504h "$work/series.om" "$work/data" >"$work/promtool.out" 2>&1 ||
  fail "promtool could not backfill: $(tail -3 "$work/promtool.out")"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'global:\n  scrape_interval: 1h\n' >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" \
  >"$work/prometheus.log" 2>&1 &
prom_pid=$!
url="http://127.0.0.1:$port"
for ((i = 0; i < 150; i++)); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + '/-/ready', timeout=1)" "$url" 2>/dev/null && break
  kill -0 "$prom_pid" 2>/dev/null || fail "prometheus exited: $(tail -5 "$work/prometheus.log")"
  sleep 0.2
done

case "$scenario" in
  forecast)
    "$loadpilot" forecast --model ets --prometheus "$url" --query 'sum(lp_demo_rps)' \
      --range 14d --step 1h --until "$end" --horizon 24h --quantiles 0.1,0.9 \
      --out "$work/forecast.csv" --plot "$work/forecast.svg" >"$work/out" 2>&1 ||
      fail "loadpilot forecast exited $?"
    grep -q "fitting ets on 336 values" "$work/out" || fail "not 14 d of hourly values"
    python3 - "$work/forecast.csv" <<'PY' || fail "forecast far from the pattern"
import csv, math, sys
from datetime import datetime, timezone
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 24, len(rows)
errs = []
for r in rows:
    t = int(datetime.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
    hour, day = (t // 3600) % 24, (t // 86400) % 7
    truth = 1.5 * (100 + 60 * math.sin(2 * math.pi * (hour - 6) / 24)) * (0.7 if day in (2, 3) else 1.0)
    errs.append(abs(float(r["mean"]) - truth) / truth)
    assert float(r["q0.1"]) <= float(r["mean"]) <= float(r["q0.9"]), r
mape = 100 * sum(errs) / len(errs)
print(f"MAPE {mape:.2f} % over the next 24 h")
sys.exit(0 if mape < 10 else 1)
PY
    [[ -s "$work/forecast.svg" ]] || fail "no plot"
    ;;
  errors)
    "$loadpilot" forecast --prometheus "$url" --query 'lp_demo_rps' --range 2d --until "$end" \
      >"$work/out" 2>&1 && fail "two series accepted"
    grep -q 'yields 2 series ({__name__="lp_demo_rps", service=' "$work/out" ||
      fail "no clear message for two series"
    grep -q 'aggregate them, e.g. sum(lp_demo_rps)' "$work/out" || fail "no hint to aggregate"
    "$loadpilot" forecast --prometheus "$url" --query 'sum(rate(lp_demo_rps[5m]' --range 2d \
      >"$work/out" 2>&1 && fail "bad PromQL accepted"
    grep -q "prometheus at $url: bad_data: .*parse error" "$work/out" ||
      fail "Prometheus' parse error not quoted"
    "$loadpilot" forecast --prometheus "http://127.0.0.1:1" --query 'up' --range 2d \
      >"$work/out" 2>&1 && fail "an absent server accepted"
    grep -qi "prometheus at http://127.0.0.1:1: .*connect" "$work/out" ||
      fail "no clear message for a server that is not there"
    "$loadpilot" forecast --prometheus "$url" --query 'sum(lp_demo_rps)' --range 2d \
      --until "$((end - 60 * 86400))" >"$work/out" 2>&1 && fail "an empty range accepted"
    grep -q "yields no samples in the range" "$work/out" || fail "no clear message for no samples"
    ;;
  *) fail "unknown scenario" ;;
esac
echo "PASS [$scenario]"
