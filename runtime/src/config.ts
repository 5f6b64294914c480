import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { type Catalog, catalogFromJson, defaultCatalog } from '../../catalog/index.js';
import { SecretBytes } from './secret-bytes.js';

/**
 * Runtime configuration. `loadConfig(env)` is the only place that reads environment variables; everything else gets a
 * typed `Config`. Bad configuration throws one `ConfigError` listing every problem (variable name and what is
 * allowed), never the value of a secret.
 */

export const SIGNING_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGORITHMS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const NODE_ENVS = ['production', 'development', 'test'] as const;

/** Minimum key material for `KEY_ENCRYPTION_KEY` and `API_KEY_PEPPER`, in bytes (256 bits). */
export const MIN_SECRET_BYTES = 32;
/** Highest request budget per minute a credential kind or an API key may have. */
export const MAX_REQUEST_BUDGET_PER_MINUTE = 100_000_000;
/** Name of the file in `DATA_DIR` that keeps development secrets generated on first start. */
export const DEV_SECRETS_FILE = 'dev-secrets.json';

export type DatabaseConfig =
  | { readonly kind: 'sqlite' /** absolute path, or `:memory:` */; readonly filename: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** `DATABASE_AUTH=managed-identity`: the password is the managed identity's Entra token. Default: from the URL. */
      readonly auth?: ManagedIdentityAuth;
    };

/** Authenticate with the runtime's Azure managed identity (`AZURE_CLIENT_ID` picks a user-assigned one). */
export interface ManagedIdentityAuth {
  readonly kind: 'managed-identity';
  /** Client id of the user-assigned identity; undefined = system-assigned. */
  readonly clientId: string | undefined;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: SecretBytes | undefined;
  /** `OIDC_CLIENT_AUTH=managed-identity`: a managed-identity token is the client assertion (no secret). */
  readonly clientAssertion?: ManagedIdentityAuth;
  /** Audience our API accepts on tokens the issuer minted for it (e.g. `api://gatehouse-prod`); defaults to the client id. */
  readonly audience: string;
  /**
   * Issuer of the tenant's Entra v1.0 access tokens (`https://sts.windows.net/<tenant id>/`), accepted beside
   * `issuer`: OIDC_V1_ISSUER, derived from an Entra v2.0 issuer of the public or the China cloud when unset;
   * `none` turns it off. Undefined: v1.0 tokens are refused.
   */
  readonly v1Issuer?: string;
  /** The API's Application ID URI (`api://...`, OIDC_APP_ID_URI), accepted as `aud` of v1.0 tokens only. */
  readonly appIdUri?: string;
}

