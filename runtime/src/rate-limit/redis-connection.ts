import { Redis } from 'ioredis';
import type { AppContext } from '../http/context.js';

/**
 * The app's one Redis connection for shared rate limits, or null when `REDIS_URL` is unset (limits are then kept in
 * process). Made by the composition root and closed on shutdown. While the
 * connection is not ready (starting, or Redis unreachable) limiters count in process (their insurance limiter) rather
 * than queue or fail, so an outage never stalls requests nor lifts the limits. `redisReady(redis)` resolves once connected.
 */
export function connectRedis(ctx: AppContext): Redis | null {
  const url = ctx.config.redisUrl;
  if (!url) return null;
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectionName: 'gatehouse',
    // Reconnect delay in ms: 100, 200, ... capped at 1 s.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  // One warning per outage, not one per reconnect attempt.
  let warned = false;
  redis.on('error', (error) => {
    if (warned) return;
    warned = true;
    ctx.logger.warn({ err: error }, 'redis unavailable; rate limits are counted per process until it is back');
  });
  redis.on('ready', () => {
    if (warned) ctx.logger.info('redis connection restored; rate limits are shared again');
    warned = false;
  });
  ctx.onClose.push(async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return redis;
}

/** Resolves once the app's Redis connection is ready (at once without `REDIS_URL`). */
export function redisReady(redis: Redis | null): Promise<void> {
  if (!redis || redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}
