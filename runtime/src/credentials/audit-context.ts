/**
 * Who asked for a credential change and from where, as the audit trail records it. Built from the authenticated
 * principal and the request (`requestSource(req)`), never from a header the caller chose.
 */
export interface AuditContext {
  readonly actor: { readonly kind: string; readonly subject: string };
  readonly ip: string | null;
  readonly userAgent: string | null;
}
