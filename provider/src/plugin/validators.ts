/**
 * Reusable attribute validators. Each returns an error message (or nothing)
 * and is only called with known, non-null values.
 */
import { Validator } from './framework';
import { NumberValue, isNumberValue, toNumber, valuesEqual } from './values';

/** String length (in Unicode code points) within [min, max]. */
export function stringLength(min: number, max = Infinity): Validator {
  return (value) => {
    if (typeof value !== 'string') return undefined;
    const n = [...value].length;
    if (n < min || n > max) {
      return max === Infinity
        ? `must be at least ${min} characters long, got ${n}`
        : `must be between ${min} and ${max} characters long, got ${n}`;
    }
    return undefined;
  };
}

/** String matches the regular expression (anchor it yourself). */
export function stringMatches(pattern: RegExp, description: string): Validator {
  return (value) => (typeof value === 'string' && !pattern.test(value) ? `must be ${description}` : undefined);
}

/** Value equals one of the given values. */
export function oneOf(allowed: readonly (string | number | boolean)[]): Validator {
  return (value) =>
    allowed.some((a) => valuesEqual(a, value))
      ? undefined
      : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
}

/** Number within [min, max]. */
export function numberBetween(min: number, max: number): Validator {
  return (value) => {
    if (!isNumberValue(value)) return undefined;
    const n = toNumber(value as NumberValue);
    return n < min || n > max ? `must be between ${min} and ${max}, got ${String(value)}` : undefined;
  };
}

/** Whole number (no fractional part). */
export function integer(): Validator {
  return (value) =>
    isNumberValue(value) && typeof value !== 'bigint' && !Number.isInteger(toNumber(value as NumberValue))
      ? 'must be a whole number'
      : undefined;
}

/** List/set/map size within [min, max]. */
export function sizeBetween(min: number, max = Infinity): Validator {
  return (value) => {
    const n = Array.isArray(value) ? value.length : value && typeof value === 'object' ? Object.keys(value).length : undefined;
    if (n === undefined) return undefined;
    return n < min || n > max
      ? max === Infinity
        ? `must contain at least ${min} elements, got ${n}`
        : `must contain between ${min} and ${max} elements, got ${n}`
      : undefined;
  };
}
