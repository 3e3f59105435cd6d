// Key-authenticated requests per second with and without request logging, in the same run, on the
// embedded database (PGlite). Run: npx tsx bench/request-log.ts
//   BENCH_SECONDS (per round, default 5), BENCH_CONCURRENCY (default 16), BENCH_ROUNDS (default 3)
//   BENCH_DATABASE_URL: run the same against PostgreSQL instead of the embedded database
// The load generator runs in a worker thread, so the server has the main thread to itself; rounds
// alternate (off/on, on/off, …) so that warm-up favours neither side, and medians are reported.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { createApp } from '../control-plane/src/app';
import { loadConfig } from '../control-plane/src/config';
import { bootstrapOrganization } from '../control-plane/src/services/bootstrap';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DATABASE_URL = process.env.BENCH_DATABASE_URL;

interface Result {
  logging: boolean;
  requests: number;
  errors: number;
  rps: number;
  logged: number;
}

async function round(logging: boolean, dataDir: string): Promise<Result> {
  const config = loadConfig({
    KEYPLANE_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    KEYPLANE_REQUEST_LOG_FLUSH_MS: '1000',
    ...(DATABASE_URL ? { DATABASE_URL, KEYPLANE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') } : {}),
  });
  const kp = await createApp(config, { requestLogging: logging });
  const org = await bootstrapOrganization(kp.db, kp.services.ctx.keyring, { organizationName: 'bench', adminEmail: 'bench@example.com' });
  const server = http.createServer(kp.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const request = (method: string, p: string, auth: string, body?: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        { host: '127.0.0.1', port, method, path: p, agent, headers: { authorization: auth, ...(data ? { 'content-type': 'application/json' } : {}) } },
        (res) => {
          let buf = '';
          res.on('data', (c) => (buf += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: buf }));
        },
      );
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  const created = await request('POST', '/v1/api_keys', `Bearer ${org.token}`, { name: 'bench', permissions: ['*:read'] });
  const key = JSON.parse(created.body) as { id: string; secret: string };
  const auth = `Basic ${Buffer.from(`${org.organization_id}:${key.secret}`).toString('base64')}`;

  // warm-up
  for (let i = 0; i < 200; i++) await request('GET', '/v1/me', auth);
  await kp.requestLog.flush();
  const before = Number((await kp.db('request_logs').where({ api_key_id: key.id }).count({ n: '*' }))[0]!.n);

  const { requests, errors, elapsed } = await load(port, auth);
  agent.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await kp.requestLog.flush();
  const logged = Number((await kp.db('request_logs').where({ api_key_id: key.id }).count({ n: '*' }))[0]!.n) - before;
  await kp.close();
  return { logging, requests, errors, rps: requests / elapsed, logged };
}

// Plain JavaScript, evaluated in a worker thread: keep-alive clients hammering GET /v1/me.
const LOAD = `
const http = require('node:http');
const { parentPort, workerData: { port, auth, seconds, concurrency } } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const get = () => new Promise((resolve) => {
  const req = http.request({ host: '127.0.0.1', port, path: '/v1/me', agent, headers: { authorization: auth } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', () => resolve(0));
  req.end();
});
(async () => {
  let requests = 0, errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) (await get()) === 200 ? requests++ : errors++;
  }));
  agent.destroy();
  parentPort.postMessage({ requests, errors, elapsed: Number(process.hrtime.bigint() - started) / 1e9 });
})();
`;

function load(port: number, auth: string): Promise<{ requests: number; errors: number; elapsed: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD, { eval: true, workerData: { port, auth, seconds: SECONDS, concurrency: CONCURRENCY } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'keyplane-bench-'));
  console.log(`request-log bench: GET /v1/me with a key (HTTP Basic), ${CONCURRENCY} concurrent clients, ${SECONDS}s per round, ${ROUNDS} round(s) each, ${DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version}, ${os.cpus().length} CPUs`);
  if (!DATABASE_URL) console.log('preparing the embedded database (first start creates the cluster)…');
  const dirs = { off: path.join(base, 'off'), on: path.join(base, 'on') };
  const results: Result[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    for (const logging of i % 2 === 0 ? [false, true] : [true, false]) {
      const r = await round(logging, logging ? dirs.on : dirs.off);
      results.push(r);
      console.log(`  round ${i + 1} logging=${logging ? 'on ' : 'off'}  ${r.rps.toFixed(0).padStart(6)} req/s  (${r.requests} ok, ${r.errors} errors, ${r.logged} log entries written)`);
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const off = median(results.filter((r) => !r.logging).map((r) => r.rps));
  const on = median(results.filter((r) => r.logging).map((r) => r.rps));
  console.log('');
  console.log(`without request logging: ${off.toFixed(0)} req/s`);
  console.log(`with request logging:    ${on.toFixed(0)} req/s  (${(((on - off) / off) * 100).toFixed(1)}%)`);
  const onResults = results.filter((r) => r.logging);
  console.log(`request-log entries written for every logged request: ${onResults.every((r) => r.logged === r.requests + r.errors) ? 'yes' : 'NO'}`);
  fs.rmSync(base, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
