import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone/index.js';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link/index.js';
import { Subnet, type SubnetDelegation } from '@cdktf/provider-azurerm/lib/subnet/index.js';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network/index.js';
import { VirtualNetworkPeering } from '@cdktf/provider-azurerm/lib/virtual-network-peering/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { checkPattern, ValidationError } from '../core/index.js';

/** The private DNS zone Key Vault private endpoints register in (Azure's name for the `vault` sub-resource). */
export const KEY_VAULT_PRIVATE_DNS_ZONE = 'privatelink.vaultcore.azure.net';

/** Suffix of the private DNS zone a VNet-integrated PostgreSQL flexible server registers in. */
export const POSTGRES_PRIVATE_DNS_ZONE_SUFFIX = 'private.postgres.database.azure.com';

/** The network the runtime's Container Apps environment and the private endpoints live in. */
export type RuntimeNetworkOptions =
  | {
      /**
       * Address space of the virtual network created for the runtime (IPv4 CIDR).
       * @default "10.40.0.0/16"
       */
      readonly addressSpace?: string;
      /**
       * The runtime subnet inside it, delegated to `Microsoft.App/environments`: /27 or larger (a workload-profiles
       * environment's minimum; every replica and the environment's own infrastructure take addresses from it).
       * @default "10.40.0.0/23"
       */
      readonly runtimeSubnetPrefix?: string;
      /**
       * The subnet private endpoints (the Key Vault's) are placed in, /28 or larger.
       * @default "10.40.2.0/24"
       */
      readonly privateEndpointSubnetPrefix?: string;
      /**
       * The subnet delegated to `Microsoft.DBforPostgreSQL/flexibleServers` the database server is injected into,
       * /28 or larger.
       * @default "10.40.3.0/24"
       */
      readonly databaseSubnetPrefix?: string;
    }
  | {
      /** An existing virtual network: the private DNS zones are linked to it. */
      readonly virtualNetworkId: string;
      /** An existing subnet of it (/27 or larger, delegated to `Microsoft.App/environments`) for the Container Apps environment. */
      readonly runtimeSubnetId: string;
      /** An existing subnet of it for private endpoints. */
      readonly privateEndpointSubnetId: string;
      /** An existing subnet of it, delegated to `Microsoft.DBforPostgreSQL/flexibleServers`, for the database. */
      readonly databaseSubnetId: string;
    };

export interface RuntimeNetworkProps {
  readonly options: RuntimeNetworkOptions;
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * The virtual network the deploy machine runs in, when it reaches the vault privately: peered with the runtime's
   * network both ways and linked to the private DNS zones. Same subscription as the environment.
   * @default - none
   */
  readonly deployerVirtualNetworkId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const VIRTUAL_NETWORK_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)$/i;

/**
 * A virtual network with the runtime's subnet (delegated to `Microsoft.App/environments`), a subnet for private
 * endpoints and one delegated to PostgreSQL flexible servers (its private zone `<name>.private.postgres.database.azure.com`
 * linked to the network), the `privatelink.vaultcore.azure.net`
 * zone linked to it (Container Apps resolves Key Vault references from the environment's network, so the runtime
 * reaches the vault through its private endpoint), and optionally the deploy machine's network peered and linked.
 * Or an existing network, passed through (the zone is still created and linked).
 */
