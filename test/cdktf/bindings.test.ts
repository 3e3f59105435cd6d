import { TerraformOutput, TerraformVariable, Testing } from 'cdktf';
import * as lib from '../../provider/cdktf/src';
import {
  ApiKey,
  DataKeyplaneApiKey,
  DataKeyplaneApiKeys,
  DataKeyplanePermissions,
  KeyplaneProvider,
} from '../../provider/cdktf/src';
import { parsed } from './helpers';

Testing.setupJest();

describe('KeyplaneProvider', () => {
  it('synthesizes its settings, source and version constraint', () => {
    const synth = Testing.synthScope((stack) => {
      const apiKey = new TerraformVariable(stack, 'api_key', { type: 'string', sensitive: true });
      new KeyplaneProvider(stack, 'keyplane', {
        endpoint: 'https://keyplane.example.com',
        organizationId: 'org_01jf3z7w4v9q2m8k5t6r1y0x3c',
        apiKey: apiKey.stringValue,
        versionConstraint: '~> 0.1',
      });
    });
    expect(synth).toHaveProviderWithProperties(KeyplaneProvider, {
      endpoint: 'https://keyplane.example.com',
      organization_id: 'org_01jf3z7w4v9q2m8k5t6r1y0x3c',
      api_key: '${var.api_key}',
    });
    expect(parsed(synth).terraform.required_providers.keyplane).toEqual({ source: 'keyplane/keyplane', version: '~> 0.1' });
  });

  it('leaves settings to the environment and the version open by default', () => {
    const synth = parsed(Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
    }));
    expect(synth.provider.keyplane).toEqual([{}]);
    expect(synth.terraform.required_providers.keyplane).toEqual({ source: 'keyplane/keyplane' });
  });

  it('supports aliases, and resources pick a provider', () => {
    const synth = Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      const other = new KeyplaneProvider(stack, 'other', { alias: 'other', endpoint: 'https://other.example.com' });
      new ApiKey(stack, 'key', { name: 'k', permissions: ['*:read'], provider: other });
    });
    expect(parsed(synth).provider.keyplane).toEqual([{}, { alias: 'other', endpoint: 'https://other.example.com' }]);
    expect(synth).toHaveResourceWithProperties(ApiKey, { provider: 'keyplane.other' });
  });
});

describe('ApiKey (keyplane_api_key)', () => {
  it('synthesizes every configurable attribute under its schema name', () => {
    const synth = Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      new ApiKey(stack, 'ci', {
        name: 'ci',
        permissions: ['payment_orders:write', '*:read'],
        internalAccountIds: ['acc_1'],
        allowedIps: ['10.0.0.1', '2001:db8::/32'],
        expiresAt: '2030-01-01T00:00:00Z',
        archiveGracePeriod: '24h',
      });
    });
    expect(parsed(synth).resource.keyplane_api_key.ci).toEqual({
      name: 'ci',
      permissions: ['payment_orders:write', '*:read'],
      internal_account_ids: ['acc_1'],
      allowed_ips: ['10.0.0.1', '2001:db8::/32'],
      expires_at: '2030-01-01T00:00:00Z',
      archive_grace_period: '24h',
    });
    expect(ApiKey.tfResourceType).toBe('keyplane_api_key');
  });

  it('omits optional attributes left out', () => {
    const synth = Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      new ApiKey(stack, 'ci', { name: 'ci', permissions: ['*:read'] });
    });
    expect(parsed(synth).resource.keyplane_api_key.ci).toEqual({ name: 'ci', permissions: ['*:read'] });
  });

  it('references computed attributes, sets through tolist', () => {
    const synth = parsed(Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      const key = new ApiKey(stack, 'ci', { name: 'ci', permissions: ['*:read'] });
      const outputs = {
        id: key.id, secret: key.secret, prefix: key.prefix, status: key.status, created_at: key.createdAt,
        organization_id: key.organizationId, last_used_at: key.lastUsedAt, permissions: key.permissions,
        allowed_ips: key.allowedIps, internal_account_ids: key.internalAccountIds,
      };
      for (const [name, value] of Object.entries(outputs)) {
        new TerraformOutput(stack, name, { value, sensitive: name === 'secret' });
      }
    }));
    expect(synth.output.secret).toEqual({ value: '${keyplane_api_key.ci.secret}', sensitive: true });
    expect(synth.output.id.value).toBe('${keyplane_api_key.ci.id}');
    expect(synth.output.last_used_at.value).toBe('${keyplane_api_key.ci.last_used_at}');
    expect(synth.output.organization_id.value).toBe('${keyplane_api_key.ci.organization_id}');
    expect(synth.output.permissions.value).toBe('${tolist(keyplane_api_key.ci.permissions)}');
    expect(synth.output.allowed_ips.value).toBe('${tolist(keyplane_api_key.ci.allowed_ips)}');
  });

  it('supports import, as prebuilt provider packages do', () => {
    const synth = parsed(Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      const key = new ApiKey(stack, 'ci', { name: 'ci', permissions: ['*:read'] });
      key.importFrom('key_01jf3z7w4v9q2m8k5t6r1y0x3c');
      ApiKey.generateConfigForImport(stack, 'legacy', 'key_01jf3z7w4v9q2m8k5t6r1y0x3d');
    }));
    expect(synth.import).toEqual(expect.arrayContaining([
      { to: 'keyplane_api_key.ci', id: 'key_01jf3z7w4v9q2m8k5t6r1y0x3c' },
      { to: 'keyplane_api_key.legacy', id: 'key_01jf3z7w4v9q2m8k5t6r1y0x3d' },
    ]));
  });

  it('has getters, setters, reset and input getters like generated bindings', () => {
    Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      const key = new ApiKey(stack, 'ci', { name: 'ci', permissions: ['*:read'], allowedIps: ['10.0.0.1'] });
      key.name = 'renamed';
      key.resetAllowedIps();
      expect(key.nameInput).toBe('renamed');
      expect(key.allowedIpsInput).toBeUndefined();
      expect(key.permissionsInput).toEqual(['*:read']);
    });
  });
});

