// The attacks of issue 11 (items 2, 4 and 5) measured on a Keymint child process with
// production settings (BCRYPT_COST 10, TRUST_PROXY false, default budgets). Every request
// opens its own connection from a loopback source address of our choosing (127.0.0.0/8 is
// all loopback), so the server sees the address a real client would have.
// - Bursts: 60 concurrent wrong Key Secrets plus the right one at one Key ID from one
//   address; 60 concurrent wrong legacy passwords (bcrypt); 40 concurrent console sign-ins,
//   39 wrong and the right one. Each tallied by status; after the bcrypt bursts, the right
//   password from a clean neighbour of the guessing address.
// - A flood: garbage that costs bcrypt (unknown legacy usernames at /oauth2/token and
//   unknown e-mails at /api/session, alternately) at FLOOD_RATE requests a second from 200
//   addresses of 127.0.0.0/24, while never-used keys fetch tokens one after another from
//   127.0.1.0/24; then, still under the flood, one console sign-in and one never-used legacy
//   password.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { generateSecret } from '../../src/kernel/secrets.js';
import { basic, percentile, TOKEN_BODY } from '../load.js';
import type { Seeder } from './seeder.js';

export const FLOOD_RATE = 50;
const FLOOD_ADDRESSES = 200;
const COLD_KEYS = 200;
/** Pause between two cold-key requests: the legitimate client is one client, not a load. */
const COLD_GAP_MS = 40;
/** Flood before the first legitimate request, so that the queue the old code grew is there. */
const FLOOD_LEAD_MS = 2_000;

export interface Answer {
  status: number;
  ms: number;
}

export type Tally = Record<string, number>;

export interface Burst {
  name: string;
  /** The budget that applies (AUTH_FAILURES_PER_KEY or SIGNIN_FAILURES_PER_EMAIL). */
  budget: number;
  budgetName: string;
  /** Statuses of the wrong guesses. */
  wrong: Tally;
  /** The right secret sent in the same burst, last, from the same address. */
  rightInBurst?: number;
  /** The right secret from a clean neighbour (same /24) right after the burst. */
  rightAfter?: number;
  /** From the first request sent to the last answer. */
  ms: number;
}

export interface Flood {
  seconds: number;
  rate: number;
  addresses: number;
  sent: number;
  garbage: Tally;
  cold: { count: number; statuses: Tally; p50: number; p99: number; max: number };
  signIn: Answer;
  legacy: Answer;
}

export interface AttackFigures {
  server: Record<string, string>;
  bursts: Burst[];
  flood: Flood;
}

const tally = (statuses: number[]): Tally => {
  const t: Tally = {};
  for (const s of [...statuses].sort((a, b) => a - b)) t[s] = (t[s] ?? 0) + 1;
  return t;
};

