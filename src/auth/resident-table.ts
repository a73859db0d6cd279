// A compact in-memory table of key credentials by Key ID, for every active REST Basic key
// whose secret is a digest (resident-keys.ts keeps it complete and fresh). An entry is
// 60 bytes in typed arrays (the ID's 16 bytes, the SHA-256 digest's 32, the expiry, the
// index of a shared profile: project, account, grants), and the slots of an
// open-addressing hash, so that a million keys take about 70 MB and no object per key.
// Made-up IDs cannot be inserted (only rows read from the database are), so probing stays
// short whatever IDs a client sends; the slot hash mixes the UUID's random tail.
import type { KeyPolicy } from '../kernel/grants.js';

export interface ResidentProfile {
  projectId: string;
  accountId: string;
  policy: KeyPolicy | null;
}

export interface ResidentEntry {
  /** The SHA-256 digest of the secret (32 bytes; a view into the table: copy to keep). */
  digest: Uint8Array;
  /** ms since the epoch, or null. */
  expiresAt: number | null;
  profile: ResidentProfile;
}

const EMPTY = 0;
const HEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A lower-case UUID's four 32-bit words, or undefined for anything else. */
export function uuidWords(id: string): [number, number, number, number] | undefined {
  if (id.length !== 36 || !HEX.test(id)) return undefined;
  return [
    parseInt(id.slice(0, 8), 16),
    parseInt(id.slice(9, 13) + id.slice(14, 18), 16),
    parseInt(id.slice(19, 23) + id.slice(24, 28), 16),
    parseInt(id.slice(28, 36), 16),
  ];
}

export class ResidentTable {
  #capacity!: number;
  #size = 0; // entries in use (removed ones included: their slot keeps the ID)
  #live = 0;
  #ids!: Uint32Array;
  #digests!: Uint8Array;
  #expiry!: Float64Array; // NaN: never
  #profileOf!: Uint32Array; // profile index + 1; 0: removed
  #slots!: Int32Array; // entry index + 1; 0: empty
  #mask!: number;
  readonly #profiles: ResidentProfile[] = [];
  readonly #profileIndex = new Map<string, number>();

  constructor(expected = 1024) {
    this.#allocate(Math.max(1024, expected));
  }

  /** Empty arrays for `capacity` entries, and slots for them. */
  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#ids = new Uint32Array(this.#capacity * 4);
    this.#digests = new Uint8Array(this.#capacity * 32);
    this.#expiry = new Float64Array(this.#capacity);
    this.#profileOf = new Uint32Array(this.#capacity);
    const slots = 2 ** Math.ceil(Math.log2(this.#capacity * 1.5));
    this.#slots = new Int32Array(slots);
    this.#mask = slots - 1;
  }

  /** Keys present (not removed). */
  get size(): number {
    return this.#live;
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    return this.#ids.byteLength + this.#digests.byteLength + this.#expiry.byteLength + this.#profileOf.byteLength + this.#slots.byteLength;
  }

  #slotOf(w: readonly number[]): number {
    return (Math.imul(w[3] ^ Math.imul(w[2], 0x85ebca6b), 0x9e3779b1) >>> 0) & this.#mask;
  }

