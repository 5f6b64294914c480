import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

declare module 'node:http' {
  interface IncomingMessage {
    /** Set by the runtime for every request: the caller's `X-Request-Id` when well-formed, else a fresh UUID. */
    requestId?: string;
  }
}

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuses an upstream request id (gateway, load balancer) when it is safe to log, else makes one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && ACCEPTABLE.test(incoming) ? incoming : randomUUID();
}
