import type { Request, Response } from 'express';
import * as client from 'openid-client';
import { auditUseFailure } from '../audit/use-failure-audit.js';
import { epochSeconds } from '../clock.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import { AppError, invalidRequest } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { ErrorBodySchema } from '../http/openapi.js';
import { requestMeta } from '../http/request-meta.js';
import { type AnyRoute, route } from '../http/route.js';
import { clearLoginStateCookie, LOGIN_STATE_COOKIE, readCookie, setLoginStateCookie } from './cookies.js';
import { LOGIN_STATE_TTL_SECONDS, type LoginState, openLoginStates, sealLoginStates } from './login-state.js';
import { assertAllowedOrigin } from './origin-check.js';
import type { RefreshTokens } from './refresh-tokens.js';
import type { RelyingParty } from './relying-party.js';
import { DEFAULT_RETURN_TO, isSafeReturnTo } from './return-to.js';
import {
  AuthUrlSchema,
  CallbackBodySchema,
  CallbackQuerySchema,
  CallbackResponseSchema,
  LoginQuerySchema,
} from './schemas.js';
import { issueSessionAccessToken, setSessionCookiesFor, userView } from './session-tokens.js';
import type { SignedInUser, SignInUsers } from './sign-in-user.js';

export interface LoginDeps {
  readonly ctx: AppContext;
  /** Undefined when no IdP is configured (`OIDC_ISSUER` unset): the sign-in endpoints then answer 404. */
  readonly rp: RelyingParty | undefined;
  readonly refreshTokens: RefreshTokens;
  /** Finds or provisions the user an ID token names. */
  readonly users: SignInUsers;
}

const tags = ['sign-in'];
const idpRefused = {
  description: 'The IdP refused, the code was rejected or the ID token did not validate',
  schema: ErrorBodySchema,
};

