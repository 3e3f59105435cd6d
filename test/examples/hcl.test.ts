// examples/hcl, run as its README says: init, apply, an empty plan, a secret read from the
// outputs, destroy. Asserted on the keys in the control plane and with real requests made with
// the keys' secrets.
import { unwrap } from '../../client';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane-process';
import { describeWithTofu } from '../support/tofu';
import { adminClient, ExampleRun, getKey, stopAndCheckSecrets, keyClient, keysInState, meStatus, terraformKeyFromReadme } from './support';

jest.setTimeout(5 * 60_000);

describeWithTofu('examples/hcl', () => {
  let cp: RunningControlPlane;
  let run: ExampleRun;
  let terraformKey: string;

  beforeAll(async () => {
    cp = await startControlPlane();
    terraformKey = await terraformKeyFromReadme(cp);
    run = new ExampleRun('hcl', {
      KEYPLANE_ENDPOINT: cp.endpoint,
      KEYPLANE_ORGANIZATION_ID: cp.organizationId,
      KEYPLANE_API_KEY: terraformKey,
    });
  });

  // No secret issued during the test reached what the CLI printed or the server's logs.
  afterAll(() => stopAndCheckSecrets(cp, () => run.transcript, run));

  it('creates the three keys, plans empty, hands out a secret on request, and archives on destroy', async () => {
    const runIt = run.commands('## Run it');
    expect(runIt).toEqual(['tofu init', 'tofu apply -auto-approve', 'tofu plan -detailed-exitcode']);
    const [init, apply, plan] = runIt;

    await run.run(init);
    const applied = await run.run(apply);
    expect(applied.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    expect(applied.stdout).toContain('reporting_secret = <sensitive>');

    const keys = keysInState(await run.state());
    expect(Object.keys(keys).sort()).toEqual(['keyplane_api_key.ci', 'keyplane_api_key.payouts', 'keyplane_api_key.reporting']);
    const reporting = keys['keyplane_api_key.reporting'];
    const payouts = keys['keyplane_api_key.payouts'];
    const ci = keys['keyplane_api_key.ci'];

    // The keys as the control plane has them.
    const [reportingKey, payoutsKey, ciKey] = await Promise.all([reporting, payouts, ci].map((k) => getKey(cp, k.id as string)));
    expect(reportingKey).toMatchObject({ name: 'reporting', permissions: ['*:read'], internal_account_ids: [], allowed_ips: [], status: 'active' });
    expect(payoutsKey).toMatchObject({
      name: 'payouts-service',
      permissions: ['internal_accounts:read', 'payment_orders:write', 'transactions:read'],
      internal_account_ids: ['acc_operating', 'acc_payroll'],
      allowed_ips: [],
      status: 'active',
    });
    expect(ciKey).toMatchObject({
      name: 'ci-deploy',
      permissions: ['ledgers:read', 'webhooks:write'],
      allowed_ips: ['198.51.100.7/32', '203.0.113.0/24', '2001:db8:1234::/48'],
      status: 'active',
    });
    // The data source reads the canonical allowlist back; the outputs name the keys.
    expect(applied.stdout).toContain('"198.51.100.7/32"');
    expect(applied.stdout).toContain(`reporting_key_id = "${reportingKey.id}"`);
    expect(applied.stdout).toMatch(/account_scoped_resources = \[[^\]]*"payment_orders"/);

    // What the control plane enforces, with real requests made with the secrets from state.
    const asReporting = keyClient(cp, reporting.secret as string);
    const me = await unwrap(asReporting.GET('/v1/me'));
    expect(me.principal).toMatchObject({ type: 'api_key', id: reportingKey.id });
    expect((await asReporting.GET('/v1/api_keys')).response.status).toBe(200);
    const write = await asReporting.POST('/v1/api_keys', { body: { name: 'sneaky', permissions: ['ledgers:read'] } });
    expect(write.response.status).toBe(403);
    expect(write.error).toMatchObject({ code: 'forbidden', missing_permissions: ['api_keys:write'] });

    const payoutsMe = await unwrap(keyClient(cp, payouts.secret as string).GET('/v1/me'));
    expect(payoutsMe.internal_account_ids).toEqual(['acc_operating', 'acc_payroll']);
    // The account restriction, asked the way a protected service asks (the Terraform key holds authorizations:write).
    const terraform = keyClient(cp, terraformKey);
    const decide = (account: string) =>
      unwrap(terraform.POST('/v1/authorize', { body: { credential: payouts.secret as string, permission: 'payment_orders:write', internal_account_id: account } }));
    expect(await decide('acc_operating')).toMatchObject({ allowed: true, api_key_id: payoutsKey.id });
    expect(await decide('acc_elsewhere')).toMatchObject({ allowed: false, reason: 'account_not_allowed' });

    const fromHere = await keyClient(cp, ci.secret as string).GET('/v1/me');
    expect(fromHere.response.status).toBe(403); // this machine is not a CI runner
    expect(fromHere.error).toMatchObject({ code: 'ip_not_allowed' });

    // The second plan is empty (exit code 0 with -detailed-exitcode; 2 would mean changes).
    const second = await run.run(plan, { allowFailure: true });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes.');

    // A secret is printed only when asked for by name (kept out of the transcript: printing it is the point).
    const [output] = run.commands('## Use the keys');
    expect(output).toBe('tofu output -raw reporting_secret');
    const printed = await run.run(output, { record: false });
    expect(printed.stdout).toBe(reporting.secret);

    // Destroy archives: at once, or after the payouts key's grace period of an hour.
    const [destroy] = run.commands('## Clean up');
    expect(destroy).toBe('tofu destroy -auto-approve');
    const destroyed = await run.run(destroy);
    expect(destroyed.stdout).toContain('Destroy complete! Resources: 3 destroyed.');
    expect((await getKey(cp, reportingKey.id)).status).toBe('archived');
    expect((await getKey(cp, ciKey.id)).status).toBe('archived');
    const scheduled = await getKey(cp, payoutsKey.id);
    expect(scheduled.status).toBe('active');
    const inAnHour = Date.parse(scheduled.archived_at!) - Date.now();
    expect(inAnHour).toBeGreaterThan(55 * 60_000);
    expect(inAnHour).toBeLessThanOrEqual(60 * 60_000);
    expect(await meStatus(cp, payouts.secret as string)).toBe(200);
    expect(await meStatus(cp, reporting.secret as string)).toBe(401);
    const trail = await unwrap(adminClient(cp).GET('/v1/api_keys/{id}/audit_events', { params: { path: { id: payoutsKey.id } } }));
    expect(trail.data.map((e) => e.action)).toContain('api_key.archive_scheduled');
  });
});
