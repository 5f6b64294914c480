import { epochSeconds, isoNow } from '../clock.js';
import { unauthorized } from '../errors.js';
import type { AppContext } from '../http/context.js';
import type { InvalidationBus } from '../invalidation/bus.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import type { RevocationCheck } from './access-token-resolver.js';

/** Bus topic of revoked access tokens; the key is `<jti> <exp epoch seconds>`. */
export const ACCESS_TOKEN_REVOKED_TOPIC = 'access_token.revoked';
/** How often each replica re-reads the denylist and prunes expired rows, in ms (a safety net for missed notices). */
export const DENYLIST_REFRESH_MS = 60_000;
/** Retry delay after a failed read of the denylist, in ms. */
export const DENYLIST_RETRY_MS = 1000;

/**
 * The access-token revocation list: `jti`s revoked before their `exp`. Every replica keeps the whole (small: only
 * tokens revoked within one token lifetime) list in memory, so checking costs a map look-up and no query; revocations
 * reach other replicas through the invalidation bus, and a full reload runs after any bus gap and every minute.
 */
export class AccessTokenDenylist implements RevocationCheck {
  readonly #ctx: AppContext;
  readonly #bus: InvalidationBus;
  /** jti -> exp in epoch seconds. */
  readonly #revoked = new Map<string, number>();
  readonly #loaded: Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(ctx: AppContext, bus: InvalidationBus) {
    this.#ctx = ctx;
    this.#bus = bus;
    this.#bus.subscribe(ACCESS_TOKEN_REVOKED_TOPIC, {
      onKey: (key) => {
        const [jti, exp] = key.split(' ');
        if (jti && exp) this.#revoked.set(jti, Number(exp));
      },
      onReset: () => void this.#reload(),
    });
    this.#loaded = this.#reload();
    this.#timer = setInterval(() => void this.#reload(true), DENYLIST_REFRESH_MS);
    this.#timer.unref();
    ctx.onClose.push(() => {
      this.#closed = true;
      clearInterval(this.#timer);
    });
  }

  /** Resolves once the list was read from the store. */
  ready(): Promise<void> {
    return this.#loaded;
  }

  assertNotRevoked(jti: string): void {
    if (this.#revoked.size !== 0 && this.#revoked.has(jti)) {
      throw unauthorized('The access token has been revoked', 'revoked');
    }
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  /** Revokes `jti` until `expiresAt` (epoch seconds, the token's `exp`). Idempotent. */
  async revoke(jti: string, expiresAt: number): Promise<void> {
    if (!jti) throw new Error('revokeAccessToken needs the token jti');
    if (!Number.isFinite(expiresAt)) throw new Error('revokeAccessToken needs the token exp (epoch seconds)');
    if (expiresAt <= epochSeconds(this.#ctx.clock)) return;
    await this.#ctx.store.db
      .insertInto('revoked_access_tokens')
      .values({
        jti,
        expires_at: new Date(expiresAt * 1000).toISOString(),
        revoked_at: isoNow(this.#ctx.clock),
      })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
    this.#revoked.set(jti, expiresAt);
    await this.#bus.publish(ACCESS_TOKEN_REVOKED_TOPIC, `${jti} ${expiresAt}`);
  }

  async #reload(prune = false): Promise<void> {
    const now = isoNow(this.#ctx.clock);
    try {
      if (prune) await this.#ctx.store.db.deleteFrom('revoked_access_tokens').where('expires_at', '<=', now).execute();
      const rows = await this.#ctx.store.db
        .selectFrom('revoked_access_tokens')
        .select(['jti', 'expires_at'])
        .where('expires_at', '>', now)
        .execute();
      const nowSeconds = epochSeconds(this.#ctx.clock);
      for (const [jti, exp] of this.#revoked) if (exp <= nowSeconds) this.#revoked.delete(jti);
      for (const row of rows) this.#revoked.set(row.jti, Math.floor(Date.parse(row.expires_at) / 1000));
    } catch (error) {
      // A revocation we could not read must not wait a full refresh period: try again soon.
      const level = isStoreUnavailable(error) ? 'warn' : 'error';
      this.#ctx.logger[level]({ err: error }, 'could not read the access-token denylist; retrying');
      if (!this.#closed) setTimeout(() => void this.#reload(), DENYLIST_RETRY_MS).unref();
    }
  }
}

/**
 * Revokes one of our access tokens before its expiry (`/oauth2/revoke`, sign-out): refused on every replica within
 * a second. `expiresAt` is the token's `exp` in epoch seconds; the denylist entry lives that long.
 */
export async function revokeAccessToken(
  ctx: AppContext,
  denylist: AccessTokenDenylist,
  jti: string,
  expiresAt: number,
  audit: AccessTokenRevocationAudit = {},
): Promise<void> {
  await denylist.revoke(jti, expiresAt);
  await ctx.audit.record({
    kind: 'access_token.revoked',
    outcome: 'success',
    actor: audit.actor ?? null,
    credentialId: jti,
    orgId: audit.orgId ?? null,
    target: audit.subject ?? null,
    reason: audit.reason ?? null,
    ip: audit.ip ?? null,
    userAgent: audit.userAgent ?? null,
  });
}

/** Who revoked the token and from where, for the `access_token.revoked` audit row. */
export interface AccessTokenRevocationAudit {
  readonly actor?: { readonly kind: string; readonly subject: string } | null;
  /** Org and subject of the revoked token. */
  readonly orgId?: string | null;
  readonly subject?: string | null;
  /** Why, e.g. `oauth2_revoke`, `logout`. */
  readonly reason?: string | null;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}
