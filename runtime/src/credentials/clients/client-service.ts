import type { Transaction } from 'kysely';
import { isoNow } from '../../clock.js';
import { hashSecret } from '../../crypto/secret-hash.js';
import { conflict, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { ApiClientSecretsTable, Database } from '../../store/schema.js';
import { type AuditContext, actorName, createdByView, recordChange } from '../audit-context.js';
import type { CredentialServiceOptions } from '../bus-wired-credential.js';
import { grantableScopes } from '../grantable-scopes.js';
import { randomSecret } from '../random-secret.js';
import { MAX_ACTIVE_CLIENT_SECRETS, splitScopes } from './client-records.js';

export interface ClientSecretView {
  readonly secret_id: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
}

export interface ApiClientView {
  readonly client_id: string;
  readonly name: string;
  readonly scopes: string[];
  readonly org_id: string;
  readonly team_id: string | null;
  readonly created_by: string;
  readonly created_at: string;
  /** Active secrets (metadata only; a secret is shown once, when it is created). */
  readonly secrets: ClientSecretView[];
}

export interface NewClientSecret {
  readonly client_id: string;
  readonly secret_id: string;
  /** Shown once. The store keeps only HMAC-SHA-256(pepper, secret). */
  readonly client_secret: string;
  readonly created_at: string;
}

/**
 * The part of the tenancy a caller may act on: its org, and its team when the caller is team-bound (null: the whole
 * org). Clients are created in, listed from and changed within it only; anything outside is `not_found`.
 */
export interface ClientTenant {
  readonly orgId: string;
  readonly teamId: string | null;
}

/** The caller creating a client: its tenant and the permissions it may pass on. */
export interface ClientOwner extends ClientTenant {
  readonly permissions: readonly string[];
}

/**
 * API clients (OAuth `client_credentials` callers) and their secrets. Every change is audited; deletions and secret
 * changes call `onChange` so the token endpoint's cache forgets the client on every replica at once.
 */
export class ClientService {
  readonly #o: CredentialServiceOptions;

  constructor(options: CredentialServiceOptions) {
    this.#o = options;
  }

  /** Creates a client with one secret. Scopes (product scopes or management permissions) must be held by the caller. */
  async create(
    input: { name: string; scopes: readonly string[] },
    owner: ClientOwner,
    who: AuditContext,
  ): Promise<{ client: ApiClientView; secret: NewClientSecret }> {
    const scopes = grantableScopes(this.#o.catalog, input.scopes, owner.permissions, {
      field: 'body.scopes',
      allowManagementPermissions: true,
    });
    const clientId = newId('cli');
    const secret = randomSecret();
    const secretId = newId('sec');
    const now = isoNow(this.#o.clock);
    await this.#o.store.transaction(async (trx) => {
      await trx
        .insertInto('api_clients')
        .values({
          // The public client_id doubles as the row id: one identifier for a client everywhere.
          id: clientId,
          client_id: clientId,
          name: input.name,
          scopes: scopes.join(' '),
          org_id: owner.orgId,
          team_id: owner.teamId,
          created_by: actorName(who.actor),
          created_at: now,
          revoked_at: null,
        })
        .execute();
      await trx
        .insertInto('api_client_secrets')
        .values(this.#secretRow(secretId, clientId, secret, now))
        .execute();
    });
    await this.#record('client.created', clientId, owner.orgId, who, { name: input.name, scopes, secret_id: secretId });
    return {
      client: {
        client_id: clientId,
        name: input.name,
        scopes,
        org_id: owner.orgId,
        team_id: owner.teamId,
        created_by: actorName(who.actor),
        created_at: now,
        secrets: [{ secret_id: secretId, created_at: now, last_used_at: null }],
      },
      secret: { client_id: clientId, secret_id: secretId, client_secret: secret, created_at: now },
    };
  }

  /** Clients of the tenant that are not deleted, newest first, with their active secrets' metadata. */
  async list(tenant: ClientTenant): Promise<ApiClientView[]> {
    // Optional filters are added to the builder by reassignment, not with `$if`: inferring `$if`'s callback type
    // costs the type-check about 0.35 s.
    let query = this.#o.store.db
      .selectFrom('api_clients')
      .selectAll()
      .where('org_id', '=', tenant.orgId)
      .where('revoked_at', 'is', null);
    if (tenant.teamId !== null) query = query.where('team_id', '=', tenant.teamId);
    const clients = await query.orderBy('created_at', 'desc').orderBy('client_id').execute();
    if (clients.length === 0) return [];
    const secrets = await this.#o.store.db
      .selectFrom('api_client_secrets')
      .select(['id', 'client_ref', 'created_at', 'last_used_at'])
      .where(
        'client_ref',
        'in',
        clients.map((c) => c.id),
      )
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .execute();
    return clients.map((c) => ({
      client_id: c.client_id,
      name: c.name,
      scopes: splitScopes(c.scopes),
      org_id: c.org_id,
      team_id: c.team_id,
      created_by: createdByView(c.created_by),
      created_at: c.created_at,
      secrets: secrets
        .filter((s) => s.client_ref === c.id)
        .map((s) => ({ secret_id: s.id, created_at: s.created_at, last_used_at: s.last_used_at })),
    }));
  }

  /** Deletes (revokes) a client and all its secrets; effective at once on every replica. */
  async delete(tenant: ClientTenant, clientId: string, who: AuditContext): Promise<void> {
    const now = isoNow(this.#o.clock);
    const deleted = await this.#o.store.transaction(async (trx) => {
      let update = trx
        .updateTable('api_clients')
        .set({ revoked_at: now })
        .where('client_id', '=', clientId)
        .where('org_id', '=', tenant.orgId)
        .where('revoked_at', 'is', null);
      if (tenant.teamId !== null) update = update.where('team_id', '=', tenant.teamId);
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx
        .updateTable('api_client_secrets')
        .set({ revoked_at: now })
        .where('client_ref', '=', clientId)
        .where('revoked_at', 'is', null)
        .execute();
      return true;
    });
    if (!deleted) throw notFound(`No API client ${clientId} in this organization`);
    await this.#o.onChange(clientId);
    await this.#record('client.deleted', clientId, tenant.orgId, who, {});
  }

  /** Adds a secret so the client can switch without downtime; refused when it already has the maximum active. */
  async addSecret(tenant: ClientTenant, clientId: string, who: AuditContext): Promise<NewClientSecret> {
    const secret = randomSecret();
    const secretId = newId('sec');
    const now = isoNow(this.#o.clock);
    await this.#o.store.transaction(async (trx) => {
      // Lock the client row on PostgreSQL so two concurrent additions cannot both pass the count below.
      let select = findClient(trx, tenant, clientId);
      if (this.#o.store.dialect === 'postgres') select = select.forUpdate();
      const client = await select.executeTakeFirst();
      if (!client) throw notFound(`No API client ${clientId} in this organization`);
      const { count } = await trx
        .selectFrom('api_client_secrets')
        .select((eb) => eb.fn.countAll<string | number>().as('count'))
        .where('client_ref', '=', client.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(count) >= MAX_ACTIVE_CLIENT_SECRETS) {
        throw conflict(
          `API client ${clientId} already has ${MAX_ACTIVE_CLIENT_SECRETS} active secrets; delete the old one first (DELETE /api/v1/clients/${clientId}/secrets/{secret_id})`,
        );
      }
      await trx
        .insertInto('api_client_secrets')
        .values(this.#secretRow(secretId, client.id, secret, now))
        .execute();
    });
    await this.#o.onChange(clientId);
    await this.#record('client.secret_added', clientId, tenant.orgId, who, { secret_id: secretId });
    return { client_id: clientId, secret_id: secretId, client_secret: secret, created_at: now };
  }

  /** Revokes one secret of a client; effective at once on every replica. */
  async revokeSecret(tenant: ClientTenant, clientId: string, secretId: string, who: AuditContext): Promise<void> {
    const now = isoNow(this.#o.clock);
    const revoked = await this.#o.store.transaction(async (trx) => {
      const client = await findClient(trx, tenant, clientId).executeTakeFirst();
      if (!client) return false;
      const result = await trx
        .updateTable('api_client_secrets')
        .set({ revoked_at: now })
        .where('id', '=', secretId)
        .where('client_ref', '=', client.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
    if (!revoked) throw notFound(`No active secret ${secretId} on API client ${clientId} in this organization`);
    await this.#o.onChange(clientId);
    await this.#record('client.secret_revoked', clientId, tenant.orgId, who, { secret_id: secretId });
  }

  /** A new, active, non-expiring secret row; only the keyed hash of `secret` is stored. */
  #secretRow(id: string, clientRef: string, secret: string, now: string): ApiClientSecretsTable {
    return {
      id,
      client_ref: clientRef,
      secret_hash: hashSecret(this.#o.pepper, secret),
      created_at: now,
      expires_at: null,
      last_used_at: null,
      revoked_at: null,
    };
  }

  #record(kind: string, clientId: string, orgId: string, who: AuditContext, details: Record<string, unknown>) {
    return recordChange(this.#o.audit, who, { kind, orgId, target: clientId, credentialId: clientId, details });
  }
}

/** The live client `clientId` within `tenant` (select of its row id). */
function findClient(trx: Transaction<Database>, tenant: ClientTenant, clientId: string) {
  const select = trx
    .selectFrom('api_clients')
    .select('id')
    .where('client_id', '=', clientId)
    .where('org_id', '=', tenant.orgId)
    .where('revoked_at', 'is', null);
  return tenant.teamId === null ? select : select.where('team_id', '=', tenant.teamId);
}
