import { z } from 'zod';
import type { Catalog } from '../../../catalog/index.js';
import { makePrincipal, type Principal } from '../auth/principal.js';
import type { AuthKind } from '../tokens/access-tokens.js';

const AUTH_KINDS = [
  'session',
  'api_key',
  'client_credentials',
  'team_token',
  'admin_token',
  'entra_jwt',
] as const satisfies readonly AuthKind[];

/** What a ticket row keeps of the principal that asked for it (`ws_tickets.principal`, JSON). No e-mail or name. */
const SnapshotSchema = z.object({
  kind: z.enum(AUTH_KINDS),
  subject: z.string().min(1),
  role: z.string().nullable(),
  permissions: z.array(z.string()),
  scopes: z.array(z.string()),
  org_id: z.string().min(1),
  team_id: z.string().nullable(),
  credential_id: z.string(),
  /** The credential's own request budget per minute (absent in tickets stored before budgets existed). */
  request_budget_per_minute: z.number().int().nullable().optional(),
});

type Snapshot = z.infer<typeof SnapshotSchema>;

/** The JSON stored with a ticket: who asked, with what role, permissions and scopes, in which org and team. */
export function snapshotPrincipal(principal: Principal): string {
  const snapshot: Snapshot = {
    kind: principal.kind,
    subject: principal.subject,
    role: principal.role,
    permissions: [...principal.permissions],
    scopes: [...principal.scopes],
    org_id: principal.orgId,
    team_id: principal.teamId,
    credential_id: principal.credentialId,
    request_budget_per_minute: principal.requestBudgetPerMinute,
  };
  return JSON.stringify(snapshot);
}

/**
 * The principal a redeemed ticket stands for: exactly the snapshot, normalized against the catalog (a permission the
 * catalog dropped since issuance is not granted). Throws when the stored JSON is not a snapshot (a bug, not the
 * caller's fault).
 */
export function principalFromSnapshot(catalog: Catalog, json: string): Principal {
  const snapshot = SnapshotSchema.parse(JSON.parse(json));
  return makePrincipal(catalog, {
    kind: snapshot.kind,
    subject: snapshot.subject,
    role: snapshot.role,
    scopes: snapshot.scopes,
    extraPermissions: snapshot.permissions,
    orgId: snapshot.org_id,
    teamId: snapshot.team_id,
    credentialId: snapshot.credential_id,
    requestBudgetPerMinute: snapshot.request_budget_per_minute,
  });
}
