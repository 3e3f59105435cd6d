/**
 * Process-level protocol tests: the example provider is started exactly as
 * OpenTofu's go-plugin client starts providers (environment, handshake line,
 * unix socket, AutoMTLS with the printed certificate) and driven over gRPC.
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { decode as rawDecode } from '@msgpack/msgpack';

import {
  CtyType,
  ObjectValue,
  UNKNOWN,
  Unknown,
  decodeMsgpack,
  encodeMsgpack,
  isWhollyKnown,
  parseType,
  valuesEqual,
} from '../../../provider/src/plugin';
import { fromProtoPath } from '../../../provider/src/plugin/diagnostics';
import { exampleProvider, thingConfig } from './fixtures/example-provider';
import {
  ClientCert,
  Clients,
  FIXTURE,
  PluginProcess,
  REPO_ROOT,
  baseEnv,
  call,
  connect,
  generateClientCert,
  killIfRunning,
  pluginCommand,
  startPlugin,
} from './helpers';

jest.setTimeout(60_000);

const thingType = exampleProvider.resources.get('example_thing')!.schema.type;
const providerType = exampleProvider.providerSchema.type;

function dv(value: unknown, type: CtyType = thingType): { msgpack: Buffer } {
  return { msgpack: Buffer.from(encodeMsgpack(value as never, type)) };
}

function fromDv(v: { msgpack?: Buffer } | null | undefined, type: CtyType = thingType): unknown {
  return v?.msgpack && v.msgpack.length > 0 ? decodeMsgpack(v.msgpack, type) : null;
}

const config = thingConfig;

/**
 * OpenTofu's checks on an apply result (objchange.AssertObjectCompatible, simplified to
 * top-level attributes): known planned values unchanged, nothing unknown, write-only null.
 */
function expectConsistentApply(planned: ObjectValue, actual: ObjectValue): void {
  for (const [name, p] of Object.entries(planned)) {
    expect(isWhollyKnown(actual[name])).toBe(true);
    if (p instanceof Unknown) continue;
    if (!valuesEqual(p, actual[name], thingType.attributes[name])) {
      throw new Error(`.${name}: was ${String(p)}, but now ${String(actual[name])}`);
    }
  }
  expect(actual.secret).toBeNull();
}