  /** The entry index of `w`, or -1; `slot` receives where it is or would go. */
  #find(w: readonly number[], out: { slot: number }): number {
    let slot = this.#slotOf(w);
    for (;;) {
      const at = this.#slots[slot];
      if (at === EMPTY) {
        out.slot = slot;
        return -1;
      }
      const e = at - 1;
      const o = e * 4;
      if (this.#ids[o] === w[0] && this.#ids[o + 1] === w[1] && this.#ids[o + 2] === w[2] && this.#ids[o + 3] === w[3]) {
        out.slot = slot;
        return e;
      }
      slot = (slot + 1) & this.#mask;
    }
  }

  readonly #probe = { slot: 0 };

  get(id: string): ResidentEntry | undefined {
    const w = uuidWords(id);
    if (!w) return undefined;
    const e = this.#find(w, this.#probe);
    if (e < 0 || this.#profileOf[e] === EMPTY) return undefined;
    const expiry = this.#expiry[e];
    return {
      digest: this.#digests.subarray(e * 32, e * 32 + 32),
      expiresAt: Number.isNaN(expiry) ? null : expiry,
      profile: this.#profiles[this.#profileOf[e] - 1],
    };
  }

  /** Adds or replaces the key `id`. `digest`: 32 bytes. */
  set(id: string, digest: Uint8Array, expiresAt: number | null, profile: ResidentProfile): void {
    const w = uuidWords(id);
    if (!w || digest.length !== 32) return;
    let e = this.#find(w, this.#probe);
    if (e < 0) {
      if (this.#size >= this.#capacity) {
        this.#grow();
        this.#find(w, this.#probe);
      }
      e = this.#size++;
      this.#ids.set(w, e * 4);
      this.#slots[this.#probe.slot] = e + 1;
    }
    if (this.#profileOf[e] === EMPTY) this.#live++;
    this.#digests.set(digest, e * 32);
    this.#expiry[e] = expiresAt ?? NaN;
    this.#profileOf[e] = this.#profileIndexOf(profile) + 1;
  }

  /** Whether `id` was present. Its entry stays (a later set reuses it). */
  remove(id: string): boolean {
    const w = uuidWords(id);
    if (!w) return false;
    const e = this.#find(w, this.#probe);
    if (e < 0 || this.#profileOf[e] === EMPTY) return false;
    this.#profileOf[e] = EMPTY;
    this.#digests.fill(0, e * 32, e * 32 + 32);
    this.#live--;
    // Removed entries keep their place until they outnumber the live ones: then the table is
    // rebuilt with the live ones only, so that churn (keys made and deleted) does not grow it.
    if (this.#size - this.#live > Math.max(4096, this.#live)) this.#compact();
    return true;
  }

  #compact(): void {
    const old = { ids: this.#ids, digests: this.#digests, expiry: this.#expiry, profileOf: this.#profileOf, size: this.#size };
    const profiles = [...this.#profiles];
    this.#allocate(Math.max(1024, Math.ceil(this.#live * 1.25)));
    this.#size = 0;
    this.#live = 0;
    this.#profiles.length = 0;
    this.#profileIndex.clear();
    for (let e = 0; e < old.size; e++) {
      const p = old.profileOf[e];
      if (p === EMPTY) continue;
      const w = old.ids.subarray(e * 4, e * 4 + 4) as unknown as number[];
      this.#find(w, this.#probe);
      const at = this.#size++;
      this.#ids.set(w, at * 4);
      this.#slots[this.#probe.slot] = at + 1;
      this.#digests.set(old.digests.subarray(e * 32, e * 32 + 32), at * 32);
      this.#expiry[at] = old.expiry[e];
      this.#profileOf[at] = this.#profileIndexOf(profiles[p - 1]) + 1;
      this.#live++;
    }
  }

  #profileIndexOf(profile: ResidentProfile): number {
    const key = `${profile.projectId}|${profile.accountId}|${profile.policy ? JSON.stringify(profile.policy) : ''}`;
    let index = this.#profileIndex.get(key);
    if (index === undefined) {
      index = this.#profiles.length;
      this.#profiles.push(profile);
      this.#profileIndex.set(key, index);
    }
    return index;
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const grow = <T extends Uint32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T, per: number): T => {
      const next = make(capacity * per);
      next.set(old);
      return next;
    };
    this.#ids = grow(this.#ids, (n) => new Uint32Array(n), 4);
    this.#digests = grow(this.#digests, (n) => new Uint8Array(n), 32);
    this.#expiry = grow(this.#expiry, (n) => new Float64Array(n), 1);
    this.#profileOf = grow(this.#profileOf, (n) => new Uint32Array(n), 1);
    this.#capacity = capacity;
    const slots = 2 ** Math.ceil(Math.log2(capacity * 1.5));
    this.#slots = new Int32Array(slots);
    this.#mask = slots - 1;
    for (let e = 0; e < this.#size; e++) {
      const w = this.#ids.subarray(e * 4, e * 4 + 4);
      let slot = this.#slotOf(w as unknown as number[]);
      while (this.#slots[slot] !== EMPTY) slot = (slot + 1) & this.#mask;
      this.#slots[slot] = e + 1;
    }
  }
}
