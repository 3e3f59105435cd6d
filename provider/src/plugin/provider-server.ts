/**
 * The tfplugin6 Provider service, implemented on top of a ProviderDefinition.
 *
 * Each method takes the request as decoded by proto-loader plus an
 * AbortSignal and resolves to the response object. Problems are reported as
 * diagnostics (never as stack traces); gRPC errors are reserved for RPCs this
 * runtime does not implement.
 */
import {
  CtyValueError,
  DynamicValueMessage,
  decodeDynamicValue,
  encodeDynamicValue,
  conformJSON,
  parseJSON,
} from './codec';
import {
  Diagnostic,
  DiagnosticError,
  ProtoDiagnostic,
  diag,
  hasErrors,
  toProtoDiagnostic,
  toProtoPath,
} from './diagnostics';
import {
  CompiledSchema,
  HandlerContext,
  ProviderDefinition,
  ValidateRequest,
  defaultPlan,
  filterReplacePaths,
} from './framework';
import { Logger } from './log';
import { CtyType, setOwn } from './types';
import { ObjectValue, Value, isPlainObject, isWhollyKnown } from './values';

/** Loosely typed proto-loader message objects. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = Record<string, any>;

/** Collects diagnostics for one RPC and converts exceptions into them. */
class Diags {
  readonly list: Diagnostic[] = [];

  constructor(
    private readonly log: Logger,
    private readonly root?: CtyType,
  ) {}

  add(...ds: Array<Diagnostic | undefined>): void {
    for (const d of ds) if (d) this.list.push(d);
  }

  get hasErrors(): boolean {
    return hasErrors(this.list);
  }

  /** Runs fn; an exception becomes an error diagnostic (its stack goes to the log only). */
  async run<T>(what: string, fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.addError(what, e);
      return undefined;
    }
  }

  addError(what: string, e: unknown): void {
    if (e instanceof DiagnosticError) {
      this.list.push(...e.diagnostics);
    } else if (e instanceof CtyValueError) {
      this.list.push(diag.error(what, e.message, e.path.length > 0 ? [...e.path] : undefined));
    } else {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`${what}: ${message}`, { stack: e instanceof Error ? e.stack : undefined });
      this.list.push(diag.error(what, message));
    }
  }

  proto(): ProtoDiagnostic[] {
    return this.list.map((d) => toProtoDiagnostic(d, this.root));
  }
}

const EMPTY_SCHEMA = {
  version: 0,
  block: {
    version: 0,
    attributes: [],
    block_types: [],
    description: '',
    description_kind: 0,
    deprecated: false,
    deprecation_message: '',
  },
};

function mergeState(
  schema: CompiledSchema,
  base: ObjectValue,
  update: ObjectValue | undefined,
  diags: Diags,
  what: string,
): ObjectValue {
  const out: ObjectValue = {};
  if (update !== undefined && !isPlainObject(update)) {
    diags.add(diag.error(`Provider bug: ${what} returned a non-object state`));
    update = undefined;
  }
  for (const k of Object.keys(update ?? {})) {
    if (!schema.names.includes(k)) diags.add(diag.error(`Provider bug: ${what} returned unknown attribute "${k}"`));
  }
  for (const name of schema.names) {
    const v =
      update !== undefined && Object.prototype.hasOwnProperty.call(update, name) && update[name] !== undefined
        ? update[name]
        : (base[name] ?? null);
    setOwn(out, name, v);
  }
  return out;
}

/** Enforces what OpenTofu requires of stored state: write-only attributes null, nothing unknown. */
function finalizeState(schema: CompiledSchema, state: ObjectValue, diags: Diags, what: string): ObjectValue {
  // After a reported failure partial results are expected; otherwise a leftover unknown is a provider bug.
  const failed = diags.hasErrors;
  for (const name of schema.names) {
    if (schema.attributes[name].writeOnly) {
      setOwn(state, name, null);
    } else if (!isWhollyKnown(state[name])) {
      if (!failed) {
        diags.add(
          diag.error(
            `Provider bug: ${what} left "${name}" unknown`,
            `The provider must set every computed attribute during ${what}; "${name}" was recorded as null.`,
            [name],
          ),
        );
      }
      setOwn(state, name, null);
    }
  }
  return state;
}

