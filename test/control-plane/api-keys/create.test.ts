import { call, expectProblem, newKey, newOrg, newUser, startServer, usingPostgres, type TestServer } from '../helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

const create = (auth: any, body: unknown, headers?: Record<string, string>) => call(t, 'POST', '/v1/api_keys', { auth, body, headers });

describe('POST /v1/api_keys — success', () => {
  test('returns the key with its secret, canonical permissions, accounts and IPs', async () => {
    const org = await newOrg(t);
    const expires = new Date(Date.now() + 3600_000).toISOString();
    const res = await create(org.admin, {
      name: 'payments gateway',
      permissions: ['payment_orders:write', 'counterparties:read', 'payment_orders:write', 'api_keys:read'],
      internal_account_ids: ['acc_b', 'acc_a', 'acc_b'],
      allowed_ips: ['10.0.0.1', '2001:DB8:0:0::/32', '10.0.0.1/32', '::ffff:192.168.1.7', '10.0.0.0/8'],
      expires_at: expires,
    });
    expect(res.status).toBe(201);
    expect(res.headers['idempotent-replayed']).toBe('false');
    const k = res.body;
    expect(k.permissions).toEqual(['api_keys:read', 'counterparties:read', 'payment_orders:write']);
    expect(k.internal_account_ids).toEqual(['acc_a', 'acc_b']);
    expect(k.allowed_ips).toEqual(['10.0.0.0/8', '10.0.0.1/32', '192.168.1.7/32', '2001:db8::/32']);
    expect(k.expires_at).toBe(expires);
    expect(k.status).toBe('active');
    expect(k.archived_at).toBeNull();
    expect(k.last_used_at).toBeNull();
    expect(k.created_by).toEqual({ type: 'user', id: org.adminId });
    expect(k.organization_id).toBe(org.id);
    expect(k.secret).toMatch(/^kp_[0-9A-Za-z]{49}$/);
    expect(k.prefix).toBe(k.secret.slice(0, 12));
    // the allowlist applies at once
    expectProblem(await call(t, 'GET', '/v1/me', { auth: { bearer: k.secret } }), 403, 'ip_not_allowed'); // 127.0.0.1 is not in its allowed_ips
  });

  test('the read-only form *:read works and a key can create keys within its own permissions', async () => {
    const org = await newOrg(t);
    const manager = await newKey(org, { permissions: ['api_keys:write', 'counterparties:write'] });
    const res = await create(manager.bearer, { name: 'child', permissions: ['counterparties:read', 'api_keys:read'] });
    expect(res.status).toBe(201);
    expect(res.body.created_by).toEqual({ type: 'api_key', id: manager.id });
    const ro = await create(org.admin, { name: 'ro', permissions: ['*:read'] });
    expect(ro.body.permissions).toEqual(['*:read']);
  });

  test('is audited as api_key.created, in the same organization trail', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { name: 'audited' });
    const events = await call(t, 'GET', `/v1/audit_events?entity_id=${k.id}`, { auth: org.admin });
    expect(events.body.data.map((e: any) => e.action)).toEqual(['api_key.created']);
    expect(events.body.data[0].actor).toEqual({ type: 'user', id: org.adminId });
    expect(events.body.data[0].changes.after.name).toBe('audited');
    expect(JSON.stringify(events.body)).not.toContain(k.secret);
  });
});

