#!/usr/bin/env bash
# JMeter's own distributed mode under loadpilot: two JMeter server engines
# (org.apache.jmeter.NewDriver -s, same JMeter home) each in a network
# namespace this test makes, joined by a bridge to this host; the demo target
# listens on the bridge address. `loadpilot run` sends the plan to both
# engines, paces them at the host's rate (split between them) and receives
# their samples over RMI. Checks: exit 0; both engines sent samples (their
# thread names in the JTL carry the engine's address); the store holds every
# sample of the JTL; the achieved rate is the offered one.
#   jmeter_distributed.sh LOADPILOT SOURCE_DIR JMETER_HOME DEMO_TARGET
set -uo pipefail
loadpilot=$1 src=$2 home=$3 demo=$4
fail() {
  echo "FAIL [distributed]: $*"
  [[ -f "$work/out" ]] && { echo "--- loadpilot output"; tail -30 "$work/out"; }
  for f in "$work"/engine-*.out; do [[ -f "$f" ]] && { echo "--- $f"; tail -10 "$f"; }; done
  exit 1
}
work=$(mktemp -d)
[[ -f "$home/lib/ext/loadpilot-jmeter-glue.jar" ]] ||
  fail "no JMeter in $home: run scripts/setup, then build the jmeter_glue target"
((EUID == 0)) || fail "needs root to make network namespaces (ip netns)"
command -v ip >/dev/null || fail "needs iproute2 (ip)"

# Names unique to this run, so parallel runs do not collide.
id=$(($$ % 200 + 20))
net=10.231.$id
bridge=lpjmbr$id
ns=(lpjm-$id-a lpjm-$id-b)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for n in "${ns[@]}"; do ip netns del "$n" 2>/dev/null; done
  ip link del "$bridge" 2>/dev/null
  [[ -n "${KEEP:-}" ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

ip link add "$bridge" type bridge || fail "cannot make bridge $bridge"
ip addr add "$net.1/24" dev "$bridge"
ip link set "$bridge" up
for i in 0 1; do
  n=${ns[$i]}
  ip netns add "$n" || fail "cannot make namespace $n"
  ip link add "lpjm$id$i" type veth peer name "lpjm$id${i}p" || fail "cannot make veth"
  ip link set "lpjm$id${i}p" netns "$n"
  ip link set "lpjm$id$i" master "$bridge" up
  ip -n "$n" addr add "$net.$((i + 2))/24" dev "lpjm$id${i}p"
  ip -n "$n" link set "lpjm$id${i}p" up
  ip -n "$n" link set lo up
done

# The demo target on the bridge, reachable from both namespaces.
"$demo" --listen "$net.1:0" --workers 16 --service-time-ms 2 --queue 256 --max-runtime 5m \
  >"$work/demo.out" 2>&1 &
pids+=($!)
for ((i = 0; i < 100; i++)); do
  grep -q "listening on" "$work/demo.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/demo.out" | head -1)
[[ -n "$url" ]] || fail "the demo target did not start"

# One JMeter server engine per namespace, RMI without SSL on the namespace's address.
for i in 0 1; do
  addr=$net.$((i + 2))
  ip netns exec "${ns[$i]}" java -Xrs -Xmx512m -Djmeter.home="$home" \
    -Djava.rmi.server.hostname="$addr" -cp "$home/bin/ApacheJMeter.jar" \
    org.apache.jmeter.NewDriver -s -j "$work/engine-$i.log" -Jserver.rmi.ssl.disable=true \
    -Jserver_port=1099 -Jserver.rmi.localport=1100 \
    >"$work/engine-$i.out" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  for ((k = 0; k < 300; k++)); do
    grep -q "Created remote object" "$work/engine-$i.out" && break
    sleep 0.1
  done
  grep -q "Created remote object" "$work/engine-$i.out" || fail "JMeter server engine $i did not start"
done

cat >"$work/plan.yaml" <<EOP
name: jmeter-distributed
tick: 500ms
duration: 8s
target: {base_url: $url}
tools:
  - id: plan
    tool: jmeter
    suite: $src/samples/suites/items.jmx
    config:
      remote_hosts: ["$net.2:1099", "$net.3:1099"]
      rmi_hostname: $net.1
      properties: {threads: 4}
      jtl: $work/run.jtl
      log_dir: $work/logs
load: {model: open, rate: 60, max_rate: 400}
store: {dir: $work/runs}
EOP
(cd "$work" && exec timeout 90 "$loadpilot" run plan.yaml) >"$work/out" 2>&1
code=$?
((code == 0)) || fail "exit $code, want 0"
db=$(ls "$work"/runs/*/run.db | head -1)
python3 - "$db" "$work/run.jtl" "$net" <<'PY' || fail "distributed run checks failed"
import collections, csv, sqlite3, sys
db, jtl, net = sys.argv[1:]
rows = list(csv.DictReader(open(jtl, newline="")))
by_engine = collections.Counter(r["threadName"].split("-")[0] for r in rows)
con = sqlite3.connect(db)
stored = con.execute("select sum(t.count) from ticks t join request_types r on r.id = t.request_type_id "
                     "where r.name = '(all)'").fetchone()[0]
failed = sum(r["success"] != "true" for r in rows)
first = min(int(r["timeStamp"]) for r in rows)
last = max(int(r["timeStamp"]) for r in rows)
# The rate over the middle of the run (after 2 s of start-up).
mid = [r for r in rows if first + 2000 <= int(r["timeStamp"]) < last - 500]
rate = len(mid) * 1000.0 / max(1, last - 500 - first - 2000)
print(f"JTL {len(rows)} samples ({failed} failed), by engine {dict(by_engine)}; store {stored}; "
      f"rate {rate:.1f}/s for 60/s offered")
ok = stored == len(rows) and failed == 0
ok &= by_engine.get(f"{net}.2:1099", 0) > 50 and by_engine.get(f"{net}.3:1099", 0) > 50
ok &= 54 <= rate <= 66
sys.exit(0 if ok else 1)
PY
echo "PASS [distributed]"
