import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config/index.js';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault/index.js';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting/index.js';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint/index.js';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import {
  checkIntegerRange,
  checkNoDuplicates,
  checkPattern,
  nextChildId,
  propagationWait,
  RBAC_PROPAGATION_DEFAULT_SECONDS,
  ValidationError,
} from '../core/index.js';
import {
  AuthKeyVaultSecret,
  type GeneratedSecretOptions,
  type SecretVault,
  type StoredSecretOptions,
} from './auth-key-vault-secret.js';

/**
 * How the identity running Terraform reaches the vault's data plane to write secrets. The vault's firewall refuses
 * everyone else (`bypass = AzureServices` covers Azure's own trusted services, never a deploy runner), so a vault
 * without a declared path fails the first secret write with 403 ForbiddenByFirewall.
 */
export type KeyVaultDeployerAccess =
  /** Public endpoint, admitted by the firewall from these IPv4 addresses or CIDR ranges (the runner's egress). */
  | { readonly kind: 'ipRanges'; readonly ipRanges: readonly string[] }
  /** The deployer runs inside a network that reaches `privateEndpoint` and resolves the vault through its DNS zone. */
  | { readonly kind: 'privateNetwork' };

/** A private endpoint for the vault (`vault` sub-resource) with its `privatelink.vaultcore.azure.net` record. */
export interface KeyVaultPrivateEndpointOptions {
  /** Subnet the endpoint's network interface is placed in. */
  readonly subnetId: string;
  /** Id of the `privatelink.vaultcore.azure.net` private DNS zone, linked to every network that resolves the vault. */
  readonly privateDnsZoneId: string;
  /**
   * What must exist before the endpoint counts as a path (e.g. the zone's virtual network links, peerings).
   * @default - none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Azure's Key Vault name rule: 3-24 characters, letters, digits and single hyphens, starting with a letter. */
const KEY_VAULT_NAME_PATTERN = /^(?=.{3,24}$)[A-Za-z](?:-?[A-Za-z0-9])*$/;

export interface AuthKeyVaultProps {
  /** Globally unique vault name: 3-24 letters, digits and hyphens, starting with a letter, no `--`, no trailing `-`. */
  readonly name: string;
  /** Resource group the vault lives in. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /**
   * Entra tenant the vault trusts.
   * @default - the tenant of the identity running Terraform (`azurerm_client_config.tenant_id`)
   */
  readonly tenantId?: string;
  /**
   * `standard` or `premium` (HSM-backed keys).
   * @default "standard"
   */
  readonly skuName?: 'standard' | 'premium';
  /**
   * Days a deleted vault or secret stays recoverable, 7 to 90.
   * @default 90
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * How the identity running Terraform reaches the vault to write secrets: from IP ranges the firewall admits, or
   * from inside a network that reaches `privateEndpoint`. Required: the firewall always defaults to Deny.
   */
  readonly deployerAccess: KeyVaultDeployerAccess;
  /**
   * A private endpoint in a virtual network: how workloads there (the runtime, whose Key Vault references Container
   * Apps resolves from its own network) reach the vault. Required when `deployerAccess` is `privateNetwork`.
   * @default - none
   */
  readonly privateEndpoint?: KeyVaultPrivateEndpointOptions;
  /**
   * Other public IPv4 addresses or CIDR ranges allowed through the firewall (operators). When these, the deployer's
   * ranges and `allowedSubnetIds` are all empty, public network access is disabled entirely.
   * @default - none
   */
  readonly allowedIpRanges?: readonly string[];
  /**
   * Subnet ids (with the `Microsoft.KeyVault` service endpoint) allowed through the firewall.
   * @default - none
   */
  readonly allowedSubnetIds?: readonly string[];
  /**
   * Log Analytics workspace id; when given, all audit logs and metrics are sent there.
   * @default - no diagnostic setting
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Grant the identity running Terraform "Key Vault Secrets Officer" so it can write secrets. Turn off only when the
   * deployer already holds that role through other means.
   * @default true
   */
  readonly deployerSecretsOfficerEnabled?: boolean;
  /**
   * Seconds every secret write waits after the deployer's role assignment, for RBAC propagation, 0 to 1800. Waited
   * once, when the assignment is first created. Azure documents up to 10 minutes.
   * @default 600
   */
  readonly rbacPropagationDelaySeconds?: number;
  /**
   * Tags on the vault.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface SecretGrantOptions {
  /**
   * Construct id of the role assignment. Pass one to keep the assignment stable when earlier grants are removed.
   * @default - "SecretsUser1", "SecretsUser2", ... (read) or "SecretsOfficer1", ... (write), in call order
   */
  readonly id?: string;
  /**
   * Principal type, which lets Azure skip a directory look-up (useful right after the principal was created).
   * @default - looked up by Azure
   */
  readonly principalType?: 'ServicePrincipal' | 'User' | 'Group';
}

/**
 * A Key Vault for gatehouse's secrets, secure by default: RBAC authorization, purge protection, 90-day soft delete,
 * public network access off unless IPs or subnets are allowed (then the firewall defaults to Deny), an optional
 * private endpoint, a declared network path for the deployer, optional diagnostics. Secrets are generated in the graph or stored from other resources, and always expire.
 */
export class AuthKeyVault extends Construct implements SecretVault {
  /** The `azurerm_key_vault`. */
  readonly keyVault: KeyVault;
  readonly keyVaultId: string;
  readonly keyVaultName: string;
  /** `https://<name>.vault.azure.net/`. */
  readonly keyVaultUri: string;
  readonly keyVaultTenantId: string;
  /** The private endpoint, when `privateEndpoint` was given. */
  readonly keyVaultPrivateEndpoint?: PrivateEndpoint;
  /** The deployer's "Key Vault Secrets Officer" assignment, when `deployerSecretsOfficerEnabled`. */
  readonly deployerRoleAssignment?: RoleAssignment;
  readonly secretWriteDependencies: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: AuthKeyVaultProps) {
    super(scope, id);
    checkPattern(
      this,
      'name',
      props.name,
      KEY_VAULT_NAME_PATTERN,
      '3-24 letters, digits or single hyphens, starting with a letter and not ending with a hyphen',
    );
    const softDeleteRetentionDays = props.softDeleteRetentionDays ?? 90;
    checkIntegerRange(this, 'softDeleteRetentionDays', softDeleteRetentionDays, 7, 90);
    const rbacPropagationDelaySeconds = props.rbacPropagationDelaySeconds ?? RBAC_PROPAGATION_DEFAULT_SECONDS;
    const deployerIpRanges = this.checkDeployerAccess(props);
    const allowedIpRanges = [...deployerIpRanges, ...(props.allowedIpRanges ?? [])];
    const allowedSubnetIds = [...(props.allowedSubnetIds ?? [])];
    allowedIpRanges.forEach((range, index) => {
      const prop =
        index < deployerIpRanges.length
          ? `deployerAccess.ipRanges[${index}]`
          : `allowedIpRanges[${index - deployerIpRanges.length}]`;
      checkPattern(this, prop, range, /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/, 'an IPv4 address or CIDR range');
    });
    checkNoDuplicates(this, 'allowedIpRanges', allowedIpRanges);
    checkNoDuplicates(this, 'allowedSubnetIds', allowedSubnetIds);

    const needsClientConfig = props.tenantId === undefined || (props.deployerSecretsOfficerEnabled ?? true);
    const clientConfig = needsClientConfig ? new DataAzurermClientConfig(this, 'ClientConfig', {}) : undefined;
    const publicAccessEnabled = allowedIpRanges.length > 0 || allowedSubnetIds.length > 0;

    this.keyVault = new KeyVault(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.tenantId ?? (clientConfig as DataAzurermClientConfig).tenantId,
      skuName: props.skuName ?? 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays,
      publicNetworkAccessEnabled: publicAccessEnabled,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'AzureServices',
        ipRules: allowedIpRanges,
        virtualNetworkSubnetIds: allowedSubnetIds,
      },
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.keyVaultId = this.keyVault.id;
    this.keyVaultName = props.name;
    this.keyVaultUri = this.keyVault.vaultUri;
    this.keyVaultTenantId = this.keyVault.tenantId;

    if (props.logAnalyticsWorkspaceId !== undefined) {
      if (props.logAnalyticsWorkspaceId === '') {
        throw new ValidationError(this, 'logAnalyticsWorkspaceId', 'a Log Analytics workspace resource id', '');
      }
      new MonitorDiagnosticSetting(this, 'Diagnostics', {
        name: 'gatehouse-diagnostics',
        targetResourceId: this.keyVault.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
        enabledLog: [{ categoryGroup: 'audit' }, { categoryGroup: 'allLogs' }],
        enabledMetric: [{ category: 'AllMetrics' }],
      });
    }

    const endpointDependencies: ITerraformDependable[] = [];
    if (props.privateEndpoint) {
      this.keyVaultPrivateEndpoint = new PrivateEndpoint(this, 'PrivateEndpoint', {
        name: `${props.name}-pe`,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        subnetId: props.privateEndpoint.subnetId,
        privateServiceConnection: {
          name: `${props.name}-vault`,
          privateConnectionResourceId: this.keyVault.id,
          subresourceNames: ['vault'],
          isManualConnection: false,
        },
        privateDnsZoneGroup: { name: 'vault', privateDnsZoneIds: [props.privateEndpoint.privateDnsZoneId] },
        dependsOn: props.privateEndpoint.dependsOn ? [...props.privateEndpoint.dependsOn] : undefined,
        tags: props.tags ? { ...props.tags } : undefined,
      });
      if (props.deployerAccess.kind === 'privateNetwork') endpointDependencies.push(this.keyVaultPrivateEndpoint);
    }

    if (clientConfig && (props.deployerSecretsOfficerEnabled ?? true)) {
      this.deployerRoleAssignment = new RoleAssignment(this, 'DeployerSecretsOfficer', {
        scope: this.keyVault.id,
        roleDefinitionName: 'Key Vault Secrets Officer',
        principalId: clientConfig.objectId,
        description: 'Lets Terraform write the secrets this vault holds',
      });
      // Secret writes are data-plane calls the provider does not retry on 403: they wait for the grant to reach
      // Key Vault's data plane.
      const propagation = propagationWait(
        this,
        'RbacPropagation',
        'rbacPropagationDelaySeconds',
        rbacPropagationDelaySeconds,
        [this.deployerRoleAssignment],
      );
      this.secretWriteDependencies = [propagation, ...endpointDependencies];
    } else {
      this.secretWriteDependencies = [this.keyVault, ...endpointDependencies];
    }
  }