/** Replaces unknowns with null so a fallback state can always be returned. */
function stripUnknowns(schema: CompiledSchema, state: ObjectValue | null): ObjectValue | null {
  if (state === null) return null;
  const out: ObjectValue = {};
  for (const name of schema.names) {
    const v = state[name];
    setOwn(out, name, schema.attributes[name].writeOnly || !isWhollyKnown(v) ? null : (v ?? null));
  }
  return out;
}

function encodePrivate(data: unknown): Buffer | undefined {
  return data === undefined ? undefined : Buffer.from(JSON.stringify(data), 'utf8');
}

function decodePrivate(bytes: Buffer | null | undefined): unknown {
  if (!bytes || bytes.length === 0) return undefined;
  return JSON.parse(bytes.toString('utf8'));
}

function timestamp(d: Date): { seconds: number; nanos: number } {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

export class ProviderServer<P = unknown> {
  private providerData: P | undefined;
  private configured = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    readonly definition: ProviderDefinition<P>,
    private readonly log: Logger,
  ) {
    // A provider without a configure hook has nothing to wait for.
    this.configured = definition.spec.configure === undefined;
  }

  /** Cancels every in-flight call (StopProvider). New calls are not affected. */
  stop(): void {
    for (const c of this.inFlight) c.abort(new Error('provider stop requested'));
  }

  /** Tracks an AbortController for the duration of a call; StopProvider aborts it. */
  track(external?: AbortSignal): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(external?.reason);
    if (external?.aborted) controller.abort(external.reason);
    else external?.addEventListener('abort', onAbort, { once: true });
    this.inFlight.add(controller);
    return {
      signal: controller.signal,
      done: () => {
        external?.removeEventListener('abort', onAbort);
        this.inFlight.delete(controller);
      },
    };
  }

  private ctx(rpc: string, typeName: string, signal: AbortSignal): HandlerContext {
    return { signal, typeName, log: this.log.with({ tf_rpc: rpc, tf_resource_type: typeName }) };
  }

  private decode(dv: DynamicValueMessage | null | undefined, schema: CompiledSchema): ObjectValue | null {
    return decodeDynamicValue(dv, schema.type) as ObjectValue | null;
  }

  private encode(value: Value, schema: CompiledSchema): { msgpack: Buffer } {
    return encodeDynamicValue(value, schema.type);
  }

  /** The configured provider data, or an error diagnostic when configuration has not happened. */
  private requireProvider(diags: Diags): { data: P } | undefined {
    if (this.configured) return { data: this.providerData as P };
    diags.add(
      diag.error(
        'Provider not configured',
        'The provider configuration could not be applied (it may depend on values that are not known yet, or configuration failed).',
      ),
    );
    return undefined;
  }

  private lookup<T>(map: ReadonlyMap<string, T>, kind: string, typeName: string, diags: Diags): T | undefined {
    const entry = map.get(typeName);
    if (!entry) diags.add(diag.error(`Unknown ${kind} type`, `This provider has no ${kind} "${typeName}".`));
    return entry;
  }

  private runValidators(schema: CompiledSchema, config: ObjectValue, diags: Diags): void {
    for (const name of schema.names) {
      const validators = schema.attributes[name].validators ?? [];
      const value = config[name] ?? null;
      // Unknown (or partly unknown) values are validated later, once known.
      if (validators.length === 0 || value === null || !isWhollyKnown(value)) continue;
      for (const v of validators) {
        try {
          const r = v(value, { path: [name], config });
          if (typeof r === 'string') diags.add(diag.error('Invalid attribute value', r, [name]));
          else if (Array.isArray(r)) diags.add(...r.map((d) => ({ ...d, path: d.path ?? [name] })));
          else if (r) diags.add({ ...r, path: r.path ?? [name] });
        } catch (e) {
          diags.addError(`validating "${name}"`, e);
        }
      }
    }
  }

  // -------------------------------------------------------------------------
  // Provider-level RPCs

  async GetMetadata(): Promise<Msg> {
    const d = this.definition;
    return {
      server_capabilities: this.capabilities(),
      diagnostics: [],
      data_sources: [...d.dataSources.keys()].map((type_name) => ({ type_name })),
      resources: [...d.resources.keys()].map((type_name) => ({ type_name })),
      functions: [],
      ephemeral_resources: [...d.ephemeralResources.keys()].map((type_name) => ({ type_name })),
      list_resources: [],
      state_stores: [],
      actions: [],
    };
  }

  private capabilities(): Msg {
    return { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false, generate_resource_config: false };
  }

  async GetProviderSchema(): Promise<Msg> {
    const d = this.definition;
    const map = (m: ReadonlyMap<string, { schema: CompiledSchema }>): Msg => {
      const out: Msg = {};
      for (const [name, { schema }] of m) out[name] = schema.proto;
      return out;
    };
    return {
      provider: d.providerSchema.proto,
      resource_schemas: map(d.resources),
      data_source_schemas: map(d.dataSources),
      diagnostics: [],
      provider_meta: EMPTY_SCHEMA,
      server_capabilities: this.capabilities(),
      functions: {},
      ephemeral_resource_schemas: map(d.ephemeralResources),
      list_resource_schemas: {},
      state_store_schemas: {},
      action_schemas: {},
    };
  }

  async GetResourceIdentitySchemas(): Promise<Msg> {
    return { identity_schemas: {}, diagnostics: [] };
  }

  async ValidateProviderConfig(req: Msg, signal: AbortSignal): Promise<Msg> {
    const schema = this.definition.providerSchema;
    const diags = new Diags(this.log, schema.type);
    await diags.run('Invalid provider configuration', async () => {
      const config = this.decode(req.config, schema) ?? {};
      this.runValidators(schema, config, diags);
      const validate = this.definition.spec.validate;
      if (validate) diags.add(...((await validate({ ...this.ctx('ValidateProviderConfig', schema.typeName, signal), config })) ?? []));
    });
    return { diagnostics: diags.proto() };
  }

  async ConfigureProvider(req: Msg, signal: AbortSignal): Promise<Msg> {
    const schema = this.definition.providerSchema;
    const diags = new Diags(this.log, schema.type);
    await diags.run('Provider configuration failed', async () => {
      const config = this.decode(req.config, schema) ?? {};
      const configure = this.definition.spec.configure;
      if (!configure) {
        this.configured = true;
        return;
      }
      const result = await configure({
        ...this.ctx('ConfigureProvider', schema.typeName, signal),
        config,
        terraformVersion: String(req.terraform_version ?? ''),
      });
      diags.add(...(result?.diagnostics ?? []));
      if (diags.hasErrors) return;
      if (result?.data !== undefined || isWhollyKnown(config)) {
        this.providerData = result?.data;
        this.configured = true;
      }
    });
    return { diagnostics: diags.proto() };
  }

  async StopProvider(): Promise<Msg> {
    this.log.info('stop requested: cancelling in-flight operations', { in_flight: this.inFlight.size });
    this.stop();
    return { Error: '' };
  }

  // -------------------------------------------------------------------------
  // Managed resources

  async ValidateResourceConfig(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.resources, 'resource', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const diagsTyped = new Diags(this.log, entry.schema.type);
    await diagsTyped.run('Invalid resource configuration', async () => {
      const config = this.decode(req.config, entry.schema) ?? {};
      if (!req.client_capabilities?.write_only_attributes_allowed) {
        for (const name of entry.schema.names) {
          if (entry.schema.attributes[name].writeOnly && (config[name] ?? null) !== null) {
            diagsTyped.add(
              diag.error(
                'Write-only attribute not supported',
                `"${name}" is write-only, which this version of OpenTofu/Terraform does not support. Upgrade to OpenTofu 1.11 or Terraform 1.11 or later.`,
                [name],
              ),
            );
          }
        }
      }
      this.runValidators(entry.schema, config, diagsTyped);
      if (entry.spec.validate) {
        diagsTyped.add(...((await entry.spec.validate({ ...this.ctx('ValidateResourceConfig', req.type_name, signal), config })) ?? []));
      }
    });
    return { diagnostics: diagsTyped.proto() };
  }

  async UpgradeResourceState(req: Msg, _signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.resources, 'resource', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const { schema, spec } = entry;
    const from = Number(req.version ?? 0);
    if (from > schema.version) {
      diags.add(
        diag.error(
          'Resource state is from a newer provider',
          `The stored state of this ${req.type_name} has schema version ${from}, but this provider only knows versions up to ${schema.version}. Use a newer version of the provider.`,
        ),
      );
      return { diagnostics: diags.proto() };
    }
    const upgraded = await diags.run('Failed to upgrade resource state', async () => {
      const raw: Buffer | undefined = req.raw_state?.json;
      if (!raw || raw.length === 0) {
        const flatmap = req.raw_state?.flatmap ?? {};
        if (Object.keys(flatmap).length > 0) {
          throw new DiagnosticError(diag.error('Unsupported state format', 'Legacy flatmap state cannot be upgraded by this provider.'));
        }
        return null;
      }
      let state = parseJSON(raw) as unknown;
      if (!isPlainObject(state)) throw new DiagnosticError(diag.error('Invalid stored state', 'The stored state is not a JSON object.'));
      for (let v = from; v < schema.version; v++) {
        const upgrader = spec.stateUpgraders?.[v];
        if (!upgrader) {
          throw new DiagnosticError(diag.error('Cannot upgrade resource state', `No upgrader from schema version ${v} to ${v + 1}.`));
        }
        state = await upgrader(state as Record<string, unknown>);
        if (!isPlainObject(state)) throw new Error(`state upgrader for version ${v} did not return an object`);
      }
      // Attributes removed from the schema are dropped; new ones start as null.
      const value = conformJSON(state, schema.type, [], { ignoreUnknownAttributes: true }) as ObjectValue;
      for (const name of schema.names) if (schema.attributes[name].writeOnly) setOwn(value, name, null);
      return value;
    });
    if (diags.hasErrors) return { diagnostics: diags.proto() };
    return { upgraded_state: this.encode(upgraded ?? null, schema), diagnostics: diags.proto() };
  }

  async ReadResource(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.resources, 'resource', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto(), private: req.private };
    const { schema, spec } = entry;
    const d = new Diags(this.log, schema.type);
    let current: ObjectValue | null = null;
    const newState = await d.run(`Failed to read ${req.type_name}`, async () => {
      current = this.decode(req.current_state, schema);
      if (current === null) return null;
      const provider = this.requireProvider(d);
      if (!provider) return current;
      const result = await spec.read({ ...this.ctx('ReadResource', req.type_name, signal), provider: provider.data, state: current });
      d.add(...(result?.diagnostics ?? []));
      if (!result || result.state === null) return null;
      return finalizeState(schema, mergeState(schema, current, result.state, d, 'read'), d, 'read');
    });
    // On failure, hand the stored state back untouched: a null here would mean "the object is gone".
    if (newState === undefined) return { new_state: req.current_state, diagnostics: d.proto(), private: req.private };
    return { new_state: this.safeEncode(newState, schema, d, current), diagnostics: d.proto(), private: req.private };
  }

  /** Encodes a state, falling back (with an error) to `fallback` if the provider produced a non-conforming value. */
  private safeEncode(state: Value, schema: CompiledSchema, d: Diags, fallback: ObjectValue | null): { msgpack: Buffer } {
    try {
      return this.encode(state, schema);
    } catch (e) {
      d.addError('Provider returned an invalid value', e);
      return this.encode(stripUnknowns(schema, fallback), schema);
    }
  }

  async PlanResourceChange(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.resources, 'resource', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const { schema, spec } = entry;
    const d = new Diags(this.log, schema.type);
    const result = await d.run(`Failed to plan ${req.type_name}`, async () => {
      const prior = this.decode(req.prior_state, schema);
      const proposed = this.decode(req.proposed_new_state, schema);
      const config = this.decode(req.config, schema);
      const outcome = defaultPlan(schema, spec.update !== undefined, prior, proposed, config);
      let planned = outcome.planned;
      const candidates = [...outcome.replaceCandidates];
      if (planned !== null && spec.modifyPlan) {
        const r = await spec.modifyPlan({
          ...this.ctx('PlanResourceChange', req.type_name, signal),
          provider: this.configured ? this.providerData : undefined,
          prior,
          config: config ?? {},
          planned,
        });
        if (r) {
          d.add(...(r.diagnostics ?? []));
          if (r.planned) planned = mergeState(schema, planned, r.planned, d, 'modifyPlan');
          candidates.push(...(r.requiresReplace ?? []));
        }
        for (const name of schema.names) if (schema.attributes[name].writeOnly) setOwn(planned!, name, null);
      }
      return { planned, replace: filterReplacePaths(schema, prior, planned, candidates) };
    });
    if (!result) return { diagnostics: d.proto(), planned_private: req.prior_private };
    let plannedState: { msgpack: Buffer } | undefined;
    try {
      plannedState = this.encode(result.planned, schema);
    } catch (e) {
      d.addError('Provider produced an invalid plan', e);
    }
    return {
      planned_state: plannedState,
      requires_replace: result.replace.map((p) => toProtoPath(p, schema.type)),
      planned_private: req.prior_private,
      diagnostics: d.proto(),
    };
  }

  async ApplyResourceChange(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.resources, 'resource', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const { schema, spec } = entry;
    const d = new Diags(this.log, schema.type);
    let prior: ObjectValue | null = null;
    let planned: ObjectValue | null = null;
    // What to record if the operation throws: the untouched prior state unless we know better
    // (a failed create records nothing).
    let createFailed = false;
    const newState = await d.run(`Failed to apply ${req.type_name}`, async () => {
      prior = this.decode(req.prior_state, schema);
      planned = this.decode(req.planned_state, schema);
      const config = this.decode(req.config, schema) ?? {};
      const provider = this.requireProvider(d);
      if (!provider) return prior;
      const base = { ...this.ctx('ApplyResourceChange', req.type_name, signal), provider: provider.data };

      if (planned === null) {
        if (prior === null) return null;
        const r = await spec.delete({ ...base, prior });
        d.add(...(r?.diagnostics ?? []));
        return d.hasErrors ? prior : null; // keep the object in state if deletion failed
      }
      if (prior === null) {
        createFailed = true;
        const r = await spec.create({ ...base, planned, config });
        d.add(...(r?.diagnostics ?? []));
        if (!r?.state) {
          if (!d.hasErrors) d.add(diag.error(`Provider bug: create of ${req.type_name} returned no state`));
          return null;
        }
        return finalizeState(schema, mergeState(schema, planned, r.state, d, 'create'), d, 'create');
      }
      if (!spec.update) {
        d.add(diag.error(`Provider bug: ${req.type_name} cannot be updated in place`, 'The resource has no update handler.'));
        return prior;
      }
      const r = await spec.update({ ...base, prior, planned, config });
      d.add(...(r?.diagnostics ?? []));
      if (!r?.state) {
        if (!d.hasErrors) d.add(diag.error(`Provider bug: update of ${req.type_name} returned no state`));
        return prior;
      }
      return finalizeState(schema, mergeState(schema, planned, r.state, d, 'update'), d, 'update');
    });
    if (newState === undefined) {
      return { new_state: createFailed ? this.encode(null, schema) : req.prior_state, private: req.planned_private, diagnostics: d.proto() };
    }
    return {
      new_state: this.safeEncode(newState, schema, d, stripUnknowns(schema, planned ?? prior)),
      private: req.planned_private,
      diagnostics: d.proto(),
    };
  }

  async ImportResourceState(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.resources, 'resource', req.type_name, diags);
    if (!entry) return { imported_resources: [], diagnostics: diags.proto() };
    const { schema, spec } = entry;
    const d = new Diags(this.log, schema.type);
    if (!spec.importState) {
      d.add(diag.error('Resource import not supported', `${req.type_name} does not support import.`));
      return { imported_resources: [], diagnostics: d.proto() };
    }
    const importState = spec.importState;
    const state = await d.run(`Failed to import ${req.type_name}`, async () => {
      const provider = this.requireProvider(d);
      if (!provider) return undefined;
      const r = await importState({
        ...this.ctx('ImportResourceState', req.type_name, signal),
        provider: provider.data,
        id: String(req.id ?? ''),
      });
      d.add(...(r?.diagnostics ?? []));
      if (!r?.state) return undefined;
      const empty: ObjectValue = {};
      for (const n of schema.names) setOwn(empty, n, null);
      return finalizeState(schema, mergeState(schema, empty, r.state, d, 'import'), d, 'import');
    });
    if (!state || d.hasErrors) return { imported_resources: [], diagnostics: d.proto() };
    let encoded: { msgpack: Buffer } | undefined;
    try {
      encoded = this.encode(state, schema);
    } catch (e) {
      d.addError('Provider returned an invalid imported state', e);
      return { imported_resources: [], diagnostics: d.proto() };
    }
    return {
      imported_resources: [{ type_name: req.type_name, state: encoded, private: Buffer.alloc(0) }],
      diagnostics: d.proto(),
    };
  }

  async MoveResourceState(req: Msg): Promise<Msg> {
    return {
      diagnostics: [
        toProtoDiagnostic(
          diag.error('Move not supported', `This provider cannot move state from "${req.source_type_name}" to "${req.target_type_name}".`),
        ),
      ],
    };
  }

  // -------------------------------------------------------------------------
  // Data sources

  async ValidateDataResourceConfig(req: Msg, signal: AbortSignal): Promise<Msg> {
    return this.validateSimple(this.definition.dataSources, 'data source', 'ValidateDataResourceConfig', req, signal);
  }

  private async validateSimple(
    map: ReadonlyMap<string, { spec: { validate?: (req: ValidateRequest) => unknown }; schema: CompiledSchema }>,
    kind: string,
    rpc: string,
    req: Msg,
    signal: AbortSignal,
  ): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(map, kind, req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const d = new Diags(this.log, entry.schema.type);
    await d.run(`Invalid ${kind} configuration`, async () => {
      const config = this.decode(req.config, entry.schema) ?? {};
      this.runValidators(entry.schema, config, d);
      if (entry.spec.validate) {
        d.add(...(((await entry.spec.validate({ ...this.ctx(rpc, req.type_name, signal), config })) as Diagnostic[] | void) ?? []));
      }
    });
    return { diagnostics: d.proto() };
  }

  async ReadDataSource(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.dataSources, 'data source', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const { schema, spec } = entry;
    const d = new Diags(this.log, schema.type);
    const state = await d.run(`Failed to read data source ${req.type_name}`, async () => {
      const config = this.decode(req.config, schema) ?? {};
      const provider = this.requireProvider(d);
      if (!provider) return undefined;
      const r = await spec.read({ ...this.ctx('ReadDataSource', req.type_name, signal), provider: provider.data, config });
      d.add(...(r?.diagnostics ?? []));
      if (!r?.state) return undefined;
      return finalizeState(schema, mergeState(schema, config, r.state, d, 'read'), d, 'read');
    });
    if (!state || d.hasErrors) {
      if (!d.hasErrors) d.add(diag.error(`Provider bug: data source ${req.type_name} returned no state`));
      return { diagnostics: d.proto() };
    }
    let encoded: { msgpack: Buffer } | undefined;
    try {
      encoded = this.encode(state, schema);
    } catch (e) {
      d.addError('Provider returned an invalid data source value', e);
    }
    return { state: encoded, diagnostics: d.proto() };
  }

  async GenerateResourceConfig(req: Msg): Promise<Msg> {
    return {
      diagnostics: [toProtoDiagnostic(diag.error('Config generation not supported', `Cannot generate configuration for ${req.type_name}.`))],
    };
  }

  // -------------------------------------------------------------------------
  // Ephemeral resources

  async ValidateEphemeralResourceConfig(req: Msg, signal: AbortSignal): Promise<Msg> {
    return this.validateSimple(this.definition.ephemeralResources, 'ephemeral resource', 'ValidateEphemeralResourceConfig', req, signal);
  }

  async OpenEphemeralResource(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.ephemeralResources, 'ephemeral resource', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const { schema, spec } = entry;
    const d = new Diags(this.log, schema.type);
    const out = await d.run(`Failed to open ${req.type_name}`, async () => {
      const config = this.decode(req.config, schema) ?? {};
      const provider = this.requireProvider(d);
      if (!provider) return undefined;
      const r = await spec.open({ ...this.ctx('OpenEphemeralResource', req.type_name, signal), provider: provider.data, config });
      d.add(...(r?.diagnostics ?? []));
      if (!r?.result) return undefined;
      const result = finalizeState(schema, mergeState(schema, config, r.result, d, 'open'), d, 'open');
      return { result: this.encode(result, schema), renewAt: r.renewAt, private: encodePrivate(r.private) };
    });
    if (!out || d.hasErrors) {
      if (!d.hasErrors) d.add(diag.error(`Provider bug: ${req.type_name} returned no result`));
      return { diagnostics: d.proto() };
    }
    return {
      diagnostics: d.proto(),
      result: out.result,
      renew_at: out.renewAt ? timestamp(out.renewAt) : undefined,
      private: out.private,
    };
  }

  async RenewEphemeralResource(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.ephemeralResources, 'ephemeral resource', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const renew = entry.spec.renew;
    if (!renew) return { diagnostics: [], private: req.private };
    const d = new Diags(this.log, entry.schema.type);
    const out = await d.run(`Failed to renew ${req.type_name}`, async () => {
      const provider = this.requireProvider(d);
      if (!provider) return undefined;
      const r = await renew({
        ...this.ctx('RenewEphemeralResource', req.type_name, signal),
        provider: provider.data,
        private: decodePrivate(req.private),
      });
      d.add(...(r?.diagnostics ?? []));
      return r;
    });
    return {
      diagnostics: d.proto(),
      renew_at: out?.renewAt ? timestamp(out.renewAt) : undefined,
      private: out && out.private !== undefined ? encodePrivate(out.private) : req.private,
    };
  }

  async CloseEphemeralResource(req: Msg, signal: AbortSignal): Promise<Msg> {
    const diags = new Diags(this.log);
    const entry = this.lookup(this.definition.ephemeralResources, 'ephemeral resource', req.type_name, diags);
    if (!entry) return { diagnostics: diags.proto() };
    const close = entry.spec.close;
    if (!close) return { diagnostics: [] };
    const d = new Diags(this.log, entry.schema.type);
    await d.run(`Failed to close ${req.type_name}`, async () => {
      const provider = this.requireProvider(d);
      if (!provider) return;
      const r = await close({
        ...this.ctx('CloseEphemeralResource', req.type_name, signal),
        provider: provider.data,
        private: decodePrivate(req.private),
      });
      d.add(...(r?.diagnostics ?? []));
    });
    return { diagnostics: d.proto() };
  }

  // -------------------------------------------------------------------------
  // Functions (none are defined by this runtime's providers)

  async GetFunctions(): Promise<Msg> {
    return { functions: {}, diagnostics: [] };
  }

  async CallFunction(req: Msg): Promise<Msg> {
    return { error: { text: `This provider has no function named "${req.name}".` } };
  }
}

