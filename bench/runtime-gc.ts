/**
 * The runtime's garbage collections, read from its own `/metrics` (prom-client's `nodejs_gc_duration_seconds`,
 * labelled by kind). The bench reads it before and after each fixed-rate repetition, so a slow repetition shows whether
 * a full collection ran inside it, in the production build and without any extra instrumentation.
 */
export interface GcTotals {
  /** Collections of each kind (`major`, `minor`, `incremental`, `weakcb`) since the runtime started. */
  readonly count: Readonly<Record<string, number>>;
  /** Their summed pause, in seconds, by kind. */
  readonly seconds: Readonly<Record<string, number>>;
}

/** Major (mark-compact) collections between two readings, and their summed pause in ms. */
export interface MajorGcDelta {
  readonly count: number;
  readonly pauseMs: number;
}

const SERIES = /^nodejs_gc_duration_seconds_(count|sum)\{[^}]*\bkind="([a-z]+)"[^}]*\}\s+(\S+)$/;

/** The GC totals in a Prometheus text exposition. */
export function parseGcTotals(text: string): GcTotals {
  const count: Record<string, number> = {};
  const seconds: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = SERIES.exec(line.trim());
    if (!match) continue;
    const [, series, kind = '', value] = match;
    (series === 'count' ? count : seconds)[kind] = Number(value);
  }
  return { count, seconds };
}

/** Reads the runtime's GC totals from `<origin>/metrics`. */
export async function readGcTotals(origin: string): Promise<GcTotals> {
  const response = await fetch(`${origin}/metrics`);
  if (!response.ok) throw new Error(`GET ${origin}/metrics answered ${response.status}`);
  return parseGcTotals(await response.text());
}

export function majorGcBetween(before: GcTotals, after: GcTotals): MajorGcDelta {
  const count = (after.count.major ?? 0) - (before.count.major ?? 0);
  const seconds = (after.seconds.major ?? 0) - (before.seconds.major ?? 0);
  return { count, pauseMs: Math.round(seconds * 1000 * 100) / 100 };
}
