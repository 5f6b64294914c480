import { z } from 'zod';
import { open, seal } from '../crypto/envelope.js';
import type { SecretBytes } from '../secret-bytes.js';

/** How long a sign-in may take between /auth/login and /auth/callback, in seconds. Default 600 (10 minutes). */
export const LOGIN_STATE_TTL_SECONDS = 600;
/**
 * Sign-ins one browser may have in progress at once (tabs that each went to /auth/login); the oldest is dropped
 * beyond that. Keeps the cookie well under the 4 KB browsers accept.
 */
export const MAX_PENDING_SIGN_INS = 3;

/**
 * AAD of the sealed login state: the envelope key is derived from the KEY_ENCRYPTION_KEY, and this context keeps a
 * login-state cookie from ever opening as (or being forged from) another sealed value such as a signing key.
 */
const SEAL_CONTEXT = 'gatehouse/signin/login-state/v2';

const LoginStateSchema = z.object({
  state: z.string().min(16),
  nonce: z.string().min(16),
  code_verifier: z.string().min(43),
  redirect_uri: z.url(),
  return_to: z.string(),
  /** Epoch seconds after which the sign-in is refused even if the browser still sends the cookie. */
  exp: z.number().int(),
});
const PendingSchema = z.array(LoginStateSchema).max(MAX_PENDING_SIGN_INS);

/** What /auth/login binds to the browser and /auth/callback checks: state, nonce and PKCE verifier (and where to go). */
export type LoginState = z.output<typeof LoginStateSchema>;

/** Seals the browser's pending sign-ins (the newest `MAX_PENDING_SIGN_INS`) for the login-state cookie. */
export function sealLoginStates(kek: SecretBytes, states: readonly LoginState[]): string {
  return seal(kek, JSON.stringify(states.slice(-MAX_PENDING_SIGN_INS)), SEAL_CONTEXT);
}

/**
 * Opens a login-state cookie: its unexpired sign-ins at `nowSeconds`. Empty when the cookie was tampered with, sealed
 * under another key or malformed (for example a sign-in without a PKCE verifier).
 */
export function openLoginStates(kek: SecretBytes, sealed: string, nowSeconds: number): LoginState[] {
  let json: unknown;
  try {
    json = JSON.parse(open(kek, sealed, SEAL_CONTEXT));
  } catch {
    return [];
  }
  const parsed = PendingSchema.safeParse(json);
  return parsed.success ? parsed.data.filter((state) => state.exp > nowSeconds) : [];
}
