// Data sources: one key by ID, the list of keys, and the permission catalog.
import { defineDataSource, type Attributes } from '../plugin/framework';
import { t } from '../plugin/types';
import { apiDiagnostic, configured, keyAttributes, type KeyplaneProviderData } from './common';
import { diag } from '../plugin/diagnostics';

const keyFields = {
  id: t.string,
  organization_id: t.string,
  name: t.string,
  prefix: t.string,
  permissions: t.set(t.string),
  internal_account_ids: t.set(t.string),
  allowed_ips: t.set(t.string),
  expires_at: t.string,
  status: t.string,
  created_at: t.string,
  archived_at: t.string,
  last_used_at: t.string,
};

const KEY_DESCRIPTIONS: Record<keyof typeof keyFields, string> = {
  id: 'The key ID.',
  organization_id: 'The organization the key belongs to.',
  name: 'The key name.',
  prefix: 'The first characters of the secret.',
  permissions: 'The key permissions (sorted).',
  internal_account_ids: 'The internal accounts the key is restricted to; empty means every account.',
  allowed_ips: 'The addresses and CIDR blocks the key may be used from (canonical form); empty means anywhere.',
  expires_at: 'When the key stops authenticating, if ever.',
  status: '`active` or `archived`.',
  created_at: 'When the key was created.',
  archived_at: 'When the key was archived, or when a scheduled archive takes effect.',
  last_used_at: 'When the key was last used.',
};

const singleKeyAttributes: Attributes = Object.fromEntries(
  Object.entries(keyFields).map(([name, type]) => [
    name,
    name === 'id'
      ? { type, required: true, description: 'The ID of the key to read.' }
      : { type, computed: true, description: KEY_DESCRIPTIONS[name as keyof typeof keyFields] },
  ]),
);

export const apiKeyDataSource = defineDataSource<KeyplaneProviderData>({
  typeName: 'keyplane_api_key',
  description: 'Reads one key by ID (active or archived), without its secret.',
  attributes: singleKeyAttributes,
  async read({ provider, signal, config }) {
    const data = configured(provider, signal);
    const id = config.id as string;
    try {
      const key = await data.api.getKey(id);
      if (!key) return { state: config, diagnostics: [diag.error('Key not found', `No key ${id} in this organization.`, ['id'])] };
      return { state: keyAttributes(key) };
    } catch (err) {
      return { state: config, diagnostics: [apiDiagnostic(`Reading key ${id}`, err, data.endpoint)] };
    }
  },
});

export const apiKeysDataSource = defineDataSource<KeyplaneProviderData>({
  typeName: 'keyplane_api_keys',
  description: 'Lists the organization\'s keys (without secrets), oldest first.',
  attributes: {
    include_archived: { type: t.bool, optional: true, description: 'Also list archived keys. Defaults to false.' },
    name: { type: t.string, optional: true, description: 'Only keys with exactly this name.' },
    keys: { type: t.list(t.object(keyFields)), computed: true, description: 'The keys.' },
  },
  async read({ provider, signal, config }) {
    const data = configured(provider, signal);
    try {
      const keys = await data.api.listKeys({
        includeArchived: config.include_archived === true,
        name: (config.name as string | null) ?? undefined,
      });
      return { state: { keys: keys.map(keyAttributes) } };
    } catch (err) {
      return { state: config, diagnostics: [apiDiagnostic('Listing keys', err, data.endpoint)] };
    }
  },
});

export const permissionsDataSource = defineDataSource<KeyplaneProviderData>({
  typeName: 'keyplane_permissions',
  description: 'The permission catalog: every resource a permission can name and the actions it supports.',
  attributes: {
    resources: {
      type: t.list(t.object({ resource: t.string, description: t.string, actions: t.list(t.string), account_scoped: t.bool })),
      computed: true,
      description: 'One entry per resource, sorted by name.',
    },
  },
  async read({ provider, signal, config }) {
    const data = configured(provider, signal);
    try {
      const catalog = await data.api.permissionCatalog();
      return {
        state: {
          resources: catalog.map((r) => ({ resource: r.resource, description: r.description, actions: [...r.actions], account_scoped: r.account_scoped })),
        },
      };
    } catch (err) {
      return { state: config, diagnostics: [apiDiagnostic('Reading the permission catalog', err, data.endpoint)] };
    }
  },
});
