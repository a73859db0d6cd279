// The attacks of issue #11, items 2 to 5, performed as the issue describes them; each
// failed on the code before src/auth/ (budgets reserved before the comparison, one
// canonical username, budgets keyed on the source, a bounded bcrypt queue).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { recordSecret, startTestServer, type TestServer } from './helpers/server.js';
import { basicHeader, postToken } from './helpers/token-requests.js';

let s: TestServer;
let acct: ConsoleAccount;

beforeAll(async () => {
  s = await startTestServer({
    TRUST_PROXY: '1',
    AUTH_FAILURES_PER_ADDRESS: '30',
    AUTH_FAILURES_PER_KEY: '10',
    SIGNIN_FAILURES_PER_EMAIL: '5',
    SIGNIN_FAILURES_PER_ADDRESS: '20',
  });
  acct = await consoleAccount(s);
});
afterAll(() => s?.close());

let ip = 0;
const newAddress = () => `203.0.${113 + Math.floor(ip / 250)}.${(ip++ % 250) + 1}`;
const from = (address: string) => ({ 'x-forwarded-for': address });
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, st) => ({ ...t, [st]: (t[st] ?? 0) + 1 }), {});

async function legacyCredential(username: string, password: string) {
  recordSecret(password);
  const res = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'legacy', username, password });
  expect(res.status, res.text).toBe(201);
  return res.body.credential as { credentialId: string; username: string };
}

const signInFrom = (address: string, email: string, password: string) =>
  fetch(`${s.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...from(address) }, body: JSON.stringify({ email, password }) });

describe('#11.2 concurrent requests cannot race past a budget', () => {
  it('60 concurrent guesses at one key from one address: at most the budget is judged', async () => {
    const k = await s.bootstrap();
    const address = newAddress();
    const guesses = Array.from({ length: 59 }, (_, i) => postToken(s.url, { basic: [k.accessKey.accessKeyId, `wrong-${i}`], headers: from(address) }));
    const right = postToken(s.url, { basic: [k.accessKey.accessKeyId, k.secret], headers: from(address) });
    const statuses = (await Promise.all([...guesses, right])).map((r) => r.status);
    const t = tally(statuses);
    expect(t[401] ?? 0, JSON.stringify(t)).toBeLessThanOrEqual(10); // AUTH_FAILURES_PER_KEY
    expect(t[401] + (t[429] ?? 0), JSON.stringify(t)).toBe(59);
    // A Key Secret is a digest: the right one is never refused for the guesses beside it.
    expect(statuses[59]).toBe(200);
  });

  it('60 concurrent guesses at a legacy password (bcrypt) judge at most the budget', async () => {
    const cred = await legacyCredential(`burst.${Date.now()}`, 'BurstPassw0rd');
    const address = newAddress();
    const statuses = (
      await Promise.all(Array.from({ length: 60 }, (_, i) => postToken(s.url, { basic: [cred.username, `WrongPass${i}`], headers: from(address) })))
    ).map((r) => r.status);
    const t = tally(statuses);
    expect(t[401] ?? 0, JSON.stringify(t)).toBeLessThanOrEqual(10);
    expect(t[429] ?? 0, JSON.stringify(t)).toBeGreaterThanOrEqual(50);
  });

  it('40 concurrent console sign-ins from one address: 39 wrong then the right one, at most 5 judged', async () => {
    const email = acct.users.basic.email;
    const address = newAddress();
    const before = await bcryptCompares();
    const answers = await Promise.all([
      ...Array.from({ length: 39 }, (_, i) => signInFrom(address, email, `Wrong-password-${i}-for-the-burst`)),
      signInFrom(address, email, acct.users.basic.password),
    ]);
    const t = tally(answers.map((r) => r.status));
    expect(t[401] ?? 0, JSON.stringify(t)).toBeLessThanOrEqual(5); // SIGNIN_FAILURES_PER_EMAIL
    expect((t[401] ?? 0) + (t[429] ?? 0) + (t[200] ?? 0), JSON.stringify(t)).toBe(40);
    expect((await bcryptCompares()) - before).toBeLessThanOrEqual(6);
  });
});

describe('#11.3 one canonical username', () => {
  it('a deleted legacy credential does not keep working under another spelling (vİvid.ivy)', async () => {
    const username = `vivid.ivy${Date.now() % 100000}`;
    const password = 'VividPassw0rd';
    const cred = await legacyCredential(username, password);
    const spelled = username.replace('vivid', 'vİvid'); // U+0130: lower-cased differently by JavaScript and Postgres
    expect((await postToken(s.url, { basic: [username, password], headers: from(newAddress()) })).status).toBe(200);
    // Not a username's pattern: refused before any lookup, so it is never a second cache entry.
    const post = (name: string) => postToken(s.url, { body: { grant_type: 'client_credentials', client_id: name, client_secret: password }, headers: from(newAddress()) });
    expect((await post(spelled)).status).toBe(401);
    expect((await postToken(s.url, { basic: [username.toUpperCase(), password], headers: from(newAddress()) })).status).toBe(200);
    const deleted = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials/delete`, { credentialIds: [cred.credentialId] });
    expect(deleted.status, deleted.text).toBe(200);
    for (const name of [username, spelled, username.toUpperCase()]) {
      expect((await post(name)).status, name).toBe(401);
      const made = await fetch(`${s.url}/v1/projects/${acct.projectId}/accessKeys`, {
        method: 'POST',
        headers: { authorization: basicHeader(name, password), 'content-type': 'application/json', ...from(newAddress()) },
        body: JSON.stringify({ displayName: `after deletion ${name}` }),
      });
      expect(made.status, name).toBe(401);
    }
  });
});

