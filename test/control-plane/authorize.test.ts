import { archiveKey, call, expectProblem, expireKey, newKey, newOrg, startServer, unknownButWellFormedSecret, type Key, type Org, type TestServer } from './helpers';

let t: TestServer;
let org: Org;
let gateway: Key;
beforeAll(async () => {
  t = await startServer();
  org = await newOrg(t);
  gateway = await newKey(org, { name: 'gateway', permissions: ['authorizations:write'] });
});

const decide = (body: Record<string, unknown>, auth = gateway.bearer) => call(t, 'POST', '/v1/authorize', { auth, body });

describe('POST /v1/authorize — decisions', () => {
  test('allowed: the key holds the permission (write includes read)', async () => {
    const k = await newKey(org, { permissions: ['payment_orders:write'] });
    for (const permission of ['payment_orders:write', 'payment_orders:read']) {
      const res = await decide({ credential: k.secret, permission });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ allowed: true, reason: 'allowed', api_key_id: k.id, detail: expect.any(String) });
    }
  });

  test('a read-only key (*:read) is refused writes: missing_permission', async () => {
    const k = await newKey(org, { permissions: ['*:read'] });
    expect((await decide({ credential: k.secret, permission: 'ledgers:read' })).body.allowed).toBe(true);
    const res = await decide({ credential: k.secret, permission: 'ledgers:write' });
    expect(res.body).toMatchObject({ allowed: false, reason: 'missing_permission', api_key_id: k.id });
  });

  test('per-account keys: account_not_allowed outside the scope, and when no account is named', async () => {
    const k = await newKey(org, { permissions: ['payment_orders:write', 'counterparties:read'], internal_account_ids: ['acc_1'] });
    expect((await decide({ credential: k.secret, permission: 'payment_orders:write', internal_account_id: 'acc_1' })).body.reason).toBe('allowed');
    expect((await decide({ credential: k.secret, permission: 'payment_orders:write', internal_account_id: 'acc_2' })).body.reason).toBe('account_not_allowed');
    expect((await decide({ credential: k.secret, permission: 'payment_orders:write' })).body.reason).toBe('account_not_allowed');
    // resources that are not account scoped ignore the restriction
    expect((await decide({ credential: k.secret, permission: 'counterparties:read', internal_account_id: 'acc_2' })).body.reason).toBe('allowed');
  });

  test('archived and expired keys', async () => {
    const a = await newKey(org, { permissions: ['*:read'] });
    await archiveKey(org, a.id);
    expect((await decide({ credential: a.secret, permission: 'ledgers:read' })).body).toMatchObject({ allowed: false, reason: 'archived', api_key_id: a.id });
    const e = await newKey(org, { permissions: ['*:read'] });
    await expireKey(t, e.id);
    expect((await decide({ credential: e.secret, permission: 'ledgers:read' })).body).toMatchObject({ allowed: false, reason: 'expired' });
  });

  test('IP allowlists: ip_required without client_ip, ip_not_allowed outside, IPv4-mapped IPv6 understood', async () => {
    const k = await newKey(org, { permissions: ['*:read'], allowed_ips: ['10.0.0.0/8', '2001:db8::/32'] });
    expect((await decide({ credential: k.secret, permission: 'ledgers:read' })).body.reason).toBe('ip_required');
    expect((await decide({ credential: k.secret, permission: 'ledgers:read', client_ip: '192.168.0.1' })).body.reason).toBe('ip_not_allowed');
    expect((await decide({ credential: k.secret, permission: 'ledgers:read', client_ip: '10.2.3.4' })).body.reason).toBe('allowed');
    expect((await decide({ credential: k.secret, permission: 'ledgers:read', client_ip: '::ffff:10.2.3.4' })).body.reason).toBe('allowed');
    expect((await decide({ credential: k.secret, permission: 'ledgers:read', client_ip: '2001:DB8::5' })).body.reason).toBe('allowed');
  });

  test('invalid credentials: unknown, malformed, a user token, another organization’s key — no key named', async () => {
    const other = await newOrg(t);
    const theirs = await newKey(other, { permissions: ['*:read'] });
    for (const credential of [unknownButWellFormedSecret(), 'garbage', org.adminToken, theirs.secret]) {
      const res = await decide({ credential, permission: 'ledgers:read' });
      expect(res.body).toMatchObject({ allowed: false, reason: 'invalid_credential', api_key_id: null });
    }
    // nothing was written to the other organization's key log
    await t.keyplane.requestLog.flush();
    const log = await call(t, 'GET', `/v1/api_keys/${theirs.id}/request_logs`, { auth: other.admin });
    expect(log.body.data).toEqual([]);
  });

  test('a permission outside the catalog: unknown_permission', async () => {
    const k = await newKey(org, { permissions: ['*:write'] });
    expect((await decide({ credential: k.secret, permission: 'rockets:write' })).body.reason).toBe('unknown_permission');
    expect((await decide({ credential: k.secret, permission: '*:read' })).body.reason).toBe('unknown_permission');
  });

  test('the response never echoes the credential', async () => {
    const k = await newKey(org, { permissions: ['*:read'] });
    const res = await decide({ credential: k.secret, permission: 'ledgers:write' });
    expect(res.text).not.toContain(k.secret);
  });
});

describe('POST /v1/authorize — bad input', () => {
  test.each([
    ['missing credential', { permission: 'ledgers:read' }],
    ['missing permission', { credential: 'x' }],
    ['malformed permission', { credential: 'x', permission: 'ledgers' }],
    ['bad method', { credential: 'x', permission: 'ledgers:read', method: 'FETCH' }],
    ['bad account', { credential: 'x', permission: 'ledgers:read', internal_account_id: '' }],
    ['unknown field', { credential: 'x', permission: 'ledgers:read', key: 'y' }],
    ['not an IP', { credential: 'x', permission: 'ledgers:read', client_ip: 'localhost' }],
    ['a CIDR as client IP', { credential: 'x', permission: 'ledgers:read', client_ip: '10.0.0.0/8' }],
  ])('%s → 400', async (_n, body) => {
    expectProblem(await decide(body), 400, 'validation_failed');
  });

  test('the calling service needs authorizations:write', async () => {
    const k = await newKey(org, { permissions: ['*:read'] });
    const res = await decide({ credential: k.secret, permission: 'ledgers:read' }, k.bearer);
    expectProblem(res, 403, 'forbidden');
    expect(res.body.missing_permissions).toEqual(['authorizations:write']);
  });
});
