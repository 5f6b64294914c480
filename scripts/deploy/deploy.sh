#!/usr/bin/env bash
# `npm run deploy -- <env> [cdktf deploy options]`: builds, pushes and deploys one environment, in this order.
#   1. Reads the environment from stacks/environments.ts (scripts/deploy/plan.ts): its registry, the image tag (a
#      SHA-256 of what the image build reads: runtime/, catalog/, the lock file), the database role job. Placeholders
#      or a missing deployer path stop it here, before anything is built.
#   2. Registry images only: signs in to the registry with the deployer's Entra identity (`az acr login
#      --expose-token`, a token valid for about three hours, never stored). If the tag is already in the registry
#      (the runtime sources did not change), takes its digest; otherwise builds with `npm run image` (buildah, no
#      Docker daemon) and pushes with buildah, taking the digest the push reports.
#   3. `cdktf deploy <env>` with TF_VAR_runtime_image_digest set to that digest: the Container App runs
#      <registry>/<repository>@<digest>, so a new revision rolls out exactly when the digest changes.
#   4. Starts the database role job (`az containerapp job start`) and waits for it to succeed: it creates the
#      runtime's own PostgreSQL role (idempotent).
# Needs: az (signed in as the deployer), buildah and skopeo for registry images, and the npm dependencies.
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: npm run deploy -- <env> [cdktf deploy options, e.g. --auto-approve]" >&2
  exit 2
fi
env_name="$1"
shift
# cdktf deploy asks for approval on a terminal; without one (CI) it cannot, so the caller says so explicitly.
if [ ! -t 0 ] && [[ " $* " != *" --auto-approve "* ]]; then
  echo "error: no terminal to approve the plan on: pass --auto-approve (npm run deploy -- $env_name --auto-approve)" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export CHECKPOINT_DISABLE=1

if ! command -v az >/dev/null 2>&1; then
  echo "error: the Azure CLI (az) is not installed; see https://learn.microsoft.com/cli/azure/install-azure-cli" >&2
  exit 1
fi
plan="$(node --import tsx scripts/deploy/plan.ts "$env_name")"
eval "$plan"

if [ "$IMAGE_KIND" = registry ]; then
  # shellcheck source=../image/require.sh
  . scripts/image/require.sh
  require_debian_package skopeo skopeo
  require_debian_package buildah buildah
  image="$LOGIN_SERVER/$REPOSITORY:$TAG"
  echo "==> registry sign-in: $REGISTRY_NAME" >&2
  token="$(az acr login --name "$REGISTRY_NAME" --expose-token --output tsv --query accessToken)"
  # The user name of an Entra registry token.
  creds="00000000-0000-0000-0000-000000000000:$token"
  digest="$(skopeo inspect --creds "$creds" --format '{{.Digest}}' "docker://$image" 2>/dev/null || true)"
  if [ -n "$digest" ]; then
    echo "==> $image is in the registry already ($digest): no build, no push" >&2
  else
    echo "==> build $image" >&2
    npm run --silent image -- "$image" >/dev/null
    echo "==> push $image" >&2
    digestfile="$(mktemp)"
    trap 'rm -f "$digestfile"' EXIT
    buildah push --creds "$creds" --digestfile "$digestfile" "$image" "docker://$image" >&2
    digest="$(cat "$digestfile")"
  fi
  case "$digest" in
    sha256:*) ;;
    *)
      echo "error: no image digest for $image (got '$digest')" >&2
      exit 1
      ;;
  esac
  export TF_VAR_runtime_image_digest="$digest"
  echo "==> image $LOGIN_SERVER/$REPOSITORY@$digest" >&2
fi

echo "==> cdktf deploy $env_name" >&2
npx --no-install cdktf deploy "$env_name" "$@"

echo "==> database role job $DB_ROLES_JOB" >&2
execution="$(az containerapp job start --name "$DB_ROLES_JOB" --resource-group "$RESOURCE_GROUP" --query name --output tsv)"
for _ in $(seq 1 90); do
  status="$(az containerapp job execution show --name "$DB_ROLES_JOB" --resource-group "$RESOURCE_GROUP" \
    --job-execution-name "$execution" --query properties.status --output tsv)"
  case "$status" in
    Succeeded)
      echo "==> $env_name deployed; the runtime's database role is in place" >&2
      exit 0
      ;;
    Failed | Stopped | Degraded)
      echo "error: $DB_ROLES_JOB execution $execution ended $status; see its logs (az containerapp job logs show)" >&2
      exit 1
      ;;
  esac
  sleep "${DEPLOY_POLL_SECONDS:-10}"
done
echo "error: $DB_ROLES_JOB execution $execution did not finish in 15 minutes" >&2
exit 1
