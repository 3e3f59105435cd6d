// Protocol tests of the Keyplane provider itself: started as OpenTofu starts it (magic cookie,
// protocol versions, AutoMTLS with a client certificate), driven over gRPC against a running
// control plane. Checks the answers against OpenTofu's consistency rules.
import { join } from 'node:path';
import { fromProtoPath } from '../../provider/src/plugin/diagnostics';
import { CtyType, decodeMsgpack, encodeMsgpack, isWhollyKnown, ObjectValue, Unknown, valuesEqual } from '../../provider/src/plugin';
import { keyplaneProvider } from '../../provider/src/keyplane/provider';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane-process';
import { baseEnv, call, connect, generateClientCert, killIfRunning, startPlugin, type Clients, type PluginProcess } from './plugin/helpers';
import { createKeyplaneClient, unwrap } from '../../client';

jest.setTimeout(120_000);

const MAIN = join(__dirname, '..', '..', 'provider', 'src', 'main.ts');
const keyType = keyplaneProvider.resources.get('keyplane_api_key')!.schema.type;
const providerType = keyplaneProvider.providerSchema.type;
const dv = (value: unknown, type: CtyType = keyType) => ({ msgpack: Buffer.from(encodeMsgpack(value as never, type)) });
const fromDv = (v: { msgpack?: Buffer } | null | undefined, type: CtyType = keyType) =>
  (v?.msgpack && v.msgpack.length > 0 ? decodeMsgpack(v.msgpack, type) : null) as ObjectValue | null;

/** A configuration as OpenTofu sends it: every attribute present, unset ones null. */
function config(overrides: ObjectValue = {}): ObjectValue {
  const base: ObjectValue = Object.fromEntries(Object.keys(keyType.attributes).map((n) => [n, null]));
  return { ...base, name: 'proto', permissions: ['ledgers:read'], ...overrides };
}

interface Diag { severity: string | number; summary: string; detail: string; attribute?: unknown }
const errors = (diags: Diag[] | undefined) => (diags ?? []).filter((d) => d.severity === 'ERROR' || d.severity === 1);

