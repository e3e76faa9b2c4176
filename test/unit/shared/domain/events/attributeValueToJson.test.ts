import { NumberValueImpl as NumberValue, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attributeMapToJson,
  attributeValuesEqual,
  attributeValueToJson,
  canonicalNumber,
  jsonNumberText,
} from '../../../../../shared/domain/events/attributeValueToJson';
import { lambdaImage } from '../../../../helpers/streamRecordFactories';

/** The number tokens of a JSON text, in order, read by a tiny lexer independent of the code under test. */
function jsonNumberTokens(json: string): string[] {
  const tokens: string[] = [];
  for (let i = 0; i < json.length; ) {
    const c = json[i] as string;
    if (c === '"') {
      i += 1;
      while (json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
      i += 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const match = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(json.slice(i));
      tokens.push(match?.[0] ?? '');
      i += match?.[0].length ?? 1;
    } else {
      i += 1;
    }
  }
  return tokens;
}

describe('attributeMapToJson', () => {
  it('keeps every digit of DynamoDB numbers', () => {
    const json = attributeMapToJson({
      big: { N: '12345678901234567890' },
      precise: { N: '0.1000000000000000055511151231257827' },
      negative: { N: '-1E+5' },
      tiny: { N: '1e-130' },
    });
    expect(json).toBe(
      '{"big":12345678901234567890,"precise":0.1000000000000000055511151231257827,"negative":-1E+5,"tiny":1e-130}',
    );
    expect(jsonNumberTokens(json)).toEqual([
      '12345678901234567890',
      '0.1000000000000000055511151231257827',
      '-1E+5',
      '1e-130',
    ]);
  });

  it('turns every attribute type into JSON, sets into arrays and binary into base64', () => {
    const json = attributeMapToJson(
      lambdaImage({
        s: 'Alice "A" \u2028',
        n: 42,
        yes: true,
        no: false,
        nothing: null,
        map: { nested: { deeper: [1, 'two', { three: 3 }] } },
        list: [],
        emptyMap: {},
        ss: new Set(['a', 'b']),
        ns: new Set([new NumberValue('99999999999999999999'), 1]),
        bin: new Uint8Array([0, 1, 2, 255]),
        bs: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
      }),
    );
    expect(json).toBe(
      '{"s":"Alice \\"A\\" \u2028","n":42,"yes":true,"no":false,"nothing":null,' +
        '"map":{"nested":{"deeper":[1,"two",{"three":3}]}},"list":[],"emptyMap":{},' +
        '"ss":["a","b"],"ns":[99999999999999999999,1],"bin":"AAEC/w==","bs":["AQ==","AgM="]}',
    );
    expect(JSON.parse(json).s).toBe('Alice "A" \u2028');
  });

  it('keeps the key order DynamoDB gives', () => {
    expect(attributeMapToJson({ z: { S: 'z' }, a: { S: 'a' }, m: { S: 'm' } })).toBe(
      '{"z":"z","a":"a","m":"m"}',
    );
  });

  it('accepts binary as Uint8Array too (the SDK streams client shape)', () => {
    const item = {
      b: { B: new Uint8Array([104, 105]) },
      bs: { BS: [new Uint8Array([1])] },
    } as unknown as Record<string, AttributeValue>;
    expect(attributeMapToJson(item)).toBe('{"b":"aGk=","bs":["AQ=="]}');
  });

  it('escapes keys and strings that need it, lone surrogates included', () => {
    const json = attributeMapToJson({ 'a"b\n': { S: '\ud800x' } });
    expect(json).toBe('{"a\\"b\\n":"\\ud800x"}');
    expect(JSON.parse(json)).toEqual({ 'a"b\n': '\ud800x' });
  });

  it('writes any string, short or long, exactly as JSON.stringify does (property)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme', minLength: 60, maxLength: 300 }),
      fc.string({
        unit: fc.constantFrom('a', ' ', '"', '\\', '\n', '\u0001', '\ud83d', '\ude00', 'é'),
        maxLength: 300,
      }),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(attributeValueToJson({ S: value })).toBe(JSON.stringify(value));
        expect(attributeValueToJson({ SS: [value, 'x'] })).toBe(JSON.stringify([value, 'x']));
      }),
    );
    const long = `${'lorem ipsum '.repeat(20)}`;
    for (const tail of ['"', '\\', '\u001f', '\ud800', '\udc00', '\ud83d\ude00']) {
      expect(attributeValueToJson({ S: long + tail })).toBe(JSON.stringify(long + tail));
    }
  });

  it('writes the same text for any number of distinct attribute names (past the name cache bound)', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `field\t${i}"`);
    const item = Object.fromEntries(names.map((name, i) => [name, { N: String(i) }]));
    const json = attributeMapToJson(item);
    expect(json).toBe(JSON.stringify(Object.fromEntries(names.map((name, i) => [name, i]))));
    expect(attributeMapToJson(item)).toBe(json);
  });

  it('rejects values that are not DynamoDB attribute values', () => {
    expect(() => attributeMapToJson({ x: {} as AttributeValue })).toThrow(
      /unsupported DynamoDB attribute value/,
    );
    expect(() => attributeMapToJson({ x: { N: 'NaN' } })).toThrow(/not a DynamoDB number/);
    expect(() => attributeMapToJson({ x: { N: '1e' } })).toThrow(/not a DynamoDB number/);
  });
});

