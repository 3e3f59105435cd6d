/**
 * A small framework for writing Terraform/OpenTofu providers: declare
 * attributes once, get the schema, validation, a correct default plan,
 * state upgrades and value encoding for free, and write only the CRUD calls.
 *
 * See README.md in this directory for an example.
 */
import { Diagnostic, PathStep } from './diagnostics';
import { Logger } from './log';
import {
  CtyType,
  ObjectType,
  containsDynamic,
  isCtyType,
  serializeType,
  setOwn,
  t,
  typeString,
} from './types';
import { ObjectValue, Unknown, Value, isUnknown, valuesEqual } from './values';

type MaybePromise<T> = T | Promise<T>;

// ---------------------------------------------------------------------------
// Attributes

export interface AttributeSpec {
  type: CtyType;
  /** Markdown description (shown in docs and editor tooling). */
  description?: string;
  required?: boolean;
  optional?: boolean;
  /** Set by the provider; with `optional`, the user may set it too. */
  computed?: boolean;
  /** Redacted from plan output. */
  sensitive?: boolean;
  /**
   * Accepted in configuration but never stored: always null in plan and
   * state; read it from `config` in create/update.
   */
  writeOnly?: boolean;
  /** Marks the attribute deprecated with this message. */
  deprecated?: string;
  /** Planned when the (optional + computed) attribute is not configured. */
  default?: Value;
  planModifiers?: PlanModifier[];
  /** Run on known, non-null configured values only. */
  validators?: Validator[];
}

export type Attributes = Record<string, AttributeSpec>;

// ---------------------------------------------------------------------------
// Validators and plan modifiers

export interface ValidatorContext {
  /** Path of the attribute being validated. */
  path: PathStep[];
  /** The whole configuration object (may contain unknowns). */
  config: ObjectValue;
}

/**
 * Returns nothing when valid, or a message / diagnostics. A plain message
 * becomes an "Invalid attribute value" error on the attribute. Validators are
 * never called with null or (partly) unknown values.
 */
export type Validator = (value: Value, ctx: ValidatorContext) => string | Diagnostic | Diagnostic[] | undefined | void;

export interface AttributePlanContext {
  name: string;
  spec: AttributeSpec;
  /** True when the resource is being created (or re-created after replacement). */
  creating: boolean;
  config: Value;
  /** Prior state value (null when creating). */
  prior: Value;
  /** Planned value so far. */
  planned: Value;
}

export interface AttributePlanResult {
  /** New planned value (omit to keep). */
  planned?: Value;
  /** Ask for replacement; honoured only if the planned value differs from the prior one. */
  requiresReplace?: boolean;
}

export interface PlanModifier {
  description: string;
  modify(ctx: AttributePlanContext): AttributePlanResult | void;
}

export const planModifiers = {
  /**
   * Keep the prior state value instead of "(known after apply)" when the
   * attribute is not configured, e.g. for ids and creation timestamps that
   * never change after create.
   */
  useStateForUnknown(): PlanModifier {
    return {
      description: 'Once set, the value of this attribute in state will not change.',
      modify: (ctx) =>
        !ctx.creating && isUnknown(ctx.planned) && !isUnknown(ctx.config) ? { planned: ctx.prior } : undefined,
    };
  },
  /** Changing the attribute destroys and re-creates the resource. */
  requiresReplace(): PlanModifier {
    return { description: 'If the value of this attribute changes, the resource will be replaced.', modify: () => ({ requiresReplace: true }) };
  },
  /** Replacement only when `predicate(prior, planned)` is true for a change. */
  requiresReplaceIf(predicate: (prior: Value, planned: Value) => boolean, description: string): PlanModifier {
    return { description, modify: (ctx) => ({ requiresReplace: !ctx.creating && predicate(ctx.prior, ctx.planned) }) };
  },
};

// ---------------------------------------------------------------------------
// Handler requests and results

export interface HandlerContext {
  /** Aborted when OpenTofu asks the provider to stop (Ctrl-C) or the call is cancelled. */
  signal: AbortSignal;
  log: Logger;
  typeName: string;
}

export interface ConfiguredContext<P> extends HandlerContext {
  /** What `configure` returned. */
  provider: P;
}

export interface ValidateRequest extends HandlerContext {
  /** Configuration; any value may be Unknown. */
  config: ObjectValue;
}

export interface ConfigureRequest extends HandlerContext {
  config: ObjectValue;
  /** Version reported by the client (OpenTofu impersonates a Terraform version). */
  terraformVersion: string;
}

