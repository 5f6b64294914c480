import type { AppContext } from '../http/context.js';
import type { RefreshTokens } from './refresh-tokens.js';

/** How often each replica deletes expired refresh tokens, in ms. Default one hour. */
export const REFRESH_TOKEN_PRUNE_INTERVAL_MS = 3_600_000;

/** Deletes expired refresh tokens every `REFRESH_TOKEN_PRUNE_INTERVAL_MS` until shutdown. */
export function pruneRefreshTokensPeriodically(ctx: AppContext, refreshTokens: RefreshTokens): void {
  const timer = setInterval(() => {
    refreshTokens
      .pruneExpired()
      .then((deleted) => {
        if (deleted > 0) ctx.logger.debug({ deleted }, 'pruned expired refresh tokens');
      })
      .catch((error: unknown) => ctx.logger.warn({ err: error }, 'pruning expired refresh tokens failed'));
  }, REFRESH_TOKEN_PRUNE_INTERVAL_MS);
  timer.unref();
  ctx.onClose.push(() => clearInterval(timer));
}
