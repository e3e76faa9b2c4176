/** The console's client of the management API, and what the API documents it can do. */

import type { FieldError, Problem } from './types';

/** A non-2xx answer; `problem` is the API's application/problem+json body when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

/** The API answers under the same path prefix as the console page (`/console` at the stage root). */
function apiBase(pathname = location.pathname): string {
  return pathname.replace(/\/console\/?$/, '');
}

/** Calls the management API with `Authorization: Bearer <key>`; answers are JSON. */
export class ApiClient {
  constructor(
    private readonly apiKey: string,
    private readonly onUnauthorized: () => void,
    private readonly base = apiBase(),
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.apiKey}`,
        Accept: 'application/json, application/problem+json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
      credentials: 'omit',
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : safeJson(text);
    if (!response.ok) {
      const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Problem;
      if (response.status === 401) this.onUnauthorized();
      throw new ApiError(response.status, problem);
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

/** What the API documents (the public OpenAPI document): optional routes and fields appear when it has them. */
export interface ApiCapabilities {
  resend: boolean;
  /** Properties `POST /webhooks` accepts, e.g. `filter`, `headers`, `rateLimit` once the API has them. */
  createFields: Set<string>;
}

export async function loadCapabilities(base = apiBase()): Promise<ApiCapabilities> {
  const response = await fetch(`${base}/openapi.json`, { credentials: 'omit' });
  if (!response.ok) return { resend: false, createFields: new Set() };
  const document = (await response.json()) as {
    paths?: Record<string, unknown>;
    components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
  };
  return {
    resend: Object.keys(document.paths ?? {}).some((path) =>
      /^\/webhooks\/\{[^}]+\}\/deliveries\/\{[^}]+\}\/resend$/.test(path),
    ),
    createFields: new Set(Object.keys(document.components?.schemas?.CreateWebhookRequest?.properties ?? {})),
  };
}
