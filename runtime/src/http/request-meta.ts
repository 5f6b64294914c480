import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { clientAddress, type TrustProxyFn } from '../rate-limit/client-address.js';

/**
 * Whose `X-Forwarded-For` is believed: loopback, link-local and private addresses (the ingress in front of the runtime,
 * a sidecar), never a public one. The app's Express `trust proxy` setting.
 */
export const TRUST_PROXY = 'loopback, linklocal, uniquelocal';

/** `TRUST_PROXY` compiled once, as Express compiles its `trust proxy` setting (a comma-separated list). */
export const trustProxy: TrustProxyFn = proxyaddr.compile(TRUST_PROXY.split(',').map((name) => name.trim()));

/** Longest user agent kept for audit rows, in characters; longer ones are cut. */
const USER_AGENT_MAX_LENGTH = 512;

/** Where a request came from, as rate limits and audit rows record it. */
export interface RequestMeta {
  /** The canonical client address (`canonicalAddress`), `X-Forwarded-For` believed only from `TRUST_PROXY` hops. */
  readonly ip: string;
  readonly userAgent: string | null;
}

const META = Symbol('requestMeta');

/** The caller's address and user agent, worked out once per request (a second call returns the same object). */
export function requestMeta(req: IncomingMessage): RequestMeta {
  const memo = req as IncomingMessage & { [META]?: RequestMeta };
  let meta = memo[META];
  if (meta === undefined) {
    const ua = req.headers['user-agent'];
    meta = {
      ip: clientAddress(req, trustProxy),
      userAgent: typeof ua === 'string' ? ua.slice(0, USER_AGENT_MAX_LENGTH) : null,
    };
    memo[META] = meta;
  }
  return meta;
}