export interface ConfigureResult<P> {
  data?: P;
  diagnostics?: Diagnostic[];
}

export interface ModifyPlanRequest<P> extends HandlerContext {
  /** Undefined when the provider configuration is not known yet. */
  provider: P | undefined;
  prior: ObjectValue | null;
  config: ObjectValue;
  /** The default plan; mutate or return a replacement. */
  planned: ObjectValue;
}

export interface ModifyPlanResult {
  planned?: ObjectValue;
  /** Extra attribute paths forcing replacement (kept only where prior and planned differ). */
  requiresReplace?: PathStep[][];
  diagnostics?: Diagnostic[];
}

export interface CreateRequest<P> extends ConfiguredContext<P> {
  /** Planned state: configured values plus Unknown for values to be computed. */
  planned: ObjectValue;
  /** Configuration, including write-only attributes. */
  config: ObjectValue;
}

export interface UpdateRequest<P> extends CreateRequest<P> {
  prior: ObjectValue;
}

export interface ApplyResult {
  /**
   * The resulting state. Attributes left out keep their planned value; every
   * attribute planned Unknown must be set.
   */
  state?: ObjectValue;
  diagnostics?: Diagnostic[];
}

export interface ReadRequest<P> extends ConfiguredContext<P> {
  state: ObjectValue;
}

export interface ReadResult {
  /** Fresh state (attributes left out keep their current value), or null if the object is gone. */
  state: ObjectValue | null;
  diagnostics?: Diagnostic[];
}

export interface DeleteRequest<P> extends ConfiguredContext<P> {
  prior: ObjectValue;
}

export interface ImportRequest<P> extends ConfiguredContext<P> {
  /** The id given to `tofu import` / an import block. */
  id: string;
}

export interface ImportResult {
  /** Enough state for `read` to find the object; unspecified attributes are null. */
  state: ObjectValue;
  diagnostics?: Diagnostic[];
}

/** Converts stored state of version N (as parsed JSON) to version N+1. */
export type StateUpgrader = (state: Record<string, unknown>) => MaybePromise<Record<string, unknown>>;

// ---------------------------------------------------------------------------
// Resource / data source / ephemeral resource / provider specs

interface SchemaOwner {
  /** Full type name, e.g. "keyplane_api_key". */
  typeName: string;
  description?: string;
  deprecated?: string;
  attributes: Attributes;
}

export interface ResourceSpec<P = unknown> extends SchemaOwner {
  /** Schema version stored with the state; bump it and add an upgrader when the shape changes. */
  version?: number;
  /** `stateUpgraders[n]` upgrades state of version n to n+1. */
  stateUpgraders?: Record<number, StateUpgrader>;
  validate?(req: ValidateRequest): MaybePromise<Diagnostic[] | void>;
  modifyPlan?(req: ModifyPlanRequest<P>): MaybePromise<ModifyPlanResult | void>;
  create(req: CreateRequest<P>): Promise<ApplyResult>;
  read(req: ReadRequest<P>): Promise<ReadResult>;
  /** Without update, every configurable attribute forces replacement. */
  update?(req: UpdateRequest<P>): Promise<ApplyResult>;
  delete(req: DeleteRequest<P>): Promise<{ diagnostics?: Diagnostic[] } | void>;
  /** Without importState, import is rejected with an error. */
  importState?(req: ImportRequest<P>): Promise<ImportResult>;
}

export interface DataSourceReadRequest<P> extends ConfiguredContext<P> {
  /** Configuration (wholly known: OpenTofu defers reads whose config is unknown). */
  config: ObjectValue;
}

export interface DataSourceSpec<P = unknown> extends SchemaOwner {
  validate?(req: ValidateRequest): MaybePromise<Diagnostic[] | void>;
  /** Returned state is merged onto the configuration. */
  read(req: DataSourceReadRequest<P>): Promise<{ state: ObjectValue; diagnostics?: Diagnostic[] }>;
}

export interface EphemeralOpenResult {
  /** Merged onto the configuration; must leave nothing unknown. */
  result: ObjectValue;
  /** When OpenTofu should call `renew`. */
  renewAt?: Date;
  /** JSON-serialisable data handed back to renew/close. */
  private?: unknown;
  diagnostics?: Diagnostic[];
}

export interface EphemeralPrivateRequest<P> extends ConfiguredContext<P> {
  private: unknown;
}