  /**
   * Adds a secret whose value is generated by `random_password` (never seen by the program), with an expiry that is
   * renewed on rotation. `name` is the secret's name in the vault and the child construct's id.
   */
  addGeneratedSecret(name: string, options: GeneratedSecretOptions = {}): AuthKeyVaultSecret {
    this.assertFreeSecretName(name);
    return new AuthKeyVaultSecret(this, name, this, options);
  }

  /**
   * Stores a value produced by another resource (e.g. `azuread_application_password.value`) with the given expiry.
   * Literal strings are rejected: secrets never pass through the program as plain text.
   */
  storeSecret(name: string, options: StoredSecretOptions): AuthKeyVaultSecret {
    this.assertFreeSecretName(name);
    return new AuthKeyVaultSecret(this, name, this, options);
  }

  /** Grants "Key Vault Secrets User" (read secret values) on this vault. Returns the role assignment. */
  grantSecretRead(principalId: string, options: SecretGrantOptions = {}): RoleAssignment {
    return this.grant('SecretsUser', 'Key Vault Secrets User', principalId, options);
  }

  /** Grants "Key Vault Secrets Officer" (create, update, delete secrets) on this vault. Returns the role assignment. */
  grantSecretWrite(principalId: string, options: SecretGrantOptions = {}): RoleAssignment {
    return this.grant('SecretsOfficer', 'Key Vault Secrets Officer', principalId, options);
  }

