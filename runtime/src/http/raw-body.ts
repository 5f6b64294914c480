import type { IncomingMessage } from 'node:http';
import { invalidRequest } from '../errors.js';

/** Default limit for request bodies, in bytes (64 KiB): every body the contract defines is far smaller. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Reads a request body for a fast-path handler (no Express body parser). Throws `invalid_request` when larger than
 * `limitBytes`.
 */
export async function readRawBody(req: IncomingMessage, limitBytes = BODY_LIMIT_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    throw invalidRequest(`The request body is larger than the limit of ${limitBytes} bytes`, 'body_too_large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      throw invalidRequest(`The request body is larger than the limit of ${limitBytes} bytes`, 'body_too_large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