export interface EphemeralResourceSpec<P = unknown> extends SchemaOwner {
  validate?(req: ValidateRequest): MaybePromise<Diagnostic[] | void>;
  open(req: DataSourceReadRequest<P>): Promise<EphemeralOpenResult>;
  renew?(
    req: EphemeralPrivateRequest<P>,
  ): Promise<{ renewAt?: Date; private?: unknown; diagnostics?: Diagnostic[] }>;
  close?(req: EphemeralPrivateRequest<P>): Promise<{ diagnostics?: Diagnostic[] } | void>;
}

export interface ProviderSpec<P = unknown> {
  /** Provider type name ("keyplane"); resource type names should start with "<name>_". */
  name: string;
  version?: string;
  /** Provider configuration block. */
  schema?: { description?: string; attributes: Attributes };
  validate?(req: ValidateRequest): MaybePromise<Diagnostic[] | void>;
  /**
   * Called before any resource operation. The config may contain Unknown
   * values during plan; return no data then, and CRUD handlers will not run.
   */
  configure?(req: ConfigureRequest): MaybePromise<ConfigureResult<P> | void>;
  resources?: ResourceSpec<P>[];
  dataSources?: DataSourceSpec<P>[];
  ephemeralResources?: EphemeralResourceSpec<P>[];
}

/** Compiled form of a schema: validated specs plus the implied object type. */
export interface CompiledSchema {
  typeName: string;
  version: number;
  type: ObjectType;
  attributes: Readonly<Record<string, AttributeSpec>>;
  names: readonly string[];
  proto: ProtoSchema;
}

export interface ProviderDefinition<P = unknown> {
  readonly spec: ProviderSpec<P>;
  readonly providerSchema: CompiledSchema;
  readonly resources: ReadonlyMap<string, { spec: ResourceSpec<P>; schema: CompiledSchema }>;
  readonly dataSources: ReadonlyMap<string, { spec: DataSourceSpec<P>; schema: CompiledSchema }>;
  readonly ephemeralResources: ReadonlyMap<string, { spec: EphemeralResourceSpec<P>; schema: CompiledSchema }>;
}

/** Identity helpers that give handler parameters their types in separate files. */
export function defineResource<P>(spec: ResourceSpec<P>): ResourceSpec<P> {
  return spec;
}
export function defineDataSource<P>(spec: DataSourceSpec<P>): DataSourceSpec<P> {
  return spec;
}
export function defineEphemeralResource<P>(spec: EphemeralResourceSpec<P>): EphemeralResourceSpec<P> {
  return spec;
}

/** Import by id: sets `attribute` (default "id") and leaves the rest to `read`. */
export function importById<P>(attribute = 'id'): (req: ImportRequest<P>) => Promise<ImportResult> {
  return async (req) => {
    const state: ObjectValue = {};
    setOwn(state, attribute, req.id);
    return { state };
  };
}

// ---------------------------------------------------------------------------
// Schema compilation

/** proto-loader input shape for tfplugin6.Schema. */
export interface ProtoSchema {
  version: number;
  block: {
    version: number;
    attributes: ProtoSchemaAttribute[];
    block_types: never[];
    description: string;
    description_kind: number;
    deprecated: boolean;
    deprecation_message: string;
  };
}

export interface ProtoSchemaAttribute {
  name: string;
  type: Buffer;
  description: string;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  description_kind: number;
  deprecated: boolean;
  write_only: boolean;
  deprecation_message: string;
}

const STRING_KIND_MARKDOWN = 1;
const NAME_RE = /^[a-z_][a-z0-9_]*$/;
// Meta-arguments that cannot be used as resource attribute names in configuration.
const RESERVED_RESOURCE_ATTRIBUTES = new Set([
  'count',
  'for_each',
  'provider',
  'lifecycle',
  'depends_on',
  'connection',
  'provisioner',
]);

export class SchemaDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaDefinitionError';
  }
}

function setContainsDynamic(type: CtyType): boolean {
  switch (type.kind) {
    case 'set':
      return containsDynamic(type.element);
    case 'list':
    case 'map':
      return setContainsDynamic(type.element);
    case 'tuple':
      return type.elements.some(setContainsDynamic);
    case 'object':
      return Object.values(type.attributes).some(setContainsDynamic);
    default:
      return false;
  }
}

