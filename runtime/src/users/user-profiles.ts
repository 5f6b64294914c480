import { VerifyCache } from '../auth/verify-cache.js';
import type { AppContext } from '../http/context.js';
import type { InvalidationBus } from '../invalidation/bus.js';

/** Bus topic published when a user row changes (role, disabled, profile); the key is the user id. */
export const USER_CHANGED_TOPIC = 'user.changed';
/** How long a user's profile is served from memory, in seconds. Default 60; the bus drops entries sooner. */
export const USER_PROFILE_TTL_SECONDS = 60;

export interface UserProfile {
  readonly email: string | null;
  readonly name: string | null;
  readonly disabled: boolean;
}

/**
 * Users' display data and disabled flag for session principals (`/auth/me`), cached per process (bounded, TTL) so a
 * warm request runs no query; changes are published on the invalidation bus and reach every replica.
 */
export class UserProfiles {
  readonly #ctx: AppContext;
  readonly #bus: InvalidationBus;
  readonly #cache = new VerifyCache<UserProfile | null>();

  constructor(ctx: AppContext, bus: InvalidationBus) {
    this.#ctx = ctx;
    this.#bus = bus;
    bus.subscribe(USER_CHANGED_TOPIC, {
      onKey: (userId) => this.#cache.deleteById(userId),
      onReset: () => this.#cache.clear(),
    });
  }

  /** The profile of `userId`, or null when there is no such user. */
  async get(userId: string): Promise<UserProfile | null> {
    const now = this.#ctx.clock.now();
    const cached = this.#cache.get(userId, now);
    if (cached !== undefined) return cached;
    const row = await this.#ctx.store.db
      .selectFrom('users')
      .select(['email', 'name', 'disabled_at'])
      .where('id', '=', userId)
      .executeTakeFirst();
    const profile = row ? { email: row.email, name: row.name, disabled: row.disabled_at !== null } : null;
    if (this.#bus.healthy) {
      this.#cache.set(userId, profile, now + USER_PROFILE_TTL_SECONDS * 1000, userId);
    }
    return profile;
  }

  /** Tells every replica that `userId` changed. */
  async changed(userId: string): Promise<void> {
    await this.#bus.publish(USER_CHANGED_TOPIC, userId);
  }
}
