import express from 'express';
import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  clientAddress,
  failureCountingKey,
  type TrustProxyFn,
} from '../../../runtime/src/rate-limit/client-address.js';

/** The predicate Express compiles from the runtime's own `trust proxy` setting. */
const app = express();
app.set('trust proxy', 'loopback, linklocal, uniquelocal');
const trust = app.get('trust proxy fn') as TrustProxyFn;

type FakeRequest = Parameters<typeof clientAddress>[0];
const request = (remoteAddress: string, forwardedFor?: string): FakeRequest =>
  ({
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as FakeRequest;

describe('clientAddress (the fast-route twin of req.ip)', () => {
  it('takes X-Forwarded-For from a trusted (private) hop', () => {
    expect(clientAddress(request('127.0.0.1', '203.0.113.7'), trust)).toBe('203.0.113.7');
    expect(clientAddress(request('10.0.0.5', '203.0.113.7, 10.0.0.9'), trust)).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For from a public address, and stops at the first untrusted hop', () => {
    expect(clientAddress(request('198.51.100.1', '203.0.113.7'), trust)).toBe('198.51.100.1');
    expect(clientAddress(request('127.0.0.1', '203.0.113.7, 198.51.100.2'), trust)).toBe('198.51.100.2');
  });

  it('uses the socket address without a header or without a trust rule', () => {
    expect(clientAddress(request('127.0.0.1'), trust)).toBe('127.0.0.1');
    expect(clientAddress(request('::ffff:127.0.0.1'), trust)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', '203.0.113.7'), undefined)).toBe('127.0.0.1');
  });

  it('gives one address however a hop spells it: ports stripped, IPv4, IPv4-mapped and IPv6 canonical', () => {
    for (const spelling of [
      '203.0.113.7',
      '203.0.113.7:1234',
      ' 203.0.113.07 ',
      '203.000.113.007:80',
      '::ffff:203.0.113.7',
      '[::FFFF:203.0.113.7]:443',
      '::ffff:cb00:7107',
    ]) {
      expect({ spelling, ip: clientAddress(request('127.0.0.1', spelling), trust) }).toEqual({
        spelling,
        ip: '203.0.113.7',
      });
    }
    for (const spelling of ['2001:DB8:0:0::1', '[2001:db8::0:1]:8443', '2001:0db8:0000:0000:0000:0000:0000:0001']) {
      expect(clientAddress(request('127.0.0.1', spelling), trust)).toBe('2001:db8::1');
    }
  });

  it('falls back to the last trusted hop when a hop does not parse', () => {
    expect(clientAddress(request('127.0.0.1', 'not-an-ip'), trust)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', '203.0.113.7, garbage'), trust)).toBe('127.0.0.1');
    expect(clientAddress(request('10.0.0.5', '203.0.113.7, 10.0.0.9:3000, unknown'), trust)).toBe('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', '203.0.113.7:123456'), trust)).toBe('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', 'example.com'), trust)).toBe('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', '1.2.3.4@example.com'), trust)).toBe('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', '10.0.0.9:3000, 203.0.113.7'), trust)).toBe('203.0.113.7');
  });

  it('judges each hop in its canonical spelling: a private proxy written with a port is still trusted', () => {
    expect(clientAddress(request('10.0.0.5', '203.0.113.7, 10.0.0.9:3000'), trust)).toBe('203.0.113.7');
    expect(clientAddress(request('10.0.0.5', '203.0.113.7, [::ffff:10.0.0.9]:443'), trust)).toBe('203.0.113.7');
  });
});

describe('canonicalAddress', () => {
  it('refuses what is not an IP address', () => {
    for (const value of ['', 'unknown', 'dead.beef', '1.2.3.4/24', '[::1', '::1]', '2001:db8::1::2', 'a'.repeat(70)]) {
      expect({ value, canonical: canonicalAddress(value) }).toEqual({ value, canonical: undefined });
    }
    expect(canonicalAddress('fe80::1%eth0')).toBe('fe80::1');
  });
});

describe('failureCountingKey (what failed attempts are counted per)', () => {
  it('counts an IPv6 address by its /64, however it is written', () => {
    expect(failureCountingKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(failureCountingKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(failureCountingKey('2001:0DB8:0001:0002::7')).toBe('2001:db8:1:2::/64');
    expect(failureCountingKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(failureCountingKey('::1')).toBe('0:0:0:0::/64');
    expect(failureCountingKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(failureCountingKey('2001:db8:1:3::1')).not.toBe(failureCountingKey('2001:db8:1:2::1'));
  });

  it('counts IPv4 and IPv4-mapped IPv6 by the full IPv4 address', () => {
    expect(failureCountingKey('203.0.113.7')).toBe('203.0.113.7');
    expect(failureCountingKey('203.0.113.8')).toBe('203.0.113.8');
    expect(failureCountingKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(failureCountingKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('leaves anything that is not an IP address as it is', () => {
    expect(failureCountingKey('unknown')).toBe('unknown');
    expect(failureCountingKey('2001:db8::1::2')).toBe('2001:db8::1::2');
  });
});