describe('terraform-provider-keyplane over the plugin protocol', () => {
  let cp: RunningControlPlane;
  let plugin: PluginProcess;
  let clients: Clients;
  let secret: string;

  beforeAll(async () => {
    cp = await startControlPlane();
    const admin = createKeyplaneClient({ endpoint: cp.endpoint, credential: cp.adminToken });
    secret = (await unwrap(admin.POST('/v1/api_keys', { body: { name: 'tf', permissions: ['*:write'] } }))).secret;
    const cert = await generateClientCert();
    plugin = await startPlugin(baseEnv({ PLUGIN_CLIENT_CERT: cert.certPem }), MAIN);
    clients = connect(plugin.handshake, cert);
  });

  afterAll(async () => {
    clients?.close();
    await killIfRunning(plugin);
    await cp?.stop();
  });

  it('hands over a TLS certificate in the handshake and serves the schema', async () => {
    expect(plugin.handshake.core).toBe('1');
    expect(plugin.handshake.app).toBe('6');
    expect(plugin.handshake.network).toBe('unix');
    expect(plugin.handshake.cert.length).toBeGreaterThan(50);
    expect(plugin.handshake.cert).not.toContain('=');
    const schema = await call(clients.provider, 'GetProviderSchema', {});
    expect(errors(schema.diagnostics)).toEqual([]);
    expect(Object.keys(schema.resource_schemas)).toEqual(['keyplane_api_key']);
    expect(Object.keys(schema.data_source_schemas).sort()).toEqual(['keyplane_api_key', 'keyplane_api_keys', 'keyplane_permissions']);
    expect(Object.keys(schema.ephemeral_resource_schemas)).toEqual(['keyplane_api_key_secret']);
    type ProtoAttribute = { name: string; sensitive: boolean; required: boolean; computed: boolean; type: Buffer };
    const attrs = Object.fromEntries(
      (schema.resource_schemas.keyplane_api_key.block.attributes as ProtoAttribute[]).map((a) => [a.name, a]),
    );
    expect(attrs.secret.sensitive).toBe(true);
    expect(attrs.permissions.required).toBe(true);
    expect(JSON.parse(attrs.permissions.type.toString())).toEqual(['set', 'string']);
    const providerAttrs = schema.provider.block.attributes as { name: string; sensitive: boolean }[];
    expect(providerAttrs.find((a) => a.name === 'api_key')!.sensitive).toBe(true);
  });

  it('validates CIDRs and permission syntax with diagnostics on the attribute', async () => {
    const res = await call(clients.provider, 'ValidateResourceConfig', {
      type_name: 'keyplane_api_key',
      config: dv(config({ allowed_ips: ['10.0.0.1/24'], permissions: ['payment_orders:delete'] })),
    });
    const diags = errors(res.diagnostics);
    const byAttr = new Map(diags.map((d) => [JSON.stringify(fromProtoPath(d.attribute as never)), d]));
    expect(byAttr.get('["allowed_ips"]')?.detail).toContain('did you mean 10.0.0.0/24');
    expect(byAttr.get('["permissions"]')?.detail).toContain('payment_orders:delete');
  });

  it('upgrades stored state of schema version 0 (dropping attributes no longer in the schema)', async () => {
    const stored = { ...config({ id: 'key_01m8xgp63722napc3g4q093dcx', allowed_ips: ['10.0.0.1'] }), retired_attribute: 'x' };
    const res = await call(clients.provider, 'UpgradeResourceState', {
      type_name: 'keyplane_api_key',
      version: 0,
      raw_state: { json: Buffer.from(JSON.stringify(stored)) },
    });
    expect(errors(res.diagnostics)).toEqual([]);
    const upgraded = fromDv(res.upgraded_state)!;
    expect(upgraded.id).toBe('key_01m8xgp63722napc3g4q093dcx');
    expect(upgraded.allowed_ips).toEqual(['10.0.0.1']);
    expect('retired_attribute' in upgraded).toBe(false);
    const newer = await call(clients.provider, 'UpgradeResourceState', {
      type_name: 'keyplane_api_key',
      version: 1,
      raw_state: { json: Buffer.from(JSON.stringify(stored)) },
    });
    expect(errors(newer.diagnostics)[0]?.summary).toBeTruthy();
  });

  it('tolerates unknown values at validate time', async () => {
    const res = await call(clients.provider, 'ValidateResourceConfig', {
      type_name: 'keyplane_api_key',
      config: dv(config({ allowed_ips: Unknown.value, permissions: Unknown.value })),
    });
    expect(errors(res.diagnostics)).toEqual([]);
  });

  it('configures, plans unknown computed values, applies consistently, and asks to replace on a permission change', async () => {
    const conf = await call(clients.provider, 'ConfigureProvider', {
      terraform_version: '1.11.14',
      config: dv({ endpoint: cp.endpoint, organization_id: cp.organizationId, api_key: secret }, providerType),
    });
    expect(errors(conf.diagnostics)).toEqual([]);

    // Create: OpenTofu proposes computed attributes as null; the plan must make them unknown.
    const cfg = config({ allowed_ips: ['10.0.0.1'] });
    const plan = await call(clients.provider, 'PlanResourceChange', {
      type_name: 'keyplane_api_key',
      prior_state: dv(null),
      proposed_new_state: dv(cfg),
      config: dv(cfg),
    });
    expect(errors(plan.diagnostics)).toEqual([]);
    const planned = fromDv(plan.planned_state)!;
    for (const computed of ['id', 'secret', 'prefix', 'status', 'created_at', 'organization_id', 'last_used_at']) {
      expect(planned[computed]).toBeInstanceOf(Unknown);
    }
    expect(planned.allowed_ips).toEqual(['10.0.0.1']);
    expect(planned.internal_account_ids).toEqual([]);
    expect(plan.requires_replace ?? []).toEqual([]);

    const applied = await call(clients.provider, 'ApplyResourceChange', {
      type_name: 'keyplane_api_key',
      prior_state: dv(null),
      planned_state: plan.planned_state,
      config: dv(cfg),
      planned_private: plan.planned_private,
    });
    expect(errors(applied.diagnostics)).toEqual([]);
    const state = fromDv(applied.new_state)!;
    expect(isWhollyKnown(state)).toBe(true);
    // Every value known in the plan comes back unchanged (AssertObjectCompatible).
    for (const [name, value] of Object.entries(planned)) {
      if (!(value instanceof Unknown)) expect(valuesEqual(state[name], value, keyType.attributes[name])).toBe(true);
    }
    expect(state.id).toMatch(/^key_/);

    // Rename only: an in-place update, nothing to replace.
    const renamed = { ...cfg, name: 'proto-renamed' };
    const update = await call(clients.provider, 'PlanResourceChange', {
      type_name: 'keyplane_api_key',
      prior_state: applied.new_state,
      proposed_new_state: dv({ ...state, name: 'proto-renamed' }),
      config: dv(renamed),
    });
    expect(errors(update.diagnostics)).toEqual([]);
    expect(update.requires_replace ?? []).toEqual([]);
    expect(fromDv(update.planned_state)!.id).toBe(state.id);

    // Permission change: requires_replace names permissions.
    const widened = { ...cfg, permissions: ['ledgers:write'] };
    const replace = await call(clients.provider, 'PlanResourceChange', {
      type_name: 'keyplane_api_key',
      prior_state: applied.new_state,
      proposed_new_state: dv({ ...state, permissions: ['ledgers:write'] }),
      config: dv(widened),
    });
    expect(errors(replace.diagnostics)).toEqual([]);
    expect((replace.requires_replace as never[]).map((p) => fromProtoPath(p))).toContainEqual(['permissions']);

    // An unknown resource is refused at plan time with the allowed values named.
    const bad = { ...cfg, permissions: ['ledgerz:read'] };
    const refused = await call(clients.provider, 'PlanResourceChange', {
      type_name: 'keyplane_api_key',
      prior_state: dv(null),
      proposed_new_state: dv(bad),
      config: dv(bad),
    });
    const [problem] = errors(refused.diagnostics);
    expect(problem.detail).toContain('ledgerz');
    expect(problem.detail).toContain('ledgers:read');

    // Destroy archives: a null planned state, a null new state.
    const destroyed = await call(clients.provider, 'ApplyResourceChange', {
      type_name: 'keyplane_api_key',
      prior_state: applied.new_state,
      planned_state: dv(null),
      config: dv(null),
    });
    expect(errors(destroyed.diagnostics)).toEqual([]);
    expect(fromDv(destroyed.new_state)).toBeNull();
    const admin = createKeyplaneClient({ endpoint: cp.endpoint, credential: cp.adminToken });
    const archived = await unwrap(admin.GET('/v1/api_keys/{id}', { params: { path: { id: state.id as string } } }));
    expect(archived.status).toBe('archived');
  });
});