  private grant(prefix: string, role: string, principalId: string, options: SecretGrantOptions): RoleAssignment {
    if (typeof principalId !== 'string' || principalId === '') {
      throw new ValidationError(this, 'principalId', 'a principal object id', principalId);
    }
    const id = options.id ?? nextChildId(this, prefix);
    if (this.node.tryFindChild(id)) throw new ValidationError(this, 'id', 'an id not used by another grant', id);
    return new RoleAssignment(this, id, {
      scope: this.keyVault.id,
      roleDefinitionName: role,
      principalId,
      principalType: options.principalType,
    });
  }

  /** Throws unless the deployer has a path through the firewall; returns the deployer's IP ranges. */
  private checkDeployerAccess(props: AuthKeyVaultProps): readonly string[] {
    const access = props.deployerAccess as KeyVaultDeployerAccess | undefined;
    const allowed =
      '{ kind: "ipRanges", ipRanges: [<deploy runner egress>] } or { kind: "privateNetwork" } with privateEndpoint ' +
      '(the firewall refuses every other caller, so secret writes would fail with 403 ForbiddenByFirewall)';
    if (access?.kind === 'ipRanges') {
      if (!Array.isArray(access.ipRanges) || access.ipRanges.length === 0) {
        throw new ValidationError(
          this,
          'deployerAccess.ipRanges',
          'at least one IPv4 address or CIDR range',
          access.ipRanges,
        );
      }
      return [...access.ipRanges];
    }
    if (access?.kind === 'privateNetwork') {
      if (!props.privateEndpoint) {
        throw new ValidationError(this, 'privateEndpoint', 'given when deployerAccess is "privateNetwork"', undefined);
      }
      return [];
    }
    throw new ValidationError(this, 'deployerAccess', allowed, access);
  }

  private assertFreeSecretName(name: string): void {
    if (this.node.tryFindChild(name)) {
      throw new ValidationError(this, 'name', 'a secret name not already used in this vault', name);
    }
  }
}
