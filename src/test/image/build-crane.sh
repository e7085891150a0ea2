#!/usr/bin/env bash
# Builds crane (github.com/google/go-containerregistry/cmd/crane) from the Go module proxy into
# ${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/crane/<version>/crane (see go-install.sh).
# smoke-registry.sh uses it as a real OCI registry (`crane registry serve`) and client (push,
# config). Prints only the binary's path on stdout. Exit 3: no Go toolchain.
set -euo pipefail
exec "$(dirname "$0")/../scripts/go-install.sh" crane github.com/google/go-containerregistry/cmd/crane \
  "${CRANE_VERSION:-v0.22.1}"
