#!/usr/bin/env bash
# `npm run plan -- <env> [cdktf plan options]`: what `npm run deploy -- <env>` would change, without building, pushing
# or applying anything. Used by the pull-request workflow, signed in as the read-only planner.
#   1. Reads the environment as the deploy does (scripts/deploy/plan.ts); placeholders stop it here.
#   2. Registry images only: the image digest variable is the digest running now (`az containerapp show`), so the plan
#      shows the infrastructure change alone; for an environment not deployed yet, the digest of the tag the deploy
#      would push, when that tag is in the registry already; else it stops and says why.
#   3. `cdktf plan <env>`.
# Needs: az (signed in), the npm dependencies.
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: npm run plan -- <env> [cdktf plan options]" >&2
  exit 2
fi
env_name="$1"
shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export CHECKPOINT_DISABLE=1

plan="$(node --import tsx scripts/deploy/plan.ts "$env_name")"
eval "$plan"

if [ "$IMAGE_KIND" = registry ]; then
  running="$(az containerapp show --name "$RUNTIME_NAME" --resource-group "$RESOURCE_GROUP" \
    --query 'properties.template.containers[0].image' --output tsv 2>/dev/null || true)"
  digest="${running##*@}"
  if [[ "$digest" == sha256:* ]]; then
    echo "==> planning with the running image ($digest)" >&2
  else
    digest="$(az acr repository show --name "$REGISTRY_NAME" --image "$REPOSITORY:$TAG" \
      --query digest --output tsv 2>/dev/null || true)"
    if [[ "$digest" != sha256:* ]]; then
      echo "error: $env_name runs no image yet and $REPOSITORY:$TAG is not in $REGISTRY_NAME: deploy it once with npm run deploy -- $env_name" >&2
      exit 1
    fi
    echo "==> $env_name runs no image yet: planning with $REPOSITORY:$TAG ($digest)" >&2
  fi
  export TF_VAR_runtime_image_digest="$digest"
fi

echo "==> cdktf plan $env_name" >&2
npx --no-install cdktf plan "$env_name" "$@"
