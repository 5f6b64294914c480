import { bareId, type NameOf } from './format.js';

/**
 * What the console has learned about ids while loading its sections: users' e-mails, API key, client, team, token
 * and org names. The audit view shows them beside the ids it receives.
 */
const known = new Map<string, string>();

export function rememberName(id: string | null | undefined, name: string | null | undefined): void {
  if (id && name) known.set(id, name);
}

export const nameOf: NameOf = (id) => (id ? (known.get(id) ?? known.get(bareId(id))) : undefined);
