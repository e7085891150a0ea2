#!/usr/bin/env bash
# Builds crane (github.com/google/go-containerregistry/cmd/crane) from the Go module proxy into a
# per-version cache shared by all checkouts on the machine:
#   ${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/crane/<version>/crane
# smoke-registry.sh uses it as a real OCI registry (`crane registry serve`) and client (push,
# config). Prints only the binary's path on stdout; progress goes to stderr.
# Exit 3: no Go toolchain.
set -euo pipefail

version="${CRANE_VERSION:-v0.22.1}"
log() { echo "build-crane: $*" >&2; }

out_dir="${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/crane/$version"
binary="$out_dir/crane"
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  log "the Go toolchain ('go') is not on PATH: cannot build crane $version"
  exit 3
fi
mkdir -p "$out_dir"
exec 9>"$out_dir/.lock"
flock 9
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi
log "building crane $version with $(go version | cut -d' ' -f3)"
started=$SECONDS
gobin="$(mktemp -d "$out_dir/bin.XXXXXX")"
trap 'rm -rf "$gobin"' EXIT
GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
  go install -trimpath -ldflags "-s -w" "github.com/google/go-containerregistry/cmd/crane@$version" >&2
mv "$gobin/crane" "$binary"
log "built $binary in $((SECONDS - started)) s"
echo "$binary"
