// Acceptance tests: the real OpenTofu CLI, our provider installed from a filesystem mirror, and a
// control plane running as its own process. Steps follow the order of a real key's life.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyplaneClient, unwrap, type KeyplaneClient } from '../../../client';
import { REPO_ROOT, startControlPlane, type RunningControlPlane } from '../../support/control-plane-process';
import { changesOf, describeWithTofu, leakedSecrets, resourceValues, Workspace } from '../../support/tofu';

jest.setTimeout(10 * 60_000);

const PROVIDER = `
terraform {
  required_providers {
    keyplane = { source = "keyplane/keyplane" }
  }
}
provider "keyplane" {}
`;

function keyConfig(opts: { name: string; permissions: string[]; allowedIps?: string[]; lifecycle?: string; accounts?: string[] }): string {
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return `${PROVIDER}
resource "keyplane_api_key" "ci" {
  name        = ${JSON.stringify(opts.name)}
  permissions = ${list(opts.permissions)}
${opts.allowedIps ? `  allowed_ips = ${list(opts.allowedIps)}\n` : ''}${opts.accounts ? `  internal_account_ids = ${list(opts.accounts)}\n` : ''}${opts.lifecycle ?? ''}
}

output "key_id" { value = keyplane_api_key.ci.id }
output "secret" {
  value     = keyplane_api_key.ci.secret
  sensitive = true
}
`;
}