describe('jsonNumberText', () => {
  it.each([
    ['0', '0'],
    ['-0', '-0'],
    ['1E+5', '1E+5'],
    ['+5', '5'],
    ['.5', '0.5'],
    ['-.5e3', '-0.5e3'],
    ['5.', '5'],
    ['007', '7'],
    ['-007.50', '-7.50'],
    ['00', '0'],
  ])('%s → %s', (input, expected) => {
    expect(jsonNumberText(input)).toBe(expected);
    expect(() => JSON.parse(expected)).not.toThrow();
  });

  it('returns valid JSON numbers unchanged and rewrites everything else (property)', () => {
    const strictJsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
    const numberLike = fc.string({
      unit: fc.constantFrom('0', '1', '9', '-', '+', '.', 'e', 'E'),
      maxLength: 8,
    });
    fc.assert(
      fc.property(numberLike, (text) => {
        if (strictJsonNumber.test(text)) {
          expect(jsonNumberText(text)).toBe(text);
        } else {
          let out: string | undefined;
          try {
            out = jsonNumberText(text);
          } catch {
            return;
          }
          expect(out).not.toBe(text);
          expect(out).toMatch(strictJsonNumber);
        }
      }),
    );
  });

  it('never changes the decimal value', () => {
    fc.assert(
      fc.property(decimalText({ loose: true }), (text) => {
        const out = jsonNumberText(text);
        expect(out).toMatch(/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/);
        expect(canonicalNumber(out)).toBe(canonicalNumber(text));
      }),
    );
  });
});

describe('canonicalNumber', () => {
  it('gives equal decimal values the same form', () => {
    expect(canonicalNumber('1')).toBe(canonicalNumber('1.0'));
    expect(canonicalNumber('1')).toBe(canonicalNumber('10e-1'));
    expect(canonicalNumber('+1')).toBe(canonicalNumber('0001.000'));
    expect(canonicalNumber('100')).toBe(canonicalNumber('1E+2'));
    expect(canonicalNumber('0')).toBe(canonicalNumber('-0.000'));
    expect(canonicalNumber('0.1')).not.toBe(canonicalNumber('0.10000000000000001'));
    expect(canonicalNumber('12345678901234567890')).not.toBe(canonicalNumber('12345678901234567891'));
  });
});

