import { call, expectProblem, newKey, newOrg, sleep, startServer, type TestServer } from '../helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

const archive = (auth: any, id: string, body?: unknown) => call(t, 'POST', `/v1/api_keys/${id}/archive`, { auth, body });

describe('POST /v1/api_keys/{id}/archive', () => {
  test('archives at once: the key stops authenticating, stays visible, is audited', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { permissions: ['counterparties:read'] });
    expect((await call(t, 'GET', '/v1/me', { auth: k.bearer })).status).toBe(200);
    const res = await archive(org.admin, k.id);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('archived');
    expect(res.body.archived_at).not.toBeNull();
    expectProblem(await call(t, 'GET', '/v1/me', { auth: k.bearer }), 401, 'unauthenticated');
    expectProblem(await call(t, 'GET', '/v1/me', { auth: k.basic }), 401, 'unauthenticated');
    const events = (await call(t, 'GET', `/v1/api_keys/${k.id}/audit_events`, { auth: org.admin })).body.data;
    expect(events[0].action).toBe('api_key.archived');
    expect(events[0].changes.before.archived_at).toBeNull();
    expect(events[0].changes.after.archived_at).toBe(res.body.archived_at);
  });

  test('grace_period_seconds 0 archives at once', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    expect((await archive(org.admin, k.id, { grace_period_seconds: 0 })).body.status).toBe('archived');
  });

  test('with a grace period the key works until archived_at and never after (2 s, real clock)', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { permissions: ['counterparties:read'] });
    const res = await archive(org.admin, k.id, { grace_period_seconds: 2 });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('active');
    const at = Date.parse(res.body.archived_at);
    expect(at).toBeGreaterThan(Date.now());
    expect(at).toBeLessThanOrEqual(Date.now() + 2500);
    expect((await call(t, 'GET', '/v1/me', { auth: k.bearer })).status).toBe(200);
    // listed as active while scheduled
    const listed = await call(t, 'GET', '/v1/api_keys', { auth: org.admin });
    expect(listed.body.data.map((x: any) => x.id)).toContain(k.id);
    const events = (await call(t, 'GET', `/v1/api_keys/${k.id}/audit_events`, { auth: org.admin })).body.data;
    expect(events[0].action).toBe('api_key.archive_scheduled');
    expect(events[0].changes.after.archived_at).toBe(res.body.archived_at);
    await sleep(Math.max(0, at - Date.now()) + 200);
    expectProblem(await call(t, 'GET', '/v1/me', { auth: k.bearer }), 401, 'unauthenticated');
    const after = await call(t, 'GET', `/v1/api_keys/${k.id}`, { auth: org.admin });
    expect(after.body.status).toBe('archived');
    const active = await call(t, 'GET', '/v1/api_keys', { auth: org.admin });
    expect(active.body.data.map((x: any) => x.id)).not.toContain(k.id);
    expectProblem(await archive(org.admin, k.id), 409, 'api_key_archived');
  });

  test('a schedule is brought forward but never pushed back', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    const first = await archive(org.admin, k.id, { grace_period_seconds: 3600 });
    const later = await archive(org.admin, k.id, { grace_period_seconds: 7200 });
    expect(later.body.archived_at).toBe(first.body.archived_at);
    const sooner = await archive(org.admin, k.id, { grace_period_seconds: 60 });
    expect(Date.parse(sooner.body.archived_at)).toBeLessThan(Date.parse(first.body.archived_at));
    const now = await archive(org.admin, k.id);
    expect(now.body.status).toBe('archived');
    const actions = (await call(t, 'GET', `/v1/api_keys/${k.id}/audit_events`, { auth: org.admin })).body.data.map((e: any) => e.action);
    // the ignored push-back wrote nothing
    expect(actions).toEqual(['api_key.archived', 'api_key.archive_scheduled', 'api_key.archive_scheduled', 'api_key.created']);
  });

  test('archiving an archived key → 409', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    await archive(org.admin, k.id);
    expectProblem(await archive(org.admin, k.id), 409, 'api_key_archived');
  });

  test.each([
    ['negative', { grace_period_seconds: -1 }],
    ['over 30 days', { grace_period_seconds: 2592001 }],
    ['not an integer', { grace_period_seconds: 1.5 }],
    ['a string', { grace_period_seconds: '10' }],
    ['unknown field', { reason: 'leak' }],
  ])('grace period %s → 400', async (_n, body) => {
    const org = await newOrg(t);
    const k = await newKey(org);
    expectProblem(await archive(org.admin, k.id, body), 400, 'validation_failed');
  });

  test('a key can archive itself (rotation), but not a key stronger than itself', async () => {
    const org = await newOrg(t);
    const self = await newKey(org, { permissions: ['api_keys:write'] });
    const strong = await newKey(org, { permissions: ['*:write'] });
    expectProblem(await archive(self.bearer, strong.id), 403, 'permission_escalation');
    expect((await archive(self.bearer, self.id)).status).toBe(200);
    expectProblem(await call(t, 'GET', '/v1/me', { auth: self.bearer }), 401, 'unauthenticated');
  });
});
