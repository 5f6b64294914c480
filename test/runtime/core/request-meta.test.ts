import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestMeta, TRUST_PROXY, trustProxy } from '../../../runtime/src/http/request-meta.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { bootstrapAdminKey, call, eventually } from '../auth/helpers.js';

const request = (remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage =>
  ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe('requestMeta', () => {
  it('believes X-Forwarded-For from a private proxy only, and gives the address in its canonical spelling', () => {
    expect(requestMeta(request('10.0.0.5', { 'x-forwarded-for': '[::FFFF:203.0.113.7]:443' })).ip).toBe('203.0.113.7');
    expect(requestMeta(request('::ffff:127.0.0.1', { 'x-forwarded-for': '2001:DB8::0:1' })).ip).toBe('2001:db8::1');
    expect(requestMeta(request('198.51.100.1', { 'x-forwarded-for': '203.0.113.7' })).ip).toBe('198.51.100.1');
    expect(requestMeta(request('127.0.0.1', { 'x-forwarded-for': 'unknown' })).ip).toBe('127.0.0.1');
  });

  it('keeps the first 512 characters of the user agent, and null without one', () => {
    expect(requestMeta(request('127.0.0.1', { 'user-agent': 'x'.repeat(600) })).userAgent).toBe('x'.repeat(512));
    expect(requestMeta(request('127.0.0.1')).userAgent).toBeNull();
  });

  it('works a request out once: a second call answers the same object', () => {
    const req = request('127.0.0.1', { 'x-forwarded-for': '203.0.113.7', 'user-agent': 'first' });
    const first = requestMeta(req);
    req.headers['x-forwarded-for'] = '203.0.113.8';
    expect(requestMeta(req)).toBe(first);
    expect(first).toEqual({ ip: '203.0.113.7', userAgent: 'first' });
  });
});

describe('requestMeta in the running app', () => {
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'sqlite' });
    admin = await bootstrapAdminKey(app);
  });
  afterAll(() => app?.close());

  it("judges every hop as the app's own trust proxy rule does", () => {
    expect(app.runtime.app.get('trust proxy')).toBe(TRUST_PROXY);
    const express = app.runtime.app.get('trust proxy fn') as (address: string, hop: number) => boolean;
    const hops = ['127.0.0.1', '::1', '10.1.2.3', '172.16.0.1', '192.168.0.9', 'fe80::1', 'fd00::1'];
    const callers = ['203.0.113.7', '8.8.8.8', '2001:db8::1', '100.64.0.1'];
    for (const address of [...hops, ...callers]) {
      for (const hop of [0, 1, 2])
        expect([address, hop, trustProxy(address, hop)]).toEqual([address, hop, express(address, hop)]);
    }
    // The rule believes private hops and no public address.
    expect(hops.every((address) => trustProxy(address, 0))).toBe(true);
    expect(callers.some((address) => trustProxy(address, 0))).toBe(false);
  });

  it("records the forwarded client's canonical address in audit rows written behind a private proxy", async () => {
    const recorded = async (forwardedFor: string): Promise<string | null> => {
      // One ticket audit row per caller per minute: each spelling gets a minute of its own.
      app.clock.advance(61);
      const before = await app.store.db
        .selectFrom('audit_events')
        .select('id')
        .where('kind', '=', 'ws_ticket.issued')
        .execute();
      const res = await call(app, '/auth/ws-ticket', { method: 'POST', apiKey: admin, ip: forwardedFor });
      expect(res.status).toBe(200);
      let row: { ip: string | null } | undefined;
      await eventually(async () => {
        row = await app.store.db
          .selectFrom('audit_events')
          .select('ip')
          .where('kind', '=', 'ws_ticket.issued')
          .where('id', 'not in', before.length > 0 ? before.map((r) => r.id) : [''])
          .executeTakeFirst();
        return row !== undefined;
      });
      return row?.ip ?? null;
    };
    // The test client is the loopback proxy; X-Forwarded-For names the caller as proxies spell it.
    expect(await recorded('203.0.113.7:1234')).toBe('203.0.113.7');
    expect(await recorded('::ffff:203.0.113.7')).toBe('203.0.113.7');
    // A hop that is no address ends the walk at the proxy that wrote it.
    expect(await recorded('unknown')).toBe('127.0.0.1');
  });
});