describe('running the binary by hand', () => {
  it('explains that it is a plugin and exits non-zero without the magic cookie', () => {
    const { command, args } = pluginCommand();
    const env = { ...process.env };
    delete env.TF_PLUGIN_MAGIC_COOKIE;
    const r = spawnSync(command, args, { env, cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('This binary is a plugin. These are not meant to be executed directly.');
    expect(r.stderr).toMatch(/Run terraform or tofu/);
  });

  it('rejects a wrong cookie the same way', () => {
    const { command, args } = pluginCommand();
    const r = spawnSync(command, args, { env: baseEnv({ TF_PLUGIN_MAGIC_COOKIE: 'nope' }), cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('This binary is a plugin');
  });

  it('refuses clients that do not offer protocol 6', () => {
    const { command, args } = pluginCommand();
    const r = spawnSync(command, args, { env: baseEnv({ PLUGIN_PROTOCOL_VERSIONS: '4,5' }), cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/plugin protocol version 6, but the client offered only version\(s\) 4, 5/);
  });
});

describe('AutoMTLS session (PLUGIN_PROTOCOL_VERSIONS=5,6)', () => {
  let clientCert: ClientCert;
  let plugin: PluginProcess;
  let clients: Clients;
  let storeDir: string;

  beforeAll(async () => {
    clientCert = await generateClientCert();
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-test-'));
    plugin = await startPlugin(
      baseEnv({
        PLUGIN_PROTOCOL_VERSIONS: '5,6',
        PLUGIN_CLIENT_CERT: clientCert.certPem,
        PLUGIN_UNIX_SOCKET_DIR: storeDir,
        EXAMPLE_PROVIDER_STORE: path.join(storeDir, 'store.json'),
        TF_LOG: 'trace',
      }),
    );
    clients = connect(plugin.handshake, clientCert);
  });

  afterAll(async () => {
    clients?.close();
    await killIfRunning(plugin);
    fs.rmSync(storeDir, { recursive: true, force: true });
  });

  it('prints a go-plugin handshake line with an unpadded DER certificate', () => {
    const h = plugin.handshake;
    expect(h.line).toMatch(/^1\|6\|unix\|[^|]+\|grpc\|[A-Za-z0-9+/]+$/);
    expect(h.address.startsWith(storeDir + path.sep)).toBe(true);
    expect(h.cert.length).toBeGreaterThan(50);
    expect(h.cert).not.toContain('=');
    const cert = new X509Certificate(Buffer.from(h.cert, 'base64'));
    expect(cert.subject).toContain('CN=localhost');
    expect(cert.subjectAltName).toBe('DNS:localhost');
    expect(cert.ca).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(Date.now() - 20_000);
  });

  it('restricts the socket to its owner', () => {
    const st = fs.statSync(plugin.handshake.address);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('serves the auxiliary go-plugin services', async () => {
    expect(await call(clients.health, 'Check', { service: 'plugin' })).toEqual({ status: 1 });
    expect(await call(clients.health, 'Check', { service: '' })).toEqual({ status: 1 });
    await expect(call(clients.health, 'Check', { service: 'other' })).rejects.toMatchObject({ code: 5 });
    const stream = (clients.stdio as unknown as { StreamStdio: (req: unknown) => NodeJS.EventEmitter }).StreamStdio({});
    const items: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (d) => items.push(d));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    expect(items).toEqual([]);
  });

  it('answers GetProviderSchema with non-nil schemas and valid types', async () => {
    const r = await call(clients.provider, 'GetProviderSchema');
    expect(r.diagnostics).toEqual([]);
    expect(r.provider.block.attributes.map((a: { name: string }) => a.name)).toEqual(['prefix']);
    const thing = r.resource_schemas.example_thing;
    expect(thing.version).toBe(1);
    for (const a of thing.block.attributes) {
      expect(() => parseType(a.type)).not.toThrow();
      expect(a.required || a.optional || a.computed).toBe(true);
    }
    expect(Object.keys(r.data_source_schemas)).toEqual(['example_info']);
    expect(Object.keys(r.ephemeral_resource_schemas)).toEqual(['example_token']);
    expect(r.server_capabilities).toMatchObject({ plan_destroy: false });
    expect(await call(clients.provider, 'GetResourceIdentitySchemas')).toEqual({ identity_schemas: {}, diagnostics: [] });
  });

  it('rejects clients without the announced certificate', async () => {
    const other = await generateClientCert();
    const stranger = connect(plugin.handshake, other);
    try {
      await expect(call(stranger.provider, 'GetProviderSchema')).rejects.toMatchObject({ code: 14 });
    } finally {
      stranger.close();
    }
  });

  it('validates provider and resource configuration with diagnostics', async () => {
    const pv = await call(clients.provider, 'ValidateProviderConfig', { config: dv({ prefix: UNKNOWN }, providerType) });
    expect(pv).toEqual({ diagnostics: [] });
    const caps = { deferral_allowed: false, write_only_attributes_allowed: true };
    const bad = await call(clients.provider, 'ValidateResourceConfig', {
      type_name: 'example_thing',
      config: dv(config({ name: 'Not Valid' })),
      client_capabilities: caps,
    });
    expect(bad.diagnostics).toHaveLength(1);
    expect(bad.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Invalid attribute value', detail: 'must be lowercase letters, digits and dashes' });
    expect(fromProtoPath(bad.diagnostics[0].attribute)).toEqual(['name']);
    // Refined unknowns (ext 12) in config are tolerated and skip validation.
    const refined = Buffer.from(encodeMsgpack(config({ name: 'placeholder' }), thingType));
    const idx = refined.indexOf(Buffer.from([0xab, ...Buffer.from('placeholder')]));
    expect(idx).toBeGreaterThan(0);
    const ext12 = Buffer.from([0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2]); // {1: false} = not null
    const patched = Buffer.concat([refined.subarray(0, idx), ext12, refined.subarray(idx + 12)]);
    const ok = await call(clients.provider, 'ValidateResourceConfig', { type_name: 'example_thing', config: { msgpack: patched }, client_capabilities: caps });
    expect(ok.diagnostics).toEqual([]);
  });

  const live: { state?: ObjectValue } = {};

  it('configures the provider', async () => {
    const r = await call(clients.provider, 'ConfigureProvider', {
      terraform_version: '1.13.0',
      config: dv({ prefix: 'mtls-' }, providerType),
      client_capabilities: { deferral_allowed: false, write_only_attributes_allowed: true },
    });
    expect(r).toEqual({ diagnostics: [] });
  });

  it('plans a create with unknown computed values and applies it consistently', async () => {
    const cfg = config({ secret: 'hunter22', big: 2n ** 70n + 1n, tags: { team: 'core' } });
    const plan = await call(clients.provider, 'PlanResourceChange', {
      type_name: 'example_thing',
      prior_state: dv(null),
      proposed_new_state: dv(cfg), // on create, computed attributes arrive as null
      config: dv(cfg),
      client_capabilities: { deferral_allowed: false, write_only_attributes_allowed: true },
    });
    expect(plan.diagnostics).toEqual([]);
    expect(plan.requires_replace).toEqual([]);
    const raw = rawDecode(plan.planned_state.msgpack, { useBigInt64: true }) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(Object.keys(thingType.attributes).sort()); // every attribute present
    expect(raw.secret).toBeNull(); // write-only planned null
    const planned = fromDv(plan.planned_state) as ObjectValue;
    expect(planned).toMatchObject({ id: UNKNOWN, created_at: UNKNOWN, revision: UNKNOWN, secret_length: UNKNOWN, size: 1, name: 'alpha' });
    expect(planned.big).toBe(2n ** 70n + 1n);
    // Unknown is ext 0 on the wire: d4 00 00 right after the "id" key.
    expect(plan.planned_state.msgpack.includes(Buffer.from([0xa2, 0x69, 0x64, 0xd4, 0x00, 0x00]))).toBe(true);

    const apply = await call(clients.provider, 'ApplyResourceChange', {
      type_name: 'example_thing',
      prior_state: dv(null),
      planned_state: plan.planned_state,
      config: dv(cfg),
      planned_private: plan.planned_private,
    });
    expect(apply.diagnostics).toEqual([]);
    const state = fromDv(apply.new_state) as ObjectValue;
    expectConsistentApply(planned, state);
    expect(String(state.id)).toMatch(/^mtls-/);
    expect(state.secret_length).toBe(8);
    expect(state.revision).toBe(1);
    live.state = state;
  });

  it('reads the resource back and echoes private data', async () => {
    const r = await call(clients.provider, 'ReadResource', {
      type_name: 'example_thing',
      current_state: dv(live.state),
      private: Buffer.from('{"p":1}'),
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.private.toString()).toBe('{"p":1}');
    expect(fromDv(r.new_state)).toEqual(live.state);
  });

  it('plans an in-place update keeping ids and marking other computed values unknown', async () => {
    const prior = live.state!;
    const cfg = config({ description: 'updated', big: 2n ** 70n + 1n, tags: { team: 'core' } });
    const proposed = { ...prior, description: 'updated' };
    const plan = await call(clients.provider, 'PlanResourceChange', {
      type_name: 'example_thing',
      prior_state: dv(prior),
      proposed_new_state: dv(proposed),
      config: dv(cfg),
    });
    expect(plan.diagnostics).toEqual([]);
    expect(plan.requires_replace).toEqual([]);
    const planned = fromDv(plan.planned_state) as ObjectValue;
    expect(planned).toMatchObject({ id: prior.id, created_at: prior.created_at, revision: UNKNOWN, description: 'updated' });

    const apply = await call(clients.provider, 'ApplyResourceChange', {
      type_name: 'example_thing',
      prior_state: dv(prior),
      planned_state: plan.planned_state,
      config: dv(cfg),
    });
    expect(apply.diagnostics).toEqual([]);
    const state = fromDv(apply.new_state) as ObjectValue;
    expectConsistentApply(planned, state);
    expect(state.revision).toBe(2);
    expect(state.secret_length).toBe(8); // secret not configured this time: kept
    live.state = state;
  });

  it('plans a replacement when a requiresReplace attribute changes, then the create half', async () => {
    const prior = live.state!;
    const cfg = config({ name: 'beta', description: 'updated', big: 2n ** 70n + 1n, tags: { team: 'core' } });
    const plan = await call(clients.provider, 'PlanResourceChange', {
      type_name: 'example_thing',
      prior_state: dv(prior),
      proposed_new_state: dv({ ...prior, name: 'beta' }),
      config: dv(cfg),
    });
    expect(plan.diagnostics).toEqual([]);
    expect(plan.requires_replace.map(fromProtoPath)).toEqual([['name']]);
    const second = await call(clients.provider, 'PlanResourceChange', {
      type_name: 'example_thing',
      prior_state: dv(null),
      proposed_new_state: dv(cfg),
      config: dv(cfg),
      prior_private: plan.planned_private,
    });
    expect(second.diagnostics).toEqual([]);
    expect(second.requires_replace).toEqual([]);
    expect(fromDv(second.planned_state)).toMatchObject({ name: 'beta', id: UNKNOWN });
  });

  it('imports by id, then reads the object', async () => {
    const imp = await call(clients.provider, 'ImportResourceState', { type_name: 'example_thing', id: live.state!.id });
    expect(imp.diagnostics).toEqual([]);
    expect(imp.imported_resources).toHaveLength(1);
    expect(imp.imported_resources[0].type_name).toBe('example_thing');
    const imported = fromDv(imp.imported_resources[0].state) as ObjectValue;
    expect(imported).toEqual(config({ id: live.state!.id, name: null }));
    const read = await call(clients.provider, 'ReadResource', { type_name: 'example_thing', current_state: imp.imported_resources[0].state });
    expect(fromDv(read.new_state)).toEqual(live.state);
  });

  it('upgrades stored JSON state from an older schema version', async () => {
    const r = await call(clients.provider, 'UpgradeResourceState', {
      type_name: 'example_thing',
      version: 0,
      raw_state: { json: Buffer.from('{"id":"old-1","title":"legacy","obsolete":"x","big":18446744073709551617}') },
    });
    expect(r.diagnostics).toEqual([]);
    expect(fromDv(r.upgraded_state)).toEqual(config({ id: 'old-1', name: 'legacy', big: 18446744073709551617n }));
  });

  it('deletes: new_state is null', async () => {
    const r = await call(clients.provider, 'ApplyResourceChange', {
      type_name: 'example_thing',
      prior_state: dv(live.state),
      planned_state: dv(null),
      config: dv(null),
    });
    expect(r.diagnostics).toEqual([]);
    expect(fromDv(r.new_state)).toBeNull();
    const gone = await call(clients.provider, 'ReadResource', { type_name: 'example_thing', current_state: dv(live.state) });
    expect(fromDv(gone.new_state)).toBeNull();
  });

  it('reports a failing create as an error diagnostic without a stack trace', async () => {
    const cfg = config({ name: 'explode' });
    const plan = await call(clients.provider, 'PlanResourceChange', { type_name: 'example_thing', prior_state: dv(null), proposed_new_state: dv(cfg), config: dv(cfg) });
    const r = await call(clients.provider, 'ApplyResourceChange', { type_name: 'example_thing', prior_state: dv(null), planned_state: plan.planned_state, config: dv(cfg) });
    expect(r.diagnostics).toEqual([{ severity: 1, summary: 'Failed to apply example_thing', detail: 'remote API exploded', attribute: null }]);
    expect(fromDv(r.new_state)).toBeNull();
    expect(plugin.stderr()).toMatch(/"@message":"Failed to apply example_thing: remote API exploded"/);
  });

  it('reads data sources, including dynamic attributes', async () => {
    const infoType = exampleProvider.dataSources.get('example_info')!.schema.type;
    const r = await call(clients.provider, 'ReadDataSource', {
      type_name: 'example_info',
      config: dv({ name: 'abcd', length: null, echo: { k: ['v'] } }, infoType),
    });
    expect(r.diagnostics).toEqual([]);
    const v = fromDv(r.state, infoType) as ObjectValue;
    expect(v.length).toBe(4);
    // Dynamic values come back with the exact type they were sent with.
    const raw = rawDecode(r.state.msgpack) as Record<string, [Uint8Array, unknown]>;
    expect(Buffer.from(raw.echo[0]).toString()).toBe('["object",{"k":["tuple",["string"]]}]');
  });

  it('opens, renews and closes ephemeral resources', async () => {
    const tokType = exampleProvider.ephemeralResources.get('example_token')!.schema.type;
    const v = await call(clients.provider, 'ValidateEphemeralResourceConfig', { type_name: 'example_token', config: dv({ name: UNKNOWN, token: null }, tokType) });
    expect(v.diagnostics).toEqual([]);
    const open = await call(clients.provider, 'OpenEphemeralResource', { type_name: 'example_token', config: dv({ name: 'x', token: null }, tokType) });
    expect(open.diagnostics).toEqual([]);
    expect(fromDv(open.result, tokType)).toEqual({ name: 'x', token: 'tok-x' });
    expect(Number(open.renew_at.seconds)).toBeGreaterThan(Date.now() / 1000);
    expect(JSON.parse(open.private.toString())).toEqual({ name: 'x' });
    const renew = await call(clients.provider, 'RenewEphemeralResource', { type_name: 'example_token', private: open.private });
    expect(renew.diagnostics).toEqual([]);
    expect(JSON.parse(renew.private.toString())).toEqual({ name: 'x' });
    expect(await call(clients.provider, 'CloseEphemeralResource', { type_name: 'example_token', private: open.private })).toEqual({ diagnostics: [] });
  });

  it('answers RPCs it does not implement with Unimplemented', async () => {
    await expect(call(clients.provider, 'LockState', { type_name: 'x' })).rejects.toMatchObject({ code: 12 });
    const fn = await call(clients.provider, 'CallFunction', { name: 'nope' });
    expect(fn.error.text).toMatch(/no function named "nope"/);
  });

  it('StopProvider cancels in-flight calls and keeps the process running', async () => {
    const cfg = config({ name: 'slow' });
    const plan = await call(clients.provider, 'PlanResourceChange', { type_name: 'example_thing', prior_state: dv(null), proposed_new_state: dv(cfg), config: dv(cfg) });
    const started = Date.now();
    const inflight = call(clients.provider, 'ApplyResourceChange', { type_name: 'example_thing', prior_state: dv(null), planned_state: plan.planned_state, config: dv(cfg) });
    await new Promise((r) => setTimeout(r, 500));
    expect(await call(clients.provider, 'StopProvider')).toEqual({ Error: '' });
    const r = await inflight;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Operation cancelled' });
    expect(fromDv(r.new_state)).toBeNull();
    // Still serving, and new calls are not cancelled.
    expect(plugin.isRunning()).toBe(true);
    expect((await call(clients.provider, 'GetProviderSchema')).diagnostics).toEqual([]);
  });

  it('logs hclog-compatible JSON lines on stderr only', () => {
    expect(plugin.stdoutAfterHandshake()).toBe('');
    const lines = plugin.stderr().split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const entry = JSON.parse(line);
      expect(typeof entry['@message']).toBe('string');
      expect(['trace', 'debug', 'info', 'warn', 'error']).toContain(entry['@level']);
      expect(entry['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(entry['@module']).toBe('provider.terraform-provider-example');
    }
    // Secrets never reach the log.
    expect(plugin.stderr()).not.toContain('hunter22');
  });

  it('exits promptly after GRPCController.Shutdown and removes its socket', async () => {
    expect(await call(clients.controller, 'Shutdown', {})).toEqual({});
    const started = Date.now();
    const { code } = await plugin.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fs.existsSync(plugin.handshake.address)).toBe(false);
  });
});

describe('plaintext session (no PLUGIN_CLIENT_CERT, PLUGIN_PROTOCOL_VERSIONS=6,5)', () => {
  let plugin: PluginProcess;
  let clients: Clients;

  beforeAll(async () => {
    const env = baseEnv({ PLUGIN_PROTOCOL_VERSIONS: '6,5' });
    delete env.PLUGIN_CLIENT_CERT;
    plugin = await startPlugin(env);
    clients = connect(plugin.handshake);
  });

  afterAll(async () => {
    clients?.close();
    await killIfRunning(plugin);
  });

  it('prints an empty certificate field and serves without TLS', async () => {
    expect(plugin.handshake.line).toMatch(/^1\|6\|unix\|[^|]+\|grpc\|$/);
    expect(plugin.handshake.address.startsWith(os.tmpdir())).toBe(true);
    const r = await call(clients.provider, 'GetProviderSchema');
    expect(Object.keys(r.resource_schemas)).toEqual(['example_thing']);
  });

  it('ignores SIGINT', async () => {
    plugin.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    expect(plugin.isRunning()).toBe(true);
    expect((await call(clients.provider, 'GetMetadata')).resources).toEqual([{ type_name: 'example_thing' }]);
  });

  it('exits cleanly on SIGTERM', async () => {
    plugin.child.kill('SIGTERM');
    expect(await plugin.exited).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(plugin.handshake.address)).toBe(false);
  });
});

describe('broken stderr pipe (the client died mid-session)', () => {
  it('keeps serving and still shuts down when log writes fail with EPIPE', async () => {
    const plugin = await startPlugin(baseEnv({ TF_LOG: 'trace' }));
    const clients = connect(plugin.handshake);
    try {
      plugin.child.stderr!.destroy(); // every further log line now hits EPIPE
      for (let i = 0; i < 5; i++) {
        expect((await call(clients.provider, 'GetMetadata')).resources).toEqual([{ type_name: 'example_thing' }]);
      }
      plugin.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([plugin.exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), 5_000)))]);
      clearTimeout(timer);
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      clients.close();
      await killIfRunning(plugin);
    }
  });
});

describe('parent process death', () => {
  function processGone(pid: number): boolean {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z'); // a zombie has exited
    } catch {
      return true;
    }
  }

  it('exits when the process that started it is killed', async () => {
    const { command, args } = pluginCommand(FIXTURE);
    const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // An intermediate shell stands in for the client; SIGKILL gives the plugin no chance to be told.
    const shell = spawn('/bin/sh', ['-c', `${quoted} & echo "pid:$!" >&2; wait`], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = await new Promise<number>((resolve, reject) => {
      let err = '';
      let out = '';
      let found: number | undefined;
      const timer = setTimeout(() => reject(new Error(`no handshake: ${err}`)), 20_000);
      const check = (): void => {
        if (found !== undefined && out.includes('\n')) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      shell.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /pid:(\d+)/.exec(err);
        if (m) found = Number(m[1]);
        check();
      });
      shell.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        check();
      });
    });
    expect(processGone(pid)).toBe(false);
    shell.kill('SIGKILL');
    const deadline = Date.now() + 8_000;
    while (!processGone(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const gone = processGone(pid);
    if (!gone) process.kill(pid, 'SIGKILL');
    expect(gone).toBe(true);
  });
});
