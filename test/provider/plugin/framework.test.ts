/**
 * In-process tests of the framework and the Provider service logic (no gRPC).
 */
import {
  CtyType,
  DiagnosticError,
  ObjectValue,
  SchemaDefinitionError,
  UNKNOWN,
  Unknown,
  decodeMsgpack,
  defaultPlan,
  defineProvider,
  diag,
  encodeMsgpack,
  parseType,
  planModifiers,
  t,
  validators,
} from '../../../provider/src/plugin';
import { fromProtoPath, toProtoPath } from '../../../provider/src/plugin/diagnostics';
import { createLogger } from '../../../provider/src/plugin/log';
import { ProviderServer } from '../../../provider/src/plugin/provider-server';
import { exampleProvider, thingConfig } from './fixtures/example-provider';

const quiet = createLogger('test', { level: 'off' });
const thingSchema = exampleProvider.resources.get('example_thing')!.schema;
const thingType = thingSchema.type;
const signal = new AbortController().signal;

function dv(value: unknown, type: CtyType = thingType): { msgpack: Buffer; json: Buffer } {
  return { msgpack: Buffer.from(encodeMsgpack(value as never, type)), json: Buffer.alloc(0) };
}

function fromDv(v: { msgpack?: Buffer } | undefined, type: CtyType = thingType): unknown {
  return v?.msgpack && v.msgpack.length > 0 ? decodeMsgpack(v.msgpack, type) : null;
}

const thing = thingConfig;

async function configured(): Promise<ProviderServer<unknown>> {
  const s = new ProviderServer(exampleProvider, quiet);
  const r = await s.ConfigureProvider({ terraform_version: '1.13.0', config: dv({ prefix: 'p-' }, exampleProvider.providerSchema.type) }, signal);
  expect(r.diagnostics).toEqual([]);
  return s;
}

describe('defineProvider', () => {
  const ok = { type: t.string, optional: true };
  const base = { create: async () => ({}), read: async () => ({ state: null }), delete: async () => undefined };

  it.each([
    [{ a: { type: t.string, required: true, computed: true } }, /required cannot be combined/],
    [{ a: { type: t.string } }, /must be required, optional or computed/],
    [{ A: ok }, /names must match/],
    [{ count: ok }, /reserved name/],
    [{ a: { type: t.set(t.dynamic), optional: true } }, /dynamic types cannot appear inside a set/],
    [{ a: { type: t.string, computed: true, writeOnly: true } }, /write-only attributes cannot be computed/],
    [{ a: { type: t.string, optional: true, default: 'x' } }, /a default requires optional and computed/],
  ])('rejects invalid attributes %#', (attributes, message) => {
    expect(() =>
      defineProvider({ name: 'x', resources: [{ typeName: 'x_r', attributes: attributes as never, ...base }] }),
    ).toThrow(message);
  });

  it('rejects bad type names, duplicates and missing upgraders', () => {
    expect(() => defineProvider({ name: 'x', resources: [{ typeName: 'y_r', attributes: {}, ...base }] })).toThrow(/must start with "x_"/);
    expect(() =>
      defineProvider({ name: 'x', resources: [{ typeName: 'x_r', attributes: {}, ...base }, { typeName: 'x_r', attributes: {}, ...base }] }),
    ).toThrow(/defined twice/);
    expect(() =>
      defineProvider({ name: 'x', resources: [{ typeName: 'x_r', version: 2, stateUpgraders: { 0: (s) => s }, attributes: {}, ...base }] }),
    ).toThrow(/missing state upgrader from version 1 to 2/);
    expect(() => defineProvider({ name: 'x', resources: [{ typeName: 'x_r', attributes: { a: ok }, ...base }] })).not.toThrow();
    expect(SchemaDefinitionError).toBeDefined();
  });
});

