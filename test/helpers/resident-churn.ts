// For test/resident-keys-cluster.test.ts: a plan of changes to known keys (deleted, expired,
// rotated three ways, re-granted, made to require DPoP, unchanged), those changes as jobs on
// one instance (its v1 API; an expiry in the past by SQL, which the API refuses), and the
// judgement of every key of a plan on an instance: by token requests, then by what the
// instance holds in memory (no resident copy older than the database).
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import { hashSecret } from '../../src/auth/secret-hash.js';
import type { Known } from './resident-cluster.js';
import { recordSecret, type TestServer } from './server.js';
import { basicHeader, postToken, raw } from './token-requests.js';

/** Runs `jobs` with at most `width` at a time; their results in order. */
export async function pooled<T>(jobs: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let at = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (at < jobs.length) {
        const i = at++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

type Rotated = Known & { fresh: string };

/** What is done to each key of a case. */
export interface Plan {
  deleted: Known[];
  expired: Known[];
  /** Rotated with previousSecretTtl 0s: the old secret stops at once (none is kept: the key may be resident again). */
  rotatedNow: Rotated[];
  /** Rotated, then the previous secret revoked. */
  rotatedRevoked: Rotated[];
  /** Rotated with the default overlap: both secrets work for a day (a previous secret: never resident). */
  rotatedOverlap: Rotated[];
  /** Given a grant of the API (orders:read) and a custom claim `tier` of their own. */
  regranted: Array<Known & { tier: number }>;
  /** Made to require DPoP (tokenSettings): a token without a proof is refused (never resident). */
  dpop: Known[];
  unchanged: Known[];
}

export type Sizes = { [K in keyof Plan]: number };

export interface ChurnOptions {
  keys: Known[];
  /** A key that manages `projectId`'s keys (the Sinch model: no grants). */
  manager: Known;
  projectId: string;
  /** The account's API, with the scope orders:read. */
  api: string;
  /** TOKEN_AUDIENCE: where a key without grants gets its tokens. */
  legacy: string;
}

export class KeyChurn {
  #next = 0;
  constructor(private readonly o: ChurnOptions) {}

  /** `n` keys no case has had yet. */
  take(n: number): Known[] {
    const out = this.o.keys.slice(this.#next, this.#next + n);
    this.#next += n;
    expect(out).toHaveLength(n);
    return out;
  }

  plan(sizes: Sizes): Plan {
    const rotated = (n: number) => this.take(n).map((k) => ({ ...k, fresh: '' }));
    return {
      deleted: this.take(sizes.deleted),
      expired: this.take(sizes.expired),
      rotatedNow: rotated(sizes.rotatedNow),
      rotatedRevoked: rotated(sizes.rotatedRevoked),
      rotatedOverlap: rotated(sizes.rotatedOverlap),
      regranted: this.take(sizes.regranted).map((k, i) => ({ ...k, tier: this.#next * 10 + i })),
      dpop: this.take(sizes.dpop),
      unchanged: this.take(sizes.unchanged),
    };
  }

  keyUrl(s: TestServer, id: string): string {
    return `${s.url}/v1/projects/${this.o.projectId}/accessKeys/${id}`;
  }

  async status(s: TestServer, k: Known, body: Record<string, string> = {}): Promise<number> {
    return (await postToken(s.url, { basic: [k.id, k.secret], body: { grant_type: 'client_credentials', ...body } })).status;
  }

  /** A v1 call as the manager; it must answer 200. */
  async v1(method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { authorization: basicHeader(this.o.manager.id, this.o.manager.secret) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await raw(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status, `${method} ${url}: ${res.text}`).toBe(200);
    return res.json!;
  }

  /** The changes of `p`, made through instance `s`, as jobs in a random order. */
  changes(s: TestServer, p: Plan): Array<() => Promise<void>> {
    const url = (k: Known) => this.keyUrl(s, k.id);
    const rotate = async (k: Rotated, body: unknown) => {
      const res = (await this.v1('POST', `${url(k)}:rotateSecret`, body)) as { secret: string };
      recordSecret(res.secret, k.id);
      k.fresh = res.secret;
    };
    const jobs: Array<() => Promise<void>> = [
      ...p.deleted.map((k) => async () => void (await this.v1('DELETE', url(k)))),
      ...p.expired.map((k) => async () => void (await s.sql.query("UPDATE access_keys SET expire_time = now() - interval '1 minute' WHERE id = $1", [k.id]))),
      ...p.rotatedNow.map((k) => () => rotate(k, { previousSecretTtl: '0s' })),
      ...p.rotatedRevoked.map((k) => async () => {
        await rotate(k, {});
        await this.v1('POST', `${url(k)}:revokePreviousSecret`, {});
      }),
      ...p.rotatedOverlap.map((k) => () => rotate(k, {})),
      ...p.regranted.map((k) => async () => void (await this.v1('PATCH', url(k), { grants: [{ api: this.o.api, scopes: ['orders:read'] }], customClaims: { tier: k.tier } }))),
      ...p.dpop.map((k) => async () => void (await this.v1('PATCH', `${url(k)}/tokenSettings`, { dpopRequired: true }))),
    ];
    for (let i = jobs.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
    }
    return jobs;
  }

  /**
   * Every key of `p` on instance `s`: by token requests (a refusal is a 401, a DPoP-bound key
   * without a proof a 400; a re-granted key's token holds its new grant and claim and its old
   * audience is refused), then in memory: each unchanged key resident with its digest, no
   * resident copy of a changed key older than the database. The failures, each named.
   */
  async judge(s: TestServer, name: string, p: Plan, unchangedByHttp = true): Promise<string[]> {
    const wrong: string[] = [];
    const want = (what: string, k: Known, got: number, expected: number) => {
      if (got !== expected) wrong.push(`${name}: ${what} ${k.id}: ${got}, not ${expected}`);
    };
    const status = (k: Known, body?: Record<string, string>) => this.status(s, k, body);
    const jobs: Array<() => Promise<void>> = [
      ...p.deleted.map((k) => async () => want('deleted', k, await status(k), 401)),
      ...p.expired.map((k) => async () => want('expired', k, await status(k), 401)),
      ...[...p.rotatedNow, ...p.rotatedRevoked].map((k) => async () => {
        want('rotated, new secret', k, await status({ id: k.id, secret: k.fresh }), 200);
        want('rotated, old secret (ended)', k, await status(k), 401);
      }),
      ...p.rotatedOverlap.map((k) => async () => {
        want('rotated, new secret', k, await status({ id: k.id, secret: k.fresh }), 200);
        want('rotated, old secret (in its overlap)', k, await status(k), 200);
      }),
      ...p.regranted.map((k) => async () => {
        const res = await postToken(s.url, { basic: [k.id, k.secret] });
        want('re-granted', k, res.status, 200);
        if (res.status !== 200) return;
        const claims = decodeJwt(res.json!.access_token as string);
        if (claims.aud !== this.o.api || claims.scope !== 'orders:read' || claims.tier !== k.tier) {
          wrong.push(`${name}: re-granted ${k.id}: a token for ${String(claims.aud)} "${String(claims.scope)}" tier ${String(claims.tier)}, not ${this.o.api} "orders:read" tier ${k.tier}`);
        }
        want('re-granted, its old audience', k, await status(k, { resource: this.o.legacy }), 400);
      }),
      ...p.dpop.map((k) => async () => want('made to require DPoP, asked without a proof', k, await status(k), 400)),
      ...(unchangedByHttp ? p.unchanged.map((k) => async () => want('unchanged', k, await status(k), 200)) : []),
    ];
    // Wide: each refusal waits for the failure budgets' batched write (100 ms).
    await pooled(jobs, 32);

    const { resident } = s.running;
    const stale = (what: string, k: Known) => wrong.push(`${name}: a resident copy of ${what} key ${k.id}`);
    const now = Date.now();
    for (const k of p.unchanged) if (resident.get(k.id)?.secretHash !== hashSecret(k.secret)) wrong.push(`${name}: unchanged key ${k.id} not resident`);
    for (const k of p.deleted) if (resident.get(k.id)) stale('the deleted', k);
    for (const k of p.expired) {
      const r = resident.get(k.id);
      if (r && !(r.expiresAt !== null && r.expiresAt <= now)) stale('the expired', k);
    }
    for (const k of p.rotatedOverlap) if (resident.get(k.id)) stale('the rotated (two secrets)', k);
    for (const k of p.dpop) if (resident.get(k.id)) stale('the DPoP-bound', k);
    for (const k of [...p.rotatedNow, ...p.rotatedRevoked]) {
      const r = resident.get(k.id);
      if (r && r.secretHash !== hashSecret(k.fresh)) stale('the rotated (one secret left)', k);
    }
    for (const k of p.regranted) {
      const r = resident.get(k.id);
      const grants = r?.policy?.grants;
      if (r && !(grants?.length === 1 && grants[0].scopes.join(' ') === 'orders:read' && r.policy?.customClaims?.tier === k.tier)) stale('the re-granted', k);
    }
    return wrong;
  }
}
