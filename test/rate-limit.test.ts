// Failed authentication is limited per client address and per key, with one budget shared
// by every instance (Postgres). Over budget: 429 with Retry-After, unless the credentials
// verify without bcrypt (a warm secret, a valid token): working clients are never slowed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import type { Bootstrapped, TestServer } from './helpers/server.js';
import { basicHeader, postToken } from './helpers/token-requests.js';

let c: Cluster;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  c = await cluster({ TRUST_PROXY: '1', AUTH_FAILURES_PER_ADDRESS: '5', AUTH_FAILURES_PER_KEY: '3' });
  [a, b] = await Promise.all([c.start(), c.start()]);
});
afterAll(() => c?.close());

let ip = 0;
const newAddress = () => `198.51.100.${++ip}`;
const token = (s: TestServer, id: string, secret: string, from: string) =>
  postToken(s.url, { basic: [id, secret], headers: { 'x-forwarded-for': from } });
const api = (s: TestServer, k: Bootstrapped, authorization: string, from: string) =>
  fetch(`${s.url}/v1/projects/${k.projectId}/accessKeys`, { headers: { authorization, 'x-forwarded-for': from } });

describe('per client address', () => {
  it('answers 429 with Retry-After after the budget, and only to that address', async () => {
    const k = await a.bootstrap();
    const attacker = newAddress();
    for (let i = 0; i < 5; i++) expect((await token(a, randomUUID(), 'wrong', attacker)).status).toBe(401);
    const limited = await token(a, randomUUID(), 'wrong', attacker);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('retry-after')!).toMatch(/^\d+$/);
    // Not the attacker: a client at another address is not slowed at all.
    expect((await token(a, k.accessKey.accessKeyId, k.secret, newAddress())).status).toBe(200);
    // The management API counts the same budget for that address.
    const apiLimited = await api(a, k, basicHeader(k.accessKey.accessKeyId, 'wrong'), attacker);
    expect(apiLimited.status).toBe(429);
    expect((await apiLimited.json()).error.status).toBe('RESOURCE_EXHAUSTED');
  });

  it('lets a blocked address through with credentials that verify without bcrypt', async () => {
    const k = await a.bootstrap();
    const office = newAddress();
    expect((await token(a, k.accessKey.accessKeyId, k.secret, office)).status).toBe(200); // warm
    const bearer = `Bearer ${(await token(a, k.accessKey.accessKeyId, k.secret, office)).json?.access_token}`;
    for (let i = 0; i < 6; i++) await token(a, randomUUID(), 'wrong', office);
    expect((await token(a, randomUUID(), 'wrong', office)).status).toBe(429);
    expect((await token(a, k.accessKey.accessKeyId, k.secret, office)).status).toBe(200);
    expect((await api(a, k, bearer, office)).status).toBe(200);
    expect((await api(a, k, 'Bearer not-a-token', office)).status).toBe(429);
  });
});

describe('per key', () => {
  it('blocks guessing at one key from many addresses, never its warm owner', async () => {
    const k = await a.bootstrap();
    expect((await token(a, k.accessKey.accessKeyId, k.secret, newAddress())).status).toBe(200); // the owner, warm
    for (let i = 0; i < 3; i++) expect((await token(a, k.accessKey.accessKeyId, `wrong${i}`, newAddress())).status).toBe(401);
    expect((await token(a, k.accessKey.accessKeyId, 'wrong-again', newAddress())).status).toBe(429);
    expect((await token(a, k.accessKey.accessKeyId, k.secret, newAddress())).status).toBe(200);
  });

  it('answers an unknown key over budget exactly as a known one', async () => {
    const unknown = randomUUID();
    for (let i = 0; i < 3; i++) await token(a, unknown, 'wrong', newAddress());
    const res = await token(a, unknown, 'wrong', newAddress());
    expect(res.status).toBe(429);
    expect(res.json?.error).toBe('temporarily_unavailable');
  });
});

describe('shared by every instance', () => {
  it('counts failures at one instance against the budget at another', async () => {
    const k = await a.bootstrap();
    for (let i = 0; i < 3; i++) expect((await token(a, k.accessKey.accessKeyId, 'wrong', newAddress())).status).toBe(401);
    // B has seen no failure for this key yet: its first one reads the shared count.
    expect((await token(b, k.accessKey.accessKeyId, 'wrong', newAddress())).status).toBe(401);
    expect((await token(b, k.accessKey.accessKeyId, 'wrong', newAddress())).status).toBe(429);
    const rows = await a.sql.query('SELECT failures FROM auth_failures WHERE bucket = $1', [`key:${k.accessKey.accessKeyId}`]);
    expect(rows.rows[0].failures).toBe(4);
  });
});

describe('TRUST_PROXY', () => {
  it('ignores X-Forwarded-For unless it is set', async () => {
    const other = await c.start({ TRUST_PROXY: 'false', AUTH_FAILURES_PER_ADDRESS: '2' });
    for (let i = 0; i < 2; i++) await token(other, randomUUID(), 'wrong', newAddress());
    // Every request came from 127.0.0.1 whatever the header said: that address is blocked.
    expect((await token(other, randomUUID(), 'wrong', newAddress())).status).toBe(429);
  });
});
