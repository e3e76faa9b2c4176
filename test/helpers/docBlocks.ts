/*
 * Reads the shell commands of a Markdown guide the way a reader pastes them, and the output the guide
 * shows for them. Conventions (documented in docs/local.md → "The docs are tested"):
 *
 * - Every fenced block whose language is `sh` or `bash` is a command block, run in document order.
 * - Words after the language tune it:
 *     skip="reason"   not run; the test lists it as skipped with the reason (e.g. it needs AWS)
 *     needs=aws       run only when that program is installed; otherwise listed as skipped, saying so
 *     wait            re-run until its output matches (up to 30 s), as a reader would re-run it a moment later
 *     exit=N          the block's last command is expected to exit with N
 *     status=N        curl answers with HTTP status N are expected (any other non-2xx answer fails)
 * - A `text` or `json` block directly after a command block (nothing but blank lines between) is the
 *   output it must print: see `outputMatches`.
 */

export interface DocBlock {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  skip?: string;
  needs?: string;
  wait: boolean;
  exit: number;
  allowedStatuses: number[];
  expected?: { kind: 'text' | 'json'; text: string };
}

interface Fence {
  line: number;
  lang: string;
  attributes: Record<string, string>;
  body: string;
  /** Index of the line after the closing fence. */
  end: number;
}

function parseAttributes(info: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of info.matchAll(/([\w-]+)(?:=(?:"([^"]*)"|(\S+)))?/g)) {
    attributes[match[1]!] = match[2] ?? match[3] ?? '';
  }
  return attributes;
}

function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, ticks, lang, info] = open as unknown as [string, string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim() === ticks) break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line);
    }
    found.push({ line: i + 1, lang, attributes: parseAttributes(info), body: body.join('\n'), end: j + 1 });
    i = j;
  }
  return found;
}

/** The command blocks of a guide, in order, each with the output the guide shows for it. */
export function docBlocks(markdown: string): DocBlock[] {
  const all = fences(markdown);
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  all.forEach((fence, index) => {
    if (fence.lang !== 'sh' && fence.lang !== 'bash') return;
    const next = all[index + 1];
    const adjacent =
      next !== undefined &&
      (next.lang === 'text' || next.lang === 'json') &&
      lines.slice(fence.end, next.line - 1).every((line) => line.trim() === '');
    const a = fence.attributes;
    blocks.push({
      line: fence.line,
      code: fence.body,
      ...(a.skip === undefined ? {} : { skip: a.skip || 'no reason given' }),
      ...(a.needs === undefined ? {} : { needs: a.needs }),
      wait: a.wait !== undefined,
      exit: a.exit === undefined ? 0 : Number(a.exit),
      allowedStatuses: a.status === undefined ? [] : a.status.split(',').map(Number),
      ...(adjacent ? { expected: { kind: next.lang as 'text' | 'json', text: next.body } } : {}),
    });
  });
  return blocks;
}