describe('#11.4 a right secret is never refused because others sent wrong ones', () => {
  it('10 addresses x 1 wrong secret: the real client still gets its token', async () => {
    const k = await s.bootstrap();
    for (let i = 0; i < 10; i++) expect((await postToken(s.url, { basic: [k.accessKey.accessKeyId, `wrong-${i}`], headers: from(newAddress()) })).status).toBe(401);
    expect((await postToken(s.url, { basic: [k.accessKey.accessKeyId, 'one-more'], headers: from(newAddress()) })).status).toBe(429);
    expect((await postToken(s.url, { basic: [k.accessKey.accessKeyId, k.secret], headers: from(newAddress()) })).status).toBe(200);
  });

  it('the same for a legacy password (bcrypt): the right one from a clean address gets in', async () => {
    const cred = await legacyCredential(`victim.${Date.now()}`, 'VictimPassw0rd');
    for (let i = 0; i < 10; i++) expect((await postToken(s.url, { basic: [cred.username, `WrongPass${i}`], headers: from(newAddress()) })).status).toBe(401);
    expect((await postToken(s.url, { basic: [cred.username, 'VictimPassw0rd'], headers: from(newAddress()) })).status).toBe(200);
  });

  it('5 wrong passwords from 5 addresses do not lock a console user out', async () => {
    const email = acct.users.advanced.email;
    for (let i = 0; i < 5; i++) expect((await signInFrom(newAddress(), email, `Wrong-password-${i}-elsewhere`)).status).toBe(401);
    // An address that failed is held back; the user at a clean address signs in.
    expect((await signInFrom(newAddress(), email, acct.users.advanced.password)).status).toBe(200);
  });
});

