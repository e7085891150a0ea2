#!/usr/bin/env bash
# `make test` step after `mvn verify`: the README's `make image` must rebuild the very image the
# image tests (dev.tasksync.deploy.Image*IT) just checked and ran — same image ID (the digest of
# its config, which names every layer by content) — so what a platform engineer ships is what CI
# tested. Jib's layers are reproducible (fixed timestamps, ordered entries) and the base image is
# cached per input, so equal inputs give an equal image.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
tarball=target/jib-image.tar
image_id() { echo "sha256:$(tar -xOf "$1" config.json | sha256sum | cut -d' ' -f1)"; }

[[ -f "$tarball" ]] || { echo "smoke-make-image: no $tarball: run mvn verify first" >&2; exit 1; }
tested="$(image_id "$tarball")"
make image
built="$(image_id "$tarball")"
if [[ "$built" != "$tested" ]]; then
  echo "smoke-make-image: make image built $built, but mvn verify tested $tested" >&2
  exit 1
fi
echo "smoke-make-image: make image rebuilt the tested image $built ($(du -h "$tarball" | cut -f1))"
