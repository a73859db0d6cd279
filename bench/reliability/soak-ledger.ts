// The soak's management-API writes, as the clients saw them: each create has a name
// unique to the run; an acknowledged create (200) may later be deleted. Afterwards the
// database must hold every acknowledged create not deleted by an acknowledged delete, and
// none of the acknowledged deletes. A delete still unanswered when the load stopped has an
// unknown outcome and is counted apart; so are creates the server finished after the
// client stopped waiting (present but never acknowledged: allowed).
import { randomBytes } from 'node:crypto';
import { query } from './stats.js';

export interface WriteCheck {
  acknowledgedCreates: number;
  acknowledgedDeletes: number;
  /** Acknowledged creates that must still be there (not deleted, no delete in doubt). */
  expectedPresent: number;
  /** Names of acknowledged creates missing from the database. */
  missing: string[];
  /** Names of keys whose delete was acknowledged but which are still there. */
  resurrected: string[];
  /** Deletes sent but unanswered when the load stopped. */
  deletesInDoubt: number;
  /** Rows of this run whose create was never acknowledged (sent before the stop). */
  unacknowledgedPresent: number;
  /** Creates and deletes answered with anything but 200. */
  refused: number;
}

export class WriteLedger {
  readonly prefix = `soak ${randomBytes(4).toString('hex')} `;
  #n = 0;
  readonly #created = new Map<string, string>();
  readonly #deleted = new Set<string>();
  readonly #inFlight = new Set<string>();
  readonly #deletable: string[] = [];
  #refused = 0;

  nextName(): string {
    return `${this.prefix}${++this.#n}`;
  }

  /** The oldest acknowledged create not yet being deleted, now counted as in flight. */
  takeDeletable(): string | undefined {
    const id = this.#deletable.shift();
    if (id) this.#inFlight.add(id);
    return id;
  }

  createAnswered(status: number, body: string): void {
    if (status !== 200) {
      this.#refused++;
      return;
    }
    const { accessKey } = JSON.parse(body) as { accessKey: { accessKeyId: string; displayName: string } };
    this.#created.set(accessKey.accessKeyId, accessKey.displayName);
    this.#deletable.push(accessKey.accessKeyId);
  }

  deleteAnswered(id: string, status: number): void {
    this.#inFlight.delete(id);
    if (status === 200) this.#deleted.add(id);
    else this.#refused++;
  }

  async verify(databaseUrl: string, projectId: string): Promise<WriteCheck> {
    const rows = await query<{ id: string; display_name: string }>(
      databaseUrl,
      'SELECT id, display_name FROM access_keys WHERE project_id = $1 AND starts_with(display_name, $2)',
      [projectId, this.prefix],
    );
    const stored = new Map(rows.map((r) => [r.id, r.display_name]));
    const missing: string[] = [];
    let expectedPresent = 0;
    for (const [id, name] of this.#created) {
      if (this.#deleted.has(id) || this.#inFlight.has(id)) continue;
      expectedPresent++;
      if (stored.get(id) !== name) missing.push(name);
    }
    return {
      acknowledgedCreates: this.#created.size,
      acknowledgedDeletes: this.#deleted.size,
      expectedPresent,
      missing,
      resurrected: [...this.#deleted].filter((id) => stored.has(id)).map((id) => this.#created.get(id) ?? id),
      deletesInDoubt: this.#inFlight.size,
      unacknowledgedPresent: [...stored.keys()].filter((id) => !this.#created.has(id)).length,
      refused: this.#refused,
    };
  }
}
