#!/usr/bin/env bash
# Apache JMeter 5.6.3 (core, http, components, functions, config, java,
# jorphan and their dependencies) into the local Maven repository, from
# Maven Central through Maven, so the build (adapters/jmeter) then runs
# Maven offline. No JMeter zip is downloaded. Idempotent: an offline build
# that succeeds means everything is there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pom="$root/adapters/jmeter/java/pom.xml"
if ! command -v mvn >/dev/null; then
  echo "setup: mvn missing (the main setup installs maven); skipping JMeter" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(-q -B -f "$pom" package "-Dloadpilot.build=$tmp/build" "-Dloadpilot.home=$tmp/home")
if mvn -o "${args[@]}" >/dev/null 2>&1; then
  echo "setup: JMeter 5.6.3 artifacts up to date"
  exit 0
fi
echo "setup: fetching JMeter 5.6.3 and its dependencies from Maven Central (Maven)"
mvn "${args[@]}"
echo "setup: JMeter 5.6.3 artifacts in the local Maven repository"
