import { decode as rawDecode, encode as rawEncode, ExtData } from '@msgpack/msgpack';

import {
  CtyTypeError,
  CtyValueError,
  Decimal,
  Typed,
  UNKNOWN,
  Unknown,
  conformJSON,
  decodeDynamicValue,
  decodeJSONValue,
  decodeMsgpack,
  encodeJSONValue,
  encodeMsgpack,
  isKnown,
  isWhollyKnown,
  parseJSON,
  parseNumber,
  parseType,
  serializeType,
  t,
  typeEquals,
  valuesEqual,
} from '../../../provider/src/plugin/codec';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
/** A msgpack map with small integer keys, as cty writes refinements. */
const intKeyMap = (entries: Array<[number, unknown]>): Uint8Array =>
  new Uint8Array([0x80 | entries.length, ...entries.flatMap(([k, v]) => [k, ...rawEncode(v)])]);

describe('cty type JSON', () => {
  it.each([
    '"string"',
    '"number"',
    '"bool"',
    '"dynamic"',
    '["list","string"]',
    '["set",["map","number"]]',
    '["map",["list","bool"]]',
    '["object",{"a":"string","b":["list","number"]}]',
    '["object",{"a":"string","b":"number"},["b"]]',
    '["tuple",["string","number",["object",{}]]]',
  ])('round-trips %s', (json) => {
    const type = parseType(json);
    expect(serializeType(type)).toBe(json);
    expect(typeEquals(parseType(serializeType(type)), type)).toBe(true);
  });

  it('sorts object attributes canonically and accepts bytes', () => {
    const type = parseType(Buffer.from('["object",{"z":"bool","a":"string"}]'));
    expect(serializeType(type)).toBe('["object",{"a":"string","z":"bool"}]');
  });

  it.each([
    ['"str"', /invalid primitive type name/],
    ['["array","string"]', /invalid complex type kind name/],
    ['["list"]', /exactly one element type/],
    ['["object",["a"]]', /attributes must be a JSON object/],
    ['["object",{"a":"string"},["b"]]', /optional attribute "b"/],
    ['["tuple","string"]', /array of element types/],
    ['42', /invalid type specification/],
    ['{not json', /invalid type JSON/],
  ])('rejects %s', (json, message) => {
    expect(() => parseType(json)).toThrow(CtyTypeError);
    expect(() => parseType(json)).toThrow(message);
  });

  it('builders produce the same types as parsing', () => {
    expect(typeEquals(t.list(t.object({ id: t.string })), parseType('["list",["object",{"id":"string"}]]'))).toBe(true);
    expect(typeEquals(t.list(t.string), t.set(t.string))).toBe(false);
  });
});

