#!/usr/bin/env bash
# Builds the real kustomize CLI (sigs.k8s.io/kustomize/kustomize/v5) from the Go module proxy
# into a per-version cache shared by all checkouts on the machine:
#   ${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/kustomize/<version>/kustomize
# The deploy drift tests (dev.tasksync.deploy.KustomizeRenderTest) compare their own Java
# renderer with it. Prints only the binary's path on stdout; progress goes to stderr.
# Exit 3: no Go toolchain (the caller skips the comparison). First build: about a minute.
set -euo pipefail

# v5.8.1 needs Go >= 1.24 (v5.8.2 needs 1.26, v5.8.3 1.27).
version="${KUSTOMIZE_VERSION:-v5.8.1}"
log() { echo "build-kustomize: $*" >&2; }

out_dir="${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/kustomize/$version"
binary="$out_dir/kustomize"
if [[ -x "$binary" ]]; then
  log "using cached $binary"
  echo "$binary"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "the Go toolchain ('go') is not on PATH: cannot build kustomize $version"
  exit 3
fi

mkdir -p "$out_dir"
# Two test JVMs may ask at once: let one build, the other wait.
exec 9>"$out_dir/.lock"
flock 9
if [[ -x "$binary" ]]; then
  log "using $binary (built while waiting for the lock)"
  echo "$binary"
  exit 0
fi

log "building kustomize $version with $(go version | cut -d' ' -f3)"
started=$SECONDS
gobin="$(mktemp -d "$out_dir/bin.XXXXXX")"
trap 'rm -rf "$gobin"' EXIT
# `go install module@version` builds with the module's own go.mod/go.sum, verified against the
# checksum database; nothing in this repository's Go modules changes.
GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
  go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@$version" >&2
mv "$gobin/kustomize" "$binary"
log "built $binary in $((SECONDS - started)) s"
echo "$binary"
