/**
 * The cty type system as used by Terraform/OpenTofu schemas, and its JSON
 * encoding (the bytes in `Schema.Attribute.type` and in dynamic-value
 * wrappers).
 *
 * JSON encoding:
 *   "string" | "number" | "bool" | "dynamic"
 *   ["list", T] | ["set", T] | ["map", T]
 *   ["object", {"attr": T, ...}] | ["object", {...}, ["optional_attr", ...]]
 *   ["tuple", [T, ...]]
 */

export type PrimitiveKind = 'string' | 'number' | 'bool';

export type CtyType =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: 'dynamic' }
  | { readonly kind: 'list' | 'set' | 'map'; readonly element: CtyType }
  | {
      readonly kind: 'object';
      /** Null-prototype record: attribute names are user data, never prototype keys. */
      readonly attributes: Readonly<Record<string, CtyType>>;
      /** Sorted names of attributes marked optional (only meaningful in type constraints). */
      readonly optional: readonly string[];
    }
  | { readonly kind: 'tuple'; readonly elements: readonly CtyType[] };

export type ObjectType = Extract<CtyType, { kind: 'object' }>;
export type CollectionType = Extract<CtyType, { kind: 'list' | 'set' | 'map' }>;

export class CtyTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CtyTypeError';
  }
}

const STRING: CtyType = Object.freeze({ kind: 'string' });
const NUMBER: CtyType = Object.freeze({ kind: 'number' });
const BOOL: CtyType = Object.freeze({ kind: 'bool' });
const DYNAMIC: CtyType = Object.freeze({ kind: 'dynamic' });

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * Assigns a property without ever touching the prototype chain (a key of
 * "__proto__" becomes an ordinary own property).
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function objectType(attributes: Record<string, CtyType>, optional: readonly string[] = []): ObjectType {
  const attrs: Record<string, CtyType> = Object.create(null);
  for (const name of Object.keys(attributes).sort()) {
    const t = attributes[name];
    if (!isCtyType(t)) throw new CtyTypeError(`object attribute "${name}" has no valid type`);
    setOwn(attrs, name, t);
  }
  const opt = [...new Set(optional)].sort();
  for (const name of opt) {
    if (!hasOwn(attrs, name)) throw new CtyTypeError(`optional attribute "${name}" is not an attribute of the object type`);
  }
  return Object.freeze({ kind: 'object', attributes: Object.freeze(attrs), optional: Object.freeze(opt) });
}

function collection(kind: 'list' | 'set' | 'map', element: CtyType): CtyType {
  if (!isCtyType(element)) throw new CtyTypeError(`${kind} element type is not a valid type`);
  return Object.freeze({ kind, element });
}

/** Type builders, e.g. `t.list(t.string)` or `t.object({ id: t.string })`. */
export const t = {
  string: STRING,
  number: NUMBER,
  bool: BOOL,
  dynamic: DYNAMIC,
  list: (element: CtyType): CtyType => collection('list', element),
  set: (element: CtyType): CtyType => collection('set', element),
  map: (element: CtyType): CtyType => collection('map', element),
  object: (attributes: Record<string, CtyType>, optional?: readonly string[]): ObjectType =>
    objectType(attributes, optional),
  tuple: (elements: readonly CtyType[]): CtyType => {
    elements.forEach((e, i) => {
      if (!isCtyType(e)) throw new CtyTypeError(`tuple element ${i} is not a valid type`);
    });
    return Object.freeze({ kind: 'tuple', elements: Object.freeze([...elements]) });
  },
} as const;

export function isCtyType(v: unknown): v is CtyType {
  if (typeof v !== 'object' || v === null) return false;
  const k = (v as { kind?: unknown }).kind;
  return (
    k === 'string' || k === 'number' || k === 'bool' || k === 'dynamic' || k === 'list' || k === 'set' ||
    k === 'map' || k === 'object' || k === 'tuple'
  );
}

/** The JSON-compatible structure of a type (see module comment). */
export function typeToJSON(type: CtyType): unknown {
  switch (type.kind) {
    case 'string':
    case 'number':
    case 'bool':
    case 'dynamic':
      return type.kind;
    case 'list':
    case 'set':
    case 'map':
      return [type.kind, typeToJSON(type.element)];
    case 'tuple':
      return ['tuple', type.elements.map(typeToJSON)];
    case 'object': {
      const attrs: Record<string, unknown> = {};
      for (const name of Object.keys(type.attributes).sort()) setOwn(attrs, name, typeToJSON(type.attributes[name]));
      return type.optional.length > 0 ? ['object', attrs, [...type.optional]] : ['object', attrs];
    }
  }
}

/** Serialises a type to its canonical JSON text (sorted object keys). */
export function serializeType(type: CtyType): string {
  return JSON.stringify(typeToJSON(type));
}

/**
 * Parses the JSON type encoding from JSON text or UTF-8 bytes. Throws
 * CtyTypeError on anything invalid.
 */
