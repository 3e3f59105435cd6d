// Shared test harness for the control plane.
//
// - `startServer()` runs the real app on a real database: PostgreSQL when TEST_DATABASE_URL is set
//   (migrated once, shared; every test makes its own organization so nothing is shared), otherwise
//   the embedded PGlite in a fresh temporary directory.
// - Every response goes through `validateResponse` (ajv against openapi.yaml): undocumented
//   statuses and bodies that break the spec fail the test that made them.
// - Every log line and response is captured; when the file ends, the corpus (plus the request-log
//   and audit tables) is searched for every secret and token issued during the file. The only
//   place a secret may appear is the `secret`/`token` field of the response that issued or
//   revealed it.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import supertest from 'supertest';
import YAML from 'yaml';
import { createHash } from 'node:crypto';
import { createApp, type KeyplaneApp } from '../../control-plane/src/app';
import { loadConfig, type Config } from '../../control-plane/src/config';
import { createDb, migrate, MIGRATIONS_DIR } from '../../control-plane/src/db';
import { bootstrapOrganization } from '../../control-plane/src/services/bootstrap';

export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
export const TRUSTED_PROXY = '127.0.0.2';
const SPEC_PATH = path.resolve(__dirname, '../../openapi.yaml');

// ---------------------------------------------------------------------------------------------
// Response validation against the contract.

type Json = Record<string, any>;
const spec = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8')) as Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

const operations = Object.entries(spec.paths as Json).map(([template, item]) => ({
  template,
  regex: new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
  item: item as Json,
}));

