/** DynamoDB attribute values to exact JSON text, keeping every digit of DynamoDB numbers. */

import type { AttributeValue } from 'aws-lambda';

/**
 * DynamoDB item (stream image) → exact JSON text. Numbers are emitted as the decimal text DynamoDB
 * gave, never through a JS number, so `12345678901234567890` or `0.1000000000000000055511151231257827`
 * reach the receiver unchanged. Sets become arrays, binary becomes base64, key order is kept.
 */
export function attributeMapToJson(item: Record<string, AttributeValue>): string {
  let out = '{';
  let first = true;
  for (const key of Object.keys(item)) {
    const value = item[key];
    if (value === undefined) continue;
    // Appending, never slicing: the text stays a rope of its parts until it is written out once.
    out += first ? keyPrefix(key).first : keyPrefix(key).next;
    out += attributeValueToJson(value);
    first = false;
  }
  return `${out}}`;
}

interface KeyPrefix {
  first: string;
  next: string;
}

/**
 * `"name":` and `,"name":` per attribute name. A table's records share a few dozen names, so each is
 * escaped once per container rather than once per record; bounded so odd data cannot grow it forever.
 */
// A plain Map, not lru-cache: a memo of a few dozen fixed names needs no eviction or expiry (it stops
// growing at the bound), and lru-cache's memo measured no faster here (mapper bench, within noise).
const keyPrefixes = new Map<string, KeyPrefix>();
const MAX_KEY_PREFIXES = 4096;

function keyPrefix(key: string): KeyPrefix {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    const first = `${JSON.stringify(key)}:`;
    prefix = { first, next: `,${first}` };
    if (keyPrefixes.size < MAX_KEY_PREFIXES) keyPrefixes.set(key, prefix);
  }
  return prefix;
}

/** One attribute value → JSON text. Throws on a value that is not a DynamoDB attribute value. */
export function attributeValueToJson(value: AttributeValue): string {
  const v = value as Record<string, unknown>;
  if (v.S !== undefined) return jsonString(v.S as string);
  if (v.N !== undefined) return jsonNumberText(v.N as string);
  if (v.M !== undefined) return attributeMapToJson(v.M as Record<string, AttributeValue>);
  if (v.BOOL !== undefined) return v.BOOL ? 'true' : 'false';
  if (v.L !== undefined) return jsonArray(v.L as AttributeValue[], attributeValueToJson);
  if (v.NULL !== undefined) return 'null';
  if (v.SS !== undefined) return jsonArray(v.SS as string[], jsonString);
  if (v.NS !== undefined) return jsonArray(v.NS as string[], jsonNumberText);
  if (v.B !== undefined) return JSON.stringify(binaryToBase64(v.B));
  if (v.BS !== undefined) return jsonArray(v.BS as unknown[], (b) => JSON.stringify(binaryToBase64(b)));
  throw new Error(`unsupported DynamoDB attribute value with type ${Object.keys(v).join(',') || '(none)'}`);
}

function jsonArray<T>(items: readonly T[], toJson: (item: T) => string): string {
  if (items.length === 0) return '[]';
  let out = `[${toJson(items[0] as T)}`;
  for (let i = 1; i < items.length; i++) out += `,${toJson(items[i] as T)}`;
  return `${out}]`;
}

/** What JSON.stringify would escape: quote, backslash, control characters, and (lone) surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes.
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Long texts (CRM notes) are most of a record's bytes. Most need no escaping, and checking that with
 * a regular expression then wrapping in quotes costs about half of `JSON.stringify`, which copies
 * every character; short strings are faster through `JSON.stringify` directly.
 */
function jsonString(text: string): string {
  return text.length < 64 || NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}

