import { api } from './api.js';
import { actionButton, badge, cell, confirmThen, el, emptyRow, failed, field, say } from './dom.js';
import { time } from './format.js';
import { rememberName } from './names.js';
import { checkedScopes } from './scopes.js';
import { showSecret } from './secret.js';
import type { IssuedToken, TokenSummary } from './types.js';

/** Team tokens and org admin tokens: the same table, issuing form and revocation (`POST /api/v1/tokens/revoke`). */
export interface TokenList {
  /** `GET` and `POST` path: `/api/v1/orgs/{org}/teams/{team}/tokens` or `/api/v1/orgs/{org}/admin-tokens`. */
  readonly path: string;
  readonly rows: HTMLTableSectionElement;
  readonly secretBox: string;
  /** "team token" or "org admin token". */
  readonly noun: string;
}

export async function loadTokens(list: TokenList): Promise<void> {
  const { tokens } = await api<{ tokens: TokenSummary[] }>('GET', list.path);
  if (tokens.length === 0) return emptyRow(list.rows, 8, `No ${list.noun}s yet.`);
  list.rows.replaceChildren(...tokens.map((token) => tokenRow(list, token)));
}

function tokenRow(list: TokenList, token: TokenSummary): HTMLTableRowElement {
  rememberName(token.token_id, token.name);
  const label = token.name ?? token.token_id;
  return el('tr', { dataset: { tokenId: token.token_id } }, [
    cell(token.name),
    el('td', {}, [el('code', { text: token.token_id })]),
    cell(token.permissions.join(' ')),
    el('td', {}, [badge(token.status)]),
    cell(time(token.created_at)),
    cell(time(token.expires_at)),
    cell(time(token.last_used_at)),
    el('td', { className: 'actions' }, [
      token.status === 'active'
        ? actionButton('Revoke', 'revoke danger', `Revoke the ${list.noun} ${label}`, () => void revoke(list, token))
        : null,
    ]),
  ]);
}

function revoke(list: TokenList, token: TokenSummary): Promise<void> {
  const label = token.name ? `"${token.name}" (${token.token_id})` : token.token_id;
  return confirmThen(
    `Revoke the ${list.noun} ${label}? It is refused at once on every replica.`,
    `Revoking the ${list.noun}`,
    async () => {
      await api('POST', '/api/v1/tokens/revoke', { token_id: token.token_id });
      await loadTokens(list);
      return `The ${list.noun} ${label} is revoked.`;
    },
  );
}

/** Wires an issuing form: name, lifetime in days (default: the org policy), extra product scopes. */
export function wireTokenForm(form: HTMLFormElement, list: () => TokenList | undefined): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const target = list();
    if (target) void issue(form, target);
  });
}

async function issue(form: HTMLFormElement, list: TokenList): Promise<void> {
  const body: Record<string, unknown> = {};
  const name = field(form, 'name').value.trim();
  if (name) body.name = name;
  const days = field(form, 'expires_in_days').value;
  if (days) body.expires_in_seconds = Math.round(Number(days) * 86_400);
  const scopes = checkedScopes(form);
  if (scopes.length > 0) body.scopes = scopes;
  try {
    const issued = await api<IssuedToken>('POST', list.path, body);
    form.reset();
    showSecret(
      list.secretBox,
      `${capitalised(list.noun)} "${issued.name ?? issued.token_id}" generated`,
      [['Bearer token', issued.token]],
      `Send it as "Authorization: Bearer <token>". Expires ${time(issued.expires_at) ?? 'never'} UTC.`,
    );
    say(`${capitalised(list.noun)} ${issued.token_id} generated.`);
    await loadTokens(list);
  } catch (error) {
    failed(`Generating the ${list.noun}`, error);
  }
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