function pointer(...parts: string[]): string {
  return 'openapi#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(ref: string) {
  let v = validators.get(ref);
  if (!v) {
    v = ajv.compile({ $ref: ref });
    validators.set(ref, v);
  }
  return v;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** Throws when the response is not what openapi.yaml documents for this operation and status. */
export function validateResponse(method: string, urlPath: string, res: ApiResponse): void {
  const p = urlPath.split('?')[0]!;
  const op = operations.find((o) => o.regex.test(p));
  const m = method.toLowerCase();
  const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  const problemRef = pointer('components', 'schemas', 'Problem');
  const fail = (why: string) => {
    throw new Error(`response breaks the contract: ${method} ${urlPath} → ${res.status}: ${why}\n${res.text.slice(0, 2000)}`);
  };
  if (!op || !op.item[m]) {
    // Unknown routes and methods answer a problem (404 / 405; 401 first under /v1 without credentials).
    if (![404, 405].includes(res.status) && !(res.status === 401 && p.startsWith('/v1/'))) fail('an undocumented route must answer 404 or 405');
    if (contentType !== 'application/problem+json') fail(`content-type ${contentType}`);
    const v = validatorFor(problemRef);
    if (!v(res.body)) fail(ajv.errorsText(v.errors));
    return;
  }
  const responses = op.item[m].responses as Json;
  let response = responses[String(res.status)];
  if (!response) {
    // Cross-cutting answers every operation can give: 413 (body too large), 500/503.
    if (res.status === 413 || res.status === 503 || res.status === 500) {
      if (contentType !== 'application/problem+json') fail(`content-type ${contentType}`);
      const v = validatorFor(problemRef);
      if (!v(res.body)) fail(ajv.errorsText(v.errors));
      if (res.status === 500) fail('500 internal error');
      return;
    }
    fail(`status ${res.status} is not documented for ${m.toUpperCase()} ${op.template}`);
  }
  let responsePath = ['paths', op.template, m, 'responses', String(res.status)];
  if (response.$ref) {
    const name = String(response.$ref).split('/').pop()!;
    response = spec.components.responses[name];
    responsePath = ['components', 'responses', name];
  }
  if (!response.content) return;
  if (!response.content[contentType]) fail(`content-type ${contentType} is not documented (${Object.keys(response.content).join(', ')})`);
  const v = validatorFor(pointer(...responsePath, 'content', contentType, 'schema'));
  const value = contentType.endsWith('json') ? res.body : contentType.endsWith('yaml') ? YAML.parse(res.text) : res.text;
  if (!v(value)) fail(ajv.errorsText(v.errors));
  for (const [name, header] of Object.entries((response.headers ?? {}) as Json)) {
    const actual = res.headers[name.toLowerCase()];
    if (actual !== undefined && header.schema?.enum && !header.schema.enum.includes(actual)) fail(`header ${name}: ${actual}`);
  }
  if (res.status === 401 && !res.headers['www-authenticate']) fail('401 without WWW-Authenticate');
}

// ---------------------------------------------------------------------------------------------
// Capture of everything a run shows, and the secret scan.

const issuedSecrets = new Set<string>();
const corpus: string[] = [];
const servers: TestServer[] = [];

function isIssuingResponse(method: string, urlPath: string, status: number): boolean {
  const p = urlPath.split('?')[0]!;
  if (method === 'POST' && p === '/v1/api_keys' && status === 201) return true;
  if (method === 'POST' && /^\/v1\/api_keys\/[^/]+\/reveal$/.test(p) && status === 200) return true;
  if (method === 'POST' && /^\/v1\/users\/[^/]+\/tokens$/.test(p) && status === 201) return true;
  return false;
}

function capture(method: string, urlPath: string, res: ApiResponse): void {
  let body = res.body;
  if (isIssuingResponse(method, urlPath, res.status) && body && typeof body === 'object') {
    if (typeof body.secret === 'string') issuedSecrets.add(body.secret);
    if (typeof body.token === 'string') issuedSecrets.add(body.token);
    body = { ...body, secret: undefined, token: undefined };
    corpus.push(JSON.stringify({ headers: res.headers, body }));
  } else {
    corpus.push(JSON.stringify(res.headers), res.text);
  }
}

export function rememberSecret(secret: string): void {
  issuedSecrets.add(secret);
}

/** Where any issued secret shows up in what the run captured (empty when none leaked). */
export function findLeaks(extra: string[] = []): string[] {
  const text = [...corpus, ...extra].join('\n');
  const leaks: string[] = [];
  for (const s of issuedSecrets) {
    const at = text.indexOf(s);
    if (at !== -1) leaks.push(`${s.slice(0, 12)}… found in: ${text.slice(Math.max(0, at - 200), at + 80)}`);
  }
  return leaks;
}

export function capturedLogs(): string[] {
  return servers.flatMap((s) => s.logs);
}

export function issuedSecretCount(): number {
  return issuedSecrets.size;
}

async function dumpTables(t: TestServer): Promise<string[]> {
  await t.keyplane.requestLog.flush();
  const out: string[] = [];
  for (const table of ['request_logs', 'audit_events', 'api_keys', 'user_tokens', 'users', 'idempotency_keys']) {
    const rows = await t.keyplane.db(table).select('*');
    out.push(JSON.stringify(rows, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v)));
  }
  return out;
}

afterAll(async () => {
  try {
    const dumps: string[] = [];
    for (const s of servers) dumps.push(...(s.scanTables ? await dumpTables(s) : []), ...s.logs);
    const leaks = findLeaks(dumps);
    if (leaks.length) throw new Error(`secrets leaked outside the create and reveal responses:\n${leaks.join('\n')}`);
  } finally {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  }
});

// ---------------------------------------------------------------------------------------------
// Servers.

export interface TestServer {
  keyplane: KeyplaneApp;
  server: http.Server;
  url: string;
  port: number;
  config: Config;
  logs: string[];
  /** False once a test has taken the database away on purpose. */
  scanTables: boolean;
  close(): Promise<void>;
}

export const usingPostgres = !!process.env.TEST_DATABASE_URL;

/**
 * A migrated embedded database to copy from: creating a PGlite cluster takes seconds, copying one
 * takes milliseconds. Keyed by the migrations and the PGlite version, built once per machine.
 */
