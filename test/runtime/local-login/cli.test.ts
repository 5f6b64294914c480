import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../runtime/src/cli/run.js';
import { loadConfig } from '../../../runtime/src/config.js';
import { LoginLockout } from '../../../runtime/src/local-login/login-lockout.js';
import { PasswordHasher } from '../../../runtime/src/local-login/password-hash.js';
import { readNewPassword } from '../../../runtime/src/local-login/password-input.js';
import { createRefreshTokens } from '../../../runtime/src/signin/refresh-tokens.js';
import { openStore, type Store } from '../../../runtime/src/store/store.js';
import { TEST_API_KEY_PEPPER, TEST_KEY_ENCRYPTION_KEY } from '../../support/config.js';
import { createTestDatabase, STORE_DIALECTS, type TestDatabase } from '../../support/databases.js';

const BIN = join(import.meta.dirname, '../../../runtime/bin/gatehouse.js');
const PASSWORD = 'violet-anchor-tundra-42';
const OTHER_PASSWORD = 'quiet-harbour-lantern-77';

/** The real `gatehouse` binary in a child process, `stdin` written to its standard input and closed. */
function gatehouse(args: string[], env: Record<string, string>, stdin: string) {
  const { PATH, HOME } = process.env;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { PATH, HOME, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

/** `runCli` in process, `stdin` as its standard input (not a TTY). */
async function cli(args: string[], env: Record<string, string>, stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    stdin: Readable.from([stdin]),
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

// Each child-process run compiles the TypeScript source (a few seconds); see test/runtime/core/cli.test.ts.
const CLI_CASE_TIMEOUT_MS = 120_000;

describe.each(STORE_DIALECTS)('gatehouse local-user on %s', (dialect) => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    env = {
      DATABASE_URL: database.databaseUrl,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-local-user-')),
      KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
      API_KEY_PEPPER: TEST_API_KEY_PEPPER,
      LOG_LEVEL: 'silent',
    };
    // Migrates the store.
    expect((await cli(['migrate'], env)).code).toBe(0);
    store = openStore(database.database);
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const accountOf = (email: string) =>
    store.db
      .selectFrom('users as u')
      .innerJoin('local_credentials as c', 'c.user_id', 'u.id')
      .selectAll('u')
      .select('c.password_hash')
      .where('u.email', '=', email)
      .executeTakeFirst();

  it(
    'adds an account with the password from stdin, hashed with argon2id, audited without it, and lists it',
    async () => {
      const added = await gatehouse(
        ['local-user', 'add', '--email', 'Ops@Example.com', '--role', 'admin', '--json'],
        env,
        `${PASSWORD}\nignored second line\n`,
      );
      expect(added.code, added.stderr).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({ email: 'ops@example.com', role: 'admin', org_id: 'default' });
      expect(`${added.stdout}${added.stderr}`).not.toContain(PASSWORD);

      const row = await accountOf('ops@example.com');
      expect(row).toMatchObject({ role: 'admin', issuer: 'urn:gatehouse:local', disabled_at: null });
      expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      expect(await new PasswordHasher().verify(String(row?.password_hash), PASSWORD)).toBe(true);
      const audit = await store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('kind', '=', 'local_user.created')
        .execute();
      expect(audit).toEqual([expect.objectContaining({ outcome: 'success', actor_kind: 'cli', target: row?.id })]);
      expect(JSON.stringify(audit)).not.toContain(PASSWORD);

      const listed = await gatehouse(['local-user', 'list', '--json'], env, '');
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ email: 'ops@example.com', role: 'admin', disabled: false, locked_until: null }),
      ]);
      expect(listed.stdout).not.toContain('argon2');
    },
    CLI_CASE_TIMEOUT_MS,
  );

  it('never takes the password from an argument or the environment', async () => {
    const positional = await cli(['local-user', 'add', '--email', 'a1@example.com', '--role', 'viewer', PASSWORD], env);
    expect(positional.code).toBe(2);
    expect(positional.stderr).toContain('a password is never taken from the command line');
    expect(positional.stderr).not.toContain(PASSWORD);

    const option = await cli(
      ['local-user', 'add', '--email', 'a1@example.com', '--role', 'viewer', `--password=${PASSWORD}`],
      env,
    );
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--password'");
    expect(option.stderr).not.toContain(PASSWORD);

    const fromEnv = await cli(['local-user', 'add', '--email', 'a1@example.com', '--role', 'viewer'], {
      ...env,
      PASSWORD,
      LOCAL_USER_PASSWORD: PASSWORD,
      GATEHOUSE_PASSWORD: PASSWORD,
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('local-user add: no password on stdin');
    expect(await accountOf('a1@example.com')).toBeUndefined();
  });

  it('refuses weak passwords, passwords holding the e-mail, unknown roles and taken e-mails, saying why', async () => {
    const add = (email: string, role: string, stdin: string) =>
      cli(['local-user', 'add', '--email', email, '--role', role], env, stdin);
    const short = await add('b1@example.com', 'viewer', 'too-short\n');
    expect(short).toMatchObject({ code: 2, stdout: '' });
    expect(short.stderr).toBe(
      'local-user add: password refused: the password must be at least 12 characters long (it has 9); nothing was changed\n',
    );
    const withEmail = await add('b1@example.com', 'viewer', 'prefix-B1@EXAMPLE.com\n');
    expect(withEmail.stderr).toContain('the password must not contain the e-mail address');
    const withName = await add('breakglass@example.com', 'viewer', 'my-BreakGlass-2030\n');
    expect(withName.stderr).toContain('the password must not contain the e-mail\'s name part ("breakglass")');
    const role = await add('b1@example.com', 'root', `${PASSWORD}\n`);
    expect(role.stderr).toBe(
      'local-user add: --role must be one of admin, analyst, viewer, operator, api_service (got "root")\n',
    );
    const noEmail = await cli(['local-user', 'add', '--role', 'viewer'], env, `${PASSWORD}\n`);
    expect(noEmail.stderr).toBe('local-user add: --email <address> is required\n');
    const badEmail = await add('not-an-address', 'viewer', `${PASSWORD}\n`);
    expect(badEmail.stderr).toContain('--email must be an e-mail address');
    for (const result of [withEmail, withName, role, noEmail, badEmail]) expect(result.code).toBe(2);
    expect(await accountOf('b1@example.com')).toBeUndefined();

    expect((await add('taken@example.com', 'viewer', `${PASSWORD}\n`)).code).toBe(0);
    const taken = await add('TAKEN@example.com', 'admin', `${OTHER_PASSWORD}\n`);
    expect(taken).toMatchObject({
      code: 2,
      stderr: 'local-user add: a local user with e-mail taken@example.com already exists\n',
    });
    expect((await accountOf('taken@example.com'))?.role).toBe('viewer');
    expect((await cli(['local-user', 'frobnicate'], env)).code).toBe(2);
  });

  it('disables an account and ends its sessions; resets a password, lifting a lockout', async () => {
    expect(
      (await cli(['local-user', 'add', '--email', 'c1@example.com', '--role', 'analyst'], env, `${PASSWORD}\n`)).code,
    ).toBe(0);
    const user = await accountOf('c1@example.com');
    const config = loadConfig(env);
    const refresh = createRefreshTokens({ config, store, clock: { now: () => Date.now() } });
    const session = await refresh.startFamily(String(user?.id));

    const lockout = new LoginLockout({ store, clock: { now: () => Date.now() }, maxFailures: 1, lockoutSeconds: 900 });
    await lockout.recordFailure('c1@example.com');
    expect(await lockout.lockedFor('c1@example.com')).toBeGreaterThan(0);

    const weak = await cli(['local-user', 'reset', '--email', 'c1@example.com'], env, 'short\n');
    expect(weak.code).toBe(2);
    const reset = await cli(['local-user', 'reset', '--email', 'c1@example.com'], env, `${OTHER_PASSWORD}\n`);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toBe(
      'New password set for c1@example.com; its lockout is lifted and its sessions are ended.\n',
    );
    const after = await accountOf('c1@example.com');
    expect(await new PasswordHasher().verify(String(after?.password_hash), OTHER_PASSWORD)).toBe(true);
    expect(await new PasswordHasher().verify(String(after?.password_hash), PASSWORD)).toBe(false);
    expect(await lockout.lockedFor('c1@example.com')).toBeUndefined();
    expect((await refresh.rotate(session.token)).outcome).toBe('rejected');

    const second = await refresh.startFamily(String(user?.id));
    const disabled = await cli(['local-user', 'disable', '--email', 'c1@example.com'], env);
    expect(disabled).toMatchObject({
      code: 0,
      stdout: 'Disabled local user c1@example.com; its sessions are ended.\n',
    });
    expect((await accountOf('c1@example.com'))?.disabled_at).not.toBeNull();
    expect((await refresh.rotate(second.token)).outcome).toBe('rejected');
    const listed = await cli(['local-user', 'list'], env);
    expect(listed.stdout).toMatch(/^c1@example\.com {2}analyst {2}disabled {2}created /m);

    const kinds = await store.db
      .selectFrom('audit_events')
      .select('kind')
      .where('target', '=', String(user?.id))
      .orderBy('at')
      .execute();
    expect(kinds.map((row) => row.kind)).toEqual([
      'local_user.created',
      'local_user.password_reset',
      'local_user.disabled',
    ]);

    const unknown = await cli(['local-user', 'disable', '--email', 'nobody@example.com'], env);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'local-user disable: no local user with e-mail nobody@example.com\n',
    });
  });
});

