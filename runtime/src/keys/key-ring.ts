import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type Clock, isoNow } from '../clock.js';
import type { SigningAlg } from '../config.js';
import type { SecretBytes } from '../secret-bytes.js';
import type { Database, SigningKeysTable } from '../store/schema.js';
import { isUniqueViolation, type Store } from '../store/store.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import { keyFitsAlgorithm } from '../tokens/jws-verifier.js';
import { decryptPrivateJwk, type GeneratedSigningKey, generateSigningKey } from './key-material.js';

/** Tolerated clock difference between replicas and token consumers, in seconds. Used for `exp`/`iat` checks too. */
export const CLOCK_SKEW_SECONDS = 10;

/** Topic of signing-key changes on the invalidation bus: every replica re-reads its key ring at once. */
export const SIGNING_KEY_TOPIC = 'signing_key';

/** How long consumers may cache `/.well-known/jwks.json` (`Cache-Control: max-age`), in seconds. */
export const JWKS_MAX_AGE_SECONDS = 300;
/** How long consumers may keep serving a stale JWKS while refetching (`stale-while-revalidate`), in seconds. */
export const JWKS_STALE_SECONDS = 60;
/**
 * How long a new signing key is published in the JWKS before it signs, in seconds: every consumer's cached JWKS,
 * however stale it may be, holds the key before the first token it signed reaches them.
 */
export const PUBLISH_AHEAD_SECONDS = JWKS_MAX_AGE_SECONDS + JWKS_STALE_SECONDS + CLOCK_SKEW_SECONDS;
/** How often every replica re-reads the keys from the store without being told to, in ms. */
const DEFAULT_REFRESH_MS = 60_000;

/** `pending`: published, signs from its `activatedAt`; `retiring`: verifies until `retireAfter`. */
export type SigningKeyState = 'pending' | 'active' | 'retiring' | 'retired';

export interface SigningKeySummary {
  readonly kid: string;
  readonly alg: string;
  readonly state: SigningKeyState;
  readonly createdAt: string;
  /** When the key signs (a pending key: from then on). */
  readonly activatedAt: string;
  /** For a retiring key: when it stops verifying (every token it signed has expired by then). */
  readonly retireAfter: string | null;
  readonly retiredAt: string | null;
}

export interface ActiveSigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  /** A node:crypto key, used by tokens/jws-signer.ts. */
  readonly privateKey: KeyObject;
}

export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  /** A node:crypto public key, used by tokens/jws-verifier.ts; checked on every load to fit `alg`. */
  readonly publicKey: KeyObject;
  /** Epoch ms after which the key no longer verifies (retiring keys); undefined for the active key. */
  readonly validUntil: number | undefined;
}

export interface KeyRingOptions {
  readonly store: Store;
  readonly kek: SecretBytes;
  /**
   * Key-encryption keys being rotated away from (KEY_ENCRYPTION_KEY_PREVIOUS): stored keys sealed under one of them
   * still load until `gatehouse keys rewrap` re-seals them. New keys are always sealed with `kek`.
   * @default - none
   */
  readonly previousKeks?: readonly SecretBytes[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Algorithm of new keys; when the active key has another, start-up rotates to this one. */
  readonly alg: SigningAlg;
  /** Access-token lifetime in seconds: a rotated-away key keeps verifying this long (plus clock skew). */
  readonly accessTokenTtlSeconds: number;
  /** Automatic rotation period in days; 0 turns it off. */
  readonly rotationDays: number;
  /** How often the ring re-reads the store, in ms. Default 60000. */
  readonly refreshIntervalMs?: number;
  /** Minimum gap between store reloads triggered by an unknown `kid`, in ms. Default 5000. */
  readonly unknownKidReloadMs?: number;
}

/**
 * The signing keys every replica shares. Keys live in the store (private parts encrypted); each replica caches the
 * imported keys, re-reads the store periodically and when a token names an unknown `kid`, so all replicas sign with
 * the one active key and verify with active + retiring keys. Keys are imported once per kid, never per call.
 */
export class KeyRing {
  readonly #o: KeyRingOptions;
  #active: ActiveSigningKey | undefined;
  /** The pending key, which replaces `#active` at `activatesAtMs` by this replica's clock, without a reload. */
  #next: { readonly key: ActiveSigningKey; readonly activatesAtMs: number } | undefined;
  readonly #changeListeners: Array<(kid: string) => void> = [];
  #verification = new Map<string, VerificationKey>();
  #publicJwks: JWK[] = [];
  #jwksJson = '{"keys":[]}';
  #importCache = new Map<string, { publicKey: KeyObject; privateKey?: KeyObject }>();
  #timer: NodeJS.Timeout | undefined;
  #lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  #reloading: Promise<void> | undefined;

