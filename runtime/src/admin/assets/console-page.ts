import type { Catalog } from '../../../../catalog/index.js';
import type { Principal } from '../../auth/principal.js';
import { CONSOLE_SECTIONS, type ConsoleSection } from '../console-sections.js';
import { escapeHtml } from '../html.js';

/** Where the page loads its script and styles from (served by `register-admin-routes.ts`). */
export const CONSOLE_SCRIPT_PATH = '/admin/assets/admin.js';
export const CONSOLE_STYLES_PATH = '/admin/assets/admin.css';

const head = (title: string, withScript: boolean): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${CONSOLE_STYLES_PATH}">${withScript ? `\n<script src="${CONSOLE_SCRIPT_PATH}" defer></script>` : ''}
</head>`;

/** The markup of each section; the script fills the tables and pickers and unhides what the user may use. */
const SECTION_BODIES: Readonly<Record<string, string>> = {
  users: `<form id="users-search" class="toolbar" role="search">
  <input id="users-query" type="search" maxlength="200" placeholder="Search e-mail or name" aria-label="Search users">
  <button type="submit">Search</button>
</form>
<table>
  <thead><tr><th>E-mail</th><th>Name</th><th>Role</th><th>Last sign-in</th><th>Status</th></tr></thead>
  <tbody id="users-rows"></tbody>
</table>`,
  'api-keys': `<form id="api-key-create" class="create">
  <h3>New API key</h3>
  <label>Name <input name="name" required maxlength="100"></label>
  <label>Description <input name="description" maxlength="500"></label>
  <label>Expires in days <input name="expires_in_days" type="number" min="1" max="3650" placeholder="never"></label>
  <fieldset class="scopes" data-picker="api-key"><legend>Scopes</legend></fieldset>
  <button type="submit">Create key</button>
</form>
<div id="api-key-secret" class="secret" hidden></div>
<div class="toolbar">
  <label>Rotation grace (hours) <input id="api-key-grace-hours" type="number" min="0" max="720" step="any" value="1"></label>
</div>
<table>
  <thead><tr><th>Name</th><th>Id</th><th>Scopes</th><th>Status</th><th>Created</th><th>Expires</th><th>Last used</th><th></th></tr></thead>
  <tbody id="api-key-rows"></tbody>
</table>`,
  clients: `<form id="client-create" class="create">
  <h3>New API client</h3>
  <label>Name <input name="name" required maxlength="100"></label>
  <fieldset class="scopes" data-picker="client"><legend>Scopes</legend></fieldset>
  <button type="submit">Create client</button>
</form>
<div id="client-secret" class="secret" hidden></div>
<table>
  <thead><tr><th>Name</th><th>Client id</th><th>Scopes</th><th>Secrets</th><th>Created by</th><th>Created</th><th></th></tr></thead>
  <tbody id="client-rows"></tbody>
</table>`,
  audit: `<div class="toolbar">
  <button id="audit-reload" type="button">Reload</button>
  <a id="audit-csv" href="/api/v1/audit?format=csv&amp;limit=1000">Export CSV (latest 1000)</a>
</div>
<table>
  <thead><tr><th>Time (UTC)</th><th>Event</th><th>Outcome</th><th>Actor</th><th>Target</th><th>Reason</th><th>Address</th></tr></thead>
  <tbody id="audit-rows"></tbody>
</table>`,
};

const section = (s: ConsoleSection): string =>
  `<section id="${s.id}" data-permission="${escapeHtml(s.permission)}" hidden>
<h2>${escapeHtml(s.title)}</h2>
${SECTION_BODIES[s.id] ?? ''}
</section>`;

/**
 * The console page. It is the same for every user: it carries no user data, only the catalog's role and scope values
 * (for the role picker and the scope checkboxes) and each section's required permission; the script asks
 * `/auth/me` who is signed in and shows the sections their permissions allow.
 */
export function renderConsolePage(catalog: Catalog): string {
  const nav = CONSOLE_SECTIONS.map(
    (s) => `<a href="#${s.id}" data-section="${s.id}" hidden>${escapeHtml(s.title)}</a>`,
  );
  return `${head('gatehouse admin console', true)}
<body data-roles="${escapeHtml(catalog.roleValues.join(' '))}" data-scopes="${escapeHtml(catalog.scopeValues.join(' '))}">
<header class="topbar">
  <h1>gatehouse admin</h1>
  <nav>${nav.join('')}</nav>
  <span id="whoami"></span>
  <button id="sign-out" type="button">Sign out</button>
</header>
<p id="status" role="status" aria-live="polite"></p>
<noscript><p class="error">The admin console needs JavaScript.</p></noscript>
<main>
${CONSOLE_SECTIONS.map(section).join('\n')}
</main>
</body>
</html>
`;
}

/** The 403 page for a signed-in user without any permission a console section needs. No script. */
export function renderForbiddenPage(principal: Principal): string {
  const who = principal.email ?? principal.name ?? principal.subject;
  const needed = CONSOLE_SECTIONS.map((s) => `<code>${escapeHtml(s.permission)}</code>`).join(', ');
  return `${head('gatehouse admin console: no access', false)}
<body>
<main class="notice">
<h1>No access to the admin console</h1>
<p>You are signed in as <strong>${escapeHtml(who)}</strong> with the role <strong>${escapeHtml(principal.role ?? 'none')}</strong>.</p>
<p>The console needs at least one of these permissions: ${needed}. Ask an administrator to change your role.</p>
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
