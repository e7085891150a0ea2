#!/usr/bin/env bash
# `make test` step after `mvn verify`: the README's `make image` must rebuild the very image the
# image tests (dev.tasksync.deploy.Image*IT) just checked and ran — same image ID (the digest of
# its config, which names every layer by content) — so what a platform engineer ships is what CI
# tested. Jib's layers are reproducible (fixed timestamps, ordered entries), and so is the base
# image, which this also checks by building it again from scratch.
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

# The base image too, from scratch (Debian packages downloaded again, jlink again) in an empty
# cache: the same bytes, so the image ID does not depend on the machine or on its cache.
base="$(readlink -f target/base-image.tar)"
jdk="$(sed -n 's/^JLINK_JDK=//p' "$(dirname "$base")/inputs.txt")"
fresh_cache="$(mktemp -d)"
trap 'rm -rf "$fresh_cache"' EXIT
fresh="$(JLINK_JDK="$jdk" TASKSYNC_CACHE="$fresh_cache" src/main/docker/build-base-image.sh 2>"$fresh_cache/build.log")" \
  || { cat "$fresh_cache/build.log" >&2; echo "smoke-make-image: the base image did not build from scratch" >&2; exit 1; }
if ! cmp -s "$fresh" "$base"; then
  echo "smoke-make-image: the base image built from scratch ($fresh) differs from the cached $base" >&2
  exit 1
fi
echo "smoke-make-image: the base image built from scratch is identical to the cached one ($(basename "$(dirname "$base")"))"
