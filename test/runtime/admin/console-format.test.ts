import { describe, expect, it } from 'vitest';
import {
  auditCsv,
  bareId,
  displayAddress,
  matchesAuditFilter,
  rateLimit,
  utcInputToIso,
} from '../../../runtime/src/admin/console/format.js';
import type { AuditEvent } from '../../../runtime/src/admin/console/types.js';

const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: 'aud_1',
  at: '2026-03-01T10:00:00.000Z',
  kind: 'api_key.created',
  outcome: 'success',
  actor_kind: 'session',
  actor_subject: 'usr_ada',
  credential_id: 'kid123',
  org_id: 'default',
  target: 'key_abc',
  reason: null,
  ip: '::ffff:127.0.0.1',
  user_agent: '=cmd()',
  details: { scopes: ['search:read'] },
  ...overrides,
});

const names: Record<string, string> = { usr_ada: 'ada@example.test', key_abc: 'deploy bot', kid123: 'deploy bot' };
const nameOf = (id: string | null | undefined) => (id ? names[bareId(id)] : undefined);

describe('console formatting', () => {
  it('shows one host one way: IPv4-mapped addresses as IPv4, both loopbacks as localhost', () => {
    expect(displayAddress('::ffff:127.0.0.1')).toBe('localhost');
    expect(displayAddress('::1')).toBe('localhost');
    expect(displayAddress('127.0.0.1')).toBe('localhost');
    expect(displayAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(displayAddress('2001:db8::7')).toBe('2001:db8::7');
    expect(displayAddress(null)).toBeNull();
  });

  it("names an API key's request budget", () => {
    expect(rateLimit(120)).toBe('120/min');
    expect(rateLimit(0)).toBe('unlimited');
    expect(rateLimit(null)).toBe('default');
  });

  it('reads a datetime-local value as UTC', () => {
    expect(utcInputToIso('2026-03-01T10:00')).toBe('2026-03-01T10:00:00.000Z');
    expect(utcInputToIso('2026-03-01T10:00:05')).toBe('2026-03-01T10:00:05.000Z');
    expect(utcInputToIso('')).toBeUndefined();
    expect(utcInputToIso('yesterday')).toBeUndefined();
  });

  it('filters by actor and target id or name, case-insensitively, and by the end of the time range', () => {
    expect(matchesAuditFilter(event(), { actor: 'ADA@' }, nameOf)).toBe(true);
    expect(matchesAuditFilter(event(), { actor: 'usr_ada' }, nameOf)).toBe(true);
    expect(matchesAuditFilter(event(), { actor: 'bob' }, nameOf)).toBe(false);
    expect(matchesAuditFilter(event(), { target: 'Deploy' }, nameOf)).toBe(true);
    expect(matchesAuditFilter(event(), { target: 'kid123' }, nameOf)).toBe(true);
    expect(matchesAuditFilter(event(), { target: 'key_other' }, nameOf)).toBe(false);
    expect(matchesAuditFilter(event(), { until: '2026-03-01T10:00:00.000Z' }, nameOf)).toBe(true);
    expect(matchesAuditFilter(event(), { until: '2026-03-01T09:59:59.999Z' }, nameOf)).toBe(false);
  });

  it("writes the runtime's CSV columns with the names beside the ids, neutralising formula-looking cells", () => {
    const csv = auditCsv([event()], nameOf);
    const [header, row, end] = csv.split('\r\n');
    expect(header).toBe(
      'id,at,kind,outcome,actor_kind,actor_subject,actor_name,credential_id,org_id,target,target_name,reason,ip,user_agent,details',
    );
    expect(row).toBe(
      `aud_1,2026-03-01T10:00:00.000Z,api_key.created,success,session,usr_ada,ada@example.test,kid123,default,key_abc,deploy bot,,::ffff:127.0.0.1,"'=cmd()","{""scopes"":[""search:read""]}"`,
    );
    expect(end).toBe('');
  });
});
