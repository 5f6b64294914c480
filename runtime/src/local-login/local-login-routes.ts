import { auditUseFailure } from '../audit/use-failure-audit.js';
import { RateLimitedError, rateLimited, unauthorized } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { ErrorBodySchema } from '../http/openapi.js';
import { requestMeta } from '../http/request-meta.js';
import { type AnyRoute, route } from '../http/route.js';
import type { FailedAuthGuard } from '../rate-limit/failed-auth-guard.js';
import { assertAllowedOrigin } from '../signin/origin-check.js';
import type { RefreshTokens } from '../signin/refresh-tokens.js';
import { issueSessionAccessToken, setSessionCookiesFor } from '../signin/session-tokens.js';
import type { LocalLogin } from './local-login.js';
import { normalizeUsername } from './local-users.js';
import { LocalLoginBodySchema, LocalLoginQuerySchema, LocalLoginResponseSchema } from './schemas.js';

export const LOCAL_LOGIN_PATH = '/api/v1/auth/token';
/** Largest login body, in bytes: a username and a password fit many times over. */
export const LOCAL_LOGIN_BODY_LIMIT_BYTES = 4096;
/** Audit kind of every login attempt. */
const AUDIT_KIND = 'local_login';
/** The one answer to a refused username and password, whatever the reason. */
const LOGIN_REFUSED = 'Invalid username or password';
/** The answer to a locked username, and the lock's name in its `RateLimit` header. */
const LOCKED = 'Too many failed logins for this username; retry later';
const LOCKOUT_POLICY = 'login-lockout';

/** The break-glass login route; mount it only with `LOCAL_LOGIN_ENABLED=true`. */
export function localLoginRoutes(
  ctx: AppContext,
  deps: { readonly login: LocalLogin; readonly guard: FailedAuthGuard; readonly refreshTokens: RefreshTokens },
): AnyRoute[] {
  const { login, guard, refreshTokens } = deps;
  return [
    route({
      method: 'post',
      path: LOCAL_LOGIN_PATH,
      summary: 'Break-glass login with the e-mail and password of a local account (LOCAL_LOGIN_ENABLED=true only)',
      description:
        'Accounts are made only by `gatehouse local-user add`. Answers the access token browser sign-in issues for the user (its role as stored now). With `?cookies=true` also sets the session cookies and starts a refresh-token family, as browser sign-in does. An unknown username, a wrong password and a disabled account get the same 401.',
      tags: ['sign-in'],
      access: 'public',
      query: LocalLoginQuerySchema,
      body: { kind: 'json', schema: LocalLoginBodySchema, limitBytes: LOCAL_LOGIN_BODY_LIMIT_BYTES },
      responses: {
        200: { description: 'Signed in', schema: LocalLoginResponseSchema },
        400: {
          description: `A missing or malformed field (named), or a body over ${LOCAL_LOGIN_BODY_LIMIT_BYTES} bytes`,
          schema: ErrorBodySchema,
        },
        401: { description: 'Invalid username or password (also for a disabled account)', schema: ErrorBodySchema },
        403: { description: 'Origin not allowed (`?cookies=true` only)', schema: ErrorBodySchema },
        429: {
          description:
            'The username is locked after LOCAL_LOGIN_MAX_FAILURES failures, or the address is over AUTH_FAILURE_LIMIT',
          schema: ErrorBodySchema,
          headers: { 'Retry-After': 'Seconds until a login may be tried again' },
        },
      },
      handler: async (req, res, { query, body }) => {
        res.set('Cache-Control', 'no-store');
        // A login that sets cookies is a cookie write like any other: only from an allowed origin (login CSRF).
        if (query.cookies === 'true') assertAllowedOrigin(req, ctx.config.allowedOrigins);

        const { ip } = requestMeta(req);
        const username = normalizeUsername(body.username);
        try {
          guard.assertNotBlocked(ip);
          const locked = await login.lockout.lockedFor(username);
          if (locked !== undefined) throw rateLimited(locked, LOCKED, { policy: LOCKOUT_POLICY });
        } catch (error) {
          if (error instanceof RateLimitedError) {
            auditUseFailure(ctx, {
              kind: AUDIT_KIND,
              credentialId: null,
              reason: 'rate_limited',
              ...requestMeta(req),
            });
            ctx.metrics.recordAuth(AUDIT_KIND, 'failure', 'rate_limited');
          }
          throw error;
        }

        const check = await login.check(username, body.password);
        if (!check.ok) {
          const lockedFor = await login.lockout.recordFailure(username);
          await ctx.audit.record({
            kind: AUDIT_KIND,
            outcome: 'failure',
            actor: null,
            credentialId: check.user?.id ?? null,
            orgId: check.user?.org_id ?? null,
            target: check.user?.id ?? null,
            reason: check.reason,
            ...requestMeta(req),
            details: { locked: lockedFor !== undefined },
          });
          ctx.metrics.recordAuth(AUDIT_KIND, 'failure', check.reason);
          const limited = await guard.recordFailure(ip).catch((error: unknown) => {
            ctx.logger.error({ err: error }, 'failed-authentication counter unavailable');
            return undefined;
          });
          if (lockedFor !== undefined) {
            throw rateLimited(lockedFor, LOCKED, { policy: LOCKOUT_POLICY });
          }
          if (limited) throw limited;
          throw unauthorized(LOGIN_REFUSED, check.reason);
        }

        const { user } = check;
        await login.lockout.clear(username);
        await login.users.recordSignIn(user.id);
        const access = await issueSessionAccessToken(ctx, user);
        const session = query.cookies === 'true' ? await refreshTokens.startFamily(user.id) : undefined;
        // Recorded before the token leaves: if the audit write fails, nobody is signed in.
        await ctx.audit.record({
          kind: AUDIT_KIND,
          outcome: 'success',
          actor: { kind: 'user', subject: user.id },
          credentialId: session?.familyId ?? access.jti,
          orgId: user.org_id,
          target: user.id,
          ...requestMeta(req),
          details: { role: user.role, cookies: session !== undefined },
        });
        ctx.metrics.recordAuth(AUDIT_KIND, 'success');
        if (session) setSessionCookiesFor(ctx, res, access, session);
        res.json({ access_token: access.token, token_type: 'bearer', expires_in: access.expiresIn });
      },
    }),
  ];
}
