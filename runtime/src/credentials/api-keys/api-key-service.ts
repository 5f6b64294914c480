import { makePrincipal, type Principal } from '../../auth/principal.js';
import { isoIn, isoNow } from '../../clock.js';
import { conflict, notFound } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import { newId } from '../../ids.js';
import type { InvalidationBus } from '../../invalidation/bus.js';
import {
  API_KEY_HEADER,
  apiKeyEnvironmentFor,
  type GeneratedApiKey,
  generateApiKey,
  hashApiKeySecret,
  KEY_ID_LENGTH,
} from '../api-key-format.js';
import type { AuditContext } from '../audit-context.js';
import { assertHeld, grantableScopes } from '../grantable-scopes.js';
import { type ApiKeyRecords, type ApiKeyRow, type ApiKeyStatus, apiKeyStatus } from './api-key-records.js';
import { API_KEY_CREATED_TOPIC, API_KEY_TOPIC } from './api-key-resolver.js';

export interface CreateApiKeyInput {
  readonly name: string;
  readonly description?: string | undefined;
  readonly scopes: readonly string[];
  /** Lifetime in days; omitted means the key does not expire. */
  readonly expiresInDays?: number | undefined;
  /** Requests per minute (0: unlimited); null or omitted: the default for API keys. */
  readonly rateLimitPerMinute?: number | null | undefined;
}

/** The 201 body of create (and, with the rotation fields, of rotate). The only time `api_key` is ever shown. */
export interface IssuedApiKey {
  readonly id: string;
  readonly key_id: string;
  readonly api_key: string;
  readonly name: string;
  readonly scopes: string[];
  readonly created_at: string;
  readonly expires_at: string | null;
  /** The key's own request budget per minute (0: unlimited); null: `RATE_LIMIT_API_KEY_PER_MINUTE`. */
  readonly rate_limit_per_minute: number | null;
  readonly header_name: typeof API_KEY_HEADER;
}

export interface RotatedApiKey extends IssuedApiKey {
  /** `id` of the key this one replaces. */
  readonly rotated_from: string;
  readonly previous_key_id: string;
  /** When the replaced key stops working (now, for a grace period of 0). */
  readonly previous_key_valid_until: string;
}

/** A key in a listing: never its secret nor its hash. */
export interface ApiKeySummary {
  readonly id: string;
  readonly key_id: string;
  readonly name: string;
  readonly description: string | null;
  readonly role: string | null;
  readonly scopes: string[];
  readonly status: ApiKeyStatus;
  readonly owner: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
  readonly rotated_from: string | null;
  readonly grace_until: string | null;
  readonly rate_limit_per_minute: number | null;
}

const DAY_SECONDS = 86_400;
const scopeList = (row: Pick<ApiKeyRow, 'scopes'>): string[] => row.scopes.split(' ').filter(Boolean);

/**
 * API key management: create (secret shown once), list, revoke, rotate with a grace period. Callers act within their
 * org (and team, when bound to one), can never grant a permission they do not hold, and every change is audited and
 * invalidates caches on every replica.
 */
