import { z } from 'zod';

export const LoginQuerySchema = z.object({
  return_to: z
    .string()
    .optional()
    .meta({ description: 'Same-origin relative path to land on after sign-in (e.g. /investigations/42). Default /.' }),
  redirect_uri: z.url().optional().meta({
    description:
      'Where the IdP sends the code. Default PUBLIC_URL/auth/callback; an SPA may pass its own if it is one of ALLOWED_REDIRECT_URIS (compared exactly after URL normalisation; registered at the IdP) and then POST the code to /auth/callback.',
  }),
  prompt: z.enum(['login', 'select_account'], { error: 'must be login or select_account' }).optional().meta({
    description:
      'OpenID Connect `prompt` passed to the IdP: `login` asks for credentials again even when the IdP has a session (signing in as someone else), `select_account` shows its account picker.',
  }),
});

export const AuthUrlSchema = z.object({ auth_url: z.url() }).meta({ id: 'AuthUrl' });

export const CallbackQuerySchema = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  iss: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

export const CallbackBodySchema = z.object({
  code: z.string().min(1).max(4096),
  state: z.string().min(1).max(512),
  redirect_uri: z.url(),
  /** RFC 9207 `iss` from the authorization response, when the IdP sends one. */
  iss: z.string().max(2048).optional(),
});

export const SignedInUserSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    role: z.string(),
    org_id: z.string(),
    team_id: z.string().nullable(),
    created_at: z.string(),
    last_sign_in_at: z.string().nullable(),
    disabled: z.boolean(),
  })
  .meta({ id: 'User' });

export const CallbackResponseSchema = z
  .object({ user: SignedInUserSchema, token_expiry: z.number().int() })
  .meta({ id: 'SignInResult' });

export const RefreshBodySchema = z
  .object({ refresh_token: z.string().min(1).max(512).optional() })
  .meta({ id: 'RefreshRequest' });

export const RefreshJsonResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    token_expiry: z.number().int(),
  })
  .meta({ id: 'RefreshResult' });

export const RefreshCookieResponseSchema = z
  .object({ token_expiry: z.number().int(), expires_in: z.number().int() })
  .meta({ id: 'RefreshCookieResult' });
