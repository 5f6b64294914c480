/**
 * The console's script, served as /admin/assets/admin.js. Kept as a TypeScript string so the bundle carries it into
 * runtime/dist (the image) with no copy step. Plain browser JavaScript, no build step: it must not contain a
 * backtick, `${` or a backslash (it lives in a template literal). It renders every server value with textContent.
 */
export const CONSOLE_SCRIPT = `'use strict';
(() => {
  const LOGIN_URL = '/auth/login?return_to=/admin';
  const ROLES = (document.body.dataset.roles || '').split(' ').filter(Boolean);
  const SCOPES = (document.body.dataset.scopes || '').split(' ').filter(Boolean);
  const byId = (id) => document.getElementById(id);

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // ---- DOM helpers: every value from the server goes through textContent / text nodes, never through HTML ----

  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'className') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children || []) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  const cell = (text, className) => el('td', { text: text === null || text === undefined ? '—' : text, className });
  const time = (iso) => (iso ? String(iso).replace('T', ' ').slice(0, 19) : null);

  function say(message, kind) {
    const status = byId('status');
    status.textContent = message;
    status.className = kind || 'info';
  }

  function failed(action, error) {
    say(action + ' failed: ' + (error instanceof Error ? error.message : String(error)), 'error');
  }

  /** Asks first (destructive actions), then runs work(), which resolves to the message to show. */
  async function confirmThen(question, action, work) {
    if (!window.confirm(question)) return;
    try {
      say(await work());
    } catch (error) {
      failed(action, error);
    }
  }

  function emptyRow(tbody, columns, text) {
    tbody.replaceChildren(el('tr', {}, [el('td', { colspan: columns, className: 'empty', text })]));
  }

  // ---- JSON API calls with the session cookie ----

  let refreshing = null;

  /** POST /auth/refresh once for every caller that is waiting; resolves to whether the session was renewed. */
  function refreshSession() {
    if (!refreshing) {
      refreshing = fetch('/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      })
        .then((response) => response.ok)
        .catch(() => false)
        .finally(() => {
          refreshing = null;
        });
    }
    return refreshing;
  }

  function toLogin() {
    window.location.assign(LOGIN_URL);
    // The page is being replaced; callers must not go on rendering.
    return new Promise(() => {});
  }

  /**
   * Calls the JSON API with the session cookie (same-origin fetch: the browser adds Origin, which the runtime checks
   * on writes). On 401 the session is refreshed once and the call retried: token_expired means the access token
   * lapsed, and a plain unauthorized usually means the browser already dropped the lapsed cookie (its Max-Age is the
   * token's lifetime). If the refresh fails too, the browser goes to sign-in.
   */
  async function api(method, path, payload, retried) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (payload !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    const response = await fetch(path, init);
    if (response.status === 204) return null;
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (response.ok) return data;
    if (response.status === 401) {
      if (!retried && (await refreshSession())) return api(method, path, payload, true);
      return toLogin();
    }
    const error = data && typeof data.error === 'object' && data.error !== null ? data.error : {};
    throw new ApiError(
      response.status,
      error.code || 'http_' + response.status,
      error.message || 'HTTP ' + response.status,
    );
  }

  // ---- once-shown secrets ----

  function showSecret(containerId, title, entries, note) {
    const box = byId(containerId);
    const lines = entries.map(([label, value]) =>
      el('div', { className: 'secret-line' }, [
        el('span', { className: 'secret-label', text: label }),
        el('code', { className: 'secret-value', text: value }),
        el('button', {
          type: 'button',
          text: 'Copy',
          onclick: () => navigator.clipboard.writeText(value).then(() => say(label + ' copied', 'info')),
        }),
      ]),
    );
    // replaceChildren would render a null as the text "null": only nodes go in.
    const parts = [
      el('p', { className: 'secret-title', text: title }),
      el('p', { text: 'Copy it now: it is shown only this once and cannot be retrieved later.' }),
      ...lines,
    ];
    if (note) parts.push(el('p', { className: 'note', text: note }));
    parts.push(
      el('button', {
        type: 'button',
        className: 'dismiss',
        text: 'I have stored it',
        onclick: () => {
          box.replaceChildren();
          box.hidden = true;
        },
      }),
    );
    box.replaceChildren(...parts);
    box.hidden = false;
  }

  // ---- scope pickers ----

  function fillScopePickers(held) {
    // Product scopes first (catalog order), then the management permissions the user holds: one can only grant what
    // one holds.
    const grantable = SCOPES.filter((s) => held.has(s)).concat([...held].filter((p) => !SCOPES.includes(p)));
    for (const picker of document.querySelectorAll('fieldset[data-picker]')) {
      const boxes = grantable.map((scope) =>
        el('label', { className: 'scope' }, [el('input', { type: 'checkbox', name: 'scopes', value: scope }), scope]),
      );
      picker.append(...boxes);
    }
  }

  const checkedScopes = (form) => [...form.querySelectorAll('input[name=scopes]:checked')].map((box) => box.value);

  // ---- users ----

  async function loadUsers() {
    const query = byId('users-query').value.trim();
    const path = '/api/v1/users?limit=200' + (query ? '&search=' + encodeURIComponent(query) : '');
    const { users } = await api('GET', path);
    const tbody = byId('users-rows');
    if (users.length === 0) return emptyRow(tbody, 5, query ? 'No user matches.' : 'No users yet.');
    tbody.replaceChildren(...users.map(userRow));
  }

  function userRow(user) {
    const select = el('select', { 'aria-label': 'Role of ' + (user.email || user.id) });
    for (const role of ROLES.includes(user.role) ? ROLES : ROLES.concat(user.role)) {
      select.append(el('option', { value: role, text: role }));
    }
    select.value = user.role;
    const apply = el('button', { type: 'button', className: 'change-role', text: 'Change role' });
    apply.addEventListener('click', async () => {
      if (select.value === user.role) return say((user.email || user.id) + ' already has the role ' + user.role);
      apply.disabled = true;
      try {
        const result = await api('PATCH', '/api/v1/users/' + encodeURIComponent(user.id), { role: select.value });
        row.replaceWith(userRow(result.user));
        say(
          (result.user.email || result.user.id) +
            ' now has the role ' +
            result.user.role +
            ' (from their next token refresh).',
        );
      } catch (error) {
        select.value = user.role;
        apply.disabled = false;
        failed('Changing the role', error);
      }
    });
    const row = el('tr', { dataset: { userId: user.id } }, [
      cell(user.email),
      cell(user.name),
      el('td', { className: 'role' }, [select, apply]),
      cell(time(user.last_sign_in_at)),
      cell(user.disabled ? 'disabled' : 'active'),
    ]);
    return row;
  }

  // ---- API keys ----

  async function loadApiKeys() {
    const { api_keys: keys } = await api('GET', '/api/v1/api-keys?limit=200');
    const tbody = byId('api-key-rows');
    if (keys.length === 0) return emptyRow(tbody, 8, 'No API keys yet.');
    tbody.replaceChildren(...keys.map(apiKeyRow));
  }

  function apiKeyRow(key) {
    const live = key.status === 'active' || key.status === 'rotating';
    const actions = el('td', { className: 'actions' }, [
      key.status === 'active'
        ? el('button', { type: 'button', className: 'rotate', text: 'Rotate', onclick: () => rotateApiKey(key) })
        : null,
      live
        ? el('button', { type: 'button', className: 'revoke danger', text: 'Revoke', onclick: () => revokeApiKey(key) })
        : null,
    ]);
    return el('tr', { dataset: { keyId: key.key_id } }, [
      el('td', { text: key.name, title: key.description || undefined }),
      el('td', {}, [el('code', { text: key.key_id })]),
      cell(key.scopes.join(' ')),
      el('td', {}, [el('span', { className: 'badge ' + key.status, text: key.status })]),
      cell(time(key.created_at)),
      cell(time(key.grace_until || key.expires_at)),
      cell(time(key.last_used_at)),
      actions,
    ]);
  }

  async function createApiKey(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const scopes = checkedScopes(form);
    if (scopes.length === 0) return say('Choose at least one scope for the key.', 'error');
    const body = { name: form.elements.name.value.trim(), scopes };
    const description = form.elements.description.value.trim();
    if (description) body.description = description;
    if (form.elements.expires_in_days.value) body.expires_in_days = Number(form.elements.expires_in_days.value);
    try {
      const created = await api('POST', '/api/v1/api-keys', body);
      form.reset();
      showSecret('api-key-secret', 'API key "' + created.name + '" created', [['X-API-Key', created.api_key]]);
      say('API key ' + created.key_id + ' created.');
      await loadApiKeys();
    } catch (error) {
      failed('Creating the API key', error);
    }
  }

  function revokeApiKey(key) {
    return confirmThen(
      'Revoke the API key "' + key.name + '" (' + key.key_id + ')? Callers using it are refused at once.',
      'Revoking the API key',
      async () => {
        await api('DELETE', '/api/v1/api-keys/' + encodeURIComponent(key.id));
        await loadApiKeys();
        return 'API key ' + key.key_id + ' revoked.';
      },
    );
  }

  function rotateApiKey(key) {
    return confirmThen(
      'Rotate the API key "' + key.name + '"? The current key keeps working for one hour.',
      'Rotating the API key',
      async () => {
        const rotated = await api('POST', '/api/v1/api-keys/' + encodeURIComponent(key.id) + '/rotate', {});
        showSecret(
          'api-key-secret',
          'Replacement for API key "' + rotated.name + '"',
          [['X-API-Key', rotated.api_key]],
          'The previous key ' +
            rotated.previous_key_id +
            ' works until ' +
            time(rotated.previous_key_valid_until) +
            ' UTC.',
        );
        await loadApiKeys();
        return 'API key ' + key.key_id + ' rotated to ' + rotated.key_id + '.';
      },
    );
  }

  // ---- API clients ----

  async function loadClients() {
    const { clients } = await api('GET', '/api/v1/clients');
    const tbody = byId('client-rows');
    if (clients.length === 0) return emptyRow(tbody, 7, 'No API clients yet.');
    tbody.replaceChildren(...clients.map(clientRow));
  }

  function clientRow(client) {
    return el('tr', { dataset: { clientId: client.client_id } }, [
      cell(client.name),
      el('td', {}, [el('code', { text: client.client_id })]),
      cell(client.scopes.join(' ')),
      cell(String(client.secrets.length)),
      cell(client.created_by),
      cell(time(client.created_at)),
      el('td', { className: 'actions' }, [
        el('button', {
          type: 'button',
          className: 'delete danger',
          text: 'Delete',
          onclick: () => deleteClient(client),
        }),
      ]),
    ]);
  }

  async function createClient(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const scopes = checkedScopes(form);
    if (scopes.length === 0) return say('Choose at least one scope for the client.', 'error');
    try {
      const created = await api('POST', '/api/v1/clients', { name: form.elements.name.value.trim(), scopes });
      form.reset();
      showSecret(
        'client-secret',
        'API client "' + created.name + '" created',
        [
          ['client_id', created.client_id],
          ['client_secret', created.client_secret],
        ],
        'Token endpoint: ' + created.token_endpoint + ' (grant_type=client_credentials).',
      );
      say('API client ' + created.client_id + ' created.');
      await loadClients();
    } catch (error) {
      failed('Creating the API client', error);
    }
  }

  function deleteClient(client) {
    return confirmThen(
      'Delete the API client "' + client.name + '" (' + client.client_id + ')? Its secrets stop working.',
      'Deleting the API client',
      async () => {
        await api('DELETE', '/api/v1/clients/' + encodeURIComponent(client.client_id));
        await loadClients();
        return 'API client ' + client.client_id + ' deleted.';
      },
    );
  }

  // ---- audit ----

  async function loadAudit() {
    const { events } = await api('GET', '/api/v1/audit?limit=50');
    const tbody = byId('audit-rows');
    if (events.length === 0) return emptyRow(tbody, 7, 'No audit events yet.');
    tbody.replaceChildren(
      ...events.map((event) =>
        el('tr', { className: event.outcome }, [
          cell(time(event.at)),
          cell(event.kind),
          cell(event.outcome),
          // Subjects already say what they are (api_key:..., a user id); the credential kind is the tooltip.
          el('td', { text: event.actor_subject || '—', title: event.actor_kind || undefined }),
          cell(event.target),
          cell(event.reason),
          cell(event.ip),
        ]),
      ),
    );
  }

  // The CSV export is a plain navigation (a download); make sure the session is fresh before leaving for it.
  async function exportCsv(event) {
    event.preventDefault();
    await api('GET', '/auth/me');
    window.location.assign(event.currentTarget.href);
  }

  // ---- page ----

  const LOADERS = { users: loadUsers, 'api-keys': loadApiKeys, clients: loadClients, audit: loadAudit };
  const LOADER_NAMES = {
    users: 'Loading users',
    'api-keys': 'Loading API keys',
    clients: 'Loading API clients',
    audit: 'Loading audit events',
  };

  function load(id) {
    return LOADERS[id]().catch((error) => failed(LOADER_NAMES[id], error));
  }

  async function signOut() {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
    document
      .querySelector('main')
      .replaceChildren(
        el('section', { className: 'notice' }, [
          el('h2', { text: 'Signed out' }),
          el('p', {}, [el('a', { href: LOGIN_URL, text: 'Sign in again' })]),
        ]),
      );
    byId('whoami').textContent = '';
    byId('sign-out').hidden = true;
    for (const link of document.querySelectorAll('nav a')) link.hidden = true;
    say('You are signed out.');
  }

  function wire() {
    byId('users-search').addEventListener('submit', (event) => {
      event.preventDefault();
      load('users');
    });
    byId('api-key-create').addEventListener('submit', createApiKey);
    byId('client-create').addEventListener('submit', createClient);
    byId('audit-reload').addEventListener('click', () => load('audit'));
    byId('audit-csv').addEventListener('click', exportCsv);
    byId('sign-out').addEventListener('click', signOut);
  }

  async function start() {
    wire();
    let me;
    try {
      me = await api('GET', '/auth/me');
    } catch (error) {
      return failed('Loading your account', error);
    }
    byId('whoami').textContent =
      (me.name || me.subject) + (me.email ? ' <' + me.email + '>' : '') + ' · ' + (me.role || me.auth_kind);
    const held = new Set(me.permissions);
    fillScopePickers(held);
    const allowed = [...document.querySelectorAll('main section[data-permission]')].filter((section) =>
      held.has(section.dataset.permission),
    );
    if (allowed.length === 0) return say('Your account holds none of the permissions this console needs.', 'error');
    for (const section of allowed) {
      section.hidden = false;
      document.querySelector('nav a[data-section="' + section.id + '"]').hidden = false;
    }
    await Promise.all(allowed.map((section) => load(section.id)));
    document.body.dataset.ready = 'true';
  }

  start();
})();
`;
