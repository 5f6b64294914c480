import { Redis } from 'ioredis';
import type { AppContext } from '../http/context.js';

const connections = new WeakMap<AppContext, Redis | null>();

/**
 * The app's one Redis connection for shared rate limits, or null when `REDIS_URL` is unset (limits are then kept in
 * process). Created on first use (at app start, by the failed-authentication guard) and closed on shutdown. While the
 * connection is not ready (starting, or Redis unreachable) limiters count in process (their insurance limiter) rather
 * than queue or fail, so an outage never stalls requests nor lifts the limits; `ready` resolves once connected.
 */
export function redisFor(ctx: AppContext): Redis | null {
  const existing = connections.get(ctx);
  if (existing !== undefined) return existing;
  const url = ctx.config.redisUrl;
  if (!url) {
    connections.set(ctx, null);
    return null;
  }
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectionName: 'gatehouse',
    // Reconnect delay in ms: 100, 200, ... capped at 1 s.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  redis.on('error', (error) =>
    ctx.logger.warn({ err: error }, 'redis connection error; rate limits fall back to memory'),
  );
  connections.set(ctx, redis);
  ctx.onClose.push(async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return redis;
}

/** Resolves once the app's Redis connection is ready (at once without `REDIS_URL`). */
export function redisReady(ctx: AppContext): Promise<void> {
  const redis = redisFor(ctx);
  if (!redis || redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}