/** One request on a connection of its own from `localAddress`; status 0 for a socket error. */
function send(url: string, path: string, localAddress: string, headers: Record<string, string>, body: string): Promise<Answer> {
  const target = new URL(path, url);
  const start = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname, port: target.port, path: target.pathname, method: 'POST', localAddress, agent: false,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
        res.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const token = (url: string, from: string, id: string, secret: string) => send(url, '/oauth2/token', from, { ...FORM, authorization: basic(id, secret) }, TOKEN_BODY);
const signIn = (url: string, from: string, email: string, password: string) =>
  send(url, '/api/session', from, { 'content-type': 'application/json' }, JSON.stringify({ email, password }));

async function timedBurst(requests: Array<() => Promise<Answer>>): Promise<{ answers: Answer[]; ms: number }> {
  const start = performance.now();
  const answers = await Promise.all(requests.map((r) => r()));
  return { answers, ms: performance.now() - start };
}

export interface AttackOptions {
  url: string;
  seeder: Seeder;
  projectId: string;
  /** The server's budgets, as configured. */
  perKey: number;
  perEmail: number;
  floodSeconds: number;
  progress(message: string): void;
}

async function bursts(o: AttackOptions): Promise<Burst[]> {
  const { url, seeder } = o;
  const out: Burst[] = [];

  // A Key Secret (a digest) at one Key ID from 127.0.2.1, the right one last.
  const [key] = await seeder.createKeys(o.projectId, 1, 1, 'burst key');
  const keyBurst = await timedBurst([
    ...Array.from({ length: 60 }, (_, i) => () => token(url, '127.0.2.1', key.accessKeyId, `wrong-${i}-${generateSecret()}`)),
    () => token(url, '127.0.2.1', key.accessKeyId, key.secret),
  ]);
  out.push({
    name: '60 wrong Key Secrets + the right one, one Key ID, one address',
    budget: o.perKey, budgetName: 'AUTH_FAILURES_PER_KEY',
    wrong: tally(keyBurst.answers.slice(0, 60).map((a) => a.status)),
    rightInBurst: keyBurst.answers[60].status,
    ms: keyBurst.ms,
  });

  // A legacy password (bcrypt) from 127.0.3.1; then the right one from 127.0.3.2.
  const username = `burst.${randomUUID().slice(0, 8)}`;
  const password = `Burst${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  await seeder.insertLegacy(o.projectId, username, password);
  const legacyBurst = await timedBurst(Array.from({ length: 60 }, (_, i) => () => token(url, '127.0.3.1', username, `Wrong${i}x${randomUUID().slice(0, 8)}`)));
  out.push({
    name: '60 wrong legacy passwords (bcrypt), one username, one address',
    budget: o.perKey, budgetName: 'AUTH_FAILURES_PER_KEY',
    wrong: tally(legacyBurst.answers.map((a) => a.status)),
    rightAfter: (await token(url, '127.0.3.2', username, password)).status,
    ms: legacyBurst.ms,
  });

  // Console sign-in from 127.0.4.1: 39 wrong then the right one; then the right one from 127.0.4.2.
  const email = `burst.${randomUUID().slice(0, 8)}@example.com`;
  const userPassword = generateSecret();
  await seeder.consoleUser('Burst sign-in', email, userPassword);
  const signInBurst = await timedBurst([
    ...Array.from({ length: 39 }, (_, i) => () => signIn(url, '127.0.4.1', email, `wrong-password-${i}-${randomUUID()}`)),
    () => signIn(url, '127.0.4.1', email, userPassword),
  ]);
  out.push({
    name: '39 wrong console passwords + the right one, one e-mail, one address',
    budget: o.perEmail, budgetName: 'SIGNIN_FAILURES_PER_EMAIL',
    wrong: tally(signInBurst.answers.slice(0, 39).map((a) => a.status)),
    rightInBurst: signInBurst.answers[39].status,
    rightAfter: (await signIn(url, '127.0.4.2', email, userPassword)).status,
    ms: signInBurst.ms,
  });
  return out;
}

async function flood(o: AttackOptions): Promise<Flood> {
  const { url, seeder } = o;
  const keys = await seeder.createKeys(o.projectId, COLD_KEYS, 2, 'flood cold key');
  const email = `flood.${randomUUID().slice(0, 8)}@example.com`;
  const userPassword = generateSecret();
  await seeder.consoleUser('Flood sign-in', email, userPassword);
  const username = `flood.${randomUUID().slice(0, 8)}`;
  const password = `Flood${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  await seeder.insertLegacy(o.projectId, username, password);

  const garbage: Promise<Answer>[] = [];
  let n = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    n++;
    const from = `127.0.0.${2 + (n % FLOOD_ADDRESSES)}`;
    garbage.push(
      n % 2
        ? signIn(url, from, `nobody-${n}-${randomUUID().slice(0, 8)}@example.com`, 'Garbage-password-1')
        : token(url, from, `garbage.user${n}`, `Garbage${n}`),
    );
  }, 1000 / FLOOD_RATE);
  try {
    await new Promise((r) => setTimeout(r, FLOOD_LEAD_MS));
    // Never-used keys, one after another, until the flood's time is nearly up (the sign-in and
    // the legacy password still come under it).
    const cold: Answer[] = [];
    const until = started + o.floodSeconds * 1000 - 1_000;
    for (let i = 0; i < keys.length && performance.now() < until; i++) {
      cold.push(await token(url, `127.0.1.${2 + (i % 100)}`, keys[i].accessKeyId, keys[i].secret));
      await new Promise((r) => setTimeout(r, COLD_GAP_MS));
    }
    const signedIn = await signIn(url, '127.0.1.200', email, userPassword);
    const legacy = await token(url, '127.0.1.201', username, password);
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    const answers = await Promise.all(garbage);
    const ms = cold.map((a) => a.ms).sort((a, b) => a - b);
    return {
      seconds, rate: FLOOD_RATE, addresses: FLOOD_ADDRESSES, sent: answers.length,
      garbage: tally(answers.map((a) => a.status)),
      cold: { count: cold.length, statuses: tally(cold.map((a) => a.status)), p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms[ms.length - 1] ?? NaN },
      signIn: signedIn,
      legacy,
    };
  } finally {
    clearInterval(timer);
  }
}

export async function measureAttacks(o: AttackOptions, server: Record<string, string>): Promise<AttackFigures> {
  o.progress('attacks: concurrent bursts');
  const b = await bursts(o);
  o.progress(`attacks: a flood of ${FLOOD_RATE} garbage requests/s for about ${o.floodSeconds} s, cold keys beside it`);
  return { server, bursts: b, flood: await flood(o) };
}

const only = (t: Tally, allowed: number[]) => Object.keys(t).filter((s) => !allowed.includes(Number(s)));

/** The checks of run.ts: budgets held, right secrets answered 200, no status outside the designed ones. */
export function attackFailures(f: AttackFigures): string[] {
  const out: string[] = [];
  for (const b of f.bursts) {
    const judged = b.wrong[401] ?? 0;
    if (judged > b.budget) out.push(`attacks: ${b.name}: ${judged} guesses judged (401), over the budget of ${b.budget}`);
    const odd = only(b.wrong, [401, 429, 503]);
    if (odd.length) out.push(`attacks: ${b.name}: wrong guesses answered ${odd.join(', ')}`);
    if (b.rightAfter !== undefined && b.rightAfter !== 200) out.push(`attacks: ${b.name}: the right secret from a clean address answered ${b.rightAfter}`);
  }
  // A Key Secret is a digest, checked before any budget: its right one is never refused.
  const keyBurst = f.bursts[0];
  if (keyBurst.rightInBurst !== 200) out.push(`attacks: ${keyBurst.name}: the right secret answered ${keyBurst.rightInBurst}`);
  const signInBurst = f.bursts[2];
  if (![200, 429].includes(signInBurst.rightInBurst ?? 0)) out.push(`attacks: ${signInBurst.name}: the right password answered ${signInBurst.rightInBurst}`);
  const { flood: fl } = f;
  const odd = only(fl.garbage, [401, 429, 503]);
  if (odd.length) out.push(`attacks: flood: garbage answered ${odd.map((s) => `${s} (${fl.garbage[s]})`).join(', ')}`);
  const refused = only(fl.cold.statuses, [200]);
  if (refused.length || fl.cold.count === 0) out.push(`attacks: flood: cold keys answered ${JSON.stringify(fl.cold.statuses)}`);
  if (fl.signIn.status !== 200) out.push(`attacks: flood: the console sign-in answered ${fl.signIn.status}`);
  if (fl.legacy.status !== 200) out.push(`attacks: flood: the legacy password answered ${fl.legacy.status}`);
  return out;
}
