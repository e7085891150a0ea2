#!/usr/bin/env bash
# Assembles tasksync's registry-free base image: a `docker save`-format tarball that Jib reads as
# `tar://...` (jib:buildTar, `make image`), built with no Docker engine and no container registry:
#
#   layer 1 (os):  glibc, libgcc, libstdc++, zlib from Debian packages (`apt-get download`,
#                  unpacked with dpkg-deb), /etc/passwd + /etc/group with the non-root user
#                  10001 "tasksync", /tmp (1777), ld.so.cache
#   layer 2 (jre): a Java runtime cut with jlink from the build JDK's own jmods (Debian's
#                  openjdk-17-jdk-headless ships them) at /opt/java/openjdk, the same place
#                  as in the eclipse-temurin images
# Reproducible: the same inputs give the same tarball, byte for byte (fixed timestamps and owners,
# sorted entries), so the image built on it has the same ID on every machine.
#
# The result is cached per input (JDK build, package versions, module list, this script):
#   ${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/base-image/<key>/base-image.tar
# Prints only the tarball's path on stdout (progress on stderr). With `--link PATH` it also
# points PATH (a symlink) at it, which is where the pom's jib configuration looks.
#
# Inputs: JLINK_JDK (default: JAVA_HOME, else the JDK of `javac` on PATH) must have jmods/;
# apt must be able to download the Debian packages (root or sudo runs `apt-get update` once
# when the package lists are empty). Rebuild after `apt-get update` brings new package versions
# or the JDK is updated: the key changes, so a security update never reuses a stale base.
set -euo pipefail
umask 022

log() { echo "build-base-image: $*" >&2; }
die() { log "$*"; exit 1; }

link=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --link) link="$2"; shift 2 ;;
    *) die "unknown argument: $1 (usage: build-base-image.sh [--link PATH])" ;;
  esac
done

# What the image runs with: uid/gid 10001 like k8s/base/deployment.yaml's runAsUser/runAsGroup.
readonly APP_UID=10001 APP_GID=10001 APP_USER=tasksync
readonly JAVA_DIR=/opt/java/openjdk
readonly PACKAGES=(libc6 libgcc-s1 libstdc++6 zlib1g)
# `jdeps --print-module-deps` over the application and its runtime jars, plus the service
# providers jdeps cannot see: jdk.crypto.ec (EC keys: ES256 tokens, ECDHE in TLS), jdk.zipfs,
# jdk.net (Netty's extended socket options). ImageRunTest starts the application on this runtime.
readonly MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.net,jdk.unsupported,jdk.zipfs

# ---------------------------------------------------------------------------- the JDK
jdk="${JLINK_JDK:-${JAVA_HOME:-}}"
if [[ -z "$jdk" ]]; then
  javac_path="$(command -v javac || true)"
  [[ -n "$javac_path" ]] || die "no JDK: set JLINK_JDK or JAVA_HOME (a JDK with jmods/)"
  jdk="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
fi
[[ -x "$jdk/bin/jlink" ]] || die "$jdk has no bin/jlink: set JLINK_JDK to a full JDK"
[[ -f "$jdk/jmods/java.base.jmod" ]] || die "$jdk has no jmods/ (on Debian: apt-get install openjdk-17-jdk-headless); set JLINK_JDK"

