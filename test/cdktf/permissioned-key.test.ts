import { TerraformOutput, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { ApiKey, KeyplaneProvider, PermissionedKey, Permissions } from '../../provider/cdktf/src';
import { newStack, parsed, synthValidated } from './helpers';

Testing.setupJest();

describe('PermissionedKey', () => {
  it('synthesizes a keyplane_api_key with the built permissions and restriction', () => {
    const synth = synthValidated((stack) => {
      new PermissionedKey(stack, 'Treasury', {
        name: 'treasury',
        permissions: Permissions.write('payment_orders')
          .and(Permissions.read('ledgers', 'counterparties'))
          .restrictToAccounts(['acc_main']),
        allowedIps: ['10.0.0.0/8'],
        expiresAt: '2030-01-01T00:00:00Z',
        gracePeriod: '1h30m',
      });
    });
    expect(synth).toHaveResourceWithProperties(ApiKey, {
      name: 'treasury',
      permissions: ['counterparties:read', 'ledgers:read', 'payment_orders:write'],
      internal_account_ids: ['acc_main'],
      allowed_ips: ['10.0.0.0/8'],
      expires_at: '2030-01-01T00:00:00Z',
      archive_grace_period: '1h30m',
    });
  });

  it('leaves out what is not set, and has no lifecycle by default', () => {
    const synth = parsed(synthValidated((stack) => {
      new PermissionedKey(stack, 'Reports', { name: 'reports', permissions: Permissions.readOnly() });
    }));
    expect(synth.resource.keyplane_api_key).toEqual({
      Reports_65402A0A: { name: 'reports', permissions: ['*:read'] },
    });
  });

  it('has a stable Terraform address derived from its construct path (child id "Resource")', () => {
    const synth = parsed(synthValidated((stack) => {
      new PermissionedKey(stack, 'Reports', { name: 'reports', permissions: Permissions.readOnly() });
      const team = new Construct(stack, 'Payments');
      new PermissionedKey(team, 'Ci', { name: 'ci', permissions: Permissions.manageApiKeys() });
    }));
    expect(Object.keys(synth.resource.keyplane_api_key).sort()).toEqual(['Payments_Ci_17BE2885', 'Reports_65402A0A']);
    expect(PermissionedKey.RESOURCE_ID).toBe('Resource');
  });

  it('turns a permission change into a new key value at the same address (the provider forces replacement)', () => {
    const build = (permissions: Permissions) => parsed(synthValidated((stack) => {
      new PermissionedKey(stack, 'Reports', { name: 'reports', permissions });
    })).resource.keyplane_api_key;
    const before = build(Permissions.readOnly());
    const after = build(Permissions.readOnly().and(Permissions.write('webhooks')));
    expect(Object.keys(before)).toEqual(['Reports_65402A0A']);
    expect(Object.keys(after)).toEqual(['Reports_65402A0A']);
    expect(before.Reports_65402A0A.permissions).toEqual(['*:read']);
    expect(after.Reports_65402A0A.permissions).toEqual(['*:read', 'webhooks:write']);
    // Same permissions built in another order synthesize identically: no false difference.
    const reordered = build(Permissions.write('webhooks').and(Permissions.readOnly()));
    expect(reordered).toEqual(after);
  });

  it('can create the replacement before archiving the old key', () => {
    const synth = synthValidated((stack) => {
      new PermissionedKey(stack, 'Reports', {
        name: 'reports', permissions: Permissions.readOnly(), createBeforeDestroy: true,
      });
    });
    expect(synth).toHaveResourceWithProperties(ApiKey, { lifecycle: { create_before_destroy: true } });
  });

  it('uses the provider it is given', () => {
    const synth = synthValidated((stack) => {
      const eu = new KeyplaneProvider(stack, 'eu', { alias: 'eu' });
      new PermissionedKey(stack, 'Reports', { name: 'reports', permissions: Permissions.readOnly(), provider: eu });
    });
    expect(synth).toHaveResourceWithProperties(ApiKey, { provider: 'keyplane.eu' });
  });

  it('exposes the key attributes as references', () => {
    const synth = parsed(synthValidated((stack) => {
      const key = new PermissionedKey(stack, 'Reports', { name: 'reports', permissions: Permissions.readOnly() });
      new TerraformOutput(stack, 'id', { value: key.id });
      new TerraformOutput(stack, 'secret', { value: key.secret, sensitive: true });
      new TerraformOutput(stack, 'prefix', { value: key.prefix });
      new TerraformOutput(stack, 'status', { value: key.status });
      new TerraformOutput(stack, 'created_at', { value: key.createdAt });
      new TerraformOutput(stack, 'organization_id', { value: key.organizationId });
    }));
    const address = 'keyplane_api_key.Reports_65402A0A';
    expect(synth.output.id.value).toBe(`\${${address}.id}`);
    expect(synth.output.secret).toEqual({ value: `\${${address}.secret}`, sensitive: true });
    expect(synth.output.prefix.value).toBe(`\${${address}.prefix}`);
    expect(synth.output.status.value).toBe(`\${${address}.status}`);
    expect(synth.output.created_at.value).toBe(`\${${address}.created_at}`);
    expect(synth.output.organization_id.value).toBe(`\${${address}.organization_id}`);
  });

  it('validates the grace period as a go duration of at most 30 days', () => {
    const problems = (gracePeriod: string) =>
      new PermissionedKey(newStack(), 'Key', { name: 'k', permissions: Permissions.readOnly(), gracePeriod }).node.validate();
    expect(problems('24h')).toEqual([]);
    expect(problems('1h30m')).toEqual([]);
    expect(problems('1.5h')).toEqual([]);
    expect(problems('720h')).toEqual([]);
    expect(problems('24')).toEqual([
      'invalid gracePeriod "24"; expected a go duration such as 30m, 24h or 1h30m (units: ns, us, µs, ms, s, m, h)',
    ]);
    expect(problems('1d')).toHaveLength(1);
    expect(problems('-1h')).toHaveLength(1);
    expect(problems('721h')).toEqual(['gracePeriod "721h" is longer than the control plane allows; at most 720h (30 days)']);
  });
});

