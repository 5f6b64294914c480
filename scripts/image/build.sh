#!/usr/bin/env bash
# `npm run image [-- <name>]`: builds runtime/Dockerfile with buildah (no Docker engine needed), on the local base
# images scripts/image/base.sh assembles, and prints the image's uncompressed size.
#   <name>  image name, default localhost/gatehouse-runtime:dev
# Docker image format, because the OCI format has no HEALTHCHECK. Unchanged inputs reuse buildah's layer cache.
# If the host's npm trusts an extra CA bundle (npm config `cafile` or NODE_EXTRA_CA_CERTS, e.g. behind a
# TLS-inspecting proxy), it is bind-mounted into the build's RUN steps and named by the NPM_CAFILE build argument;
# it is not stored in the image.
set -euo pipefail

image="${1:-localhost/gatehouse-runtime:dev}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

node_image=''
build_image=''
while IFS='=' read -r key value; do
  case "$key" in
    NODE_IMAGE) node_image="$value" ;;
    BUILD_IMAGE) build_image="$value" ;;
  esac
done < <(bash scripts/image/base.sh)
if [ -z "$node_image" ] || [ -z "$build_image" ]; then
  echo "error: scripts/image/base.sh did not name the base images" >&2
  exit 1
fi

# Mounted for RUN steps only (a bind mount is never committed to a layer).
# npm's own `cafile` first; else NODE_EXTRA_CA_CERTS, through which Node (and so npm) trusts the same extra CA when
# npm's configuration names none (for example a Node installed outside the machine's npm prefix).
ca_args=()
cafile="$(npm config get cafile 2>/dev/null || true)"
if [ -z "$cafile" ] || [ "$cafile" = null ] || [ "$cafile" = undefined ] || [ ! -f "$cafile" ]; then
  cafile="${NODE_EXTRA_CA_CERTS:-}"
fi
if [ -n "$cafile" ] && [ -f "$cafile" ]; then
  ca_args=(--volume "$cafile:/run/npm-ca.pem:ro" --build-arg NPM_CAFILE=/run/npm-ca.pem)
fi

buildah bud \
  --isolation chroot \
  --network host \
  --layers \
  --pull=never \
  --format docker \
  --file runtime/Dockerfile \
  --build-arg "NODE_IMAGE=$node_image" \
  --build-arg "BUILD_IMAGE=$build_image" \
  "${ca_args[@]}" \
  --tag "$image" \
  . >&2

size="$(buildah images --noheading --format '{{.Size}}' "$image" | head -n 1)"
printf 'built %s (uncompressed size %s)\n' "$image" "$size" >&2
printf '%s\n' "$image"
