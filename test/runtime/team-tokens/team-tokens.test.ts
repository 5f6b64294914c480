import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../../runtime/src/crypto/secret-hash.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { useTwoReplicasWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, type CallOptions, call, createKey, eventually } from '../auth/helpers.js';

interface Issued {
  token_id: string;
  token: string;
  kind: string;
  org_id: string;
  team_id: string | null;
  permissions: string[];
  expires_at: string;
  status: string;
}
interface Team {
  id: string;
  slug: string;
  org_id: string;
  name: string;
}

const DAY = 86_400;

/** Calls the API and fails the test unless the status is `expected`; returns the JSON body. */
async function ok<T>(app: Pick<TestApp, 'baseUrl'>, path: string, options: CallOptions, expected = 200): Promise<T> {
  const res = await call(app, path, options);
  if (res.status !== expected) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

describe.each(STORE_DIALECTS)('team tokens and org admin tokens on %s', (dialect) => {
  let app: TestApp;
  let admin: string;
  let platform: Team;
  let payments: Team;
  let platformToken: Issued;
  /** Admin token of the second org, `acme`. */
  let acmeAdmin: Issued;
  let acmeTeam: Team;

  beforeAll(async () => {
    app = await startTestApp({ dialect });
    admin = await bootstrapAdminKey(app);
    platform = await ok<Team>(
      app,
      '/api/v1/orgs/default/teams',
      { apiKey: admin, body: { slug: 'platform', name: 'Platform' } },
      201,
    );
    payments = await ok<Team>(
      app,
      '/api/v1/orgs/default/teams',
      { apiKey: admin, body: { slug: 'payments', name: 'Payments' } },
      201,
    );
    platformToken = await ok<Issued>(
      app,
      '/api/v1/orgs/default/teams/platform/tokens',
      { apiKey: admin, body: { name: 'ci', scopes: ['investigations:write', 'search:read'] } },
      201,
    );
    const acme = await ok<{ admin_token: Issued }>(
      app,
      '/api/v1/orgs',
      { apiKey: admin, body: { id: 'acme', name: 'Acme' } },
      201,
    );
    acmeAdmin = acme.admin_token;
    acmeTeam = await ok<Team>(
      app,
      '/api/v1/orgs/acme/teams',
      { bearer: acmeAdmin.token, body: { slug: 'platform', name: 'Acme Platform' } },
      201,
    );
  });
  afterAll(() => app?.close());

  it('issues a team token once, as <tokid>.<toksecret>, holding team:read team:write plus the granted scopes', async () => {
    expect(platformToken.token).toMatch(/^tok_[0-9a-z]{20}\.[A-Za-z0-9_-]{43}$/);
    expect(platformToken.token.startsWith(`${platformToken.token_id}.`)).toBe(true);
    expect(platformToken).toMatchObject({
      kind: 'team',
      org_id: 'default',
      team_id: platform.id,
      status: 'active',
      permissions: ['investigations:write', 'search:read', 'team:read', 'team:write'],
    });
    const row = await app.store.db
      .selectFrom('team_tokens')
      .selectAll()
      .where('token_id', '=', platformToken.token_id)
      .executeTakeFirstOrThrow();
    const secret = platformToken.token.split('.')[1] as string;
    expect(row.secret_hash).toBe(hashSecret(app.config.apiKeyPepper, secret));
    expect(JSON.stringify(row)).not.toContain(secret);

    const me = await ok<Record<string, unknown>>(app, '/auth/me', { bearer: platformToken.token });
    expect(me).toEqual({
      role: null,
      auth_kind: 'team_token',
      org_id: 'default',
      team_id: platform.id,
      subject: `team_token:${platformToken.token_id}`,
      email: null,
      name: null,
      can_write: true,
      permissions: ['investigations:write', 'search:read', 'team:read', 'team:write'],
      scopes: ['investigations:write', 'search:read', 'team:read', 'team:write'],
    });
  });

  it('issues team and admin tokens for a request without a body, for the lifetime of the org policy', async () => {
    const defaults = [
      ['/api/v1/orgs/default/teams/platform/tokens', 'team', 90 * DAY],
      ['/api/v1/orgs/default/admin-tokens', 'admin', 30 * DAY],
    ] as const;
    for (const [path, kind, lifetime] of defaults) {
      const issued = await ok<Issued>(app, path, { apiKey: admin, method: 'POST' }, 201);
      expect(issued).toMatchObject({ kind, org_id: 'default', status: 'active' });
      expect(Date.parse(issued.expires_at) - app.clock.now()).toBe(lifetime * 1000);
    }
  });

  it('denies a scope the team token lacks with 403 naming it', async () => {
    const res = await call(app, '/auth/verify?scope=graph:read', { bearer: platformToken.token });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the scope "graph:read"' },
    });
    const issue = await call(app, '/api/v1/orgs/default/teams/platform/tokens', {
      bearer: platformToken.token,
      body: {},
    });
    expect(issue.status).toBe(403);
    expect(await issue.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the permission "tokens:manage"' },
    });
  });

  it('lets a team token read and change its own team only', async () => {
    const own = await call(app, '/api/v1/orgs/default/teams/platform', { bearer: platformToken.token });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id: platform.id, slug: 'platform' });
    const renamed = await call(app, '/api/v1/orgs/default/teams/platform', {
      bearer: platformToken.token,
      method: 'PATCH',
      body: { name: 'Platform Eng' },
    });
    expect(renamed.status).toBe(200);
    const listed = await ok<{ teams: Team[] }>(app, '/api/v1/orgs/default/teams', { bearer: platformToken.token });
    expect(listed.teams.map((t) => t.slug)).toEqual(['platform']);

    const otherTeam = { error: { code: 'forbidden', message: 'This credential cannot act on another team' } };
    const read = await call(app, '/api/v1/orgs/default/teams/payments', { bearer: platformToken.token });
    expect(read.status).toBe(403);
    expect(await read.json()).toEqual(otherTeam);
    const change = await call(app, '/api/v1/orgs/default/teams/payments', {
      bearer: platformToken.token,
      method: 'PATCH',
      body: { name: 'Mine now' },
    });
    expect(change.status).toBe(403);
    expect(await change.json()).toEqual(otherTeam);
    const paymentsRow = await app.store.db
      .selectFrom('teams')
      .select('name')
      .where('id', '=', payments.id)
      .executeTakeFirst();
    expect(paymentsRow?.name).toBe('Payments');
    const otherOrg = await call(app, '/api/v1/orgs/acme/teams/platform', { bearer: platformToken.token });
    expect(otherOrg.status).toBe(403);
    expect(await otherOrg.json()).toEqual({
      error: { code: 'forbidden', message: 'This credential cannot act in organization acme' },
    });
  });

  it('never lets an org admin token act in another org, whatever the route checks', async () => {
    const me = await ok<Record<string, unknown>>(app, '/auth/me', { bearer: acmeAdmin.token });
    expect(me).toMatchObject({
      auth_kind: 'admin_token',
      org_id: 'acme',
      team_id: null,
      permissions: ['tokens:manage', 'audit:read', 'team:read', 'team:write'],
    });
    const denied = { error: { code: 'forbidden', message: 'This credential cannot act in organization default' } };
    const attempts: Array<[string, CallOptions]> = [
      ['/api/v1/orgs/default', {}],
      ['/api/v1/orgs/default', { method: 'PATCH', body: { team_token_ttl_seconds: 600 } }],
      ['/api/v1/orgs/default/teams', {}],
      ['/api/v1/orgs/default/teams', { body: { slug: 'intruders', name: 'x' } }],
      ['/api/v1/orgs/default/teams/platform', {}],
      ['/api/v1/orgs/default/teams/platform', { method: 'PATCH', body: { name: 'x' } }],
      ['/api/v1/orgs/default/teams/platform/tokens', {}],
      ['/api/v1/orgs/default/teams/platform/tokens', { body: {} }],
      ['/api/v1/orgs/default/teams/no-such-team/tokens', { body: {} }],
      ['/api/v1/orgs/default/admin-tokens', {}],
      ['/api/v1/orgs/default/admin-tokens', { body: {} }],
    ];
    for (const [path, options] of attempts) {
      const res = await call(app, path, { bearer: acmeAdmin.token, ...options });
      expect(res.status, `${options.method ?? (options.body ? 'POST' : 'GET')} ${path}`).toBe(403);
      expect(await res.json()).toEqual(denied);
    }
    // Revocation looks the TARGET token up within the caller's org: another org's token does not exist there.
    const revoke = await call(app, '/api/v1/tokens/revoke', {
      bearer: acmeAdmin.token,
      body: { token_id: platformToken.token_id },
    });
    expect(revoke.status).toBe(404);
    expect(await revoke.json()).toEqual({
      error: { code: 'not_found', message: `No token ${platformToken.token_id} in organization acme` },
    });
    expect((await call(app, '/auth/me', { bearer: platformToken.token })).status).toBe(200);
    // And the default org's admin cannot act in acme either.
    const reverse = await call(app, '/api/v1/orgs/acme/admin-tokens', { apiKey: admin, body: {} });
    expect(reverse.status).toBe(403);
    const reverseRevoke = await call(app, '/api/v1/tokens/revoke', {
      apiKey: admin,
      body: { token_id: acmeAdmin.token_id },
    });
    expect(reverseRevoke.status).toBe(404);
  });

  it("lists a team's own tokens only, not those of the org's other teams", async () => {
    const paymentsToken = await ok<Issued>(
      app,
      '/api/v1/orgs/default/teams/payments/tokens',
      { apiKey: admin, body: { name: 'payments-ci' } },
      201,
    );
    const platformList = await ok<{ tokens: Issued[] }>(app, '/api/v1/orgs/default/teams/platform/tokens', {
      apiKey: admin,
    });
    expect(platformList.tokens.map((t) => t.token_id)).toContain(platformToken.token_id);
    expect(platformList.tokens.map((t) => t.team_id)).toEqual(platformList.tokens.map(() => platform.id));
    const paymentsList = await ok<{ tokens: Issued[] }>(app, '/api/v1/orgs/default/teams/payments/tokens', {
      apiKey: admin,
    });
    expect(paymentsList.tokens.map((t) => t.token_id)).toEqual([paymentsToken.token_id]);
    expect(paymentsList.tokens[0]?.team_id).toBe(payments.id);
  });

  it('lets an org admin token manage its own org: teams, team tokens, admin tokens, policy', async () => {
    const issued = await ok<Issued>(
      app,
      '/api/v1/orgs/acme/teams/platform/tokens',
      { bearer: acmeAdmin.token, body: { name: 'deploy' } },
      201,
    );
    expect(issued).toMatchObject({ org_id: 'acme', team_id: acmeTeam.id, permissions: ['team:read', 'team:write'] });
    const listed = await ok<{ tokens: Issued[] }>(app, '/api/v1/orgs/acme/teams/platform/tokens', {
      bearer: acmeAdmin.token,
    });
    expect(listed.tokens.map((t) => t.token_id)).toEqual([issued.token_id]);
    expect(JSON.stringify(listed)).not.toContain(issued.token.split('.')[1]);
    const admins = await ok<{ tokens: Issued[] }>(app, '/api/v1/orgs/acme/admin-tokens', { bearer: acmeAdmin.token });
    expect(admins.tokens.map((t) => t.token_id)).toEqual([acmeAdmin.token_id]);
    // An admin token can only pass on what it holds: it has no product scopes.
    const escalation = await call(app, '/api/v1/orgs/acme/admin-tokens', {
      bearer: acmeAdmin.token,
      body: { scopes: ['graph:read'] },
    });
    expect(escalation.status).toBe(403);
    expect(await escalation.json()).toEqual({
      error: { code: 'forbidden', message: 'You cannot grant "graph:read": you do not hold it yourself' },
    });
  });

  it('refuses to create orgs for anyone but a default-org admin', async () => {
    const res = await call(app, '/api/v1/orgs', { bearer: acmeAdmin.token, body: { id: 'evil', name: 'Evil' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'forbidden', message: 'Only an admin of the default organization can create organizations' },
    });
    const taken = await call(app, '/api/v1/orgs', { apiKey: admin, body: { id: 'acme', name: 'Again' } });
    expect(taken.status).toBe(409);
  });

  it('takes the lifetime from the org policy and expires the token (token_expired only with the right secret)', async () => {
    await ok(app, '/api/v1/orgs/default', { apiKey: admin, method: 'PATCH', body: { team_token_ttl_seconds: 3600 } });
    const short = await ok<Issued>(app, '/api/v1/orgs/default/teams/payments/tokens', { apiKey: admin, body: {} }, 201);
    expect(Date.parse(short.expires_at) - app.clock.now()).toBe(3600 * 1000);
    const tooLong = await call(app, '/api/v1/orgs/default/teams/payments/tokens', {
      apiKey: admin,
      body: { expires_in_seconds: 7200 },
    });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: "body.expires_in_seconds: at most 3600 (the organization's team token policy); got 7200",
      },
    });
    await ok(app, '/api/v1/orgs/default', { apiKey: admin, method: 'PATCH', body: { team_token_ttl_seconds: null } });
    const org = await ok<{ team_token_ttl_seconds: number }>(app, '/api/v1/orgs/default', { apiKey: admin });
    expect(org.team_token_ttl_seconds).toBe(90 * DAY);

    app.clock.advance(3601);
    try {
      const expired = await call(app, '/auth/me', { bearer: short.token });
      expect(expired.status).toBe(401);
      expect(await expired.json()).toEqual({ error: { code: 'token_expired', message: 'Token has expired' } });
      const wrongSecret = await call(app, '/auth/me', { bearer: `${short.token_id}.${'A'.repeat(43)}` });
      expect(wrongSecret.status).toBe(401);
      expect(await wrongSecret.json()).toEqual({
        error: { code: 'unauthorized', message: 'Invalid or expired token' },
      });
      const listed = await ok<{ tokens: Issued[] }>(app, '/api/v1/orgs/default/teams/payments/tokens', {
        apiKey: admin,
      });
      expect(listed.tokens.find((t) => t.token_id === short.token_id)?.status).toBe('expired');
    } finally {
      app.clock.advance(-3601);
    }
  });

  it('revokes with POST /api/v1/tokens/revoke: refused at once, idempotent, audited', async () => {
    const token = await ok<Issued>(app, '/api/v1/orgs/default/teams/payments/tokens', { apiKey: admin, body: {} }, 201);
    expect((await call(app, '/auth/me', { bearer: token.token })).status).toBe(200);
    const revoked = await ok<Issued>(app, '/api/v1/tokens/revoke', {
      apiKey: admin,
      body: { token_id: token.token_id },
    });
    expect(revoked).toMatchObject({ token_id: token.token_id, status: 'revoked' });
    const after = await call(app, '/auth/me', { bearer: token.token });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid or expired token' } });
    const again = await call(app, '/api/v1/tokens/revoke', { apiKey: admin, body: { token_id: token.token_id } });
    expect(again.status).toBe(200);
    const rows = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('credential_id', '=', token.token_id)
      .orderBy('at')
      .execute();
    expect(rows.filter((r) => r.outcome === 'success').map((r) => r.kind)).toEqual([
      'team_token.created',
      'team_token.revoked',
    ]);
    await expect
      .poll(async () =>
        app.store.db
          .selectFrom('audit_events')
          .select(['kind', 'reason', 'outcome', 'actor_kind', 'actor_subject', 'org_id'])
          .where('credential_id', '=', token.token_id)
          .where('outcome', '=', 'failure')
          .execute(),
      )
      .toEqual([
        {
          kind: 'team_token.use_failed',
          reason: 'revoked',
          outcome: 'failure',
          actor_kind: 'team_token',
          actor_subject: `team_token:${token.token_id}`,
          org_id: 'default',
        },
      ]);
    expect(JSON.stringify(rows)).not.toContain(token.token.split('.')[1]);
  });

  it('rejects unknown and malformed team tokens with 401', async () => {
    const unknown = await call(app, '/auth/me', { bearer: `tok_${'0'.repeat(20)}.${'A'.repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid or expired token' } });
    const malformed = await call(app, '/auth/me', { bearer: 'tok_short.secret' });
    expect(malformed.status).toBe(401);
  });

  it('needs tokens:manage to issue or revoke', async () => {
    const analystKey = await createKey(app, admin, { name: 'analyst', scopes: ['search:read', 'team:read'] });
    for (const [path, body] of [
      ['/api/v1/orgs/default/teams/platform/tokens', {}],
      ['/api/v1/orgs/default/admin-tokens', {}],
      ['/api/v1/tokens/revoke', { token_id: platformToken.token_id }],
    ] as const) {
      const res = await call(app, path, { apiKey: analystKey.api_key, body });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: { code: 'forbidden', message: 'The credential lacks the permission "tokens:manage"' },
      });
    }
  });
});

describe('team token revocation reaches every replica (two apps on one PostgreSQL)', () => {
  const replicas = useTwoReplicasWithAdmin();

  it('refuses a revoked token on the other replica while its cache entry is still fresh', async () => {
    await ok(
      replicas.first,
      '/api/v1/orgs/default/teams',
      { apiKey: replicas.admin, body: { slug: 'sre', name: 'SRE' } },
      201,
    );
    const token = await ok<Issued>(
      replicas.first,
      '/api/v1/orgs/default/teams/sre/tokens',
      { apiKey: replicas.admin, body: {} },
      201,
    );
    expect((await call(replicas.second, '/auth/me', { bearer: token.token })).status).toBe(200);
    await ok(replicas.first, '/api/v1/tokens/revoke', { apiKey: replicas.admin, body: { token_id: token.token_id } });
    await eventually(async () => (await call(replicas.second, '/auth/me', { bearer: token.token })).status === 401);
  });
});
