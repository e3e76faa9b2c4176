/**
 * The web console's files as the build wrote them (infra/console/buildConsoleAssets.ts): `index.html`
 * and `assets/<name>-<hash>.{js,css}`, each also precompressed as `.br` and `.gz`. HTTP APIs do not
 * compress responses themselves (only REST APIs have content encoding), so the function picks the
 * precompressed copy the browser accepts.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** In order of preference, with the suffix the build gives each precompressed copy. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;
type EncodingName = (typeof ENCODINGS)[number]['name'];

export interface ConsoleFile {
  contentType: string;
  body: Buffer;
  encoded: Partial<Record<EncodingName, Buffer>>;
}

export interface EncodedBody {
  body: Buffer;
  /** Absent for the uncompressed bytes. */
  contentEncoding?: EncodingName;
}

/** Encodings the client accepts (RFC 9110 §12.5.3): listed with a q-value above 0, or covered by `*`. */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  let wildcard = false;
  for (const part of (header ?? '').split(',')) {
    const [rawName, ...params] = part.toLowerCase().split(';');
    const name = rawName?.trim();
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    if (name === '*') wildcard = true;
    else accepted.add(name);
  }
  if (wildcard) for (const { name } of ENCODINGS) accepted.add(name);
  return accepted;
}

/** The smallest copy of `file` the client accepts. */
export function encodedBody(file: ConsoleFile, acceptEncoding: string | undefined): EncodedBody {
  const accepted = acceptedEncodings(acceptEncoding);
  for (const { name } of ENCODINGS) {
    const body = file.encoded[name];
    if (body !== undefined && accepted.has(name)) return { body, contentEncoding: name };
  }
  return { body: file.body };
}

function readFile(path: string): ConsoleFile {
  const encoded: ConsoleFile['encoded'] = {};
  for (const { name, suffix } of ENCODINGS) {
    if (existsSync(path + suffix)) encoded[name] = readFileSync(path + suffix);
  }
  return {
    contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    body: readFileSync(path),
    encoded,
  };
}

/** The built console, read from disk once, on its first request (API calls never pay for it). */
export class ConsoleAssets {
  private page?: ConsoleFile;
  /** A plain Map, not lru-cache: the bundle's files are fixed and few, all read at once and kept. */
  private assets?: Map<string, ConsoleFile>;

  constructor(private readonly directory: string) {}

  indexPage(): ConsoleFile {
    this.page ??= readFile(join(this.directory, 'index.html'));
    return this.page;
  }

  /** A hashed asset by file name, or undefined (names are looked up, never joined into a path). */
  asset(name: string): ConsoleFile | undefined {
    if (this.assets === undefined) {
      const dir = join(this.directory, 'assets');
      this.assets = new Map(
        readdirSync(dir)
          .filter((file) => !ENCODINGS.some(({ suffix }) => file.endsWith(suffix)))
          .map((file) => [file, readFile(join(dir, file))]),
      );
    }
    return this.assets.get(name);
  }
}
