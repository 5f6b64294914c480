import { Sleep } from '@cdktf/provider-time/lib/sleep/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { checkIntegerRange } from './checks.js';

/**
 * Azure documents that role assignment changes can take up to 10 minutes to take effect, and Entra objects (a new
 * federated identity credential, a new service principal) replicate on a similar scale. Waiting the whole documented
 * window is the default; a `time_sleep` waits only when it is created, so later applies do not wait again.
 */
export const RBAC_PROPAGATION_DEFAULT_SECONDS = 600;

/** Longest wait accepted, in seconds. */
export const RBAC_PROPAGATION_MAX_SECONDS = 1800;

/**
 * A `time_sleep` (construct id `id`) that is created after `dependsOn` and waits `seconds` once, on first create
 * (no `triggers`, no `destroy_duration`). Validates `seconds` as `prop`.
 */
export function propagationWait(
  scope: Construct,
  id: string,
  prop: string,
  seconds: number,
  dependsOn: readonly ITerraformDependable[],
): Sleep {
  checkIntegerRange(scope, prop, seconds, 0, RBAC_PROPAGATION_MAX_SECONDS);
  return new Sleep(scope, id, { createDuration: `${seconds}s`, dependsOn: [...dependsOn] });
}
