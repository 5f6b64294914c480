import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server/index.js';
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator/index.js';
import { PostgresqlFlexibleServerDatabase } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-database/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { type ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { AuthKeyVault, AuthKeyVaultSecret } from '../auth-key-vault/index.js';
import { checkIntegerRange, checkPattern, ValidationError } from '../core/index.js';

/** The PostgreSQL flexible server the runtime's replicas share. */
export interface RuntimeDatabaseOptions {
  /**
   * How the runtime signs in: `entra` (its managed identity's token is the password, no password exists at all, and
   * it signs in as its own least-privilege role) or `password` (a generated administrator password, kept in Key Vault
   * inside the connection URL: the runtime is then the server's administrator).
   * @default "entra"
   */
  readonly authentication?: 'entra' | 'password';
  /**
   * Globally unique server name, 3-63 lower-case letters, digits and hyphens.
   * @default - `<runtime name>-pg`
   */
  readonly serverName?: string;
  /**
   * Compute SKU; `B_` (burstable) SKUs cannot use high availability.
   * @default "B_Standard_B1ms" (the smallest burstable size)
   */
  readonly skuName?: string;
  /**
   * PostgreSQL major version.
   * @default "16"
   */
  readonly version?: string;
  /**
   * Storage in MB (one of Azure's sizes, 32768 and up).
   * @default 32768
   */
  readonly storageMb?: number;
  /**
   * Zone-redundant high availability (a standby in another zone). Needs a General Purpose or Memory Optimized SKU.
   * @default false
   */
  readonly highAvailabilityEnabled?: boolean;
  /**
   * Days of point-in-time backups, 7 to 35.
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Copy backups to the paired region.
   * @default false
   */
  readonly geoRedundantBackupEnabled?: boolean;
  /**
   * Subnet delegated to `Microsoft.DBforPostgreSQL/flexibleServers` the server is injected into. Required: the
   * server takes no public connections (there is no "allow Azure services" rule).
   */
  readonly delegatedSubnetId?: string;
  /**
   * Private DNS zone (`<name>.private.postgres.database.azure.com`) linked to the network; required with
   * `delegatedSubnetId`.
   */
  readonly privateDnsZoneId?: string;
  /**
   * Resources the server is created after: the private DNS zone's link to the network (Azure resolves the server's
   * name through it from the start).
   * @default - none
   */
  readonly networkDependencies?: readonly ITerraformDependable[];
  /**
   * Database name.
   * @default "gatehouse"
   */
  readonly databaseName?: string;
  /**
   * `entra` mode: the image of the job that creates the runtime's role (needs psql, sh, sed, wget). Pin it by digest.
   * @default "docker.io/library/postgres:16-alpine"
   */
  readonly rolesJobImage?: string;
}

export interface RuntimeDatabaseProps extends RuntimeDatabaseOptions {
  readonly serverName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The runtime's identity: in `entra` mode it signs in as a role of its own, named after it. */
  readonly identity: UserAssignedIdentity;
  /** Entra tenant of the identity (`entra` mode). */
  readonly tenantId: string;
  /** Where the generated password and the connection URL go (`password` mode). */
  readonly keyVault: AuthKeyVault;
  /** Prefix of the Key Vault secret names. */
  readonly secretNamePrefix: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Login name of the generated administrator in `password` mode. */
export const PASSWORD_MODE_ADMIN_LOGIN = 'gatehouse_admin';

/**
 * An `azurerm_postgresql_flexible_server` and its database, private: injected into a delegated subnet, registered in
 * a private DNS zone, public network access off, no firewall rule. In `entra` mode password authentication is off; a
 * dedicated identity (`<server>-admin`) is the server's Entra administrator, and the runtime signs in as a role of
 * its own, named after its identity, which that administrator creates with `pgaadauth_create_principal_with_oid` and
 * grants CONNECT on the database and USAGE, CREATE on its `public` schema (see `RuntimeDatabaseRoles`);
 * `connectionUrl` holds no secret. In `password` mode a generated password (value never rotated, so running
 * replicas keep working; the secret's expiry is renewed) is the administrator password, and the full URL lives in
 * Key Vault as `connectionUrlSecret`.
 */
export class RuntimeDatabase extends Construct {
  readonly server: PostgresqlFlexibleServer;
  readonly database: PostgresqlFlexibleServerDatabase;
  readonly authentication: 'entra' | 'password';
  /** `entra` mode: the server's Entra administrator assignment (to `administratorIdentity`). */
  readonly entraAdministrator?: PostgresqlFlexibleServerActiveDirectoryAdministrator;
  /** `entra` mode: the identity that administers the server and creates the runtime's role. */
  readonly administratorIdentity?: UserAssignedIdentity;
  /** `entra` mode: the runtime's role in the server (its identity's name). */
  readonly runtimeRoleName?: string;
  /** The database name. */
  readonly databaseName: string;
  /** `entra` mode: `postgres://<identity>@<fqdn>:5432/<db>?sslmode=require` (no password in it). */
  readonly connectionUrl?: string;
  /** `password` mode: the Key Vault secret holding the URL with the password. */
  readonly connectionUrlSecret?: AuthKeyVaultSecret;

  constructor(scope: Construct, id: string, props: RuntimeDatabaseProps) {
    super(scope, id);
    this.authentication = props.authentication ?? 'entra';
    if (this.authentication !== 'entra' && this.authentication !== 'password') {
      throw new ValidationError(this, 'database.authentication', '"entra" or "password"', this.authentication);
    }
    checkPattern(
      this,
      'database.serverName',
      props.serverName,
      /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/,
      '3-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen',
    );
    const skuName = props.skuName ?? 'B_Standard_B1ms';
    checkPattern(this, 'database.skuName', skuName, /^(B|GP|MO)_\w+$/, 'a flexible server SKU such as B_Standard_B1ms');
    const highAvailability = props.highAvailabilityEnabled ?? false;
    if (highAvailability && !Token.isUnresolved(skuName) && skuName.startsWith('B_')) {
      throw new ValidationError(
        this,
        'database.skuName',
        'a General Purpose (GP_) or Memory Optimized (MO_) SKU when highAvailabilityEnabled is true',
        skuName,
      );
    }
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    checkIntegerRange(this, 'database.backupRetentionDays', backupRetentionDays, 7, 35);
    const storageMb = props.storageMb ?? 32768;
    checkIntegerRange(this, 'database.storageMb', storageMb, 32768, 33553408);
    const databaseName = props.databaseName ?? 'gatehouse';
    checkPattern(this, 'database.databaseName', databaseName, /^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case identifier');
    if (props.delegatedSubnetId === undefined || props.delegatedSubnetId === '') {
      throw new ValidationError(
        this,
        'database.delegatedSubnetId',
        'a subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers (the server takes no public connections)',
        props.delegatedSubnetId,
      );
    }
    if (props.privateDnsZoneId === undefined || props.privateDnsZoneId === '') {
      throw new ValidationError(
        this,
        'database.privateDnsZoneId',
        'a private DNS zone ending in .postgres.database.azure.com, linked to the network, given with delegatedSubnetId',
        props.privateDnsZoneId,
      );
    }
    this.databaseName = databaseName;

    const entra = this.authentication === 'entra';
    const adminPassword = entra
      ? undefined
      : props.keyVault.addGeneratedSecret(`${props.secretNamePrefix}-postgres-admin-password`, {
          lengthChars: 48,
          // Letters and digits only: the password sits in a URL and must not need escaping.
          specialCharactersEnabled: false,
          valueRotationEnabled: false,
        });

    this.server = new PostgresqlFlexibleServer(this, 'Resource', {
      name: props.serverName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      version: props.version ?? '16',
      skuName,
      storageMb,
      backupRetentionDays,
      geoRedundantBackupEnabled: props.geoRedundantBackupEnabled ?? false,
      delegatedSubnetId: props.delegatedSubnetId,
      privateDnsZoneId: props.privateDnsZoneId,
      publicNetworkAccessEnabled: false,
      authentication: entra
        ? { activeDirectoryAuthEnabled: true, passwordAuthEnabled: false, tenantId: props.tenantId }
        : { activeDirectoryAuthEnabled: false, passwordAuthEnabled: true },
      administratorLogin: entra ? undefined : PASSWORD_MODE_ADMIN_LOGIN,
      administratorPassword: adminPassword?.secretResource.value,
      highAvailability: highAvailability ? { mode: 'ZoneRedundant' } : undefined,
      // Azure picks the zone (and moves it on failover); pinning it here would fight every failover.
      lifecycle: { ignoreChanges: ['zone', 'high_availability[0].standby_availability_zone'] },
      dependsOn: props.networkDependencies ? [...props.networkDependencies] : undefined,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.database = new PostgresqlFlexibleServerDatabase(this, 'Database', {
      name: databaseName,
      serverId: this.server.id,
      charset: 'UTF8',
      collation: 'en_US.utf8',
    });
    const hostAndDatabase = `${this.server.fqdn}:5432/${databaseName}?sslmode=require`;
    if (entra) {
      // The administrator is an identity of its own, never the runtime's: the runtime gets a narrower role.
      this.administratorIdentity = new UserAssignedIdentity(this, 'AdministratorIdentity', {
        name: `${props.serverName}-admin`,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        tags: props.tags ? { ...props.tags } : undefined,
      });
      this.entraAdministrator = new PostgresqlFlexibleServerActiveDirectoryAdministrator(this, 'EntraAdministrator', {
        serverName: this.server.name,
        resourceGroupName: props.resourceGroupName,
        tenantId: props.tenantId,
        objectId: this.administratorIdentity.principalId,
        principalName: this.administratorIdentity.name,
        principalType: 'ServicePrincipal',
      });
      this.runtimeRoleName = props.identity.name;
      this.connectionUrl = `postgres://${props.identity.name}@${hostAndDatabase}`;
    } else {
      const password = adminPassword as AuthKeyVaultSecret;
      this.connectionUrlSecret = props.keyVault.storeSecret(`${props.secretNamePrefix}-database-url`, {
        value: `postgres://${PASSWORD_MODE_ADMIN_LOGIN}:${password.secretResource.value}@${hostAndDatabase}`,
        expirationDate: password.secretExpiresAt,
        contentType: 'text/plain; postgres-url',
      });
    }
  }
}