export function parseType(input: string | Uint8Array): CtyType {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CtyTypeError(`invalid type JSON: ${(e as Error).message}`);
  }
  return typeFromJSON(json);
}

/** Builds a type from the already-parsed JSON structure (a JS string here is a type name, not JSON text). */
export function typeFromJSON(json: unknown): CtyType {
  if (typeof json === 'string') {
    switch (json) {
      case 'string':
        return STRING;
      case 'number':
        return NUMBER;
      case 'bool':
        return BOOL;
      case 'dynamic':
        return DYNAMIC;
      default:
        throw new CtyTypeError(`invalid primitive type name ${JSON.stringify(json)}`);
    }
  }
  if (!Array.isArray(json) || json.length === 0 || typeof json[0] !== 'string') {
    throw new CtyTypeError(`invalid type specification ${describeJSON(json)}`);
  }
  const [kind, ...rest] = json as [string, ...unknown[]];
  switch (kind) {
    case 'list':
    case 'set':
    case 'map':
      if (rest.length !== 1) throw new CtyTypeError(`${kind} type requires exactly one element type`);
      return collection(kind, typeFromJSON(rest[0]));
    case 'tuple': {
      if (rest.length !== 1 || !Array.isArray(rest[0])) {
        throw new CtyTypeError('tuple type requires an array of element types');
      }
      return t.tuple((rest[0] as unknown[]).map(typeFromJSON));
    }
    case 'object': {
      if (rest.length < 1 || rest.length > 2) throw new CtyTypeError('object type requires an attribute map');
      const attrsJSON = rest[0];
      if (typeof attrsJSON !== 'object' || attrsJSON === null || Array.isArray(attrsJSON)) {
        throw new CtyTypeError('object type attributes must be a JSON object');
      }
      const attrs: Record<string, CtyType> = Object.create(null);
      for (const [name, v] of Object.entries(attrsJSON as Record<string, unknown>)) setOwn(attrs, name, typeFromJSON(v));
      let optional: string[] = [];
      if (rest.length === 2) {
        const opt = rest[1];
        if (!Array.isArray(opt) || !opt.every((o) => typeof o === 'string')) {
          throw new CtyTypeError('object type optional attributes must be an array of strings');
        }
        optional = opt as string[];
      }
      return objectType(attrs, optional);
    }
    default:
      throw new CtyTypeError(`invalid complex type kind name ${JSON.stringify(kind)}`);
  }
}

function describeJSON(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return typeof v;
  }
}

export function typeEquals(a: CtyType, b: CtyType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'list':
    case 'set':
    case 'map':
      return typeEquals(a.element, (b as CollectionType).element);
    case 'tuple': {
      const be = (b as Extract<CtyType, { kind: 'tuple' }>).elements;
      return a.elements.length === be.length && a.elements.every((e, i) => typeEquals(e, be[i]));
    }
    case 'object': {
      const bo = b as ObjectType;
      const an = Object.keys(a.attributes);
      const bn = Object.keys(bo.attributes);
      return (
        an.length === bn.length &&
        an.every((n) => hasOwn(bo.attributes, n) && typeEquals(a.attributes[n], bo.attributes[n])) &&
        a.optional.length === bo.optional.length &&
        a.optional.every((n, i) => n === bo.optional[i])
      );
    }
    default:
      return true;
  }
}

/** Human-readable type, e.g. `list(object({id=string}))`, for messages. */
export function typeString(type: CtyType): string {
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'map':
      return `${type.kind}(${typeString(type.element)})`;
    case 'tuple':
      return `tuple([${type.elements.map(typeString).join(', ')}])`;
    case 'object':
      return `object({${Object.keys(type.attributes)
        .map((n) => `${n}=${typeString(type.attributes[n])}`)
        .join(', ')}})`;
    default:
      return type.kind;
  }
}

/** True if `dynamic` appears anywhere inside the type. */
export function containsDynamic(type: CtyType): boolean {
  switch (type.kind) {
    case 'dynamic':
      return true;
    case 'list':
    case 'set':
    case 'map':
      return containsDynamic(type.element);
    case 'tuple':
      return type.elements.some(containsDynamic);
    case 'object':
      return Object.values(type.attributes).some(containsDynamic);
    default:
      return false;
  }
}

/** The type with all optional-attribute markers removed (what goes on the wire). */
export function withoutOptionalAttributes(type: CtyType): CtyType {
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'map':
      return collection(type.kind, withoutOptionalAttributes(type.element));
    case 'tuple':
      return t.tuple(type.elements.map(withoutOptionalAttributes));
    case 'object': {
      const attrs: Record<string, CtyType> = Object.create(null);
      for (const n of Object.keys(type.attributes)) setOwn(attrs, n, withoutOptionalAttributes(type.attributes[n]));
      return objectType(attrs);
    }
    default:
      return type;
  }
}
