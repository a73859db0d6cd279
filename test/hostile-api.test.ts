// Hostile input, property-based, at the Access Keys Management API v1 on a real server:
// generated path segments, query strings and headers under mostly valid credentials.
// Never a 5xx or a leak; nothing changed after a non-2xx; after a 2xx exactly the change
// asked for (helpers/hostile-fixture.ts). Bodies: hostile-bodies.test.ts.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authChoice, HostileFixture } from './helpers/hostile-fixture.js';
import { contentType, extraHeaders, pathSegment, queryString, RUNS } from './helpers/hostile.js';

let f: HostileFixture;
beforeAll(async () => {
  f = await HostileFixture.start();
});
afterEach((ctx) => f?.report(ctx.task.name));
afterAll(() => f?.close());

const encodeAll = (id: string) => [...id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
const form = fc.constantFrom('plain', 'upper', 'encoded');
const spell = (id: string, how: string) => (how === 'upper' ? id.toUpperCase() : how === 'encoded' ? encodeAll(id) : id);

type ProjectChoice = { kind: 'own'; form: string } | { kind: 'other' | 'random' } | { kind: 'raw'; segment: string };
const projectChoice: fc.Arbitrary<ProjectChoice> = fc.oneof(
  { weight: 5, arbitrary: form.map((how) => ({ kind: 'own', form: how }) as const) },
  { weight: 2, arbitrary: fc.constantFrom({ kind: 'other' } as const, { kind: 'random' } as const) },
  { weight: 3, arbitrary: pathSegment.map((segment) => ({ kind: 'raw', segment }) as const) },
);

type KeyChoice =
  | { kind: 'victim'; index: number; form: string }
  | { kind: 'collection' | 'foreign' | 'random' }
  | { kind: 'raw' | 'beyond'; segment: string };
const keyChoice: fc.Arbitrary<KeyChoice> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('victim' as const), index: fc.nat(), form }) },
  { weight: 2, arbitrary: fc.constantFrom({ kind: 'collection' } as const, { kind: 'foreign' } as const, { kind: 'random' } as const) },
  { weight: 3, arbitrary: pathSegment.map((segment) => ({ kind: 'raw', segment }) as const) },
  { weight: 1, arbitrary: pathSegment.map((segment) => ({ kind: 'beyond', segment }) as const) },
);

const METHODS = ['GET', 'POST', 'PATCH', 'DELETE'];
const method = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'HEAD', 'OPTIONS', 'TRACE', 'get', 'PROPFIND') });

function projectSegment(c: ProjectChoice): string {
  switch (c.kind) {
    case 'own':
      return spell(f.actor.projectId, c.form);
    case 'other':
      return f.other.projectId;
    case 'random':
      return randomUUID();
    case 'raw':
      return c.segment;
  }
}

/** The key part of the path, and the key ID it names (lower case) if it names one. */
function keyPart(c: KeyChoice): { path: string; id?: string } {
  switch (c.kind) {
    case 'victim': {
      const id = f.victim(c.index);
      return { path: `/${spell(id, c.form)}`, id };
    }
    case 'collection':
      return { path: '' };
    case 'foreign':
      return { path: `/${f.foreignKey}`, id: f.foreignKey };
    case 'random':
      return { path: `/${randomUUID()}` };
    case 'raw':
      return { path: `/${c.segment}` };
    case 'beyond': {
      // An empty last segment is a trailing slash, which names the same key.
      const id = f.victim(0);
      return { path: `/${id}/${c.segment}`, id: c.segment === '' ? id : undefined };
    }
  }
}

const jsonBody = (name: string) => ({ headers: [['Content-Type', 'application/json']] as [string, string][], body: JSON.stringify({ displayName: name }) });