export interface Config {
  readonly nodeEnv: (typeof NODE_ENVS)[number];
  readonly isProduction: boolean;
  /** External base URL without a trailing slash; also the `iss` of every access token. */
  readonly publicUrl: string;
  readonly port: number;
  /**
   * Port of the operators' listener serving `GET /metrics` (Prometheus), apart from the service port and never behind
   * the public ingress. Undefined (`METRICS_PORT` unset): no metrics listener. 0 picks a free port.
   */
  readonly metricsPort: number | undefined;
  /** Absolute path of the data directory (SQLite file, development secrets). */
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  /** Encrypts signing keys at rest (AES-256-GCM). */
  readonly keyEncryptionKey: SecretBytes;
  /**
   * The key-encryption key being rotated away from (KEY_ENCRYPTION_KEY_PREVIOUS), or none: signing keys sealed under
   * it still load, and `gatehouse keys rewrap` re-seals them under `keyEncryptionKey`. Nothing new is sealed with it.
   */
  readonly previousKeyEncryptionKeys: readonly SecretBytes[];
  /** HMAC-SHA-256 key for every stored secret hash. */
  readonly apiKeyPepper: SecretBytes;
  /** `aud` of the access tokens we issue. Default: `PUBLIC_URL`. */
  readonly accessTokenAudience: string;
  /** Access-token lifetime in seconds. Default 1800. */
  readonly accessTokenTtlSeconds: number;
  /** Refresh-token lifetime in seconds. Default 1209600 (14 days). */
  readonly refreshTokenTtlSeconds: number;
  /**
   * Longest a browser session lives from its sign-in, in seconds, however often it is refreshed: then the user signs in
   * again. Default 2592000 (30 days). Without it, rotation would let a session, or a stolen copy of it, live forever.
   */
  readonly sessionMaxLifetimeSeconds: number;
  /**
   * Seconds after a refresh token was rotated during which presenting it again (two tabs refreshing at once) gets a new
   * token instead of revoking the session; only the immediately previous token qualifies. Default 10; 0 turns it off.
   */
  readonly refreshReuseGraceSeconds: number;
  /** How long a positive API-key check is cached in process, in seconds. Default 30. */
  readonly apiKeyCacheTtlSeconds: number;
  /** Failed credential checks allowed per client address per `authFailureWindowSeconds`. Default 20. */
  readonly authFailureLimit: number;
  /** Window of `authFailureLimit`, in seconds. Default 60. */
  readonly authFailureWindowSeconds: number;
  /** How long an address over the limit is answered 429, in seconds. Default 300. */
  readonly authFailureBlockSeconds: number;
  /** Requests per minute each credential may make, by kind, unless an API key has its own; 0 is unlimited. */
  readonly requestBudgets: RequestBudgets;
  readonly signingAlg: SigningAlg;
  /** Days after which the active signing key is rotated automatically; 0 turns automatic rotation off. Default 90. */
  readonly keyRotationDays: number;
  readonly oidc: OidcConfig | undefined;
  /** Origins allowed to make cookie-authenticated state-changing requests. Default: the origin of `PUBLIC_URL`. */
  readonly allowedOrigins: readonly string[];
  /**
   * Redirect URIs a sign-in may name (`/auth/login?redirect_uri=`), normalised (WHATWG URL serialisation) and matched
   * exactly: `PUBLIC_URL/auth/callback` first, then `ALLOWED_REDIRECT_URIS`.
   */
  readonly allowedRedirectUris: readonly string[];
  readonly redisUrl: string | undefined;
  /** Break-glass username and password login (`POST /api/v1/auth/token`); off unless `LOCAL_LOGIN_ENABLED=true`. */
  readonly localLogin: LocalLoginConfig;
  readonly catalog: Catalog;
  readonly logLevel: LogLevel;
  /** Things the operator should know (e.g. generated development secrets); logged once at start-up. */
  readonly warnings: readonly string[];
}

/** Default request budgets per minute, per credential kind (`RATE_LIMIT_*_PER_MINUTE`); 0 is unlimited. */
export interface RequestBudgets {
  /** Each API key without a budget of its own. Default 1200. */
  readonly apiKey: number;
  /** Each API client (its client-credentials access tokens). Default 1200. */
  readonly client: number;
  /** Each team token or org admin token. Default 600. */
  readonly teamToken: number;
  /** Each user (browser session, Entra token, WebSocket ticket of a user). Default 600. */
  readonly user: number;
}

export interface LocalLoginConfig {
  /** `LOCAL_LOGIN_ENABLED`: the route exists only when true. Default false. */
  readonly enabled: boolean;
  /** Failed logins in a row that lock a username. Default 5. */
  readonly maxFailures: number;
  /** How long a lock lasts, and the longest gap between failures that still count in a row, in seconds. Default 900. */
  readonly lockoutSeconds: number;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const int = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an integer from ${min} to ${max} (default ${fallback})`,
        });
        return z.NEVER;
      }
      return parsed;
    });

/** A port number, or undefined when unset (the feature it enables is off). */
const optionalPort = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a port number from 0 to 65535 (default: unset, off)`,
        });
        return z.NEVER;
      }
      return parsed;
    });

/** `true` or `false` (any case), or the fallback when unset. */
const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const normalized = value.trim().toLowerCase();
      if (normalized !== 'true' && normalized !== 'false') {
        ctx.addIssue({ code: 'custom', message: `${name} must be true or false (default ${fallback})` });
        return z.NEVER;
      }
      return normalized === 'true';
    });