async function pgliteTemplate(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of fs.readdirSync(MIGRATIONS_DIR).sort()) hash.update(f).update(fs.readFileSync(path.join(MIGRATIONS_DIR, f)));
  hash.update(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8')).version);
  const dir = path.join(os.tmpdir(), `keyplane-pglite-template-${hash.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(path.join(dir, 'ready'))) return dir;
  const building = fs.mkdtempSync(`${dir}.building-`);
  const db = createDb({ databaseUrl: undefined, dataDir: building, databasePoolMax: 1 });
  await migrate(db);
  await db.destroy();
  fs.writeFileSync(path.join(building, 'ready'), '');
  try {
    fs.renameSync(building, dir);
  } catch {
    fs.rmSync(building, { recursive: true, force: true }); // another worker won the race
  }
  return dir;
}

export async function startServer(env: Record<string, string> = {}, options: { requestLogging?: boolean } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyplane-test-'));
  if (!usingPostgres) fs.cpSync(await pgliteTemplate(), dataDir, { recursive: true });
  const config = loadConfig({
    KEYPLANE_DATA_DIR: dataDir,
    KEYPLANE_MASTER_KEY: TEST_MASTER_KEY,
    KEYPLANE_REQUEST_LOG_FLUSH_MS: '50',
    KEYPLANE_TRUSTED_PROXIES: `${TRUSTED_PROXY}/32`,
    LOG_LEVEL: 'debug',
    ...(usingPostgres ? { DATABASE_URL: process.env.TEST_DATABASE_URL! } : {}),
    ...env,
  });
  const logs: string[] = [];
  const keyplane = await createApp(config, { logSink: (line) => logs.push(line), requestLogging: options.requestLogging });
  const server = http.createServer(keyplane.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const t: TestServer = {
    keyplane,
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    logs,
    scanTables: true,
    close() {
      closed ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await keyplane.close().catch(() => undefined);
        fs.rmSync(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  servers.push(t);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Calling the API.

export type Auth = { bearer: string } | { basic: [string, string] } | { header: string } | undefined;

export interface CallOptions {
  auth?: Auth;
  body?: unknown;
  /** A raw body sent as is (with its own content type). */
  raw?: { contentType: string; data: string | Buffer };
  headers?: Record<string, string>;
  /** Connect from this local address (e.g. the trusted proxy 127.0.0.2). */
  localAddress?: string;
  /** Skip contract validation (only for deliberately off-contract probes such as 413). */
  skipValidation?: boolean;
}

function authHeader(auth: Auth): string | undefined {
  if (!auth) return undefined;
  if ('bearer' in auth) return `Bearer ${auth.bearer}`;
  if ('basic' in auth) return `Basic ${Buffer.from(`${auth.basic[0]}:${auth.basic[1]}`).toString('base64')}`;
  return auth.header;
}

function rawRequest(t: TestServer, method: string, urlPath: string, headers: Record<string, string>, data: Buffer | undefined, localAddress: string): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.port, method, path: urlPath, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = {};
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          body = {};
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers as ApiResponse['headers'], body, text });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** One HTTP call to the server; the response is captured for the secret scan and validated against the contract. */
export async function call(t: TestServer, method: string, urlPath: string, opts: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'user-agent': 'keyplane-tests', ...(opts.headers ?? {}) };
  const authorization = authHeader(opts.auth);
  if (authorization) headers.authorization = authorization;
  let data: Buffer | undefined;
  if (opts.raw) {
    headers['content-type'] = opts.raw.contentType;
    data = Buffer.isBuffer(opts.raw.data) ? opts.raw.data : Buffer.from(opts.raw.data);
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    data = Buffer.from(JSON.stringify(opts.body));
  }
  let res: ApiResponse;
  if (opts.localAddress) {
    res = await rawRequest(t, method, urlPath, headers, data, opts.localAddress);
  } else {
    const r = supertest(t.url)[method.toLowerCase() as 'get'](urlPath).set(headers).buffer(true);
    if (data) r.send(data.toString('utf8'));
    const sres = await r.ok(() => true);
    let body = sres.body;
    if ((!body || Object.keys(body).length === 0) && sres.text) {
      try {
        body = JSON.parse(sres.text);
      } catch {
        /* not JSON */
      }
    }
    res = { status: sres.status, headers: sres.headers, body, text: sres.text ?? '' };
  }
  capture(method.toUpperCase(), urlPath, res);
  if (!opts.skipValidation) validateResponse(method, urlPath, res);
  return res;
}

export function expectProblem(res: ApiResponse, status: number, code: string): void {
  if (res.status !== status || res.body?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${res.body?.code}: ${res.text.slice(0, 500)}`);
  }
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

