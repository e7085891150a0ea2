#!/usr/bin/env bash
# Runs a real single-node KRaft Kafka broker (jars from Maven Central, test classpath) in the
# foreground until killed: prints "KAFKA_READY <bootstrap>" on stdout once clients can connect.
#   src/test/scripts/kafka.sh [port] [topics]    defaults: 9092, task-updates,task-updates-dlq,tasksync-presence,tasksync-signals
# Port 0 picks a free port. Broker logs (WARN and up) go to stderr; data is temporary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
port="${1:-${KAFKA_PORT:-9092}}"
topics="${2:-task-updates,task-updates-dlq,tasksync-presence,tasksync-signals}"
classpath_file="target/e2e/test-classpath.txt"
main_class="target/test-classes/dev/tasksync/e2e/support/KafkaBrokerMain.class"
mkdir -p target/e2e

# Resolving the classpath costs a Maven start-up: do it once per pom.xml change.
if [[ ! -s "$classpath_file" || pom.xml -nt "$classpath_file" ]]; then
  echo "kafka.sh: resolving the test classpath" >&2
  mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file" >&2
fi
if [[ ! -f "$main_class" ]] || [[ -n "$(find src/test/java/dev/tasksync/e2e/support -newer "$main_class" -name '*.java' -print -quit)" ]]; then
  echo "kafka.sh: compiling test classes" >&2
  mvn -q -B test-compile >&2
fi

exec java -Xmx512m -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  dev.tasksync.e2e.support.KafkaBrokerMain "$port" "$topics"
