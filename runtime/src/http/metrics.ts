import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type AuthOutcome = 'success' | 'failure';

/**
 * The runtime's Prometheus metrics, on a registry of their own (one per app, so tests can run several apps).
 * Label values are bounded: routes are route patterns, never raw paths.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Histogram<'method' | 'route' | 'status'>;
  readonly #auth: Counter<'kind' | 'outcome' | 'reason'>;
  // Label-bound children by label values: prom-client hashes the label object on every unbound call, which showed up
  // at ~5% of a warm /auth/verify. Label values are bounded (route patterns, statuses, fixed words), so are these maps.
  readonly #requestChildren = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();
  readonly #authChildren = new Map<string, Counter.Internal>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP requests by route pattern and status: count and latency in seconds',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.#auth = new Counter({
      name: 'gatehouse_auth_outcomes_total',
      help: 'Credential checks by credential kind, outcome and coarse reason (ok, grace, missing, invalid, expired, revoked, rate_limited)',
      labelNames: ['kind', 'outcome', 'reason'],
      registers: [this.registry],
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.#requestChildren.get(key);
    if (!child) {
      child = this.#requests.labels({ method, route, status: String(status) });
      this.#requestChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /**
   * Call once per credential check. `kind` is the credential kind (`api_key`, `session`, `client_credentials`, ...),
   * `detail` a short fixed word (`ok` on success); only its coarse class is published (see `coarseReason`).
   */
  recordAuth(kind: string, outcome: AuthOutcome, detail = outcome === 'success' ? 'ok' : 'unknown'): void {
    const reason = coarseReason(detail);
    const key = `${kind} ${outcome} ${reason}`;
    let child = this.#authChildren.get(key);
    if (!child) {
      child = this.#auth.labels({ kind, outcome, reason });
      this.#authChildren.set(key, child);
    }
    child.inc();
  }
}

/** Reasons published as they are; every other failure detail is `invalid`. */
const COARSE_REASONS: Readonly<Record<string, string>> = {
  ok: 'ok',
  grace: 'grace',
  missing: 'missing',
  expired: 'expired',
  expired_secret: 'expired',
  revoked: 'revoked',
  rotated: 'revoked',
  reuse: 'revoked',
  rate_limited: 'rate_limited',
};

/**
 * The coarse class of a credential check's reason. Whether a presented id exists (`unknown`) or its secret is wrong
 * (`bad_secret`), and every other way a credential fails to verify (malformed, signature, issuer, ...), is `invalid`:
 * metrics must not tell which credential ids exist.
 */
export function coarseReason(detail: string): string {
  return COARSE_REASONS[detail] ?? 'invalid';
}
