#!/usr/bin/env bash
# Builds the Dapr runtime (daprd) from src/test/dapr/daprd with the Go toolchain and the Go
# module proxy, into a per-version cache shared by all checkouts on the machine:
#   ${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/daprd/<version>/daprd
# Prints only the binary's path on stdout; progress goes to stderr. A cached binary is reused
# as long as go.mod, go.sum and main.go are unchanged (checked with a stamp next to it).
set -euo pipefail

module_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/daprd" && pwd)"
log() { echo "build-daprd: $*" >&2; }

# Matches both `require github.com/dapr/dapr vX` and the line inside a require ( ... ) block.
version="$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/dapr/dapr" && $(i + 1) ~ /^v[0-9]/) { sub(/^v/, "", $(i + 1)); print $(i + 1); exit } }' "$module_dir/go.mod")"
if [[ -z "$version" ]]; then
  log "cannot read the github.com/dapr/dapr version from $module_dir/go.mod"
  exit 2
fi

out_dir="${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/daprd/$version"
binary="$out_dir/daprd"
stamp_file="$out_dir/inputs.sha256"
inputs_hash="$(cd "$module_dir" && cat go.mod main.go $([[ -f go.sum ]] && echo go.sum) | sha256sum | cut -d' ' -f1)"

if [[ -x "$binary" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$inputs_hash" ]]; then
  log "using cached $binary"
  echo "$binary"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "ERROR: the Go toolchain ('go') is not on PATH. It is needed once per machine to build"
  log "daprd $version for the end-to-end tests (go.mod asks for $(awk '$1 == "go" { print $2 }' "$module_dir/go.mod") or newer)."
  log "Install Go, or point DAPRD_BINARY (-Ddaprd.binary for Maven) at an existing daprd $version."
  exit 3
fi

mkdir -p "$out_dir"
# Two test JVMs (or a test and `make run`) may ask at once: let one build, the other wait.
exec 9>"$out_dir/.lock"
flock 9
if [[ -x "$binary" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$inputs_hash" ]]; then
  log "using $binary (built while waiting for the lock)"
  echo "$binary"
  exit 0
fi

log "building daprd $version with $(go version | cut -d' ' -f3) (first build on this machine takes several minutes)"
started=$SECONDS
cd "$module_dir"
if [[ ! -f go.sum ]]; then
  log "go.sum missing: resolving modules with go mod tidy"
  go mod tidy >&2
  inputs_hash="$(cat go.mod main.go go.sum | sha256sum | cut -d' ' -f1)"
fi
tmp="$(mktemp "$out_dir/daprd.XXXXXX")"
work="$(mktemp -d "$out_dir/work.XXXXXX")"
trap 'rm -rf "$tmp" "$work"' EXIT
# dapr's cmd/daprd/components package (imported by cmd/daprd/app) panics at init unless built
# with -tags stablecomponents/allcomponents, and those tags compile every stable component
# (a far longer build). `go build -overlay` may not touch the module cache, so build against
# a scratch copy of the dapr module whose guard file is emptied, via a scratch go.mod with a
# replace directive; the committed go.mod/go.sum stay as they are.
go mod download github.com/dapr/dapr >&2
dapr_dir="$(go list -m -f '{{.Dir}}' github.com/dapr/dapr)"
cp -r "$dapr_dir" "$work/dapr"
chmod -R u+w "$work/dapr"
guard="$work/dapr/cmd/daprd/components/zz_notag.go"
if [[ ! -f "$guard" ]]; then
  log "expected cmd/daprd/components/zz_notag.go in dapr $version; build-daprd.sh needs updating"
  exit 4
fi
echo "package components" >"$guard"
cp go.mod "$work/go.mod"
cp go.sum "$work/go.sum"
go mod edit -modfile="$work/go.mod" -replace "github.com/dapr/dapr=$work/dapr"
# -X version: daprd then reports the real version (metadata API, logs) instead of "edge".
GOFLAGS="${GOFLAGS:-} -buildvcs=false" go build -trimpath -modfile="$work/go.mod" \
  -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$version" \
  -o "$tmp" . >&2
chmod +x "$tmp"
mv -f "$tmp" "$binary"
echo "$inputs_hash" >"$stamp_file"
log "built $binary in $((SECONDS - started)) s"
echo "$binary"
