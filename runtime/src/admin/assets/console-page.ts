import type { Catalog } from '../../../../catalog/index.js';
import type { Principal } from '../../auth/principal.js';
import { CONSOLE_SECTIONS, type ConsoleSection } from '../console-sections.js';
import { escapeHtml } from '../html.js';

/** Where the pages load their script, styles and icon from (served by `admin-routes.ts`). */
export const CONSOLE_SCRIPT_PATH = '/admin/assets/admin.js';
export const CONSOLE_STYLES_PATH = '/admin/assets/admin.css';
export const CONSOLE_ICON_PATH = '/admin/assets/favicon.svg';

const head = (title: string, withScript: boolean): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${CONSOLE_ICON_PATH}" type="image/svg+xml">
<link rel="stylesheet" href="${CONSOLE_STYLES_PATH}">${withScript ? `\n<script src="${CONSOLE_SCRIPT_PATH}" defer></script>` : ''}
</head>`;

/** A table in its own scroll container (narrow screens scroll the table, never the page), labelled for keyboards. */
const table = (label: string, headings: readonly string[], bodyId: string): string =>
  `<div class="table-wrap" role="region" aria-label="${escapeHtml(label)}" tabindex="0">
<table>
  <thead><tr>${headings.map((h) => (h ? `<th scope="col">${escapeHtml(h)}</th>` : '<th scope="col"><span class="visually-hidden">Actions</span></th>')).join('')}</tr></thead>
  <tbody id="${bodyId}"></tbody>
</table>
</div>`;

/** A token issuing form (team tokens and org admin tokens share it): name, lifetime, product scopes. */
const tokenForm = (id: string, title: string, button: string): string => `<form id="${id}" class="create">
  <h3>${escapeHtml(title)}</h3>
  <label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
  <label>Expires in days <input name="expires_in_days" type="number" min="1" max="3650" placeholder="org policy"></label>
  <fieldset class="scopes" data-picker="${id}" data-picker-product-only="true"><legend>Extra product scopes</legend></fieldset>
  <button type="submit">${escapeHtml(button)}</button>
</form>`;

const TOKEN_COLUMNS = ['Name', 'Token id', 'Permissions', 'Status', 'Created', 'Expires', 'Last used', ''];

/** The markup of each section; the script fills the tables and pickers and shows the section the address names. */
const SECTION_BODIES: Readonly<Record<string, string>> = {
  users: `<form id="users-search" class="toolbar" role="search">
  <label for="users-query">Search users</label>
  <input id="users-query" type="search" maxlength="200" placeholder="E-mail or name">
  <button type="submit">Search</button>
</form>
${table('Users', ['E-mail', 'Name', 'Role', 'Last sign-in', 'Status'], 'users-rows')}`,
  'api-keys': `<form id="api-key-create" class="create">
  <h3>New API key</h3>
  <label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
  <label>Description <input name="description" maxlength="500" autocomplete="off"></label>
  <label>Expires in days <input name="expires_in_days" type="number" min="1" max="3650" placeholder="never"></label>
  <label>Requests per minute <input name="rate_limit_per_minute" type="number" min="0" step="1" placeholder="default" aria-describedby="api-key-rate-hint"></label>
  <p id="api-key-rate-hint" class="hint">Empty: the runtime's default budget; 0: unlimited.</p>
  <fieldset class="scopes" data-picker="api-key"><legend>Scopes</legend></fieldset>
  <button type="submit">Create key</button>
</form>
<div id="api-key-secret" class="secret" hidden></div>
<div class="toolbar">
  <label>Rotation grace (hours) <input id="api-key-grace-hours" type="number" min="0" max="720" step="any" value="1"></label>
</div>
${table('API keys', ['Name', 'Id', 'Scopes', 'Status', 'Rate limit', 'Created', 'Expires', 'Last used', ''], 'api-key-rows')}`,
  clients: `<form id="client-create" class="create">
  <h3>New API client</h3>
  <label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
  <fieldset class="scopes" data-picker="client"><legend>Scopes</legend></fieldset>
  <button type="submit">Create client</button>
</form>
<div id="client-secret" class="secret" hidden></div>
${table('API clients', ['Name', 'Client id', 'Scopes', 'Secrets', 'Created by', 'Created', ''], 'client-rows')}`,
  teams: `<div id="team-list">
<form id="team-create" class="create">
  <h3>New team</h3>
  <label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
  <label>Slug <input name="slug" required pattern="[a-z0-9][a-z0-9\\-]{1,62}" maxlength="63" autocomplete="off" aria-describedby="team-slug-hint"></label>
  <p id="team-slug-hint" class="hint">2-63 lower-case letters, digits or "-"; used in URLs.</p>
  <button type="submit">Create team</button>
</form>
${table('Teams', ['Name', 'Slug', 'Team id', 'Created', ''], 'team-rows')}
</div>
<div id="team-detail" hidden>
<p><a href="#teams" class="back">← All teams</a></p>
<h3 id="team-title" tabindex="-1"></h3>
${tokenForm('team-token-create', 'New team token', 'Generate token')}
<div id="team-token-secret" class="secret" hidden></div>
${table('Team tokens', TOKEN_COLUMNS, 'team-token-rows')}
</div>`,
  'admin-tokens': `<p class="hint">An org admin token manages this organization's teams, tokens and audit trail from scripts.</p>
