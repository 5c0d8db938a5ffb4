#!/usr/bin/env bash
# Builds the glue jar and fills a JMeter home: offline first (the local
# Maven repository that scripts/setup filled), then from Maven Central.
#   build-glue.sh MVN POM BUILD_DIR JMETER_HOME
set -euo pipefail
mvn=$1 pom=$2
build=$(realpath -m "$3") home=$(realpath -m "$4")
mkdir -p "$build"
args=(-q -B -f "$pom" package "-Dloadpilot.build=$build" "-Dloadpilot.home=$home")
if ! "$mvn" -o "${args[@]}" >"$build/offline.log" 2>&1; then
  echo "build-glue: local Maven repository incomplete, fetching from Maven Central"
  "$mvn" "${args[@]}"
fi
touch "$home/lib/ext/loadpilot-jmeter-glue.jar"
