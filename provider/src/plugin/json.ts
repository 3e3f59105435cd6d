/**
 * A small strict JSON reader/writer that keeps number precision.
 *
 * JSON.parse turns 12345678901234567890 into 12345678901234567000 and 0.1 into
 * the nearest float64; stored Terraform state must round-trip exactly, so
 * numbers are converted with `parseNumber` (number | bigint | Decimal).
 * Object keys are assigned as own properties, so "__proto__" is harmless.
 */
import { setOwn } from './types';
import { Decimal, parseNumber } from './values';

export type JSONValue = null | boolean | string | number | bigint | Decimal | JSONValue[] | { [k: string]: JSONValue };

export class JSONSyntaxError extends Error {
  constructor(message: string, position: number) {
    super(`invalid JSON at offset ${position}: ${message}`);
    this.name = 'JSONSyntaxError';
  }
}

const MAX_DEPTH = 512;

export function parseJSON(input: string | Uint8Array): JSONValue {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  let pos = 0;

  const fail = (msg: string): never => {
    throw new JSONSyntaxError(msg, pos);
  };
  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else break;
    }
  };

  const parseString = (): string => {
    // pos is at the opening quote
    pos++;
    let out = '';
    let start = pos;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, pos);
        const e = text[pos + 1];
        pos += 2;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(pos, pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad unicode escape');
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default:
            pos -= 1;
            fail('bad escape');
        }
        start = pos;
        continue;
      }
      if (c < 0x20) fail('control character in string');
      pos++;
    }
    return fail('unterminated string');
  };

  const parseValue = (depth: number): JSONValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipWs();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const obj: { [k: string]: JSONValue } = {};
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail('expected object key');
        const key = parseString();
        skipWs();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        setOwn(obj, key, parseValue(depth + 1));
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const arr: JSONValue[] = [];
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(text.slice(pos, pos + 4096));
    if (!m) return fail('unexpected token');
    pos += m[0].length;
    return parseNumber(m[0]);
  };

  const value = parseValue(0);
  skipWs();
  if (pos !== text.length) fail('unexpected trailing data');
  return value;
}

/** JSON text for values produced by parseJSON (bigint/Decimal as bare numbers). */
export function stringifyJSON(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Decimal) return value.text;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('cannot encode a non-finite number as JSON');
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stringifyJSON).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stringifyJSON(o[k])}`)
      .join(',')}}`;
  }
  throw new TypeError(`cannot encode ${typeof value} as JSON`);
}
