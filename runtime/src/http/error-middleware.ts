import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { notFound } from '../errors.js';
import { renderError } from './render-error.js';

/** Registered after every route: unknown paths answer `not_found`. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound('No such endpoint'));

/** The one error middleware, registered last: renders `AppError`/`OAuthError`; anything else becomes `internal`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => renderError(req, res, error, logger);
}