/** `GET /auth/login`, `GET /auth/callback` (browser) and `POST /auth/callback` (SPA). */
export function loginRoutes(deps: LoginDeps): AnyRoute[] {
  const { ctx } = deps;
  const defaultRedirectUri = `${ctx.config.publicUrl}/auth/callback`;

  const relyingParty = (): RelyingParty => {
    if (!deps.rp) {
      throw new AppError(
        'not_found',
        'Browser sign-in is not configured on this runtime (set OIDC_ISSUER and OIDC_CLIENT_ID)',
      );
    }
    return deps.rp;
  };

  return [
    route({
      method: 'get',
      path: '/auth/login',
      summary: 'Start browser sign-in: redirect to the IdP (authorization code + PKCE S256, state, nonce)',
      description:
        'Binds state, nonce and the PKCE verifier to a short-lived httpOnly cookie (Path=/auth, 10 minutes). With `Accept: application/json` answers `{"auth_url"}` instead of redirecting.',
      tags,
      access: 'public',
      query: LoginQuerySchema,
      responses: {
        200: { description: 'The IdP authorization URL (Accept: application/json)', schema: AuthUrlSchema },
        302: { description: 'Redirect to the IdP' },
        400: {
          description: '`return_to` is not a same-origin relative path (refused and audited)',
          schema: ErrorBodySchema,
        },
        404: { description: 'No IdP configured', schema: ErrorBodySchema },
      },
      handler: async (req, res, { query }) => {
        const rp = relyingParty();
        const returnTo = query.return_to ?? DEFAULT_RETURN_TO;
        if (!isSafeReturnTo(returnTo, ctx.config.publicUrl)) {
          // The refused target goes to the log; the audit row is throttled per address (anonymous callers must not
          // turn refusals into unbounded writes).
          ctx.logger.warn({ return_to: returnTo.slice(0, 200), req_id: req.requestId }, 'open redirect refused');
          auditUseFailure(ctx, {
            kind: 'session.open_redirect_refused',
            credentialId: null,
            reason: 'open_redirect',
            ...requestMeta(req),
          });
          throw invalidRequest(
            'query.return_to: must be a same-origin relative path such as /dashboard (no scheme, host or "//")',
            'open_redirect',
          );
        }
        const redirectUri =
          query.redirect_uri === undefined ? defaultRedirectUri : allowedRedirectUri(ctx, query.redirect_uri);
        if (redirectUri === undefined) {
          throw invalidRequest(
            `query.redirect_uri: must be ${defaultRedirectUri} or one of ALLOWED_REDIRECT_URIS, exactly`,
            'redirect_uri',
          );
        }
        const login: LoginState = {
          state: client.randomState(),
          nonce: client.randomNonce(),
          code_verifier: client.randomPKCECodeVerifier(),
          redirect_uri: redirectUri,
          return_to: returnTo,
          exp: epochSeconds(ctx.clock) + LOGIN_STATE_TTL_SECONDS,
        };
        const authUrl = await rp.authorizationUrl({
          redirectUri,
          state: login.state,
          nonce: login.nonce,
          codeVerifier: login.code_verifier,
          prompt: query.prompt,
        });
        // Other tabs' sign-ins in progress stay valid next to this one.
        const sealed = readCookie(req, LOGIN_STATE_COOKIE);
        const pending = sealed ? openLoginStates(ctx.config.keyEncryptionKey, sealed, epochSeconds(ctx.clock)) : [];
        setLoginStateCookie(
          res,
          sealLoginStates(ctx.config.keyEncryptionKey, [...pending, login]),
          LOGIN_STATE_TTL_SECONDS,
        );
        res.set('Cache-Control', 'no-store');
        if (req.accepts(['html', 'json']) === 'json') {
          res.json({ auth_url: authUrl.href });
          return;
        }
        res.redirect(302, authUrl.href);
      },
    }),
    route({
      method: 'get',
      path: '/auth/callback',
      summary: 'Finish browser sign-in: exchange the code, set the session cookies, redirect to return_to',
      tags,
      access: 'public',
      query: CallbackQuerySchema,
      responses: {
        302: {
          description: 'Signed in: access_token, refresh_token and token_expiry cookies set; redirect to return_to',
        },
        400: { description: 'No sign-in in progress, or state mismatch', schema: ErrorBodySchema },
        401: idpRefused,
        403: { description: 'The account is disabled', schema: ErrorBodySchema },
      },
      handler: async (req, res, { query }) => {
        const rp = relyingParty();
        const login = takeLoginState(req, res, ctx, query.state);
        const callbackUrl = new URL(login.redirect_uri);
        const search = req.originalUrl.indexOf('?');
        if (search !== -1) callbackUrl.search = req.originalUrl.slice(search);
        await completeSignIn(deps, rp, req, res, login, callbackUrl);
        // Checked again although /auth/login only sealed a safe value: the redirect target is never taken on trust.
        const target = isSafeReturnTo(login.return_to, ctx.config.publicUrl) ? login.return_to : DEFAULT_RETURN_TO;
        res.set('Cache-Control', 'no-store');
        res.redirect(302, target);
      },
    }),
    route({
      method: 'post',
      path: '/auth/callback',
      summary: 'Finish sign-in for an SPA: exchange the code it received, set the session cookies',
      tags,
      access: { security: ['cookie'], authenticates: 'handler' },
      body: { kind: 'json', schema: CallbackBodySchema },
      responses: {
        200: { description: 'Signed in; the same three cookies are set', schema: CallbackResponseSchema },
        400: {
          description: 'Invalid body, no sign-in in progress, state or redirect_uri mismatch',
          schema: ErrorBodySchema,
        },
        401: idpRefused,
        403: { description: 'Origin not allowed, or the account is disabled', schema: ErrorBodySchema },
      },
      handler: async (req, res, { body }) => {
        const rp = relyingParty();
        assertAllowedOrigin(req, ctx.config.allowedOrigins);
        const login = takeLoginState(req, res, ctx, body.state);
        if (allowedRedirectUri(ctx, body.redirect_uri) !== login.redirect_uri) {
          throw invalidRequest('body.redirect_uri: must be the redirect_uri this sign-in started with', 'redirect_uri');
        }
        const callbackUrl = new URL(login.redirect_uri);
        callbackUrl.searchParams.set('code', body.code);
        callbackUrl.searchParams.set('state', body.state);
        const iss = body.iss ?? (await rp.issuerForResponses());
        if (iss) callbackUrl.searchParams.set('iss', iss);
        const { user, tokenExpiry } = await completeSignIn(deps, rp, req, res, login, callbackUrl);
        res.set('Cache-Control', 'no-store').json({ user, token_expiry: tokenExpiry });
      },
    }),
  ];
}

