/**
 * Encoding of cty values as carried in tfplugin6 `DynamicValue`s.
 *
 * MessagePack (what OpenTofu sends and what we always answer with):
 *  - values are encoded against the schema type; objects carry every attribute
 *    (nulls included), maps have string keys, tuples have exact length;
 *  - null -> nil; unknown -> ext 0 with a one-byte zero payload (`d4 00 00`);
 *    refined unknowns arrive as ext 12 (payload = map of refinements); any ext
 *    whose payload is at most one byte is a plain unknown;
 *  - numbers: int when integral and within int64/uint64, float64 otherwise,
 *    and decimal text when not exactly representable (e.g. 0.1, 2^70);
 *  - dynamic: [bin(type JSON), value] for known values (typed nulls included),
 *    bare nil / ext 0 for untyped null / unknown.
 * JSON (stored state, `DynamicValue.json`): no unknowns, dynamic values are
 * {"value": v, "type": T}.
 */
import { decode, encode, ExtData, ExtensionCodec } from '@msgpack/msgpack';

import { parseJSON, stringifyJSON } from './json';
import { CtyType, ObjectType, hasOwn, parseType, serializeType, setOwn, t, typeFromJSON, typeToJSON } from './types';
import {
  Decimal,
  NumberFormatError,
  NumberValue,
  Refinements,
  Typed,
  Unknown,
  UNKNOWN,
  Value,
  isPlainObject,
  parseNumber,
} from './values';

export * from './types';
export * from './values';
export { parseJSON, stringifyJSON } from './json';

/** A value did not conform to the type it was encoded or decoded against. */
export class CtyValueError extends Error {
  constructor(
    readonly path: ReadonlyArray<string | number>,
    readonly reason: string,
  ) {
    super(path.length > 0 ? `${formatPath(path)}: ${reason}` : reason);
    this.name = 'CtyValueError';
  }
}

/** `.tags["env"][0]` style rendering of a value path. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  return path
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(p) ? (i === 0 ? p : `.${p}`) : `[${JSON.stringify(p)}]`,
    )
    .join('');
}

type Path = Array<string | number>;

const EXT_UNKNOWN = 0;
const EXT_REFINED_UNKNOWN = 12;
const MAX_REFINEMENT_PAYLOAD = 1024;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: EXT_UNKNOWN,
  encode: (input: unknown) => (input instanceof Unknown && !input.rawRefinements ? new Uint8Array([0]) : null),
  decode: (data: Uint8Array) => {
    if (data.length > 1) throw new Error('msgpack extension 0 with a payload longer than one byte');
    return UNKNOWN;
  },
});
extensionCodec.register({
  type: EXT_REFINED_UNKNOWN,
  encode: (input: unknown) => (input instanceof Unknown && input.rawRefinements ? input.rawRefinements : null),
  decode: (data: Uint8Array) => decodeRefinedUnknown(data),
});

function decodeRefinedUnknown(data: Uint8Array): Unknown {
  if (data.length <= 1) return UNKNOWN;
  if (data.length > MAX_REFINEMENT_PAYLOAD) throw new Error('unknown value refinements payload too large');
  const raw = decode(data, { useBigInt64: true });
  if (!isPlainObject(raw)) throw new Error('unknown value refinements must be a map');
  const r: Refinements = {};
  const bound = (v: unknown): [NumberValue, boolean] | undefined => {
    if (!Array.isArray(v) || v.length !== 2 || typeof v[1] !== 'boolean') return undefined;
    const n = wireNumber(v[0]);
    return n === undefined ? undefined : [n, v[1]];
  };
  // Keys are small ints (decoded as object keys "1".."6"); unknown keys are ignored.
  for (const [key, v] of Object.entries(raw)) {
    switch (key) {
      case '1':
        if (typeof v === 'boolean') r.notNull = !v;
        break;
      case '2':
        if (typeof v === 'string') r.stringPrefix = v;
        break;
      case '3':
        r.numberLowerBound = bound(v);
        break;
      case '4':
        r.numberUpperBound = bound(v);
        break;
      case '5':
        if (typeof v === 'number' || typeof v === 'bigint') r.lengthLowerBound = Number(v);
        break;
      case '6':
        if (typeof v === 'number' || typeof v === 'bigint') r.lengthUpperBound = Number(v);
        break;
    }
  }
  for (const k of Object.keys(r) as Array<keyof Refinements>) if (r[k] === undefined) delete r[k];
  return Unknown.refined(r, new Uint8Array(data));
}

function wireNumber(v: unknown): NumberValue | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof v === 'string') {
    try {
      return parseNumber(v);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// MessagePack

/** Encodes a value as cty msgpack against `type`. Throws CtyValueError. */
export function encodeMsgpack(value: Value, type: CtyType): Uint8Array {
  const wire = toWire(value, type, []);
  return encode(wire, { extensionCodec, useBigInt64: true });
}

