// Hostile request bodies at create and update, property-based on a real server: generated
// JSON values (prototype keys, SQL, Unicode traps, huge and empty strings), mangled JSON
// text, odd content types and encodings. A model of the rules predicts the outcome: 200
// with exactly the asked-for change, or a 4xx with nothing changed. Then the documented
// transport limits (body size, head size, framing), each as an example.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HostileFixture } from './helpers/hostile-fixture.js';
import { contentType, hostileString, rows, RUNS, snapshot } from './helpers/hostile.js';
import { rawRequest } from './helpers/raw-http.js';

let f: HostileFixture;
beforeAll(async () => {
  f = await HostileFixture.start();
});
afterEach((ctx) => f?.report(ctx.task.name));
afterAll(() => f?.close());

const specialKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'displayName', 'displayname', 'display_name', 'secret',
  'accessKeyId', 'projectId', 'createTime', '', ' displayName', 'displayName\u0000', '$where', 'toString');
const anyValue = fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 }));
const bodyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileString.map((displayName) => ({ displayName })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(hostileString, fc.dictionary(fc.oneof(specialKey, fc.string({ maxLength: 8 })), anyValue, { minKeys: 1, maxKeys: 3 }))
      .map(([displayName, extra]) => ({ displayName, ...extra })),
  },
  { weight: 1, arbitrary: fc.record({ displayName: fc.jsonValue({ maxDepth: 2 }) }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.object({ key: fc.oneof(specialKey, fc.string({ maxLength: 8 })), maxDepth: 2 }) },
);

type Mangle = 'none' | 'truncate' | 'nul' | 'bom' | 'pad' | 'duplicate key' | 'trailing' | 'empty' | 'bad utf-8';
const mangle = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Mangle>('none') },
  { weight: 4, arbitrary: fc.constantFrom<Mangle>('truncate', 'nul', 'bom', 'pad', 'duplicate key', 'trailing', 'empty', 'bad utf-8') },
);

function bodyText(value: unknown, how: Mangle, at: number): Buffer {
  const text = JSON.stringify(value) ?? 'null';
  const cut = at % (text.length + 1);
  switch (how) {
    case 'none': return Buffer.from(text);
    case 'truncate': return Buffer.from(text.slice(0, cut));
    case 'nul': return Buffer.from(`${text.slice(0, cut)}\u0000${text.slice(cut)}`);
    case 'bom': return Buffer.from(`\ufeff${text}`);
    case 'pad': return Buffer.from(`${' '.repeat(66_000)}${text}`);
    case 'duplicate key': return Buffer.from(text.startsWith('{') && text !== '{}' ? `{"displayName":"first",${text.slice(1)}` : text);
    case 'trailing': return Buffer.from(`${text} x`);
    case 'empty': return Buffer.alloc(0);
    case 'bad utf-8': return Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from([0xff, 0xc0, 0xaf]), Buffer.from(text.slice(cut))]);
  }
}

type Encoding = 'none' | 'identity' | 'gzip' | 'gzip (not gzipped)' | 'deflate (not deflated)' | 'br (not)' | 'x-unknown';
const encoding = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Encoding>('none') },
  { weight: 2, arbitrary: fc.constantFrom<Encoding>('identity', 'gzip', 'gzip (not gzipped)', 'deflate (not deflated)', 'br (not)', 'x-unknown') },
);
const requestType = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') }, { weight: 2, arbitrary: contentType });

// The rules of routes.ts, written again from the API description: the model the server must match.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
function acceptableName(body: Buffer, type: string, enc: Encoding): string | undefined {
  const [media, ...params] = type.toLowerCase().split(';').map((p) => p.trim());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  if (media !== 'application/json' || (charset !== undefined && charset !== 'utf-8')) return undefined;
  if (!['none', 'identity', 'gzip'].includes(enc) || body.length > 65_536) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  const name = (value as { displayName?: unknown }).displayName;
  if (keys.length !== 1 || keys[0] !== 'displayName' || typeof name !== 'string') return undefined;
  // Stored trimmed and in NFC; bidi controls and invisible characters refused (an emoji's
  // joiner and variation selector excepted).
  const trimmed = name.trim().normalize('NFC');
  const length = [...trimmed].length;
  if (length < 1 || length > 100 || CONTROL.test(trimmed) || /\p{Cs}/u.test(trimmed)) return undefined;
  if (/\p{Bidi_Control}/u.test(trimmed)) return undefined;
  const visible = trimmed
    .replace(/(?<=\p{Extended_Pictographic}[\uFE0E\uFE0F]?(?:\p{Emoji_Modifier})?)\u200D(?=\p{Extended_Pictographic})/gu, '')
    .replace(/(?<=\p{Emoji})[\uFE0E\uFE0F]/gu, '');
  if (/[\p{Default_Ignorable_Code_Point}\u00AD\u180E\u115F\u1160\u3164\uFFA0]/u.test(visible)) return undefined;
  return trimmed;
}

