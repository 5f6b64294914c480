import { api } from './api.js';
import { auditLink } from './audit-link.js';
import { badge, byId, cell, confirmThen, el, emptyRow } from './dom.js';
import { time } from './format.js';
import type { SigningKey } from './types.js';

/** Signing keys: the token signing keys with their states; rotate. */
export async function loadSigningKeys(): Promise<void> {
  const { signing_keys: keys } = await api<{ signing_keys: SigningKey[] }>('GET', '/api/v1/signing-keys');
  const tbody = byId<HTMLTableSectionElement>('signing-key-rows');
  if (keys.length === 0) return emptyRow(tbody, 8, 'No signing keys yet.');
  tbody.replaceChildren(
    ...keys.map((key) =>
      el('tr', { dataset: { kid: key.kid } }, [
        el('td', {}, [el('code', { text: key.kid })]),
        cell(key.alg),
        el('td', {}, [badge(key.state)]),
        cell(time(key.created_at)),
        cell(time(key.activated_at)),
        cell(time(key.retire_after)),
        cell(time(key.retired_at)),
        el('td', { className: 'actions' }, [auditLink(key.kid, `the signing key ${key.kid}`)]),
      ]),
    ),
  );
}

function rotate(): Promise<void> {
  const immediate = byId<HTMLInputElement>('signing-key-immediate').checked;
  const when = immediate
    ? 'It signs at once: consumers holding a cached JWKS may refuse its tokens until they refetch.'
    : 'It is published at once and signs once every cached JWKS holds it.';
  return confirmThen(
    `Rotate the token signing key? ${when} The current key keeps verifying the tokens it signed until they expire.`,
    'Rotating the signing key',
    async () => {
      const rotated = await api<{ kid: string; previous_kid: string; activates_at: string | null }>(
        'POST',
        '/api/v1/signing-keys/rotate',
        { immediate },
      );
      await loadSigningKeys();
      return `New signing key ${rotated.kid} (replaces ${rotated.previous_kid}; signs from ${time(rotated.activates_at)} UTC).`;
    },
  );
}

export function wireSigningKeys(): void {
  byId('signing-key-rotate').addEventListener('click', () => void rotate());
}
