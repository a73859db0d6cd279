// The signing-key ring every instance holds in memory: keys are read from Postgres,
// the private halves opened with the master key. It re-reads the table when told
// (change feed), on an unknown kid, at the next state transition and every minute, and
// tells its listeners when the published set changes so the provider can be rebuilt.
import { createLocalJWKSet, type JWK, type JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import type { SigningAlg } from '../config.js';
import type { SealedBox } from '../crypto/sealed-box.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { withTransaction, type Db } from '../db/pool.js';
import * as q from './signing-key-queries.js';
import { generateSigningKey, openPrivateJwk } from './signing-key-material.js';
import { keyStatuses, nextTransition, type KeyStatus } from './signing-key-states.js';

const SKEW_MS = 5 * 60_000;
const POLL_MS = 60_000;

export interface RingOptions {
  db: Db;
  box: SealedBox;
  feed: ChangeFeed;
  log: Logger;
  alg: SigningAlg;
  tokenTtlSeconds: number;
}

export class SigningKeyRing {
  #rows: q.SigningKeyRow[] = [];
  #published: KeyStatus[] = [];
  #privateByKid = new Map<string, JWK>();
  #publicSet: JSONWebKeySet = { keys: [] };
  #localSet = createLocalJWKSet({ keys: [] });
  #signature = '';
  #listeners: Array<() => void> = [];
  #timer?: NodeJS.Timeout;
  #poll?: NodeJS.Timeout;
  #lastForcedRefresh = 0;
  /** Kids whose private half this master key does not open (see #open). */
  readonly #unopenable = new Set<string>();

  private constructor(private readonly opts: RingOptions) {}

  static async start(opts: RingOptions): Promise<SigningKeyRing> {
    const ring = new SigningKeyRing(opts);
    // A key made here (SIGNING_ALG changed) must reach the JWKS of the other instances too.
    if (await ensureSigningKey(opts.db, opts.box, opts.alg, opts.log)) await opts.feed.publish({ kind: 'signing_keys' });
    await ring.refresh();
    opts.feed.subscribe((c) => {
      if (c.kind === 'signing_keys' || c.kind === 'reset') ring.refresh().catch((err) => opts.log.warn({ err }, 'signing key refresh failed'));
    });
    ring.#poll = setInterval(() => ring.refresh().catch(() => {}), POLL_MS).unref();
    return ring;
  }

  get retentionMs() {
    return this.opts.tokenTtlSeconds * 1000 + SKEW_MS;
  }

  async refresh(): Promise<void> {
    this.#rows = await q.listSigningKeys(this.opts.db);
    this.#evaluate();
  }

  /** Kids in the table that this instance cannot open (and therefore ignores). */
  get undecryptable(): string[] {
    return [...this.#unopenable];
  }

  /** Re-read on a kid we do not know (a key rotated in elsewhere), at most once a second. */
  async refreshForUnknownKid(): Promise<boolean> {
    if (Date.now() - this.#lastForcedRefresh < 1000) return false;
    this.#lastForcedRefresh = Date.now();
    const before = this.#signature;
    await this.refresh();
    return before !== this.#signature;
  }

  /**
   * The key's private half, or undefined when this instance's master key does not open it
   * (a key written by an instance with another master key): such a key is left out of the
   * ring entirely, so it is never selected, never published, and the last key that opens
   * keeps signing. Logged once per key.
   */
  #open(row: q.SigningKeyRow): JWK | undefined {
    if (this.#privateByKid.has(row.kid)) return this.#privateByKid.get(row.kid);
    if (this.#unopenable.has(row.kid)) return undefined;
    try {
      return openPrivateJwk(this.opts.box, row.kid, row.private_sealed);
    } catch {
      this.#unopenable.add(row.kid);
      this.opts.log.error({ kid: row.kid }, 'signing key cannot be decrypted with this master key; ignoring it (remove it with `keymint signing-keys prune-undecryptable`)');
      return undefined;
    }
  }

  #evaluate(): void {
    const now = Date.now();
    const opened = new Map<string, JWK>();
    for (const row of this.#rows) {
      const jwk = this.#open(row);
      if (jwk) opened.set(row.kid, jwk);
    }
    const statuses = keyStatuses(this.#rows.filter((r) => opened.has(r.kid)), now, this.retentionMs, this.opts.alg);
    const published = statuses.filter((s) => s.state !== 'retired');
    const signature = published.map((s) => s.row.kid).join(',');
    this.#published = published;
    if (signature !== this.#signature) {
      // Every published key opened above: state changes only once its private half is in hand.
      this.#privateByKid = new Map(published.map((s) => [s.row.kid, opened.get(s.row.kid)!]));
      this.#publicSet = { keys: published.map((s) => s.row.public_jwk as JWK) };
      this.#localSet = createLocalJWKSet(this.#publicSet);
      this.#signature = signature;
      for (const listener of this.#listeners) listener();
    }
    clearTimeout(this.#timer);
    const next = nextTransition(statuses, now);
    if (next !== undefined) this.#timer = setTimeout(() => this.#evaluate(), Math.min(next - now + 5, 2 ** 31 - 1)).unref();
  }

  /** The kid that signs now: the newest activated key of the configured algorithm. */
  signingKid(): string {
    const now = Date.now();
    let kid: string | undefined;
    for (const s of this.#published) {
      if (s.row.alg === this.opts.alg && s.row.activates_at.getTime() <= now) kid = s.row.kid;
    }
    if (!kid) throw new Error('no active signing key');
    return kid;
  }

  get alg(): SigningAlg {
    return this.opts.alg;
  }

  privateJwks(): JWK[] {
    return [...this.#privateByKid.values()];
  }

  publicJwks(): JSONWebKeySet {
    return this.#publicSet;
  }

  get localKeySet() {
    return this.#localSet;
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  stop(): void {
    clearTimeout(this.#timer);
    clearInterval(this.#poll);
  }
}

/**
 * First start, or SIGNING_ALG changed: make a key of the configured algorithm unless the
 * newest active key is one. Returns whether it made one.
 */
export async function ensureSigningKey(db: Db, box: SealedBox, alg: SigningAlg, log?: Logger): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    await q.lockSigningKeys(tx);
    const active = (await q.listSigningKeys(tx)).filter((r) => r.activates_at.getTime() <= Date.now());
    // Not "any key of this alg": after a change of algorithm and back, a key that was
    // superseded must not start signing again.
    if (active[active.length - 1]?.alg === alg) return false;
    const material = await generateSigningKey(alg, box);
    await q.insertSigningKey(tx, { ...material, activatesInSeconds: 0 });
    log?.info({ kid: material.kid, alg }, 'generated a signing key');
    return true;
  });
}

/** Adds a key that is published now and signs after `activateInSeconds`. */
export async function rotateSigningKey(db: Db, box: SealedBox, alg: SigningAlg, activateInSeconds: number, feed?: ChangeFeed) {
  const material = await generateSigningKey(alg, box);
  const row = await withTransaction(db, async (tx) => {
    await q.lockSigningKeys(tx);
    return q.insertSigningKey(tx, { ...material, activatesInSeconds: activateInSeconds });
  });
  await feed?.publish({ kind: 'signing_keys' });
  return row;
}
