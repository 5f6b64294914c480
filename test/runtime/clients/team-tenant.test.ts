import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientService, ClientTenant } from '../../../runtime/src/credentials/clients/client-service.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call } from '../auth/helpers.js';

// No HTTP caller bound to a team can hold `clients:manage` today (team tokens take product scopes only), so the
// service's team filter is checked here, below the routes: a team-bound tenant sees and changes its team's clients
// only, never the org's others.

const who = { actor: { kind: 'test', subject: 'team-tenant' }, ip: null, userAgent: null };
const PERMISSIONS = ['search:read'];

describe.each(STORE_DIALECTS)('API clients of a team-bound tenant on %s', (dialect) => {
  let app: TestApp;
  let service: ClientService;
  let team: ClientTenant;
  let org: ClientTenant;
  let teamClient: string;
  let orgClient: string;

  beforeAll(async () => {
    app = await startTestApp({ dialect });
    const admin = await bootstrapAdminKey(app);
    const created = await call(app, '/api/v1/orgs/default/teams', {
      apiKey: admin,
      body: { slug: 'platform', name: 'Platform' },
    });
    expect(created.status).toBe(201);
    const { id: teamId } = (await created.json()) as { id: string };
    team = { orgId: 'default', teamId };
    org = { orgId: 'default', teamId: null };
    service = app.services.apiClients.service;
    const scopes = ['search:read'];
    teamClient = (await service.create({ name: 'team', scopes }, { ...team, permissions: PERMISSIONS }, who)).client
      .client_id;
    orgClient = (await service.create({ name: 'org', scopes }, { ...org, permissions: PERMISSIONS }, who)).client
      .client_id;
  });
  afterAll(() => app?.close());

  it("lists only the team's clients to the team, and every client to the org", async () => {
    expect((await service.list(team)).map((client) => client.client_id)).toEqual([teamClient]);
    expect((await service.list(org)).map((client) => client.client_id).sort()).toEqual([teamClient, orgClient].sort());
  });

  it("refuses the team a secret or a deletion on the org's client, as not found", async () => {
    await expect(service.addSecret(team, orgClient, who)).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.delete(team, orgClient, who)).rejects.toMatchObject({ code: 'not_found' });
    expect((await service.list(org)).map((client) => client.client_id)).toContain(orgClient);
  });

  it('lets the team add a secret to and delete its own client', async () => {
    const secret = await service.addSecret(team, teamClient, who);
    expect(secret.client_id).toBe(teamClient);
    await service.delete(team, teamClient, who);
    expect(await service.list(team)).toEqual([]);
  });
});
