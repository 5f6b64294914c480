/**
 * The admin console's script, bundled by ../console-bundle.ts and served as /admin/assets/admin.js. It asks
 * `/auth/me` who is signed in, shows the sections whose `data-permission` the user holds, and calls the JSON API
 * with the session cookie. It uses only the runtime's public HTTP API.
 */
import { api, LOGIN_URL } from './api.js';
import { loadApiKeys, wireApiKeys } from './api-keys.js';
import { loadAudit, wireAudit } from './audit.js';
import { loadClients, wireClients } from './clients.js';
import { byId, el, failed, say } from './dom.js';
import { fillScopePickers } from './scopes.js';
import type { Me } from './types.js';
import { loadUsers, wireUsers } from './users.js';

const SECTIONS: Readonly<Record<string, { readonly load: () => Promise<void>; readonly loading: string }>> = {
  users: { load: loadUsers, loading: 'Loading users' },
  'api-keys': { load: loadApiKeys, loading: 'Loading API keys' },
  clients: { load: loadClients, loading: 'Loading API clients' },
  audit: { load: loadAudit, loading: 'Loading audit events' },
};

function load(id: string): Promise<void> {
  const section = SECTIONS[id];
  if (!section) return Promise.resolve();
  return section.load().catch((error: unknown) => failed(section.loading, error));
}

async function signOut(): Promise<void> {
  await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  document
    .querySelector('main')
    ?.replaceChildren(
      el('section', { className: 'notice' }, [
        el('h2', { text: 'Signed out' }),
        el('p', {}, [el('a', { href: LOGIN_URL, text: 'Sign in again' })]),
      ]),
    );
  byId('whoami').textContent = '';
  byId('sign-out').hidden = true;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) link.hidden = true;
  say('You are signed out.');
}

async function start(): Promise<void> {
  wireUsers();
  wireApiKeys();
  wireClients();
  wireAudit();
  byId('sign-out').addEventListener('click', () => void signOut());
  let me: Me;
  try {
    me = await api<Me>('GET', '/auth/me');
  } catch (error) {
    return failed('Loading your account', error);
  }
  byId('whoami').textContent =
    `${me.name ?? me.subject}${me.email ? ` <${me.email}>` : ''} · ${me.role ?? me.auth_kind}`;
  const held = new Set(me.permissions);
  fillScopePickers(held);
  const allowed = [...document.querySelectorAll<HTMLElement>('main section[data-permission]')].filter((section) =>
    held.has(section.dataset.permission ?? ''),
  );
  if (allowed.length === 0) return say('Your account holds none of the permissions this console needs.', 'error');
  for (const section of allowed) {
    section.hidden = false;
    const link = document.querySelector<HTMLAnchorElement>(`nav a[data-section="${section.id}"]`);
    if (link) link.hidden = false;
  }
  await Promise.all(allowed.map((section) => load(section.id)));
  document.body.dataset.ready = 'true';
}

void start();
