import { isRole } from '../../../catalog/index.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { createRefreshTokens } from '../signin/refresh-tokens.js';
import type { UserRow } from '../signin/sign-in-user.js';
import type { Store } from '../store/store.js';
import { type LocalAccountSummary, LocalUserExistsError, LocalUsers, normalizeUsername } from './local-users.js';
import { LoginLockout } from './login-lockout.js';
import { PasswordHasher } from './password-hash.js';
import { type PasswordInput, PasswordInputError, readNewPassword } from './password-input.js';
import { passwordProblems } from './password-policy.js';

export interface LocalUserCommandDeps {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly audit: AuditWriter;
  readonly input: PasswordInput;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface LocalUserOptions {
  readonly email?: string;
  readonly role?: string;
  readonly json?: boolean;
  /** Positionals after `local-user <sub>`: always refused (a password typed there would reach shell history). */
  readonly extra: readonly string[];
}

export const LOCAL_USER_USAGE = `local-user add --email <e> --role <r> [--json]
                                     create a break-glass account; the password is asked for (no echo, twice)
                                     on a terminal, else read from the first line of stdin
  local-user list [--json]           list local accounts (role, disabled, locked, last sign-in)
  local-user disable --email <e>     refuse the account's logins and end its sessions
  local-user reset --email <e>       set a new password (asked for or read from stdin) and lift a lockout`;

/** Longest e-mail address accepted (RFC 5321's path limit). */
const MAX_EMAIL_LENGTH = 254;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** A refusal the operator can act on: printed as `local-user <sub>: <message>`, exit code 2. */
class UsageError extends Error {}

/**
 * `gatehouse local-user add|list|disable|reset`: the only way local (break-glass) accounts are made or changed. Every
 * change is audited with the CLI as the actor. Resolves to the exit code: 0 done, 2 refused (bad input, weak password,
 * no such account).
 */
export async function localUserCommand(
  sub: string | undefined,
  options: LocalUserOptions,
  deps: LocalUserCommandDeps,
): Promise<number> {
  try {
    if (options.extra.length > 0) {
      throw new UsageError(
        'unexpected argument; a password is never taken from the command line: type it at the prompt, or pipe it as the first line of stdin',
      );
    }
    if (sub === 'add') return await add(options, deps);
    if (sub === 'list') return await list(options, deps);
    if (sub === 'disable') return await disable(options, deps);
    if (sub === 'reset') return await reset(options, deps);
    throw new UsageError(`expected "add", "list", "disable" or "reset"\n\n  ${LOCAL_USER_USAGE}`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof PasswordInputError || error instanceof LocalUserExistsError) {
      deps.stderr(`local-user${sub ? ` ${sub}` : ''}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function emailOption(options: LocalUserOptions): string {
  const email = options.email === undefined ? '' : normalizeUsername(options.email);
  if (email === '') throw new UsageError('--email <address> is required');
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw new UsageError(`--email must be an e-mail address like ops@example.com (got "${email.slice(0, 100)}")`);
  }
  return email;
}

/** Reads the new password and applies the policy; the password itself is never printed. */
async function newPasswordHash(email: string, deps: LocalUserCommandDeps): Promise<string> {
  const password = await readNewPassword(deps.input);
  const problems = passwordProblems(password, email);
  if (problems.length > 0) throw new UsageError(`password refused: ${problems.join('; ')}; nothing was changed`);
  return new PasswordHasher().hash(password);
}

/** Audits a change the CLI made to `user`, with the command as the actor. */
function recordChange(
  deps: LocalUserCommandDeps,
  sub: string,
  kind: string,
  user: UserRow,
  details: Record<string, unknown>,
): Promise<string> {
  return deps.audit.record({
    kind,
    outcome: 'success',
    actor: { kind: 'cli', subject: `gatehouse local-user ${sub}` },
    credentialId: user.id,
    orgId: user.org_id,
    target: user.id,
    details,
  });
}

async function add(options: LocalUserOptions, deps: LocalUserCommandDeps): Promise<number> {
  const email = emailOption(options);
  const role = options.role ?? '';
  if (!isRole(deps.config.catalog, role)) {
    throw new UsageError(
      `--role must be one of ${deps.config.catalog.roleValues.join(', ')}${role ? ` (got "${role.slice(0, 60)}")` : ''}`,
    );
  }
  const users = new LocalUsers(deps.store, deps.clock);
  // Asked before the password, so nobody types one for nothing.
  if (await users.find(email)) throw new LocalUserExistsError(email);
  const passwordHash = await newPasswordHash(email, deps);
  const user = await users.create({ email, role, passwordHash });
  await recordChange(deps, 'add', 'local_user.created', user, { email, role });
  deps.stdout(
    options.json
      ? `${JSON.stringify({ id: user.id, email, role, org_id: user.org_id })}\n`
      : `Created local user ${email} (role ${role}, id ${user.id}). It signs in at POST /api/v1/auth/token when LOCAL_LOGIN_ENABLED=true.\n`,
  );
  return 0;
}

async function list(options: LocalUserOptions, deps: LocalUserCommandDeps): Promise<number> {
  const accounts = await new LocalUsers(deps.store, deps.clock).list();
  if (options.json) {
    deps.stdout(`${JSON.stringify(accounts)}\n`);
  } else if (accounts.length === 0) {
    deps.stdout('No local users (create one with `gatehouse local-user add --email <e> --role <r>`).\n');
  } else {
    deps.stdout(`${accounts.map(describe).join('\n')}\n`);
  }
  return 0;
}

function describe(account: LocalAccountSummary): string {
  const state = account.disabled
    ? 'disabled'
    : account.locked_until
      ? `locked until ${account.locked_until}`
      : 'active';
  return `${account.email}  ${account.role}  ${state}  created ${account.created_at}  last sign-in ${account.last_sign_in_at ?? 'never'}`;
}

async function disable(options: LocalUserOptions, deps: LocalUserCommandDeps): Promise<number> {
  const email = emailOption(options);
  const user = await new LocalUsers(deps.store, deps.clock).disable(email);
  if (!user) throw new UsageError(`no local user with e-mail ${email}`);
  // Refresh tokens stop now; access tokens already issued are refused by the session check (user profile cache).
  await createRefreshTokens(deps).revokeUserFamilies(user.id, 'user_disabled');
  await recordChange(deps, 'disable', 'local_user.disabled', user, { email });
  deps.stdout(`Disabled local user ${email}; its sessions are ended.\n`);
  return 0;
}

async function reset(options: LocalUserOptions, deps: LocalUserCommandDeps): Promise<number> {
  const email = emailOption(options);
  const users = new LocalUsers(deps.store, deps.clock);
  if (!(await users.find(email))) throw new UsageError(`no local user with e-mail ${email}`);
  const passwordHash = await newPasswordHash(email, deps);
  const user = await users.setPassword(email, passwordHash);
  if (!user) throw new UsageError(`no local user with e-mail ${email}`);
  const { maxFailures, lockoutSeconds } = deps.config.localLogin;
  await new LoginLockout({ store: deps.store, clock: deps.clock, maxFailures, lockoutSeconds }).clear(email);
  // Whoever knew the old password loses the sessions they made with it.
  await createRefreshTokens(deps).revokeUserFamilies(user.id, 'revoked');
  await recordChange(deps, 'reset', 'local_user.password_reset', user, {
    email,
    was_disabled: user.disabled_at !== null,
  });
  deps.stdout(
    `New password set for ${email}; its lockout is lifted and its sessions are ended.${user.disabled_at ? ' The account stays disabled.' : ''}\n`,
  );
  return 0;
}