const oneOf = <T extends readonly [string, ...string[]]>(name: string, values: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (!(values as readonly string[]).includes(value)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be one of ${values.join(', ')} (default ${fallback})` });
        return z.NEVER;
      }
      return value as T[number];
    });

/** Decodes hex or base64/base64url key material. Hex wins when a value is valid as both. Never echoes the value. */
export function decodeKeyMaterial(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^(?:[0-9a-fA-F]{2})+$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length > 0 ? bytes : undefined;
  }
  return undefined;
}

const secret = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      const bytes = decodeKeyMaterial(value);
      if (!bytes || bytes.length < MIN_SECRET_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be at least ${MIN_SECRET_BYTES} random bytes, hex or base64 encoded (generate one with: openssl rand -base64 32)`,
        });
        return z.NEVER;
      }
      return new SecretBytes(bytes);
    });

const httpUrl = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      try {
        const url = new URL(value);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
        return url;
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an absolute http(s) URL, e.g. https://auth.example.com`,
        });
        return z.NEVER;
      }
    });

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const envSchema = z.object({
  NODE_ENV: oneOf('NODE_ENV', NODE_ENVS, 'development'),
  PUBLIC_URL: httpUrl('PUBLIC_URL'),
  PORT: int('PORT', 0, 65535, 8080),
  METRICS_PORT: optionalPort('METRICS_PORT'),
  DATA_DIR: optionalText,
  DATABASE_URL: optionalText,
  KEY_ENCRYPTION_KEY: secret('KEY_ENCRYPTION_KEY'),
  KEY_ENCRYPTION_KEY_PREVIOUS: secret('KEY_ENCRYPTION_KEY_PREVIOUS'),
  API_KEY_PEPPER: secret('API_KEY_PEPPER'),
  ACCESS_TOKEN_AUDIENCE: optionalText,
  ACCESS_TOKEN_TTL_SECONDS: int('ACCESS_TOKEN_TTL_SECONDS', 60, 86_400, 1800),
  REFRESH_TOKEN_TTL_SECONDS: int('REFRESH_TOKEN_TTL_SECONDS', 300, 7_776_000, 1_209_600),
  SESSION_MAX_LIFETIME_SECONDS: int('SESSION_MAX_LIFETIME_SECONDS', 300, 31_536_000, 2_592_000),
  REFRESH_REUSE_GRACE_SECONDS: int('REFRESH_REUSE_GRACE_SECONDS', 0, 60, 10),
  API_KEY_CACHE_TTL_SECONDS: int('API_KEY_CACHE_TTL_SECONDS', 0, 300, 30),
  AUTH_FAILURE_LIMIT: int('AUTH_FAILURE_LIMIT', 1, 100_000, 20),
  AUTH_FAILURE_WINDOW_SECONDS: int('AUTH_FAILURE_WINDOW_SECONDS', 1, 86_400, 60),
  AUTH_FAILURE_BLOCK_SECONDS: int('AUTH_FAILURE_BLOCK_SECONDS', 1, 86_400, 300),
  RATE_LIMIT_API_KEY_PER_MINUTE: int('RATE_LIMIT_API_KEY_PER_MINUTE', 0, MAX_REQUEST_BUDGET_PER_MINUTE, 1200),
  RATE_LIMIT_CLIENT_PER_MINUTE: int('RATE_LIMIT_CLIENT_PER_MINUTE', 0, MAX_REQUEST_BUDGET_PER_MINUTE, 1200),
  RATE_LIMIT_TEAM_TOKEN_PER_MINUTE: int('RATE_LIMIT_TEAM_TOKEN_PER_MINUTE', 0, MAX_REQUEST_BUDGET_PER_MINUTE, 600),
  RATE_LIMIT_USER_PER_MINUTE: int('RATE_LIMIT_USER_PER_MINUTE', 0, MAX_REQUEST_BUDGET_PER_MINUTE, 600),
  SIGNING_ALG: oneOf('SIGNING_ALG', SIGNING_ALGORITHMS, 'ES256'),
  KEY_ROTATION_DAYS: int('KEY_ROTATION_DAYS', 0, 365, 90),
  OIDC_ISSUER: httpUrl('OIDC_ISSUER'),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_AUDIENCE: optionalText,
  OIDC_V1_ISSUER: optionalText,
  OIDC_APP_ID_URI: optionalText,
  OIDC_CLIENT_AUTH: oneOf('OIDC_CLIENT_AUTH', ['client-secret', 'managed-identity'] as const, 'client-secret'),
  DATABASE_AUTH: oneOf('DATABASE_AUTH', ['password', 'managed-identity'] as const, 'password'),
  AZURE_CLIENT_ID: optionalText,
  ALLOWED_ORIGINS: optionalText,
  ALLOWED_REDIRECT_URIS: optionalText,
  REDIS_URL: optionalText,
  LOCAL_LOGIN_ENABLED: bool('LOCAL_LOGIN_ENABLED', false),
  LOCAL_LOGIN_MAX_FAILURES: int('LOCAL_LOGIN_MAX_FAILURES', 1, 100, 5),
  LOCAL_LOGIN_LOCKOUT_SECONDS: int('LOCAL_LOGIN_LOCKOUT_SECONDS', 1, 86_400, 900),
  CATALOG_JSON: optionalText,
  LOG_LEVEL: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
});