describe('JSON bodies', () => {
  it('create and update: the model predicts 200 or 4xx, and only a 200 changes anything', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST', 'PATCH'), bodyValue, mangle, fc.nat(), requestType, encoding, fc.nat(), async (m, value, how, at, type, enc, index) => {
        const id = f.victim(index);
        const target = `/v1/projects/${f.actor.projectId}/accessKeys${m === 'PATCH' ? `/${id}` : ''}`;
        const plain = bodyText(value, how, at);
        const body = enc === 'gzip' ? gzipSync(plain) : plain;
        const headers: [string, string][] = [['Authorization', f.bearer], ['Content-Type', type]];
        if (enc !== 'none') headers.push(['Content-Encoding', enc.split(' ')[0]]);

        const name = acceptableName(plain, type, enc);
        const taken = [...(await rows(f.s.sql)).values()].some((r) => r.project_id === f.actor.projectId && r.display_name === name?.trim() && r.id !== (m === 'PATCH' ? id : ''));
        const res = await f.exercise({ method: m, target, headers, body }, { method: m, authValid: true, targetId: id, name }, [plain.toString('utf8'), ...JSON.stringify(value ?? null).split('"'), type]);
        const expected = name !== undefined && !taken ? 200 : taken ? 409 : 'a 4xx';
        expect(expected === 'a 4xx' ? res.status >= 400 && res.status < 500 : res.status === expected, `${m} ${plain.toString('utf8').slice(0, 200)} as ${type} (${enc}, ${how}): expected ${expected}, got ${res.status} ${res.text}`).toBe(true);
      }),
      { ...RUNS, numRuns: 200 },
    );
  });
});

describe('limits', () => {
  const keys = () => `/v1/projects/${f.actor.projectId}/accessKeys`;
  const auth = (): [string, string] => ['Authorization', f.bearer];
  const json: [string, string] = ['Content-Type', 'application/json'];
  const send = (target: string, headers: [string, string][], body?: string | Buffer, method = 'POST') =>
    rawRequest(f.s.url, { method, target, headers, body });

  async function unchanged<T>(fn: () => Promise<T>): Promise<T> {
    const before = await snapshot(f.s.sql);
    const out = await fn();
    expect(await snapshot(f.s.sql)).toEqual(before);
    return out;
  }

  it('a /v1 body up to 64 KiB is read, a larger one is 413', async () => {
    const at = (bytes: number) => JSON.stringify({ displayName: 'x'.repeat(bytes - 18) });
    expect(at(65_536).length).toBe(65_536);
    expect((await unchanged(() => send(keys(), [auth(), json], at(65_536)))).status).toBe(400); // read, and refused for its name
    const res = await unchanged(() => send(keys(), [auth(), json], at(65_537)));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error.status).toBe('INVALID_ARGUMENT');
  });

  it('a gzip body is limited by its inflated size: a compression bomb is 413', async () => {
    const bomb = gzipSync(Buffer.from(`{"displayName":"${' '.repeat(10_000_000)}"}`));
    expect(bomb.length).toBeLessThan(20_000);
    const res = await unchanged(() => send(keys(), [auth(), json, ['Content-Encoding', 'gzip']], bomb));
    expect(res.status).toBe(413);
  });

  it('a token request body over 56 KiB is 400 invalid_request (oidc-provider)', async () => {
    const form: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded'];
    const body = (bytes: number) => `grant_type=client_credentials&x=${'a'.repeat(bytes - 32)}`;
    const ok = await send('/oauth2/token', [form, ['Authorization', f.s.basic(f.actor.accessKey.accessKeyId, f.actor.secret)]], body(57_344));
    expect(ok.status).toBe(200);
    const over = await send('/oauth2/token', [form], body(57_345));
    expect(over.status).toBe(400);
    expect(JSON.parse(over.text)).toEqual({ error: 'invalid_request', error_description: 'failed to parse the request body' });
  });

  it('a request head (URL plus header names and values) over 16 KiB is 431', async () => {
    expect((await send(`/healthz?x=${'a'.repeat(16_000)}`, [], undefined, 'GET')).status).toBe(200);
    expect((await unchanged(() => send(`${keys()}?x=${'a'.repeat(16_400)}`, [auth(), json], '{"displayName":"long url"}'))).status).toBe(431);
    expect((await unchanged(() => send(keys(), [auth(), json, ['X-Pad', 'a'.repeat(16_400)]], '{"displayName":"big header"}'))).status).toBe(431);
    const many = Array.from({ length: 1500 }, (_, i): [string, string] => [`X-H${i}`, 'abcdefgh']);
    expect((await send('/healthz', many, undefined, 'GET')).status).toBe(431);
  });

  it('ambiguous framing is refused by Node before any handler: 400, nothing created', async () => {
    const body = '{"displayName":"smuggled"}';
    const framing: [string, [string, string][]][] = [
      ['Content-Length and Transfer-Encoding', [['Transfer-Encoding', 'chunked']]],
      ['two Content-Lengths', [['Content-Length', '5']]],
      ['an invalid Content-Length', [['Content-Length', '-1']]],
      ['Transfer-Encoding: gzip, chunked', [['Transfer-Encoding', 'gzip, chunked']]],
    ];
    for (const [name, extra] of framing) {
      const res = await unchanged(() => send(keys(), [auth(), json, ...extra], body));
      expect(res.status, name).toBe(400);
    }
  });

  it('a chunked body without Content-Length is read like any other', async () => {
    const chunk = Buffer.from(JSON.stringify({ displayName: f.freshName() }));
    const body = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n0\r\n\r\n')]);
    const res = await rawRequest(f.s.url, { method: 'POST', target: keys(), headers: [auth(), json, ['Transfer-Encoding', 'chunked']], body, noContentLength: true });
    expect(res.status, res.text).toBe(200);
  });

  it('query parameters past the 1000th are ignored (node:querystring), not an error', async () => {
    const filler = Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&');
    expect((await send(`${keys()}?${filler}&pageSize=0`, [auth()], undefined, 'GET')).status).toBe(200);
    expect((await send(`${keys()}?pageSize=0&${filler}`, [auth()], undefined, 'GET')).status).toBe(400);
  });
});
