// Runs the README's curl walkthrough as written, against the built server, so the README cannot
// rot. The only change made to the commands is the port (the suite picks a free one); the two
// exported values are the ones the server printed on its first start.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from './support/control-plane-process';
import { leakedSecrets } from './support/tofu';

jest.setTimeout(120_000);

function walkthroughBlocks(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Walkthrough'), readme.indexOf('\n## ', readme.indexOf('## Walkthrough') + 1));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('README walkthrough', () => {
  it('works as written: create a read-only key, use it, see it logged, refused on a write, archive, refused after', async () => {
    const blocks = walkthroughBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const dataDir = mkdtempSync(join(tmpdir(), 'keyplane-readme-'));
    const port = await freePort();
    // First start on an empty data dir, exactly like `npm start` (which builds, then runs this).
    const server = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'control-plane', 'src', 'main.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: String(port), KEYPLANE_DATA_DIR: dataDir, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let serverOut = '';
    server.stdout!.on('data', (d) => (serverOut += d));
    server.stderr!.on('data', (d) => (serverOut += d));
    try {
      const deadline = Date.now() + 60_000;
      while (!/KEYPLANE_ADMIN_TOKEN=\S+/.test(serverOut) || !serverOut.includes('listening')) {
        if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not start:\n${serverOut}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const orgId = /KEYPLANE_ORGANIZATION_ID=(\S+)/.exec(serverOut)![1];
      const token = /KEYPLANE_ADMIN_TOKEN=(\S+)/.exec(serverOut)![1];
      const script = [
        'set -euo pipefail',
        `export KEYPLANE_ORGANIZATION_ID=${orgId}`,
        `export KEYPLANE_ADMIN_TOKEN=${token}`,
        ...blocks.filter((b) => !b.includes('npm start') && !b.includes('export KEYPLANE_')).map((b, i) => `echo "@@step ${i + 1}"\n${b}`),
        'echo "@@secret $KEY_SECRET"',
      ]
        .join('\n')
        .replaceAll('127.0.0.1:4000', `127.0.0.1:${port}`);
      const out = await new Promise<string>((resolve, reject) =>
        execFile('bash', ['-c', script], { cwd: REPO_ROOT }, (err, stdout, stderr) =>
          err ? reject(new Error(`walkthrough failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        ),
      );
      const steps = out.split(/@@step \d+\n/).slice(1);
      expect(steps).toHaveLength(6);
      const [created, listed, logged, refused, archived, after] = steps;
      expect(JSON.parse(created.trim()).permissions).toEqual(['*:read']);
      expect(JSON.parse(listed.trim()).data.length).toBeGreaterThan(0);
      const log = JSON.parse(logged.trim()).data as { method: string; path: string; status: number }[];
      expect(log).toContainEqual(expect.objectContaining({ method: 'GET', path: '/v1/api_keys', status: 200 }));
      expect(refused).toMatch(/^HTTP\/1\.1 403/);
      expect(refused).toContain('api_keys:write');
      expect(JSON.parse(archived.trim()).status).toBe('archived');
      expect(after).toMatch(/^HTTP\/1\.1 401/);
      // The secret was printed by the create step only; the server never logged it nor the token.
      const secret = /@@secret (\S+)/.exec(after)![1];
      expect(leakedSecrets(serverOut.replace(token, ''), [secret])).toEqual([]);
      expect(serverOut.split(token).length).toBe(2); // printed once, at first start
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
