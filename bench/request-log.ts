// Key-authenticated requests per second with and without request logging, in the same run, on the
// embedded database (PGlite). Run: npx tsx bench/request-log.ts
//   BENCH_SLICES (default 12), BENCH_SLICE_SECONDS (default 2.5), BENCH_CONCURRENCY (default 16)
//   BENCH_DATABASE_URL: run the same against PostgreSQL instead of the embedded database
//
// Two servers run side by side in this process, identical except that one records request logs
// (batched, as in production) and the other does not. The load generator (keep-alive clients
// calling GET /v1/me with HTTP Basic `org:secret`) runs in a worker thread, and the two servers are
// measured in alternating short slices (off, on, on, off, …) so that warm-up and the machine's
// other load fall on both alike. Totals and the median of the per-pair ratios are printed.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { createApp, type KeyplaneApp } from '../control-plane/src/app';
import { loadConfig } from '../control-plane/src/config';
import { bootstrapOrganization } from '../control-plane/src/services/bootstrap';

const SLICES = Number(process.env.BENCH_SLICES ?? 12);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 2.5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DATABASE_URL = process.env.BENCH_DATABASE_URL;

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

interface Slice {
  requests: number;
  errors: number;
  elapsed: number;
}

function load(port: number, auth: string, seconds: number): Promise<Slice> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD, { eval: true, workerData: { port, auth, seconds, concurrency: CONCURRENCY } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

interface Target {
  logging: boolean;
  kp: KeyplaneApp;
  server: http.Server;
  port: number;
  auth: string;
  keyId: string;
  slices: Slice[];
}

async function start(logging: boolean, dataDir: string): Promise<Target> {
  const config = loadConfig({
    KEYPLANE_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    KEYPLANE_REQUEST_LOG_FLUSH_MS: '1000',
    ...(DATABASE_URL ? { DATABASE_URL, KEYPLANE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') } : {}),
  });
  const kp = await createApp(config, { requestLogging: logging });
  const org = await bootstrapOrganization(kp.db, kp.services.ctx.keyring, { organizationName: `bench-${logging}`, adminEmail: 'bench@example.com' });
  const { key } = await kp.services.apiKeys.create(
    { principal: { type: 'user', id: org.user_id, organizationId: org.organization_id, name: 'bench', role: 'admin', developersPermission: 'manage', permissions: ['*:write'], internalAccountIds: [] }, requestId: 'bench', clientIp: '127.0.0.1' },
    { name: 'bench', permissions: ['*:read'] },
  );
  const server = http.createServer(kp.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const auth = `Basic ${Buffer.from(`${org.organization_id}:${key.secret}`).toString('base64')}`;
  return { logging, kp, server, port, auth, keyId: key.id, slices: [] };
}

async function logged(t: Target): Promise<number> {
  await t.kp.requestLog.flush();
  return Number((await t.kp.db('request_logs').where({ api_key_id: t.keyId }).count({ n: '*' }))[0]!.n);
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'keyplane-bench-'));
  console.log(
    `request-log bench: GET /v1/me with a key (HTTP Basic), ${CONCURRENCY} concurrent keep-alive clients in a worker thread, ` +
      `${SLICES} alternating slices of ${SLICE_SECONDS}s per side, ${DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  if (!DATABASE_URL) console.log('preparing two embedded databases (a first start creates the cluster)…');
  const off = await start(false, path.join(base, 'off'));
  const on = await start(true, path.join(base, 'on'));
  for (const t of [off, on]) await load(t.port, t.auth, 1); // warm-up
  const loggedBefore = await logged(on);

  for (let i = 0; i < SLICES; i++) {
    for (const t of i % 2 === 0 ? [off, on] : [on, off]) {
      const slice = await load(t.port, t.auth, SLICE_SECONDS);
      // Both servers share this process's main thread: write what the slice buffered now, and
      // charge that time to the slice, so that no request-log work spills into the other's slice.
      const t0 = process.hrtime.bigint();
      await t.kp.requestLog.flush();
      slice.elapsed += Number(process.hrtime.bigint() - t0) / 1e9;
      t.slices.push(slice);
    }
  }
  const loggedDuring = (await logged(on)) - loggedBefore;

  const total = (t: Target) => {
    const requests = t.slices.reduce((a, s) => a + s.requests, 0);
    const errors = t.slices.reduce((a, s) => a + s.errors, 0);
    const elapsed = t.slices.reduce((a, s) => a + s.elapsed, 0);
    return { requests, errors, rps: requests / elapsed };
  };
  const a = total(off);
  const b = total(on);
  const ratios = off.slices.map((s, i) => on.slices[i]!.requests / on.slices[i]!.elapsed / (s.requests / s.elapsed)).sort((x, y) => x - y);
  const median = ratios[Math.floor(ratios.length / 2)]!;
  console.log('');
  console.log(`without request logging: ${a.rps.toFixed(0)} req/s  (${a.requests} requests, ${a.errors} errors)`);
  console.log(`with request logging:    ${b.rps.toFixed(0)} req/s  (${b.requests} requests, ${b.errors} errors, ${loggedDuring} log entries written)`);
  console.log(`with/without: ${(b.rps / a.rps).toFixed(3)} overall, ${median.toFixed(3)} median of ${ratios.length} paired slices (range ${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)})`);
  console.log(`every logged request has its entry: ${loggedDuring === b.requests + b.errors ? 'yes' : 'NO'}`);
  for (const t of [off, on]) {
    await new Promise<void>((r) => t.server.close(() => r()));
    await t.kp.close();
  }
  fs.rmSync(base, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
