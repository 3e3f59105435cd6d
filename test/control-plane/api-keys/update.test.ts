import { archiveKey, call, expectProblem, newKey, newOrg, startServer, type TestServer } from '../helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

const patch = (auth: any, id: string, body: unknown) => call(t, 'PATCH', `/v1/api_keys/${id}`, { auth, body });

describe('PATCH /v1/api_keys/{id} — success', () => {
  test('renames and changes allowed IPs (canonical), auditing each with before and after', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { name: 'old', allowed_ips: ['10.0.0.1'] });
    const res = await patch(org.admin, k.id, { name: 'new', allowed_ips: ['2001:DB8::1', '10.1.0.0/16'] });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('new');
    expect(res.body.allowed_ips).toEqual(['10.1.0.0/16', '2001:db8::1/128']);
    expect(res.body.permissions).toEqual(k.body.permissions);
    const events = (await call(t, 'GET', `/v1/api_keys/${k.id}/audit_events`, { auth: org.admin })).body.data;
    const renamed = events.find((e: any) => e.action === 'api_key.renamed');
    expect(renamed.changes).toEqual({ before: { name: 'old' }, after: { name: 'new' } });
    const ips = events.find((e: any) => e.action === 'api_key.allowed_ips_changed');
    expect(ips.changes).toEqual({ before: { allowed_ips: ['10.0.0.1/32'] }, after: { allowed_ips: ['10.1.0.0/16', '2001:db8::1/128'] } });
  });

  test('an equivalent spelling is a no-op and writes no audit event', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { name: 'same', allowed_ips: ['10.0.0.1/32'] });
    const res = await patch(org.admin, k.id, { name: 'same', allowed_ips: ['10.0.0.1'] });
    expect(res.status).toBe(200);
    const events = (await call(t, 'GET', `/v1/api_keys/${k.id}/audit_events`, { auth: org.admin })).body.data;
    expect(events.map((e: any) => e.action)).toEqual(['api_key.created']);
  });

  test('clearing allowed_ips allows any address again', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { permissions: ['counterparties:read'], allowed_ips: ['10.0.0.1'] });
    expectProblem(await call(t, 'GET', '/v1/me', { auth: k.bearer }), 403, 'ip_not_allowed');
    await patch(org.admin, k.id, { allowed_ips: [] });
    expect((await call(t, 'GET', '/v1/me', { auth: k.bearer })).status).toBe(200);
  });
});

describe('PATCH /v1/api_keys/{id} — permissions are immutable', () => {
  test.each([
    ['permissions', { permissions: ['*:write'] }],
    ['internal_account_ids', { internal_account_ids: ['acc_1'] }],
    ['expires_at', { expires_at: null }],
    ['permissions with a rename', { name: 'x', permissions: ['*:read'] }],
  ])('%s → 422 permissions_immutable explaining what to do', async (_n, body) => {
    const org = await newOrg(t);
    const k = await newKey(org, { name: 'keep' });
    const res = await patch(org.admin, k.id, body);
    expectProblem(res, 422, 'permissions_immutable');
    expect(res.body.detail).toMatch(/never change/);
    expect(res.body.detail).toMatch(/create a new key/i);
    expect(res.body.detail).toMatch(/archive/);
    const after = await call(t, 'GET', `/v1/api_keys/${k.id}`, { auth: org.admin });
    expect(after.body.name).toBe('keep');
    expect(after.body.permissions).toEqual(k.body.permissions);
  });
});

describe('PATCH /v1/api_keys/{id} — bad input and state', () => {
  test.each([
    ['empty body', {}],
    ['blank name', { name: ' ' }],
    ['unknown field', { status: 'active' }],
    ['allowed_ips not a list', { allowed_ips: '10.0.0.1' }],
  ])('%s → 400', async (_n, body) => {
    const org = await newOrg(t);
    const k = await newKey(org);
    expectProblem(await patch(org.admin, k.id, body), 400, 'validation_failed');
  });

  test('an invalid CIDR → 422 invalid_ip', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    expectProblem(await patch(org.admin, k.id, { allowed_ips: ['192.168.1.1/16'] }), 422, 'invalid_ip');
  });

  test('an archived key cannot be edited → 409 api_key_archived', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    await archiveKey(org, k.id);
    expectProblem(await patch(org.admin, k.id, { name: 'x' }), 409, 'api_key_archived');
  });

  test('a Manage key cannot edit a stronger key → 403 permission_escalation', async () => {
    const org = await newOrg(t);
    const manager = await newKey(org, { permissions: ['api_keys:write'] });
    const strong = await newKey(org, { permissions: ['payment_orders:write'] });
    const res = await patch(manager.bearer, strong.id, { name: 'pwned' });
    expectProblem(res, 403, 'permission_escalation');
    expect(res.body.missing_permissions).toEqual(['payment_orders:write']);
  });
});
