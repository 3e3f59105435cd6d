// Starts the built control plane as a separate process, the way a user runs it, for tests that
// drive it from the outside (the OpenTofu acceptance tests, the examples). The database is the
// embedded PostgreSQL in a fresh data directory, or TEST_DATABASE_URL when set.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = resolve(__dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'control-plane', 'src', 'cli.js');
const MAIN = join(REPO_ROOT, 'dist', 'control-plane', 'src', 'main.js');

export interface RunningControlPlane {
  readonly endpoint: string;
  readonly organizationId: string;
  readonly adminUserId: string;
  readonly adminToken: string;
  /** Everything the server wrote to stdout and stderr so far (for secret-leak checks and debugging). */
  output(): string;
  stop(): Promise<void>;
  /** Stops the server without removing its data, for "control plane down" tests. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`control plane exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${endpoint}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`control plane did not become ready:\n${output()}`);
}

export async function startControlPlane(extraEnv: Record<string, string> = {}): Promise<RunningControlPlane> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyplane-cp-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    KEYPLANE_DATA_DIR: dataDir,
    KEYPLANE_REQUEST_LOG_FLUSH_MS: '200',
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  if (process.env.TEST_DATABASE_URL) {
    env.DATABASE_URL = process.env.TEST_DATABASE_URL;
    env.KEYPLANE_MASTER_KEY ??= process.env.TEST_MASTER_KEY ?? randomBytes(32).toString('base64');
  }
  const suffix = randomBytes(4).toString('hex');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, 'bootstrap', '--org', `acceptance-${suffix}`, '--admin', `admin-${suffix}@example.com`, '--json'],
    { env, cwd: REPO_ROOT },
  );
  const boot = JSON.parse(stdout) as { organization_id: string; user_id: string; token: string };

  let log = '';
  const child = spawn(process.execPath, [MAIN], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  await waitForReady(endpoint, child, () => log);
  return {
    endpoint,
    organizationId: boot.organization_id,
    adminUserId: boot.user_id,
    adminToken: boot.token,
    output: () => log,
    kill,
    async stop() {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
