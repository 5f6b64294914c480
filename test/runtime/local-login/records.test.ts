import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ISSUER, LocalUserExistsError, LocalUsers } from '../../../runtime/src/local-login/local-users.js';
import { LoginLockout } from '../../../runtime/src/local-login/login-lockout.js';
import { ManualClock } from '../../support/clock.js';
import { openTestStore, STORE_DIALECTS, type TestStore } from '../../support/databases.js';

describe.each(STORE_DIALECTS)('local accounts and the per-username lockout on %s', (dialect) => {
  let db: TestStore;
  const clock = new ManualClock();

  beforeAll(async () => {
    db = await openTestStore(dialect);
  });

  afterAll(async () => {
    await db?.cleanup();
  });

  it('keeps a local account as a users row of the local issuer, its hash apart, one per e-mail', async () => {
    const users = new LocalUsers(db.store, clock);
    const user = await users.create({ email: ' Ops@Example.COM ', role: 'admin', passwordHash: '$argon2id$fake' });
    expect(user).toMatchObject({ issuer: LOCAL_ISSUER, subject: 'ops@example.com', email: 'ops@example.com' });
    const row = await db.store.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'admin', org_id: 'default', disabled_at: null });
    expect(await users.find('OPS@example.com')).toMatchObject({
      user: { id: user.id },
      passwordHash: '$argon2id$fake',
    });
    await expect(users.create({ email: 'ops@example.com', role: 'viewer', passwordHash: 'x' })).rejects.toThrow(
      LocalUserExistsError,
    );
    expect(await users.find('nobody@example.com')).toBeUndefined();

    await users.setPassword('ops@example.com', '$argon2id$other');
    expect((await users.find('ops@example.com'))?.passwordHash).toBe('$argon2id$other');
    expect((await users.disable('ops@example.com'))?.disabled_at).not.toBeNull();
    expect(await users.list()).toEqual([
      expect.objectContaining({ email: 'ops@example.com', role: 'admin', disabled: true, locked_until: null }),
    ]);
    expect(await users.disable('nobody@example.com')).toBeUndefined();
  });

  it('locks a username after N failures in a row, for the window, whether or not it exists', async () => {
    const lockout = new LoginLockout({ store: db.store, clock, maxFailures: 3, lockoutSeconds: 900 });
    expect(await lockout.recordFailure('Ghost@example.com')).toBeUndefined();
    clock.advance(60);
    expect(await lockout.recordFailure('ghost@example.com')).toBeUndefined();
    expect(await lockout.lockedFor('ghost@example.com')).toBeUndefined();
    expect(await lockout.recordFailure('ghost@example.com')).toBe(900);
    clock.advance(300);
    expect(await lockout.lockedFor('GHOST@example.com')).toBe(600);
    clock.advance(600);
    expect(await lockout.lockedFor('ghost@example.com')).toBeUndefined();
    // The count starts again after the lock.
    expect(await lockout.recordFailure('ghost@example.com')).toBeUndefined();
  });

  it('forgets failures older than the window, and on clear', async () => {
    const lockout = new LoginLockout({ store: db.store, clock, maxFailures: 2, lockoutSeconds: 100 });
    await lockout.recordFailure('slow@example.com');
    clock.advance(101);
    expect(await lockout.recordFailure('slow@example.com')).toBeUndefined();
    await lockout.clear('slow@example.com');
    expect(await lockout.recordFailure('slow@example.com')).toBeUndefined();
    expect(await lockout.recordFailure('slow@example.com')).toBe(100);
  });
});
