import { api, seg } from './api.js';
import { byId, cell, el, emptyRow, failed, say } from './dom.js';
import { time } from './format.js';
import { rememberName } from './names.js';
import { ROLES } from './scopes.js';
import type { User } from './types.js';

/** Users: search, change role (the runtime refuses to take the last admin's `users:manage`). */
export async function loadUsers(): Promise<void> {
  const query = byId<HTMLInputElement>('users-query').value.trim();
  const users = await fetchUsers(query);
  const tbody = byId<HTMLTableSectionElement>('users-rows');
  if (users.length === 0) return emptyRow(tbody, 5, query ? 'No user matches.' : 'No users yet.');
  // The last active admin keeps the role: the runtime refuses to take users:manage from the org's last holder.
  const admins = query ? undefined : users.filter((u) => u.role === 'admin' && !u.disabled).length;
  tbody.replaceChildren(...users.map((user) => userRow(user, admins === 1 && user.role === 'admin')));
}

/** The org's users matching `query` (also for the e-mails the audit view shows beside user ids). */
export async function fetchUsers(query = ''): Promise<User[]> {
  const path = `/api/v1/users?limit=200${query ? `&search=${encodeURIComponent(query)}` : ''}`;
  const { users } = await api<{ users: User[] }>('GET', path);
  for (const user of users) rememberName(user.id, user.email ?? user.name);
  return users;
}

function userRow(user: User, lastAdmin = false): HTMLTableRowElement {
  const who = user.email ?? user.id;
  const select = el('select', {
    'aria-label': `Role of ${who}`,
    disabled: lastAdmin,
    'aria-describedby': lastAdmin ? `last-admin-${user.id}` : undefined,
  });
  for (const role of ROLES.includes(user.role) ? ROLES : [...ROLES, user.role]) {
    select.append(el('option', { value: role, text: role }));
  }
  select.value = user.role;
  const apply = el('button', { type: 'button', className: 'change-role', text: 'Change role' });
  const row = el('tr', { dataset: { userId: user.id } }, [
    cell(user.email),
    cell(user.name),
    el('td', { className: 'role' }, [
      select,
      lastAdmin ? el('span', { id: `last-admin-${user.id}`, className: 'hint', text: 'the last admin' }) : apply,
    ]),
    cell(time(user.last_sign_in_at)),
    cell(user.disabled ? 'disabled' : 'active'),
  ]);
  apply.addEventListener('click', async () => {
    if (select.value === user.role) return say(`${who} already has the role ${user.role}`);
    apply.disabled = true;
    try {
      const result = await api<{ user: User }>('PATCH', `/api/v1/users/${seg(user.id)}`, { role: select.value });
      row.replaceWith(userRow(result.user));
      say(
        `${result.user.email ?? result.user.id} now has the role ${result.user.role} (from their next token refresh).`,
      );
    } catch (error) {
      select.value = user.role;
      apply.disabled = false;
      failed('Changing the role', error);
    }
  });
  return row;
}

export function wireUsers(): void {
  byId('users-search').addEventListener('submit', (event) => {
    event.preventDefault();
    loadUsers().catch((error: unknown) => failed('Loading users', error));
  });
}
