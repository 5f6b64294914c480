import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6, type Socket } from 'node:net';
import proxyaddr from 'proxy-addr';

/** A compiled `trust proxy` predicate: Express's (`app.get('trust proxy fn')`) or `proxyaddr.compile`'s. */
export type TrustProxyFn = (address: string, hopIndex: number) => boolean;

/**
 * The caller's address under a compiled `trust proxy` rule, the same for fast routes and Express routes: proxy-addr
 * (what Express's `req.ip` is) walks `X-Forwarded-For` from the nearest hop while the hop is trusted. Every address is
 * canonical (`canonicalAddress`), also when it is judged, so `203.0.113.7:1234`, `203.0.113.07` and
 * `::ffff:203.0.113.7` are one caller; a hop that does not parse as an IP address ends the walk at the last trusted
 * hop, where proxy-addr would answer the hop itself (`unknown`, a host name).
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxyFn | undefined): string {
  const socket = socketAddress(req.socket);
  if (!trust || req.headers['x-forwarded-for'] === undefined) return socket;
  return forwardedAddress(req, socket, trust);
}

/**
 * The walk, in a function of its own: V8 allocates the context its closure captures on entry to the enclosing function,
 * and inside `clientAddress` every request paid for it, with the header or without (1-2% of the warm forward-auth path).
 */
function forwardedAddress(req: IncomingMessage, socket: string, trust: TrustProxyFn): string {
  const chain = proxyaddr.all(req, (address, hop) => {
    const canonical = hop === 0 ? socket : canonicalHop(address);
    return canonical !== undefined && trust(canonical, hop);
  });
  // The first untrusted address or the farthest hop, unless it does not parse: then the trusted hop before it.
  for (let i = chain.length - 1; i > 0; i--) {
    const canonical = canonicalHop(chain[i] as string);
    if (canonical !== undefined) return canonical;
  }
  return socket;
}

/**
 * The canonical peer address of a connection, worked out once per connection: keep-alive connections carry many
 * requests, and canonicalising an IPv4-mapped address on each of them cost the forward-auth path a sixth of its
 * throughput.
 */
const SOCKET_ADDRESSES = new WeakMap<Socket, string>();

function socketAddress(socket: Socket): string {
  let address = SOCKET_ADDRESSES.get(socket);
  if (address === undefined) {
    const raw = socket.remoteAddress ?? 'unknown';
    address = canonicalAddress(raw) ?? raw;
    // An address read before the socket connected is 'unknown'; do not keep it.
    if (socket.remoteAddress !== undefined) SOCKET_ADDRESSES.set(socket, address);
  }
  return address;
}

/** Forwarded hops seen recently, canonicalised: behind a proxy the same few addresses arrive over and over. */
const HOP_CACHE = new Map<string, string | undefined>();
const HOP_CACHE_MAX = 1024;

function canonicalHop(hop: string): string | undefined {
  if (HOP_CACHE.has(hop)) return HOP_CACHE.get(hop);
  const canonical = canonicalAddress(hop);
  // Bounded: a caller can send any number of distinct spellings, so the cache starts over rather than grow.
  if (HOP_CACHE.size >= HOP_CACHE_MAX) HOP_CACHE.clear();
  HOP_CACHE.set(hop, canonical);
  return canonical;
}

/** Dotted-quad IPv4, leading zeros allowed (read as decimal), with an optional port. */
const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::\d{1,5})?$/;
/** A bracketed IPv6 address with an optional port: `[2001:db8::1]:443`. */
const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/;

/**
 * One spelling per address, or undefined when `value` is not an IP address (with an optional port): IPv4 as dotted
 * decimal (`203.0.113.07` and `203.0.113.7:1234` are `203.0.113.7`), IPv4-mapped IPv6 as its IPv4 address, IPv6 in
 * its RFC 5952 form (`[2001:DB8::0:1]:443` is `2001:db8::1`), zone ids dropped.
 */
export function canonicalAddress(value: string): string | undefined {
  const trimmed = value.trim();
  if (isIPv4(trimmed)) return trimmed;
  if (trimmed === '' || trimmed.length > 64) return undefined;
  const quad = DOTTED_QUAD.exec(trimmed);
  if (quad) {
    const octets = quad.slice(1, 5).map(Number);
    return octets.every((octet) => octet <= 255) ? octets.join('.') : undefined;
  }
  const v6 = (BRACKETED.exec(trimmed)?.[1] ?? trimmed).split('%', 1)[0] as string;
  const groups = ipv6Groups(v6);
  if (!groups) return undefined;
  if (isMapped(groups)) return mappedIPv4(groups);
  // The WHATWG URL serializer writes IPv6 in the RFC 5952 form (lower case, longest zero run compressed).
  return new URL(`http://[${v6}]/`).hostname.slice(1, -1);
}

const isMapped = (groups: number[]): boolean =>
  groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;

function mappedIPv4(groups: number[]): string {
  const [high = 0, low = 0] = groups.slice(6);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * What failed authentication attempts are counted (and blocked) per: an IPv6 address by its /64 prefix
 * (`2001:db8:1:2::/64`), since one subscriber usually holds a whole /64 and could otherwise try again from a fresh
 * address every time; an IPv4 address, or an IPv4-mapped IPv6 address (`::ffff:203.0.113.7`), by the full IPv4
 * address. Anything that does not parse as an IP address is returned unchanged.
 */
export function failureCountingKey(address: string): string {
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  if (isMapped(groups)) return mappedIPv4(groups);
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, embedded IPv4 tail expanded), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  const bare = address.split('%', 1)[0] ?? '';
  if (!isIPv6(bare)) return undefined;
  const halves = bare.split('::');
  const toGroups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((piece) => {
          if (!piece.includes('.')) return [Number.parseInt(piece, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const head = toGroups(halves[0] ?? '');
  const tail = halves.length > 1 ? toGroups(halves[1] ?? '') : [];
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return groups.length === 8 ? groups : undefined;
}
