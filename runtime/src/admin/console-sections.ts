import type { Principal } from '../auth/principal.js';

/** One section of the admin console and the catalog permission its JSON API requires. */
export interface ConsoleSection {
  /** Element id of the section in the page (`<section id=...>`). */
  readonly id: string;
  readonly title: string;
  /** The permission the section's endpoints check; the page shows the section only to callers holding it. */
  readonly permission: string;
}

/**
 * The console's sections, in navigation order. The permissions are the ones the endpoints behind each section require
 * (`/api/v1/users`, `/api/v1/api-keys`, `/api/v1/clients`, `/api/v1/orgs/{org}/teams` and their tokens,
 * `/api/v1/orgs/{org}/admin-tokens`, `/api/v1/signing-keys`, `/api/v1/audit`); the server decides from this list
 * whether a user may open the console at all, and the page script offers exactly the sections listed in the markup.
 */
export const CONSOLE_SECTIONS: readonly ConsoleSection[] = [
  { id: 'users', title: 'Users', permission: 'users:manage' },
  { id: 'api-keys', title: 'API keys', permission: 'api_keys:manage' },
  { id: 'clients', title: 'API clients', permission: 'clients:manage' },
  { id: 'teams', title: 'Teams', permission: 'tokens:manage' },
  { id: 'admin-tokens', title: 'Org admin tokens', permission: 'tokens:manage' },
  { id: 'signing-keys', title: 'Signing keys', permission: 'keys:rotate' },
  { id: 'audit', title: 'Audit', permission: 'audit:read' },
];

/** The sections `principal` may use; empty means the console has nothing for this user (a 403 page). */
export function sectionsFor(principal: Principal): ConsoleSection[] {
  return CONSOLE_SECTIONS.filter((section) => principal.permissions.includes(section.permission));
}
