// The `keyplane` CLI and the server entry point (first-start bootstrap, graceful shutdown).
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { runCli } from '../../control-plane/src/cli';
import { loadConfig } from '../../control-plane/src/config';
import { createDb } from '../../control-plane/src/db';
import { serve } from '../../control-plane/src/server';
import { rememberSecret, startServer, TEST_MASTER_KEY, usingPostgres } from './helpers';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  return { stream: new Writable({ write: (c, _e, cb) => ((buf += c.toString()), cb()) }), text: () => buf };
}

let dataDir: string;
const saved = { ...process.env };
beforeAll(async () => {
  // A migrated embedded database (the helpers keep a template), or the shared PostgreSQL.
  const t = await startServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyplane-cli-'));
  if (!usingPostgres) fs.cpSync(t.config.dataDir, dataDir, { recursive: true });
  process.env.KEYPLANE_DATA_DIR = dataDir;
  process.env.KEYPLANE_MASTER_KEY = TEST_MASTER_KEY;
  process.env.LOG_LEVEL = 'silent';
  if (usingPostgres) process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
  else delete process.env.DATABASE_URL;
  t.scanTables = false;
  await t.close();
});
afterAll(() => {
  process.env = saved;
});

describe('keyplane bootstrap', () => {
  test('--json prints exactly organization_id, user_id and token, and the token works', async () => {
    const out = sink();
    expect(await runCli(['bootstrap', '--org', 'Acme', '--admin', 'ops@acme.test', '--json'], out.stream)).toBe(0);
    const printed = JSON.parse(out.text());
    rememberSecret(printed.token);
    expect(Object.keys(printed)).toEqual(['organization_id', 'user_id', 'token']);
    expect(printed.organization_id).toMatch(/^org_[0-9a-z]{26}$/);
    expect(printed.user_id).toMatch(/^usr_[0-9a-z]{26}$/);
    expect(printed.token).toMatch(/^kpu_/);
    const running = await serve({ ...loadConfig(), port: 0 }, sink().stream);
    try {
      const res = await fetch(`${running.url}/v1/me`, { headers: { authorization: `Bearer ${printed.token}` } });
      const me = (await res.json()) as any;
      expect(me.organization).toEqual({ id: printed.organization_id, name: 'Acme' });
      expect(me.principal.role).toBe('admin');
    } finally {
      await running.shutdown();
    }
  });

  test.each([
    [['bootstrap', '--admin', 'a@b.c'], /--org/],
    [['bootstrap', '--org', 'x', '--admin', 'not-an-email'], /--admin/],
    [['bootstrap', '--org'], /needs a value/],
    [['bootstrap', '--org', 'x', '--admin', 'a@b.c', '--color'], /unknown argument/],
    [['frobnicate'], /unknown command/],
  ])('bad usage %j is refused with a clear message', async (argv, message) => {
    await expect(runCli(argv as string[], sink().stream)).rejects.toThrow(message);
  });

  test('keyplane migrate reports an up-to-date database', async () => {
    const out = sink();
    expect(await runCli(['migrate'], out.stream)).toBe(0);
    expect(out.text()).toMatch(/up to date|applied/);
  });

  test('the executable exits non-zero with usage on bad input (built CLI)', async () => {
    const bin = path.join(root, 'control-plane/bin/keyplane');
    if (!fs.existsSync(path.join(root, 'dist/control-plane/src/cli.js'))) {
      await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root }).catch(() => undefined); // the build may report others' type errors; it still emits
    }
    const err = await run(bin, ['bootstrap'], { cwd: root, env: { ...process.env } }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/--org NAME is required/);
    expect(err.stderr).toMatch(/usage:/);
    const cfg = await run(bin, ['migrate'], { cwd: root, env: { ...process.env, DATABASE_URL: 'mysql://nope' } }).catch((e) => e);
    expect(cfg.code).toBe(1);
    expect(cfg.stderr).toMatch(/DATABASE_URL/);
  }, 120_000);
});

