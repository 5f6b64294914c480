import type { Selectable } from 'kysely';
import { type Clock, isoNow } from '../../clock.js';
import type { ApiKeysTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** What a listing shows for a key. `rotating`: replaced by rotation, still valid until `grace_until`. */
export type ApiKeyStatus = 'active' | 'rotating' | 'expired' | 'revoked';

/** A key's state at `nowIso` (ISO timestamps compare as text). */
export function apiKeyStatus(
  row: Pick<ApiKeyRow, 'revoked_at' | 'expires_at' | 'grace_until'>,
  nowIso: string,
): ApiKeyStatus {
  if (row.revoked_at) return 'revoked';
  if (row.expires_at && row.expires_at <= nowIso) return 'expired';
  if (row.grace_until) return row.grace_until <= nowIso ? 'expired' : 'rotating';
  return 'active';
}

/** Who may see and manage a key: keys of the caller's org, and only its team's keys for a team-bound caller. */
export interface KeyScope {
  readonly orgId: string;
  readonly teamId: string | null;
}

/** The store queries of API keys (one place, both dialects). */
export class ApiKeyRecords {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  findByKeyId(keyId: string): Promise<ApiKeyRow | undefined> {
    return this.#store.db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
  }

  /** A key of the caller's org (and team, when team-bound) by either of its identifiers: `id` or `key_id`. */
  findInScope(id: string, scope: KeyScope, by: 'id' | 'key_id' = 'id'): Promise<ApiKeyRow | undefined> {
    let query = this.#store.db.selectFrom('api_keys').selectAll().where(by, '=', id).where('org_id', '=', scope.orgId);
    if (scope.teamId !== null) query = query.where('team_id', '=', scope.teamId);
    return query.executeTakeFirst();
  }

  list(scope: KeyScope, limit: number): Promise<ApiKeyRow[]> {
    let query = this.#store.db.selectFrom('api_keys').selectAll().where('org_id', '=', scope.orgId);
    if (scope.teamId !== null) query = query.where('team_id', '=', scope.teamId);
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async insert(row: ApiKeyRow): Promise<void> {
    await this.#store.db.insertInto('api_keys').values(row).execute();
  }

  /** Marks the key revoked unless it already is; true when this call revoked it. */
  async revoke(id: string, reason: string): Promise<boolean> {
    const result = await this.#store.db
      .updateTable('api_keys')
      .set({ revoked_at: isoNow(this.#clock), revoked_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Replaces `old` by `replacement` in one transaction: the new key is inserted and the old one keeps working until
   * `graceUntil` (or is revoked at once when that is now). Fails with false when `old` was rotated or revoked meanwhile.
   */
  async rotate(old: ApiKeyRow, replacement: ApiKeyRow, graceUntil: string): Promise<boolean> {
    const now = isoNow(this.#clock);
    return this.#store.transaction(async (trx) => {
      const update =
        graceUntil <= now
          ? { grace_until: now, revoked_at: now, revoked_reason: 'rotated' }
          : { grace_until: graceUntil };
      const result = await trx
        .updateTable('api_keys')
        .set(update)
        .where('id', '=', old.id)
        .where('revoked_at', 'is', null)
        .where('grace_until', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await trx.insertInto('api_keys').values(replacement).execute();
      return true;
    });
  }

  async setRateLimit(id: string, rateLimitPerMinute: number | null): Promise<void> {
    await this.#store.db
      .updateTable('api_keys')
      .set({ rate_limit_per_minute: rateLimitPerMinute })
      .where('id', '=', id)
      .execute();
  }

  /** Records use, unless another replica did within `minIntervalSeconds` (the write is skipped then). */
  async touchLastUsed(id: string, minIntervalSeconds: number): Promise<void> {
    const now = this.#clock.now();
    const threshold = new Date(now - minIntervalSeconds * 1000).toISOString();
    await this.#store.db
      .updateTable('api_keys')
      .set({ last_used_at: new Date(now).toISOString() })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', threshold)]))
      .execute();
  }
}
