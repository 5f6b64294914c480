import type { AppContext } from '../http/context.js';
import type { InvalidationBus } from '../invalidation/bus.js';
import { SIGNING_KEY_TOPIC } from './key-ring.js';

/**
 * Keeps every replica's key ring, and so its JWKS, current: a rotation or activation on any replica (or by
 * `gatehouse keys rotate`) is announced on the bus and reloads every key ring at once, so the next key is in every
 * replica's JWKS as soon as it is published; a gap in the bus re-reads the keys too.
 */
export function announceSigningKeyChanges(ctx: AppContext, bus: InvalidationBus): void {
  const reload = () => {
    ctx.keys.reload().catch((error: unknown) => ctx.logger.warn({ err: error }, 'signing key reload failed'));
  };
  bus.subscribe(SIGNING_KEY_TOPIC, { onKey: reload, onReset: reload });
  ctx.keys.onChange((kid) => {
    bus.publish(SIGNING_KEY_TOPIC, kid).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'could not announce a signing key change to the other replicas');
    });
  });
}
