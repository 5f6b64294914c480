/** Columns of the CSV export, in order (the `audit_events` columns; `details` as JSON text). */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'kind',
  'outcome',
  'actor_kind',
  'actor_subject',
  'credential_id',
  'org_id',
  'target',
  'reason',
  'ip',
  'user_agent',
  'details',
] as const;

/**
 * One RFC 4180 cell. Values a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or CR; user agents
 * are caller-controlled) get a leading `'` (OWASP CSV injection advice).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line and one line per row, CRLF-terminated. */
export function toCsv(rows: ReadonlyArray<Readonly<Record<string, unknown>>>): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(AUDIT_CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
