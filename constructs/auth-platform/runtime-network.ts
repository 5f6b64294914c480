import { Subnet } from '@cdktf/provider-azurerm/lib/subnet/index.js';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network/index.js';
import { Construct } from 'constructs';
import { checkPattern, ValidationError } from '../core/index.js';

/** The network the runtime's Container Apps environment is injected into. */
export type RuntimeNetworkOptions =
  | {
      /**
       * Address space of the virtual network created for the runtime (IPv4 CIDR).
       * @default "10.40.0.0/16"
       */
      readonly addressSpace?: string;
      /**
       * The runtime subnet inside it: /23 or larger (a Consumption Container Apps environment needs a /23).
       * @default "10.40.0.0/23"
       */
      readonly runtimeSubnetPrefix?: string;
    }
  | {
      /** An existing subnet (/23 or larger) with the `Microsoft.KeyVault` service endpoint. */
      readonly runtimeSubnetId: string;
    };

export interface RuntimeNetworkProps {
  readonly options: RuntimeNetworkOptions;
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags?: Readonly<Record<string, string>>;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * A virtual network and the runtime's subnet, with the `Microsoft.KeyVault` service endpoint so the vault's firewall
 * can admit the runtime (Container Apps resolves Key Vault references from the environment's network, and a vault
 * with public access off or default Deny refuses everyone else). Or an existing subnet, passed through.
 */
export class RuntimeNetwork extends Construct {
  /** The subnet the Container Apps environment is injected into. */
  readonly runtimeSubnetId: string;

  constructor(scope: Construct, id: string, props: RuntimeNetworkProps) {
    super(scope, id);
    const { options } = props;
    if ('runtimeSubnetId' in options) {
      checkPattern(
        this,
        'network.runtimeSubnetId',
        options.runtimeSubnetId,
        /^\/subscriptions\/\S+$/,
        'a subnet resource id',
      );
      this.runtimeSubnetId = options.runtimeSubnetId;
      return;
    }
    const addressSpace = options.addressSpace ?? '10.40.0.0/16';
    const subnetPrefix = options.runtimeSubnetPrefix ?? '10.40.0.0/23';
    const space = parseCidr(this, 'network.addressSpace', addressSpace, 8, 29);
    const subnet = parseCidr(this, 'network.runtimeSubnetPrefix', subnetPrefix, space.bits, 23);
    if (!contains(space, subnet)) {
      throw new ValidationError(this, 'network.runtimeSubnetPrefix', `a range inside ${addressSpace}`, subnetPrefix);
    }
    const network = new VirtualNetwork(this, 'Resource', {
      name: `${props.name}-vnet`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      addressSpace: [addressSpace],
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.runtimeSubnetId = new Subnet(this, 'RuntimeSubnet', {
      name: 'runtime',
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: network.name,
      addressPrefixes: [subnetPrefix],
      serviceEndpoints: ['Microsoft.KeyVault'],
    }).id;
  }
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