describeWithTofu('keyplane_api_key with OpenTofu', () => {
  let cp: RunningControlPlane;
  let admin: KeyplaneClient;
  let env: Record<string, string>;
  const secrets: string[] = [];
  const workspaces: Workspace[] = [];

  const workspace = () => {
    const ws = new Workspace(env);
    workspaces.push(ws);
    return ws;
  };
  const getKey = (id: string) => unwrap(admin.GET('/v1/api_keys/{id}', { params: { path: { id } } }));

  beforeAll(async () => {
    cp = await startControlPlane();
    admin = createKeyplaneClient({ endpoint: cp.endpoint, credential: cp.adminToken });
    // The key Terraform runs with: it may manage keys and grant anything (it holds everything).
    const tfKey = await unwrap(admin.POST('/v1/api_keys', { body: { name: 'terraform', permissions: ['*:write'] } }));
    secrets.push(tfKey.secret, cp.adminToken);
    env = { KEYPLANE_ENDPOINT: cp.endpoint, KEYPLANE_ORGANIZATION_ID: cp.organizationId, KEYPLANE_API_KEY: tfKey.secret };
  });

  afterAll(async () => {
    // No secret may reach anything the CLI printed (plans, applies, errors) nor the server's logs.
    await cp?.kill();
    const transcripts = workspaces.map((w) => w.transcript).join('\n') + (cp?.output() ?? '');
    workspaces.forEach((w) => w.remove());
    await cp?.stop();
    expect(leakedSecrets(transcripts, secrets)).toEqual([]);
  });

  it('creates, updates in place, ignores IP spelling, replaces on permission change, recreates after an outside archive, imports, destroys', async () => {
    const ws = workspace();
    const base = { name: 'ci', permissions: ['payment_orders:read', 'counterparties:write'], allowedIps: ['10.0.0.1', '2001:DB8::/32'] };
    ws.write({ 'main.tf': keyConfig(base) });
    await ws.init();

    // Create: computed values are unknown in the plan, the secret is sensitive.
    const createPlan = await ws.plan();
    const [create] = changesOf(createPlan);
    expect(create.change.actions).toEqual(['create']);
    expect(create.change.after_unknown).toMatchObject({ id: true, secret: true, prefix: true, created_at: true });
    await ws.apply();
    let state = await ws.state();
    const first = resourceValues(state, 'keyplane_api_key.ci');
    expect(first.id).toMatch(/^key_/);
    expect(first.secret).toMatch(/^kp_/);
    expect(first.status).toBe('active');
    expect(first.allowed_ips).toEqual(expect.arrayContaining(['10.0.0.1', '2001:DB8::/32']));
    secrets.push(first.secret as string);
    const server1 = await getKey(first.id as string);
    expect(server1.permissions).toEqual(['counterparties:write', 'payment_orders:read']);
    expect(server1.allowed_ips).toEqual(['10.0.0.1/32', '2001:db8::/32']);

    // A second plan is empty.
    expect(changesOf(await ws.plan())).toEqual([]);

    // Rename: in place.
    ws.write({ 'main.tf': keyConfig({ ...base, name: 'ci-renamed' }) });
    const renamePlan = await ws.plan();
    expect(changesOf(renamePlan).map((c) => c.change.actions)).toEqual([['update']]);
    await ws.apply();
    expect((await getKey(first.id as string)).name).toBe('ci-renamed');

    // Another spelling of the same IPs: no change.
    ws.write({ 'main.tf': keyConfig({ ...base, name: 'ci-renamed', allowedIps: ['2001:db8:0::/32', '10.0.0.1/32'] }) });
    expect(changesOf(await ws.plan())).toEqual([]);

    // Permission change: replacement, shown with permissions in replace_paths.
    ws.write({ 'main.tf': keyConfig({ ...base, name: 'ci-renamed', permissions: ['payment_orders:write'] }) });
    const replacePlan = await ws.plan();
    const [replace] = changesOf(replacePlan);
    expect(replace.change.actions).toEqual(['delete', 'create']);
    expect(replace.action_reason).toBe('replace_because_cannot_update');
    expect(replace.change.replace_paths).toContainEqual(['permissions']);
    const text = await ws.run(['plan']);
    expect(text.stdout).toMatch(/permissions\s+= \[[^\]]*\]\s*# forces replacement|# forces replacement/);
    expect(text.stdout).toContain('must be replaced');
    await ws.apply();
    state = await ws.state();
    const second = resourceValues(state, 'keyplane_api_key.ci');
    secrets.push(second.secret as string);
    expect(second.id).not.toBe(first.id);
    expect((await getKey(first.id as string)).status).toBe('archived');
    expect((await getKey(second.id as string)).permissions).toEqual(['payment_orders:write']);

    // Archived outside Terraform: the next plan creates it again, without an error.
    await unwrap(admin.POST('/v1/api_keys/{id}/archive', { params: { path: { id: second.id as string } }, body: {} }));
    const recreatePlan = await ws.plan();
    expect(changesOf(recreatePlan).map((c) => c.change.actions)).toEqual([['create']]);
    await ws.apply();
    const third = resourceValues(await ws.state(), 'keyplane_api_key.ci');
    secrets.push(third.secret as string);
    expect(third.id).not.toBe(second.id);

    // Import: forget the key, import it by ID; the plan is then empty and the secret is back.
    await ws.run(['state', 'rm', 'keyplane_api_key.ci']);
    await ws.run(['import', 'keyplane_api_key.ci', third.id as string]);
    const imported = resourceValues(await ws.state(), 'keyplane_api_key.ci');
    expect(imported.id).toBe(third.id);
    expect(imported.secret).toBe(third.secret);
    expect(changesOf(await ws.plan())).toEqual([]);
    const trail = await unwrap(
      admin.GET('/v1/api_keys/{id}/audit_events', { params: { path: { id: third.id as string } } }),
    );
    expect(trail.data.map((e) => e.action)).toContain('api_key.secret_revealed');

    // Destroy archives.
    await ws.run(['destroy', '-auto-approve']);
    expect((await getKey(third.id as string)).status).toBe('archived');
  });

  it('with create_before_destroy, the new key exists before the old one is archived', async () => {
    const ws = workspace();
    const lifecycle = '  lifecycle {\n    create_before_destroy = true\n  }\n';
    ws.write({ 'main.tf': keyConfig({ name: 'cbd', permissions: ['ledgers:read'], lifecycle }) });
    await ws.init();
    await ws.apply();
    const old = resourceValues(await ws.state(), 'keyplane_api_key.ci');
    secrets.push(old.secret as string);

    ws.write({ 'main.tf': keyConfig({ name: 'cbd', permissions: ['ledgers:write'], lifecycle }) });
    const [change] = changesOf(await ws.plan());
    expect(change.change.actions).toEqual(['create', 'delete']);
    await ws.apply();
    const fresh = resourceValues(await ws.state(), 'keyplane_api_key.ci');
    secrets.push(fresh.secret as string);
    const oldKey = await getKey(old.id as string);
    const newKey = await getKey(fresh.id as string);
    expect(oldKey.status).toBe('archived');
    expect(Date.parse(newKey.created_at)).toBeLessThanOrEqual(Date.parse(oldKey.archived_at!));
    await ws.run(['destroy', '-auto-approve']);
  });

  it('runs the registry examples of the resource, the data sources and the ephemeral secret, which never reaches state', async () => {
    const examples = join(REPO_ROOT, 'provider', 'examples');
    const automation = await unwrap(admin.POST('/v1/api_keys', { body: { name: 'automation', permissions: ['*:read'] } }));
    secrets.push(automation.secret);
    const ws = workspace();
    ws.write({
      'main.tf': PROVIDER,
      'resource.tf': readFileSync(join(examples, 'resources', 'keyplane_api_key', 'resource.tf'), 'utf8'),
      'ephemeral.tf': readFileSync(join(examples, 'ephemeral-resources', 'keyplane_api_key_secret', 'ephemeral-resource.tf'), 'utf8'),
      'permissions.tf': readFileSync(join(examples, 'data-sources', 'keyplane_permissions', 'data-source.tf'), 'utf8'),
      'keys.tf': readFileSync(join(examples, 'data-sources', 'keyplane_api_keys', 'data-source.tf'), 'utf8'),
      'key.tf': readFileSync(join(examples, 'data-sources', 'keyplane_api_key', 'data-source.tf'), 'utf8').replace(/key_[0-9a-z]{26}/, automation.id),
    });
    await ws.init();
    await ws.apply([`-var=automation_key_id=${automation.id}`]);
    const outputs = (await ws.state()).values?.outputs ?? {};
    expect(outputs.account_scoped_resources.value).toEqual(expect.arrayContaining(['payment_orders', 'internal_accounts']));
    expect(outputs.reporting_permissions.value).toEqual(['*:read']);
    expect(Array.isArray(outputs.archived_key_ids.value)).toBe(true);
    const payouts = resourceValues(await ws.state(), 'keyplane_api_key.payouts');
    secrets.push(payouts.secret as string, resourceValues(await ws.state(), 'keyplane_api_key.reporting').secret as string);
    expect(await getKey(payouts.id as string)).toMatchObject({ internal_account_ids: ['acct_operating', 'acct_payroll'] });
    expect(changesOf(await ws.plan([`-var=automation_key_id=${automation.id}`]))).toEqual([]);
    // The ephemeral secret was used (the aliased provider authenticated with it) but is not in state.
    expect(readFileSync(join(ws.dir, 'terraform.tfstate'), 'utf8')).not.toContain(automation.secret);
    const trail = await unwrap(admin.GET('/v1/api_keys/{id}/audit_events', { params: { path: { id: automation.id } } }));
    expect(trail.data.map((e) => e.action)).toContain('api_key.secret_revealed');
  });

  it('plans to create again a key whose expiry has passed', async () => {
    const ws = workspace();
    const expiresAt = new Date(Date.now() + 15_000).toISOString();
    ws.write({ 'main.tf': keyConfig({ name: 'short-lived', permissions: ['ledgers:read'] }).replace('permissions =', `expires_at  = "${expiresAt}"\n  permissions =`) });
    await ws.init();
    await ws.apply();
    secrets.push(resourceValues(await ws.state(), 'keyplane_api_key.ci').secret as string);
    expect(changesOf(await ws.plan())).toEqual([]);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now()) + 500));
    expect(changesOf(await ws.plan()).map((c) => c.change.actions)).toEqual([['create']]);
  });

  describe('bad input is a readable diagnostic', () => {
    it('names the allowed values for an unknown permission', async () => {
      const ws = workspace();
      ws.write({ 'main.tf': keyConfig({ name: 'bad', permissions: ['paymnt_orders:read'] }) });
      await ws.init();
      const result = await ws.run(['plan'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('paymnt_orders');
      expect(result.stderr).toContain('payment_orders');
      expect(result.stderr).toMatch(/permissions/);
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    });

    it('refuses at plan time what the provider key cannot grant', async () => {
      const weak = await unwrap(admin.POST('/v1/api_keys', { body: { name: 'weak', permissions: ['api_keys:write', 'ledgers:read'] } }));
      secrets.push(weak.secret);
      const ws = workspace();
      ws.write({ 'main.tf': keyConfig({ name: 'too-much', permissions: ['ledgers:read', 'payment_orders:write'] }) });
      await ws.init();
      const result = await ws.run(['plan'], { allowFailure: true, env: { KEYPLANE_API_KEY: weak.secret } });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Cannot grant permissions the provider does not hold');
      expect(result.stderr).toContain('payment_orders:write');
      expect(result.stderr).not.toMatch(/lacks[^.]*ledgers:read/);
    });

    it('refuses a malformed CIDR at validate time, naming the attribute', async () => {
      const ws = workspace();
      ws.write({ 'main.tf': keyConfig({ name: 'bad', permissions: ['ledgers:read'], allowedIps: ['10.0.0.300/8'] }) });
      await ws.init();
      const result = await ws.run(['validate'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('10.0.0.300/8');
      expect(result.stdout + result.stderr).toMatch(/allowed_ips/);
    });

    it('reports wrong credentials', async () => {
      const ws = workspace();
      ws.write({ 'main.tf': keyConfig({ name: 'bad', permissions: ['ledgers:read'] }) });
      await ws.init();
      const result = await ws.run(['plan'], { allowFailure: true, env: { KEYPLANE_API_KEY: 'kp_not-a-real-secret' } });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/credential|authenticat/i);
      expect(result.stderr).toMatch(/KEYPLANE_API_KEY|api_key/);
    });

    it('reports a control plane that is down', async () => {
      const ws = workspace();
      ws.write({ 'main.tf': keyConfig({ name: 'bad', permissions: ['ledgers:read'] }) });
      await ws.init();
      const result = await ws.run(['plan'], { allowFailure: true, env: { KEYPLANE_ENDPOINT: 'http://127.0.0.1:9' } });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/could not reach/i);
      expect(result.stderr).toContain('http://127.0.0.1:9');
    });

    it('names the setting and the variable when the endpoint is missing', async () => {
      const ws = workspace();
      ws.write({ 'main.tf': keyConfig({ name: 'bad', permissions: ['ledgers:read'] }) });
      await ws.init();
      const result = await ws.run(['plan'], { allowFailure: true, env: { KEYPLANE_ENDPOINT: '' } });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('endpoint');
      expect(result.stderr).toContain('KEYPLANE_ENDPOINT');
    });
  });
});
