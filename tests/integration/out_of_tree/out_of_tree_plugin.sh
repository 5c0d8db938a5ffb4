#!/usr/bin/env bash
# Installs the SDK alone into a temporary prefix, builds samples/plugin-example
# against it (never against the host's tree), and checks that the host loads
# the result and that its config validation runs through the ABI.
set -euo pipefail
build_dir=$1 source_dir=$2 loadpilot=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --component sdk --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/loadpilot/abi.h"
test ! -e "$work/prefix/bin/loadpilot"  # the sdk component carries no host

cmake -S "$source_dir/samples/plugin-example" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
plugin=$(find "$work/build" -name 'example_hysteresis.so' | head -1)
test -n "$plugin" || { echo "FAIL: example_hysteresis.so was not built"; exit 1; }

out=$("$loadpilot" --plugin-dir "$work/build" plugins --json)
python3 - "$out" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
comps = [c for c in doc["components"] if c["type"] == "example-hysteresis"]
assert len(comps) == 1, f"example-hysteresis not listed: {doc['components']}"
c = comps[0]
assert c["kind"] == "detector", c
assert c["plugin"] == "example-hysteresis" and c["plugin_version"] == "1.0.0", c
assert c["abi"] == doc["host_abi"], c
assert c["config_schema"]["required"] == ["high", "low"], c
print("out-of-tree plugin loaded:", c["library"])
PY