/** Unary RPCs served by ProviderServer. */
export const PROVIDER_METHODS = [
  'GetMetadata',
  'GetProviderSchema',
  'ValidateProviderConfig',
  'ValidateResourceConfig',
  'ValidateDataResourceConfig',
  'UpgradeResourceState',
  'GetResourceIdentitySchemas',
  'ConfigureProvider',
  'ReadResource',
  'PlanResourceChange',
  'ApplyResourceChange',
  'ImportResourceState',
  'MoveResourceState',
  'ReadDataSource',
  'GenerateResourceConfig',
  'ValidateEphemeralResourceConfig',
  'OpenEphemeralResource',
  'RenewEphemeralResource',
  'CloseEphemeralResource',
  'GetFunctions',
  'CallFunction',
  'StopProvider',
] as const;

export type ProviderMethod = (typeof PROVIDER_METHODS)[number];

/** Everything else in the service (list resources, state stores, actions, identity upgrades). */
export const UNIMPLEMENTED_METHODS = [
  'UpgradeResourceIdentity',
  'ListResource',
  'ValidateListResourceConfig',
  'ValidateStateStoreConfig',
  'ConfigureStateStore',
  'ReadStateBytes',
  'WriteStateBytes',
  'LockState',
  'UnlockState',
  'GetStates',
  'DeleteState',
  'PlanAction',
  'InvokeAction',
  'ValidateActionConfig',
] as const;


