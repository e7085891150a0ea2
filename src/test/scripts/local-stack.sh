#!/usr/bin/env bash
# The whole local stack without external infrastructure, for `make run`:
#   Kafka (KRaft, from Maven Central jars) -> daprd (built from the Go module proxy) -> tasksync
# All on loopback; Ctrl-C stops everything. Logs: target/local/*.log
#   TASKSYNC_PORT (8005)  DAPR_HTTP_PORT (3500)  DAPR_GRPC_PORT (50001)  KAFKA_PORT (9092)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
app_port="${TASKSYNC_PORT:-8005}"
dapr_http="${DAPR_HTTP_PORT:-3500}"
dapr_grpc="${DAPR_GRPC_PORT:-50001}"
kafka_port="${KAFKA_PORT:-9092}"
secret="${BETTER_AUTH_SECRET:?set BETTER_AUTH_SECRET (make run supplies the dev secret)}"
jar="$(ls target/tasksync-*.jar 2>/dev/null | grep -v original | head -n1 || true)"
[[ -n "$jar" ]] || { echo "no jar in target/: run 'make build' first" >&2; exit 1; }
logs="target/local"
mkdir -p "$logs"

pids=()
cleanup() {
  trap - EXIT INT TERM
  echo; echo "stopping local stack"
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  # Give each process 15 s to stop cleanly, then make sure nothing is left behind.
  for ((i = 0; i < 150; i++)); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_for() { # url, seconds, what, pid
  for ((i = 0; i < $2 * 5; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { echo "$3 exited; see $logs/" >&2; exit 1; }
    sleep 0.2
  done
  echo "$3 did not come up; see $logs/" >&2
  exit 1
}

daprd="$(src/test/dapr/build-daprd.sh)"

echo "starting Kafka on 127.0.0.1:$kafka_port"
src/test/scripts/kafka.sh "$kafka_port" > "$logs/kafka.out" 2> "$logs/kafka.log" &
pids+=($!)
# The first start may resolve the test classpath with Maven: allow a few minutes.
for ((i = 0; i < 1500; i++)); do
  grep -q KAFKA_READY "$logs/kafka.out" 2>/dev/null && break
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.2
done
grep -q KAFKA_READY "$logs/kafka.out" || { echo "Kafka did not start; see $logs/kafka.log" >&2; exit 1; }

echo "starting tasksync on :$app_port"
BETTER_AUTH_SECRET="$secret" java -jar "$jar" --server.port="$app_port" \
  --tasksync.dev.enabled=true --tasksync.dev.dapr-http-endpoint="http://127.0.0.1:$dapr_http" \
  --tasksync.sidecar.grpc-port="$dapr_grpc" \
  > "$logs/tasksync.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$app_port/actuator/health/readiness" 120 "tasksync" "${pids[-1]}"

echo "starting daprd (app-id tasksync) on :$dapr_http"
KAFKA_BROKERS="127.0.0.1:$kafka_port" POD_NAME=local-0 "$daprd" \
  --app-id tasksync --app-port "$app_port" --app-protocol http \
  --dapr-http-port "$dapr_http" --dapr-grpc-port "$dapr_grpc" --metrics-port 9091 \
  --resources-path components --config src/test/dapr/config.yaml \
  --enable-app-health-check --app-health-check-path /readyz \
  --app-health-probe-interval 2 --app-health-probe-timeout 1500 --app-health-threshold 2 \
  --log-level info > "$logs/daprd.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$dapr_http/v1.0/healthz" 60 "daprd" "${pids[-1]}"

cat <<MSG

tasksync is running: Kafka 127.0.0.1:$kafka_port -> daprd :$dapr_http -> tasksync :$app_port
  demo page      http://localhost:$app_port/?user=alice
  dev token      curl -s 'http://localhost:$app_port/dev/token?user_id=alice'
  connect        websocat "ws://localhost:$app_port/ws?token=\$TOKEN"   (or wscat -c ...)
  publish        make publish USER_ID=alice      (through daprd's publish API -> Kafka -> tasksync)
  logs           $logs/
Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
echo "a process of the local stack exited; see $logs/" >&2
