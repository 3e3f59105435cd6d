import { call, expectProblem, newOrg, newUser, startServer, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

describe('GET /v1/users', () => {
  test('lists the organization users oldest first, paged', async () => {
    const org = await newOrg(t);
    const u1 = await newUser(org);
    const u2 = await newUser(org);
    const page1 = await call(t, 'GET', '/v1/users?per_page=2', { auth: org.admin });
    expect(page1.body.data.map((u: any) => u.id)).toEqual([org.adminId, u1.id]);
    const page2 = await call(t, 'GET', `/v1/users?per_page=2&after_cursor=${page1.body.next_cursor}`, { auth: org.admin });
    expect(page2.body.data.map((u: any) => u.id)).toEqual([u2.id]);
    expect(page2.body.next_cursor).toBeNull();
  });
});

describe('GET /v1/users — bad input', () => {
  test.each([['per_page=0'], ['per_page=101'], ['after_cursor=***'], ['role=admin']])('%s → 400', async (q) => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'GET', `/v1/users?${q}`, { auth: org.admin }), 400, 'validation_failed');
  });
  test('a foreign cursor → 400 invalid_cursor', async () => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'GET', '/v1/users?after_cursor=eHl6', { auth: org.admin }), 400, 'invalid_cursor');
  });
});

describe('POST /v1/users', () => {
  test('adds a member with defaults, audited', async () => {
    const org = await newOrg(t);
    const res = await call(t, 'POST', '/v1/users', { auth: org.admin, body: { email: 'dev@example.com' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'dev@example.com', role: 'member', developers_permission: 'none', organization_id: org.id });
    const events = (await call(t, 'GET', `/v1/audit_events?entity_id=${res.body.id}`, { auth: org.admin })).body.data;
    expect(events.map((e: any) => e.action)).toEqual(['user.created']);
  });

  test('emails are unique per organization (case-insensitive) → 409 already_exists; other organizations may reuse them', async () => {
    const org = await newOrg(t);
    await call(t, 'POST', '/v1/users', { auth: org.admin, body: { email: 'same@example.com' } });
    expectProblem(await call(t, 'POST', '/v1/users', { auth: org.admin, body: { email: 'SAME@example.com' } }), 409, 'already_exists');
    const other = await newOrg(t);
    expect((await call(t, 'POST', '/v1/users', { auth: other.admin, body: { email: 'same@example.com' } })).status).toBe(201);
  });

  test.each([
    ['missing email', {}],
    ['not an email', { email: 'nope' }],
    ['bad role', { email: 'a@example.com', role: 'owner' }],
    ['bad developers permission', { email: 'a@example.com', developers_permission: 'all' }],
    ['unknown field', { email: 'a@example.com', password: 'x' }],
  ])('%s → 400', async (_n, body) => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'POST', '/v1/users', { auth: org.admin, body }), 400, 'validation_failed');
  });
});

describe('PATCH /v1/users/{id}', () => {
  test('changes role and developers permission with before/after in the audit trail; permissions follow', async () => {
    const org = await newOrg(t);
    const u = await newUser(org, { developers_permission: 'none' });
    expectProblem(await call(t, 'GET', '/v1/api_keys', { auth: u.auth }), 403, 'forbidden');
    const res = await call(t, 'PATCH', `/v1/users/${u.id}`, { auth: org.admin, body: { developers_permission: 'view' } });
    expect(res.body.developers_permission).toBe('view');
    expect((await call(t, 'GET', '/v1/api_keys', { auth: u.auth })).status).toBe(200);
    const ev = (await call(t, 'GET', `/v1/audit_events?action=user.updated&entity_id=${u.id}`, { auth: org.admin })).body.data[0];
    expect(ev.changes).toEqual({ before: { developers_permission: 'none' }, after: { developers_permission: 'view' } });
    const me = await call(t, 'GET', '/v1/me', { auth: u.auth });
    expect(me.body.permissions).toContain('api_keys:read');
    expect(me.body.permissions).not.toContain('api_keys:write');
  });

  test('the last admin cannot be demoted → 409 last_admin; with a second admin it can', async () => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'PATCH', `/v1/users/${org.adminId}`, { auth: org.admin, body: { role: 'member' } }), 409, 'last_admin');
    const second = await newUser(org, { role: 'admin' });
    expect((await call(t, 'PATCH', `/v1/users/${org.adminId}`, { auth: second.auth, body: { role: 'member' } })).status).toBe(200);
    expectProblem(await call(t, 'PATCH', `/v1/users/${second.id}`, { auth: second.auth, body: { role: 'member' } }), 409, 'last_admin');
  });

  test('an empty patch → 400; unknown user → 404', async () => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'PATCH', `/v1/users/${org.adminId}`, { auth: org.admin, body: {} }), 400, 'validation_failed');
    expectProblem(await call(t, 'PATCH', '/v1/users/usr_00000000000000000000000000', { auth: org.admin, body: { role: 'admin' } }), 404, 'not_found');
  });
});

describe('POST /v1/users/{id}/tokens', () => {
  test('admins issue tokens for anyone, users for themselves; tokens are shown once and hashed at rest', async () => {
    const org = await newOrg(t);
    const u = await newUser(org);
    const own = await call(t, 'POST', `/v1/users/${u.id}/tokens`, { auth: u.auth, body: { name: 'laptop' } });
    expect(own.status).toBe(201);
    expect(own.body.token).toMatch(/^kpu_/);
    expect(own.body.user_id).toBe(u.id);
    expect((await call(t, 'GET', '/v1/me', { auth: { bearer: own.body.token } })).body.principal.id).toBe(u.id);
    const other = await newUser(org);
    expectProblem(await call(t, 'POST', `/v1/users/${other.id}/tokens`, { auth: u.auth, body: { name: 'x' } }), 403, 'forbidden');
    const stored = await t.keyplane.db('user_tokens').where({ user_id: u.id });
    expect(JSON.stringify(stored)).not.toContain(own.body.token);
  });

  test('an expiring token stops working', async () => {
    const org = await newOrg(t);
    const u = await newUser(org);
    const res = await call(t, 'POST', `/v1/users/${u.id}/tokens`, { auth: org.admin, body: { name: 'short', expires_at: new Date(Date.now() + 60_000).toISOString() } });
    expect((await call(t, 'GET', '/v1/me', { auth: { bearer: res.body.token } })).status).toBe(200);
    await t.keyplane.db('user_tokens').where({ id: res.body.id }).update({ expires_at: t.keyplane.db.raw(`now() - interval '1 second'`) });
    expectProblem(await call(t, 'GET', '/v1/me', { auth: { bearer: res.body.token } }), 401, 'unauthenticated');
  });

  test.each([
    ['missing name', {}],
    ['blank name', { name: ' ' }],
    ['bad expiry', { name: 'x', expires_at: 'soon' }],
  ])('%s → 400', async (_n, body) => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'POST', `/v1/users/${org.adminId}/tokens`, { auth: org.admin, body }), 400, 'validation_failed');
  });

  test('an expiry in the past → 400', async () => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'POST', `/v1/users/${org.adminId}/tokens`, { auth: org.admin, body: { name: 'x', expires_at: '2000-01-01T00:00:00Z' } }), 400, 'validation_failed');
  });
});