/**
 * Counts and audits a failed sign-in (the reason only, never a code or token; at most one row per reason and address
 * a minute); returns the error to throw.
 */
function signInFailure(ctx: AppContext, req: Request, error: AppError): AppError {
  const reason = error.reason ?? 'unknown';
  ctx.metrics.recordAuth('sign_in', 'failure', reason);
  auditUseFailure(ctx, { kind: 'session.sign_in', credentialId: null, reason, ...requestMeta(req) });
  return error;
}

/**
 * Takes the sign-in whose `state` the callback presents out of the login-state cookie: each is single use, and the
 * browser's other pending sign-ins stay. 400 when the cookie is missing, expired, tampered with or incomplete, or
 * holds no sign-in with that state (compared in constant time): nothing in the callback is trusted without it.
 */
function takeLoginState(req: Request, res: Response, ctx: AppContext, presentedState: string | undefined): LoginState {
  const kek = ctx.config.keyEncryptionKey;
  const sealed = readCookie(req, LOGIN_STATE_COOKIE);
  const pending = sealed ? openLoginStates(kek, sealed, epochSeconds(ctx.clock)) : [];
  if (pending.length === 0) {
    clearLoginStateCookie(res);
    throw invalidRequest(
      'No sign-in in progress in this browser (the login cookie is missing, expired or invalid); start again at /auth/login',
      sealed ? 'login_state_invalid' : 'login_state_missing',
    );
  }
  const login =
    presentedState === undefined ? undefined : pending.find((p) => constantTimeEqual(presentedState, p.state));
  if (!login) {
    throw signInFailure(
      ctx,
      req,
      invalidRequest(
        "The state parameter does not match this browser's sign-in; start again at /auth/login",
        'state_mismatch',
      ),
    );
  }
  const rest = pending.filter((p) => p !== login);
  if (rest.length > 0) setLoginStateCookie(res, sealLoginStates(kek, rest), LOGIN_STATE_TTL_SECONDS);
  else clearLoginStateCookie(res);
  return login;
}

/**
 * The common end of both callbacks: code exchange with the PKCE verifier, ID-token validation (nonce), first-sign-in
 * provisioning, the sign-in record, and the session cookies.
 */
async function completeSignIn(
  deps: LoginDeps,
  rp: RelyingParty,
  req: Request,
  res: Response,
  login: LoginState,
  callbackUrl: URL,
) {
  const { ctx, refreshTokens } = deps;
  let identity: Awaited<ReturnType<RelyingParty['exchange']>>;
  let signedIn: SignedInUser;
  try {
    identity = await rp.exchange({
      callbackUrl,
      state: login.state,
      nonce: login.nonce,
      codeVerifier: login.code_verifier,
    });
    signedIn = await deps.users.signIn(identity);
  } catch (error) {
    throw error instanceof AppError && error.status < 500 ? signInFailure(ctx, req, error) : error;
  }
  const { user, created } = signedIn;
  const refresh = await refreshTokens.startFamily(user.id);
  const access = await issueSessionAccessToken(ctx, user);
  // The sign-in is recorded before any cookie is set: if the audit write fails, the browser gets no session.
  await ctx.audit.record({
    kind: 'session.sign_in',
    outcome: 'success',
    actor: { kind: 'user', subject: user.id },
    credentialId: refresh.familyId,
    orgId: user.org_id,
    target: user.id,
    ...requestMeta(req),
    details: { created, role: user.role, issuer: identity.issuer },
  });
  ctx.metrics.recordAuth('sign_in', 'success');
  setSessionCookiesFor(ctx, res, access, refresh);
  return { user: userView(user), tokenExpiry: access.expiresAt };
}

/**
 * The allowed redirect URI `value` names, as configured (normalised by the WHATWG URL serialiser, then matched
 * exactly), or undefined. A backslash is refused outright: parsers disagree on it (`http://host:1\\@evil.test/`).
 */
function allowedRedirectUri(ctx: AppContext, value: string): string | undefined {
  if (value.includes('\\') || !URL.canParse(value)) return undefined;
  const href = new URL(value).href;
  return ctx.config.allowedRedirectUris.find((uri) => uri === href);
}
