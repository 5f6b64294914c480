import { expect } from 'vitest';
import type { TestApp } from '../../support/app.js';
import { type CallOptions, call } from '../auth/helpers.js';

export const REFUSED = {
  error: { code: 'unauthorized', message: 'Invalid, used or expired WebSocket ticket' },
};
export const TICKET_SHAPE = /^wst_[A-Za-z0-9_-]{43}$/;

/** `POST /auth/ws-ticket` with the given credential; fails the test unless it answers 200 with a ticket. */
export async function issueTicket(app: Pick<TestApp, 'baseUrl'>, options: CallOptions): Promise<string> {
  const res = await call(app, '/auth/ws-ticket', { method: 'POST', ...options });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { ticket: string; expires_in: number };
  expect(body.ticket).toMatch(TICKET_SHAPE);
  return body.ticket;
}

/** `GET /auth/verify?ws_ticket=...` as a gateway forwards the upgrade request's query. */
export const redeem = (app: Pick<TestApp, 'baseUrl'>, ticket: string, extra = '', options: CallOptions = {}) =>
  call(app, `/auth/verify?ws_ticket=${encodeURIComponent(ticket)}${extra}`, options);
