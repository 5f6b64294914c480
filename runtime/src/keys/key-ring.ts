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

export type SigningKeyState = 'active' | 'retiring' | 'retired';

export interface SigningKeySummary {
  readonly kid: string;
  readonly alg: string;
  readonly state: SigningKeyState;
  readonly createdAt: string;
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
    const interval = this.#o.refreshIntervalMs ?? 60_000;
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

  /** The key new tokens are signed with. Throws before `start()` completed. */
  activeKey(): ActiveSigningKey {
    if (!this.#active) throw new Error('No active signing key loaded');
    return this.#active;
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

  /** The JWKS document: active and still-valid retiring public keys, pre-serialized. */
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

  /** Periodic work: retire keys whose grace ended, rotate when the active key is older than the period, reload. */
  async maintain(): Promise<void> {
    const now = isoNow(this.#o.clock);
    await this.#o.store.db
      .updateTable('signing_keys')
      .set({ state: 'retired', retired_at: now })
      .where('state', '=', 'retiring')
      .where('retire_after', '<=', now)
      .execute();
    await this.reload();
    const active = await this.#activeRow();
    if (active && this.#o.rotationDays > 0) {
      const dueAt = Date.parse(active.activated_at) + this.#o.rotationDays * 86_400_000;
      if (this.#o.clock.now() >= dueAt) {
        this.#o.logger.info({ kid: active.kid }, 'automatic signing key rotation');
        await this.rotate();
      }
    }
  }

  /**
   * Makes a new active key; the previous one becomes `retiring` and keeps verifying until every token it signed has
   * expired. When two replicas rotate at once, one wins and the other adopts its key. Returns the new active kid.
   */
  async rotate(): Promise<string> {
    const key = await generateSigningKey(this.#o.alg, this.#o.kek);
    const now = this.#o.clock.now();
    const nowIso = new Date(now).toISOString();
    const retireAfter = new Date(now + (this.#o.accessTokenTtlSeconds + CLOCK_SKEW_SECONDS) * 1000).toISOString();
    try {
      await this.#o.store.transaction(async (trx) => {
        await trx
          .updateTable('signing_keys')
          .set({ state: 'retiring', retire_after: retireAfter })
          .where('state', '=', 'active')
          .execute();
        await insertActiveKey(trx, key, nowIso);
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      this.#o.logger.info('another replica rotated the signing key at the same time; adopting its key');
    }
    await this.reload();
    return this.activeKey().kid;
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
      await insertActiveKey(this.#o.store.db, key, now);
      this.#o.logger.info({ kid: key.kid, alg: key.alg }, 'created the first signing key');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    await this.reload();
  }

  #activeRow(): Promise<SigningKeysTable | undefined> {
    return this.#o.store.db.selectFrom('signing_keys').selectAll().where('state', '=', 'active').executeTakeFirst();
  }

  async #load(): Promise<void> {
    const rows = await this.#o.store.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('state', 'in', ['active', 'retiring'])
      .orderBy('activated_at', 'desc')
      .execute();
    const verification = new Map<string, VerificationKey>();
    const jwks: JWK[] = [];
    let active: ActiveSigningKey | undefined;
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
      if (row.state === 'active' && imported.privateKey) {
        active = { kid: row.kid, alg, privateKey: imported.privateKey };
      }
    }
    this.#verification = verification;
    this.#publicJwks = jwks;
    this.#jwksJson = JSON.stringify({ keys: jwks });
    this.#active = active;
  }

  #import(row: SigningKeysTable): { publicKey: KeyObject; privateKey?: KeyObject } {
    const cached = this.#importCache.get(row.kid);
    if (cached && (row.state !== 'active' || cached.privateKey)) return cached;
    const publicKey = createPublicKey({ key: JSON.parse(row.public_jwk) as JsonWebKey, format: 'jwk' });
    let privateKey: KeyObject | undefined;
    if (row.state === 'active') {
      const jwk = decryptPrivateJwk([this.#o.kek, ...(this.#o.previousKeks ?? [])], row.kid, row.private_jwk_encrypted);
      privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    }
    const entry = { publicKey, privateKey };
    this.#importCache.set(row.kid, entry);
    return entry;
  }
}

/** `Pick`, because relating a `Transaction<Database>` to a whole `Kysely<Database>` costs the type-check ~0.7 s. */
function insertActiveKey(db: Pick<Kysely<Database>, 'insertInto'>, key: GeneratedSigningKey, nowIso: string) {
  return db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_encrypted: key.privateJwkEncrypted,
      state: 'active',
      created_at: nowIso,
      activated_at: nowIso,
      retire_after: null,
      retired_at: null,
    })
    .execute();
}
