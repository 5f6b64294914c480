import { api } from './api.js';
import { byId, cell, el, emptyRow, failed } from './dom.js';
import { time } from './format.js';
import type { AuditEvent } from './types.js';

/** Audit: the latest events of the org. */
export async function loadAudit(): Promise<void> {
  const { events } = await api<{ events: AuditEvent[] }>('GET', '/api/v1/audit?limit=50');
  const tbody = byId<HTMLTableSectionElement>('audit-rows');
  if (events.length === 0) return emptyRow(tbody, 7, 'No audit events yet.');
  tbody.replaceChildren(
    ...events.map((event) =>
      el('tr', { className: event.outcome }, [
        cell(time(event.at)),
        cell(event.kind),
        cell(event.outcome),
        el('td', { text: event.actor_subject ?? '—', title: event.actor_kind ?? undefined }),
        cell(event.target),
        cell(event.reason),
        cell(event.ip),
      ]),
    ),
  );
}

// The CSV export is a plain navigation (a download); make sure the session is fresh before leaving for it.
async function exportCsv(event: MouseEvent): Promise<void> {
  event.preventDefault();
  const link = event.currentTarget as HTMLAnchorElement;
  await api('GET', '/auth/me');
  window.location.assign(link.href);
}

export function wireAudit(): void {
  byId('audit-reload').addEventListener('click', () => {
    loadAudit().catch((error: unknown) => failed('Loading audit events', error));
  });
  byId<HTMLAnchorElement>('audit-csv').addEventListener('click', (event) => void exportCsv(event));
}
