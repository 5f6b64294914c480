import type { Migration } from 'kysely';
import * as initial from './0001-initial.js';
import * as accessTokenRevocations from './0002-access-token-revocations.js';
import * as refreshTokenFamilies from './0004-refresh-token-families.js';
import * as localLogin from './0005-local-login.js';
import * as signingKeyPending from './0006-signing-key-pending.js';
import * as requestBudgets from './0007-request-budgets.js';

/**
 * Every migration, in order. Append new files (`0002-....ts`) and list them here; names are what the
 * `kysely_migration` table records, so never rename or reorder an entry that shipped.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-access-token-revocations': accessTokenRevocations,
  '0004-refresh-token-families': refreshTokenFamilies,
  '0005-local-login': localLogin,
  '0006-signing-key-pending': signingKeyPending,
  '0007-request-budgets': requestBudgets,
};
