// A small fetch client for the Access Keys Management API v1 in tests: every response
// body (success or error) is validated against the served OpenAPI document, and no
// response may be a 500 or leak a stack trace or SQL.
import type { TestServer } from './server.js';
import { recordSecret } from './log-capture.js';
import { createResponseValidator, type ResponseValidator } from './openapi-validator.js';

export const LIST = '/v1/projects/{projectId}/accessKeys';
export const KEY = '/v1/projects/{projectId}/accessKeys/{accessKeyId}';
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

// What a leaked stack trace, file path or SQL error would look like in a body.
const LEAKS = [
  /\bat \S+ \(/, /\bat (file:\/\/)?\/\S+:\d+/, /\.(ts|js|mjs|cjs):\d+/, /node_modules/,
  /\b(SELECT|INSERT INTO|UPDATE access_keys|DELETE FROM)\b/, /violates|duplicate key|syntax error at|relation "|pg_\w+/,
  /\baccess_keys\b|secret_hash|display_name/,
];

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface RequestOptions {
  auth?: string;
  /** A value to send as JSON (with Content-Type: application/json). */
  json?: unknown;
  /** Bytes or text to send as is; Content-Type only when `contentType` is given. */
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ApiError {
  error: { code: number; message: string; status: string };
}

export function templateOf(path: string): string | undefined {
  const p = path.split('?')[0];
  if (/^\/v1\/projects\/[^/]+\/accessKeys\/?$/.test(p)) return LIST;
  if (/^\/v1\/projects\/[^/]+\/accessKeys\/[^/]+\/secrets$/.test(p)) return `${KEY}/secrets`;
  const verb = /^\/v1\/projects\/[^/]+\/accessKeys\/[^/:]+:(rotateSecret|revokePreviousSecret|removeSecret)$/.exec(p);
  if (verb) return `${KEY}:${verb[1]}`;
  if (/^\/v1\/projects\/[^/]+\/accessKeys\/[^/]+\/?$/.test(p)) return KEY;
  return undefined;
}

export function assertNoLeak(status: number, text: string): void {
  if (status >= 500) throw new Error(`server error ${status}: ${text}`);
  for (const leak of LEAKS) if (leak.test(text)) throw new Error(`the body leaks internals (${leak}): ${text}`);
}

export class ApiClient {
  private constructor(
    readonly s: TestServer,
    readonly validator: ResponseValidator,
  ) {}

  static async create(s: TestServer): Promise<ApiClient> {
    const res = await fetch(`${s.url}/v1/openapi.json`);
    if (res.status !== 200) throw new Error(`GET /v1/openapi.json: ${res.status}`);
    return new ApiClient(s, createResponseValidator((await res.json()) as object));
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth) headers.authorization = opts.auth;
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    } else if (opts.raw !== undefined) {
      // A Uint8Array body makes fetch send no Content-Type of its own.
      body = typeof opts.raw === 'string' ? new TextEncoder().encode(opts.raw) : Uint8Array.from(opts.raw);
    }
    if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
    const res = await fetch(`${this.s.url}${path}`, { method, headers, body });
    const text = await res.text();
    assertNoLeak(res.status, text);
    const parsed: unknown = text === '' ? '' : JSON.parse(text);
    const template = templateOf(path);
    if (!template) throw new Error(`${path} is not an operation of the v1 API`);
    this.validator.assertValid(method, template, res.status, parsed);
    // A created key's secret must never be logged: global-setup.ts checks (log-capture.ts).
    if (res.status === 200 && method === 'POST') {
      const created = parsed as { secret?: unknown; accessKey?: { accessKeyId?: string } };
      recordSecret(created.secret, created.accessKey?.accessKeyId);
    }
    if (res.status >= 400) {
      const err = parsed as ApiError;
      if (err.error.code !== res.status) throw new Error(`error.code ${err.error.code} differs from status ${res.status}`);
      if (!/json/.test(res.headers.get('content-type') ?? '')) throw new Error('an error without a JSON Content-Type');
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  list(projectId: string, auth?: string, query = ''): Promise<ApiResponse> {
    return this.request('GET', `/v1/projects/${projectId}/accessKeys${query ? `?${query}` : ''}`, { auth });
  }
  create(projectId: string, auth: string, displayName: string): Promise<ApiResponse> {
    return this.request('POST', `/v1/projects/${projectId}/accessKeys`, { auth, json: { displayName } });
  }
  get(projectId: string, id: string, auth: string): Promise<ApiResponse> {
    return this.request('GET', `/v1/projects/${projectId}/accessKeys/${id}`, { auth });
  }
  patch(projectId: string, id: string, auth: string, displayName: string): Promise<ApiResponse> {
    return this.request('PATCH', `/v1/projects/${projectId}/accessKeys/${id}`, { auth, json: { displayName } });
  }
  delete(projectId: string, id: string, auth: string): Promise<ApiResponse> {
    return this.request('DELETE', `/v1/projects/${projectId}/accessKeys/${id}`, { auth });
  }

  /** Every key of a project, walking all pages. */
  async listAll(projectId: string, auth: string, pageSize = 1000): Promise<{ accessKeyId: string }[]> {
    const out: { accessKeyId: string }[] = [];
    let token = '';
    do {
      const q = `pageSize=${pageSize}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
      const res = await this.list(projectId, auth, q);
      if (res.status !== 200) throw new Error(`list: ${res.status} ${res.text}`);
      out.push(...res.body.accessKeys);
      token = res.body.nextPageToken;
    } while (token);
    return out;
  }
}

/** POST /oauth2/token with Basic client authentication, whatever the outcome. */
export async function tokenRequest(s: TestServer, keyId: string, secret: string) {
  const res = await fetch(`${s.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: s.basic(keyId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export async function countKeys(s: TestServer, projectId?: string): Promise<number> {
  const { rows } = projectId
    ? await s.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM access_keys WHERE project_id = $1', [projectId])
    : await s.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM access_keys');
  return rows[0].n;
}

export async function keyRow(s: TestServer, id: string) {
  const { rows } = await s.sql.query<{ display_name: string; update_time: Date; secret_hash: string }>(
    'SELECT display_name, update_time, secret_hash FROM access_keys WHERE id = $1',
    [id],
  );
  return rows[0];
}

/** The JSON payload of a JWT, unverified. */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
