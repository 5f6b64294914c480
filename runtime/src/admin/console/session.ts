import type { Me } from './types.js';

/** Who is signed in (`GET /auth/me`), set once at start. */
export const session: { me: Me | null; held: ReadonlySet<string> } = { me: null, held: new Set() };

export const holds = (permission: string): boolean => session.held.has(permission);

/** The signed-in user's organization (the `{org}` of the org and team routes). */
export const orgId = (): string => session.me?.org_id ?? 'default';
