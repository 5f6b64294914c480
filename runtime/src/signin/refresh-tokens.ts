import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { type Clock, isoNow } from '../clock.js';
import { hashSecret } from '../crypto/secret-hash.js';
import { newId } from '../ids.js';
import type { SecretBytes } from '../secret-bytes.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';

/** Refresh tokens are opaque: this prefix plus 32 random bytes (base64url). The prefix lets scanners and logs spot one. */
export const REFRESH_TOKEN_PREFIX = 'grt_';
const REFRESH_TOKEN_PATTERN = /^grt_[A-Za-z0-9_-]{43}$/;

export type RefreshRevocationReason = 'logout' | 'reuse' | 'user_disabled' | 'revoked';

export interface IssuedRefreshToken {
  readonly token: string;
  readonly tokenId: string;
  readonly familyId: string;
  readonly userId: string;
  /** When the token expires (ISO 8601): its TTL after issue, or the session's end if that comes first. */
  readonly expiresAt: string;
}

/** A refresh token that would rotate if presented now. */
export interface LiveRefreshToken {
  readonly tokenId: string;
  readonly familyId: string;
  readonly userId: string;
  readonly orgId: string;
  readonly teamId: string | null;
  readonly role: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** Why a presented refresh token was refused (for audit and metrics; callers see one generic 401). */
export type RefreshRejection = 'unknown' | 'expired' | 'revoked' | 'reuse';

export type RotationResult =
  | ({ readonly outcome: 'rotated'; readonly grace: boolean; readonly previousTokenId: string } & IssuedRefreshToken)
  | {
      readonly outcome: 'rejected';
      readonly reason: RefreshRejection;
      readonly familyId: string | null;
      readonly userId: string | null;
    };

export interface RefreshTokenOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly pepper: SecretBytes;
  /** Lifetime of each refresh token in seconds, counted from its issue (sliding: every rotation starts a new one). */
  readonly ttlSeconds: number;
  /** Longest a family lives from its sign-in, in seconds: no token of it is valid later, however often it rotated. */
  readonly maxSessionSeconds: number;
  /** Seconds during which the immediately previous token may be presented again (two tabs); 0 turns it off. */
  readonly reuseGraceSeconds: number;
}

/**
 * Opaque, rotating refresh tokens stored as keyed hashes, grouped in families (one per sign-in). Every use rotates:
 * the presented token is marked used and a child is issued. Presenting a used token again means it leaked (or a
 * client misbehaves): the whole family is revoked, unless the token is the immediately previous one (none of its
 * children has been used yet), was rotated at most `reuseGraceSeconds` ago, the case of two tabs refreshing at once,
 * and has had no grace successor yet; it then gets one sibling of the current token. A third presentation is reuse.
 * Once one of the siblings is used, the other is revoked, so a session never forks into two live lines. A family ends `maxSessionSeconds` after its sign-in whatever its use:
 * every token's expiry is capped there, and the family's age is checked again on use (rows issued before the cap).
 */
export class RefreshTokens {
  readonly #o: RefreshTokenOptions;

  constructor(options: RefreshTokenOptions) {
    this.#o = options;
  }

  /** Whether `value` has the shape of one of our refresh tokens (cheap pre-check; says nothing about validity). */
  static looksLikeRefreshToken(value: string): boolean {
    return REFRESH_TOKEN_PATTERN.test(value);
  }

  hash(token: string): string {
    return hashSecret(this.#o.pepper, token);
  }

  /** Starts a family for a fresh sign-in and issues its first token. */
  async startFamily(userId: string): Promise<IssuedRefreshToken> {
    const familyId = newId('rtf');
    const createdAt = isoNow(this.#o.clock);
    return this.#o.store.transaction(async (trx) => {
      await trx
        .insertInto('refresh_token_families')
        .values({
          id: familyId,
          user_id: userId,
          created_at: createdAt,
          last_rotated_at: null,
          revoked_at: null,
          revoked_reason: null,
        })
        .execute();
      return this.#insertToken(trx, { familyId, userId, parentId: null, familyCreatedAt: createdAt });
    });
  }