describe('#11.4 a flood from a client\'s own network (/24) does not refuse its credentials', () => {
  it('with the /24 over its budget, a clean address in it gets tokens for new keys and legacy passwords, and signs in; unknown names are held back', async () => {
    // Made-up Key IDs (cheap failures) from 20 addresses of 198.51.100.0/24, each under its
    // own budget of 30, together over the network's (30 x 16 = 480).
    const net = (i: number) => `198.51.100.${i}`;
    const flood: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 520; i++) {
      flood.push(postToken(s.url, { basic: [crypto.randomUUID(), `guess-${i}`], headers: from(net(10 + (i % 20))) }));
      if (flood.length % 40 === 0) await Promise.all(flood.slice(-40));
    }
    const t = tally((await Promise.all(flood)).map((r) => r.status));
    expect(t[429] ?? 0, `the network's budget ran out: ${JSON.stringify(t)}`).toBeGreaterThan(0);
    // The neighbourhood is refused for unknown names, from a clean address too.
    expect((await postToken(s.url, { basic: [crypto.randomUUID(), 'guess'], headers: from(net(200)) })).status).toBe(429);
    // Never-used credentials (not cached) with their right secrets, from clean addresses there.
    const k = await s.bootstrap();
    expect((await postToken(s.url, { basic: [k.accessKey.accessKeyId, k.secret], headers: from(net(201)) })).status).toBe(200);
    const cred = await legacyCredential(`neighbour.${Date.now()}`, 'NeighbourPassw0rd');
    expect((await postToken(s.url, { basic: [cred.username, 'NeighbourPassw0rd'], headers: from(net(202)) })).status).toBe(200);
    expect((await signInFrom(net(203), acct.users.basic.email, acct.users.basic.password)).status).toBe(200);
  }, 60_000);
});

async function bcryptCompares(server = s): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^keymint_bcrypt_compares_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

/** A request from a loopback source address of our choice (127.0.0.0/8 is all loopback). */
function fromLoopback(server: TestServer, localAddress: string, path: string, headers: Record<string, string>, body: string): Promise<number> {
  const url = new URL(path, server.url);
  return new Promise((resolve) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('#11.5 bounded bcrypt work under a flood from many addresses', () => {
  let f: TestServer;
  let victim: ConsoleAccount;
  beforeAll(async () => {
    // The production cost, and no proxy: the source address is the socket's.
    f = await startTestServer({ BCRYPT_COST: '10', TRUST_PROXY: 'false', SIGNIN_FAILURES_PER_ADDRESS: '20', AUTH_FAILURES_PER_ADDRESS: '30' });
    victim = await consoleAccount(f);
  });
  afterAll(() => f?.close());

  it('legitimate cold requests complete within 1 s while garbage floods in from 127.0.0.x', async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => f.bootstrap()));
    // As the issue measured it: 50 garbage requests a second, spread over 200 addresses (each
    // under its budget), half console sign-ins and half legacy-looking token requests, all
    // of them bcrypt work in the old code.
    const floodAnswers: Promise<number>[] = [];
    let n = 0;
    const flood = setInterval(() => {
      n++;
      const address = `127.0.0.${2 + (n % 200)}`;
      floodAnswers.push(
        n % 2
          ? fromLoopback(f, address, '/api/session', { 'content-type': 'application/json' }, JSON.stringify({ email: `nobody-${n}@example.test`, password: 'Garbage-password-1' }))
          : fromLoopback(f, address, '/oauth2/token', { 'content-type': 'application/x-www-form-urlencoded' }, `grant_type=client_credentials&client_id=garbage.user${n}&client_secret=Garbage${n}`),
      );
    }, 20);
    await new Promise((r) => setTimeout(r, 3000)); // the old queue would be seconds long by now
    const timings: number[] = [];
    for (const k of keys) {
      const started = Date.now();
      const res = await postToken(f.url, { basic: [k.accessKey.accessKeyId, k.secret] });
      timings.push(Date.now() - started);
      expect(res.status).toBe(200);
    }
    // A console user signs in from another network (127.0.1.0/24 is loopback too).
    const started = Date.now();
    const signedIn = await fromLoopback(f, '127.0.1.7', '/api/session', { 'content-type': 'application/json' }, JSON.stringify({ email: victim.users.administrator.email, password: victim.users.administrator.password }));
    timings.push(Date.now() - started);
    clearInterval(flood);
    const answers = await Promise.all(floodAnswers);
    expect(signedIn).toBe(200);
    expect(Math.max(...timings), JSON.stringify(timings)).toBeLessThan(1000);
    // The flood itself was answered, and what bcrypt could not take was refused at once.
    const t = tally(answers);
    expect(answers.length).toBeGreaterThan(50);
    expect((t[401] ?? 0) + (t[429] ?? 0) + (t[503] ?? 0), JSON.stringify(t)).toBe(answers.length);
  }, 60_000);
});
