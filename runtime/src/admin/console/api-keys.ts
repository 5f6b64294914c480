import { api, seg } from './api.js';
import { auditLink } from './audit-link.js';
import { actionButton, badge, byId, cell, confirmThen, el, emptyRow, failed, field, say } from './dom.js';
import { rateLimit, time } from './format.js';
import { rememberName } from './names.js';
import { checkedScopes } from './scopes.js';
import { showSecret } from './secret.js';
import type { ApiKey, IssuedApiKey, RotatedApiKey } from './types.js';

/** API keys: create (secret shown once), list with last use, rotate with a grace period, revoke. */
export async function loadApiKeys(): Promise<void> {
  const keys = await fetchApiKeys();
  const tbody = byId<HTMLTableSectionElement>('api-key-rows');
  if (keys.length === 0) return emptyRow(tbody, 9, 'No API keys yet.');
  tbody.replaceChildren(...keys.map(apiKeyRow));
}

/** The org's API keys (also for the names the audit view shows beside key ids). */
export async function fetchApiKeys(): Promise<ApiKey[]> {
  const { api_keys: keys } = await api<{ api_keys: ApiKey[] }>('GET', '/api/v1/api-keys?limit=1000');
  for (const key of keys) {
    rememberName(key.id, key.name);
    rememberName(key.key_id, key.name);
  }
  return keys;
}

function apiKeyRow(key: ApiKey): HTMLTableRowElement {
  const live = key.status === 'active' || key.status === 'rotating';
  return el('tr', { dataset: { id: key.id } }, [
    el('td', { text: key.name, title: key.description ?? undefined }),
    el('td', {}, [el('code', { text: key.id })]),
    cell(key.scopes.join(' ')),
    el('td', {}, [badge(key.status)]),
    cell(rateLimit(key.rate_limit_per_minute), 'rate-limit'),
    cell(time(key.created_at)),
    cell(time(key.grace_until ?? key.expires_at)),
    cell(time(key.last_used_at)),
    el('td', { className: 'actions' }, [
      auditLink(key.id, `the API key ${key.name}`),
      key.status === 'active'
        ? actionButton('Rotate', 'rotate', `Rotate the API key ${key.name}`, () => void rotateApiKey(key))
        : null,
      live
        ? actionButton('Revoke', 'revoke danger', `Revoke the API key ${key.name}`, () => void revokeApiKey(key))
        : null,
    ]),
  ]);
}

async function createApiKey(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const scopes = checkedScopes(form);
  if (scopes.length === 0) return say('Choose at least one scope for the key.', 'error');
  const body: Record<string, unknown> = { name: field(form, 'name').value.trim(), scopes };
  const description = field(form, 'description').value.trim();
  if (description) body.description = description;
  const days = field(form, 'expires_in_days').value;
  if (days) body.expires_in_days = Number(days);
  const perMinute = field(form, 'rate_limit_per_minute').value;
  if (perMinute) body.rate_limit_per_minute = Number(perMinute);
  try {
    const created = await api<IssuedApiKey>('POST', '/api/v1/api-keys', body);
    form.reset();
    showSecret('api-key-secret', `API key "${created.name}" created`, [['X-API-Key', created.api_key]]);
    say(`API key ${created.name} (${created.id}) created.`);
    await loadApiKeys();
  } catch (error) {
    failed('Creating the API key', error);
  }
}

function revokeApiKey(key: ApiKey): Promise<void> {
  return confirmThen(
    `Revoke the API key "${key.name}" (${key.id})? Callers using it are refused at once.`,
    'Revoking the API key',
    async () => {
      await api('DELETE', `/api/v1/api-keys/${seg(key.id)}`);
      await loadApiKeys();
      return `API key ${key.name} (${key.id}) revoked.`;
    },
  );
}

function rotateApiKey(key: ApiKey): Promise<void> {
  const hours = Number(byId<HTMLInputElement>('api-key-grace-hours').value || '1');
  return confirmThen(
    `Rotate the API key "${key.name}"? The current key keeps working for ${hours} hour(s).`,
    'Rotating the API key',
    async () => {
      const rotated = await api<RotatedApiKey>('POST', `/api/v1/api-keys/${seg(key.id)}/rotate`, {
        grace_period_seconds: Math.round(hours * 3600),
      });
      showSecret(
        'api-key-secret',
        `Replacement for API key "${rotated.name}"`,
        [['X-API-Key', rotated.api_key]],
        `The previous key ${key.id} works until ${time(rotated.previous_key_valid_until)} UTC.`,
      );
      await loadApiKeys();
      return `API key ${key.name} rotated: ${key.id} is replaced by ${rotated.id}.`;
    },
  );
}

export function wireApiKeys(): void {
  byId<HTMLFormElement>('api-key-create').addEventListener('submit', (event) => void createApiKey(event));
}