describe('schema', () => {
  it('produces a non-nil provider schema and valid attribute types everywhere', async () => {
    const s = new ProviderServer(exampleProvider, quiet);
    const r = await s.GetProviderSchema();
    expect(r.provider.block).toBeDefined();
    expect(r.provider_meta.block).toBeDefined();
    for (const group of [r.resource_schemas, r.data_source_schemas, r.ephemeral_resource_schemas]) {
      for (const schema of Object.values(group) as Array<{ block: { attributes: Array<{ type: Buffer }> } }>) {
        expect(schema.block).toBeDefined();
        for (const a of schema.block.attributes) expect(() => parseType(a.type)).not.toThrow();
      }
    }
    const thingProto = r.resource_schemas.example_thing;
    expect(thingProto.version).toBe(1);
    const attrs = Object.fromEntries(thingProto.block.attributes.map((a: { name: string }) => [a.name, a]));
    expect(attrs.id).toMatchObject({ computed: true, optional: false, required: false, description: 'Identifier.', description_kind: 1 });
    expect(attrs.secret).toMatchObject({ write_only: true, sensitive: true, optional: true });
    expect(attrs.tags.type.toString()).toBe('["map","string"]');
    expect((await s.GetMetadata()).resources).toEqual([{ type_name: 'example_thing' }]);
    expect(await s.GetResourceIdentitySchemas()).toEqual({ identity_schemas: {}, diagnostics: [] });
  });
});

describe('default plan', () => {
  it('marks unconfigured computed attributes unknown on create and applies defaults', () => {
    const { planned, replaceCandidates } = defaultPlan(thingSchema, true, null, thing({ secret: 's3' }), thing({ secret: 's3' }));
    expect(planned).toMatchObject({ name: 'alpha', id: UNKNOWN, created_at: UNKNOWN, revision: UNKNOWN, size: 1, secret: null });
    expect(replaceCandidates).toEqual([]);
  });

  it('keeps prior computed values when nothing changes', () => {
    const prior = thing({ id: 'i', created_at: 'c', revision: 3, size: 1, secret_length: 0 });
    const { planned } = defaultPlan(thingSchema, true, prior, prior, thing());
    expect(planned).toEqual(prior);
  });

  it('on a change makes computed values unknown except those using prior state', () => {
    const prior = thing({ id: 'i', created_at: 'c', revision: 3, size: 1, secret_length: 0 });
    const proposed = { ...prior, description: 'new' };
    const { planned, replaceCandidates } = defaultPlan(thingSchema, true, prior, proposed, thing({ description: 'new' }));
    expect(planned).toMatchObject({ id: 'i', created_at: 'c', revision: UNKNOWN, secret_length: UNKNOWN, description: 'new' });
    expect(replaceCandidates).toEqual([['name']]);
  });

  it('reverts an unconfigured attribute to its default', () => {
    const prior = thing({ id: 'i', created_at: 'c', revision: 3, size: 5, secret_length: 0 });
    const { planned } = defaultPlan(thingSchema, true, prior, prior, thing());
    expect(planned).toMatchObject({ size: 1, revision: UNKNOWN });
  });

  it('keeps configured unknown values as they are', () => {
    const cfg = thing({ description: UNKNOWN });
    const { planned } = defaultPlan(thingSchema, true, null, cfg, cfg);
    expect(planned!.description).toBe(UNKNOWN);
  });

  it('without update, every configurable attribute may force replacement', () => {
    const schema = defineProvider({
      name: 'x',
      resources: [
        {
          typeName: 'x_r',
          attributes: { a: { type: t.string, optional: true }, c: { type: t.string, computed: true } },
          create: async () => ({}),
          read: async () => ({ state: null }),
          delete: async () => undefined,
        },
      ],
    }).resources.get('x_r')!.schema;
    const { replaceCandidates } = defaultPlan(schema, false, { a: 'x', c: 'y' }, { a: 'z', c: 'y' }, { a: 'z', c: null });
    expect(replaceCandidates).toEqual([['a']]);
  });
});

