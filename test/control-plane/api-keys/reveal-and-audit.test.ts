import { archiveKey, call, expectProblem, newKey, newOrg, newUser, startServer, type TestServer } from '../helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

describe('POST /v1/api_keys/{id}/reveal', () => {
  test('returns the secret and records who revealed it', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { permissions: ['counterparties:read'] });
    const res = await call(t, 'POST', `/v1/api_keys/${k.id}/reveal`, { auth: org.admin });
    expect(res.status).toBe(200);
    expect(res.body.secret).toBe(k.secret);
    expect(res.headers['cache-control']).toBe('no-store');
    const events = (await call(t, 'GET', `/v1/audit_events?action=api_key.secret_revealed`, { auth: org.admin })).body.data;
    expect(events).toHaveLength(1);
    expect(events[0].actor).toEqual({ type: 'user', id: org.adminId });
    expect(events[0].entity).toEqual({ type: 'api_key', id: k.id });
    expect(events[0].request_id).toBe(res.headers['x-request-id']);
  });

  test('works for archived keys (investigations), whose secret still never authenticates', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    await archiveKey(org, k.id);
    const res = await call(t, 'POST', `/v1/api_keys/${k.id}/reveal`, { auth: org.admin });
    expect(res.body.secret).toBe(k.secret);
    expectProblem(await call(t, 'GET', '/v1/me', { auth: { bearer: res.body.secret } }), 401, 'unauthenticated');
  });

  test('a Manage key cannot reveal a stronger key (403 permission_escalation); a View key cannot reveal at all', async () => {
    const org = await newOrg(t);
    const manager = await newKey(org, { permissions: ['api_keys:write', 'counterparties:read'] });
    const strong = await newKey(org, { permissions: ['payment_orders:write'] });
    const res = await call(t, 'POST', `/v1/api_keys/${strong.id}/reveal`, { auth: manager.bearer });
    expectProblem(res, 403, 'permission_escalation');
    expect(res.body).not.toHaveProperty('secret');
    const weaker = await newKey(org, { permissions: ['counterparties:read'] });
    expect((await call(t, 'POST', `/v1/api_keys/${weaker.id}/reveal`, { auth: manager.bearer })).status).toBe(200);
    const viewer = await newUser(org, { developers_permission: 'view' });
    expectProblem(await call(t, 'POST', `/v1/api_keys/${weaker.id}/reveal`, { auth: viewer.auth }), 403, 'forbidden');
  });

  test('an account-restricted manager cannot reveal an unrestricted key', async () => {
    const org = await newOrg(t);
    const scoped = await newKey(org, { permissions: ['api_keys:write', 'payment_orders:read'], internal_account_ids: ['acc_1'] });
    const wide = await newKey(org, { permissions: ['payment_orders:read'] });
    expectProblem(await call(t, 'POST', `/v1/api_keys/${wide.id}/reveal`, { auth: scoped.bearer }), 403, 'permission_escalation');
  });

  test('unknown key → 404; malformed id → 400', async () => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'POST', '/v1/api_keys/key_00000000000000000000000000/reveal', { auth: org.admin }), 404, 'not_found');
    expectProblem(await call(t, 'POST', '/v1/api_keys/KEY/reveal', { auth: org.admin }), 400, 'validation_failed');
  });
});

describe('audit trails', () => {
  test("a key's trail holds its own lifecycle and what was done with it, newest first", async () => {
    const org = await newOrg(t);
    const manager = await newKey(org, { name: 'manager', permissions: ['api_keys:write', 'counterparties:read'] });
    const child = await newKey(org, { name: 'child', permissions: ['counterparties:read'] }, manager.bearer);
    await call(t, 'PATCH', `/v1/api_keys/${manager.id}`, { auth: org.admin, body: { name: 'manager-2' } });
    await call(t, 'POST', `/v1/api_keys/${child.id}/reveal`, { auth: manager.bearer });
    const trail = (await call(t, 'GET', `/v1/api_keys/${manager.id}/audit_events`, { auth: org.admin })).body.data;
    expect(trail.map((e: any) => [e.action, e.entity.id, e.actor.id])).toEqual([
      ['api_key.secret_revealed', child.id, manager.id],
      ['api_key.renamed', manager.id, org.adminId],
      ['api_key.created', child.id, manager.id],
      ['api_key.created', manager.id, org.adminId],
    ]);
  });

  test('the organization trail filters by action, actor and entity and pages newest first', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { name: 'x' });
    for (let i = 0; i < 3; i++) await call(t, 'PATCH', `/v1/api_keys/${k.id}`, { auth: org.admin, body: { name: `x${i}` } });
    const all = (await call(t, 'GET', '/v1/audit_events?per_page=100', { auth: org.admin })).body.data;
    expect(all.map((e: any) => e.action).slice(-3)).toEqual(['user_token.created', 'user.created', 'organization.created']);
    expect(all[all.length - 1].actor).toBeNull();
    const renames = await call(t, 'GET', `/v1/audit_events?action=api_key.renamed&entity_id=${k.id}&actor_id=${org.adminId}&per_page=2`, { auth: org.admin });
    expect(renames.body.data.map((e: any) => e.changes.after.name)).toEqual(['x2', 'x1']);
    const next = await call(t, 'GET', `/v1/audit_events?action=api_key.renamed&entity_id=${k.id}&per_page=2&after_cursor=${renames.body.next_cursor}`, { auth: org.admin });
    expect(next.body.data.map((e: any) => e.changes.after.name)).toEqual(['x0']);
    expect(next.body.next_cursor).toBeNull();
  });

  test.each([['action=api_key.deleted'], ['actor_id=tok_x'], ['entity_id=nope'], ['per_page=1000']])('bad filter %s → 400', async (q) => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'GET', `/v1/audit_events?${q}`, { auth: org.admin }), 400, 'validation_failed');
  });

  test('audit trails are for organization admins only', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    const manager = await newUser(org, { developers_permission: 'manage' });
    expectProblem(await call(t, 'GET', '/v1/audit_events', { auth: manager.auth }), 403, 'forbidden');
    expectProblem(await call(t, 'GET', `/v1/api_keys/${k.id}/audit_events`, { auth: k.bearer }), 403, 'forbidden');
  });

  test('the audit table is append-only, also in SQL', async () => {
    const org = await newOrg(t);
    await expect(t.keyplane.db('audit_events').where({ organization_id: org.id }).update({ action: 'user.updated' })).rejects.toThrow(/append-only/);
    await expect(t.keyplane.db('audit_events').where({ organization_id: org.id }).delete()).rejects.toThrow(/append-only/);
  });
});
