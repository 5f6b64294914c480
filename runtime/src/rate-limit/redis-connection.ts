import { Redis } from 'ioredis';
import type { AppContext } from '../http/context.js';

const connections = new WeakMap<AppContext, Redis | null>();

/**
 * The app's one Redis connection for shared rate limits, or null when `REDIS_URL` is unset (limits are then kept in
 * process). Created on first use and closed on shutdown. Commands fail fast instead of queueing while Redis is
 * unreachable, so a Redis outage degrades to per-process limits (the insurance limiter) rather than to stalls.
 */
export function redisFor(ctx: AppContext): Redis | null {
  const existing = connections.get(ctx);
  if (existing !== undefined) return existing;
  const url = ctx.config.redisUrl;
  if (!url) {
    connections.set(ctx, null);
    return null;
  }
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'gatehouse' });
  redis.on('error', (error) =>
    ctx.logger.warn({ err: error }, 'redis connection error; rate limits fall back to memory'),
  );
  connections.set(ctx, redis);
  ctx.onClose.push(async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return redis;
}