describe('msgpack: primitives, null and unknown', () => {
  it('encodes plain unknown as fixext1 type 0 (d4 00 00)', () => {
    expect(hex(encodeMsgpack(UNKNOWN, t.string))).toBe('d40000');
    expect(hex(encodeMsgpack({ a: UNKNOWN }, t.object({ a: t.number })))).toBe('81a161d40000');
  });

  it('encodes null as nil for any type', () => {
    for (const type of [t.string, t.number, t.list(t.string), t.object({ a: t.string }), t.dynamic]) {
      expect(hex(encodeMsgpack(null, type))).toBe('c0');
    }
  });

  it('decodes ext 0 and any one-byte-or-shorter extension as Unknown', () => {
    expect(decodeMsgpack(fromHex('d40000'), t.string)).toBe(UNKNOWN);
    expect(decodeMsgpack(fromHex('d40500'), t.number)).toBe(UNKNOWN); // other ext code, 1-byte payload
    expect(decodeMsgpack(fromHex('c70000'), t.bool)).toBe(UNKNOWN); // ext8 with empty payload
    expect(decodeMsgpack(fromHex('c7000c'), t.string)).toBe(UNKNOWN); // ext 12 with empty payload
  });

  it('decodes refined unknowns (ext 12) keeping their refinements and re-emits them verbatim', () => {
    // ext 12 payload: {1: false (not null), 2: "arn:"}
    const payload = intKeyMap([[1, false], [2, 'arn:']]);
    const bytes = new Uint8Array([0xc7, payload.length, 0x0c, ...payload]);
    const v = decodeMsgpack(bytes, t.string);
    expect(v).toBeInstanceOf(Unknown);
    expect((v as Unknown).refinements).toEqual({ notNull: true, stringPrefix: 'arn:' });
    expect(isKnown(v)).toBe(false);
    expect(hex(encodeMsgpack(v, t.string))).toBe(hex(bytes));
  });

  it('decodes number-bound and length refinements', () => {
    const payload = intKeyMap([[3, [1, true]], [4, [10, false]], [5, 2], [6, 4], [99, 'ignored']]);
    const v = decodeMsgpack(new Uint8Array([0xc7, payload.length, 0x0c, ...payload]), t.number) as Unknown;
    expect(v.refinements).toEqual({ numberLowerBound: [1, true], numberUpperBound: [10, false], lengthLowerBound: 2, lengthUpperBound: 4 });
  });

  it('rejects long payloads on extensions other than 12', () => {
    expect(() => decodeMsgpack(fromHex('d5030000'), t.string)).toThrow(CtyValueError); // fixext2 type 3
    expect(() => decodeMsgpack(fromHex('d6ff00000000'), t.string)).toThrow(/extension/); // timestamp ext -1
  });

  it('accepts unknown at any position, including inside collections', () => {
    const type = t.object({ l: t.list(t.string), m: t.map(t.number) });
    const v = decodeMsgpack(encodeMsgpack({ l: ['a', UNKNOWN], m: { x: UNKNOWN } }, type), type);
    expect(v).toEqual({ l: ['a', UNKNOWN], m: { x: UNKNOWN } });
    expect(isWhollyKnown(v)).toBe(false);
    expect(isWhollyKnown({ l: ['a'], m: {} })).toBe(true);
  });

  it('encodes strings NFC-normalised', () => {
    const decomposed = 'e\u0301'; // e + combining acute
    const bytes = encodeMsgpack(decomposed, t.string);
    expect(rawDecode(bytes)).toBe('\u00e9');
    expect(decodeMsgpack(rawEncode(decomposed), t.string)).toBe('\u00e9');
  });

  it('encodes numbers like cty: compact ints, float64, decimal text beyond 64 bits', () => {
    expect(hex(encodeMsgpack(5, t.number))).toBe('05');
    expect(hex(encodeMsgpack(-1, t.number))).toBe('ff');
    expect(hex(encodeMsgpack(300, t.number))).toBe('cd012c');
    expect(hex(encodeMsgpack(0.5, t.number))).toBe('cb3fe0000000000000');
    expect(hex(encodeMsgpack(Infinity, t.number))).toBe('cb7ff0000000000000');
    expect(hex(encodeMsgpack(2n ** 60n, t.number))).toBe('cf1000000000000000');
    expect(hex(encodeMsgpack(-(2n ** 60n), t.number))).toBe('d3f000000000000000');
    expect(hex(encodeMsgpack(12n, t.number))).toBe('0c');
    const huge = 2n ** 70n;
    expect(rawDecode(encodeMsgpack(huge, t.number))).toBe(huge.toString());
    expect(() => encodeMsgpack(NaN, t.number)).toThrow(/NaN/);
    expect(() => encodeMsgpack('5' as unknown as number, t.number)).toThrow(/number required/);
  });

  it('round-trips integers beyond 2^53 exactly as bigint', () => {
    for (const n of [2n ** 53n + 1n, 9007199254740993n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 10n ** 30n + 7n]) {
      const back = decodeMsgpack(encodeMsgpack(n, t.number), t.number);
      expect(back).toBe(n);
    }
    // uint64 on the wire decodes as bigint; small int64 as number
    expect(decodeMsgpack(fromHex('cf0020000000000001'), t.number)).toBe(9007199254740993n);
    expect(decodeMsgpack(fromHex('d30000000000000007'), t.number)).toBe(7);
  });

  it('decodes decimal-string numbers exactly', () => {
    expect(decodeMsgpack(rawEncode('12345678901234567890123'), t.number)).toBe(12345678901234567890123n);
    const tenth = decodeMsgpack(rawEncode('0.1'), t.number);
    expect(tenth).toBeInstanceOf(Decimal);
    expect(String(tenth)).toBe('0.1');
    // Re-encoding keeps the exact text, not the nearest float64.
    expect(rawDecode(encodeMsgpack(tenth, t.number))).toBe('0.1');
    expect(decodeMsgpack(rawEncode('0.25'), t.number)).toBe(0.25); // exactly representable
    expect(() => decodeMsgpack(rawEncode('abc'), t.number)).toThrow(/invalid number/);
  });

  it('rejects values of the wrong kind', () => {
    expect(() => decodeMsgpack(rawEncode(1), t.string)).toThrow(/string required/);
    expect(() => decodeMsgpack(rawEncode('x'), t.bool)).toThrow(/bool required/);
    expect(() => encodeMsgpack(1, t.string)).toThrow(CtyValueError);
    expect(() => encodeMsgpack(['a'], t.tuple([t.string, t.string]))).toThrow(/tuple of 2 elements/);
  });
});