${tokenForm('admin-token-create', 'New org admin token', 'Generate token')}
<div id="admin-token-secret" class="secret" hidden></div>
${table('Org admin tokens', TOKEN_COLUMNS, 'admin-token-rows')}`,
  'signing-keys': `<p class="hint">Access tokens are signed with the active key. A rotation publishes the new key in
<a href="/.well-known/jwks.json">/.well-known/jwks.json</a> at once; the previous key keeps verifying until every token it signed has expired.</p>
<div class="toolbar">
  <button id="signing-key-rotate" type="button" class="danger">Rotate signing key</button>
  <label class="check"><input id="signing-key-immediate" type="checkbox"> Sign with the new key at once (the current key is compromised)</label>
</div>
${table('Signing keys', ['Key id (kid)', 'Algorithm', 'State', 'Created', 'Signs from', 'Verifies until', 'Retired', ''], 'signing-key-rows')}`,
  audit: `<form id="audit-filter" class="filters">
  <label>Event kind <input name="kind" list="audit-kinds" maxlength="100" placeholder="e.g. api_key.* or team.created" autocomplete="off"></label>
  <datalist id="audit-kinds"></datalist>
  <label>Actor <input name="actor" maxlength="200" placeholder="id, e-mail or name" autocomplete="off"></label>
  <label>Target <input name="target" maxlength="200" placeholder="id or name" autocomplete="off"></label>
  <label>From (UTC) <input name="since" type="datetime-local" step="1"></label>
  <label>To (UTC) <input name="until" type="datetime-local" step="1"></label>
  <div class="buttons">
    <button type="submit">Apply filter</button>
    <button id="audit-clear" type="reset">Clear</button>
    <button id="audit-csv" type="button">Export CSV</button>
  </div>
</form>
<p id="audit-count" class="hint" aria-live="polite"></p>
${table('Audit events', ['Time (UTC)', 'Event', 'Outcome', 'Actor', 'Target', 'Reason', 'Address'], 'audit-rows')}`,
};

const section = (s: ConsoleSection): string =>
  `<section id="${s.id}" data-permission="${escapeHtml(s.permission)}" aria-labelledby="${s.id}-title" hidden>
<h2 id="${s.id}-title" tabindex="-1">${escapeHtml(s.title)}</h2>
${SECTION_BODIES[s.id] ?? ''}
</section>`;

/**
 * The console page. It is the same for every user: it carries no user data, only the catalog's role and scope values
 * (for the role picker and the scope checkboxes) and each section's required permission; the script asks
 * `/auth/me` who is signed in and shows the section the address (`#users`, `#teams/<slug>`, ...) names.
 */
export function renderConsolePage(catalog: Catalog): string {
  const nav = CONSOLE_SECTIONS.map(
    (s) => `<li><a href="#${s.id}" data-section="${s.id}" hidden>${escapeHtml(s.title)}</a></li>`,
  );
  return `${head('gatehouse admin console', true)}
<body data-page="console" data-roles="${escapeHtml(catalog.roleValues.join(' '))}" data-scopes="${escapeHtml(catalog.scopeValues.join(' '))}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <p class="brand">gatehouse admin</p>
  <nav aria-label="Sections"><ul>${nav.join('')}</ul></nav>
  <div class="account">
    <span id="whoami"></span>
    <button id="sign-out" type="button">Sign out</button>
  </div>
</header>
<p id="status" role="status" aria-live="polite"></p>
<noscript><p class="error">The admin console needs JavaScript.</p></noscript>
<main id="main" tabindex="-1">
${CONSOLE_SECTIONS.map(section).join('\n')}
</main>
</body>
</html>
`;
}

/**
 * The 403 page for a signed-in user without any permission a console section needs: who they are, what the console
 * needs, and a way out (sign out, then sign in again; the script does the sign-out's POST).
 */
export function renderForbiddenPage(principal: Principal): string {
  const who = principal.email ?? principal.name ?? principal.subject;
  const needed = CONSOLE_SECTIONS.map((s) => s.permission)
    .filter((permission, index, all) => all.indexOf(permission) === index)
    .map((permission) => `<code>${escapeHtml(permission)}</code>`)
    .join(', ');
  return `${head('gatehouse admin console: no access', true)}
<body data-page="forbidden">
<main class="notice" id="main">
<h1>No access to the admin console</h1>
<p>You are signed in as <strong>${escapeHtml(who)}</strong> with the role <strong>${escapeHtml(principal.role ?? 'none')}</strong>.</p>
<p>The console needs at least one of these permissions: ${needed}. Ask an administrator to change your role.</p>
<p class="actions"><button id="sign-out" type="button">Sign out</button>
<a id="sign-in-again" href="/auth/login?return_to=/admin&amp;prompt=login" hidden>Sign in as someone else</a></p>
<p id="status" role="status" aria-live="polite"></p>
</main>
</body>
</html>
`;
}

/** Answered instead of a redirect when this runtime has no browser sign-in (`OIDC_ISSUER` unset). */
export function renderSigninUnavailablePage(): string {
  return `${head('gatehouse admin console: sign-in not configured', false)}
<body>
<main class="notice">
<h1>Browser sign-in is not configured</h1>
<p>The admin console needs browser sign-in. Set <code>OIDC_ISSUER</code>, <code>OIDC_CLIENT_ID</code> and
<code>OIDC_CLIENT_SECRET</code> (see the README, "Browser sign-in"), or manage the runtime with its JSON API and CLI.</p>
</main>
</body>
</html>
`;
}