export function compileSchema(
  owner: string,
  typeName: string,
  spec: { description?: string; deprecated?: string; attributes: Attributes },
  version: number,
  options: { reservedNames: boolean },
): CompiledSchema {
  const fail = (msg: string): never => {
    throw new SchemaDefinitionError(`${owner}: ${msg}`);
  };
  if (!Number.isInteger(version) || version < 0) fail('schema version must be a non-negative integer');
  const attrs: Record<string, AttributeSpec> = Object.create(null);
  const types: Record<string, CtyType> = Object.create(null);
  const protoAttrs: ProtoSchemaAttribute[] = [];
  const names = Object.keys(spec.attributes ?? {}).sort();
  for (const name of names) {
    const a = spec.attributes[name];
    const where = `attribute "${name}"`;
    if (!NAME_RE.test(name)) fail(`${where}: names must match ${NAME_RE}`);
    if (options.reservedNames && RESERVED_RESOURCE_ATTRIBUTES.has(name)) fail(`${where}: "${name}" is a reserved name`);
    if (!a || !isCtyType(a.type)) fail(`${where}: missing or invalid type`);
    const required = a.required === true;
    const optional = a.optional === true;
    const computed = a.computed === true;
    if (!required && !optional && !computed) fail(`${where}: must be required, optional or computed`);
    if (required && (optional || computed)) fail(`${where}: required cannot be combined with optional or computed`);
    if (a.writeOnly && computed) fail(`${where}: write-only attributes cannot be computed`);
    if (a.writeOnly && a.type.kind === 'set') fail(`${where}: write-only attributes cannot be sets`);
    if (a.default !== undefined && !(optional && computed)) fail(`${where}: a default requires optional and computed`);
    if (setContainsDynamic(a.type)) fail(`${where}: dynamic types cannot appear inside a set (${typeString(a.type)})`);
    setOwn(attrs, name, a);
    setOwn(types, name, a.type);
    protoAttrs.push({
      name,
      type: Buffer.from(serializeType(a.type), 'utf8'),
      description: a.description ?? '',
      required,
      optional,
      computed,
      sensitive: a.sensitive === true,
      description_kind: STRING_KIND_MARKDOWN,
      deprecated: a.deprecated !== undefined,
      write_only: a.writeOnly === true,
      deprecation_message: a.deprecated ?? '',
    });
  }
  return {
    typeName,
    version,
    type: t.object(types),
    attributes: Object.freeze(attrs),
    names: Object.freeze(names),
    proto: {
      version,
      block: {
        version: 0,
        attributes: protoAttrs,
        block_types: [],
        description: spec.description ?? '',
        description_kind: STRING_KIND_MARKDOWN,
        deprecated: spec.deprecated !== undefined,
        deprecation_message: spec.deprecated ?? '',
      },
    },
  };
}

/**
 * Validates and compiles a provider. Throws SchemaDefinitionError for
 * programming mistakes (bad names, impossible attribute flags, duplicate
 * types), so they surface at startup rather than as OpenTofu crashes.
 */
export function defineProvider<P>(spec: ProviderSpec<P>): ProviderDefinition<P> {
  if (!NAME_RE.test(spec.name)) throw new SchemaDefinitionError(`provider name "${spec.name}" must match ${NAME_RE}`);
  const providerSchema = compileSchema(`provider "${spec.name}"`, spec.name, spec.schema ?? { attributes: {} }, 0, {
    reservedNames: false,
  });
  const seen = new Set<string>();
  function compileAll<S extends SchemaOwner & { version?: number; stateUpgraders?: Record<number, StateUpgrader> }>(
    kind: string,
    list: S[] | undefined,
  ): Map<string, { spec: S; schema: CompiledSchema }> {
    const out = new Map<string, { spec: S; schema: CompiledSchema }>();
    for (const s of list ?? []) {
      const owner = `${kind} "${s.typeName}"`;
      if (!NAME_RE.test(s.typeName)) throw new SchemaDefinitionError(`${owner}: type name must match ${NAME_RE}`);
      if (!s.typeName.startsWith(`${spec.name}_`)) {
        throw new SchemaDefinitionError(`${owner}: type name must start with "${spec.name}_"`);
      }
      const key = `${kind}:${s.typeName}`;
      if (seen.has(key)) throw new SchemaDefinitionError(`${owner} is defined twice`);
      seen.add(key);
      const version = s.version ?? 0;
      const schema = compileSchema(owner, s.typeName, s, version, { reservedNames: true });
      for (let v = 0; v < version; v++) {
        if (s.stateUpgraders && typeof s.stateUpgraders[v] !== 'function') {
          throw new SchemaDefinitionError(`${owner}: missing state upgrader from version ${v} to ${v + 1}`);
        }
      }
      out.set(s.typeName, { spec: s, schema });
    }
    return out;
  }
  return Object.freeze({
    spec,
    providerSchema,
    resources: compileAll('resource', spec.resources),
    dataSources: compileAll('data source', spec.dataSources),
    ephemeralResources: compileAll('ephemeral resource', spec.ephemeralResources),
  });
}

