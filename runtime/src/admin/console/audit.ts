import { api } from './api.js';
import { fetchApiKeys } from './api-keys.js';
import { fetchClients } from './clients.js';
import { badge, byId, cell, el, emptyRow, failed, field, idCell, say } from './dom.js';
import { type AuditFilter, auditCsv, displayAddress, matchesAuditFilter, time, utcInputToIso } from './format.js';
import { nameOf } from './names.js';
import { holds } from './session.js';
import { fetchTeams } from './teams.js';
import type { AuditEvent } from './types.js';
import { fetchUsers } from './users.js';

/** Most events one request returns (the runtime's limit); the server applies kind and start time before it. */
const FETCH_LIMIT = 1000;

/** The events the current filter shows, for the CSV export. */
let shown: AuditEvent[] = [];

function currentFilter(): AuditFilter {
  const form = byId<HTMLFormElement>('audit-filter');
  const value = (name: string) => field(form, name).value.trim() || undefined;
  return {
    kind: value('kind'),
    since: utcInputToIso(field(form, 'since').value),
    until: utcInputToIso(field(form, 'until').value),
    actor: value('actor'),
    target: value('target'),
  };
}

/**
 * Who the ids are: users, API keys, clients and teams the user may list. Best effort: a list the user may not read,
 * or that fails, only leaves its ids without names.
 */
async function learnNames(): Promise<void> {
  const loaders: Array<Promise<unknown>> = [];
  if (holds('users:manage')) loaders.push(fetchUsers());
  if (holds('api_keys:manage')) loaders.push(fetchApiKeys());
  if (holds('clients:manage')) loaders.push(fetchClients());
  if (holds('team:read')) loaders.push(fetchTeams());
  await Promise.allSettled(loaders);
}

/** The filter's fields, in the order the address lists them (`#audit?kind=...&target=...`). */
const FILTER_FIELDS = ['kind', 'actor', 'target', 'since', 'until'] as const;

/**
 * Audit: events filtered by kind, actor, target and time range, with names beside ids; CSV of what is shown. The
 * filter lives in the address (`params`), so Back, Forward and links from other sections restore it.
 */
export async function loadAudit(_sub?: string, params: URLSearchParams = new URLSearchParams()): Promise<void> {
  const form = byId<HTMLFormElement>('audit-filter');
  for (const name of FILTER_FIELDS) field(form, name).value = params.get(name) ?? '';
  const filter = currentFilter();
  const query = new URLSearchParams({ limit: String(FETCH_LIMIT) });
  if (filter.kind) query.set('kind', filter.kind);
  if (filter.since) query.set('since', filter.since);
  const [{ events }] = await Promise.all([
    api<{ events: AuditEvent[] }>('GET', `/api/v1/audit?${query}`),
    learnNames(),
  ]);
  fillKinds(events);
  shown = events.filter((event) => matchesAuditFilter(event, filter, nameOf));
  const capped =
    events.length === FETCH_LIMIT ? ` (of the newest ${FETCH_LIMIT}; narrow the time range for older ones)` : '';
  byId('audit-count').textContent = `${shown.length} event${shown.length === 1 ? '' : 's'}${capped}.`;
  const tbody = byId<HTMLTableSectionElement>('audit-rows');
  if (shown.length === 0) return emptyRow(tbody, 7, 'No audit event matches.');
  tbody.replaceChildren(...shown.map(auditRow));
}

function auditRow(event: AuditEvent): HTMLTableRowElement {
  const actor = idCell(event.actor_subject, nameOf(event.actor_subject));
  if (event.actor_kind) actor.title = `actor kind: ${event.actor_kind}`;
  const targetId = event.target ?? event.credential_id;
  const target = idCell(targetId, nameOf(targetId));
  if (event.credential_id && event.credential_id !== event.target) target.title = `credential: ${event.credential_id}`;
  return el('tr', { className: event.outcome, dataset: { eventId: event.id } }, [
    cell(time(event.at)),
    el('td', {}, [el('code', { text: event.kind })]),
    el('td', {}, [badge(event.outcome)]),
    actor,
    target,
    cell(event.reason),
    el('td', { text: displayAddress(event.ip) ?? '—', title: event.ip ?? undefined }),
  ]);
}

/** Offers the kinds seen so far (and their `prefix.*` forms) in the kind field's suggestions. */
function fillKinds(events: readonly AuditEvent[]): void {
  const list = byId('audit-kinds');
  const kinds = new Set([...list.querySelectorAll('option')].map((option) => option.value));
  for (const { kind } of events) {
    kinds.add(kind);
    kinds.add(`${kind.split('.')[0]}.*`);
  }
  list.replaceChildren(...[...kinds].sort().map((kind) => el('option', { value: kind })));
}

/** Downloads the events the current filter shows as CSV (made here: the filter has parts the server does not). */
function exportCsv(): void {
  const blob = new Blob([auditCsv(shown, nameOf)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  const link = el('a', { href: url, download: `gatehouse-audit-${stamp}.csv`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  say(`Exported ${shown.length} audit event${shown.length === 1 ? '' : 's'} as CSV.`);
}

export function wireAudit(): void {
  const form = byId<HTMLFormElement>('audit-filter');
  const reload = () =>
    loadAudit(undefined, new URLSearchParams(window.location.hash.split('?')[1] ?? '')).catch((error: unknown) =>
      failed('Loading audit events', error),
    );
  // Applying or clearing the filter changes the address; the router loads what it names.
  const show = (hash: string) => {
    if (window.location.hash === hash) void reload();
    else window.location.hash = hash;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of FILTER_FIELDS) {
      const value = field(form, name).value.trim();
      if (value) params.set(name, value);
    }
    show(params.size > 0 ? `#audit?${params}` : '#audit');
  });
  form.addEventListener('reset', (event) => {
    event.preventDefault();
    show('#audit');
  });
  byId('audit-csv').addEventListener('click', exportCsv);
}
