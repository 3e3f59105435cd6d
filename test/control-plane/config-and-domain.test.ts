import { ConfigError, loadConfig } from '../../control-plane/src/config';
import { clientIp } from '../../control-plane/src/http/client-ip';
import { canonicalizeAllowedIps, parseIpBlock } from '../../control-plane/src/domain/ip';
import { canonicalSet, holds, uncovered, userPermissions } from '../../control-plane/src/domain/permissions';
import { decodeCursor, encodeCursor } from '../../control-plane/src/repositories/common';
import { ulid } from '../../control-plane/src/ids';

describe('loadConfig', () => {
  test('defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 4000, databaseUrl: undefined, requestLogFlushMs: 1000, requestLogBuffer: 10000, logLevel: 'info' });
    expect(c.dataDir).toMatch(/\.keyplane$/);
    expect(c.trustedProxies).toEqual([]);
  });

  test.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://x/y' }, 'KEYPLANE_MASTER_KEY'],
    [{ KEYPLANE_MASTER_KEY: 'c2hvcnQ=' }, 'KEYPLANE_MASTER_KEY'],
    [{ KEYPLANE_MASTER_KEY: 'not base64!' }, 'KEYPLANE_MASTER_KEY'],
    [{ KEYPLANE_TRUSTED_PROXIES: '10.0.0.1, nonsense' }, 'KEYPLANE_TRUSTED_PROXIES'],
    [{ KEYPLANE_REQUEST_LOG_FLUSH_MS: '0' }, 'KEYPLANE_REQUEST_LOG_FLUSH_MS'],
    [{ KEYPLANE_REQUEST_LOG_BUFFER: '-1' }, 'KEYPLANE_REQUEST_LOG_BUFFER'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('%j → ConfigError naming %s', (env, variable) => {
    try {
      loadConfig(env);
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message).toContain(variable);
    }
  });

  test('a full PostgreSQL configuration', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@h/db', KEYPLANE_MASTER_KEY: key, PORT: '8080', HOST: '0.0.0.0', KEYPLANE_TRUSTED_PROXIES: '10.0.0.0/8,::1' });
    expect(c.masterKey?.length).toBe(32);
    expect(c.trustedProxies).toHaveLength(2);
  });
});

describe('client IP', () => {
  const trusted = [parseIpBlock('10.0.0.0/8'), parseIpBlock('::1')].map((r) => (r.ok ? r.block : (undefined as never)));
  test.each([
    ['peer, no proxies', '::ffff:1.2.3.4', undefined, [], '1.2.3.4'],
    ['untrusted peer, XFF ignored', '1.2.3.4', '9.9.9.9', trusted, '1.2.3.4'],
    ['trusted peer, XFF honoured', '10.0.0.1', '9.9.9.9', trusted, '9.9.9.9'],
    ['trusted chain, right-most untrusted wins', '10.0.0.1', '6.6.6.6, 9.9.9.9, 10.0.0.2', trusted, '9.9.9.9'],
    ['IPv6 loopback proxy', '::1', '2001:DB8::1', trusted, '2001:db8::1'],
    ['garbage hop stops the walk', '10.0.0.1', '9.9.9.9, junk', trusted, '10.0.0.1'],
  ])('%s', (_n, peer, xff, proxies, expected) => {
    expect(clientIp(peer, xff, proxies as never)).toBe(expected);
  });
});

describe('allowed_ips canonical form', () => {
  test('addresses get a prefix, IPv6 is compressed and lower-case, mapped IPv4 unwrapped, sorted and de-duplicated', () => {
    const r = canonicalizeAllowedIps(['2001:0DB8:0000:0000::1', '10.0.0.1', '10.0.0.1/32', '::ffff:10.0.0.2', '::ffff:10.0.0.0/104']);
    expect(r).toEqual({ ok: true, value: ['10.0.0.0/8', '10.0.0.1/32', '10.0.0.2/32', '2001:db8::1/128'] });
  });
  test('host bits set is refused with the network it probably means', () => {
    const r = canonicalizeAllowedIps(['10.1.2.3/16']);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('10.1.0.0/16');
  });
});

describe('permissions', () => {
  test('write includes read; * covers every resource supporting the action', () => {
    expect(holds(['payment_orders:write'], 'payment_orders', 'read')).toBe(true);
    expect(holds(['payment_orders:read'], 'payment_orders', 'write')).toBe(false);
    expect(holds(['*:read'], 'api_keys', 'read')).toBe(true);
    expect(holds(['*:read'], 'authorizations', 'read')).toBe(false);
    expect(holds(['*:write'], 'authorizations', 'write')).toBe(true);
  });
  test('coverage for no escalation', () => {
    expect(uncovered(['*:write'], ['*:read', 'ledgers:write'])).toEqual([]);
    expect(uncovered(userPermissions('member', 'manage'), ['*:read'])).toEqual([]);
    expect(uncovered(userPermissions('member', 'view'), ['api_keys:write', 'ledgers:read'])).toEqual(['api_keys:write']);
  });
  test('canonical order is a plain sorted set; nothing else is rewritten', () => {
    expect(canonicalSet(['b:read', 'a:write', 'b:read', 'a:read'])).toEqual(['a:read', 'a:write', 'b:read']);
  });
});

describe('identifiers and cursors', () => {
  test('ULIDs are time-ordered lower-case Crockford base32', () => {
    const a = ulid(1_700_000_000_000);
    const b = ulid(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
    expect(a < b).toBe(true);
  });
  test('cursors round-trip; foreign ones are refused', () => {
    expect(decodeCursor(encodeCursor(42))).toBe('42');
    expect(() => decodeCursor('bm9wZQ')).toThrow(/cursor/);
    expect(() => decodeCursor('czE')).not.toThrow();
  });
});