describe('msgpack: objects, collections and dynamic values', () => {
  const objType = t.object({ id: t.string, count: t.number, tags: t.map(t.string), on: t.bool });

  it('writes every object attribute, nulls included, with sorted keys', () => {
    const bytes = encodeMsgpack({ id: 'x', count: null, tags: null, on: true }, objType);
    expect(hex(bytes)).toBe('84a5636f756e74c0a26964a178a26f6ec3a474616773c0');
  });

  it('rejects an object with a missing attribute when decoding', () => {
    const bytes = rawEncode({ id: 'x', count: 1, tags: {} });
    expect(() => decodeMsgpack(bytes, objType)).toThrow(/an object with 4 attributes is required \(3 given\)/);
  });

  it('rejects unsupported attributes both ways', () => {
    expect(() => decodeMsgpack(rawEncode({ id: 'x', count: 1, tags: {}, on: true, extra: 1 }), objType)).toThrow(/extra: unsupported attribute/);
    expect(() => encodeMsgpack({ id: 'x', count: 1, tags: {}, on: true, extra: 1 }, objType)).toThrow(/unsupported attribute/);
  });

  it('rejects a missing attribute when encoding unless it is optional', () => {
    expect(() => encodeMsgpack({ id: 'x' }, objType)).toThrow(/count: attribute is missing/);
    const opt = t.object({ a: t.string, b: t.string }, ['b']);
    expect(rawDecode(encodeMsgpack({ a: 'x' }, opt))).toEqual({ a: 'x', b: null });
  });

  it('round-trips nested collections', () => {
    const type = t.object({ rules: t.list(t.object({ cidr: t.string, ports: t.set(t.number) })), meta: t.tuple([t.string, t.bool]) });
    const v = { rules: [{ cidr: '10.0.0.0/8', ports: [443, 80] }], meta: ['m', false] };
    expect(decodeMsgpack(encodeMsgpack(v, type), type)).toEqual(v);
  });

  it('encodes a "__proto__" map key as an ordinary key and refuses it (safely) when decoding', () => {
    const tags = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, string>;
    const bytes = encodeMsgpack(tags, t.map(t.string));
    expect(hex(bytes)).toBe('82a9' + Buffer.from('__proto__').toString('hex') + 'a178a161a162');
    expect(() => decodeMsgpack(bytes, t.map(t.string))).toThrow(CtyValueError);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('wraps known dynamic values as [bin(type JSON), value]', () => {
    const bytes = encodeMsgpack(new Typed(t.list(t.string), ['a']), t.dynamic);
    // 92 = array(2); c4 11 = bin8 of 17 bytes: ["list","string"]; 91 a1 61 = ["a"]
    expect(hex(bytes)).toBe('92c411' + Buffer.from('["list","string"]').toString('hex') + '91a161');
    const back = decodeMsgpack(bytes, t.dynamic) as Typed;
    expect(back).toBeInstanceOf(Typed);
    expect(serializeType(back.type)).toBe('["list","string"]');
    expect(back.value).toEqual(['a']);
  });

  it('infers a type for plain values in dynamic positions, and keeps typed nulls', () => {
    const inferred = rawDecode(encodeMsgpack({ a: 'x', n: [1, true] }, t.dynamic)) as [Uint8Array, unknown];
    expect(Buffer.from(inferred[0]).toString()).toBe('["object",{"a":"string","n":["tuple",["number","bool"]]}]');
    expect(hex(encodeMsgpack(new Typed(t.string, null), t.dynamic))).toBe('92c408' + Buffer.from('"string"').toString('hex') + 'c0');
  });

  it('encodes wholly unknown and null dynamic values bare', () => {
    expect(hex(encodeMsgpack(UNKNOWN, t.dynamic))).toBe('d40000');
    expect(hex(encodeMsgpack(null, t.dynamic))).toBe('c0');
    expect(decodeMsgpack(fromHex('d40000'), t.dynamic)).toBe(UNKNOWN);
  });

  it('rejects an unwrapped dynamic value', () => {
    expect(() => decodeMsgpack(rawEncode('plain'), t.dynamic)).toThrow(/\[type, value\] pair/);
  });

  it('leaves unregistered extensions to the unknown rule', () => {
    const ext = rawEncode(new ExtData(7, new Uint8Array([1])));
    expect(decodeMsgpack(ext, t.string)).toBe(UNKNOWN);
  });
});

describe('JSON values', () => {
  const type = t.object({ id: t.string, n: t.number, d: t.dynamic, l: t.list(t.string) });

  it('decodes cty JSON, filling missing attributes with null', () => {
    const v = decodeJSONValue('{"id":"a","n":12345678901234567890,"d":{"value":["x"],"type":["list","string"]}}', type);
    expect(v).toEqual({ id: 'a', n: 12345678901234567890n, d: new Typed(t.list(t.string), ['x']), l: null });
  });

  it('keeps decimal precision from JSON', () => {
    const v = decodeJSONValue('{"id":null,"n":0.1,"d":null,"l":[]}', type) as Record<string, unknown>;
    expect(v.n).toBeInstanceOf(Decimal);
    expect(rawDecode(encodeMsgpack(v as never, type))).toMatchObject({ n: '0.1' });
  });

  it('rejects unknown attributes unless asked to ignore them', () => {
    expect(() => decodeJSONValue('{"id":"a","gone":1}', type)).toThrow(/gone: unsupported attribute/);
    expect(decodeJSONValue('{"id":"a","gone":1}', type, { ignoreUnknownAttributes: true })).toMatchObject({ id: 'a' });
  });

  it('round-trips through encodeJSONValue', () => {
    const v = { id: 'a', n: 2n ** 70n, d: new Typed(t.string, 'x'), l: ['q'] };
    const text = encodeJSONValue(v, type);
    expect(text).toBe('{"d":{"value":"x","type":"string"},"id":"a","l":["q"],"n":1180591620717411303424}');
    expect(decodeJSONValue(text, type)).toEqual(v);
  });

  it('parses JSON strictly and safely', () => {
    expect(() => parseJSON('{"a":1,}')).toThrow(/invalid JSON/);
    expect(() => parseJSON('[1] x')).toThrow(/trailing/);
    const o = parseJSON('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(o)).toEqual(['__proto__']);
    const m = conformJSON(o, t.map(t.map(t.bool))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(Object.keys(m)).toEqual(['__proto__']);
  });

  it('decodes a DynamicValue preferring msgpack, then JSON, else null', () => {
    const s = t.object({ a: t.string });
    expect(decodeDynamicValue({ msgpack: Buffer.from(encodeMsgpack({ a: 'm' }, s)), json: Buffer.from('{"a":"j"}') }, s)).toEqual({ a: 'm' });
    expect(decodeDynamicValue({ msgpack: Buffer.alloc(0), json: Buffer.from('{"a":"j"}') }, s)).toEqual({ a: 'j' });
    expect(decodeDynamicValue({ msgpack: Buffer.alloc(0), json: Buffer.alloc(0) }, s)).toBeNull();
    expect(decodeDynamicValue(undefined, s)).toBeNull();
  });
});

describe('numbers and equality', () => {
  it('parses number text to the most exact representation', () => {
    expect(parseNumber('42')).toBe(42);
    expect(parseNumber('1.50')).toBe(1.5);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('-9007199254740993')).toBe(-9007199254740993n);
    expect(parseNumber('0.1')).toBeInstanceOf(Decimal);
    expect(parseNumber('1e-400')).toBeInstanceOf(Decimal);
    expect(() => parseNumber('1..2')).toThrow(/invalid number/);
  });

  it('compares values semantically', () => {
    expect(valuesEqual(5, 5n)).toBe(true);
    expect(valuesEqual(parseNumber('0.1'), 0.1)).toBe(false);
    expect(valuesEqual(UNKNOWN, UNKNOWN)).toBe(false);
    expect(valuesEqual([1, 2], [2, 1], t.set(t.number))).toBe(true);
    expect(valuesEqual([1, 2], [2, 1], t.list(t.number))).toBe(false);
    expect(valuesEqual({ a: 'x' }, { a: 'x' })).toBe(true);
    expect(valuesEqual({ a: 'x' }, { a: 'y' })).toBe(false);
    expect(valuesEqual(null, null)).toBe(true);
  });
});