/** Decodes cty msgpack against `type`. Throws CtyValueError. */
export function decodeMsgpack(bytes: Uint8Array, type: CtyType): Value {
  let wire: unknown;
  try {
    wire = decode(bytes, { extensionCodec, useBigInt64: true });
  } catch (e) {
    throw new CtyValueError([], `invalid msgpack: ${(e as Error).message}`);
  }
  return fromWire(wire, type, []);
}

function wireObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'binary data';
  if (v instanceof Unknown) return 'an unknown value';
  if (v instanceof Typed) return 'a typed dynamic value';
  if (v instanceof Decimal) return 'a number';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function toWire(value: unknown, type: CtyType, path: Path): unknown {
  if (value instanceof Unknown) return type.kind === 'dynamic' ? UNKNOWN : value;
  if (value === null) return null;
  if (value === undefined) throw new CtyValueError(path, 'value is undefined (use null for an absent value)');
  switch (type.kind) {
    case 'dynamic': {
      const typed = value instanceof Typed ? value : new Typed(inferType(value, path), value as Value);
      return [Buffer.from(serializeType(typed.type), 'utf8'), toWire(typed.value, typed.type, path)];
    }
    case 'string':
      if (typeof value !== 'string') throw new CtyValueError(path, `string required, got ${describe(value)}`);
      return value.normalize('NFC');
    case 'bool':
      if (typeof value !== 'boolean') throw new CtyValueError(path, `bool required, got ${describe(value)}`);
      return value;
    case 'number':
      return numberToWire(value, path);
    case 'list':
    case 'set':
      if (!Array.isArray(value)) throw new CtyValueError(path, `${type.kind} required, got ${describe(value)}`);
      return value.map((v, i) => toWire(v, type.element, [...path, i]));
    case 'tuple':
      if (!Array.isArray(value)) throw new CtyValueError(path, `tuple required, got ${describe(value)}`);
      if (value.length !== type.elements.length) {
        throw new CtyValueError(path, `tuple of ${type.elements.length} elements required, got ${value.length}`);
      }
      return value.map((v, i) => toWire(v, type.elements[i], [...path, i]));
    case 'map': {
      if (!isPlainObject(value)) throw new CtyValueError(path, `map required, got ${describe(value)}`);
      const out = wireObject();
      for (const k of Object.keys(value).sort()) {
        setOwn(out, k.normalize('NFC'), toWire(value[k], type.element, [...path, k]));
      }
      return out;
    }
    case 'object':
      return objectToWire(value, type, path);
  }
}

function objectToWire(value: unknown, type: ObjectType, path: Path): unknown {
  if (!isPlainObject(value)) throw new CtyValueError(path, `object required, got ${describe(value)}`);
  for (const k of Object.keys(value)) {
    if (!hasOwn(type.attributes, k) && value[k] !== undefined) {
      throw new CtyValueError([...path, k], 'unsupported attribute');
    }
  }
  const out = wireObject();
  for (const name of Object.keys(type.attributes)) {
    const v = hasOwn(value, name) ? value[name] : undefined;
    if (v === undefined) {
      if (type.optional.includes(name)) {
        setOwn(out, name, null);
        continue;
      }
      throw new CtyValueError([...path, name], 'attribute is missing (use null for an absent value)');
    }
    setOwn(out, name, toWire(v, type.attributes[name], [...path, name]));
  }
  return out;
}

