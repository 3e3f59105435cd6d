// The one authorization matrix every route runs through: no credentials, malformed header, wrong
// secret, archived key, expired key, another organization's key and objects, missing permission,
// IP outside the allowlist, a spoofed X-Forwarded-For from an untrusted peer (refused) and the
// same header from a trusted proxy (honoured). A route added to openapi.yaml without a row here
// fails the coverage test.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  call,
  expectProblem,
  expireKey,
  archiveKey,
  flushRequestLogs,
  newKey,
  newOrg,
  newUser,
  startServer,
  TRUSTED_PROXY,
  unknownButWellFormedSecret,
  type Auth,
  type Key,
  type Org,
  type TestServer,
} from './helpers';

type Access = 'any' | 'keys:read' | 'keys:write' | 'authorize' | 'admin' | 'user';

interface Fixture {
  a: Org;
  b: Org;
  full: Key; // *:write in org A
  weak: Key; // counterparties:read only
  archived: Key;
  expired: Key;
  ipOnly: Key; // *:write, allowed only from 10.9.9.9
  member: { id: string; token: string; auth: Auth };
}

interface RouteCase {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH';
  access: Access;
  ok: number;
  /** Builds the path (and any fresh object it needs) in organization `org`. */
  path(f: Fixture, org: Org): Promise<string> | string;
  body?(f: Fixture): unknown;
  /** Whether the path names an object of the organization (→ 404 from another organization). */
  objectRoute?: boolean;
}

const freshKey = async (org: Org) => (await newKey(org, { name: 'target', permissions: ['counterparties:read'] })).id;
const freshUser = async (org: Org) => (await newUser(org, { role: 'member' })).id;

const ROUTES: RouteCase[] = [
  { operationId: 'getMe', method: 'GET', access: 'any', ok: 200, path: () => '/v1/me' },
  { operationId: 'listPermissions', method: 'GET', access: 'any', ok: 200, path: () => '/v1/permissions' },
  { operationId: 'listApiKeys', method: 'GET', access: 'keys:read', ok: 200, path: () => '/v1/api_keys' },
  {
    operationId: 'createApiKey',
    method: 'POST',
    access: 'keys:write',
    ok: 201,
    path: () => '/v1/api_keys',
    // Inside the IP-restricted key's allowlist: a key's limits carry over to the keys it creates.
    body: () => ({ name: 'matrix', permissions: ['counterparties:read'], allowed_ips: ['10.9.9.9'] }),
  },
  { operationId: 'getApiKey', method: 'GET', access: 'keys:read', ok: 200, objectRoute: true, path: async (_f, org) => `/v1/api_keys/${await freshKey(org)}` },
  {
    operationId: 'updateApiKey',
    method: 'PATCH',
    access: 'keys:write',
    ok: 200,
    objectRoute: true,
    path: async (_f, org) => `/v1/api_keys/${await freshKey(org)}`,
    body: () => ({ name: 'renamed' }),
  },
  { operationId: 'archiveApiKey', method: 'POST', access: 'keys:write', ok: 200, objectRoute: true, path: async (_f, org) => `/v1/api_keys/${await freshKey(org)}/archive` },
  { operationId: 'revealApiKey', method: 'POST', access: 'keys:write', ok: 200, objectRoute: true, path: async (_f, org) => `/v1/api_keys/${await freshKey(org)}/reveal` },
  { operationId: 'listApiKeyRequestLogs', method: 'GET', access: 'keys:read', ok: 200, objectRoute: true, path: async (_f, org) => `/v1/api_keys/${await freshKey(org)}/request_logs` },
  { operationId: 'listApiKeyAuditEvents', method: 'GET', access: 'admin', ok: 200, objectRoute: true, path: async (_f, org) => `/v1/api_keys/${await freshKey(org)}/audit_events` },
  { operationId: 'listAuditEvents', method: 'GET', access: 'admin', ok: 200, path: () => '/v1/audit_events' },
  {
    operationId: 'authorize',
    method: 'POST',
    access: 'authorize',
    ok: 200,
    path: () => '/v1/authorize',
    body: (f) => ({ credential: f.weak.secret, permission: 'counterparties:read' }),
  },
  { operationId: 'listUsers', method: 'GET', access: 'admin', ok: 200, path: () => '/v1/users' },
  {
    operationId: 'createUser',
    method: 'POST',
    access: 'admin',
    ok: 201,
    path: () => '/v1/users',
    body: () => ({ email: `m-${Math.random().toString(36).slice(2)}@example.com` }),
  },
  {
    operationId: 'updateUser',
    method: 'PATCH',
    access: 'admin',
    ok: 200,
    objectRoute: true,
    path: async (_f, org) => `/v1/users/${await freshUser(org)}`,
    body: () => ({ developers_permission: 'view' }),
  },
  {
    operationId: 'createUserToken',
    method: 'POST',
    access: 'user',
    ok: 201,
    objectRoute: true,
    path: async (_f, org) => `/v1/users/${await freshUser(org)}/tokens`,
    body: () => ({ name: 'matrix' }),
  },
];

