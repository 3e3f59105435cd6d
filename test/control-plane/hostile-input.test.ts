// Findings of an attack on the control plane, kept as tests: NUL characters, secrets glued to
// other text, weaker keys switching off stronger ones, a key's limits escaping through the keys
// it creates, and idempotent replays handing out secrets.
import { call, capturedLogs, expectProblem, flushRequestLogs, newKey, newOrg, startServer, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

describe('NUL characters', () => {
  test.each([
    ['POST', '/v1/api_keys', { name: 'a\u0000b', permissions: ['*:read'] }, '/body/name'],
    ['GET', '/v1/api_keys?name=a%00b', undefined, '/query/name'],
  ])('%s %s is a validation problem, not a 500', async (method, path, body, where) => {
    const org = await newOrg(t);
    const res = await call(t, method, path, { auth: org.admin, body });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors).toContainEqual(expect.objectContaining({ path: where }));
  });

  test('in an authorize request they are refused, and do not cost other entries their log', async () => {
    const org = await newOrg(t);
    const service = await newKey(org, { permissions: ['authorizations:write'] });
    const caller = await newKey(org, { permissions: ['ledgers:read'] });
    const bad = await call(t, 'POST', '/v1/authorize', {
      auth: service.bearer,
      body: { credential: caller.secret, permission: 'ledgers:read', user_agent: 'evil\u0000', path: '/x\u0000' },
    });
    expectProblem(bad, 400, 'validation_failed');
    const ok = await call(t, 'GET', '/v1/me', { auth: caller.bearer, headers: { 'user-agent': 'after' } });
    expect(ok.status).toBe(200);
    await flushRequestLogs(t);
    const log = await call(t, 'GET', `/v1/api_keys/${caller.id}/request_logs`, { auth: org.admin });
    expect(log.body.data).toContainEqual(expect.objectContaining({ path: '/v1/me', user_agent: 'after' }));
  });
});