# ---------------------------------------------------------------------------- Debian packages
sudo_cmd=""
[[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
candidate() { apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -1; }
versions=""
for p in "${PACKAGES[@]}"; do
  v="$(candidate "$p")"
  if [[ -z "$v" ]]; then
    log "apt knows no $p: running apt-get update"
    $sudo_cmd apt-get update -qq >&2 || die "apt-get update failed (needs root or sudo)"
    v="$(candidate "$p")"
    [[ -n "$v" ]] || die "no Debian package $p available to apt"
  fi
  versions+="$p=$v "
done

# ---------------------------------------------------------------------------- cache key
arch="$(dpkg --print-architecture)"
[[ "$arch" == amd64 || "$arch" == arm64 ]] || die "unsupported architecture $arch"
key_input="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1) $(sha256sum "$jdk/jmods/java.base.jmod" | cut -d' ' -f1) $arch $MODULES $versions"
key="$(printf '%s' "$key_input" | sha256sum | cut -c1-16)"
cache="${TASKSYNC_CACHE:-$HOME/.cache/tasksync}/base-image"
out_dir="$cache/$key"
tarball="$out_dir/base-image.tar"

finish() {
  if [[ -n "$link" ]]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn "$tarball" "$link"
  fi
  echo "$tarball"
  exit 0
}

if [[ -f "$tarball" ]]; then
  log "using cached $tarball"
  finish
fi
mkdir -p "$out_dir"
# Two builds may ask at once (parallel worktrees): one builds, the other waits and reuses.
exec 9>"$out_dir/.lock"
flock 9
if [[ -f "$tarball" ]]; then
  log "using $tarball (built while waiting for the lock)"
  finish
fi

started=$SECONDS
work="$(mktemp -d "$out_dir/work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log "building base image $key: $versions+ jlink from $jdk ($(sed -n 's/^JAVA_RUNTIME_VERSION=//p' "$jdk/release" | tr -d '"'))"

# ---------------------------------------------------------------------------- layer 1: os
os="$work/os"
mkdir -p "$work/debs" "$os"
apt_opts=()
[[ $(id -u) -eq 0 ]] && apt_opts=(-o APT::Sandbox::User=root)
(cd "$work/debs" && apt-get download -q "${apt_opts[@]}" ${versions} >&2) || die "apt-get download failed for: $versions"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$os"
done
# Documentation, locale data and iconv modules are not needed by the JVM; licenses (copyright) stay.
find "$os/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
rm -rf "$os/usr/share/man" "$os/usr/share/info" "$os/usr/share/lintian" "$os/usr/share/locale" \
  "$os/usr/share/gcc" "$os/usr/share/gdb" "$os/usr/lib/$(uname -m)-linux-gnu/gconv" 2>/dev/null || true
find "$os" -depth -type d -empty -delete

mkdir -p "$os/etc" "$os/tmp" "$os/home/$APP_USER" "$os/usr/local/bin" "$os/app"
chmod 1777 "$os/tmp"
cat > "$os/etc/passwd" <<EOF
root:x:0:0:root:/root:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
$APP_USER:x:$APP_UID:$APP_GID:tasksync:/home/$APP_USER:/usr/sbin/nologin
EOF
cat > "$os/etc/group" <<EOF
root:x:0:
nogroup:x:65534:
$APP_USER:x:$APP_GID:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$os/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$os/etc/hosts"
cat > "$os/etc/os-release" <<EOF
PRETTY_NAME="tasksync base (Debian $(cut -d. -f1 /etc/debian_version 2>/dev/null || echo '?') packages, no shell)"
ID=tasksync-base
ID_LIKE=debian
EOF
ldconfig -r "$os" 2>/dev/null || log "ldconfig -r failed: no ld.so.cache (the loader's default paths still apply)"

# ---------------------------------------------------------------------------- layer 2: jre
jre="$work/jre"
mkdir -p "$jre$(dirname "$JAVA_DIR")"
"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$MODULES" \
  --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$jre$JAVA_DIR" >&2
# No class data sharing archive (java -Xshare:dump): JDK 17 does not write it byte for byte the
# same twice, and the base must be reproducible (same inputs, same layer digests on any machine).

# ---------------------------------------------------------------------------- tarball
# Reproducible layers: sorted names, fixed mtime, numeric root ownership except the user's home.
chown -R "$APP_UID:$APP_GID" "$os/home/$APP_USER"
chmod 0750 "$os/home/$APP_USER"
img="$work/img"
mkdir -p "$img"
# The home directory keeps its owner: tar's --owner applies to everything, so pack it apart.
(cd "$os" && find . -mindepth 1 ! -path './home/*' -printf '%P\n' | LC_ALL=C sort > "$work/os.list")
tar -C "$os" --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu --no-recursion \
  -cf "$img/os.tar" --files-from="$work/os.list"
tar -C "$os" --mtime=@0 --numeric-owner --format=gnu --no-recursion \
  -rf "$img/os.tar" "home/$APP_USER"
(cd "$jre" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort > "$work/jre.list")
tar -C "$jre" --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu --no-recursion \
  -cf "$img/jre.tar" --files-from="$work/jre.list"

os_id="sha256:$(sha256sum "$img/os.tar" | cut -d' ' -f1)"
jre_id="sha256:$(sha256sum "$img/jre.tar" | cut -d' ' -f1)"
java_version="$(sed -n 's/^JAVA_VERSION=//p' "$jre$JAVA_DIR/release" | tr -d '"')"
cat > "$img/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"User":"$APP_UID:$APP_GID","WorkingDir":"/",
  "Env":["PATH=$JAVA_DIR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$JAVA_DIR","LANG=C.UTF-8","JAVA_VERSION=$java_version"],
  "Labels":{"org.opencontainers.image.title":"tasksync base (registry-free)","org.opencontainers.image.description":"Debian ${PACKAGES[*]} + jlink runtime $java_version; built by src/main/docker/build-base-image.sh"}},
 "rootfs":{"type":"layers","diff_ids":["$os_id","$jre_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"build-base-image.sh: Debian ${versions% }, /etc/passwd, /tmp"},
            {"created":"1970-01-01T00:00:00Z","created_by":"build-base-image.sh: jlink --add-modules $MODULES"}]}
EOF
printf '[{"Config":"config.json","RepoTags":["tasksync-base:%s"],"Layers":["os.tar","jre.tar"]}]\n' "$key" > "$img/manifest.json"
tar -C "$img" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/base-image.tar" \
  manifest.json config.json os.tar jre.tar
printf 'JLINK_JDK=%s\nkey_input=%s\n' "$jdk" "$key_input" > "$out_dir/inputs.txt"
mv "$work/base-image.tar" "$tarball"
log "built $tarball ($(du -h "$tarball" | cut -f1)) in $((SECONDS - started)) s"
finish
