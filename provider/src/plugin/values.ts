/**
 * The value model handed to resource code.
 *
 * Known values are plain JavaScript:
 *   string -> string, bool -> boolean,
 *   number -> number (exact float64 values), bigint (integers beyond 2^53)
 *             or Decimal (anything else, e.g. 0.1 or 1e400, kept as exact text),
 *   list / set / tuple -> array, map / object -> plain object,
 *   dynamic -> Typed (value + its concrete type), so it re-encodes exactly.
 * `null` is null of any type; `Unknown` marks a value not known until apply.
 */
import { CtyType, hasOwn, typeEquals } from './types';

/** Refinements OpenTofu may attach to an unknown value (all optional). */
export interface Refinements {
  /** true = definitely not null. */
  notNull?: boolean;
  stringPrefix?: string;
  numberLowerBound?: [NumberValue, boolean];
  numberUpperBound?: [NumberValue, boolean];
  lengthLowerBound?: number;
  lengthUpperBound?: number;
}

export class Unknown {
  /** The plain unknown value, without refinements. */
  static readonly value: Unknown = new Unknown(undefined, undefined);

  private constructor(
    /** Refinements decoded from the wire, when there were any. */
    readonly refinements: Readonly<Refinements> | undefined,
    /** Exact msgpack ext 12 payload, re-emitted verbatim when this value is echoed back. */
    readonly rawRefinements: Uint8Array | undefined,
  ) {
    Object.freeze(this);
  }

  /** @internal used by the codec when decoding a refined unknown. */
  static refined(refinements: Refinements, raw: Uint8Array): Unknown {
    return new Unknown(Object.freeze({ ...refinements }), raw);
  }

  toString(): string {
    return '(unknown)';
  }

  toJSON(): string {
    return '(unknown)';
  }
}

/** The plain unknown value (`Unknown.value`). */
export const UNKNOWN: Unknown = Unknown.value;

/**
 * A number that is neither an exact float64 nor an integer, kept as canonical
 * decimal text so that it round-trips without loss (e.g. `0.1` from config,
 * which cty does not consider equal to the float64 nearest to 0.1).
 * Create via `parseNumber`, which returns number/bigint when those are exact.
 */
export class Decimal {
  private constructor(readonly text: string) {
    Object.freeze(this);
  }

  /** @internal */
  static ofCanonical(text: string): Decimal {
    return new Decimal(text);
  }

  /** Nearest float64 (lossy). */
  toNumber(): number {
    return Number(this.text);
  }

