// Issue 14 (A) across instances: three Keymint instances on one database. Clients under
// load switch from the old secret to the new one midway through a rotation and not one of
// their requests fails; the old secret is then refused by every instance within 1 s of
// its expiry (and within 1 s of an explicit revocation made on another instance).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import { recordSecret, type Bootstrapped, type TestServer } from './helpers/server.js';
import { postToken } from './helpers/token-requests.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

let c: Cluster;
let a: TestServer, b: TestServer, d: TestServer;
let boot: Bootstrapped;
const figures: string[] = [];

beforeAll(async () => {
  c = await cluster();
  a = await c.start();
  b = await c.start();
  d = await c.start();
  boot = await a.bootstrap();
});
afterAll(async () => {
  await c?.close();
  console.log(figures.map((f) => `FIGURE rotation ${f}`).join('\n'));
});

const status = async (s: TestServer, id: string, secret: string) => (await postToken(s.url, { basic: [id, secret] }).catch(() => ({ status: 0 }))).status;
const admin = () => a.basic(boot.accessKey.accessKeyId, boot.secret);

async function newKey(name: string) {
  const res = await fetch(`${a.url}/v1/projects/${boot.projectId}/accessKeys`, {
    method: 'POST', headers: { authorization: admin(), 'content-type': 'application/json' }, body: JSON.stringify({ displayName: name }),
  });
  const body = (await res.json()) as { accessKey: { accessKeyId: string }; secret: string };
  recordSecret(body.secret, body.accessKey.accessKeyId);
  return { id: body.accessKey.accessKeyId, secret: body.secret };
}

async function call(s: TestServer, id: string, verb: string, body: unknown) {
  const res = await fetch(`${s.url}/v1/projects/${boot.projectId}/accessKeys/${id}:${verb}`, {
    method: 'POST', headers: { authorization: admin(), 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { secret?: string; secrets: { state: string; expireTime?: string }[] };
}

/** Polls every instance with `secret` until each refuses it (401); ms after `from` for each. */
async function refusedBy(instances: TestServer[], id: string, secret: string, from: number): Promise<number[]> {
  return Promise.all(
    instances.map(async (s) => {
      for (;;) {
        const st = await status(s, id, secret);
        if (st === 401) return Date.now() - from;
        expect(st).toBe(200);
        if (Date.now() - from > 10_000) return Infinity;
        await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
}

describe('rotation under load across three instances', () => {
  it('clients switching secrets midway never fail; the old secret is refused everywhere within 1 s of its expiry', async () => {
    const key = await newKey('rotated-under-load');
    const instances = [a, b, d];
    for (const s of instances) expect(await status(s, key.id, key.secret)).toBe(200);

    let current = key.secret;
    let newSecret: string | undefined;
    let stop = false;
    const results: number[] = [];
    // Four clients, round-robin over the instances; each switches to the new secret a
    // while after the rotation (at its own moment), as deployments roll.
    const clients = [0, 1, 2, 3].map(async (n) => {
      let mine = current;
      let sinceRotation = 0;
      for (let i = 0; !stop; i++) {
        if (newSecret && mine !== newSecret && ++sinceRotation > 5 + n * 10) mine = newSecret;
        results.push(await status(instances[(i + n) % 3], key.id, mine));
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    const rotated = await call(b, key.id, 'rotateSecret', { previousSecretTtl: '4s' });
    recordSecret(rotated.secret);
    newSecret = rotated.secret!;
    current = newSecret;
    const expiresAt = Date.parse(rotated.secrets.find((x) => x.state === 'PREVIOUS')!.expireTime!);
    await new Promise((r) => setTimeout(r, 2500));
    stop = true;
    await Promise.all(clients);
    const failed = results.filter((st) => st !== 200);
    figures.push(`${results.length} token requests during the rotation, ${failed.length} failed`);
    expect(results.length).toBeGreaterThan(40);
    expect(failed).toEqual([]);

    // Before the expiry the old secret still works on every instance; after it, none.
    const left = expiresAt - Date.now();
    expect(left).toBeGreaterThan(0);
    for (const s of instances) expect(await status(s, key.id, key.secret)).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now())));
    const times = await refusedBy(instances, key.id, key.secret, expiresAt);
    figures.push(`old secret refused by every instance ${Math.max(...times)} ms after its expiry (${times.join(', ')} ms)`);
    for (const t of times) expect(t).toBeLessThanOrEqual(1000);
    for (const s of instances) expect(await status(s, key.id, newSecret)).toBe(200);
  });

  it('a previous secret revoked on one instance is refused by every instance within 1 s', async () => {
    const key = await newKey('revoked-across');
    const rotated = await call(a, key.id, 'rotateSecret', {});
    recordSecret(rotated.secret);
    // Every instance has the key (both secrets) cached.
    for (const s of [a, b, d]) {
      expect(await status(s, key.id, key.secret)).toBe(200);
      expect(await status(s, key.id, rotated.secret!)).toBe(200);
    }
    await call(d, key.id, 'revokePreviousSecret', {});
    const revokedAt = Date.now();
    const times = await refusedBy([a, b, d], key.id, key.secret, revokedAt);
    figures.push(`revoked previous secret refused by every instance within ${Math.max(...times)} ms (${times.join(', ')} ms)`);
    for (const t of times) expect(t).toBeLessThanOrEqual(1000);
    for (const s of [a, b, d]) expect(await status(s, key.id, rotated.secret!)).toBe(200);
  });
});