// ---------------------------------------------------------------------------------------------
// Fixtures: organizations, users, tokens, keys.

export interface Org {
  t: TestServer;
  id: string;
  adminId: string;
  adminToken: string;
  admin: Auth;
}

let orgCounter = 0;

/** A fresh organization with an admin (its own, so tests never share state). */
export async function newOrg(t: TestServer, name = `test-org-${process.pid}-${++orgCounter}`): Promise<Org> {
  const r = await bootstrapOrganization(t.keyplane.db, t.keyplane.services.ctx.keyring, { organizationName: name, adminEmail: `admin-${orgCounter}@example.com` });
  rememberSecret(r.token);
  return { t, id: r.organization_id, adminId: r.user_id, adminToken: r.token, admin: { bearer: r.token } };
}

export interface Key {
  id: string;
  secret: string;
  body: any;
  bearer: Auth;
  basic: Auth;
}

export async function newKey(org: Org, body: Partial<{ name: string; permissions: string[]; internal_account_ids: string[]; allowed_ips: string[]; expires_at: string | null }> = {}, by: Auth = org.admin): Promise<Key> {
  const res = await call(org.t, 'POST', '/v1/api_keys', { auth: by, body: { name: 'test key', permissions: ['*:write'], ...body } });
  if (res.status !== 201) throw new Error(`creating a key failed: ${res.status} ${res.text}`);
  return { id: res.body.id, secret: res.body.secret, body: res.body, bearer: { bearer: res.body.secret }, basic: { basic: [org.id, res.body.secret] } };
}

export async function newUser(org: Org, body: { email?: string; role?: 'admin' | 'member'; developers_permission?: 'none' | 'view' | 'manage' } = {}): Promise<{ id: string; token: string; auth: Auth }> {
  const res = await call(org.t, 'POST', '/v1/users', { auth: org.admin, body: { email: `u-${Math.random().toString(36).slice(2)}@example.com`, ...body } });
  if (res.status !== 201) throw new Error(`creating a user failed: ${res.status} ${res.text}`);
  const tok = await call(org.t, 'POST', `/v1/users/${res.body.id}/tokens`, { auth: org.admin, body: { name: 'test' } });
  if (tok.status !== 201) throw new Error(`creating a token failed: ${tok.status} ${tok.text}`);
  return { id: res.body.id, token: tok.body.token, auth: { bearer: tok.body.token } };
}

/** Makes a key expired without waiting (the fixture moves expires_at into the past). */
export async function expireKey(t: TestServer, id: string): Promise<void> {
  await t.keyplane.db('api_keys').where({ id }).update({ expires_at: t.keyplane.db.raw(`now() - interval '1 second'`) });
}

export async function archiveKey(org: Org, id: string): Promise<void> {
  const res = await call(org.t, 'POST', `/v1/api_keys/${id}/archive`, { auth: org.admin });
  if (res.status !== 200) throw new Error(`archiving failed: ${res.status} ${res.text}`);
}

/** Waits for buffered request-log entries to reach the database. */
export async function flushRequestLogs(t: TestServer): Promise<void> {
  await t.keyplane.requestLog.flush();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A well-formed key secret (valid prefix, length and checksum) that no key has. */
export function unknownButWellFormedSecret(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generateSecret } = require('../../control-plane/src/domain/credentials') as typeof import('../../control-plane/src/domain/credentials');
  return generateSecret('api_key');
}