function numberToWire(value: unknown, path: Path): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new CtyValueError(path, 'NaN is not a valid number');
    return value; // safe integers become compact ints, everything else float64
  }
  if (typeof value === 'bigint') {
    if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
    if (value >= INT64_MIN && value <= UINT64_MAX) return value; // int64 / uint64
    return value.toString(); // beyond 64 bits: decimal text, as cty does
  }
  if (value instanceof Decimal) return value.text;
  throw new CtyValueError(path, `number required, got ${describe(value)}`);
}

function fromWire(wire: unknown, type: CtyType, path: Path): Value {
  // An extension is checked before the type: unknown is valid anywhere.
  if (wire instanceof Unknown) return type.kind === 'dynamic' ? UNKNOWN : wire;
  if (wire instanceof ExtData) {
    const data = wire.data instanceof Uint8Array ? wire.data : new Uint8Array(0);
    if (data.length <= 1) return UNKNOWN;
    throw new CtyValueError(path, `unsupported msgpack extension type ${wire.type}`);
  }
  if (wire instanceof Date) throw new CtyValueError(path, 'unsupported msgpack extension type -1');
  if (wire === null || wire === undefined) return null;
  switch (type.kind) {
    case 'dynamic': {
      if (!Array.isArray(wire) || wire.length !== 2) {
        throw new CtyValueError(path, 'dynamic value must be a [type, value] pair');
      }
      const [typeBytes, inner] = wire;
      if (!(typeBytes instanceof Uint8Array) && typeof typeBytes !== 'string') {
        throw new CtyValueError(path, 'dynamic value type must be JSON bytes');
      }
      let concrete: CtyType;
      try {
        concrete = parseType(typeBytes);
      } catch (e) {
        throw new CtyValueError(path, (e as Error).message);
      }
      return new Typed(concrete, fromWire(inner, concrete, path));
    }
    case 'string':
      if (typeof wire === 'string') return wire.normalize('NFC');
      if (wire instanceof Uint8Array) return Buffer.from(wire).toString('utf8').normalize('NFC');
      throw new CtyValueError(path, `string required, got ${describe(wire)}`);
    case 'bool':
      if (typeof wire !== 'boolean') throw new CtyValueError(path, `bool required, got ${describe(wire)}`);
      return wire;
    case 'number': {
      if (typeof wire === 'string') {
        try {
          return parseNumber(wire);
        } catch (e) {
          throw new CtyValueError(path, (e as NumberFormatError).message);
        }
      }
      const n = wireNumber(wire);
      if (typeof n === 'number' && Number.isNaN(n)) throw new CtyValueError(path, 'NaN is not a valid number');
      if (n === undefined) throw new CtyValueError(path, `number required, got ${describe(wire)}`);
      return n;
    }
    case 'list':
    case 'set':
      if (!Array.isArray(wire)) throw new CtyValueError(path, `${type.kind} required, got ${describe(wire)}`);
      return wire.map((w, i) => fromWire(w, type.element, [...path, i]));
    case 'tuple':
      if (!Array.isArray(wire)) throw new CtyValueError(path, `tuple required, got ${describe(wire)}`);
      if (wire.length !== type.elements.length) {
        throw new CtyValueError(path, `tuple of ${type.elements.length} elements required, got ${wire.length}`);
      }
      return wire.map((w, i) => fromWire(w, type.elements[i], [...path, i]));
    case 'map': {
      if (!isPlainObject(wire)) throw new CtyValueError(path, `map required, got ${describe(wire)}`);
      const out: Record<string, Value> = {};
      for (const k of Object.keys(wire)) setOwn(out, k.normalize('NFC'), fromWire(wire[k], type.element, [...path, k]));
      return out;
    }
    case 'object': {
      if (!isPlainObject(wire)) throw new CtyValueError(path, `object required, got ${describe(wire)}`);
      const names = Object.keys(type.attributes);
      const given = Object.keys(wire);
      for (const k of given) if (!hasOwn(type.attributes, k)) throw new CtyValueError([...path, k], 'unsupported attribute');
      const out: Record<string, Value> = {};
      for (const name of names) {
        if (!hasOwn(wire, name)) {
          if (type.optional.includes(name)) {
            setOwn(out, name, null);
            continue;
          }
          throw new CtyValueError(
            path,
            `an object with ${names.length} attributes is required (${given.length} given); missing "${name}"`,
          );
        }
        setOwn(out, name, fromWire(wire[name], type.attributes[name], [...path, name]));
      }
      return out;
    }
  }
}

