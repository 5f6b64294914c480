import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/** Field names whose values are secrets wherever they appear (bodies, headers, audit details). */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'password',
  'secret',
  'client_secret',
  'api_key',
  'apiKey',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'private_jwk',
  'privateJwk',
];

const SECRET_FIELD_SET = new Set(SECRET_FIELDS.map((f) => f.toLowerCase()));

/** Whether a field of that name holds a secret (used to scrub audit details too). */
export const isSecretField = (name: string): boolean => SECRET_FIELD_SET.has(name.toLowerCase());

/** Paths pino censors: the field itself, one level down (`body.token`), and under request/response headers. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.map((f) => (/^[a-z_][a-z0-9_]*$/i.test(f) ? f : `["${f}"]`)),
  ...SECRET_FIELDS.map((f) => (/^[a-z_][a-z0-9_]*$/i.test(f) ? `*.${f}` : `*["${f}"]`)),
  ...['authorization', 'cookie', 'x-api-key', 'set-cookie'].flatMap((h) => [
    `req.headers["${h}"]`,
    `res.headers["${h}"]`,
    `headers["${h}"]`,
  ]),
  ...['client_secret', 'password', 'token', 'refresh_token', 'api_key', 'code', 'code_verifier'].map(
    (f) => `req.body.${f}`,
  ),
];

/** JSON logs on stdout (or `destination` in tests), secrets censored as "[redacted]". */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
