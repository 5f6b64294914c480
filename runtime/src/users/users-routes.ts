import type { Express } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { expandRole, isRole } from '../../../catalog/index.js';
import { requestSource } from '../audit/audit-writer.js';
import { principalOf, requirePermission } from '../auth/middleware.js';
import { assertHeld } from '../credentials/grantable-scopes.js';
import { invalidRequest } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { ErrorBodySchema, parseWith } from '../http/openapi.js';
import { SignedInUserSchema } from '../signin/schemas.js';
import { userView } from '../signin/session-tokens.js';
import { changeUserRole, USER_ADMIN_PERMISSION } from './role-change.js';
import { userProfilesFor } from './user-profiles.js';

/** Users per page of `GET /api/v1/users`: default 50, at most 200. */
export const USERS_DEFAULT_LIMIT = 50;
export const USERS_MAX_LIMIT = 200;

const ListQuerySchema = z.object({
  search: z.string().max(200).optional().meta({ description: 'Case-insensitive substring of the e-mail or name' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(USERS_MAX_LIMIT)
    .default(USERS_DEFAULT_LIMIT)
    .meta({ description: `Most users returned, 1-${USERS_MAX_LIMIT} (default ${USERS_DEFAULT_LIMIT})` }),
});
const UserListSchema = z.object({ users: z.array(SignedInUserSchema) }).meta({ id: 'UserList' });
const UserIdSchema = z.object({ id: z.string().min(1).max(100) });
const RoleBodySchema = z.object({ role: z.string().min(1).max(60) }).meta({ id: 'RoleChange' });
const UserResultSchema = z.object({ user: SignedInUserSchema }).meta({ id: 'UserResult' });

/** `%`, `_` and the escape character itself match literally in a LIKE pattern built from user input. */
const likePattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** `GET /api/v1/users` and `PATCH /api/v1/users/{id}` (`users:manage`), always within the caller's org. */
export function registerUserRoutes(app: Express, ctx: AppContext): void {
  documentUserRoutes(ctx);
  const manage = requirePermission(ctx, USER_ADMIN_PERMISSION);

  app.get('/api/v1/users', manage, async (req, res) => {
    const caller = principalOf(req);
    const query = parseWith(ListQuerySchema, req.query, 'query');
    let select = ctx.store.db.selectFrom('users').selectAll().where('org_id', '=', caller.orgId);
    const search = query.search?.trim();
    if (search) {
      const pattern = likePattern(search);
      select = select.where(({ or }) =>
        or([
          sql<boolean>`lower(email) like ${pattern} escape '\\'`,
          sql<boolean>`lower(name) like ${pattern} escape '\\'`,
        ]),
      );
    }
    const rows = await select.orderBy('created_at').orderBy('id').limit(query.limit).execute();
    res.set('Cache-Control', 'no-store').json({ users: rows.map(userView) });
  });

  app.patch('/api/v1/users/:id', manage, ctx.parse.json, async (req, res) => {
    const caller = principalOf(req);
    const { id } = parseWith(UserIdSchema, req.params, 'params');
    const { role } = parseWith(RoleBodySchema, req.body, 'body');
    if (!isRole(ctx.config.catalog, role)) {
      throw invalidRequest(
        `body.role: unknown role ${JSON.stringify(role)}; allowed: ${ctx.config.catalog.roleValues.join(', ')}`,
      );
    }
    // users:manage alone must not make admins: the caller has to hold everything the new role holds (as for keys,
    // clients and tokens), else a least-privilege integration credential could promote any account to admin.
    assertHeld(expandRole(ctx.config.catalog, role), caller.permissions);
    const change = await changeUserRole(
      { store: ctx.store, clock: ctx.clock, catalog: ctx.config.catalog },
      { orgId: caller.orgId, userId: id, role },
    );
    if (change.changed) {
      await ctx.audit.record({
        kind: 'user.role_changed',
        outcome: 'success',
        actor: { kind: caller.kind, subject: caller.subject },
        credentialId: caller.credentialId,
        orgId: caller.orgId,
        target: id,
        ...requestSource(req),
        details: { from: change.before.role, to: change.after.role },
      });
      await userProfilesFor(ctx).changed(id);
    }
    res.set('Cache-Control', 'no-store').json({ user: userView(change.after) });
  });
}

function documentUserRoutes(ctx: AppContext): void {
  const errors = {
    401: { description: 'No valid credential', schema: ErrorBodySchema },
    403: { description: 'Lacks users:manage (or, with a cookie, Origin not allowed)', schema: ErrorBodySchema },
  };
  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/users',
    summary: "List and search the users of the caller's organization",
    tags: ['users'],
    security: ['cookie', 'bearer', 'apiKey'],
    query: ListQuerySchema,
    responses: {
      200: { description: 'Users, oldest first', schema: UserListSchema },
      400: { description: 'Invalid query', schema: ErrorBodySchema },
      ...errors,
    },
  });
  ctx.openapi.add({
    method: 'patch',
    path: '/api/v1/users/:id',
    summary: "Change a user's role (takes effect at the user's next refresh; audited)",
    tags: ['users'],
    security: ['cookie', 'bearer', 'apiKey'],
    params: UserIdSchema,
    body: { schema: RoleBodySchema },
    responses: {
      200: { description: 'The user after the change', schema: UserResultSchema },
      400: { description: 'Unknown role', schema: ErrorBodySchema },
      ...errors,
      403: {
        description: 'Lacks users:manage, lacks a permission of the new role, or (with a cookie) Origin not allowed',
        schema: ErrorBodySchema,
      },
      404: { description: "No such user in the caller's organization", schema: ErrorBodySchema },
      409: { description: 'The change would leave the organization without an admin', schema: ErrorBodySchema },
    },
  });
}