type ParsedEnv = z.output<typeof envSchema>;

interface LoadOptions {
  /** Working directory that relative `DATA_DIR` / SQLite paths resolve against. Default: `process.cwd()`. */
  readonly cwd?: string;
}

/** Parses `env` (pass `process.env` from the entry point, or your own object in tests). Throws `ConfigError`. */
export function loadConfig(env: Env, options: LoadOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(issue.message);
  }
  // Validate the remaining variables even when some failed, so one run lists every problem.
  const values = (parsed.success ? parsed.data : {}) as Partial<ParsedEnv>;
  const nodeEnv = values.NODE_ENV ?? (NODE_ENVS.includes(env.NODE_ENV as never) ? env.NODE_ENV : 'development');
  const isProduction = nodeEnv === 'production';
  const port = values.PORT ?? 8080;
  const metricsPort = values.METRICS_PORT;
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    problems.push(
      `METRICS_PORT must differ from PORT (both are ${port}): metrics are served on a listener of their own`,
    );
  }

  const dataDir = resolve(cwd, values.DATA_DIR ?? env.DATA_DIR ?? './data');
  const database = withDatabaseAuth(
    parseDatabaseUrl(values.DATABASE_URL ?? env.DATABASE_URL, dataDir, cwd, problems),
    values,
    problems,
  );

  if (isProduction) {
    if (!env.PUBLIC_URL) problems.push('PUBLIC_URL is required in production (the external https URL of the runtime)');
    if (!env.KEY_ENCRYPTION_KEY) {
      problems.push(`KEY_ENCRYPTION_KEY is required in production (at least ${MIN_SECRET_BYTES} bytes, hex or base64)`);
    }
    if (!env.API_KEY_PEPPER) {
      problems.push(`API_KEY_PEPPER is required in production (at least ${MIN_SECRET_BYTES} bytes, hex or base64)`);
    }
  }

  let catalog = defaultCatalog;
  if (values.CATALOG_JSON ?? env.CATALOG_JSON) {
    try {
      catalog = catalogFromJson(String(values.CATALOG_JSON ?? env.CATALOG_JSON));
    } catch (error) {
      problems.push(`CATALOG_JSON is not a valid permission catalog: ${(error as Error).message}`);
    }
  }

  const oidc = parseOidc(values, env, problems);
  const redisUrl = values.REDIS_URL ?? (env.REDIS_URL?.trim() || undefined);
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }

  const publicUrl = (values.PUBLIC_URL?.href ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const allowedOrigins = parseOrigins(values.ALLOWED_ORIGINS ?? env.ALLOWED_ORIGINS, publicUrl, problems);
  const allowedRedirectUris = parseRedirectUris(
    values.ALLOWED_REDIRECT_URIS ?? env.ALLOWED_REDIRECT_URIS,
    publicUrl,
    isProduction,
    problems,
  );
  if (isProduction && values.PUBLIC_URL && !isSecureOrLoopback(values.PUBLIC_URL)) {
    problems.push(
      `PUBLIC_URL must be https in production (got ${values.PUBLIC_URL.origin}); plain http is allowed only on loopback`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const v = values as ParsedEnv;

  const warnings: string[] = [];
  let keyEncryptionKey = v.KEY_ENCRYPTION_KEY;
  let apiKeyPepper = v.API_KEY_PEPPER;
  if (!keyEncryptionKey || !apiKeyPepper) {
    const dev = loadOrCreateDevSecrets(dataDir);
    if (!keyEncryptionKey) keyEncryptionKey = dev.keyEncryptionKey;
    if (!apiKeyPepper) apiKeyPepper = dev.apiKeyPepper;
    warnings.push(
      `KEY_ENCRYPTION_KEY/API_KEY_PEPPER not set: using development secrets kept in ${join(dataDir, DEV_SECRETS_FILE)}${dev.created ? ' (generated now)' : ''}. Set both for any shared or production deployment.`,
    );
  }

  return {
    nodeEnv: v.NODE_ENV,
    isProduction,
    publicUrl,
    port,
    metricsPort,
    dataDir,
    database,
    keyEncryptionKey,
    previousKeyEncryptionKeys: v.KEY_ENCRYPTION_KEY_PREVIOUS ? [v.KEY_ENCRYPTION_KEY_PREVIOUS] : [],
    apiKeyPepper,
    accessTokenAudience: v.ACCESS_TOKEN_AUDIENCE ?? publicUrl,
    accessTokenTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: v.REFRESH_TOKEN_TTL_SECONDS,
    sessionMaxLifetimeSeconds: v.SESSION_MAX_LIFETIME_SECONDS,
    refreshReuseGraceSeconds: v.REFRESH_REUSE_GRACE_SECONDS,
    apiKeyCacheTtlSeconds: v.API_KEY_CACHE_TTL_SECONDS,
    authFailureLimit: v.AUTH_FAILURE_LIMIT,
    authFailureWindowSeconds: v.AUTH_FAILURE_WINDOW_SECONDS,
    authFailureBlockSeconds: v.AUTH_FAILURE_BLOCK_SECONDS,
    requestBudgets: {
      apiKey: v.RATE_LIMIT_API_KEY_PER_MINUTE,
      client: v.RATE_LIMIT_CLIENT_PER_MINUTE,
      teamToken: v.RATE_LIMIT_TEAM_TOKEN_PER_MINUTE,
      user: v.RATE_LIMIT_USER_PER_MINUTE,
    },
    signingAlg: v.SIGNING_ALG,
    keyRotationDays: v.KEY_ROTATION_DAYS,
    oidc,
    allowedOrigins,
    allowedRedirectUris,
    redisUrl,
    localLogin: {
      enabled: v.LOCAL_LOGIN_ENABLED,
      maxFailures: v.LOCAL_LOGIN_MAX_FAILURES,
      lockoutSeconds: v.LOCAL_LOGIN_LOCKOUT_SECONDS,
    },
    catalog,
    logLevel: v.LOG_LEVEL,
    warnings,
  };
}

function parseDatabaseUrl(value: string | undefined, dataDir: string, cwd: string, problems: string[]): DatabaseConfig {
  if (!value) return { kind: 'sqlite', filename: join(dataDir, 'gatehouse.db') };
  if (/^postgres(?:ql)?:\/\//.test(value)) {
    try {
      new URL(value);
      return { kind: 'postgres', url: value };
    } catch {
      problems.push('DATABASE_URL is not a valid postgres:// URL');
      return { kind: 'postgres', url: '' };
    }
  }
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') {
      problems.push('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/gatehouse.db');
      return { kind: 'sqlite', filename: '' };
    }
    if (path === ':memory:') return { kind: 'sqlite', filename: ':memory:' };
    return { kind: 'sqlite', filename: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  problems.push('DATABASE_URL must be sqlite:<file path> or postgres://user@host:port/database');
  return { kind: 'sqlite', filename: '' };
}

/** Applies `DATABASE_AUTH=managed-identity`: PostgreSQL only, and the URL names the user but holds no password. */
function withDatabaseAuth(database: DatabaseConfig, values: Partial<ParsedEnv>, problems: string[]): DatabaseConfig {
  if (values.DATABASE_AUTH !== 'managed-identity') return database;
  if (database.kind !== 'postgres') {
    problems.push('DATABASE_AUTH=managed-identity needs a postgres:// DATABASE_URL (user = the managed identity name)');
    return database;
  }
  if (database.url && new URL(database.url).password !== '') {
    problems.push(
      'DATABASE_URL must not contain a password when DATABASE_AUTH=managed-identity (the token is the password)',
    );
  }
  return { ...database, auth: { kind: 'managed-identity', clientId: values.AZURE_CLIENT_ID } };
}

function parseOidc(values: Partial<ParsedEnv>, env: Env, problems: string[]): OidcConfig | undefined {
  const names = [
    'OIDC_ISSUER',
    'OIDC_CLIENT_ID',
    'OIDC_CLIENT_SECRET',
    'OIDC_AUDIENCE',
    'OIDC_V1_ISSUER',
    'OIDC_APP_ID_URI',
  ] as const;
  if (!names.some((name) => env[name])) return undefined;
  if (!env.OIDC_ISSUER) problems.push('OIDC_ISSUER is required when any OIDC_* variable is set (the issuer URL)');
  if (!env.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID is required when any OIDC_* variable is set');
  const assertion = values.OIDC_CLIENT_AUTH === 'managed-identity';
  if (assertion && values.OIDC_CLIENT_SECRET) {
    problems.push(
      'OIDC_CLIENT_SECRET must not be set when OIDC_CLIENT_AUTH=managed-identity (the assertion replaces it)',
    );
  }
  if (values.OIDC_ISSUER && isMultiTenantEntraIssuer(env.OIDC_ISSUER ?? '', values.OIDC_ISSUER)) {
    problems.push(
      'OIDC_ISSUER must be the issuer of one Entra tenant, https://login.microsoftonline.com/<tenant-id>/v2.0: ' +
        'multi-tenant issuers (common, organizations, consumers, {tenantid}) would let users of any tenant sign in',
    );
  }
  if (!values.OIDC_ISSUER || !values.OIDC_CLIENT_ID) return undefined;
  return {
    issuer: values.OIDC_ISSUER.href.replace(/\/+$/, ''),
    clientId: values.OIDC_CLIENT_ID,
    clientSecret: values.OIDC_CLIENT_SECRET ? new SecretBytes(Buffer.from(values.OIDC_CLIENT_SECRET)) : undefined,
    clientAssertion: assertion ? { kind: 'managed-identity', clientId: values.AZURE_CLIENT_ID } : undefined,
    audience: values.OIDC_AUDIENCE ?? values.OIDC_CLIENT_ID,
    v1Issuer: parseV1Issuer(values.OIDC_V1_ISSUER, values.OIDC_ISSUER, problems),
    appIdUri: parseAppIdUri(values.OIDC_APP_ID_URI, problems),
  };
}

/** Entra's v1.0 token issuer host for each v2.0 sign-in host whose clouds publish one (public and China). */
const ENTRA_V1_ISSUER_HOSTS: Readonly<Record<string, string>> = {
  'login.microsoftonline.com': 'sts.windows.net',
  'login.partner.microsoftonline.cn': 'sts.chinacloudapi.cn',
  'login.chinacloudapi.cn': 'sts.chinacloudapi.cn',
};
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The v1.0 issuer to accept: OIDC_V1_ISSUER as given (`none` for none), else the one Entra uses for the tenant of a
 * v2.0 issuer `https://<login host>/<tenant id>/v2.0`, else none (another IdP has no v1.0 tokens).
 */
function parseV1Issuer(value: string | undefined, issuer: URL, problems: string[]): string | undefined {
  if (value === 'none') return undefined;
  if (value !== undefined) {
    if (!URL.canParse(value) || new URL(value).protocol !== 'https:') {
      problems.push(
        `OIDC_V1_ISSUER must be an https URL like https://sts.windows.net/<tenant id>/, or none (got "${value.slice(0, 200)}")`,
      );
      return undefined;
    }
    return value;
  }
  const [tenant, version, ...rest] = issuer.pathname.split('/').filter(Boolean);
  const host = ENTRA_V1_ISSUER_HOSTS[issuer.hostname.toLowerCase()];
  if (!host || !tenant || !TENANT_ID.test(tenant) || version !== 'v2.0' || rest.length > 0) return undefined;
  return `https://${host}/${tenant.toLowerCase()}/`;
}

function parseAppIdUri(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (!URL.canParse(value)) {
    problems.push(
      `OIDC_APP_ID_URI must be the API's Application ID URI, like api://gatehouse-prod (got "${value.slice(0, 200)}")`,
    );
    return undefined;
  }
  return value;
}

/** Entra ID sign-in hosts (public and national clouds) whose `common`-style paths accept any tenant. */
const ENTRA_LOGIN_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'login.chinacloudapi.cn',
  'login.microsoftonline.de',
]);
const MULTI_TENANT_SEGMENTS = new Set(['common', 'organizations', 'consumers']);

/**
 * True for an issuer that is not one tenant's: Entra's `common`, `organizations` and `consumers` endpoints, or a
 * templated issuer holding `{tenantid}`. Sign-in would then provision users of every tenant (with the roles their own
 * tenant's admin gave them), so such issuers are refused outright; there is no tenant allow-list.
 */
function isMultiTenantEntraIssuer(raw: string, url: URL): boolean {
  if (/\{tenantid\}|%7btenantid%7d/i.test(raw)) return true;
  const firstSegment = url.pathname.split('/')[1]?.toLowerCase() ?? '';
  return ENTRA_LOGIN_HOSTS.has(url.hostname.toLowerCase()) && MULTI_TENANT_SEGMENTS.has(firstSegment);
}

function parseOrigins(value: string | undefined, publicUrl: string, problems: string[]): string[] {
  if (!value) return [new URL(publicUrl).origin];
  const origins: string[] = [];
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    try {
      const url = new URL(entry);
      if (url.origin === 'null' || url.origin !== entry.replace(/\/+$/, '')) throw new Error('not an origin');
      origins.push(url.origin);
    } catch {
      problems.push(
        `ALLOWED_ORIGINS must be a comma-separated list of origins like https://app.example.com (got an invalid entry "${entry}")`,
      );
    }
  }
  return origins;
}

