import { archiveKey, call, expectProblem, newKey, newOrg, startServer, type TestServer } from '../helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

describe('GET /v1/api_keys', () => {
  test('lists active keys oldest first, never with secrets; include_archived adds archived ones', async () => {
    const org = await newOrg(t);
    const a = await newKey(org, { name: 'a' });
    const b = await newKey(org, { name: 'b' });
    const c = await newKey(org, { name: 'c' });
    await archiveKey(org, b.id);
    const active = await call(t, 'GET', '/v1/api_keys', { auth: org.admin });
    expect(active.status).toBe(200);
    expect(active.body.data.map((k: any) => k.id)).toEqual([a.id, c.id]);
    expect(active.body.next_cursor).toBeNull();
    for (const k of active.body.data) expect(k).not.toHaveProperty('secret');
    const all = await call(t, 'GET', '/v1/api_keys?include_archived=true', { auth: org.admin });
    expect(all.body.data.map((k: any) => [k.id, k.status])).toEqual([[a.id, 'active'], [b.id, 'archived'], [c.id, 'active']]);
    expect(JSON.stringify(all.body)).not.toMatch(/kp_[0-9A-Za-z]{20}/);
  });

  test('filters by exact name', async () => {
    const org = await newOrg(t);
    await newKey(org, { name: 'ci' });
    await newKey(org, { name: 'ci-2' });
    const res = await call(t, 'GET', '/v1/api_keys?name=ci', { auth: org.admin });
    expect(res.body.data.map((k: any) => k.name)).toEqual(['ci']);
  });

  test('filters by a name with characters encodeURIComponent leaves as they are', async () => {
    const org = await newOrg(t);
    const name = "ci (prod)! it's *the* one";
    await newKey(org, { name });
    const res = await call(t, 'GET', `/v1/api_keys?name=${encodeURIComponent(name)}`, { auth: org.admin });
    expect(res.status).toBe(200);
    expect(res.body.data.map((k: any) => k.name)).toEqual([name]);
  });

  test('pages with per_page and after_cursor, each key exactly once', async () => {
    const org = await newOrg(t);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await newKey(org, { name: `p${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await call(t, 'GET', `/v1/api_keys?per_page=3${cursor ? `&after_cursor=${cursor}` : ''}`, { auth: org.admin });
      seen.push(...res.body.data.map((k: any) => k.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  test('pagination is stable under concurrent inserts: no key twice, none missed, new ones after', async () => {
    const org = await newOrg(t);
    const before: string[] = [];
    for (let i = 0; i < 12; i++) before.push((await newKey(org, { name: `before-${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    const inserts: Promise<unknown>[] = [];
    do {
      // a writer races every page
      inserts.push(newKey(org, { name: 'during' }), newKey(org, { name: 'during' }));
      const res: any = await call(t, 'GET', `/v1/api_keys?per_page=4${cursor ? `&after_cursor=${cursor}` : ''}`, { auth: org.admin });
      seen.push(...res.body.data.map((k: any) => k.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    await Promise.all(inserts);
    expect(new Set(seen).size).toBe(seen.length);
    // every key that existed when paging started, exactly once, in creation order, before any new one
    expect(seen.slice(0, before.length)).toEqual(before);
    const all = await call(t, 'GET', '/v1/api_keys?per_page=100', { auth: org.admin });
    expect(all.body.data).toHaveLength(before.length + inserts.length);
  });

  test.each([
    ['per_page=0', 'per_page'],
    ['per_page=101', 'per_page'],
    ['per_page=abc', 'per_page'],
    ['include_archived=maybe', 'include_archived'],
    ['name=', 'name'],
    ['after_cursor=has%20space', 'after_cursor'],
    ['unknown=1', 'unknown'],
  ])('%s → 400 validation_failed', async (query, param) => {
    const org = await newOrg(t);
    const res = await call(t, 'GET', `/v1/api_keys?${query}`, { auth: org.admin });
    expectProblem(res, 400, 'validation_failed');
    expect(JSON.stringify(res.body.errors)).toContain(param);
  });

  test('a cursor this server did not issue → 400 invalid_cursor', async () => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'GET', '/v1/api_keys?after_cursor=bm9wZQ', { auth: org.admin }), 400, 'invalid_cursor');
  });

  test("another organization's keys never show up", async () => {
    const a = await newOrg(t);
    const b = await newOrg(t);
    await newKey(b, { name: 'theirs' });
    const res = await call(t, 'GET', '/v1/api_keys', { auth: a.admin });
    expect(res.body.data).toEqual([]);
  });
});

describe('GET /v1/api_keys/{id}', () => {
  test('reads a key, active or archived, without its secret', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { name: 'one', permissions: ['counterparties:read'] });
    const res = await call(t, 'GET', `/v1/api_keys/${k.id}`, { auth: org.admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...k.body, secret: undefined, last_used_at: res.body.last_used_at });
    expect(res.body).not.toHaveProperty('secret');
    await archiveKey(org, k.id);
    const archived = await call(t, 'GET', `/v1/api_keys/${k.id}`, { auth: org.admin });
    expect(archived.body.status).toBe('archived');
    expect(archived.body.archived_at).not.toBeNull();
  });

  test('a malformed ID → 400, an unknown one → 404', async () => {
    const org = await newOrg(t);
    expectProblem(await call(t, 'GET', '/v1/api_keys/nope', { auth: org.admin }), 400, 'validation_failed');
    expectProblem(await call(t, 'GET', '/v1/api_keys/key_00000000000000000000000000', { auth: org.admin }), 404, 'not_found');
  });

  test('a key with View (api_keys:read) reads keys; last_used_at follows its use', async () => {
    const org = await newOrg(t);
    const viewer = await newKey(org, { permissions: ['api_keys:read'] });
    expect((await call(t, 'GET', `/v1/api_keys/${viewer.id}`, { auth: viewer.bearer })).status).toBe(200);
    await t.keyplane.requestLog.flush();
    const res = await call(t, 'GET', `/v1/api_keys/${viewer.id}`, { auth: org.admin });
    expect(res.body.last_used_at).not.toBeNull();
  });
});
