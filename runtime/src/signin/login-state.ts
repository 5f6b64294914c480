import { z } from 'zod';
import { open, seal } from '../crypto/envelope.js';
import type { SecretBytes } from '../secret-bytes.js';

/** How long a sign-in may take between /auth/login and /auth/callback, in seconds. Default 600 (10 minutes). */
export const LOGIN_STATE_TTL_SECONDS = 600;

/**
 * AAD of the sealed login state: the envelope key is derived from the KEY_ENCRYPTION_KEY, and this context keeps a
 * login-state cookie from ever opening as (or being forged from) another sealed value such as a signing key.
 */
const SEAL_CONTEXT = 'gatehouse/signin/login-state/v1';

const LoginStateSchema = z.object({
  state: z.string().min(16),
  nonce: z.string().min(16),
  code_verifier: z.string().min(43),
  redirect_uri: z.url(),
  return_to: z.string(),
  /** Epoch seconds after which the cookie is refused even if the browser still sends it. */
  exp: z.number().int(),
});

/** What /auth/login binds to the browser and /auth/callback checks: state, nonce and PKCE verifier (and where to go). */
export type LoginState = z.output<typeof LoginStateSchema>;

export function sealLoginState(kek: SecretBytes, state: LoginState): string {
  return seal(kek, JSON.stringify(state), SEAL_CONTEXT);
}

/**
 * Opens a login-state cookie. Undefined when it was tampered with, sealed under another key, malformed (for example
 * without a PKCE verifier) or expired at `nowSeconds`.
 */
export function openLoginState(kek: SecretBytes, sealed: string, nowSeconds: number): LoginState | undefined {
  let json: unknown;
  try {
    json = JSON.parse(open(kek, sealed, SEAL_CONTEXT));
  } catch {
    return undefined;
  }
  const parsed = LoginStateSchema.safeParse(json);
  if (!parsed.success || parsed.data.exp <= nowSeconds) return undefined;
  return parsed.data;
}