describe('attributeValuesEqual', () => {
  const eq = (a: unknown, b: unknown) =>
    attributeValuesEqual(
      lambdaImage({ v: a }).v as AttributeValue,
      lambdaImage({ v: b }).v as AttributeValue,
    );

  it('compares scalars by type and value', () => {
    expect(eq('a', 'a')).toBe(true);
    expect(eq('1', 1)).toBe(false);
    expect(eq(true, true)).toBe(true);
    expect(eq(true, false)).toBe(false);
    expect(eq(null, null)).toBe(true);
    expect(eq(null, false)).toBe(false);
    expect(attributeValuesEqual({ N: '1.0' }, { N: '1' })).toBe(true);
    expect(attributeValuesEqual({ N: '0.1' }, { N: '0.10000000000000001' })).toBe(false);
    expect(attributeValuesEqual({ B: 'AQ==' }, { B: 'AQ==' })).toBe(true);
    expect(attributeValuesEqual({ B: 'AQ==' }, { B: 'Ag==' })).toBe(false);
    expect(attributeValuesEqual({ S: 'x' }, undefined)).toBe(false);
    expect(attributeValuesEqual(undefined, undefined)).toBe(true);
  });

  it('compares sets order-insensitively and lists in order', () => {
    expect(eq(new Set(['a', 'b']), new Set(['b', 'a']))).toBe(true);
    expect(eq(new Set(['a', 'b']), new Set(['a', 'c']))).toBe(false);
    expect(attributeValuesEqual({ NS: ['1', '2.0'] }, { NS: ['2', '1'] })).toBe(true);
    expect(attributeValuesEqual({ NS: ['1', '2'] }, { NS: ['1', '2', '3'] })).toBe(false);
    expect(attributeValuesEqual({ BS: ['AQ==', 'Ag=='] }, { BS: ['Ag==', 'AQ=='] })).toBe(true);
    expect(attributeValuesEqual({ SS: ['1'] }, { NS: ['1'] })).toBe(false);
    expect(eq(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(eq(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(eq(['a'], ['a', 'b'])).toBe(false);
  });

  it('compares maps deeply, ignoring key order', () => {
    expect(eq({ a: 1, b: { c: [1, { d: 'x' }] } }, { b: { c: [1, { d: 'x' }] }, a: 1 })).toBe(true);
    expect(eq({ a: 1, b: { c: [1, { d: 'x' }] } }, { a: 1, b: { c: [1, { d: 'y' }] } })).toBe(false);
    expect(eq({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(eq({ a: 1 }, { b: 1 })).toBe(false);
  });

  it('is reflexive and symmetric for any value', () => {
    fc.assert(
      fc.property(valueArbitrary(), valueArbitrary(), (x, y) => {
        const a = lambdaImage({ v: x }).v as AttributeValue;
        const b = lambdaImage({ v: y }).v as AttributeValue;
        expect(attributeValuesEqual(a, a)).toBe(true);
        expect(attributeValuesEqual(a, b)).toBe(attributeValuesEqual(b, a));
      }),
    );
  });
});

describe('marshall → stream image → JSON round trip (property)', () => {
  it('loses nothing: same structure, every number with its exact text', () => {
    fc.assert(
      fc.property(fc.dictionary(attributeName(), valueArbitrary(), { maxKeys: 8 }), (item) => {
        const image = lambdaImage(item);
        const json = attributeMapToJson(image);
        expect(JSON.parse(json)).toEqual(expectedJs(item));
        expect(jsonNumberTokens(json)).toEqual(numberTextsInOrder(image));
      }),
      { numRuns: 300 },
    );
  });
});

// ---- generators and independent references ----

/** Decimal text as DynamoDB returns it (JSON-valid), or, with `loose`, also `+5`, `.5`, `5.`, `007`. */
function decimalText({ loose = false } = {}): fc.Arbitrary<string> {
  const digits = (min: number, max: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
  const strict = fc
    .tuple(
      fc.boolean(),
      fc.oneof(
        fc.constant('0'),
        fc.tuple(fc.constantFrom(...'123456789'), digits(0, 25)).map(([a, b]) => a + b),
      ),
      fc.option(digits(1, 20), { nil: undefined }),
      fc.option(fc.integer({ min: -130, max: 125 }), { nil: undefined }),
    )
    .map(
      ([neg, int, frac, exp]) =>
        `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}${exp === undefined ? '' : `E${exp >= 0 ? '+' : ''}${exp}`}`,
    );
  if (!loose) return strict;
  const sloppy = fc
    .tuple(fc.constantFrom('', '+', '-'), digits(0, 6), fc.constantFrom('', '.'), digits(0, 6))
    .filter(([, int, , frac]) => int.length + frac.length > 0)
    .map(([sign, int, dot, frac]) => `${sign}${int}${dot}${dot ? frac : ''}`)
    .filter((t) => /\d/.test(t));
  return fc.oneof(strict, sloppy);
}

function attributeName(): fc.Arbitrary<string> {
  // Integer-like names are reordered by JS objects themselves; DynamoDB attribute names rarely are.
  return fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^\d+$/.test(s) && s !== '__proto__');
}

function scalarArbitrary(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.string({ maxLength: 12, unit: 'binary' }),
    decimalText().map((t) => new NumberValue(t)),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ minLength: 1, maxLength: 12 }),
    fc.uniqueArray(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 4 }).map((a) => new Set(a)),
    fc
      .uniqueArray(decimalText(), { minLength: 1, maxLength: 4 })
      .map((a) => new Set(a.map((t) => new NumberValue(t)))),
  );
}

function valueArbitrary(): fc.Arbitrary<unknown> {
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ maxDepth: 3 }, scalarArbitrary(), tie('list'), tie('map')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.dictionary(attributeName(), tie('value'), { maxKeys: 4 }),
  }));
  return value;
}

/** What a receiver's JSON.parse should see, computed from the original JS value via the SDK's unmarshall. */
function expectedJs(item: Record<string, unknown>): unknown {
  const native = unmarshall(
    Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toSdkAttribute(v)])) as never,
    { wrapNumbers: true },
  );
  return toPlain(native);
}

/** The SDK shape (binary as Uint8Array) of a marshalled value, as unmarshall expects it. */
function toSdkAttribute(value: unknown): unknown {
  return sdkShape(lambdaImage({ v: value }).v);
}

function sdkShape(value: unknown, key?: string): unknown {
  if (key === 'B' && typeof value === 'string') return Buffer.from(value, 'base64');
  if (key === 'BS' && Array.isArray(value)) return value.map((b) => Buffer.from(b as string, 'base64'));
  if (Array.isArray(value)) return value.map((v) => sdkShape(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sdkShape(v, k)]));
  }
  return value;
}

function toPlain(value: unknown): unknown {
  if (value instanceof NumberValue) return Number(value.value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Set) return [...value].map(toPlain);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

/** N and NS texts in document order, read from the DynamoDB image. */
function numberTextsInOrder(image: Record<string, AttributeValue>): string[] {
  return Object.values(image).flatMap(attributeNumberTexts);
}

function attributeNumberTexts(value: AttributeValue): string[] {
  if (value.N !== undefined) return [value.N];
  if (value.NS !== undefined) return value.NS;
  if (value.M !== undefined) return numberTextsInOrder(value.M);
  if (value.L !== undefined) return value.L.flatMap(attributeNumberTexts);
  return [];
}