describe('POST /v1/api_keys — bad input', () => {
  let org: Awaited<ReturnType<typeof newOrg>>;
  beforeAll(async () => {
    org = await newOrg(t);
  });

  test.each([
    ['missing name', { permissions: ['*:read'] }, '/body/name'],
    ['empty name', { name: '', permissions: ['*:read'] }, '/body/name'],
    ['blank name', { name: '   ', permissions: ['*:read'] }, '/body/name'],
    ['name too long', { name: 'x'.repeat(201), permissions: ['*:read'] }, '/body/name'],
    ['missing permissions', { name: 'k' }, '/body/permissions'],
    ['empty permissions', { name: 'k', permissions: [] }, '/body/permissions'],
    ['malformed permission', { name: 'k', permissions: ['payment_orders'] }, '/body/permissions/0'],
    ['bad action', { name: 'k', permissions: ['payment_orders:delete'] }, '/body/permissions/0'],
    ['too many permissions', { name: 'k', permissions: new Array(101).fill('*:read') }, '/body/permissions'],
    ['bad account id', { name: 'k', permissions: ['*:read'], internal_account_ids: ['has space'] }, '/body/internal_account_ids/0'],
    ['allowed_ips not a list', { name: 'k', permissions: ['*:read'], allowed_ips: '10.0.0.1' }, '/body/allowed_ips'],
    ['expires_at not a date', { name: 'k', permissions: ['*:read'], expires_at: 'tomorrow' }, '/body/expires_at'],
    ['unknown field', { name: 'k', permissions: ['*:read'], status: 'archived' }, '/body'],
    ['wrong type', { name: 42, permissions: ['*:read'] }, '/body/name'],
  ])('%s → 400 validation_failed naming the field', async (_n, body, where) => {
    const res = await create(org.admin, body);
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors.some((e: any) => e.path.startsWith(where))).toBe(true);
  });

  test('unknown resource → 422 unknown_permission naming the allowed values', async () => {
    const res = await create(org.admin, { name: 'k', permissions: ['payment_orderz:read', 'authorizations:read'] });
    expectProblem(res, 422, 'unknown_permission');
    expect(res.body.detail).toContain('payment_orderz:read');
    expect(res.body.allowed_values).toContain('payment_orders:write');
    expect(res.body.allowed_values).toContain('*:read');
    expect(res.body.allowed_values).not.toContain('authorizations:read');
  });

  test.each([
    ['host bits set', '10.0.0.1/24', '10.0.0.0/24'],
    ['not an address', '10.0.0.256', undefined],
    ['a name', 'example.com', undefined],
    ['a zone id', 'fe80::1%eth0', undefined],
    ['prefix too long', '10.0.0.0/33', undefined],
  ])('allowed_ips with %s → 422 invalid_ip', async (_n, ip, hint) => {
    const res = await create(org.admin, { name: 'k', permissions: ['*:read'], allowed_ips: [ip] });
    expectProblem(res, 422, 'invalid_ip');
    expect(res.body.detail).toContain(ip);
    if (hint) expect(res.body.detail).toContain(hint);
  });

  test('expires_at in the past → 422 invalid_expiry', async () => {
    expectProblem(await create(org.admin, { name: 'k', permissions: ['*:read'], expires_at: '2001-01-01T00:00:00Z' }), 422, 'invalid_expiry');
  });

  test('not JSON → 415; broken JSON → 400', async () => {
    const res = await call(t, 'POST', '/v1/api_keys', { auth: org.admin, raw: { contentType: 'text/plain', data: 'name=x' } });
    expectProblem(res, 415, 'unsupported_media_type');
    const broken = await call(t, 'POST', '/v1/api_keys', { auth: org.admin, raw: { contentType: 'application/json', data: '{"name":' } });
    expectProblem(broken, 400, 'validation_failed');
  });

  test('an oversized body → 413', async () => {
    const res = await call(t, 'POST', '/v1/api_keys', { auth: org.admin, raw: { contentType: 'application/json', data: JSON.stringify({ name: 'x'.repeat(100_000), permissions: ['*:read'] }) } });
    expectProblem(res, 413, 'payload_too_large');
  });

  test('a bad Idempotency-Key header → 400', async () => {
    const res = await create(org.admin, { name: 'k', permissions: ['*:read'] }, { 'Idempotency-Key': 'x'.repeat(256) });
    expectProblem(res, 400, 'validation_failed');
  });
});

describe('POST /v1/api_keys — no escalation', () => {
  test('a key cannot grant what it does not hold (403 naming the permissions)', async () => {
    const org = await newOrg(t);
    const manager = await newKey(org, { permissions: ['api_keys:write', 'counterparties:read'] });
    const res = await create(manager.bearer, { name: 'x', permissions: ['counterparties:write', 'payment_orders:read', 'counterparties:read'] });
    expectProblem(res, 403, 'permission_escalation');
    expect(res.body.missing_permissions).toEqual(['counterparties:write', 'payment_orders:read']);
  });

  test('*:read needs read on every resource; *:write needs everything', async () => {
    const org = await newOrg(t);
    const manager = await newKey(org, { permissions: ['api_keys:write', 'counterparties:write'] });
    expect((await create(manager.bearer, { name: 'x', permissions: ['*:read'] })).body.missing_permissions).toEqual(['*:read']);
    const allRead = await newKey(org, { permissions: ['*:read', 'api_keys:write'] });
    expect((await create(allRead.bearer, { name: 'x', permissions: ['*:read'] })).status).toBe(201);
    expect((await create(allRead.bearer, { name: 'x', permissions: ['*:write'] })).body.missing_permissions).toEqual(['*:write']);
    expect((await create(allRead.bearer, { name: 'x', permissions: ['authorizations:write'] })).body.missing_permissions).toEqual(['authorizations:write']);
  });

  test('an account-restricted key can only create keys restricted to a subset of its accounts', async () => {
    const org = await newOrg(t);
    const scoped = await newKey(org, { permissions: ['api_keys:write', 'payment_orders:write'], internal_account_ids: ['acc_1', 'acc_2'] });
    const unrestricted = await create(scoped.bearer, { name: 'x', permissions: ['payment_orders:read'] });
    expectProblem(unrestricted, 403, 'permission_escalation');
    const outside = await create(scoped.bearer, { name: 'x', permissions: ['payment_orders:read'], internal_account_ids: ['acc_1', 'acc_3'] });
    expectProblem(outside, 403, 'permission_escalation');
    expect(outside.body.missing_permissions).toEqual(['internal_account_ids:acc_3']);
    const subset = await create(scoped.bearer, { name: 'x', permissions: ['payment_orders:read'], internal_account_ids: ['acc_2'] });
    expect(subset.status).toBe(201);
  });

  test('users: a member with Manage holds read everywhere plus api_keys:write, nothing more', async () => {
    const org = await newOrg(t);
    const member = await newUser(org, { role: 'member', developers_permission: 'manage' });
    expect((await create(member.auth, { name: 'x', permissions: ['counterparties:read', 'api_keys:write'] })).status).toBe(201);
    const res = await create(member.auth, { name: 'x', permissions: ['payment_orders:write'] });
    expectProblem(res, 403, 'permission_escalation');
    expect(res.body.missing_permissions).toEqual(['payment_orders:write']);
    expectProblem(await create(member.auth, { name: 'x', permissions: ['authorizations:write'] }), 403, 'permission_escalation');
    const viewer = await newUser(org, { role: 'member', developers_permission: 'view' });
    expectProblem(await create(viewer.auth, { name: 'x', permissions: ['counterparties:read'] }), 403, 'forbidden');
  });
});

