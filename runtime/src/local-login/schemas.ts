import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from './password-policy.js';

/** Longest username (an e-mail address) accepted, in characters. */
export const MAX_USERNAME_LENGTH = 254;

/** "required" for a missing field, "must be a string" for another type; never the value itself. */
const text = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

export const LocalLoginBodySchema = z
  .object(
    {
      username: text(MAX_USERNAME_LENGTH).meta({ description: 'The e-mail address of a local account' }),
      password: text(MAX_PASSWORD_LENGTH),
    },
    { error: (issue) => (issue.input === undefined ? 'required, a JSON object {"username","password"}' : undefined) },
  )
  .meta({ id: 'LocalLoginRequest' });

export const LocalLoginQuerySchema = z.object({
  cookies: z.enum(['true', 'false']).optional().meta({
    description:
      'true: also start a browser session, setting the access_token, refresh_token and token_expiry cookies browser sign-in sets (the Origin must be one of ALLOWED_ORIGINS). Default false: the access token only, no refresh token.',
  }),
});

export const LocalLoginResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    /** Seconds until the access token expires. */
    expires_in: z.number().int(),
  })
  .meta({ id: 'LocalLoginResult' });