  valueOf(): number {
    return this.toNumber();
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

/** A value of `dynamic` type: the concrete type travels with the value. */
export class Typed {
  constructor(
    readonly type: CtyType,
    readonly value: Value,
  ) {
    Object.freeze(this);
  }
}

export type NumberValue = number | bigint | Decimal;

export type Value =
  | null
  | Unknown
  | string
  | boolean
  | NumberValue
  | Typed
  | Value[]
  | { [key: string]: Value };

export type ObjectValue = { [key: string]: Value };

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

/** True unless the value itself is unknown (nested parts may still be unknown). */
export function isKnown<T>(v: T | Unknown): v is T {
  return !(v instanceof Unknown);
}

/** True if no unknown appears anywhere inside the value. */
export function isWhollyKnown(v: unknown): boolean {
  if (v instanceof Unknown) return false;
  if (v instanceof Typed) return isWhollyKnown(v.value);
  if (Array.isArray(v)) return v.every(isWhollyKnown);
  if (isPlainObject(v)) return Object.keys(v).every((k) => isWhollyKnown(v[k]));
  return true;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isNumberValue(v: unknown): v is NumberValue {
  return (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'bigint' || v instanceof Decimal;
}

// ---------------------------------------------------------------------------
// Numbers

const NUMBER_TEXT = /^([-+]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([-+]?\d+))?$/;
/** Beyond these sizes we don't attempt exact integer/float reasoning (DoS guard). */
const MAX_DIGITS = 1100;
const MAX_EXPONENT = 1100;

export class NumberFormatError extends Error {
  constructor(text: string) {
    super(`invalid number ${JSON.stringify(text.length > 60 ? text.slice(0, 57) + '...' : text)}`);
    this.name = 'NumberFormatError';
  }
}

/**
 * Parses decimal number text (as sent by cty for numbers that are not exact
 * int64/float64, or found in JSON state) into the most natural exact JS
 * representation: number if exactly a float64 (or a safe integer), bigint for
 * other integers, Decimal otherwise. "Infinity"/"-Infinity" are accepted too.
 */
export function parseNumber(text: string): NumberValue {
  const trimmed = text.trim();
  if (trimmed === 'Infinity' || trimmed === '+Infinity' || trimmed === '+Inf' || trimmed === 'Inf') return Infinity;
  if (trimmed === '-Infinity' || trimmed === '-Inf') return -Infinity;
  const m = NUMBER_TEXT.exec(trimmed);
  if (!m) throw new NumberFormatError(text);
  const negative = m[1] === '-';
  const [intPart, fracPart = ''] = m[2].split('.');
  if (m[3] !== undefined && m[3].replace(/^[-+]?0*/, '').length > 6) {
    // Exponent too large for exact reasoning: keep text, let float decide if it is just 0/Inf.
    return Decimal.ofCanonical(trimmed);
  }
  let exp = (m[3] === undefined ? 0 : parseInt(m[3], 10)) - fracPart.length;
  let digits = (intPart + fracPart).replace(/^0+/, '');
  if (digits === '') return negative ? -0 : 0;
  const stripped = digits.replace(/0+$/, '');
  exp += digits.length - stripped.length;
  digits = stripped;
  if (digits.length > MAX_DIGITS || Math.abs(exp) > MAX_EXPONENT) {
    return Decimal.ofCanonical(canonicalText(negative, digits, exp));
  }
  if (exp >= 0) {
    const big = BigInt(digits) * 10n ** BigInt(exp) * (negative ? -1n : 1n);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  const f = Number((negative ? '-' : '') + digits + 'e' + exp);
  if (Number.isFinite(f) && floatEqualsDecimal(f, BigInt(digits) * (negative ? -1n : 1n), exp)) return f;
  return Decimal.ofCanonical(canonicalText(negative, digits, exp));
}

/** Plain (non-exponent) text when reasonably short, else scientific. */
function canonicalText(negative: boolean, digits: string, exp: number): string {
  const sign = negative ? '-' : '';
  if (exp >= 0) {
    return exp <= 40 ? sign + digits + '0'.repeat(exp) : `${sign}${digits}e${exp}`;
  }
  const point = digits.length + exp;
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  if (point > -40) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits}e${exp}`;
}

/** Exact check: does the finite float f equal mantissa * 10^exp? */
function floatEqualsDecimal(f: number, mantissa: bigint, exp: number): boolean {
  const { m, e } = floatToRational(f); // f = m * 2^e
  // Compare m * 2^e with mantissa * 10^exp by moving negative powers across.
  let lhs = m;
  let rhs = mantissa;
  if (e >= 0) lhs *= 2n ** BigInt(e);
  else rhs *= 2n ** BigInt(-e);
  if (exp >= 0) rhs *= 10n ** BigInt(exp);
  else lhs *= 10n ** BigInt(-exp);
  return lhs === rhs;
}

function floatToRational(f: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let frac = bits & 0xfffffffffffffn;
  let e: number;
  if (biased === 0) {
    e = -1074;
  } else {
    frac |= 1n << 52n;
    e = biased - 1075;
  }
  return { m: negative ? -frac : frac, e };
}

/** Converts any number representation to a JS number (lossy for bigint/Decimal). */
export function toNumber(v: NumberValue): number {
  return typeof v === 'number' ? v : Number(v instanceof Decimal ? v.text : v);
}

function numbersEqual(a: NumberValue, b: NumberValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a instanceof Decimal || b instanceof Decimal) {
    return a instanceof Decimal && b instanceof Decimal && a.text === b.text;
  }
  // bigint vs number or bigint vs bigint
  const toBig = (n: number | bigint): bigint | undefined =>
    typeof n === 'bigint' ? n : Number.isInteger(n) ? BigInt(n) : undefined;
  const ab = toBig(a);
  const bb = toBig(b);
  return ab !== undefined && bb !== undefined && ab === bb;
}

// ---------------------------------------------------------------------------
// Equality

/**
 * Semantic equality of two values. Unknown is never equal to anything (it
 * might change). With a type, sets compare without regard to order.
 */
export function valuesEqual(a: unknown, b: unknown, type?: CtyType): boolean {
  if (a instanceof Unknown || b instanceof Unknown) return false;
  if (a === null || b === null || a === undefined || b === undefined) {
    return (a === null || a === undefined) && (b === null || b === undefined);
  }
  if (a instanceof Typed || b instanceof Typed) {
    return a instanceof Typed && b instanceof Typed && typeEquals(a.type, b.type) && valuesEqual(a.value, b.value, a.type);
  }
  if (isNumberValue(a) || isNumberValue(b)) {
    return isNumberValue(a) && isNumberValue(b) && numbersEqual(a, b);
  }
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    if (type?.kind === 'set') {
      const used = new Array<boolean>(b.length).fill(false);
      return a.every((x) => {
        const i = b.findIndex((y, j) => !used[j] && valuesEqual(x, y, type.element));
        if (i < 0) return false;
        used[i] = true;
        return true;
      });
    }
    const elementType = (i: number): CtyType | undefined =>
      type?.kind === 'list' ? type.element : type?.kind === 'tuple' ? type.elements[i] : undefined;
    return a.every((x, i) => valuesEqual(x, b[i], elementType(i)));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  const attrType = (k: string): CtyType | undefined =>
    type?.kind === 'map' ? type.element : type?.kind === 'object' && hasOwn(type.attributes, k) ? type.attributes[k] : undefined;
  return ak.every((k) => hasOwn(bo, k) && valuesEqual(ao[k], bo[k], attrType(k)));
}