/** An API key's row id, as listed and returned on creation. */
const ROW_ID = /^key_[a-z0-9]{20}$/;
/** An API key's public key id (base62, fixed length), as in `sk_live_<key_id>...` and `api_key:<key_id>`. */
const KEY_ID = new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`);

export class ApiKeyService {
  readonly #ctx: AppContext;
  readonly #records: ApiKeyRecords;
  readonly #bus: InvalidationBus;

  constructor(ctx: AppContext, records: ApiKeyRecords, bus: InvalidationBus) {
    this.#ctx = ctx;
    this.#records = records;
    this.#bus = bus;
  }

  async create(caller: Principal, input: CreateApiKeyInput, source: AuditContext): Promise<IssuedApiKey> {
    const scopes = grantableScopes(this.#ctx.config.catalog, input.scopes, caller.permissions, {
      field: 'body.scopes',
      allowManagementPermissions: true,
    });
    const key = generateApiKey(apiKeyEnvironmentFor(this.#ctx.config.isProduction));
    const row = this.#newRow(key, {
      name: input.name,
      description: input.description ?? null,
      role: null,
      scopes,
      ownerKind: caller.kind,
      ownerSubject: caller.subject,
      orgId: caller.orgId,
      teamId: caller.teamId,
      expiresAt: input.expiresInDays === undefined ? null : isoIn(this.#ctx.clock, input.expiresInDays * DAY_SECONDS),
      rotatedFrom: null,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
    });
    await this.#records.insert(row);
    // Replicas may remember this key_id as unknown (negative cache): the notice drops that.
    await this.#bus.publish(API_KEY_CREATED_TOPIC, row.key_id);
    await this.#audited('api_key.created', row, source, {
      details: { name: row.name, scopes, expires_at: row.expires_at, rate_limit_per_minute: row.rate_limit_per_minute },
    });
    return issued(row, key);
  }

  /** One audit row about `row` (its key_id as the credential unless given, its id as the target), by `source`. */
  async #audited(
    kind: string,
    row: ApiKeyRow,
    source: AuditContext,
    extra: { readonly credentialId?: string; readonly reason?: string; readonly details: Record<string, unknown> },
  ): Promise<void> {
    await this.#ctx.audit.record({
      kind,
      outcome: 'success',
      actor: source.actor,
      credentialId: extra.credentialId ?? row.key_id,
      orgId: row.org_id,
      target: row.id,
      reason: extra.reason,
      ip: source.ip,
      userAgent: source.userAgent,
      details: extra.details,
    });
  }

  async list(caller: Principal, limit: number): Promise<ApiKeySummary[]> {
    const rows = await this.#records.list(caller, limit);
    const now = isoNow(this.#ctx.clock);
    return rows.map((row) => summary(row, now));
  }

  async get(caller: Principal, id: string): Promise<ApiKeySummary> {
    return summary(await this.#find(caller, id), isoNow(this.#ctx.clock));
  }

  /**
   * Sets the key's request budget per minute (null: back to the default for API keys). Applies from the key's next
   * request on every replica: the change evicts the key from every credential cache.
   */
  async setRateLimit(
    caller: Principal,
    id: string,
    rateLimitPerMinute: number | null,
    source: AuditContext,
  ): Promise<ApiKeySummary> {
    const row = await this.#find(caller, id);
    await this.#records.setRateLimit(row.id, rateLimitPerMinute);
    await this.#bus.publish(API_KEY_TOPIC, row.key_id);
    await this.#audited('api_key.updated', row, source, {
      details: { rate_limit_per_minute: rateLimitPerMinute, previous: row.rate_limit_per_minute },
    });
    return summary({ ...row, rate_limit_per_minute: rateLimitPerMinute }, isoNow(this.#ctx.clock));
  }

  /** Revokes at once, here and on every replica. Idempotent: revoking a revoked key changes nothing. */
  async revoke(caller: Principal, id: string, source: AuditContext): Promise<void> {
    const row = await this.#find(caller, id);
    if (!(await this.#records.revoke(row.id, 'revoked'))) return;
    await this.#bus.publish(API_KEY_TOPIC, row.key_id);
    await this.#audited('api_key.revoked', row, source, { reason: 'revoked', details: { name: row.name } });
  }

  /**
   * Issues a replacement with the same name, scopes, role, lifetime length and request budget (unless
   * `rateLimitPerMinute` names another); the old key keeps working for `gracePeriodSeconds` (0: refused at once). Only
   * an active key can be rotated, once.
   */
  async rotate(
    caller: Principal,
    id: string,
    gracePeriodSeconds: number,
    source: AuditContext,
    rateLimitPerMinute?: number | null,
  ): Promise<RotatedApiKey> {
    const old = await this.#find(caller, id);
    const status = apiKeyStatus(old, isoNow(this.#ctx.clock));
    if (status !== 'active') {
      throw conflict(
        status === 'rotating'
          ? 'The API key was already rotated; rotate its replacement instead'
          : `The API key is ${status}; create a new key instead`,
      );
    }
    // The replacement carries the old key's permissions: the caller must hold them, as for a new key.
    const held = makePrincipal(this.#ctx.config.catalog, {
      kind: 'api_key',
      subject: old.key_id,
      role: old.role,
      scopes: scopeList(old),
      orgId: old.org_id,
      credentialId: old.key_id,
    }).permissions;
    assertHeld(held, caller.permissions);

    const key = generateApiKey(apiKeyEnvironmentFor(this.#ctx.config.isProduction));
    const lifetimeMs = old.expires_at ? Date.parse(old.expires_at) - Date.parse(old.created_at) : undefined;
    const replacement = this.#newRow(key, {
      name: old.name,
      description: old.description,
      role: old.role,
      scopes: scopeList(old),
      ownerKind: old.owner_kind,
      ownerSubject: old.owner_subject,
      orgId: old.org_id,
      teamId: old.team_id,
      expiresAt: lifetimeMs === undefined ? null : isoIn(this.#ctx.clock, lifetimeMs / 1000),
      rotatedFrom: old.id,
      rateLimitPerMinute: rateLimitPerMinute === undefined ? old.rate_limit_per_minute : rateLimitPerMinute,
    });
    const graceUntil = isoIn(this.#ctx.clock, gracePeriodSeconds);
    if (!(await this.#records.rotate(old, replacement, graceUntil))) {
      throw conflict('The API key was rotated or revoked meanwhile');
    }
    await this.#bus.publish(API_KEY_TOPIC, old.key_id);
    await this.#bus.publish(API_KEY_CREATED_TOPIC, replacement.key_id);
    await this.#audited('api_key.rotated', old, source, {
      credentialId: replacement.key_id,
      reason: 'rotated',
      details: { previous_key_id: old.key_id, grace_period_seconds: gracePeriodSeconds, new_id: replacement.id },
    });
    return {
      ...issued(replacement, key),
      rotated_from: old.id,
      previous_key_id: old.key_id,
      previous_key_valid_until: graceUntil,
    };
  }

  /** A key of the caller's scope named by its `id` (`key_...`) or its public `key_id` (the part after `sk_live_`). */
  async #find(caller: Principal, id: string): Promise<ApiKeyRow> {
    let row: ApiKeyRow | undefined;
    if (ROW_ID.test(id)) row = await this.#records.findInScope(id, caller);
    else if (KEY_ID.test(id)) row = await this.#records.findInScope(id, caller, 'key_id');
    if (!row) throw notFound('No such API key');
    return row;
  }

  #newRow(
    key: GeneratedApiKey,
    fields: {
      name: string;
      description: string | null;
      role: string | null;
      scopes: readonly string[];
      ownerKind: string;
      ownerSubject: string;
      orgId: string;
      teamId: string | null;
      expiresAt: string | null;
      rotatedFrom: string | null;
      rateLimitPerMinute: number | null;
    },
  ): ApiKeyRow {
    return {
      id: newId('key'),
      key_id: key.keyId,
      secret_hash: hashApiKeySecret(this.#ctx.config.apiKeyPepper, key.secret),
      environment: key.environment,
      name: fields.name,
      description: fields.description,
      role: fields.role,
      scopes: fields.scopes.join(' '),
      owner_kind: fields.ownerKind,
      owner_subject: fields.ownerSubject,
      org_id: fields.orgId,
      team_id: fields.teamId,
      created_at: isoNow(this.#ctx.clock),
      expires_at: fields.expiresAt,
      last_used_at: null,
      revoked_at: null,
      revoked_reason: null,
      rotated_from: fields.rotatedFrom,
      grace_until: null,
      rate_limit_per_minute: fields.rateLimitPerMinute,
    };
  }
}

function issued(row: ApiKeyRow, key: GeneratedApiKey): IssuedApiKey {
  return {
    id: row.id,
    key_id: row.key_id,
    api_key: key.apiKey,
    name: row.name,
    scopes: scopeList(row),
    created_at: row.created_at,
    expires_at: row.expires_at,
    rate_limit_per_minute: row.rate_limit_per_minute,
    header_name: API_KEY_HEADER,
  };
}

function summary(row: ApiKeyRow, now: string): ApiKeySummary {
  return {
    id: row.id,
    key_id: row.key_id,
    name: row.name,
    description: row.description,
    role: row.role,
    scopes: scopeList(row),
    status: apiKeyStatus(row, now),
    owner: row.owner_subject,
    created_at: row.created_at,
    expires_at: row.expires_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
    rotated_from: row.rotated_from,
    grace_until: row.grace_until,
    rate_limit_per_minute: row.rate_limit_per_minute,
  };
}
