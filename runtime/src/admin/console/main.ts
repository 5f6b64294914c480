/**
 * The admin console's script, bundled by ../console-bundle.ts and served as /admin/assets/admin.js. It asks
 * `/auth/me` who is signed in, offers the sections whose `data-permission` the user holds, shows one at a time (the
 * address's hash: `#users`, `#teams/<slug>`, so Back and bookmarks work), and calls the JSON API with the session
 * cookie. It uses only the runtime's public HTTP API.
 */

import { loadAdminTokens, wireAdminTokens } from './admin-tokens.js';
import { api, LOGIN_URL } from './api.js';
import { loadApiKeys, wireApiKeys } from './api-keys.js';
import { loadAudit, wireAudit } from './audit.js';
import { loadClients, wireClients } from './clients.js';
import { byId, el, failed, say } from './dom.js';
import { fillScopePickers } from './scopes.js';
import { session } from './session.js';
import { loadSigningKeys, wireSigningKeys } from './signing-keys.js';
import { loadTeams, wireTeams } from './teams.js';
import type { Me } from './types.js';
import { loadUsers, wireUsers } from './users.js';

interface Section {
  /**
   * Loads the section's data; `sub` is what follows the section in the hash (`#teams/<sub>`), `params` its query
   * (`#audit?target=...`).
   */
  readonly load: (sub: string | undefined, params: URLSearchParams) => Promise<void>;
  readonly loading: string;
}

const SECTIONS: Readonly<Record<string, Section>> = {
  users: { load: loadUsers, loading: 'Loading users' },
  'api-keys': { load: loadApiKeys, loading: 'Loading API keys' },
  clients: { load: loadClients, loading: 'Loading API clients' },
  teams: { load: loadTeams, loading: 'Loading teams' },
  'admin-tokens': { load: loadAdminTokens, loading: 'Loading org admin tokens' },
  'signing-keys': { load: loadSigningKeys, loading: 'Loading signing keys' },
  audit: { load: loadAudit, loading: 'Loading audit events' },
};

/** The sections this user may open, in page order. */
let allowed: HTMLElement[] = [];

/** Shows the section the hash names (or the first allowed one) and loads it; moves focus to it on navigation. */
async function route(focus: boolean): Promise<void> {
  const [path = '', query = ''] = window.location.hash.slice(1).split('?');
  const [id = '', ...rest] = decodeURIComponent(path).split('/');
  const current = allowed.find((section) => section.id === id) ?? allowed[0];
  if (!current) return;
  for (const section of allowed) section.hidden = section !== current;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a[data-section]')) {
    if (link.dataset.section === current.id) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const sub = current.id === id && rest.length > 0 ? rest.join('/') : undefined;
  const title = sub ? byId('team-title') : current.querySelector<HTMLElement>('h2');
  document.title = `${current.querySelector('h2')?.textContent ?? 'Console'} · gatehouse admin console`;
  const section = SECTIONS[current.id];
  const params = new URLSearchParams(query);
  if (section) await section.load(sub, params).catch((error: unknown) => failed(section.loading, error));
  if (focus) title?.focus();
}

async function signOut(): Promise<void> {
  await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  document
    .querySelector('main')
    ?.replaceChildren(
      el('section', { className: 'notice' }, [
        el('h2', { text: 'Signed out', tabindex: '-1' }),
        el('p', {}, [el('a', { id: 'sign-in-again', href: LOGIN_URL, text: 'Sign in again' })]),
      ]),
    );
  byId('whoami').textContent = '';
  byId('sign-out').hidden = true;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) link.hidden = true;
  say('You are signed out.');
  document.querySelector<HTMLElement>('main h2')?.focus();
}

/**
 * The 403 page: its Sign out button ends the session, then offers to sign in as someone else (`prompt=login`, so the
 * identity provider asks for credentials again instead of reusing its own session).
 */
function startForbiddenPage(): void {
  const button = byId<HTMLButtonElement>('sign-out');
  button.addEventListener('click', async () => {
    button.disabled = true;
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
    button.hidden = true;
    const other = byId<HTMLAnchorElement>('sign-in-again');
    other.hidden = false;
    say('You are signed out.');
    other.focus();
  });
}

async function startConsole(): Promise<void> {
  wireUsers();
  wireApiKeys();
  wireClients();
  wireTeams();
  wireAdminTokens();
  wireSigningKeys();
  wireAudit();
  byId('sign-out').addEventListener('click', () => void signOut());
  let me: Me;
  try {
    me = await api<Me>('GET', '/auth/me');
  } catch (error) {
    return failed('Loading your account', error);
  }
  session.me = me;
  session.held = new Set(me.permissions);
  byId('whoami').textContent =
    `${me.name ?? me.subject}${me.email ? ` <${me.email}>` : ''} · ${me.role ?? me.auth_kind}`;
  fillScopePickers(session.held);
  // Signing keys serve the whole deployment: only its own operators (default org, no team) manage them.
  const operator = me.org_id === 'default' && me.team_id === null;
  allowed = [...document.querySelectorAll<HTMLElement>('main section[data-permission]')].filter(
    (section) => session.held.has(section.dataset.permission ?? '') && (section.id !== 'signing-keys' || operator),
  );
  if (allowed.length === 0) return say('Your account holds none of the permissions this console needs.', 'error');
  for (const section of allowed) {
    const link = document.querySelector<HTMLAnchorElement>(`nav a[data-section="${section.id}"]`);
    if (link) link.hidden = false;
  }
  window.addEventListener('hashchange', () => {
    delete document.body.dataset.ready;
    void route(true).then(() => {
      document.body.dataset.ready = 'true';
    });
  });
  await route(false);
  document.body.dataset.ready = 'true';
}

if (document.body.dataset.page === 'forbidden') startForbiddenPage();
else void startConsole();