describe('path segments', () => {
  it('never a 5xx, never a change after a 4xx, and well-formed requests do what they say', async () => {
    await fc.assert(
      fc.asyncProperty(method, projectChoice, keyChoice, authChoice, fc.boolean(), async (m, p, k, a, withBody) => {
        const auth = f.authHeader(a);
        const key = keyPart(k);
        const name = f.freshName();
        const body = withBody || m === 'POST' || m === 'PATCH' ? jsonBody(name) : { headers: [], body: undefined };
        const target = `/v1/projects/${projectSegment(p)}/accessKeys${key.path}`;
        const res = await f.exercise(
          { method: m, target, headers: [...auth.headers, ...body.headers], body: body.body },
          { method: m, authValid: auth.valid, targetId: key.id, name },
          [target, ...target.split('/'), name],
        );
        // The oracle: a request spelled right by a valid key of the project succeeds.
        const wellFormed = auth.valid && p.kind === 'own' && METHODS.includes(m) && (k.kind === 'victim' ? m !== 'POST' : k.kind === 'collection' && (m === 'GET' || m === 'POST'));
        if (wellFormed) expect(res.status, `${m} ${target}: ${res.text}`).toBe(200);
        if (!auth.valid) expect(res.status, `${m} ${target} without valid credentials`).toBeGreaterThanOrEqual(400);
        // OPTIONS performs nothing: express answers it with the route's Allow list, the same
        // for every project, so it reveals nothing either.
        if ((p.kind === 'other' || p.kind === 'random' || k.kind === 'foreign') && m !== 'OPTIONS') expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      RUNS,
    );
  });
});

describe('query strings', () => {
  it('list answers 200 or 400, never more, and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(queryString, authChoice, async (query, a) => {
        const auth = f.authHeader(a);
        const target = `/v1/projects/${f.actor.projectId}/accessKeys${query}`;
        const res = await f.exercise({ method: 'GET', target, headers: auth.headers }, { method: 'GET', authValid: auth.valid }, [target, ...query.split(/[?&=]/)]);
        if (auth.valid && res.status !== 431) expect([200, 400], `${target}: ${res.text}`).toContain(res.status);
        if (res.status === 200) expect(Array.isArray(JSON.parse(res.text).accessKeys)).toBe(true);
      }),
      RUNS,
    );
  });

  it('the query string never confuses a write', async () => {
    await fc.assert(
      fc.asyncProperty(queryString, fc.constantFrom('POST', 'PATCH', 'DELETE'), fc.nat(), async (query, m, index) => {
        const id = f.victim(index);
        const target = `/v1/projects/${f.actor.projectId}/accessKeys${m === 'POST' ? '' : `/${id}`}${query}`;
        const name = f.freshName();
        const body = m === 'DELETE' ? { headers: [], body: undefined } : jsonBody(name);
        const res = await f.exercise(
          { method: m, target, headers: [['Authorization', f.bearer], ...body.headers], body: body.body },
          { method: m, authValid: true, targetId: id, name },
          [target, ...query.split(/[?&=]/)],
        );
        if (res.status !== 431) expect(res.status, `${m} ${target}: ${res.text}`).toBe(200);
      }),
      { numRuns: 60 },
    );
  });
});

describe('headers', () => {
  const operation = fc.constantFrom('list', 'create', 'get', 'update', 'delete');
  it('extra, duplicate and odd headers and credentials: never a 5xx, never a change after a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(operation, extraHeaders, authChoice, fc.option(contentType, { nil: undefined }), fc.nat(), async (op, extra, a, type, index) => {
        const auth = f.authHeader(a);
        const id = f.victim(index);
        const m = { list: 'GET', create: 'POST', get: 'GET', update: 'PATCH', delete: 'DELETE' }[op];
        const target = `/v1/projects/${f.actor.projectId}/accessKeys${op === 'list' || op === 'create' ? '' : `/${id}`}`;
        const name = f.freshName();
        // Generated names never spell the framing headers: a stray Content-Length or
        // Transfer-Encoding would leave the server waiting for a body (hostile-bodies covers framing).
        const headers = extra.filter(([n]) => !/^(content-length|transfer-encoding)$/i.test(n));
        if (type !== undefined) headers.push(['Content-Type', type]);
        const res = await f.exercise(
          { method: m, target, headers: [...auth.headers, ...headers], body: JSON.stringify({ displayName: name }) },
          { method: m, authValid: auth.valid, targetId: id, name },
          [target, name, ...headers.flat(), ...auth.headers.flat()],
        );
        if (!auth.valid) expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      RUNS,
    );
  });
});