/**
 * The type a plain JS value would have as a `dynamic` value: arrays become
 * tuples and objects become object types. Wrap in `Typed` to choose e.g. a
 * list or map instead.
 */
export function inferType(value: unknown, path: Path = []): CtyType {
  if (value instanceof Typed) return value.type;
  if (value === null || value instanceof Unknown) return t.dynamic;
  if (typeof value === 'string') return t.string;
  if (typeof value === 'boolean') return t.bool;
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof Decimal) return t.number;
  if (Array.isArray(value)) return t.tuple(value.map((v, i) => inferType(v, [...path, i])));
  if (isPlainObject(value)) {
    const attrs: Record<string, CtyType> = Object.create(null);
    for (const k of Object.keys(value)) setOwn(attrs, k, inferType(value[k], [...path, k]));
    return t.object(attrs);
  }
  throw new CtyValueError(path, `cannot infer a type for ${describe(value)}`);
}

// ---------------------------------------------------------------------------
// JSON

export interface JSONDecodeOptions {
  /**
   * Drop object attributes that the type does not have instead of failing;
   * used for stored state written by an older schema.
   */
  ignoreUnknownAttributes?: boolean;
}

/** Decodes cty JSON (e.g. `RawState.json`) against `type`. Missing attributes become null. */
export function decodeJSONValue(input: string | Uint8Array, type: CtyType, options: JSONDecodeOptions = {}): Value {
  let parsed: unknown;
  try {
    parsed = parseJSON(input);
  } catch (e) {
    throw new CtyValueError([], (e as Error).message);
  }
  return conformJSON(parsed, type, [], options);
}

/**
 * Converts an already-parsed JSON-like JS value (as from `parseJSON`, or
 * returned by a state upgrader) to a value of `type`, with cty's JSON rules.
 */
export function conformJSON(json: unknown, type: CtyType, path: Path = [], options: JSONDecodeOptions = {}): Value {
  if (json === null || json === undefined) return null;
  if (json instanceof Unknown) throw new CtyValueError(path, 'unknown values cannot appear in JSON');
  switch (type.kind) {
    case 'dynamic': {
      if (json instanceof Typed) return json;
      if (!isPlainObject(json) || !hasOwn(json, 'value') || !hasOwn(json, 'type')) {
        throw new CtyValueError(path, 'dynamic value must be an object with "value" and "type"');
      }
      let concrete: CtyType;
      try {
        concrete = typeFromJSON(json.type);
      } catch (e) {
        throw new CtyValueError(path, (e as Error).message);
      }
      return new Typed(concrete, conformJSON(json.value, concrete, path, options));
    }
    case 'string':
      if (typeof json === 'string') return json.normalize('NFC');
      if (typeof json === 'boolean' || typeof json === 'number' || typeof json === 'bigint') return String(json);
      if (json instanceof Decimal) return json.text;
      throw new CtyValueError(path, `string required, got ${describe(json)}`);
    case 'bool':
      if (typeof json === 'boolean') return json;
      if (json === 'true' || json === 'false') return json === 'true';
      throw new CtyValueError(path, `bool required, got ${describe(json)}`);
    case 'number':
      if (typeof json === 'number' || typeof json === 'bigint' || json instanceof Decimal) return json;
      if (typeof json === 'string') {
        try {
          return parseNumber(json);
        } catch (e) {
          throw new CtyValueError(path, (e as Error).message);
        }
      }
      throw new CtyValueError(path, `number required, got ${describe(json)}`);
    case 'list':
    case 'set':
      if (!Array.isArray(json)) throw new CtyValueError(path, `${type.kind} required, got ${describe(json)}`);
      return json.map((v, i) => conformJSON(v, type.element, [...path, i], options));
    case 'tuple':
      if (!Array.isArray(json) || json.length !== type.elements.length) {
        throw new CtyValueError(path, `tuple of ${type.elements.length} elements required`);
      }
      return json.map((v, i) => conformJSON(v, type.elements[i], [...path, i], options));
    case 'map': {
      if (!isPlainObject(json)) throw new CtyValueError(path, `map required, got ${describe(json)}`);
      const out: Record<string, Value> = {};
      for (const k of Object.keys(json)) setOwn(out, k.normalize('NFC'), conformJSON(json[k], type.element, [...path, k], options));
      return out;
    }
    case 'object': {
      if (!isPlainObject(json)) throw new CtyValueError(path, `object required, got ${describe(json)}`);
      if (!options.ignoreUnknownAttributes) {
        for (const k of Object.keys(json)) {
          if (!hasOwn(type.attributes, k)) throw new CtyValueError([...path, k], 'unsupported attribute');
        }
      }
      const out: Record<string, Value> = {};
      for (const name of Object.keys(type.attributes)) {
        const v = hasOwn(json, name) ? json[name] : null;
        setOwn(out, name, conformJSON(v, type.attributes[name], [...path, name], options));
      }
      return out;
    }
  }
}