const PUBLIC = ['getHealth', 'getReadiness', 'getOpenApi'];

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

test('every operation of openapi.yaml is in the matrix (or public)', () => {
  const spec = YAML.parse(fs.readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'));
  const ids: string[] = [];
  for (const item of Object.values(spec.paths) as Record<string, { operationId?: string }>[]) {
    for (const op of Object.values(item)) if (op && typeof op === 'object' && op.operationId) ids.push(op.operationId);
  }
  expect([...ROUTES.map((r) => r.operationId), ...PUBLIC].sort()).toEqual(ids.sort());
});

describe.each(PUBLIC.map((id) => [id]))('%s is public', (operationId) => {
  const p = { getHealth: '/healthz', getReadiness: '/readyz', getOpenApi: '/openapi.yaml' }[operationId]!;
  test('answers without credentials, and ignores garbage ones', async () => {
    expect((await call(t, 'GET', p)).status).toBe(200);
    expect((await call(t, 'GET', p, { auth: { header: 'Bearer nonsense' } })).status).toBe(200);
  });
});

/** Whether a principal with these holdings passes the route's check. */
function keyMay(access: Access, perms: 'full' | 'weak'): boolean {
  if (access === 'any') return true;
  if (access === 'admin' || access === 'user') return false; // keys never are users
  return perms === 'full';
}

describe.each(ROUTES.map((r) => [r.operationId, r] as const))('%s', (_id, route) => {
  let f: Fixture;
  beforeAll(async () => {
    const a = await newOrg(t);
    const b = await newOrg(t);
    const full = await newKey(a, { name: 'full', permissions: ['*:write'] });
    const weak = await newKey(a, { name: 'weak', permissions: ['counterparties:read'] });
    const archived = await newKey(a, { name: 'archived', permissions: ['*:write'] });
    await archiveKey(a, archived.id);
    const expired = await newKey(a, { name: 'expired', permissions: ['*:write'] });
    await expireKey(t, expired.id);
    const ipOnly = await newKey(a, { name: 'ip', permissions: ['*:write'], allowed_ips: ['10.9.9.9'] });
    const member = await newUser(a, { role: 'member', developers_permission: 'manage' });
    f = { a, b, full, weak, archived, expired, ipOnly, member };
  });

  const send = async (auth: Auth | undefined, extra: { headers?: Record<string, string>; localAddress?: string; org?: 'a' | 'b' } = {}) => {
    const org = extra.org === 'b' ? f.b : f.a;
    return call(t, route.method, await route.path(f, org), { auth, body: route.body?.(f), headers: extra.headers, localAddress: extra.localAddress });
  };

  test('no credentials → 401 with WWW-Authenticate', async () => {
    const res = await send(undefined);
    expectProblem(res, 401, 'unauthenticated');
    expect(res.headers['www-authenticate']).toMatch(/Basic.*Bearer/);
  });

  test.each([
    ['an unknown scheme', 'Token abc'],
    ['Bearer without a value', 'Bearer'],
    ['Basic that is not base64', 'Basic !!!not-base64!!!'],
    ['Basic without a colon', `Basic ${Buffer.from('no-colon-here').toString('base64')}`],
    ['a secret that is not a secret', 'Bearer not-a-secret'],
  ])('malformed header (%s) → 401', async (_name, header) => {
    expectProblem(await send({ header }), 401, 'unauthenticated');
  });

  test('wrong secret (well-formed, unknown) and a bad checksum → 401', async () => {
    expectProblem(await send({ bearer: unknownButWellFormedSecret() }), 401, 'unauthenticated');
    const s = f.full.secret;
    const tampered = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    expectProblem(await send({ bearer: tampered }), 401, 'unauthenticated');
    expectProblem(await send({ basic: [f.a.id, unknownButWellFormedSecret()] }), 401, 'unauthenticated');
  });

  test('archived key → 401 (Bearer and Basic)', async () => {
    expectProblem(await send(f.archived.bearer), 401, 'unauthenticated');
    expectProblem(await send(f.archived.basic), 401, 'unauthenticated');
  });

  test('expired key → 401', async () => {
    expectProblem(await send(f.expired.bearer), 401, 'unauthenticated');
  });

  test("another organization's key with this organization's ID → 401", async () => {
    const other = await newKey(f.b, { permissions: ['*:write'] });
    expectProblem(await send({ basic: [f.a.id, other.secret] }), 401, 'unauthenticated');
    // and this organization's key with the other organization's ID
    expectProblem(await send({ basic: [f.b.id, f.full.secret] }), 401, 'unauthenticated');
  });

  if (route.objectRoute) {
    test("another organization's object → 404, never 403", async () => {
      const principal = route.access === 'admin' || route.access === 'user' ? f.b.admin : (await newKey(f.b, { permissions: ['*:write'] })).bearer;
      expectProblem(await call(t, route.method, await route.path(f, f.a), { auth: principal, body: route.body?.(f) }), 404, 'not_found');
    });
  }

  test(keyMay(route.access, 'weak') ? 'a key without special permissions may call it' : 'missing permission → 403', async () => {
    const res = await send(f.weak.bearer);
    if (keyMay(route.access, 'weak')) expect(res.status).toBe(route.ok);
    else expectProblem(res, 403, 'forbidden');
  });

  if (route.access === 'admin' || route.access === 'user') {
    test('a key holding *:write is still refused (users only)', async () => {
      expectProblem(await send(f.full.bearer), 403, 'forbidden');
    });
  }
  if (route.access === 'admin') {
    test('a member user (even with Manage) → 403', async () => {
      expectProblem(await send(f.member.auth), 403, 'forbidden');
    });
  }

  test('IP outside the allowlist → 403 ip_not_allowed', async () => {
    expectProblem(await send(f.ipOnly.bearer), 403, 'ip_not_allowed');
  });

  test('X-Forwarded-For from an untrusted peer is ignored (spoofing) → 403', async () => {
    expectProblem(await send(f.ipOnly.bearer, { headers: { 'X-Forwarded-For': '10.9.9.9' } }), 403, 'ip_not_allowed');
    expectProblem(await send(f.ipOnly.bearer, { headers: { 'X-Forwarded-For': '10.9.9.9, 127.0.0.1' } }), 403, 'ip_not_allowed');
  });

  test('X-Forwarded-For from a trusted proxy is honoured', async () => {
    const res = await send(f.ipOnly.bearer, { headers: { 'X-Forwarded-For': '10.9.9.9' }, localAddress: TRUSTED_PROXY });
    if (keyMay(route.access, 'full')) expect(res.status).toBe(route.ok);
    else expectProblem(res, 403, 'forbidden');
    // the trusted proxy relaying some other client is still refused
    const other = await send(f.ipOnly.bearer, { headers: { 'X-Forwarded-For': '10.9.9.8' }, localAddress: TRUSTED_PROXY });
    expectProblem(other, 403, 'ip_not_allowed');
  });

  test('an allowed principal succeeds (Bearer and Basic)', async () => {
    if (route.access === 'admin' || route.access === 'user') {
      expect((await send(f.a.admin)).status).toBe(route.ok);
      expect((await send({ basic: [f.a.id, f.a.adminToken] })).status).toBe(route.ok);
    } else {
      expect((await send(f.full.bearer)).status).toBe(route.ok);
      expect((await send(f.full.basic)).status).toBe(route.ok);
    }
  });

  test("refusals of identified keys land in that key's request log, with the reason", async () => {
    await flushRequestLogs(t);
    const logOf = async (k: Key) => (await call(t, 'GET', `/v1/api_keys/${k.id}/request_logs?per_page=100`, { auth: f.a.admin })).body.data as any[];
    const archivedLog = await logOf(f.archived);
    expect(archivedLog.some((e) => e.status === 401 && e.decision_reason === 'archived')).toBe(true);
    const expiredLog = await logOf(f.expired);
    expect(expiredLog.some((e) => e.status === 401 && e.decision_reason === 'expired')).toBe(true);
    const ipLog = await logOf(f.ipOnly);
    expect(ipLog.some((e) => e.status === 403 && e.decision_reason === 'ip_not_allowed' && e.client_ip === '127.0.0.1')).toBe(true);
    expect(ipLog.some((e) => e.client_ip === '10.9.9.9')).toBe(true);
  });
});
