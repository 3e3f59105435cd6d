import fs from 'node:fs';
import path from 'node:path';
import { call, expectProblem, newKey, newOrg, newUser, startServer, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

describe('GET /v1/me', () => {
  test('a user: principal, organization and permissions', async () => {
    const org = await newOrg(t);
    const res = await call(t, 'GET', '/v1/me', { auth: org.admin });
    expect(res.body).toEqual({
      principal: { type: 'user', id: org.adminId, name: expect.stringContaining('@'), role: 'admin', developers_permission: 'manage' },
      organization: { id: org.id, name: expect.any(String) },
      permissions: ['*:write'],
      internal_account_ids: [],
    });
    const member = await newUser(org, { developers_permission: 'none' });
    const m = await call(t, 'GET', '/v1/me', { auth: member.auth });
    expect(m.body.permissions).not.toContain('api_keys:read');
    expect(m.body.permissions).toContain('payment_orders:read');
  });

  test('a key: its own permissions and accounts', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { name: 'ci', permissions: ['payment_orders:read'], internal_account_ids: ['acc_1'] });
    const res = await call(t, 'GET', '/v1/me', { auth: k.basic });
    expect(res.body).toMatchObject({ principal: { type: 'api_key', id: k.id, name: 'ci' }, permissions: ['payment_orders:read'], internal_account_ids: ['acc_1'] });
  });
});

describe('bad input on operations without parameters', () => {
  test.each([['/v1/me?debug=1'], ['/v1/permissions?resource=api_keys']])('%s → 400 naming the unknown parameter', async (p) => {
    const org = await newOrg(t);
    const res = await call(t, 'GET', p, { auth: org.admin });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors[0].path).toMatch(/^\/query\//);
  });
});

describe('GET /v1/permissions', () => {
  test('publishes the catalog sorted by resource', async () => {
    const org = await newOrg(t);
    const res = await call(t, 'GET', '/v1/permissions', { auth: org.admin });
    const resources = res.body.data.map((r: any) => r.resource);
    expect(resources).toEqual([...resources].sort());
    expect(resources).toEqual(expect.arrayContaining(['api_keys', 'authorizations', 'payment_orders', 'internal_accounts']));
    expect(res.body.data.find((r: any) => r.resource === 'authorizations').actions).toEqual(['write']);
    expect(res.body.data.find((r: any) => r.resource === 'payment_orders').account_scoped).toBe(true);
  });
});

describe('operations', () => {
  test('/healthz answers without touching anything', async () => {
    expect((await call(t, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
  });

  test('/readyz checks the database: 200, and 503 when it does not answer', async () => {
    expect((await call(t, 'GET', '/readyz')).body).toEqual({ status: 'ok' });
    const s = await startServer();
    s.scanTables = false;
    await s.keyplane.requestLog.close();
    await s.keyplane.db.destroy();
    const res = await call(s, 'GET', '/readyz');
    expectProblem(res, 503, 'service_unavailable');
    // and an API request answers 503 (retry later), not 500
    const org = await newOrg(t);
    expectProblem(await call(s, 'GET', '/v1/me', { auth: org.admin }), 503, 'service_unavailable');
  });

  test('/openapi.yaml serves the contract file', async () => {
    const res = await call(t, 'GET', '/openapi.yaml');
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.text).toBe(fs.readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'));
  });

  test('every response carries a request ID; a sane client one is kept, a hostile one replaced', async () => {
    const a = await call(t, 'GET', '/healthz');
    expect(a.headers['x-request-id']).toMatch(/^req_[0-9a-z]{26}$/);
    expect((await call(t, 'GET', '/healthz', { headers: { 'X-Request-Id': 'abc-123' } })).headers['x-request-id']).toBe('abc-123');
    expect((await call(t, 'GET', '/healthz', { headers: { 'X-Request-Id': 'a b\tc' } })).headers['x-request-id']).toMatch(/^req_/);
  });

  test('unknown routes → 404 problem; wrong method → 405 with Allow', async () => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'GET', '/nowhere'), 404, 'not_found');
    expectProblem(await call(t, 'GET', '/v1/nowhere', { auth: org.admin }), 404, 'not_found');
    const res = await call(t, 'DELETE', '/v1/api_keys', { auth: org.admin });
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toMatch(/GET/);
    expectProblem(await call(t, 'POST', '/healthz'), 405, 'method_not_allowed');
  });

  test('/v1 asks for credentials before anything else', async () => {
    expectProblem(await call(t, 'GET', '/v1/nowhere'), 401, 'unauthenticated');
  });
});
