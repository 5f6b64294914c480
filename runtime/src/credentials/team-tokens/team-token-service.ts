import type { Principal } from '../../auth/principal.js';
import { isoNow } from '../../clock.js';
import { hashSecret } from '../../crypto/secret-hash.js';
import { invalidRequest, notFound } from '../../errors.js';
import type { OrgDirectory } from '../../orgs/org-directory.js';
import type { TeamTokensTable } from '../../store/schema.js';
import { type AuditContext, actorName, createdByView, recordChange } from '../audit-context.js';
import type { CredentialServiceOptions } from '../bus-wired-credential.js';
import { assertHeld, grantableScopes } from '../grantable-scopes.js';
import { generateTeamToken } from './team-token-format.js';

export type TeamTokenKind = 'team' | 'admin';

/** What every team token holds besides its granted product scopes (the team's own configuration). */
export const TEAM_TOKEN_PERMISSIONS = ['team:read', 'team:write'] as const;
/** What every org admin token holds besides its granted product scopes: all teams, tokens, audit, org settings. */
export const ADMIN_TOKEN_PERMISSIONS = ['tokens:manage', 'team:read', 'team:write', 'audit:read'] as const;

export interface TeamTokenView {
  readonly token_id: string;
  readonly kind: TeamTokenKind;
  readonly org_id: string;
  /** Team row id (`team_...`); null for org admin tokens. */
  readonly team_id: string | null;
  readonly name: string | null;
  /** Everything the token holds: the kind's permissions plus the granted scopes, in catalog order. */
  readonly permissions: string[];
  readonly created_by: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
  readonly status: 'active' | 'expired' | 'revoked';
}

export interface IssuedTeamToken extends TeamTokenView {
  /** `<tokid>.<toksecret>`, shown once. */
  readonly token: string;
}

export interface IssueTeamTokenInput {
  readonly name?: string | undefined;
  /** Product scopes granted on top of the kind's permissions; the caller must hold each. */
  readonly scopes?: readonly string[] | undefined;
  /** Shorter lifetime than the org policy allows, in seconds. Default: the org policy. */
  readonly expires_in_seconds?: number | undefined;
}

export interface TeamTokenServiceOptions extends CredentialServiceOptions {
  /** The org policy sets a token's lifetime. */
  readonly orgs: OrgDirectory;
}

/**
 * Issues, lists and revokes team tokens and org admin tokens. Tenant checks (is the caller in this org, is the
 * target team theirs) are made by the routes with `orgs/org-scope.ts`; this service additionally only ever finds
 * tokens within the org it is given.
 */
export class TeamTokenService {
  readonly #o: TeamTokenServiceOptions;

  constructor(options: TeamTokenServiceOptions) {
    this.#o = options;
  }

  /** A team token for team row `teamId` of `orgId`. */
  issueTeamToken(orgId: string, teamId: string, input: IssueTeamTokenInput, caller: Principal, who: AuditContext) {
    return this.#issue('team', orgId, teamId, input, caller, who);
  }

  /** An org-wide admin token for `orgId`. */
  issueAdminToken(orgId: string, input: IssueTeamTokenInput, caller: Principal, who: AuditContext) {
    return this.#issue('admin', orgId, null, input, caller, who);
  }

