import { type Clock, isoNow } from '../clock.js';
import { conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { OrgsTable, TeamsTable } from '../store/schema.js';
import { isUniqueViolation, type Store } from '../store/store.js';

/** Lifetime of a new team token when the org sets none, in seconds (90 days). */
export const DEFAULT_TEAM_TOKEN_TTL_SECONDS = 90 * 24 * 3600;
/** Lifetime of a new org admin token when the org sets none, in seconds (30 days): admin tokens are stronger. */
export const DEFAULT_ADMIN_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** Bounds an org may set for either lifetime, in seconds: 5 minutes to 2 years. */
export const MIN_TOKEN_TTL_SECONDS = 300;
export const MAX_TOKEN_TTL_SECONDS = 2 * 365 * 24 * 3600;

export interface OrgView {
  readonly id: string;
  readonly name: string;
  /** Effective policy (the org's value, or the runtime default), in seconds. */
  readonly team_token_ttl_seconds: number;
  readonly admin_token_ttl_seconds: number;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface TeamView {
  /** Row id (`team_...`): what tokens, `/auth/me` and `X-Auth-Team` carry as `team_id`. */
  readonly id: string;
  readonly org_id: string;
  /** URL name, unique within the org: `/api/v1/orgs/{org}/teams/{slug}`. */
  readonly slug: string;
  readonly name: string;
  readonly created_at: string;
}

export const orgView = (row: OrgsTable): OrgView => ({
  id: row.id,
  name: row.name,
  team_token_ttl_seconds: row.team_token_ttl_seconds ?? DEFAULT_TEAM_TOKEN_TTL_SECONDS,
  admin_token_ttl_seconds: row.admin_token_ttl_seconds ?? DEFAULT_ADMIN_TOKEN_TTL_SECONDS,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

const teamView = (row: TeamsTable): TeamView => ({
  id: row.id,
  org_id: row.org_id,
  slug: row.slug,
  name: row.name,
  created_at: row.created_at,
});

/** Orgs, their teams and their token-lifetime policy. Lookups are scoped: a team is always found within one org. */
export class OrgDirectory {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async getOrg(orgId: string): Promise<OrgView> {
    const row = await this.#store.db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
    if (!row) throw notFound(`No organization ${orgId}`);
    return orgView(row);
  }

  async createOrg(input: {
    id: string;
    name: string;
    team_token_ttl_seconds?: number | undefined;
    admin_token_ttl_seconds?: number | undefined;
  }): Promise<OrgView> {
    const now = isoNow(this.#clock);
    const row: OrgsTable = {
      id: input.id,
      name: input.name,
      team_token_ttl_seconds: input.team_token_ttl_seconds ?? null,
      admin_token_ttl_seconds: input.admin_token_ttl_seconds ?? null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.#store.db.insertInto('orgs').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`An organization ${input.id} already exists`);
      throw error;
    }
    return orgView(row);
  }

  /** Changes an org's name or token-lifetime policy; `null` restores the runtime default. Affects new tokens only. */
  async updateOrg(
    orgId: string,
    patch: {
      name?: string | undefined;
      team_token_ttl_seconds?: number | null | undefined;
      admin_token_ttl_seconds?: number | null | undefined;
    },
  ): Promise<OrgView> {
    const changes: Partial<OrgsTable> = { updated_at: isoNow(this.#clock) };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.team_token_ttl_seconds !== undefined) changes.team_token_ttl_seconds = patch.team_token_ttl_seconds;
    if (patch.admin_token_ttl_seconds !== undefined) changes.admin_token_ttl_seconds = patch.admin_token_ttl_seconds;
    const result = await this.#store.db.updateTable('orgs').set(changes).where('id', '=', orgId).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound(`No organization ${orgId}`);
    return this.getOrg(orgId);
  }

  async listTeams(orgId: string): Promise<TeamView[]> {
    const rows = await this.#store.db
      .selectFrom('teams')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('slug')
      .execute();
    return rows.map(teamView);
  }

  /** The team `slug` of `orgId`; `not_found` when that org has no such team (another org's team is never found). */
  async getTeam(orgId: string, slug: string): Promise<TeamView> {
    const row = await this.#store.db
      .selectFrom('teams')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('slug', '=', slug)
      .executeTakeFirst();
    if (!row) throw notFound(`No team ${slug} in organization ${orgId}`);
    return teamView(row);
  }

  async createTeam(orgId: string, input: { slug: string; name: string }): Promise<TeamView> {
    await this.getOrg(orgId);
    const row: TeamsTable = {
      id: newId('team'),
      org_id: orgId,
      slug: input.slug,
      name: input.name,
      created_at: isoNow(this.#clock),
    };
    try {
      await this.#store.db.insertInto('teams').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`Organization ${orgId} already has a team ${input.slug}`);
      throw error;
    }
    return teamView(row);
  }

  async renameTeam(orgId: string, slug: string, name: string): Promise<TeamView> {
    const team = await this.getTeam(orgId, slug);
    await this.#store.db.updateTable('teams').set({ name }).where('id', '=', team.id).execute();
    return { ...team, name };
  }
}
