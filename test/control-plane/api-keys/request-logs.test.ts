import { archiveKey, call, expectProblem, expireKey, flushRequestLogs, newKey, newOrg, startServer, TRUSTED_PROXY, type TestServer } from '../helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

const logOf = async (org: any, id: string, query = '') => {
  await flushRequestLogs(t);
  const res = await call(t, 'GET', `/v1/api_keys/${id}/request_logs${query}`, { auth: org.admin });
  expect(res.status).toBe(200);
  return res.body;
};

describe('GET /v1/api_keys/{id}/request_logs', () => {
  test('records every outcome of key-authenticated requests, newest first, never the secret', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { permissions: ['counterparties:read'] });
    const ok = await call(t, 'GET', '/v1/me', { auth: k.bearer, headers: { 'User-Agent': 'curl/8', 'X-Request-Id': 'req-client-1' } });
    const forbidden = await call(t, 'GET', '/v1/api_keys', { auth: k.bearer });
    const invalid = await call(t, 'GET', '/v1/api_keys/nope', { auth: k.basic });
    const missing = await call(t, 'GET', '/v1/nowhere', { auth: k.bearer });
    const wrongMethod = await call(t, 'DELETE', '/v1/me', { auth: k.bearer });
    const notJson = await call(t, 'POST', '/v1/authorize', { auth: k.bearer, raw: { contentType: 'text/plain', data: 'x' } });
    const tooLarge = await call(t, 'POST', '/v1/authorize', { auth: k.bearer, raw: { contentType: 'application/json', data: JSON.stringify({ credential: 'x'.repeat(70_000) }) } });
    expect([ok.status, forbidden.status, invalid.status, missing.status, wrongMethod.status, notJson.status, tooLarge.status]).toEqual([200, 403, 400, 404, 405, 415, 413]);
    const log = await logOf(org, k.id);
    const rows = log.data.map((e: any) => [e.method, e.path, e.status, e.decision_reason]);
    expect(rows).toEqual([
      ['POST', '/v1/authorize', 413, 'payload_too_large'],
      ['POST', '/v1/authorize', 415, 'unsupported_media_type'],
      ['DELETE', '/v1/me', 405, 'method_not_allowed'],
      ['GET', '/v1/nowhere', 404, 'not_found'],
      ['GET', '/v1/api_keys/nope', 400, 'validation_failed'],
      ['GET', '/v1/api_keys', 403, 'forbidden'],
      ['GET', '/v1/me', 200, null],
    ]);
    const first = log.data[log.data.length - 1];
    expect(first).toMatchObject({ api_key_id: k.id, source: 'control_plane', client_ip: '127.0.0.1', user_agent: 'curl/8', request_id: 'req-client-1' });
    expect(first.duration_ms).toBeGreaterThan(0);
    expect(Date.parse(first.occurred_at)).toBeLessThanOrEqual(Date.now());
    expect(JSON.stringify(log)).not.toContain(k.secret);
  });

  test('archived, expired and IP-refused requests are logged with their reason; archived keys keep their log', async () => {
    const org = await newOrg(t);
    const archived = await newKey(org);
    await call(t, 'GET', '/v1/me', { auth: archived.bearer });
    await archiveKey(org, archived.id);
    await call(t, 'GET', '/v1/me', { auth: archived.bearer });
    const expired = await newKey(org);
    await expireKey(t, expired.id);
    await call(t, 'GET', '/v1/me', { auth: expired.bearer });
    const ip = await newKey(org, { allowed_ips: ['10.1.1.1'] });
    await call(t, 'GET', '/v1/me', { auth: ip.bearer });
    await call(t, 'GET', '/v1/me', { auth: ip.bearer, localAddress: TRUSTED_PROXY, headers: { 'X-Forwarded-For': '10.1.1.1' } });
    expect((await logOf(org, archived.id)).data.map((e: any) => [e.status, e.decision_reason])).toEqual([[401, 'archived'], [200, null]]);
    expect((await logOf(org, expired.id)).data.map((e: any) => [e.status, e.decision_reason])).toEqual([[401, 'expired']]);
    expect((await logOf(org, ip.id)).data.map((e: any) => [e.status, e.decision_reason, e.client_ip])).toEqual([
      [200, null, '10.1.1.1'],
      [403, 'ip_not_allowed', '127.0.0.1'],
    ]);
  });

  test('authorization decisions land in the log of the key they are about', async () => {
    const org = await newOrg(t);
    const gateway = await newKey(org, { permissions: ['authorizations:write'] });
    const k = await newKey(org, { permissions: ['payment_orders:read'] });
    await call(t, 'POST', '/v1/authorize', { auth: gateway.bearer, body: { credential: k.secret, permission: 'payment_orders:read', method: 'GET', path: '/payment_orders?page=2', client_ip: '::ffff:10.0.0.5', user_agent: 'svc', request_id: 'gw-1' } });
    await call(t, 'POST', '/v1/authorize', { auth: gateway.bearer, body: { credential: k.secret, permission: 'payment_orders:write' } });
    const log = await logOf(org, k.id, '?source=authorization');
    expect(log.data.map((e: any) => [e.source, e.status, e.decision_reason])).toEqual([
      ['authorization', 403, 'missing_permission'],
      ['authorization', 200, 'allowed'],
    ]);
    expect(log.data[1]).toMatchObject({ method: 'GET', path: '/payment_orders', client_ip: '10.0.0.5', user_agent: 'svc', request_id: 'gw-1' });
    const own = await logOf(org, gateway.id);
    expect(own.data.every((e: any) => e.source === 'control_plane' && e.path === '/v1/authorize')).toBe(true);
  });

  test('filters by status, method, source and time; pages newest first', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { permissions: ['counterparties:read'] });
    const start = new Date().toISOString();
    for (let i = 0; i < 5; i++) await call(t, 'GET', '/v1/me', { auth: k.bearer });
    await call(t, 'POST', '/v1/api_keys', { auth: k.bearer, body: { name: 'x', permissions: ['*:read'] } });
    expect((await logOf(org, k.id, '?status=403')).data).toHaveLength(1);
    expect((await logOf(org, k.id, '?method=POST')).data).toHaveLength(1);
    expect((await logOf(org, k.id, '?source=control_plane')).data).toHaveLength(6);
    expect((await logOf(org, k.id, `?since=${encodeURIComponent(start)}`)).data).toHaveLength(6);
    expect((await logOf(org, k.id, `?until=${encodeURIComponent(start)}`)).data).toHaveLength(0);
    const p1 = await logOf(org, k.id, '?per_page=4');
    expect(p1.data).toHaveLength(4);
    const p2 = await logOf(org, k.id, `?per_page=4&after_cursor=${p1.next_cursor}`);
    expect(p2.data).toHaveLength(2);
    expect(p2.next_cursor).toBeNull();
    expect(new Set([...p1.data, ...p2.data].map((e: any) => e.id)).size).toBe(6);
  });

  test.each([['status=99'], ['method=TRACE'], ['source=db'], ['since=yesterday'], ['per_page=0']])('bad filter %s → 400', async (q) => {
    const org = await newOrg(t);
    const k = await newKey(org);
    expectProblem(await call(t, 'GET', `/v1/api_keys/${k.id}/request_logs?${q}`, { auth: org.admin }), 400, 'validation_failed');
  });

  test('user-token requests are not key requests and log nothing', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    await call(t, 'GET', `/v1/api_keys/${k.id}`, { auth: org.admin });
    expect((await logOf(org, k.id)).data).toEqual([]);
  });

  test('writes are batched: nothing lands before a flush, last_used_at follows it', async () => {
    const slow = await startServer({ KEYPLANE_REQUEST_LOG_FLUSH_MS: '60000' });
    const org = await newOrg(slow);
    const k = await newKey(org);
    await call(slow, 'GET', '/v1/me', { auth: k.bearer });
    expect(slow.keyplane.requestLog.pending).toBe(1);
    expect(Number((await slow.keyplane.db('request_logs').where({ api_key_id: k.id }).count({ n: '*' }))[0]!.n)).toBe(0);
    await slow.keyplane.requestLog.flush();
    expect(Number((await slow.keyplane.db('request_logs').where({ api_key_id: k.id }).count({ n: '*' }))[0]!.n)).toBe(1);
    const key = await call(slow, 'GET', `/v1/api_keys/${k.id}`, { auth: org.admin });
    expect(key.body.last_used_at).not.toBeNull();
  });

  test('the buffer is bounded: beyond it entries are dropped and counted in a warning', async () => {
    const tiny = await startServer({ KEYPLANE_REQUEST_LOG_FLUSH_MS: '60000', KEYPLANE_REQUEST_LOG_BUFFER: '3', KEYPLANE_REQUEST_LOG_BATCH: '1000' });
    const org = await newOrg(tiny);
    const k = await newKey(org);
    for (let i = 0; i < 5; i++) await call(tiny, 'GET', '/v1/me', { auth: k.bearer });
    expect(tiny.keyplane.requestLog.pending).toBe(3);
    await tiny.keyplane.requestLog.flush();
    expect(tiny.logs.some((l) => /"entries dropped"|entries dropped/.test(l) && l.includes('"dropped":2'))).toBe(true);
  });

  test('closing the app flushes the buffer (graceful shutdown)', async () => {
    const s = await startServer({ KEYPLANE_REQUEST_LOG_FLUSH_MS: '60000' });
    const org = await newOrg(s);
    const k = await newKey(org);
    await call(s, 'GET', '/v1/me', { auth: k.bearer });
    expect(s.keyplane.requestLog.pending).toBe(1);
    await s.keyplane.requestLog.close();
    expect(s.keyplane.requestLog.pending).toBe(0);
    expect(Number((await s.keyplane.db('request_logs').where({ api_key_id: k.id }).count({ n: '*' }))[0]!.n)).toBe(1);
  });
});
