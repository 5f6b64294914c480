import type { AuditEvent } from '../audit/audit-writer.js';
import { type AccessTokenDenylist, revokeAccessToken } from '../auth/access-token-denylist.js';
import type { AppContext } from '../http/context.js';
import type { RequestMeta } from '../http/request-meta.js';
import type { IssuedAccessToken } from '../tokens/access-tokens.js';
import type { UserRecords } from '../users/user-records.js';
import type { IssuedRefreshToken, RefreshTokens } from './refresh-tokens.js';
import { issueSessionAccessToken } from './session-tokens.js';

/** What a refresh came to. `reason` (for the 401 and the metrics): `missing`, a `RefreshRejection`, `user_disabled`. */
export type SessionRefresh =
  | { readonly outcome: 'refused'; readonly reason: string }
  | { readonly outcome: 'refreshed'; readonly access: IssuedAccessToken; readonly refresh: IssuedRefreshToken };

/** The credentials a browser or client presents to sign out; each may be absent. */
export interface PresentedSession {
  readonly refreshToken?: string | undefined;
  /** The session access token of the cookie, put on the denylist so that a copy of the cookie stops working now. */
  readonly accessToken?: string | undefined;
}

export interface SessionServiceDeps {
  readonly refreshTokens: RefreshTokens;
  /** Read on every refresh: role changes apply there, and a disabled user's session ends. */
  readonly users: UserRecords;
  /** Logout puts the browser's access token on it. */
  readonly denylist: AccessTokenDenylist;
}

/**
 * Sessions after sign-in: refresh (rotation with reuse detection, the user re-read every time) and logout (the
 * refresh-token family and the access token revoked). Reuse and logout are audited; refreshes are counted.
 */
export class SessionService {
  readonly #ctx: AppContext;
  readonly #o: SessionServiceDeps;

  constructor(ctx: AppContext, deps: SessionServiceDeps) {
    this.#ctx = ctx;
    this.#o = deps;
  }

  /** Rotates `refreshToken` and issues an access token for the user's role as stored now. */
  async refresh(refreshToken: string | undefined, source: RequestMeta): Promise<SessionRefresh> {
    if (refreshToken === undefined) return this.#refused('missing');
    const rotation = await this.#o.refreshTokens.rotate(refreshToken);
    if (rotation.outcome === 'rejected') {
      if (rotation.reason === 'reuse') {
        await this.#record('session.refresh_reuse', 'failure', rotation, source, {
          reason: 'reuse',
          details: { family_revoked: true },
        });
      }
      return this.#refused(rotation.reason);
    }
    // The user is read again on every refresh: role changes apply now, and a disabled user's session ends here.
    const user = await this.#o.users.findById(rotation.userId);
    if (!user || user.disabled_at !== null) {
      await this.#o.refreshTokens.revokeFamily(rotation.familyId, 'user_disabled');
      return this.#refused('user_disabled');
    }
    const access = await issueSessionAccessToken(this.#ctx, user);
    this.#ctx.metrics.recordAuth('refresh_token', 'success', rotation.grace ? 'grace' : 'ok');
    return { outcome: 'refreshed', access, refresh: rotation };
  }

  /** Revokes the refresh-token family and the access token presented; a token that is unknown or invalid is skipped. */
  async logout(presented: PresentedSession, source: RequestMeta): Promise<void> {
    const ended =
      presented.refreshToken === undefined
        ? undefined
        : await this.#o.refreshTokens.revokeFamilyOf(presented.refreshToken, 'logout');
    if (presented.accessToken) await this.#revokeAccessToken(presented.accessToken, source);
    if (ended) await this.#record('session.logout', 'success', ended, source);
  }

  #refused(reason: string): SessionRefresh {
    this.#ctx.metrics.recordAuth('refresh_token', 'failure', reason);
    return { outcome: 'refused', reason };
  }

  /** Only a session access token of ours is revoked; one that does not verify needs nothing. */
  async #revokeAccessToken(token: string, source: RequestMeta): Promise<void> {
    const claims = await this.#ctx.tokens.verify(token).catch(() => undefined);
    if (claims?.auth_kind !== 'session') return;
    await revokeAccessToken(this.#ctx, this.#o.denylist, claims.jti, claims.exp, {
      actor: { kind: 'user', subject: claims.sub },
      orgId: claims.org_id,
      subject: claims.sub,
      reason: 'logout',
      ...source,
    });
  }

  /** One audit row about a session (its refresh-token family), by its user. */
  async #record(
    kind: string,
    outcome: AuditEvent['outcome'],
    session: { readonly familyId: string | null; readonly userId: string | null },
    source: RequestMeta,
    extra: Pick<AuditEvent, 'reason' | 'details'> = {},
  ): Promise<void> {
    await this.#ctx.audit.record({
      kind,
      outcome,
      actor: session.userId ? { kind: 'user', subject: session.userId } : null,
      credentialId: session.familyId,
      target: session.userId,
      ...source,
      ...extra,
    });
  }
}
