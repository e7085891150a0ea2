#!/usr/bin/env bash
# `make test` step: the README's registry workflow against a real OCI registry, on this machine
# (`crane registry serve`, go-containerregistry's registry, built from the Go module proxy by
# build-crane.sh), since CI reaches no public registry:
#   1. push the tested target/jib-image.tar as it is (`crane push`): the registry serves the
#      same image ID that the image tests ran;
#   2. `make image BASE_IMAGE=<registry>/...`: Jib pulls the base from a registry instead of
#      target/base-image.tar, and builds the same image ID again.
# The registry is plain HTTP on 127.0.0.1, hence --insecure / -Djib.allowInsecureRegistries=true
# (a real registry has TLS and needs neither).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
out=target/smoke-registry
mkdir -p "$out"
image_id() { echo "sha256:$(tar -xOf "$1" config.json | sha256sum | cut -d' ' -f1)"; }
log() { echo "smoke-registry: $*" >&2; }

[[ -f target/jib-image.tar && -e target/base-image.tar ]] || { log "run mvn verify (or make image) first"; exit 1; }
crane="$(src/test/image/build-crane.sh 2>"$out/build-crane.log")" || { cat "$out/build-crane.log" >&2; exit 1; }

# A fresh log: the port is read from it, never from a previous run's.
rm -f "$out/registry.log" "$out/crane.log"
"$crane" registry serve --address 127.0.0.1:0 > "$out/registry.log" 2>&1 &
registry_pid=$!
trap 'kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true' EXIT
port=""
for ((i = 0; i < 100; i++)); do
  port="$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$out/registry.log" 2>/dev/null)"
  [[ -n "$port" ]] && break
  kill -0 "$registry_pid" 2>/dev/null || { cat "$out/registry.log" >&2; log "the registry exited"; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { log "the registry did not start"; exit 1; }
registry="127.0.0.1:$port"

tested="$(image_id target/jib-image.tar)"
version="$(sed -n 's/.*"RepoTags":\["tasksync:\([^"]*\)"\].*/\1/p' <(tar -xOf target/jib-image.tar manifest.json))"

crane_do() { # quiet unless it fails
  "$crane" "$@" 2>>"$out/crane.log" || { tail -5 "$out/crane.log" >&2; log "crane $* failed"; exit 1; }
}

# 1. Push the tested tarball.
crane_do push --insecure target/jib-image.tar "$registry/tasksync:$version" >/dev/null
crane_do config --insecure "$registry/tasksync:$version" > "$out/pushed-config.json"
pushed="sha256:$(sha256sum < "$out/pushed-config.json" | cut -d' ' -f1)"
[[ "$pushed" == "$tested" ]] || { log "the registry serves $pushed, the tested image is $tested"; exit 1; }
log "pushed the tested image $tested to $registry/tasksync:$version"

# 2. The base from a registry.
crane_do push --insecure target/base-image.tar "$registry/tasksync-base:local" >/dev/null
make image BASE_IMAGE="$registry/tasksync-base:local" MVN="${MVN:-mvn -B} -Djib.allowInsecureRegistries=true" > "$out/make-image.log" 2>&1 \
  || { tail -40 "$out/make-image.log" >&2; log "make image BASE_IMAGE=... failed"; exit 1; }
built="$(image_id target/jib-image.tar)"
[[ "$built" == "$tested" ]] || { log "make image BASE_IMAGE=<registry> built $built, not the tested $tested"; exit 1; }
log "make image BASE_IMAGE=$registry/tasksync-base:local built the same image $built"