// ---------------------------------------------------------------------------
// Default plan

export interface PlanOutcome {
  planned: ObjectValue | null;
  /** Top-level attribute paths requested for replacement (before the prior≠planned filter). */
  replaceCandidates: PathStep[][];
}

/**
 * The default PlanResourceChange logic, following OpenTofu's validity rules:
 *  - non-computed attributes keep exactly the configured value (unknowns included);
 *  - write-only attributes are planned null;
 *  - computed attributes without configuration become Unknown on create, and
 *    on update when anything else changes (unless a default applies);
 *  - plan modifiers then run in order (useStateForUnknown, requiresReplace, ...).
 */
export function defaultPlan(
  schema: CompiledSchema,
  hasUpdate: boolean,
  prior: ObjectValue | null,
  proposed: ObjectValue | null,
  config: ObjectValue | null,
): PlanOutcome {
  if (proposed === null) return { planned: null, replaceCandidates: [] };
  const creating = prior === null;
  const cfg = config ?? {};
  const planned: ObjectValue = {};
  for (const name of schema.names) setOwn(planned, name, proposed[name] ?? null);

  for (const name of schema.names) {
    const a = schema.attributes[name];
    if (a.writeOnly) setOwn(planned, name, null);
    // A default applies whenever the attribute is not configured, so removing it from config reverts it.
    else if (a.default !== undefined && (cfg[name] ?? null) === null) setOwn(planned, name, a.default);
  }

  const computedUnset = schema.names.filter(
    (n) => schema.attributes[n].computed && schema.attributes[n].default === undefined && (cfg[n] ?? null) === null,
  );
  // Like terraform-plugin-framework: values the provider computes may change whenever anything else
  // changes, so they become unknown then (useStateForUnknown opts out per attribute).
  const changing =
    creating ||
    schema.names.some((n) => !computedUnset.includes(n) && !valuesEqual(prior![n] ?? null, planned[n], schema.attributes[n].type));
  if (changing) {
    for (const name of computedUnset) setOwn(planned, name, Unknown.value);
  }

  const candidates: PathStep[][] = [];
  for (const name of schema.names) {
    const a = schema.attributes[name];
    if (!hasUpdate && !creating && (a.required || a.optional) && !a.writeOnly) candidates.push([name]);
    for (const m of a.planModifiers ?? []) {
      const r = m.modify({
        name,
        spec: a,
        creating,
        config: cfg[name] ?? null,
        prior: creating ? null : (prior![name] ?? null),
        planned: planned[name],
      });
      if (!r) continue;
      if (r.planned !== undefined) setOwn(planned, name, r.planned);
      if (r.requiresReplace && !creating) candidates.push([name]);
    }
  }
  return { planned, replaceCandidates: candidates };
}

/** Looks up a value by path (attribute names, map keys, list indexes). */
export function valueAtPath(root: Value, path: readonly PathStep[]): Value | undefined {
  let cur: Value | undefined = root;
  for (const step of path) {
    if (cur === null || cur === undefined || isUnknown(cur)) return cur === null ? null : cur;
    if (typeof step === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[step];
    } else {
      if (typeof cur !== 'object' || Array.isArray(cur)) return undefined;
      cur = Object.prototype.hasOwnProperty.call(cur, step) ? (cur as ObjectValue)[step] : undefined;
    }
  }
  return cur;
}

/** Keeps replacement paths where prior and planned values differ (unknown counts as a change). */
export function filterReplacePaths(
  schema: CompiledSchema,
  prior: ObjectValue | null,
  planned: ObjectValue | null,
  candidates: PathStep[][],
): PathStep[][] {
  if (prior === null || planned === null) return []; // OpenTofu ignores requires_replace on create
  const out: PathStep[][] = [];
  const seen = new Set<string>();
  for (const path of candidates) {
    const key = JSON.stringify(path);
    if (seen.has(key)) continue;
    seen.add(key);
    const before = valueAtPath(prior, path);
    const after = valueAtPath(planned, path);
    if (before === undefined && after === undefined) continue; // not a valid path in either
    const type = path.length === 1 && typeof path[0] === 'string' ? schema.attributes[path[0]]?.type : undefined;
    if (!valuesEqual(before ?? null, after ?? null, type)) out.push(path);
  }
  return out;
}