describe('data sources', () => {
  it('keyplane_api_key reads a key by id', () => {
    const synth = Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      const key = new DataKeyplaneApiKey(stack, 'existing', { id: 'key_01jf3z7w4v9q2m8k5t6r1y0x3c' });
      new TerraformOutput(stack, 'permissions', { value: key.permissions });
      new TerraformOutput(stack, 'status', { value: key.status });
    });
    expect(synth).toHaveDataSourceWithProperties(DataKeyplaneApiKey, { id: 'key_01jf3z7w4v9q2m8k5t6r1y0x3c' });
    expect(parsed(synth).output.permissions.value).toBe('${tolist(data.keyplane_api_key.existing.permissions)}');
    expect(parsed(synth).output.status.value).toBe('${data.keyplane_api_key.existing.status}');
    // The data source never carries a secret.
    expect('secret' in DataKeyplaneApiKey.prototype).toBe(false);
  });

  it('keyplane_api_keys lists keys with filters and exposes each key', () => {
    const synth = Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      const keys = new DataKeyplaneApiKeys(stack, 'all', { includeArchived: true, name: 'ci' });
      new TerraformOutput(stack, 'first', { value: keys.keys.get(0).id });
      new TerraformOutput(stack, 'first_permissions', { value: keys.keys.get(0).permissions });
      new TerraformOutput(stack, 'every', { value: keys.keys });
    });
    expect(synth).toHaveDataSourceWithProperties(DataKeyplaneApiKeys, { include_archived: true, name: 'ci' });
    const outputs = parsed(synth).output;
    expect(outputs.first.value).toBe('${data.keyplane_api_keys.all.keys[0].id}');
    expect(outputs.first_permissions.value).toBe('${tolist(data.keyplane_api_keys.all.keys[0].permissions)}');
    expect(outputs.every.value).toBe('${data.keyplane_api_keys.all.keys}');
    expect('secret' in lib.DataKeyplaneApiKeysKeysOutputReference.prototype).toBe(false);
  });

  it('keyplane_permissions exposes the catalog', () => {
    const synth = Testing.synthScope((stack) => {
      new KeyplaneProvider(stack, 'keyplane');
      const catalog = new DataKeyplanePermissions(stack, 'catalog');
      const first = catalog.resources.get(0);
      new TerraformOutput(stack, 'resource', { value: first.resource });
      new TerraformOutput(stack, 'description', { value: first.description });
      new TerraformOutput(stack, 'actions', { value: first.actions });
      new TerraformOutput(stack, 'account_scoped', { value: first.accountScoped });
    });
    expect(synth).toHaveDataSource(DataKeyplanePermissions);
    const outputs = parsed(synth).output;
    expect(outputs.resource.value).toBe('${data.keyplane_permissions.catalog.resources[0].resource}');
    expect(outputs.actions.value).toBe('${data.keyplane_permissions.catalog.resources[0].actions}');
    expect(outputs.account_scoped.value).toBe('${data.keyplane_permissions.catalog.resources[0].account_scoped}');
  });

  it('are namespaced like prebuilt provider packages as well', () => {
    expect(lib.provider.KeyplaneProvider).toBe(KeyplaneProvider);
    expect(lib.apiKey.ApiKey).toBe(ApiKey);
    expect(lib.dataKeyplaneApiKey.DataKeyplaneApiKey.tfResourceType).toBe('keyplane_api_key');
    expect(lib.dataKeyplaneApiKeys.DataKeyplaneApiKeys.tfResourceType).toBe('keyplane_api_keys');
    expect(lib.dataKeyplanePermissions.DataKeyplanePermissions.tfResourceType).toBe('keyplane_permissions');
  });

  it('ship no ephemeral resource binding: cdktf 0.21 cannot express ephemeral blocks', () => {
    expect(Object.keys(lib).filter((name) => /ephemeral|secret/i.test(name))).toEqual([]);
  });
});