/** Values a guide shows that differ on every run: generated ids, secrets, keys, times, digests. */
const GENERATED =
  /^(wh|evt|msg|cwk|whsec)_|^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$|^[0-9a-f]{32,}$|^eyJ[\w-]+$/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for a shown string: `…` stands for any text. */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('…').map(escapeRegExp).join('[\\s\\S]*')}$`);
}

/** Generated tokens inside a line of text output (keys, ids, digests, times). */
const GENERATED_TOKEN =
  /\b(?:(wh|evt|msg|cwk|whsec)_[\w+/=-]+|[0-9a-f]{32,}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)/g;

/** A pattern for a shown line of text: `…` stands for any text, a generated token for any of its kind. */
function linePattern(line: string): RegExp {
  let source = '';
  let from = 0;
  for (const match of line.matchAll(GENERATED_TOKEN)) {
    source += line.slice(from, match.index).split('…').map(escapeRegExp).join('[\\s\\S]*');
    const prefix = match[1];
    source += prefix
      ? `${prefix}_[\\w+/=-]+`
      : /^[0-9a-f]/.test(match[0]) && !match[0].includes('T')
        ? '[0-9a-f]{32,}'
        : '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
    from = match.index + match[0].length;
  }
  source += line.slice(from).split('…').map(escapeRegExp).join('[\\s\\S]*');
  return new RegExp(`^${source}$`);
}

/**
 * Where `actual` departs from the shape of `expected` (undefined when it matches): the same keys at
 * every level, the same types, the same literal strings and booleans, numbers of any value; strings
 * that are generated per run (ids, secrets, timestamps) or contain `…` match any string of that form;
 * arrays are both empty or both not, and their first elements match.
 */
export function jsonShapeMismatch(expected: unknown, actual: unknown, path = '$'): string | undefined {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(expected) !== kind(actual)) {
    return `${path}: expected ${kind(expected)} ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    const a = actual as unknown[];
    if ((expected.length === 0) !== (a.length === 0)) {
      return `${path}: expected ${expected.length === 0 ? 'an empty' : 'a non-empty'} array, got ${JSON.stringify(a)}`;
    }
    return expected.length === 0 ? undefined : jsonShapeMismatch(expected[0], a[0], `${path}[0]`);
  }
  if (kind(expected) === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const missing = Object.keys(e).filter((k) => !(k in a));
    const extra = Object.keys(a).filter((k) => !(k in e));
    if (missing.length > 0 || extra.length > 0) {
      return `${path}: keys differ (missing: ${missing.join(', ') || '-'}; not in the doc: ${extra.join(', ') || '-'})`;
    }
    for (const key of Object.keys(e)) {
      const mismatch = jsonShapeMismatch(e[key], a[key], `${path}.${key}`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (typeof expected === 'string') {
    const a = actual as string;
    if (expected.includes('…'))
      return wildcard(expected).test(a) ? undefined : `${path}: "${a}" is not "${expected}"`;
    if (GENERATED.test(expected)) {
      const prefix = /^([a-z]+_)/.exec(expected)?.[1] ?? '';
      return GENERATED.test(a) && a.startsWith(prefix)
        ? undefined
        : `${path}: "${a}" is not like "${expected}"`;
    }
    return expected === a ? undefined : `${path}: expected "${expected}", got "${a}"`;
  }
  if (typeof expected === 'number') return undefined;
  return expected === actual ? undefined : `${path}: expected ${expected}, got ${actual}`;
}

/**
 * Does a command's output match what the guide shows? `json`: the last line of output that is JSON has
 * the shape of the guide's value (`jsonShapeMismatch`). `text`: every non-blank line the guide shows
 * appears in the output, in order (other lines, such as npm's banner, may come between), `…` standing
 * for any text and a generated token (`cwk_…` key, `wh_…` id, 64-hex key id, ISO time) for any other. Returns why not, or undefined.
 */
export function outputMismatch(expected: { kind: 'text' | 'json'; text: string }, output: string) {
  const lines = output.split('\n').map((line) => line.trimEnd());
  if (expected.kind === 'json') {
    const wanted = JSON.parse(expected.text) as unknown;
    const last = lines
      .filter((line) => /^[[{]/.test(line))
      .reverse()
      .map((line) => {
        try {
          return { value: JSON.parse(line) as unknown };
        } catch {
          return undefined;
        }
      })
      .find((parsed) => parsed !== undefined);
    if (!last) return 'the output has no JSON line';
    return jsonShapeMismatch(wanted, last.value);
  }
  let from = 0;
  for (const want of expected.text.split('\n').map((line) => line.trimEnd())) {
    if (want.trim() === '') continue;
    const pattern = linePattern(want);
    const at = lines.findIndex((line, i) => i >= from && pattern.test(line));
    if (at < 0) return `no line matching ${JSON.stringify(want)} (after line ${from + 1} of the output)`;
    from = at + 1;
  }
  return undefined;
}
