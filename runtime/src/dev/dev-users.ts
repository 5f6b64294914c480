/**
 * The seeded accounts of the local development IdP. Their `roles` claim carries catalog role values, exactly as Entra
 * ID sends app-role assignments, so first sign-in maps them like it would in production.
 */
export interface DevUser {
  /** The IdP's subject (`sub`). */
  readonly sub: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly string[];
}

export const DEV_USERS: readonly DevUser[] = [
  { sub: 'dev-admin', email: 'admin@example.test', name: 'Ada Admin', roles: ['admin'] },
  { sub: 'dev-analyst', email: 'analyst@example.test', name: 'Alan Analyst', roles: ['analyst'] },
];

export function findDevUser(users: readonly DevUser[], key: string): DevUser | undefined {
  const wanted = key.trim().toLowerCase();
  return users.find((user) => user.sub === key || user.email.toLowerCase() === wanted);
}
