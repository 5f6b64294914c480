import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { checkIntegerRange, ValidationError } from '../core/index.js';

/**
 * CPU (vCPU) / memory pairs a Consumption-plan Container App accepts: memory is always twice the CPU in GiB, in steps
 * of 0.25 vCPU up to 4 vCPU / 8 GiB. Any other pair is refused by Azure at apply time, so synth refuses it first.
 */
export const CONTAINER_APP_SIZES: readonly { readonly cpu: number; readonly memory: string }[] = Array.from(
  { length: 16 },
  (_, index) => {
    const cpu = (index + 1) * 0.25;
    return { cpu, memory: `${cpu * 2}Gi` };
  },
);

/** Container Apps' hard limit on replicas per revision (Consumption plan). */
export const MAX_REPLICAS_LIMIT = 300;

export interface RuntimeScale {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly concurrentRequests: number;
}

/** Throws unless `cpu`/`memory` is one of `CONTAINER_APP_SIZES`. */
export function checkContainerSize(scope: IConstruct, cpu: number, memory: string): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memory)) return;
  if (!CONTAINER_APP_SIZES.some((size) => size.cpu === cpu && size.memory === memory)) {
    const allowed = CONTAINER_APP_SIZES.map((size) => `${size.cpu}/${size.memory}`).join(', ');
    throw new ValidationError(scope, 'cpu/memory', `one of the Container Apps pairs ${allowed}`, `${cpu}/${memory}`);
  }
}

/** Throws unless 0 <= min <= max <= 300, max >= 1, and the concurrency target is 1-1000 requests. */
export function checkScale(scope: IConstruct, scale: RuntimeScale): void {
  checkIntegerRange(scope, 'minReplicas', scale.minReplicas, 0, MAX_REPLICAS_LIMIT);
  checkIntegerRange(scope, 'maxReplicas', scale.maxReplicas, 1, MAX_REPLICAS_LIMIT);
  if (scale.minReplicas > scale.maxReplicas) {
    throw new ValidationError(scope, 'maxReplicas', `at least minReplicas (${scale.minReplicas})`, scale.maxReplicas);
  }
  checkIntegerRange(scope, 'concurrentRequestsPerReplica', scale.concurrentRequests, 1, 1000);
}
