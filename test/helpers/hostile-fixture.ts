// The world the hostile-input properties of the v1 API run in: one server, an actor key
// (never itself a target, so its credentials keep working), a pool of victim keys in the
// actor's project, a key of another project; generated credentials; and the one outcome
// check: never a 5xx or a leak, nothing changed after a non-2xx, and after a 2xx exactly
// the change the request asked for.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { isWellFormedSecret } from '../../src/kernel/secrets.js';
import { startTestServer, type Bootstrapped, type TestServer } from './server.js';
import { headerValue, hostileString, rows, snapshot, assertSafeResponse, type Row } from './hostile.js';
import { rawRequest, type RawRequest, type RawResponse } from './raw-http.js';
import { otherLastChar } from './token-requests.js';

export type AuthChoice =
  | { kind: 'bearer' | 'basic' | 'wrong secret' | 'tampered token' | 'none' }
  | { kind: 'raw'; value: string };

/** Mostly valid credentials, so that input reaches the handlers; now and then broken ones. */
export const authChoice: fc.Arbitrary<AuthChoice> = fc.oneof(
  { weight: 14, arbitrary: fc.constant({ kind: 'bearer' } as const) },
  { weight: 3, arbitrary: fc.constant({ kind: 'basic' } as const) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'wrong secret' } as const, { kind: 'tampered token' } as const, { kind: 'none' } as const) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        headerValue,
        hostileString.map((s) => `Bearer ${Buffer.from(s).toString('latin1').replace(/[\r\n]/g, '')}`),
        fc.tuple(hostileString, hostileString).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`),
        fc.constantFrom('Bearer', 'Basic', 'Bearer  ', 'bearer x y', 'Basic Og==', 'Basic ===', 'Negotiate abc', 'Bearer eyJ.eyJ.', 'Basic \u00ff\u00fe'),
      )
      .map((value) => ({ kind: 'raw', value }) as const),
  },
);

export interface Intent {
  /** The HTTP method, or a name (TOKEN, INTROSPECT) for requests that must change nothing. */
  method: string;
  /** Whether the request may succeed at all: valid credentials, or none needed. */
  authValid: boolean;
  /** The lower-case key ID the path names, when it names one. */
  targetId?: string;
  /** The displayName the body sends, when it is a JSON object with a string displayName. */
  name?: string;
}

export class HostileFixture {
  private constructor(
    readonly s: TestServer,
    readonly actor: Bootstrapped,
    readonly other: Bootstrapped,
    readonly bearer: string,
    readonly foreignKey: string,
  ) {}

  victims: string[] = [];
  #names = 0;
  /** Responses by status, per property: HOSTILE_STATS=1 prints them (to see what the runs reached). */
  readonly statuses = new Map<number, number>();

  static async start(): Promise<HostileFixture> {
    const s = await startTestServer();
    const actor = await s.bootstrap();
    const other = await s.bootstrap();
    const bearer = `Bearer ${await s.token(actor.accessKey.accessKeyId, actor.secret)}`;
    const f = new HostileFixture(s, actor, other, bearer, other.accessKey.accessKeyId);
    await f.replenish();
    return f;
  }

  /** A displayName no key has yet. */
  freshName(): string {
    return `hostile ${++this.#names} ${randomUUID().slice(0, 8)}`;
  }

  /** Keeps at least five victim keys in the actor's project (DELETE runs consume them). */
  async replenish(): Promise<void> {
    const all = await rows(this.s.sql);
    this.victims = [...all.values()]
      .filter((r) => r.project_id === this.actor.projectId && r.id !== this.actor.accessKey.accessKeyId)
      .map((r) => r.id)
      .sort();
    while (this.victims.length < 5) {
      const res = await fetch(`${this.s.url}/v1/projects/${this.actor.projectId}/accessKeys`, {
        method: 'POST',
        headers: { authorization: this.bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: this.freshName() }),
      });
      if (res.status !== 200) throw new Error(`could not create a victim key: ${res.status} ${await res.text()}`);
      this.victims.push(((await res.json()) as { accessKey: { accessKeyId: string } }).accessKey.accessKeyId);
    }
  }

  victim(index: number): string {
    return this.victims[index % this.victims.length];
  }

  authHeader(choice: AuthChoice): { headers: [string, string][]; valid: boolean } {
    const { accessKeyId } = this.actor.accessKey;
    switch (choice.kind) {
      case 'bearer':
        return { headers: [['Authorization', this.bearer]], valid: true };
      case 'basic':
        return { headers: [['Authorization', this.s.basic(accessKeyId, this.actor.secret)]], valid: true };
      case 'wrong secret':
        return { headers: [['Authorization', this.s.basic(accessKeyId, otherLastChar(this.actor.secret))]], valid: false };
      case 'tampered token':
        return { headers: [['Authorization', `${this.bearer.slice(0, -6)}AAAAAA`]], valid: false };
      case 'none':
        return { headers: [], valid: false };
      case 'raw':
        return { headers: [['Authorization', choice.value]], valid: false };
    }
  }

  /** Sends the request and checks its outcome against the table before and after. */
  async exercise(req: RawRequest, intent: Intent, sent: string[]): Promise<RawResponse> {
    const before = await rows(this.s.sql);
    const snap = await snapshot(this.s.sql);
    const res = await rawRequest(this.s.url, req);
    const what = `${req.method} ${req.target.slice(0, 300)}`;
    this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
    expect(res.status, `${what}: no complete response`).toBeGreaterThan(0);
    assertSafeResponse(res, sent, what);
    if (res.status < 200 || res.status >= 300) {
      expect(await snapshot(this.s.sql), `${what} → ${res.status} changed access_keys`).toEqual(snap);
    } else {
      this.checkSuccess(before, await rows(this.s.sql), res, intent, what);
    }
    if (this.victims.length < 5 || res.status === 200) await this.replenish();
    return res;
  }

  private checkSuccess(before: Map<string, Row>, after: Map<string, Row>, res: RawResponse, intent: Intent, what: string) {
    expect(intent.authValid, `${what} succeeded (${res.status}) without valid credentials`).toBe(true);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((id) => !sameRow(before.get(id), after.get(id)));
    const own = (id: string | undefined) => id !== undefined && before.get(id)?.project_id === this.actor.projectId;
    switch (intent.method) {
      case 'POST': {
        const body = JSON.parse(res.text) as { accessKey: { accessKeyId: string }; secret: string };
        const id = body.accessKey.accessKeyId;
        expect(changed, `${what}: a create changes exactly the new row`).toEqual([id]);
        expect(before.has(id)).toBe(false);
        expect(after.get(id)?.project_id).toBe(this.actor.projectId);
        expect(after.get(id)?.display_name).toBe(intent.name?.trim());
        expect(isWellFormedSecret(body.secret)).toBe(true);
        break;
      }
      case 'PATCH':
        expect(own(intent.targetId), `${what}: updated a key the path does not name in the actor's project`).toBe(true);
        expect(changed, `${what}: an update changes exactly its key`).toEqual([intent.targetId]);
        expect(after.get(intent.targetId!)?.display_name).toBe(intent.name?.trim());
        break;
      case 'DELETE':
        expect(own(intent.targetId), `${what}: deleted a key the path does not name in the actor's project`).toBe(true);
        expect(changed, `${what}: a delete removes exactly its key`).toEqual([intent.targetId]);
        expect(after.has(intent.targetId!)).toBe(false);
        break;
      default:
        expect(changed, `${what} → ${res.status} changed access_keys`).toEqual([]);
    }
  }

  /** Prints and resets the status counts (with HOSTILE_STATS set). */
  report(label: string): void {
    if (process.env.HOSTILE_STATS) console.log(`${label}: ${JSON.stringify(Object.fromEntries([...this.statuses].sort((a, b) => a[0] - b[0])))}`);
    this.statuses.clear();
  }

  close(): Promise<void> {
    return this.s.close();
  }
}

const sameRow = (a: Row | undefined, b: Row | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.display_name === b.display_name && a.update_time.getTime() === b.update_time.getTime());