// Lambda's stream records carry binary as base64 text already; the SDK's DynamoDB Streams client
// (used by the local poller) gives Uint8Array. Both end up as base64 text.
function binaryToBase64(b: unknown): string {
  if (typeof b === 'string') return b;
  if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  throw new Error('unsupported DynamoDB binary value');
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`, scanned without a regular expression (one per number). */
function isJsonNumber(text: string): boolean {
  const length = text.length;
  let i = text.charCodeAt(0) === 0x2d /* - */ ? 1 : 0;
  if (i >= length) return false;
  if (text.charCodeAt(i) === 0x30 /* 0 */) i++;
  else {
    const start = i;
    i = skipDigits(text, i);
    if (i === start) return false;
  }
  if (i < length && text.charCodeAt(i) === 0x2e /* . */) {
    const start = ++i;
    i = skipDigits(text, i);
    if (i === start) return false;
  }
  if (i < length && (text.charCodeAt(i) | 0x20) === 0x65 /* e or E */) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b /* + */ || sign === 0x2d /* - */) i++;
    const start = i;
    i = skipDigits(text, i);
    if (i === start) return false;
  }
  return i === length;
}

function skipDigits(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) break;
    i++;
  }
  return i;
}

interface DecimalParts {
  negative: boolean;
  integer: string;
  fraction: string;
  exponent: string | undefined;
}

function parseDecimal(text: string): DecimalParts {
  const match = DECIMAL.exec(text.trim());
  if (!match || ((match[2] ?? '') === '' && (match[3] ?? '') === '')) {
    // The value itself stays out of the message: messages end up in logs, record contents must not.
    throw new Error('a number attribute is not a DynamoDB number');
  }
  return {
    negative: match[1] === '-',
    integer: match[2] ?? '',
    fraction: match[3] ?? '',
    exponent: match[4],
  };
}

/**
 * DynamoDB number text → valid JSON number text with the same decimal value. DynamoDB already
 * normalizes what it stores, so this is almost always the identity; forms such as `+5`, `.5`, `5.`
 * or `007` are rewritten digit by digit, never through floating point.
 */
export function jsonNumberText(text: string): string {
  if (isJsonNumber(text)) return text;
  const { negative, integer, fraction, exponent } = parseDecimal(text);
  const intDigits = integer.replace(/^0+(?=\d)/, '') || '0';
  return `${negative ? '-' : ''}${intDigits}${fraction === '' ? '' : `.${fraction}`}${exponent === undefined ? '' : `e${exponent}`}`;
}

/**
 * Canonical form of a decimal number (`<sign><digits>e<exponent>`, no leading or trailing zeros),
 * so `1`, `1.0`, `10e-1` and `+1` compare equal and `0.1` never equals `0.10000000000000001`.
 */
export function canonicalNumber(text: string): string {
  const { negative, integer, fraction, exponent } = parseDecimal(text);
  let digits = `${integer}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  let exp = BigInt(exponent ?? '0') - BigInt(fraction.length);
  const trimmed = digits.replace(/0+$/, '');
  exp += BigInt(digits.length - trimmed.length);
  digits = trimmed;
  return `${negative ? '-' : ''}${digits}e${exp}`;
}

/**
 * Deep equality of two attribute values as a CRM receiver sees them: same type, sets compared
 * order-insensitively, numbers compared by decimal value, map key order ignored.
 */
export function attributeValuesEqual(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  if (x.S !== undefined) return y.S === x.S;
  if (x.N !== undefined) return typeof y.N === 'string' && sameNumber(x.N as string, y.N);
  if (x.BOOL !== undefined) return y.BOOL === x.BOOL;
  if (x.NULL !== undefined) return y.NULL !== undefined;
  if (x.B !== undefined) return y.B !== undefined && binaryToBase64(x.B) === binaryToBase64(y.B);
  if (x.M !== undefined) {
    if (y.M === undefined) return false;
    return attributeMapsEqual(x.M as Record<string, AttributeValue>, y.M as Record<string, AttributeValue>);
  }
  if (x.L !== undefined) {
    const la = x.L as AttributeValue[];
    const lb = y.L as AttributeValue[] | undefined;
    return (
      lb !== undefined && la.length === lb.length && la.every((item, i) => attributeValuesEqual(item, lb[i]))
    );
  }
  if (x.SS !== undefined) return Array.isArray(y.SS) && sameSet(x.SS as string[], y.SS as string[], (s) => s);
  if (x.NS !== undefined)
    return Array.isArray(y.NS) && sameSet(x.NS as string[], y.NS as string[], safeCanonical);
  if (x.BS !== undefined)
    return Array.isArray(y.BS) && sameSet(x.BS as unknown[], y.BS as unknown[], binaryToBase64);
  return false;
}

/** Deep equality of two items (top-level attribute maps), ignoring key order. */
function attributeMapsEqual(a: Record<string, AttributeValue>, b: Record<string, AttributeValue>): boolean {
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && attributeValuesEqual(a[key], b[key]));
}

function safeCanonical(text: string): string {
  try {
    return canonicalNumber(text);
  } catch {
    return `invalid:${text}`;
  }
}

function sameNumber(a: string, b: string): boolean {
  return a === b || safeCanonical(a) === safeCanonical(b);
}

function sameSet<T>(a: readonly T[], b: readonly T[], key: (item: T) => string): boolean {
  const setA = new Set(a.map(key));
  const setB = new Set(b.map(key));
  if (setA.size !== setB.size) return false;
  for (const item of setA) if (!setB.has(item)) return false;
  return true;
}
