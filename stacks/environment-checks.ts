import { ValidationError } from '@gatehouse/constructs/core';
import type { IConstruct } from 'constructs';
import type { EnvironmentSettings } from './environments.js';

/** IPv4 ranges reserved for documentation (RFC 5737): TEST-NET-1, -2 and -3. */
const DOCUMENTATION_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'] as const;

/** Domains reserved for examples (RFC 2606, RFC 6761): `example.com/.net/.org` and the `.example`, `.test` TLDs. */
const EXAMPLE_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid)$/i;

/** A GUID of one repeated hex digit (`11111111-1111-...`): the samples' tenant and subscription placeholders. */
const REPEATED_GUID = /^([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}$/i;

function ipv4ToNumber(address: string): number | undefined {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
    return undefined;
  }
  return octets.reduce((sum, octet) => sum * 256 + octet, 0);
}

/** True for a GUID of one repeated hex digit, the samples' placeholder tenants and subscriptions. */
export function isPlaceholderGuid(value: string): boolean {
  return REPEATED_GUID.test(value);
}

/** True when the address or CIDR range lies inside (or covers part of) a documentation range. */
export function isDocumentationRange(range: string): boolean {
  const [address, bitsText] = range.split('/');
  const base = ipv4ToNumber(address ?? '');
  if (base === undefined) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  return DOCUMENTATION_RANGES.some((documentation) => {
    const [docAddress] = documentation.split('/');
    const docBase = ipv4ToNumber(docAddress as string) as number;
    const shared = Math.min(bits, 24);
    const size = 2 ** (32 - shared);
    return Math.floor(base / size) === Math.floor(docBase / size);
  });
}

/** True for an origin or URL whose host is an example domain. */
export function isExampleDomain(url: string): boolean {
  try {
    return EXAMPLE_DOMAIN.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Throws a `ValidationError` (on the environment's stack, naming the field) for the first placeholder value in
 * `settings`, unless the environment is marked `example`. A placeholder left in place would deploy something that
 * cannot work: a firewall admitting a documentation range, a tenant that does not exist.
 */
export function checkNoPlaceholders(scope: IConstruct, settings: EnvironmentSettings): void {
  if (settings.example === true) return;
  const hint = 'remove placeholders, or mark a sample environment with example: true';
  const guids: [string, string][] = [
    ['tenantId', settings.tenantId],
    ['subscriptionId', settings.subscriptionId],
    ['backend.subscriptionId', settings.backend.subscriptionId],
  ];
  for (const [field, value] of guids) {
    if (isPlaceholderGuid(value)) {
      throw new ValidationError(scope, field, `your own GUID, not a placeholder (${hint})`, value);
    }
  }
  const network = settings.keyVaultNetwork;
  const ranges: [string, readonly string[]][] = [
    [
      'keyVaultNetwork.deployerAccess.ipRanges',
      network.deployerAccess.kind === 'ipRanges' ? network.deployerAccess.ipRanges : [],
    ],
    ['keyVaultNetwork.allowedIpRanges', network.allowedIpRanges],
  ];
  for (const [field, values] of ranges) {
    values.forEach((range, index) => {
      if (isDocumentationRange(range)) {
        const allowed = `an address range you use, not a documentation range (${DOCUMENTATION_RANGES.join(', ')}; ${hint})`;
        throw new ValidationError(scope, `${field}[${index}]`, allowed, range);
      }
    });
  }
  const ids: [string, string | undefined][] = [
    [
      'keyVaultNetwork.deployerAccess.virtualNetworkId',
      network.deployerAccess.kind === 'privateNetwork' ? network.deployerAccess.virtualNetworkId : undefined,
    ],
    ...network.allowedSubnetIds.map((id, index): [string, string] => [
      `keyVaultNetwork.allowedSubnetIds[${index}]`,
      id,
    ]),
    [
      'runtime.image.registryId',
      settings.runtime.image.kind === 'registry' ? settings.runtime.image.registryId : undefined,
    ],
  ];
  for (const [field, id] of ids) {
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(id ?? '')?.[1];
    if (subscription !== undefined && isPlaceholderGuid(subscription)) {
      throw new ValidationError(
        scope,
        field,
        `a resource id in your own subscription, not a placeholder (${hint})`,
        id,
      );
    }
  }
  settings.redirectOrigins.forEach((origin, index) => {
    if (isExampleDomain(origin)) {
      throw new ValidationError(
        scope,
        `redirectOrigins[${index}]`,
        `an origin you own, not an example domain (${hint})`,
        origin,
      );
    }
  });
}

/**
 * Throws a `ValidationError` (on the environment's stack) unless the environment declares how the deploy machine
 * reaches its Key Vault: the vault's firewall denies by default, so without a path the first secret write fails with
 * 403 ForbiddenByFirewall at apply time.
 */
export function checkDeployerPath(scope: IConstruct, settings: EnvironmentSettings): void {
  const access = settings.keyVaultNetwork?.deployerAccess as
    | EnvironmentSettings['keyVaultNetwork']['deployerAccess']
    | undefined;
  const allowed =
    '{ kind: "ipRanges", ipRanges: [<deploy runner egress>] } or { kind: "privateNetwork" } (the Key Vault firewall ' +
    'refuses every other caller, so the first secret write would fail with 403 ForbiddenByFirewall)';
  if (access?.kind === 'privateNetwork') return;
  if (access?.kind === 'ipRanges') {
    if (Array.isArray(access.ipRanges) && access.ipRanges.length > 0) return;
    throw new ValidationError(
      scope,
      'keyVaultNetwork.deployerAccess.ipRanges',
      'at least one IPv4 address or CIDR range',
      access.ipRanges,
    );
  }
  throw new ValidationError(scope, 'keyVaultNetwork.deployerAccess', allowed, access);
}
