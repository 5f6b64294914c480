import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { invalidRequest } from '../errors.js';
import { BODY_LIMIT_BYTES } from './raw-body.js';

/** Whether the request carries a body at all (RFC 9112 6.3: chunked, or a non-zero Content-Length). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The JSON body parser routes mount. A body sent without `Content-Type: application/json` (none, or another type)
 * is refused with 400 naming Content-Type, rather than read as no body at all and refused field by field.
 */
export function jsonBody(limitBytes = BODY_LIMIT_BYTES): RequestHandler {
  const parse = express.json({ limit: limitBytes });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      if (req.body === undefined && hasBody(req)) {
        next(
          invalidRequest(
            req.headers['content-type'] === undefined
              ? 'The request body has no Content-Type: send JSON with Content-Type: application/json'
              : 'The request body must be JSON sent with Content-Type: application/json',
            'content_type',
          ),
        );
        return;
      }
      next();
    });
  };
}