  constructor(options: KeyRingOptions) {
    this.#o = options;
  }

  /** Loads the keys, creates the first key (or rotates to the configured algorithm), then refreshes periodically. */
  async start(): Promise<void> {
    await this.reload();
    if (!this.#active) {
      await this.#createFirstKey();
    } else if (this.#active.alg !== this.#o.alg) {
      this.#o.logger.warn({ from: this.#active.alg, to: this.#o.alg }, 'signing algorithm changed; rotating key');
      await this.rotate();
    }
    await this.maintain();
    const interval = this.#o.refreshIntervalMs ?? DEFAULT_REFRESH_MS;
    this.#timer = setInterval(() => {
      this.maintain().catch((error) =>
        this.#o.logger[isStoreUnavailable(error) ? 'warn' : 'error']({ err: error }, 'signing key refresh failed'),
      );
    }, interval);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** True once an active key is loaded (readiness). */
  get ready(): boolean {
    return this.#active !== undefined;
  }

  /**
   * The key new tokens are signed with. A pending key takes over at its activation time by this replica's clock, so
   * every replica switches at the same moment whether or not it has re-read the store. Throws before `start()`.
   */
  activeKey(): ActiveSigningKey {
    const next = this.#next;
    if (next !== undefined && this.#o.clock.now() >= next.activatesAtMs) {
      this.#active = next.key;
      this.#next = undefined;
    }
    if (!this.#active) throw new Error('No active signing key loaded');
    return this.#active;
  }

  /** Calls `listener` with the kid whenever this ring rotated or promoted a key (to tell other replicas at once). */
  onChange(listener: (kid: string) => void): void {
    this.#changeListeners.push(listener);
  }

  /**
   * The key that verifies tokens carrying `kid`, or undefined when unknown, retired or past its `validUntil`. An unknown
   * kid triggers one store reload (at most every few seconds), so a key another replica just created is found.
   */
  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    const key = this.#usable(kid);
    if (key) return key;
    const now = this.#o.clock.now();
    if (now - this.#lastUnknownKidReload < (this.#o.unknownKidReloadMs ?? 5000)) return undefined;
    this.#lastUnknownKidReload = now;
    await this.reload();
    return this.#usable(kid);
  }

  /** The JWKS document: pending, active and still-valid retiring public keys, pre-serialized. */
  jwksJson(): string {
    return this.#jwksJson;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.#publicJwks };
  }

  /** Re-reads the keys from the store. Concurrent callers share one reload. */
  reload(): Promise<void> {
    this.#reloading ??= this.#load().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  /**
   * Periodic work: promote a pending key whose time has come, retire keys whose grace ended, schedule a rotation when
   * the active key is older than the period, reload.
   */
  async maintain(): Promise<void> {
    const now = isoNow(this.#o.clock);
    await this.#promoteDue(now);
    await this.#o.store.db
      .updateTable('signing_keys')
      .set({ state: 'retired', retired_at: now })
      .where('state', '=', 'retiring')
      .where('retire_after', '<=', now)
      .execute();
    await this.reload();
    const active = await this.#activeRow();
    if (active && this.#o.rotationDays > 0 && this.#next === undefined) {
      const dueAt = Date.parse(active.activated_at) + this.#o.rotationDays * 86_400_000;
      if (this.#o.clock.now() >= dueAt) {
        this.#o.logger.info({ kid: active.kid }, 'automatic signing key rotation');
        await this.rotate();
      }
    }
  }

  /**
   * Schedules the next signing key: it is published in the JWKS at once and signs from `PUBLISH_AHEAD_SECONDS` later,
   * when the current key becomes `retiring` and keeps verifying until every token it could have signed has expired.
   * One rotation at a time: while a key is pending, that key is the answer. `{ immediate: true }` (a key believed
   * compromised) makes the new key sign at once, although consumers holding a cached JWKS may refuse its tokens until
   * they refetch. When two replicas rotate at once, one wins and the other adopts its key. Returns the new kid.
   */
  async rotate(options: { readonly immediate?: boolean } = {}): Promise<string> {
    if (options.immediate) return this.#rotateNow();
    const pending = await this.#pendingRow();
    if (pending) return pending.kid;
    const key = await generateSigningKey(this.#o.alg, this.#o.kek);
    const now = this.#o.clock.now();
    const activatesAt = new Date(now + PUBLISH_AHEAD_SECONDS * 1000).toISOString();
    try {
      await insertKey(this.#o.store.db, key, 'pending', new Date(now).toISOString(), activatesAt);
      this.#o.logger.info({ kid: key.kid, activates_at: activatesAt }, 'next signing key published');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      this.#o.logger.info('another replica scheduled the next signing key at the same time; adopting its key');
    }
    await this.reload();
    const kid = (await this.#pendingRow())?.kid ?? this.activeKey().kid;
    this.#changed(kid);
    return kid;
  }

  async #rotateNow(): Promise<string> {
    const key = await generateSigningKey(this.#o.alg, this.#o.kek);
    const now = this.#o.clock.now();
    const nowIso = new Date(now).toISOString();
    // A replica that missed the notice signs with the old key until its next refresh: its tokens must verify too.
    const refreshSeconds = (this.#o.refreshIntervalMs ?? DEFAULT_REFRESH_MS) / 1000;
    const retireAfter = new Date(
      now + (this.#o.accessTokenTtlSeconds + CLOCK_SKEW_SECONDS + refreshSeconds) * 1000,
    ).toISOString();
    try {
      await this.#o.store.transaction(async (trx) => {
        await trx.deleteFrom('signing_keys').where('state', '=', 'pending').execute();
        await trx
          .updateTable('signing_keys')
          .set({ state: 'retiring', retire_after: retireAfter })
          .where('state', '=', 'active')
          .execute();
        await insertKey(trx, key, 'active', nowIso, nowIso);
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      this.#o.logger.info('another replica rotated the signing key at the same time; adopting its key');
    }
    await this.reload();
    const kid = this.activeKey().kid;
    this.#changed(kid);
    return kid;
  }

  /**
   * Makes a pending key whose activation time has passed the active one in the store; the previous key retires once
   * every token it could have signed (until that activation time) has expired. Serialized on the pending key's row,
   * so replicas promoting at once do it once.
   */
  async #promoteDue(nowIso: string): Promise<void> {
    const due = await this.#o.store.db
      .selectFrom('signing_keys')
      .select(['kid', 'activated_at'])
      .where('state', '=', 'pending')
      .where('activated_at', '<=', nowIso)
      .executeTakeFirst();
    if (!due) return;
    const retireAfter = new Date(
      Date.parse(due.activated_at) + (this.#o.accessTokenTtlSeconds + CLOCK_SKEW_SECONDS) * 1000,
    ).toISOString();
    const promoted = await this.#o.store.transaction(async (trx) => {
      // Locks the pending row (PostgreSQL) and tells whether it is still pending: another replica may have promoted it.
      const still = await trx
        .updateTable('signing_keys')
        .set({ state: 'pending' })
        .where('kid', '=', due.kid)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (Number(still.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('signing_keys')
        .set({ state: 'retiring', retire_after: retireAfter })
        .where('state', '=', 'active')
        .where('kid', '<>', due.kid)
        .execute();
      await trx.updateTable('signing_keys').set({ state: 'active' }).where('kid', '=', due.kid).execute();
      return true;
    });
    if (promoted) {
      this.#o.logger.info({ kid: due.kid }, 'signing key activated');
      this.#changed(due.kid);
    }
  }

  #changed(kid: string): void {
    for (const listener of this.#changeListeners) {
      try {
        listener(kid);
      } catch (error) {
        this.#o.logger.warn({ err: error }, 'signing key change listener failed');
      }
    }
  }

  /** Every key in the store, newest first (for `gatehouse keys list`). */
  async list(): Promise<SigningKeySummary[]> {
    const rows = await this.#o.store.db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      state: r.state as SigningKeyState,
      createdAt: r.created_at,
      activatedAt: r.activated_at,
      retireAfter: r.retire_after,
      retiredAt: r.retired_at,
    }));
  }

  #usable(kid: string): VerificationKey | undefined {
    const key = this.#verification.get(kid);
    if (!key) return undefined;
    if (key.validUntil !== undefined && this.#o.clock.now() >= key.validUntil) return undefined;
    return key;
  }

  async #createFirstKey(): Promise<void> {
    const key = await generateSigningKey(this.#o.alg, this.#o.kek);
    const now = isoNow(this.#o.clock);
    try {
      // No consumer can hold a token of ours yet: the first key signs at once.
      await insertKey(this.#o.store.db, key, 'active', now, now);
      this.#o.logger.info({ kid: key.kid, alg: key.alg }, 'created the first signing key');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    await this.reload();
  }

  #activeRow(): Promise<SigningKeysTable | undefined> {
    return this.#o.store.db.selectFrom('signing_keys').selectAll().where('state', '=', 'active').executeTakeFirst();
  }

  #pendingRow(): Promise<SigningKeysTable | undefined> {
    return this.#o.store.db.selectFrom('signing_keys').selectAll().where('state', '=', 'pending').executeTakeFirst();
  }

  async #load(): Promise<void> {
    const rows = await this.#o.store.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('state', 'in', ['pending', 'active', 'retiring'])
      .orderBy('activated_at', 'desc')
      .execute();
    const verification = new Map<string, VerificationKey>();
    const jwks: JWK[] = [];
    let active: ActiveSigningKey | undefined;
    let next: { key: ActiveSigningKey; activatesAtMs: number } | undefined;
    const now = this.#o.clock.now();
    for (const row of rows) {
      const validUntil = row.state === 'retiring' && row.retire_after ? Date.parse(row.retire_after) : undefined;
      if (validUntil !== undefined && validUntil <= now) continue;
      const imported = this.#import(row);
      // Checked on every load, not only at import: the cache is keyed by kid and a row's alg is read afresh each time.
      const alg = row.alg;
      if (!keyFitsAlgorithm(imported.publicKey, alg)) {
        // A row edited by hand, or a bug: never verify (or sign) with a key under an algorithm it was not made for.
        // Skipped rather than thrown, so one bad row does not stop every reload; without an active key /readyz fails.
        this.#o.logger.error({ kid: row.kid, alg: row.alg }, 'signing key does not fit its algorithm; ignored');
        continue;
      }
      verification.set(row.kid, { kid: row.kid, alg, publicKey: imported.publicKey, validUntil });
      jwks.push(JSON.parse(row.public_jwk) as JWK);
      if (row.state === 'retiring' || !imported.privateKey) continue;
      // Newest first: the first signing-capable key already active by this clock signs; a later pending one is next.
      const key = { kid: row.kid, alg, privateKey: imported.privateKey };
      const activatesAtMs = Date.parse(row.activated_at);
      if (row.state === 'pending' && activatesAtMs > now) next ??= { key, activatesAtMs };
      else active ??= key;
    }
    this.#verification = verification;
    this.#publicJwks = jwks;
    this.#jwksJson = JSON.stringify({ keys: jwks });
    this.#active = active;
    this.#next = next;
  }

  #import(row: SigningKeysTable): { publicKey: KeyObject; privateKey?: KeyObject } {
    const cached = this.#importCache.get(row.kid);
    const signs = row.state === 'active' || row.state === 'pending';
    if (cached && (!signs || cached.privateKey)) return cached;
    const publicKey = createPublicKey({ key: JSON.parse(row.public_jwk) as JsonWebKey, format: 'jwk' });
    let privateKey: KeyObject | undefined;
    if (signs) {
      const jwk = decryptPrivateJwk([this.#o.kek, ...(this.#o.previousKeks ?? [])], row.kid, row.private_jwk_encrypted);
      privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    }
    const entry = { publicKey, privateKey };
    this.#importCache.set(row.kid, entry);
    return entry;
  }
}

/** `Pick`, because relating a `Transaction<Database>` to a whole `Kysely<Database>` costs the type-check ~0.7 s. */
function insertKey(
  db: Pick<Kysely<Database>, 'insertInto'>,
  key: GeneratedSigningKey,
  state: 'active' | 'pending',
  createdAtIso: string,
  activatesAtIso: string,
) {
  return db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_encrypted: key.privateJwkEncrypted,
      state,
      created_at: createdAtIso,
      activated_at: activatesAtIso,
      retire_after: null,
      retired_at: null,
    })
    .execute();
}
