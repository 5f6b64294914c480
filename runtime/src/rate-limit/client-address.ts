import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

/** Express's compiled `trust proxy` predicate (`app.get('trust proxy fn')`). */
export type TrustProxyFn = (address: string, hopIndex: number) => boolean;

/**
 * The caller's address with the same `trust proxy` rule Express applies to `req.ip`, so fast routes (which skip
 * Express) and Express routes agree: walk `X-Forwarded-For` from the nearest hop while the hop is trusted.
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxyFn | undefined): string {
  const expressIp = (req as { ip?: unknown }).ip;
  if (typeof expressIp === 'string' && expressIp !== '') return expressIp;
  let address = req.socket.remoteAddress ?? 'unknown';
  const forwarded = req.headers['x-forwarded-for'];
  if (!trust || typeof forwarded !== 'string') return address;
  const hops = forwarded.split(',');
  for (let i = hops.length - 1, hop = 0; i >= 0; i--, hop++) {
    if (!trust(address, hop)) return address;
    const next = hops[i]?.trim();
    if (!next) return address;
    address = next;
  }
  return address;
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
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
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
