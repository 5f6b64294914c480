import { ContainerAppJob } from '@cdktf/provider-azurerm/lib/container-app-job/index.js';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { Construct } from 'constructs';
import { checkImageReference } from './image-reference.js';

/** An image with `psql`, `sh`, `sed` and `wget` (busybox): what the role job runs. */
export const DEFAULT_DATABASE_ROLES_IMAGE = 'docker.io/library/postgres:16-alpine';

/** Creates the runtime's role from its identity's object id, once (run in the `postgres` database). */
export const CREATE_ROLE_SQL =
  "SELECT pgaadauth_create_principal_with_oid(:'role', :'oid', 'service', false, false) " +
  "WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role');";

/** What the runtime's role may do: connect, use temporary tables, and own tables in `public` (its migrations). */
export const GRANT_SQL = [
  'GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"role";',
  'GRANT USAGE, CREATE ON SCHEMA public TO :"role";',
].join('\n');

/**
 * The job's script. It reads everything from its environment (never from interpolated text): a token for the
 * administrator identity from the Container Apps identity endpoint, then, idempotently, the runtime's role (created
 * from its identity's object id, so a deleted and re-created identity of the same name is not trusted) and its grants.
 * psql quotes `:'role'` as a literal and `:"role"` as an identifier. No `$` + `{` or `%` + `{`: Terraform would read
 * them as template syntax.
 */
export const DATABASE_ROLES_SCRIPT = [
  'set -eu',
  'response=$(wget -qO- --header "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https%3A%2F%2Fossrdbms-aad.database.windows.net&client_id=$ADMIN_CLIENT_ID")',
  `PGPASSWORD=$(printf '%s' "$response" | sed -n 's/.*"access_token" *: *"\\([^"]*\\)".*/\\1/p')`,
  'export PGPASSWORD',
  'if [ -z "$PGPASSWORD" ]; then echo "no token for the database administrator identity" >&2; exit 1; fi',
  // psql interpolates :'x' and :"x" in what it reads, not in -c commands: the SQL comes on standard input.
  `psql -v ON_ERROR_STOP=1 -v role="$RUNTIME_ROLE" -v oid="$RUNTIME_OBJECT_ID" -d postgres <<'SQL'`,
  CREATE_ROLE_SQL,
  'SQL',
  `psql -v ON_ERROR_STOP=1 -v role="$RUNTIME_ROLE" -v db="$PGDATABASE" <<'SQL'`,
  GRANT_SQL,
  'SQL',
  'echo "role $RUNTIME_ROLE ready in $PGDATABASE"',
].join('\n');

export interface RuntimeDatabaseRolesProps {
  /** Job name, e.g. `<runtime>-db-roles`. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The Container Apps environment the job runs in (it reaches the private server from there). */
  readonly containerAppEnvironmentId: string;
  /** Workload profile of the environment the job runs on. */
  readonly workloadProfileName: string;
  /** The server's Entra administrator identity: the job signs in as it. */
  readonly administratorIdentity: UserAssignedIdentity;
  /** The runtime's identity; its name is the role's name. */
  readonly runtimeIdentity: UserAssignedIdentity;
  /** The server's FQDN. */
  readonly serverFqdn: string;
  readonly databaseName: string;
  /**
   * Image with psql, sh, sed and wget.
   * @default DEFAULT_DATABASE_ROLES_IMAGE
   */
  readonly image?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A manually triggered Container Apps job, running as the server's Entra administrator, that creates the runtime's
 * own role (`pgaadauth_create_principal_with_oid`) and grants it CONNECT and TEMPORARY on the database and USAGE and
 * CREATE on its `public` schema: what migrations and the store need, nothing on other databases, no administrator
 * rights. Idempotent. Terraform cannot start a job; `npm run deploy` starts it after `cdktf deploy` and waits for it.
 */
export class RuntimeDatabaseRoles extends Construct {
  readonly job: ContainerAppJob;
  readonly jobName: string;

  constructor(scope: Construct, id: string, props: RuntimeDatabaseRolesProps) {
    super(scope, id);
    const image = props.image ?? DEFAULT_DATABASE_ROLES_IMAGE;
    checkImageReference(this, 'database.rolesJobImage', image);
    this.jobName = props.name;
    this.job = new ContainerAppJob(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      containerAppEnvironmentId: props.containerAppEnvironmentId,
      workloadProfileName: props.workloadProfileName,
      identity: { type: 'UserAssigned', identityIds: [props.administratorIdentity.id] },
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 },
      replicaTimeoutInSeconds: 300,
      replicaRetryLimit: 3,
      template: {
        container: [
          {
            name: 'db-roles',
            image,
            cpu: 0.25,
            memory: '0.5Gi',
            command: ['/bin/sh', '-c', DATABASE_ROLES_SCRIPT],
            env: [
              { name: 'ADMIN_CLIENT_ID', value: props.administratorIdentity.clientId },
              { name: 'PGUSER', value: props.administratorIdentity.name },
              { name: 'PGHOST', value: props.serverFqdn },
              { name: 'PGPORT', value: '5432' },
              { name: 'PGSSLMODE', value: 'require' },
              { name: 'PGDATABASE', value: props.databaseName },
              { name: 'RUNTIME_ROLE', value: props.runtimeIdentity.name },
              { name: 'RUNTIME_OBJECT_ID', value: props.runtimeIdentity.principalId },
            ],
          },
        ],
      },
      tags: props.tags ? { ...props.tags } : undefined,
    });
  }
}
