// examples/openapi-client, run as its README says: the typed-client walkthrough with tsx and the
// curl version with bash, from the repository root, with the endpoint and the admin credentials
// in the environment. Checked on their output and exit codes, and on the keys they leave behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unwrap, type ApiKey } from '../../client';
import { REPO_ROOT, startControlPlane, type RunningControlPlane } from '../support/control-plane-process';
import { adminClient, bash, stopAndCheckSecrets, readmeBlock, readmeCommands, shellEnv, type RunResult } from './support';

jest.setTimeout(2 * 60_000);

const EXAMPLE = join(REPO_ROOT, 'examples', 'openapi-client');
const README = join(EXAMPLE, 'README.md');

describe('examples/openapi-client', () => {
  let cp: RunningControlPlane;
  const outputs: RunResult[] = [];

  beforeAll(async () => {
    cp = await startControlPlane();
  });

  afterAll(() => stopAndCheckSecrets(cp, () => outputs.map((o) => o.stdout + o.stderr).join('\n')));

  const env = () =>
    shellEnv({ KEYPLANE_ENDPOINT: cp.endpoint, KEYPLANE_ORGANIZATION_ID: cp.organizationId, KEYPLANE_ADMIN_TOKEN: cp.adminToken });

  async function keyNamed(name: string): Promise<ApiKey> {
    const page = await unwrap(adminClient(cp).GET('/v1/api_keys', { params: { query: { include_archived: true, name, per_page: 100 } } }));
    expect(page.data).toHaveLength(1);
    return page.data[0];
  }

  async function requestLog(id: string) {
    return (await unwrap(adminClient(cp).GET('/v1/api_keys/{id}/request_logs', { params: { path: { id }, query: { per_page: 100 } } }))).data;
  }

  it('the README runs these two commands, and its curl block is walkthrough.sh', () => {
    expect(readmeCommands(README, '## Run it')).toEqual([
      'npx tsx examples/openapi-client/walkthrough.ts',
      'bash examples/openapi-client/walkthrough.sh',
    ]);
    expect(readmeBlock(README, '## The same calls with curl')).toBe(readFileSync(join(EXAMPLE, 'walkthrough.sh'), 'utf8'));
  });

  it.each([
    ['the typed client (openapi-fetch)', 0, 'read-only demo via openapi-fetch'],
    ['curl', 1, 'read-only demo via curl'],
  ])('%s: create a read-only key, use it, its request log, refused write, archive, refused after', async (_, index, name) => {
    const command = readmeCommands(README, '## Run it')[index];
    const result = await bash(command, { cwd: REPO_ROOT, env: env() });
    outputs.push(result);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((l) => /^\d\. /.test(l)).map((l) => l.slice(0, 2))).toEqual(['1.', '2.', '3.', '4.', '5.', '6.']);

    const key = await keyNamed(name);
    expect(key).toMatchObject({ permissions: ['*:read'], status: 'archived' });
    expect(result.stdout).toContain(`1. created ${key.id}`);
    expect(result.stdout).toContain(`(prefix ${key.prefix})`);
    expect(result.stdout).toMatch(/GET \/v1\/me → api_key key_/);
    expect(result.stdout).toMatch(/3\. request log.*GET \/v1\/me 200/);
    expect(result.stdout).toContain('4. as the key: POST /v1/api_keys → 403 forbidden (missing api_keys:write)');
    expect(result.stdout).toContain(`5. archived ${key.id}`);
    expect(result.stdout).toContain('6. as the key: GET /v1/me → 401 unauthenticated');

    // What the control plane recorded: every call the key made, with its outcome.
    let log = await requestLog(key.id);
    for (let i = 0; i < 30 && !log.some((e) => e.status === 401); i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = await requestLog(key.id);
    }
    const calls = log.map((e) => `${e.method} ${e.path} ${e.status} ${e.decision_reason ?? ''}`.trim()).reverse();
    expect(calls).toEqual(['GET /v1/me 200', 'GET /v1/api_keys 200', 'POST /v1/api_keys 403 forbidden', 'GET /v1/me 401 archived']);
    const trail = await unwrap(adminClient(cp).GET('/v1/api_keys/{id}/audit_events', { params: { path: { id: key.id } } }));
    expect(trail.data.map((e) => e.action).reverse()).toEqual(['api_key.created', 'api_key.archived']);
  });

  it('says which variable is missing instead of failing on a call', async () => {
    const noToken = { ...env(), KEYPLANE_ADMIN_TOKEN: '' };
    for (const command of readmeCommands(README, '## Run it')) {
      const result = await bash(command, { cwd: REPO_ROOT, env: noToken, allowFailure: true });
      outputs.push(result);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('KEYPLANE_ADMIN_TOKEN');
    }
  });
});