export class RuntimeNetwork extends Construct {
  /** The virtual network (created, or the one passed in). */
  readonly virtualNetworkId: string;
  /** The subnet the Container Apps environment is injected into. */
  readonly runtimeSubnetId: string;
  /** The subnet private endpoints are placed in. */
  readonly privateEndpointSubnetId: string;
  /** The `privatelink.vaultcore.azure.net` zone. */
  readonly keyVaultDnsZoneId: string;
  /** The subnet delegated to PostgreSQL flexible servers. */
  readonly databaseSubnetId: string;
  /** The `<name>.private.postgres.database.azure.com` zone the database server registers in. */
  readonly databaseDnsZoneId: string;
  /** The database zone's link to the network: the server must be created after it. */
  readonly databaseDnsDependencies: readonly ITerraformDependable[];
  /** Zone links and peerings: a private endpoint is a working path only once these exist. */
  readonly privatePathDependencies: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: RuntimeNetworkProps) {
    super(scope, id);
    const { options } = props;
    const tags = props.tags ? { ...props.tags } : undefined;
    const common = { resourceGroupName: props.resourceGroupName };
    let local: { readonly name: string; readonly resourceGroupName: string } | undefined;
    if ('runtimeSubnetId' in options) {
      for (const prop of [
        'virtualNetworkId',
        'runtimeSubnetId',
        'privateEndpointSubnetId',
        'databaseSubnetId',
      ] as const) {
        checkPattern(this, `network.${prop}`, options[prop], /^\/subscriptions\/\S+$/, 'an Azure resource id');
      }
      this.virtualNetworkId = options.virtualNetworkId;
      this.runtimeSubnetId = options.runtimeSubnetId;
      this.privateEndpointSubnetId = options.privateEndpointSubnetId;
      this.databaseSubnetId = options.databaseSubnetId;
      const match = VIRTUAL_NETWORK_ID.exec(options.virtualNetworkId);
      local = match ? { resourceGroupName: match[1] as string, name: match[2] as string } : undefined;
    } else {
      const addressSpace = options.addressSpace ?? '10.40.0.0/16';
      const space = parseCidr(this, 'network.addressSpace', addressSpace, 8, 29);
      const subnets = [
        { prop: 'network.runtimeSubnetPrefix', value: options.runtimeSubnetPrefix ?? '10.40.0.0/23', maxBits: 27 },
        {
          prop: 'network.privateEndpointSubnetPrefix',
          value: options.privateEndpointSubnetPrefix ?? '10.40.2.0/24',
          maxBits: 28,
        },
        { prop: 'network.databaseSubnetPrefix', value: options.databaseSubnetPrefix ?? '10.40.3.0/24', maxBits: 28 },
      ];
      const parsed = subnets.map((subnet) => {
        const range = parseCidr(this, subnet.prop, subnet.value, space.bits, subnet.maxBits);
        if (!contains(space, range)) {
          throw new ValidationError(this, subnet.prop, `a range inside ${addressSpace}`, subnet.value);
        }
        return range;
      });
      parsed.forEach((range, index) => {
        const earlier = parsed.findIndex((other, otherIndex) => otherIndex < index && overlaps(other, range));
        if (earlier !== -1) {
          const allowed = `a range that does not overlap ${subnets[earlier].prop} (${subnets[earlier].value})`;
          throw new ValidationError(this, subnets[index].prop, allowed, subnets[index].value);
        }
      });
      const network = new VirtualNetwork(this, 'Resource', {
        ...common,
        name: `${props.name}-vnet`,
        location: props.location,
        addressSpace: [addressSpace],
        tags,
      });
      this.virtualNetworkId = network.id;
      local = { name: network.name, resourceGroupName: props.resourceGroupName };
      this.runtimeSubnetId = new Subnet(this, 'RuntimeSubnet', {
        ...common,
        name: 'runtime',
        virtualNetworkName: network.name,
        addressPrefixes: [subnets[0].value],
        delegation: [delegatedTo('container-apps', 'Microsoft.App/environments')],
      }).id;
      this.privateEndpointSubnetId = new Subnet(this, 'PrivateEndpointSubnet', {
        ...common,
        name: 'private-endpoints',
        virtualNetworkName: network.name,
        addressPrefixes: [subnets[1].value],
      }).id;
      this.databaseSubnetId = new Subnet(this, 'DatabaseSubnet', {
        ...common,
        name: 'database',
        virtualNetworkName: network.name,
        addressPrefixes: [subnets[2].value],
        delegation: [delegatedTo('postgresql', 'Microsoft.DBforPostgreSQL/flexibleServers')],
      }).id;
    }

    const databaseZone = new PrivateDnsZone(this, 'DatabaseDnsZone', {
      ...common,
      name: `${props.name}.${POSTGRES_PRIVATE_DNS_ZONE_SUFFIX}`,
      tags,
    });
    this.databaseDnsZoneId = databaseZone.id;
    const link = (id: string, zone: PrivateDnsZone, name: string, virtualNetworkId: string) =>
      new PrivateDnsZoneVirtualNetworkLink(this, id, {
        ...common,
        name,
        privateDnsZoneName: zone.name,
        virtualNetworkId,
        registrationEnabled: false,
        tags,
      });
    this.databaseDnsDependencies = [link('DatabaseDnsLink', databaseZone, `${props.name}-vnet`, this.virtualNetworkId)];

    const zone = new PrivateDnsZone(this, 'KeyVaultDnsZone', { ...common, name: KEY_VAULT_PRIVATE_DNS_ZONE, tags });
    this.keyVaultDnsZoneId = zone.id;
    const dependencies: ITerraformDependable[] = [
      link('KeyVaultDnsLink', zone, `${props.name}-vnet`, this.virtualNetworkId),
    ];
    if (props.deployerVirtualNetworkId !== undefined) {
      const allowed =
        'a virtual network resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<name>)';
      const match = VIRTUAL_NETWORK_ID.exec(props.deployerVirtualNetworkId);
      if (!match) throw new ValidationError(this, 'deployerVirtualNetworkId', allowed, props.deployerVirtualNetworkId);
      if (!local) throw new ValidationError(this, 'network.virtualNetworkId', allowed, this.virtualNetworkId);
      const [, deployerResourceGroup, deployerNetworkName] = match;
      dependencies.push(
        link('KeyVaultDeployerDnsLink', zone, `${props.name}-deployer`, props.deployerVirtualNetworkId),
        new VirtualNetworkPeering(this, 'DeployerPeering', {
          name: `${props.name}-to-deployer`,
          resourceGroupName: local.resourceGroupName,
          virtualNetworkName: local.name,
          remoteVirtualNetworkId: props.deployerVirtualNetworkId,
          allowVirtualNetworkAccess: true,
        }),
        new VirtualNetworkPeering(this, 'DeployerReturnPeering', {
          name: `deployer-to-${props.name}`,
          resourceGroupName: deployerResourceGroup as string,
          virtualNetworkName: deployerNetworkName as string,
          remoteVirtualNetworkId: this.virtualNetworkId,
          allowVirtualNetworkAccess: true,
        }),
      );
    }
    this.privatePathDependencies = dependencies;
  }
}

/** A subnet delegation to `service`, with the subnet join action the service uses to place its interfaces. */
function delegatedTo(name: string, service: string): SubnetDelegation {
  return {
    name,
    serviceDelegation: { name: service, actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] },
  };
}

interface ParsedCidr {
  readonly base: number;
  readonly bits: number;
}

function parseCidr(scope: Construct, prop: string, value: string, minBits: number, maxBits: number): ParsedCidr {
  const allowed = `an IPv4 CIDR range from /${minBits} to /${maxBits} with no host bits set`;
  const match = CIDR.exec(value);
  if (!match) throw new ValidationError(scope, prop, allowed, value);
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((octet) => octet > 255) || bits < minBits || bits > maxBits) {
    throw new ValidationError(scope, prop, allowed, value);
  }
  const base = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  if (base % 2 ** (32 - bits) !== 0) throw new ValidationError(scope, prop, allowed, value);
  return { base, bits };
}

function contains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  return (
    inner.bits >= outer.bits && Math.floor(inner.base / 2 ** (32 - outer.bits)) === outer.base / 2 ** (32 - outer.bits)
  );
}

function overlaps(a: ParsedCidr, b: ParsedCidr): boolean {
  return contains(a, b) || contains(b, a);
}
