#!/usr/bin/env bash
# Prepares a benchmark run: the service jar, the load tools' classpath and a Python venv with
# matplotlib (cached in ~/.cache/tasksync). Everything comes from Maven Central and PyPI.
set -euo pipefail
cd "$(dirname "$0")/../../.."
MVN=${MVN:-mvn -B}
$MVN -q -DskipTests package
$MVN -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
VENV=${TASKSYNC_BENCH_VENV:-$HOME/.cache/tasksync/bench-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'matplotlib==3.9.4'
fi
