import type { IncomingMessage } from 'node:http';
import type { AuditWriter } from '../audit/audit-writer.js';
import { principalOf } from '../auth/route-access.js';
import { requestMeta } from '../http/request-meta.js';

/**
 * Who asked for a credential change and from where, as the audit trail records it. Built from the authenticated
 * principal and the request (`requestMeta(req)`), never from a header the caller chose.
 */
export interface AuditContext {
  readonly actor: { readonly kind: string; readonly subject: string };
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** The audit context of a request the route layer authenticated. */
export function auditContextOf(req: IncomingMessage): AuditContext {
  const caller = principalOf(req);
  return { actor: { kind: caller.kind, subject: caller.subject }, ...requestMeta(req) };
}

/**
 * How `created_by` names the actor of a change: its kind once, then its id (`api_key:<key_id>`,
 * `team_token:<token_id>`, `session:<user id>`). Principal subjects of some kinds already carry the kind.
 */
export function actorName(actor: { readonly kind: string; readonly subject: string }): string {
  return actor.subject.startsWith(`${actor.kind}:`) ? actor.subject : `${actor.kind}:${actor.subject}`;
}

/** A stored `created_by`, shown with its kind once (rows written before `actorName` say `api_key:api_key:<key_id>`). */
export const createdByView = (value: string): string => value.replace(/^([a-z_]+):\1:/, '$1:');

export interface ChangeEvent {
  /** Dotted kind, e.g. `client.created`, `team_token.revoked`. */
  readonly kind: string;
  readonly orgId: string;
  /** What was changed: a client id, team id, org id. */
  readonly target: string;
  /** Public id of the credential involved (client_id, token_id), if any. */
  readonly credentialId?: string | null;
  /** Never a secret; secret-looking field names are dropped by the writer anyway. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Writes the `success` audit row of a change `who` made (issue, revocation, policy change). */
export function recordChange(audit: AuditWriter, who: AuditContext, event: ChangeEvent): Promise<string> {
  return audit.record({
    kind: event.kind,
    outcome: 'success',
    actor: who.actor,
    credentialId: event.credentialId ?? null,
    orgId: event.orgId,
    target: event.target,
    ip: who.ip,
    userAgent: who.userAgent,
    details: event.details,
  });
}