/** Encodes a wholly known value as cty JSON against `type`. */
export function encodeJSONValue(value: Value, type: CtyType): string {
  return stringifyJSON(toJSONTree(value, type, []));
}

function toJSONTree(value: unknown, type: CtyType, path: Path): unknown {
  if (value instanceof Unknown) throw new CtyValueError(path, 'unknown values cannot be encoded as JSON');
  if (value === null) return null;
  switch (type.kind) {
    case 'dynamic': {
      const typed = value instanceof Typed ? value : new Typed(inferType(value, path), value as Value);
      return { value: toJSONTree(typed.value, typed.type, path), type: typeToJSON(typed.type) };
    }
    case 'number': {
      const w = numberToWire(value, path);
      if (typeof w === 'number' && !Number.isFinite(w)) throw new CtyValueError(path, 'infinity cannot be encoded as JSON');
      // Decimal text and >64-bit integers are written as bare JSON numbers.
      return typeof w === 'string' ? (Decimal.ofCanonical(w) as unknown) : w;
    }
    case 'list':
    case 'set':
    case 'tuple':
      toWire(value, type, path); // validates shape and element types
      return (value as unknown[]).map((v, i) => toJSONTree(v, type.kind === 'tuple' ? type.elements[i] : type.element, [...path, i]));
    case 'map': {
      if (!isPlainObject(value)) throw new CtyValueError(path, `map required, got ${describe(value)}`);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value).sort()) setOwn(out, k, toJSONTree(value[k], type.element, [...path, k]));
      return out;
    }
    case 'object': {
      objectToWire(value, type, path);
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const n of Object.keys(type.attributes)) {
        setOwn(out, n, toJSONTree(hasOwn(obj, n) && obj[n] !== undefined ? obj[n] : null, type.attributes[n], [...path, n]));
      }
      return out;
    }
    default:
      return toWire(value, type, path);
  }
}

// ---------------------------------------------------------------------------
// DynamicValue

export interface DynamicValueMessage {
  msgpack?: Uint8Array | null;
  json?: Uint8Array | null;
}

/**
 * Decodes a tfplugin6 DynamicValue: msgpack when present, else JSON, else
 * (both empty, or the message absent) null — the same precedence as OpenTofu.
 */
export function decodeDynamicValue(dv: DynamicValueMessage | null | undefined, type: CtyType): Value {
  if (dv?.msgpack && dv.msgpack.length > 0) return decodeMsgpack(dv.msgpack, type);
  if (dv?.json && dv.json.length > 0) return decodeJSONValue(dv.json, type);
  return null;
}

export function encodeDynamicValue(value: Value, type: CtyType): { msgpack: Buffer } {
  const bytes = encodeMsgpack(value, type);
  return { msgpack: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
