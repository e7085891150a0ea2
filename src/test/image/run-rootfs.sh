#!/usr/bin/env bash
# Runs a command inside an unpacked image root filesystem the way a container runtime with
# Kubernetes' restricted settings would (k8s/base/statefulset.yaml), with no container engine:
#   - a private mount namespace (everything below disappears when the process exits),
#   - the root filesystem read-only (readOnlyRootFilesystem: true),
#   - /tmp a fresh writable tmpfs (the emptyDir the Deployment mounts there),
#   - /proc, and a minimal /dev (null, zero, random, urandom) on a tmpfs,
#   - root changed to ROOTFS, working directory WORKDIR, uid/gid UID:GID with no supplementary
#     groups (runAsUser/runAsGroup),
#   - the caller's environment as is (the test passes exactly the image's Env plus its own).
# The network namespace is the host's, so a port the command listens on is reachable on 127.0.0.1.
# The command replaces this script's process (exec all the way): its pid is the caller's child.
# Needs root (mount, chroot) and util-linux unshare >= 2.38 (--root, --wd, --setuid, --setgid).
#
#   usage: run-rootfs.sh ROOTFS UID GID WORKDIR -- COMMAND [ARG...]
set -euo pipefail
[[ $# -ge 6 && "$5" == "--" ]] || { echo "usage: run-rootfs.sh ROOTFS UID GID WORKDIR -- COMMAND [ARG...]" >&2; exit 2; }
rootfs="$(readlink -f "$1")" uid="$2" gid="$3" wd="$4"
shift 5
for d in proc dev tmp; do
  [[ -d "$rootfs/$d" ]] || mkdir "$rootfs/$d"
done
exec unshare --mount --propagation private -- bash -c '
  set -euo pipefail
  r="$1" uid="$2" gid="$3" wd="$4"
  shift 4
  mount --bind "$r" "$r"
  mount -t proc proc "$r/proc"
  mount -t tmpfs -o mode=0755,size=1m tmpfs "$r/dev"
  mknod -m 666 "$r/dev/null" c 1 3
  mknod -m 666 "$r/dev/zero" c 1 5
  mknod -m 666 "$r/dev/random" c 1 8
  mknod -m 666 "$r/dev/urandom" c 1 9
  mount -t tmpfs -o mode=1777,size=128m tmpfs "$r/tmp"
  mount -o remount,bind,ro "$r"
  exec unshare --root="$r" --wd="$wd" --setgid "$gid" --setuid "$uid" -- "$@"
' run-rootfs "$rootfs" "$uid" "$gid" "$wd" "$@"
