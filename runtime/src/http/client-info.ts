import type { IncomingMessage } from 'node:http';

/** Caller address and user agent for audit rows. Behind Express, `req.ip` honours the `trust proxy` setting. */
export function clientInfo(req: IncomingMessage): { ip: string | null; userAgent: string | null } {
  const ip = (req as { ip?: string }).ip ?? req.socket.remoteAddress ?? null;
  const ua = req.headers['user-agent'];
  return { ip, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
}