describe('the password prompt on a terminal', () => {
  /** A fake TTY: answers each prompt with the next line once the prompt is shown. */
  function terminal(answers: string[]) {
    const events: string[] = [];
    const stdin = Object.assign(new PassThrough(), {
      isTTY: true,
      setRawMode: (raw: boolean) => events.push(raw ? 'echo off' : 'echo on'),
    });
    let shown = '';
    const prompt = (text: string) => {
      shown += text;
      events.push(JSON.stringify(text));
      const answer = text.endsWith(': ') ? answers.shift() : undefined;
      if (answer !== undefined) setImmediate(() => stdin.write(`${answer}\r`));
    };
    return { input: { stdin, prompt }, shown: () => shown, events };
  }

  it('asks twice without echoing and returns the password when both match', async () => {
    const tty = terminal([PASSWORD, PASSWORD]);
    expect(await readNewPassword(tty.input)).toBe(PASSWORD);
    expect(tty.shown()).toBe('New password: \nRepeat the password: \n');
    // Echo is off before each prompt invites typing, and on again after the answer.
    expect(tty.events).toEqual([
      'echo off',
      '"New password: "',
      'echo on',
      '"\\n"',
      'echo off',
      '"Repeat the password: "',
      'echo on',
      '"\\n"',
    ]);
  });

  it('refuses two different answers', async () => {
    const tty = terminal([PASSWORD, OTHER_PASSWORD]);
    await expect(readNewPassword(tty.input)).rejects.toThrow('the two passwords differ; nothing was changed');
    expect(tty.shown()).not.toContain(PASSWORD);
  });
});