describe('POST /v1/api_keys — Idempotency-Key', () => {
  test('a retried create returns the same key and secret, once', async () => {
    const org = await newOrg(t);
    const body = { name: 'idem', permissions: ['counterparties:read'], allowed_ips: ['10.0.0.1'] };
    const first = await create(org.admin, body, { 'Idempotency-Key': 'retry-1' });
    const second = await create(org.admin, { ...body, allowed_ips: ['10.0.0.1/32'] }, { 'Idempotency-Key': 'retry-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.secret).toBe(first.body.secret);
    const list = await call(t, 'GET', '/v1/api_keys?name=idem', { auth: org.admin });
    expect(list.body.data).toHaveLength(1);
    const events = await call(t, 'GET', '/v1/audit_events?action=api_key.created', { auth: org.admin });
    expect(events.body.data).toHaveLength(1);
  });

  test('the same Idempotency-Key with a different body → 422 idempotency_key_reused', async () => {
    const org = await newOrg(t);
    await create(org.admin, { name: 'a', permissions: ['*:read'] }, { 'Idempotency-Key': 'k-2' });
    expectProblem(await create(org.admin, { name: 'b', permissions: ['*:read'] }, { 'Idempotency-Key': 'k-2' }), 422, 'idempotency_key_reused');
  });

  test('idempotency keys are per caller: another principal gets its own key', async () => {
    const org = await newOrg(t);
    const other = await newKey(org, { permissions: ['api_keys:write', 'counterparties:read'] });
    const a = await create(org.admin, { name: 'p', permissions: ['counterparties:read'] }, { 'Idempotency-Key': 'shared' });
    const b = await create(other.bearer, { name: 'p', permissions: ['counterparties:read'] }, { 'Idempotency-Key': 'shared' });
    expect(a.body.id).not.toBe(b.body.id);
  });

  test(`concurrent creates with one Idempotency-Key yield one key (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, async () => {
    const org = await newOrg(t);
    const body = { name: 'race', permissions: ['counterparties:read'] };
    const results = await Promise.all(Array.from({ length: 8 }, () => create(org.admin, body, { 'Idempotency-Key': 'race-1' })));
    expect(results.map((r) => r.status)).toEqual(new Array(8).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'false')).toHaveLength(1);
    const list = await call(t, 'GET', '/v1/api_keys?name=race', { auth: org.admin });
    expect(list.body.data).toHaveLength(1);
  });

  test('concurrent creates with one Idempotency-Key through two processes sharing the database yield one key', async () => {
    // On PostgreSQL a second app (a second "process") shares the database; PGlite has one process.
    const second = usingPostgres ? await startServer() : t;
    const org = await newOrg(t);
    const body = { name: 'two-processes', permissions: ['counterparties:read'] };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(i % 2 ? second : t, 'POST', '/v1/api_keys', { auth: org.admin, body, headers: { 'Idempotency-Key': 'two-proc' } })),
    );
    expect(results.map((r) => r.status)).toEqual(new Array(6).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.secret)).size).toBe(1);
  });

  test('concurrent creates without an Idempotency-Key create separate keys', async () => {
    const org = await newOrg(t);
    const results = await Promise.all(Array.from({ length: 4 }, () => create(org.admin, { name: 'many', permissions: ['*:read'] })));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(4);
  });
});
