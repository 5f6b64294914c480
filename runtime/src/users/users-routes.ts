import { z } from 'zod';
import { auditContextOf } from '../credentials/audit-context.js';
import { conflictResponse, forbiddenResponse, notFoundResponse, ORIGIN_REFUSED } from '../http/responses.js';
import { type AnyRoute, requires, route } from '../http/route.js';
import { SignedInUserSchema } from '../signin/schemas.js';
import { USER_ADMIN_PERMISSION } from './role-change.js';
import type { UserService } from './user-service.js';

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

const access = requires(USER_ADMIN_PERMISSION);
const tags = ['users'];

/** `GET /api/v1/users` and `PATCH /api/v1/users/{id}` (`users:manage`), always within the caller's org. */
export function userRoutes(users: UserService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/users',
      summary: "List and search the users of the caller's organization",
      tags,
      access,
      query: ListQuerySchema,
      responses: { 200: { description: 'Users, oldest first', schema: UserListSchema } },
      handler: async (_req, _res, { query, principal }) => ({ users: await users.list(principal, query) }),
    }),
    route({
      method: 'patch',
      path: '/api/v1/users/:id',
      summary: "Change a user's role (takes effect at the user's next refresh; audited)",
      tags,
      access,
      params: UserIdSchema,
      body: { kind: 'json', schema: RoleBodySchema },
      responses: {
        200: { description: 'The user after the change', schema: UserResultSchema },
        // users:manage alone does not make admins: the caller holds every permission of the role it gives.
        403: forbiddenResponse(
          `lacks \`${USER_ADMIN_PERMISSION}\` or a permission of the new role, or ${ORIGIN_REFUSED}`,
        ),
        404: notFoundResponse("no such user in the caller's organization"),
        409: conflictResponse('the change would leave the organization without an admin'),
      },
      handler: async (req, _res, { params, body, principal }) => ({
        user: await users.changeRole(principal, params.id, body.role, auditContextOf(req)),
      }),
    }),
  ];
}