  async #issue(
    kind: TeamTokenKind,
    orgId: string,
    teamId: string | null,
    input: IssueTeamTokenInput,
    caller: Principal,
    who: AuditContext,
  ): Promise<IssuedTeamToken> {
    const catalog = this.#o.catalog;
    const granted = grantableScopes(catalog, input.scopes ?? [], caller.permissions, {
      field: 'body.scopes',
      allowManagementPermissions: false,
    });
    const base = kind === 'team' ? TEAM_TOKEN_PERMISSIONS : ADMIN_TOKEN_PERMISSIONS;
    assertHeld(base, caller.permissions);
    const wanted = new Set<string>([...base, ...granted]);
    const permissions = catalog.permissionValues.filter((p) => wanted.has(p));

    const org = await this.#o.orgs.getOrg(orgId);
    const policySeconds = kind === 'team' ? org.team_token_ttl_seconds : org.admin_token_ttl_seconds;
    const ttlSeconds = input.expires_in_seconds ?? policySeconds;
    if (ttlSeconds > policySeconds) {
      throw invalidRequest(
        `body.expires_in_seconds: at most ${policySeconds} (the organization's ${kind} token policy); got ${ttlSeconds}`,
      );
    }

    const generated = generateTeamToken();
    const now = this.#o.clock.now();
    const row: TeamTokensTable = {
      token_id: generated.tokenId,
      secret_hash: hashSecret(this.#o.pepper, generated.secret),
      kind,
      org_id: orgId,
      team_id: teamId,
      name: input.name ?? null,
      scopes: permissions.join(' '),
      created_by: actorName(who.actor),
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + ttlSeconds * 1000).toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.#o.store.db.insertInto('team_tokens').values(row).execute();
    await recordChange(this.#o.audit, who, {
      kind: `${kind}_token.created`,
      orgId,
      target: teamId ?? orgId,
      credentialId: row.token_id,
      details: { name: row.name, permissions, expires_at: row.expires_at },
    });
    return { ...this.#view(row, now), token: generated.token };
  }

  /** Tokens of one kind in `orgId` (for team tokens: of team row `teamId`), newest first, with their status. */
  async list(orgId: string, kind: TeamTokenKind, teamId: string | null): Promise<TeamTokenView[]> {
    let query = this.#o.store.db
      .selectFrom('team_tokens')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('kind', '=', kind);
    if (teamId !== null) query = query.where('team_id', '=', teamId);
    const rows = await query.orderBy('created_at', 'desc').orderBy('token_id').execute();
    const now = this.#o.clock.now();
    return rows.map((row) => this.#view(row, now));
  }

  /** The token `tokenId` if it belongs to `orgId`; `not_found` otherwise (another org's tokens do not exist here). */
  async get(orgId: string, tokenId: string): Promise<TeamTokenView> {
    const row = await this.#o.store.db
      .selectFrom('team_tokens')
      .selectAll()
      .where('token_id', '=', tokenId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!row) throw notFound(`No token ${tokenId} in organization ${orgId}`);
    return this.#view(row, this.#o.clock.now());
  }

  /**
   * Revokes `tokenId` of `orgId` (idempotent: revoking a revoked token changes nothing and writes no second row).
   * Effective at once on every replica.
   */
  async revoke(orgId: string, tokenId: string, who: AuditContext): Promise<TeamTokenView> {
    const token = await this.get(orgId, tokenId);
    if (token.revoked_at !== null) return token;
    const now = isoNow(this.#o.clock);
    await this.#o.store.db
      .updateTable('team_tokens')
      .set({ revoked_at: now })
      .where('token_id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .execute();
    await this.#o.onChange(tokenId);
    await recordChange(this.#o.audit, who, {
      kind: `${token.kind}_token.revoked`,
      orgId,
      target: token.team_id ?? orgId,
      credentialId: tokenId,
    });
    return { ...token, revoked_at: now, status: 'revoked' };
  }

  #view(row: TeamTokensTable, nowMs: number): TeamTokenView {
    const expired = row.expires_at !== null && Date.parse(row.expires_at) <= nowMs;
    return {
      token_id: row.token_id,
      kind: row.kind as TeamTokenKind,
      org_id: row.org_id,
      team_id: row.team_id,
      name: row.name,
      permissions: row.scopes.split(' ').filter(Boolean),
      created_by: createdByView(row.created_by),
      created_at: row.created_at,
      expires_at: row.expires_at,
      last_used_at: row.last_used_at,
      revoked_at: row.revoked_at,
      status: row.revoked_at !== null ? 'revoked' : expired ? 'expired' : 'active',
    };
  }
}