describe('server', () => {
  test('first start on an empty embedded database bootstraps once and prints the credentials', async () => {
    if (usingPostgres) return; // the shared PostgreSQL is never empty; the embedded case is the one users meet
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'keyplane-first-'));
    fs.cpSync(dataDir, fresh, { recursive: true });
    // empty the copy: a database with no organization
    const db = createDb({ databaseUrl: undefined, dataDir: fresh, databasePoolMax: 1 });
    for (const table of ['request_logs', 'idempotency_keys', 'api_keys', 'user_tokens', 'users']) await db(table).delete();
    await db.raw('alter table audit_events disable trigger audit_events_no_update');
    await db('audit_events').delete();
    await db('organizations').delete();
    await db.destroy();
    const out1 = sink();
    const first = await serve({ ...loadConfig({ KEYPLANE_DATA_DIR: fresh, KEYPLANE_MASTER_KEY: TEST_MASTER_KEY, LOG_LEVEL: 'silent' }), port: 0 }, out1.stream);
    await first.shutdown();
    const token = /KEYPLANE_ADMIN_TOKEN=(kpu_\S+)/.exec(out1.text())?.[1];
    if (token) rememberSecret(token);
    expect(out1.text()).toMatch(/KEYPLANE_ORGANIZATION_ID=org_[0-9a-z]{26}/);
    expect(token).toBeDefined();
    const out2 = sink();
    const second = await serve({ ...loadConfig({ KEYPLANE_DATA_DIR: fresh, KEYPLANE_MASTER_KEY: TEST_MASTER_KEY, LOG_LEVEL: 'silent' }), port: 0 }, out2.stream);
    await second.shutdown();
    expect(out2.text()).toBe('');
  });

  test('shutdown finishes in-flight requests and flushes the request log', async () => {
    const out = sink();
    await runCli(['bootstrap', '--org', 'Shutdown', '--admin', 'a@shutdown.test', '--json'], out.stream);
    const { token } = JSON.parse(out.text());
    rememberSecret(token);
    const running = await serve({ ...loadConfig({ ...process.env, KEYPLANE_REQUEST_LOG_FLUSH_MS: '60000' }), port: 0 }, sink().stream);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = (await (await fetch(`${running.url}/v1/api_keys`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'k', permissions: ['*:read'] }) })).json()) as any;
    rememberSecret(created.secret);
    const inFlight = Array.from({ length: 5 }, () => fetch(`${running.url}/v1/me`, { headers: { authorization: `Bearer ${created.secret}` } }));
    await new Promise((r) => setTimeout(r, 5));
    const stopping = running.shutdown();
    const statuses = await Promise.all(inFlight.map((p) => p.then((r) => r.status, () => 0)));
    await stopping;
    const served = statuses.filter((s) => s === 200).length;
    expect(statuses.every((s) => s === 200 || s === 0)).toBe(true);
    const db = createDb(loadConfig());
    try {
      const n = Number((await db('request_logs').where({ api_key_id: created.id }).count({ n: '*' }))[0]!.n);
      expect(n).toBe(served);
    } finally {
      await db.destroy();
    }
  });

  test('the built server exits cleanly on SIGTERM and flushes buffered request logs first', async () => {
    const main = path.join(root, 'dist/control-plane/src/main.js');
    if (!fs.existsSync(main)) await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root }).catch(() => undefined);
    const out = sink();
    await runCli(['bootstrap', '--org', 'Sigterm', '--admin', 'a@sigterm.test', '--json'], out.stream);
    const { token } = JSON.parse(out.text());
    rememberSecret(token);
    const child = spawn(process.execPath, [main], {
      cwd: root,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', KEYPLANE_REQUEST_LOG_FLUSH_MS: '60000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stdout += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!/"msg":"listening"/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const url = /"url":"([^"]+)"/.exec(stdout)?.[1];
    expect(url).toBeDefined();
    const created = (await (await fetch(`${url}/v1/api_keys`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'k', permissions: ['*:read'] }) })).json()) as any;
    rememberSecret(created.secret);
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${created.secret}` } })).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
    expect(stdout).toMatch(/"msg":"stopped"/);
    expect(stdout).not.toContain(created.secret);
    const db = createDb(loadConfig());
    try {
      expect(Number((await db('request_logs').where({ api_key_id: created.id }).count({ n: '*' }))[0]!.n)).toBe(3);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});