  /** Rotates `token`; see the class comment for reuse detection and the grace window. */
  async rotate(token: string): Promise<RotationResult> {
    if (!RefreshTokens.looksLikeRefreshToken(token)) {
      return { outcome: 'rejected', reason: 'unknown', familyId: null, userId: null };
    }
    const tokenHash = this.hash(token);
    return this.#o.store.transaction(async (trx): Promise<RotationResult> => {
      const row = await trx
        .selectFrom('refresh_tokens as t')
        .innerJoin('refresh_token_families as f', 'f.id', 't.family_id')
        .select([
          't.id',
          't.family_id',
          't.user_id',
          't.parent_id',
          't.expires_at',
          't.used_at',
          't.revoked_at',
          'f.revoked_at as family_revoked_at',
          'f.created_at as family_created_at',
        ])
        .where('t.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return { outcome: 'rejected', reason: 'unknown', familyId: null, userId: null };
      const rejected = (reason: RefreshRejection): RotationResult => ({
        outcome: 'rejected',
        reason,
        familyId: row.family_id,
        userId: row.user_id,
      });
      if (row.family_revoked_at !== null || row.revoked_at !== null) return rejected('revoked');
      const now = isoNow(this.#o.clock);
      if (row.expires_at <= now || this.#sessionOver(row.family_created_at)) return rejected('expired');

      // Rotations of siblings (children of one parent) are serialized on the parent's row, so that of two siblings
      // used at once exactly one wins and revokes the other. Locks are always taken parent first.
      if (row.parent_id !== null) await lockToken(trx, row.parent_id);
      // Conditional update: of two concurrent rotations of one token exactly one marks it used.
      const marked = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(marked.numUpdatedRows) === 1) {
        if (row.parent_id !== null) await this.#revokeUnusedSiblings(trx, row.parent_id, row.id);
        return this.#rotated(trx, row, false);
      }
      const reread = await trx
        .selectFrom('refresh_tokens')
        .select(['used_at', 'revoked_at'])
        .where('id', '=', row.id)
        .executeTakeFirst();
      if (reread?.used_at == null) return rejected('revoked');

      if (await this.#withinGrace(trx, row.id, reread.used_at)) return this.#rotated(trx, row, true);

      await this.#revokeFamilies(trx, [row.family_id], 'reuse');
      return rejected('reuse');
    });
  }

  /**
   * A live token's row and owner, without using it (RFC 7662 introspection): undefined when the token is unknown,
   * already used, revoked (a sibling was used), expired, or its family is revoked.
   */
  async describe(token: string): Promise<LiveRefreshToken | undefined> {
    if (!RefreshTokens.looksLikeRefreshToken(token)) return undefined;
    const row = await this.#o.store.db
      .selectFrom('refresh_tokens as t')
      .innerJoin('refresh_token_families as f', 'f.id', 't.family_id')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select([
        't.id',
        't.family_id',
        't.user_id',
        't.created_at',
        't.expires_at',
        't.used_at',
        't.revoked_at as token_revoked_at',
        'f.revoked_at',
        'f.created_at as family_created_at',
        'u.org_id',
        'u.team_id',
        'u.role',
      ])
      .where('t.token_hash', '=', this.hash(token))
      .executeTakeFirst();
    if (
      !row ||
      row.used_at !== null ||
      row.revoked_at !== null ||
      row.token_revoked_at !== null ||
      row.expires_at <= isoNow(this.#o.clock) ||
      this.#sessionOver(row.family_created_at)
    ) {
      return undefined;
    }
    return {
      tokenId: row.id,
      familyId: row.family_id,
      userId: row.user_id,
      orgId: row.org_id,
      teamId: row.team_id,
      role: row.role,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  /**
   * Revokes the family `token` belongs to (logout, RFC 7009 revocation), whatever state the token is in. Returns the
   * family and user, or undefined when the token is unknown.
   */
  async revokeFamilyOf(
    token: string,
    reason: RefreshRevocationReason,
  ): Promise<{ familyId: string; userId: string } | undefined> {
    if (!RefreshTokens.looksLikeRefreshToken(token)) return undefined;
    const row = await this.#o.store.db
      .selectFrom('refresh_tokens')
      .select(['family_id', 'user_id'])
      .where('token_hash', '=', this.hash(token))
      .executeTakeFirst();
    if (!row) return undefined;
    await this.revokeFamily(row.family_id, reason);
    return { familyId: row.family_id, userId: row.user_id };
  }

  async revokeFamily(familyId: string, reason: RefreshRevocationReason): Promise<void> {
    await this.#o.store.transaction((trx) => this.#revokeFamilies(trx, [familyId], reason));
  }

  /**
   * Deletes expired tokens (a used token is kept until it expires: reuse detection needs it) and families left with
   * no token. Idempotent; every replica may run it. Returns how many tokens were deleted.
   */
  async pruneExpired(): Promise<number> {
    const now = isoNow(this.#o.clock);
    return this.#o.store.transaction(async (trx) => {
      const deleted = await trx.deleteFrom('refresh_tokens').where('expires_at', '<=', now).executeTakeFirst();
      await trx
        .deleteFrom('refresh_token_families')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('refresh_tokens')
                .select('refresh_tokens.id')
                .whereRef('refresh_tokens.family_id', '=', 'refresh_token_families.id'),
            ),
          ),
        )
        .execute();
      return Number(deleted.numDeletedRows);
    });
  }

