#!/usr/bin/env bash
# Builds a Go command from the Go module proxy into a per-version cache shared by all checkouts
# on the machine, and prints only the binary's path on stdout (progress goes to stderr):
#   go-install.sh <name> <package> <version>  ->  ${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/<name>/<version>/<name>
# `go install package@version` builds with the module's own go.mod/go.sum, verified against the
# checksum database; nothing in this repository's Go modules changes. Exit 3: no Go toolchain.
set -euo pipefail

name="$1" package="$2" version="$3"
log() { echo "build-$name: $*" >&2; }

out_dir="${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/$name/$version"
binary="$out_dir/$name"
if [[ -x "$binary" ]]; then
  log "using cached $binary"
  echo "$binary"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  log "the Go toolchain ('go') is not on PATH: cannot build $name $version"
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

log "building $name $version with $(go version | cut -d' ' -f3)"
started=$SECONDS
gobin="$(mktemp -d "$out_dir/bin.XXXXXX")"
trap 'rm -rf "$gobin"' EXIT
GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
  go install -trimpath -ldflags "-s -w" "$package@$version" >&2
mv "$gobin/$name" "$binary"
log "built $binary in $((SECONDS - started)) s"
echo "$binary"