/** https, or http on a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`). */
function isSecureOrLoopback(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `PUBLIC_URL/auth/callback` plus `ALLOWED_REDIRECT_URIS` (comma separated absolute URLs), each normalised by the
 * WHATWG URL serialiser. An entry with credentials or a fragment is refused, as is plain http off loopback in
 * production.
 */
function parseRedirectUris(
  value: string | undefined,
  publicUrl: string,
  isProduction: boolean,
  problems: string[],
): string[] {
  const uris = [new URL(`${publicUrl}/auth/callback`).href];
  for (const entry of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    const ok =
      url !== undefined &&
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.username === '' &&
      url.password === '' &&
      url.hash === '' &&
      !entry.includes('\\') &&
      (!isProduction || isSecureOrLoopback(url));
    if (!ok) {
      problems.push(
        `ALLOWED_REDIRECT_URIS must be a comma-separated list of absolute https URLs without credentials or fragment, like https://app.example.com/callback (got an invalid entry "${entry.slice(0, 200)}")`,
      );
      continue;
    }
    if (!uris.includes(url.href)) uris.push(url.href);
  }
  return uris;
}

interface DevSecrets {
  readonly keyEncryptionKey: SecretBytes;
  readonly apiKeyPepper: SecretBytes;
  readonly created: boolean;
}

/** Development only: secrets generated once and kept (mode 0600) in the data directory so restarts keep working. */
function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, DEV_SECRETS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { keyEncryptionKey: string; apiKeyPepper: string };
    return {
      keyEncryptionKey: new SecretBytes(Buffer.from(stored.keyEncryptionKey, 'base64')),
      apiKeyPepper: new SecretBytes(Buffer.from(stored.apiKeyPepper, 'base64')),
      created: false,
    };
  }
  mkdirSync(dataDir, { recursive: true });
  const kek = randomBytes(MIN_SECRET_BYTES);
  const pepper = randomBytes(MIN_SECRET_BYTES);
  const body = JSON.stringify({ keyEncryptionKey: kek.toString('base64'), apiKeyPepper: pepper.toString('base64') });
  // `wx`: if another process created the file in the meantime, use theirs instead of overwriting it.
  try {
    writeFileSync(file, body, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateDevSecrets(dataDir);
    throw error;
  }
  return { keyEncryptionKey: new SecretBytes(kek), apiKeyPepper: new SecretBytes(pepper), created: true };
}