describe('PlanResourceChange', () => {
  it('reports requires_replace only where prior and planned differ', async () => {
    const s = await configured();
    const prior = thing({ id: 'i', created_at: 'c', revision: 1, size: 1, secret_length: 0 });
    const same = await s.PlanResourceChange(
      { type_name: 'example_thing', prior_state: dv(prior), proposed_new_state: dv({ ...prior, description: 'd' }), config: dv(thing({ description: 'd' })), prior_private: Buffer.from('pp') },
      signal,
    );
    expect(same.requires_replace).toEqual([]);
    expect(same.planned_private.toString()).toBe('pp');
    const renamed = await s.PlanResourceChange(
      { type_name: 'example_thing', prior_state: dv(prior), proposed_new_state: dv({ ...prior, name: 'beta' }), config: dv(thing({ name: 'beta' })) },
      signal,
    );
    expect(fromProtoPath(renamed.requires_replace[0])).toEqual(['name']);
    // The replacement's create plan: prior null, proposed from config only.
    const second = await s.PlanResourceChange(
      { type_name: 'example_thing', prior_state: dv(null), proposed_new_state: dv(thing({ name: 'beta' })), config: dv(thing({ name: 'beta' })) },
      signal,
    );
    expect(second.diagnostics).toEqual([]);
    expect(second.requires_replace).toEqual([]);
    expect(fromDv(second.planned_state)).toMatchObject({ name: 'beta', id: UNKNOWN });
  });

  it('returns an error diagnostic for an unknown type', async () => {
    const s = await configured();
    const r = await s.PlanResourceChange({ type_name: 'example_nope' }, signal);
    expect(r.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Unknown resource type' });
  });
});

describe('validation', () => {
  it('runs validators on known values only and reports attribute paths', async () => {
    const s = new ProviderServer(exampleProvider, quiet);
    const caps = { write_only_attributes_allowed: true };
    const bad = await s.ValidateResourceConfig({ type_name: 'example_thing', config: dv(thing({ name: 'Bad Name', size: 50 })), client_capabilities: caps }, signal);
    expect(bad.diagnostics).toHaveLength(2);
    for (const d of bad.diagnostics) expect(d.severity).toBe(1);
    expect(bad.diagnostics.map((d: { attribute: never }) => fromProtoPath(d.attribute)).sort()).toEqual([['name'], ['size']]);
    const unknown = await s.ValidateResourceConfig({ type_name: 'example_thing', config: dv(thing({ name: UNKNOWN, size: UNKNOWN })), client_capabilities: caps }, signal);
    expect(unknown.diagnostics).toEqual([]);
    const hook = await s.ValidateResourceConfig({ type_name: 'example_thing', config: dv(thing({ description: 'forbidden' })), client_capabilities: caps }, signal);
    expect(hook.diagnostics).toEqual([{ severity: 1, summary: 'Forbidden description', detail: 'The description "forbidden" is not allowed.', attribute: { steps: [{ attribute_name: 'description' }] } }]);
  });

  it('rejects write-only values when the client cannot handle them', async () => {
    const s = new ProviderServer(exampleProvider, quiet);
    const r = await s.ValidateResourceConfig({ type_name: 'example_thing', config: dv(thing({ secret: 'x' })), client_capabilities: { write_only_attributes_allowed: false } }, signal);
    expect(r.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Write-only attribute not supported' });
  });

  it('ships usable validators', () => {
    const ctx = { path: ['a'], config: {} };
    expect(validators.stringLength(2, 3)('a', ctx)).toMatch(/between 2 and 3/);
    expect(validators.stringLength(2, 3)('ab', ctx)).toBeUndefined();
    expect(validators.oneOf(['a', 'b'])('c', ctx)).toMatch(/one of "a", "b"/);
    expect(validators.numberBetween(1, 2)(3, ctx)).toMatch(/between 1 and 2/);
    expect(validators.integer()(1.5, ctx)).toMatch(/whole number/);
    expect(validators.sizeBetween(1)([], ctx)).toMatch(/at least 1/);
  });
});

describe('UpgradeResourceState', () => {
  it('upgrades version 0 JSON through the registered upgrader and drops removed attributes', async () => {
    const s = new ProviderServer(exampleProvider, quiet);
    const raw = '{"id":"i","title":"old","removed_long_ago":true,"big":123456789012345678901234,"tags":{"k":"v"}}';
    const r = await s.UpgradeResourceState({ type_name: 'example_thing', version: 0, raw_state: { json: Buffer.from(raw), flatmap: {} } }, signal);
    expect(r.diagnostics).toEqual([]);
    expect(fromDv(r.upgraded_state)).toEqual(thing({ id: 'i', name: 'old', big: 123456789012345678901234n, tags: { k: 'v' } }));
  });

  it('re-encodes current-version state, stripping attributes no longer in the schema', async () => {
    const s = new ProviderServer(exampleProvider, quiet);
    const raw = JSON.stringify({ ...thing({ id: 'i', secret: 'leak' }), gone: 1 });
    const r = await s.UpgradeResourceState({ type_name: 'example_thing', version: 1, raw_state: { json: Buffer.from(raw), flatmap: {} } }, signal);
    expect(fromDv(r.upgraded_state)).toEqual(thing({ id: 'i' })); // write-only forced to null
  });

  it('refuses state from a newer schema version and legacy flatmap state', async () => {
    const s = new ProviderServer(exampleProvider, quiet);
    const newer = await s.UpgradeResourceState({ type_name: 'example_thing', version: 2, raw_state: { json: Buffer.from('{}'), flatmap: {} } }, signal);
    expect(newer.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Resource state is from a newer provider' });
    expect(newer.upgraded_state).toBeUndefined();
    const flat = await s.UpgradeResourceState({ type_name: 'example_thing', version: 1, raw_state: { json: Buffer.alloc(0), flatmap: { id: 'x' } } }, signal);
    expect(flat.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Unsupported state format' });
  });
});

describe('apply and read', () => {
  function buildProvider(create: () => Promise<{ state?: ObjectValue }>) {
    return defineProvider({
      name: 'x',
      resources: [
        {
          typeName: 'x_r',
          attributes: { id: { type: t.string, computed: true }, tags: { type: t.map(t.string), optional: true } },
          create,
          read: async () => ({ state: null }),
          delete: async () => undefined,
        },
      ],
    });
  }
  const rType = t.object({ id: t.string, tags: t.map(t.string) });

  it('turns exceptions into an error diagnostic with the message only', async () => {
    const logged: string[] = [];
    const log = createLogger('test', { level: 'trace', write: (l) => logged.push(l) });
    const s = new ProviderServer(buildProvider(async () => { throw new Error('backend unavailable'); }) as never, log);
    const r = await s.ApplyResourceChange({ type_name: 'x_r', prior_state: dv(null, rType), planned_state: dv({ id: UNKNOWN, tags: null }, rType), config: dv({ id: null, tags: null }, rType) }, signal);
    expect(r.diagnostics).toEqual([{ severity: 1, summary: 'Failed to apply x_r', detail: 'backend unavailable' }]);
    expect(fromDv(r.new_state, rType)).toBeNull();
    // The stack trace goes to the log (stderr) only.
    expect(logged.some((l) => JSON.parse(l).stack?.includes('framework.test'))).toBe(true);
  });

  it('reports DiagnosticError diagnostics as thrown, with map keys as element keys', async () => {
    const s = new ProviderServer(
      buildProvider(async () => {
        throw new DiagnosticError(diag.warning('Heads up', 'tag is odd', ['tags', 'env']));
      }) as never,
      quiet,
    );
    const r = await s.ApplyResourceChange({ type_name: 'x_r', prior_state: dv(null, rType), planned_state: dv({ id: UNKNOWN, tags: { env: 'x' } }, rType), config: dv({ id: null, tags: { env: 'x' } }, rType) }, signal);
    expect(r.diagnostics[0]).toMatchObject({ severity: 2, summary: 'Heads up', attribute: { steps: [{ attribute_name: 'tags' }, { element_key_string: 'env' }] } });
  });

  it('never returns unknowns after apply', async () => {
    const s = new ProviderServer(buildProvider(async () => ({ state: {} })) as never, quiet);
    const r = await s.ApplyResourceChange({ type_name: 'x_r', prior_state: dv(null, rType), planned_state: dv({ id: UNKNOWN, tags: null }, rType), config: dv({ id: null, tags: null }, rType) }, signal);
    expect(r.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Provider bug: create left "id" unknown' });
    const state = fromDv(r.new_state, rType) as ObjectValue;
    expect(state.id).toBeNull();
    expect(state.id).not.toBeInstanceOf(Unknown);
  });

  it('returns null new_state for a delete and echoes private data', async () => {
    const s = await configured();
    const prior = thing({ id: 'does-not-exist', size: 1, revision: 1, created_at: 'c', secret_length: 0 });
    const r = await s.ApplyResourceChange({ type_name: 'example_thing', prior_state: dv(prior), planned_state: dv(null), config: dv(null), planned_private: Buffer.from('x') }, signal);
    expect(r.diagnostics).toEqual([]);
    expect(fromDv(r.new_state)).toBeNull();
    expect(r.private.toString()).toBe('x');
  });

  it('hands back the stored state untouched when read or update fail', async () => {
    const def = defineProvider({
      name: 'x',
      resources: [
        {
          typeName: 'x_r',
          attributes: { id: { type: t.string, computed: true }, tags: { type: t.map(t.string), optional: true } },
          create: async () => ({}),
          read: async () => { throw new Error('timeout talking to API'); },
          update: async () => { throw new Error('conflict'); },
          delete: async () => undefined,
        },
      ],
    });
    const s = new ProviderServer(def, quiet);
    const current = dv({ id: 'i', tags: { a: 'b' } }, rType);
    const read = await s.ReadResource({ type_name: 'x_r', current_state: current }, signal);
    expect(read.diagnostics[0]).toMatchObject({ severity: 1, detail: 'timeout talking to API' });
    expect(read.new_state).toBe(current);
    const upd = await s.ApplyResourceChange(
      { type_name: 'x_r', prior_state: current, planned_state: dv({ id: 'i', tags: { a: 'c' } }, rType), config: dv({ id: null, tags: { a: 'c' } }, rType) },
      signal,
    );
    expect(upd.diagnostics[0]).toMatchObject({ severity: 1, detail: 'conflict' });
    expect(upd.new_state).toBe(current);
  });

  it('refuses CRUD before the provider is configured', async () => {
    const s = new ProviderServer(exampleProvider, quiet);
    const r = await s.ReadResource({ type_name: 'example_thing', current_state: dv(thing({ id: 'i' })), private: Buffer.from('p') }, signal);
    expect(r.diagnostics[0]).toMatchObject({ severity: 1, summary: 'Provider not configured' });
    expect(fromDv(r.new_state)).toEqual(thing({ id: 'i' }));
    expect(r.private.toString()).toBe('p');
  });
});

describe('attribute paths', () => {
  it('resolves map keys, list indexes and attributes against the type', () => {
    const type = t.object({ rules: t.list(t.object({ labels: t.map(t.string) })) });
    expect(toProtoPath(['rules', 0, 'labels', 'team'], type)).toEqual({
      steps: [{ attribute_name: 'rules' }, { element_key_int: 0 }, { attribute_name: 'labels' }, { element_key_string: 'team' }],
    });
  });
});

describe('plan modifiers', () => {
  it('requiresReplaceIf consults the predicate', () => {
    const m = planModifiers.requiresReplaceIf((p, n) => typeof p === 'number' && typeof n === 'number' && n < p, 'shrinking replaces');
    const ctx = { name: 'n', spec: { type: t.number, optional: true }, creating: false, config: 1, prior: 2, planned: 1 };
    expect(m.modify(ctx)).toEqual({ requiresReplace: true });
    expect(m.modify({ ...ctx, planned: 3 })).toEqual({ requiresReplace: false });
  });
});
