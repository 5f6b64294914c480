/** Pure formatting helpers (no DOM), shared by the sections and covered by unit tests. */

/** An ISO-8601 instant as `YYYY-MM-DD HH:MM:SS` (UTC), or null. */
export const time = (iso: string | null | undefined): string | null =>
  iso ? String(iso).replace('T', ' ').slice(0, 19) : null;
