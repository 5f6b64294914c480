import { api, seg } from './api.js';
import { actionButton, byId, cell, confirmThen, el, emptyRow, failed, field, idCell, say } from './dom.js';
import { time } from './format.js';
import { nameOf, rememberName } from './names.js';
import { checkedScopes } from './scopes.js';
import { showSecret } from './secret.js';
import type { ApiClient } from './types.js';

/** API clients: create (secret shown once), add a second secret for rotation, remove a secret, delete. */
export async function loadClients(): Promise<void> {
  const clients = await fetchClients();
  const tbody = byId<HTMLTableSectionElement>('client-rows');
  if (clients.length === 0) return emptyRow(tbody, 7, 'No API clients yet.');
  tbody.replaceChildren(...clients.map(clientRow));
}

/** The org's API clients (also for the names the audit view shows beside client ids). */
export async function fetchClients(): Promise<ApiClient[]> {
  const { clients } = await api<{ clients: ApiClient[] }>('GET', '/api/v1/clients');
  for (const client of clients) rememberName(client.client_id, client.name);
  return clients;
}

function clientRow(client: ApiClient): HTMLTableRowElement {
  const secrets = el(
    'ul',
    { className: 'secrets' },
    client.secrets.map((secret) =>
      el('li', {}, [
        el('code', { text: secret.secret_id }),
        ` created ${time(secret.created_at)}`,
        client.secrets.length > 1
          ? actionButton(
              'Remove',
              'remove-secret danger',
              `Remove the secret ${secret.secret_id} of ${client.name}`,
              () => void removeSecret(client, secret.secret_id),
            )
          : null,
      ]),
    ),
  );
  return el('tr', { dataset: { clientId: client.client_id } }, [
    cell(client.name),
    el('td', {}, [el('code', { text: client.client_id })]),
    cell(client.scopes.join(' ')),
    el('td', {}, [secrets]),
    idCell(client.created_by, nameOf(client.created_by)),
    cell(time(client.created_at)),
    el('td', { className: 'actions' }, [
      client.secrets.length < 2
        ? actionButton('Add secret', 'add-secret', `Add a secret to ${client.name}`, () => void addSecret(client))
        : null,
      actionButton('Delete', 'delete danger', `Delete the API client ${client.name}`, () => void deleteClient(client)),
    ]),
  ]);
}

async function createClient(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const scopes = checkedScopes(form);
  if (scopes.length === 0) return say('Choose at least one scope for the client.', 'error');
  try {
    const created = await api<{
      client_id: string;
      client_secret: string;
      name: string;
      token_endpoint: string;
    }>('POST', '/api/v1/clients', { name: field(form, 'name').value.trim(), scopes });
    form.reset();
    showSecret(
      'client-secret',
      `API client "${created.name}" created`,
      [
        ['client_id', created.client_id],
        ['client_secret', created.client_secret],
      ],
      `Token endpoint: ${created.token_endpoint} (grant_type=client_credentials).`,
    );
    say(`API client ${created.client_id} created.`);
    await loadClients();
  } catch (error) {
    failed('Creating the API client', error);
  }
}

async function addSecret(client: ApiClient): Promise<void> {
  try {
    const added = await api<{ client_id: string; client_secret: string; secret_id: string }>(
      'POST',
      `/api/v1/clients/${seg(client.client_id)}/secrets`,
    );
    showSecret(
      'client-secret',
      `New secret for API client "${client.name}"`,
      [
        ['client_id', added.client_id],
        ['client_secret', added.client_secret],
      ],
      'Both secrets work until you remove the old one.',
    );
    say(`Secret ${added.secret_id} added to ${client.name}.`);
    await loadClients();
  } catch (error) {
    failed('Adding a secret', error);
  }
}

function removeSecret(client: ApiClient, secretId: string): Promise<void> {
  return confirmThen(
    `Remove the secret ${secretId} of "${client.name}"? Callers using it are refused at once.`,
    'Removing the secret',
    async () => {
      await api('DELETE', `/api/v1/clients/${seg(client.client_id)}/secrets/${seg(secretId)}`);
      await loadClients();
      return `Secret ${secretId} of ${client.name} removed.`;
    },
  );
}

function deleteClient(client: ApiClient): Promise<void> {
  return confirmThen(
    `Delete the API client "${client.name}" (${client.client_id})? Its secrets stop working.`,
    'Deleting the API client',
    async () => {
      await api('DELETE', `/api/v1/clients/${seg(client.client_id)}`);
      await loadClients();
      return `API client ${client.client_id} deleted.`;
    },
  );
}

export function wireClients(): void {
  byId<HTMLFormElement>('client-create').addEventListener('submit', (event) => void createClient(event));
}
