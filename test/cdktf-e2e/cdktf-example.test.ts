// examples/cdktf end to end, as its README says: build @keyplane/cdktf, type-check the example,
// synthesize it with app.synth() (via tsx), and run the real OpenTofu CLI on the synthesized
// cdk.tf.json against a running control plane: apply, an empty plan, then a permission change in
// the construct that forces the key's replacement, applied, then destroy.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane-process';
import { changesOf, describeWithTofu } from '../support/tofu';
import {
  buildCdktfPackage,
  ExampleRun,
  getKey,
  stopAndCheckSecrets,
  keyClient,
  keysInState,
  meStatus,
  readmeCommands,
  terraformKeyFromReadme,
} from '../examples/support';

jest.setTimeout(5 * 60_000);

const STACK = 'cdktf.out/stacks/keys';
const REPORTING = 'keyplane_api_key.Reporting_8B9C339B';
const PAYOUTS = 'keyplane_api_key.Payouts_4408E43F';
const CI = 'keyplane_api_key.Ci_A080E7EE';

describeWithTofu('examples/cdktf', () => {
  let cp: RunningControlPlane;
  let run: ExampleRun;

  beforeAll(async () => {
    const [started] = await Promise.all([startControlPlane(), installAsReadmeSays()]);
    cp = started;
    run = new ExampleRun('cdktf', {
      KEYPLANE_ENDPOINT: cp.endpoint,
      KEYPLANE_ORGANIZATION_ID: cp.organizationId,
      KEYPLANE_API_KEY: await terraformKeyFromReadme(cp),
    });
  });

  // No secret issued during the test reached what the CLI printed or the server's logs.
  afterAll(() => stopAndCheckSecrets(cp, () => run.transcript, run));

  async function installAsReadmeSays(): Promise<void> {
    expect(readmeCommands(join(__dirname, '../../examples/cdktf/README.md'), '## Install')).toEqual(['npm run build -w provider/cdktf']);
    await buildCdktfPackage(); // runs exactly that command, unless dist/ is already newer than the sources
  }

  it('synthesizes, applies, plans empty; a permission change in the construct replaces the key; destroy archives', async () => {
    const runIt = run.commands('## Run it');
    expect(runIt).toEqual([
      'npx tsc -p .',
      'npx tsx main.ts',
      `tofu -chdir=${STACK} init`,
      `tofu -chdir=${STACK} apply -auto-approve`,
      `tofu -chdir=${STACK} plan -detailed-exitcode`,
    ]);
    const [typecheck, synth, init, apply, plan] = runIt;

    await run.run(typecheck);
    await run.run(synth);
    // What was synthesized: the keys at the addresses the construct paths give, no credentials.
    const synthesized = JSON.parse(readFileSync(join(run.dir, STACK, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(synthesized.resource.keyplane_api_key).sort()).toEqual(['Ci_A080E7EE', 'Payouts_4408E43F', 'Reporting_8B9C339B']);
    expect(synthesized.provider.keyplane).toEqual([{}]);
    expect(synthesized.resource.keyplane_api_key.Payouts_4408E43F).toMatchObject({
      permissions: ['internal_accounts:read', 'payment_orders:write', 'transactions:read'],
      internal_account_ids: ['acc_operating', 'acc_payroll'],
      archive_grace_period: '1h',
      lifecycle: { create_before_destroy: true },
    });

    await run.run(init);
    const applied = await run.run(apply);
    expect(applied.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    expect(applied.stdout).toContain('reporting_secret = <sensitive>');
    expect(applied.stdout).toMatch(/account_scoped_resources = \[[^\]]*"payment_orders"/);
    expect(applied.stdout).toContain('"198.51.100.7/32"');

    const keys = keysInState(await run.state(STACK));
    expect(Object.keys(keys).sort()).toEqual([CI, PAYOUTS, REPORTING]);
    const reporting = await getKey(cp, keys[REPORTING].id as string);
    const payouts = await getKey(cp, keys[PAYOUTS].id as string);
    const ci = await getKey(cp, keys[CI].id as string);
    expect(reporting).toMatchObject({ name: 'reporting', permissions: ['*:read'], status: 'active' });
    expect(payouts).toMatchObject({
      name: 'payouts-service',
      permissions: ['internal_accounts:read', 'payment_orders:write', 'transactions:read'],
      internal_account_ids: ['acc_operating', 'acc_payroll'],
    });
    expect(ci).toMatchObject({ name: 'ci-deploy', permissions: ['ledgers:read', 'webhooks:write'], allowed_ips: ['198.51.100.7/32', '203.0.113.0/24', '2001:db8:1234::/48'] });
    const oldReportingSecret = keys[REPORTING].secret as string;
    expect(await meStatus(cp, oldReportingSecret)).toBe(200);
    expect((await keyClient(cp, keys[CI].secret as string).GET('/v1/me')).error).toMatchObject({ code: 'ip_not_allowed' });

    const second = await run.run(plan, { allowFailure: true });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes.');

    // A permission change in the construct, as the README describes it.
    const mainTs = join(run.dir, 'main.ts');
    const source = readFileSync(mainTs, 'utf8');
    const before = "name: 'reporting',\n      permissions: Permissions.readOnly(),";
    expect(source.split(before)).toHaveLength(2);
    writeFileSync(mainTs, source.replace(before, "name: 'reporting',\n      permissions: Permissions.read('ledgers', 'transactions'),"));

    const change = run.commands('## Change a permission');
    expect(change).toEqual(['npx tsx main.ts', `tofu -chdir=${STACK} plan -out=tfplan`, `tofu -chdir=${STACK} apply tfplan`]);
    const [resynth, planOut, applyPlan] = change;
    await run.run(resynth);
    const planned = await run.run(planOut);
    expect(planned.stdout).toContain(`${REPORTING} must be replaced`);
    expect(planned.stdout).toMatch(/~ permissions\s+= \[ # forces replacement/);
    const planJson = await run.showPlan('tfplan', STACK);
    const changes = changesOf(planJson);
    expect(changes.map((c) => c.address)).toEqual([REPORTING]); // the other keys are untouched
    expect(changes[0].change.actions).toEqual(['delete', 'create']);
    expect(changes[0].change.replace_paths).toContainEqual(['permissions']);
    expect(changes[0].change.after).toMatchObject({ permissions: ['ledgers:read', 'transactions:read'] });

    const replaced = await run.run(applyPlan);
    expect(replaced.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 1 destroyed.');
    const after = keysInState(await run.state(STACK));
    expect(after[REPORTING].id).not.toBe(reporting.id);
    expect(after[PAYOUTS].id).toBe(payouts.id);
    expect(after[CI].id).toBe(ci.id);
    expect((await getKey(cp, reporting.id)).status).toBe('archived');
    expect(await getKey(cp, after[REPORTING].id as string)).toMatchObject({ name: 'reporting', permissions: ['ledgers:read', 'transactions:read'], status: 'active' });
    expect(await meStatus(cp, oldReportingSecret)).toBe(401);
    expect(await meStatus(cp, after[REPORTING].secret as string)).toBe(200);

    const [destroy] = run.commands('## Clean up');
    expect(destroy).toBe(`tofu -chdir=${STACK} destroy -auto-approve`);
    const destroyed = await run.run(destroy);
    expect(destroyed.stdout).toContain('Destroy complete! Resources: 3 destroyed.');
    expect((await getKey(cp, after[REPORTING].id as string)).status).toBe('archived');
    expect((await getKey(cp, ci.id)).status).toBe('archived');
    expect((await getKey(cp, payouts.id)).archived_at).not.toBeNull(); // scheduled, an hour out
  });
});
