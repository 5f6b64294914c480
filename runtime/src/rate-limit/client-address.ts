import type { IncomingMessage } from 'node:http';

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
