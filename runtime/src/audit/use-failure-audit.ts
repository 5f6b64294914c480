import type { AppContext } from '../http/context.js';

/**
 * At most one use-failure row per known credential, reason and address in this window, in ms; for a credential not
 * known to exist (unknown id, malformed, wrong secret or signature) at most one per reason and address.
 */
export const USE_FAILURE_AUDIT_WINDOW_MS = 60_000;
/** Upper bound on remembered (credential, reason, address) triples per process. */
const MAX_TRACKED = 10_000;
/** Reasons given only after the credential's secret or signature verified: the credential is known to exist. */
const VERIFIED_CREDENTIAL_REASONS: ReadonlySet<string> = new Set(['revoked', 'expired', 'expired_secret']);

export interface UseFailure {
  /** Dotted event kind, e.g. `api_key.use_failed`, `team_token.use_failed`. */
  readonly kind: string;
  /** Public id of the credential (key_id, token_id, jti); `null` when the credential could not be parsed. */
  readonly credentialId: string | null;
  /** `unknown`, `bad_secret`, `revoked`, `expired`, ... */
  readonly reason: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly orgId?: string | null;
  /** Subject of the credential when known (only after the secret verified), e.g. `api_key:<key_id>`. */
  readonly subject?: string | null;
  /** Kind of that subject for the row's `actor_kind`, e.g. `api_key`. Default `credential`. */
  readonly subjectKind?: string;
}

/**
 * Writes a `failure` audit row for a credential that was refused, in the background (the answer never waits for it)
 * and at most once per credential, reason and address per minute: a client retrying with a dead key, or an attacker
 * replaying one, cannot turn failures into unbounded writes (per-address guessing is capped by the rate limit).
 * The credential id counts only when the credential is known to exist (a `subject` was given, or the reason is one
 * said after verification); otherwise the id is the caller's choice, and a fresh random id per request would write a
 * row each time, so those failures share one row per kind, reason and address (it names the first id tried).
 */
export function auditUseFailure(ctx: AppContext, failure: UseFailure): void {
  const seen = ctx.audit.recentUseFailures;
  const now = ctx.clock.now();
  const known = Boolean(failure.subject) || VERIFIED_CREDENTIAL_REASONS.has(failure.reason);
  const key = `${failure.kind}|${known ? failure.credentialId : '-'}|${failure.reason}|${failure.ip}`;
  const last = seen.get(key);
  if (last !== undefined && now - last < USE_FAILURE_AUDIT_WINDOW_MS && now >= last) return;
  if (seen.size >= MAX_TRACKED) {
    for (const [k, at] of seen) if (now - at >= USE_FAILURE_AUDIT_WINDOW_MS) seen.delete(k);
    if (seen.size >= MAX_TRACKED) seen.clear();
  }
  seen.set(key, now);
  ctx.audit.recordInBackground({
    kind: failure.kind,
    outcome: 'failure',
    actor: failure.subject ? { kind: failure.subjectKind ?? 'credential', subject: failure.subject } : null,
    credentialId: failure.credentialId,
    orgId: failure.orgId ?? null,
    reason: failure.reason,
    ip: failure.ip,
    userAgent: failure.userAgent,
  });
}