  /** Ends every session of a user (e.g. disabled). */
  async revokeUserFamilies(userId: string, reason: RefreshRevocationReason): Promise<void> {
    await this.#o.store.db
      .updateTable('refresh_token_families')
      .set({ revoked_at: isoNow(this.#o.clock), revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async #revokeFamilies(trx: Transaction<Database>, ids: readonly string[], reason: RefreshRevocationReason) {
    await trx
      .updateTable('refresh_token_families')
      .set({ revoked_at: isoNow(this.#o.clock), revoked_reason: reason })
      .where('id', 'in', ids)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** When the family that started at `familyCreatedAt` (ISO 8601) ends, in epoch ms. */
  #sessionEndMs(familyCreatedAt: string): number {
    return Date.parse(familyCreatedAt) + this.#o.maxSessionSeconds * 1000;
  }

  #sessionOver(familyCreatedAt: string): boolean {
    return this.#o.clock.now() >= this.#sessionEndMs(familyCreatedAt);
  }

  /**
   * The used token may be presented once more: it was rotated at most `reuseGraceSeconds` ago, none of its children
   * has been used yet, and it has no grace successor yet (at most two children: the rotation and one grace sibling).
   * Serialized on the token's row, so concurrent presentations cannot each add a successor.
   */
  async #withinGrace(trx: Transaction<Database>, tokenId: string, usedAt: string): Promise<boolean> {
    const grace = this.#o.reuseGraceSeconds;
    if (grace <= 0 || this.#o.clock.now() - Date.parse(usedAt) > grace * 1000) return false;
    await lockToken(trx, tokenId);
    const children = await trx
      .selectFrom('refresh_tokens')
      .select(['id', 'used_at'])
      .where('parent_id', '=', tokenId)
      .execute();
    return children.length < MAX_CHILDREN && children.every((child) => child.used_at === null);
  }

  /** Once one child of `parentId` is used, its unused siblings (a grace successor, or the other tab's) stop working. */
  async #revokeUnusedSiblings(trx: Transaction<Database>, parentId: string, usedId: string): Promise<void> {
    await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: isoNow(this.#o.clock) })
      .where('parent_id', '=', parentId)
      .where('id', '<>', usedId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async #rotated(
    trx: Transaction<Database>,
    row: { id: string; family_id: string; user_id: string; family_created_at: string },
    grace: boolean,
  ): Promise<RotationResult> {
    await trx
      .updateTable('refresh_token_families')
      .set({ last_rotated_at: isoNow(this.#o.clock) })
      .where('id', '=', row.family_id)
      .execute();
    const issued = await this.#insertToken(trx, {
      familyId: row.family_id,
      userId: row.user_id,
      parentId: row.id,
      familyCreatedAt: row.family_created_at,
    });
    return { outcome: 'rotated', grace, previousTokenId: row.id, ...issued };
  }

  async #insertToken(
    trx: Transaction<Database>,
    input: { familyId: string; userId: string; parentId: string | null; familyCreatedAt: string },
  ): Promise<IssuedRefreshToken> {
    const token = `${REFRESH_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const tokenId = newId('rt');
    const expiresAt = new Date(
      Math.min(this.#o.clock.now() + this.#o.ttlSeconds * 1000, this.#sessionEndMs(input.familyCreatedAt)),
    ).toISOString();
    await trx
      .insertInto('refresh_tokens')
      .values({
        id: tokenId,
        family_id: input.familyId,
        token_hash: this.hash(token),
        parent_id: input.parentId,
        user_id: input.userId,
        created_at: isoNow(this.#o.clock),
        expires_at: expiresAt,
        used_at: null,
        revoked_at: null,
      })
      .execute();
    return { token, tokenId, familyId: input.familyId, userId: input.userId, expiresAt };
  }
}

/** Children a token may have: the rotation that used it, and one grace successor. */
const MAX_CHILDREN = 2;

/**
 * Takes the row lock of a token for the rest of the transaction (PostgreSQL; an update that changes nothing still
 * locks the row). SQLite serializes write transactions already.
 */
async function lockToken(trx: Transaction<Database>, tokenId: string): Promise<void> {
  await trx
    .updateTable('refresh_tokens')
    .set((eb) => ({ used_at: eb.ref('used_at') }))
    .where('id', '=', tokenId)
    .execute();
}

/** The refresh-token service of a runtime or the CLI, from its config: sign-in, refresh, logout, RFC 7009 revocation. */
export function createRefreshTokens(ctx: {
  readonly config: {
    apiKeyPepper: SecretBytes;
    refreshTokenTtlSeconds: number;
    refreshReuseGraceSeconds: number;
    sessionMaxLifetimeSeconds: number;
  };
  readonly store: Store;
  readonly clock: Clock;
}): RefreshTokens {
  return new RefreshTokens({
    store: ctx.store,
    clock: ctx.clock,
    pepper: ctx.config.apiKeyPepper,
    ttlSeconds: ctx.config.refreshTokenTtlSeconds,
    maxSessionSeconds: ctx.config.sessionMaxLifetimeSeconds,
    reuseGraceSeconds: ctx.config.refreshReuseGraceSeconds,
  });
}