describe('redaction', () => {
  test('a secret glued to other text is redacted in logs, request IDs and the request log', async () => {
    const org = await newOrg(t);
    const key = await newKey(org, { permissions: ['*:read'] });
    const res = await call(t, 'GET', '/v1/me', {
      auth: key.bearer,
      headers: { 'x-request-id': `id_${key.secret}`, 'user-agent': `client_${key.secret}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).not.toContain(key.secret);
    await flushRequestLogs(t);
    const log = await call(t, 'GET', `/v1/api_keys/${key.id}/request_logs`, { auth: org.admin });
    expect(JSON.stringify(log.body)).not.toContain(key.secret);
    expect(log.body.data[0].user_agent).toBe('client_kp_[REDACTED]');
    expect(capturedLogs().join('\n')).not.toContain(key.secret);
  });
});

describe('a weaker key cannot switch off a stronger one', () => {
  test('archiving a key whose permissions the caller lacks is refused; its own kind is fine', async () => {
    const org = await newOrg(t);
    const strong = await newKey(org, { permissions: ['*:write'] });
    const manager = await newKey(org, { permissions: ['api_keys:write'] });
    const refused = await call(t, 'POST', `/v1/api_keys/${strong.id}/archive`, { auth: manager.bearer });
    expectProblem(refused, 403, 'permission_escalation');
    expect((await call(t, 'GET', `/v1/api_keys/${strong.id}`, { auth: org.admin })).body.status).toBe('active');
    const peer = await newKey(org, { permissions: ['api_keys:write'] });
    expect((await call(t, 'POST', `/v1/api_keys/${peer.id}/archive`, { auth: manager.bearer })).status).toBe(200);
  });
});

describe("a key's limits carry over to what it creates", () => {
  test('an IP-restricted key creates keys only inside its allowlist, and cannot widen its own', async () => {
    const org = await newOrg(t);
    const restricted = await newKey(org, { permissions: ['*:read', 'api_keys:write'], allowed_ips: ['127.0.0.0/8'] });
    const anywhere = await call(t, 'POST', '/v1/api_keys', { auth: restricted.bearer, body: { name: 'x', permissions: ['*:read'] } });
    expectProblem(anywhere, 403, 'permission_escalation');
    expect(anywhere.body.detail).toContain('127.0.0.0/8');
    const outside = await call(t, 'POST', '/v1/api_keys', { auth: restricted.bearer, body: { name: 'x', permissions: ['*:read'], allowed_ips: ['10.0.0.1'] } });
    expectProblem(outside, 403, 'permission_escalation');
    const inside = await call(t, 'POST', '/v1/api_keys', { auth: restricted.bearer, body: { name: 'x', permissions: ['*:read'], allowed_ips: ['127.0.0.1', '127.1.0.0/16'] } });
    expect(inside.status).toBe(201);
    const widen = await call(t, 'PATCH', `/v1/api_keys/${restricted.id}`, { auth: restricted.bearer, body: { allowed_ips: [] } });
    expectProblem(widen, 403, 'permission_escalation');
  });

  test('a key with an expiry creates keys that expire no later', async () => {
    const org = await newOrg(t);
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const expiring = await newKey(org, { permissions: ['*:read', 'api_keys:write'], expires_at: soon });
    const forever = await call(t, 'POST', '/v1/api_keys', { auth: expiring.bearer, body: { name: 'x', permissions: ['*:read'] } });
    expectProblem(forever, 403, 'permission_escalation');
    const later = await call(t, 'POST', '/v1/api_keys', { auth: expiring.bearer, body: { name: 'x', permissions: ['*:read'], expires_at: new Date(Date.now() + 7200_000).toISOString() } });
    expectProblem(later, 403, 'permission_escalation');
    const earlier = await call(t, 'POST', '/v1/api_keys', { auth: expiring.bearer, body: { name: 'x', permissions: ['*:read'], expires_at: new Date(Date.now() + 1800_000).toISOString() } });
    expect(earlier.status).toBe(201);
  });
});

describe('idempotent replays hand out secrets', () => {
  test('a replay is audited as a reveal, and refused once the key is archived', async () => {
    const org = await newOrg(t);
    const body = { name: 'replayed', permissions: ['ledgers:read'] };
    const headers = { 'idempotency-key': 'replay-audit-1' };
    const first = await call(t, 'POST', '/v1/api_keys', { auth: org.admin, body, headers });
    expect(first.status).toBe(201);
    const again = await call(t, 'POST', '/v1/api_keys', { auth: org.admin, body, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const trail = await call(t, 'GET', `/v1/api_keys/${first.body.id}/audit_events`, { auth: org.admin });
    expect(trail.body.data.map((e: { action: string }) => e.action)).toContain('api_key.secret_revealed');
    await call(t, 'POST', `/v1/api_keys/${first.body.id}/archive`, { auth: org.admin });
    const afterArchive = await call(t, 'POST', '/v1/api_keys', { auth: org.admin, body, headers });
    expectProblem(afterArchive, 409, 'api_key_archived');
    expect(JSON.stringify(afterArchive.body)).not.toContain(first.body.secret);
  });
});

describe('strict input', () => {
  test('an impossible date is refused, not rolled over to the next month', async () => {
    const org = await newOrg(t);
    const res = await call(t, 'POST', '/v1/api_keys', { auth: org.admin, body: { name: 'x', permissions: ['*:read'], expires_at: '2099-02-30T00:00:00Z' } });
    expectProblem(res, 422, 'invalid_expiry');
    expect(res.body.detail).toContain('2099-02-30');
  });

  test('routes are case-sensitive', async () => {
    const org = await newOrg(t);
    expect((await call(t, 'GET', '/v1/api_keys', { auth: org.admin })).status).toBe(200);
    expectProblem(await call(t, 'GET', '/v1/API_KEYS', { auth: org.admin }), 404, 'not_found');
  });
});
