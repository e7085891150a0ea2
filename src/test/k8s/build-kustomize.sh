#!/usr/bin/env bash
# Builds the real kustomize CLI (sigs.k8s.io/kustomize/kustomize/v5) from the Go module proxy into
# ${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/kustomize/<version>/kustomize (see go-install.sh).
# The deploy drift tests (dev.tasksync.deploy.KustomizeRenderTest) compare their own Java
# renderer with it. Prints only the binary's path on stdout.
# Exit 3: no Go toolchain (the caller skips the comparison). First build: about a minute.
set -euo pipefail
# v5.8.1 needs Go >= 1.24 (v5.8.2 needs 1.26, v5.8.3 1.27).
exec "$(dirname "$0")/../scripts/go-install.sh" kustomize sigs.k8s.io/kustomize/kustomize/v5 \
  "${KUSTOMIZE_VERSION:-v5.8.1}"
