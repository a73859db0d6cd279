// The reliability run's data: accounts made the way `keymint bootstrap` makes them, keys
// created through the service (real secrets, stored as the server stores them: digests),
// bulk rows inserted by SQL that share one stored digest nobody knows the secret of, legacy
// credentials (bcrypt, as a password a person chose is stored) and console users.
import bcrypt from 'bcrypt';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { AccessKeysService } from '../../src/access-keys/service.js';
import { PageTokenCodec } from '../../src/kernel/page-token.js';
import { generateSecret } from '../../src/kernel/secrets.js';
import { hashSecret } from '../../src/auth/secret-hash.js';
import { bootstrapAccount } from '../../src/access-keys/bootstrap.js';
import { createAccount } from '../../src/accounts/accounts.js';
import { createLocalChangeFeed } from '../../src/db/change-feed.js';
import { deriveKey } from '../../src/crypto/sealed-box.js';
import { forEachConcurrently } from '../concurrency.js';
import type { Credentials } from '../seed.js';

export class Seeder {
  readonly #pool: pg.Pool;
  readonly #keys: AccessKeysService;
  readonly #bcryptCost: number;

  constructor(databaseUrl: string, masterKey: string, bcryptCost: number) {
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    this.#bcryptCost = bcryptCost;
    this.#keys = new AccessKeysService({
      db: this.#pool,
      feed: createLocalChangeFeed(),
      pageTokens: new PageTokenCodec(deriveKey(Buffer.from(masterKey, 'base64url'), 'page-token')),
      bcryptCost,
    });
  }

  async bootstrap(account: string): Promise<Credentials & { projectId: string }> {
    const made = await bootstrapAccount(this.#pool, this.#keys, { account, project: `${account} project`, key: `${account} key` });
    return { projectId: made.projectId, accessKeyId: made.accessKey.accessKeyId, secret: made.secret };
  }

  /** `count` keys through the service: each a generated secret, stored as its SHA-256 digest. */
  async createKeys(projectId: string, count: number, concurrency: number, name = 'cold key'): Promise<Credentials[]> {
    const made: Credentials[] = new Array(count);
    await forEachConcurrently(count, concurrency, async (i) => {
      const { accessKey, secret } = await this.#keys.createInProject(projectId, `${name} ${i}`);
      made[i] = { accessKeyId: accessKey.accessKeyId, secret };
    });
    return made;
  }

  /** `count` rows by SQL, in id (= creation) order, sharing one digest of a secret nobody keeps. */
  async insertRows(projectId: string, count: number, batchSize = 5_000): Promise<void> {
    const sharedHash = hashSecret(generateSecret());
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const ids = Array.from({ length: n }, () => uuidv7());
      const names = Array.from({ length: n }, (_, i) => `bulk key ${String(start + i).padStart(6, '0')}`);
      await this.#pool.query(
        `INSERT INTO access_keys (id, project_id, display_name, secret_hash)
         SELECT id, $3, display_name, $4 FROM unnest($1::uuid[], $2::text[]) AS t(id, display_name)`,
        [ids, names, projectId, sharedHash],
      );
    }
    await this.#pool.query('ANALYZE access_keys');
  }

  /** A bcrypt hash of `password` at the server's cost, as a legacy password is stored. */
  bcryptHash(password: string): Promise<string> {
    return bcrypt.hash(password, this.#bcryptCost);
  }

  /** A legacy credential (username + password, bcrypt) by SQL in the project; `username` in its canonical lower case. */
  async insertLegacy(projectId: string, username: string, password: string): Promise<void> {
    await this.#pool.query(
      `INSERT INTO access_keys (id, project_id, display_name, kind, username, secret_hash) VALUES ($1, $2, $3, 'legacy', $3, $4)`,
      [uuidv7(), projectId, username, await this.bcryptHash(password)],
    );
  }

  /** A console account whose Administrator signs in with `email` and `password` (bcrypt at the server's cost). */
  async consoleUser(name: string, email: string, password: string): Promise<void> {
    await createAccount(this.#pool, this.#bcryptCost, { name, adminEmail: email, adminPassword: password });
  }

  async countKeys(projectId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>('SELECT count(*) AS n FROM access_keys WHERE project_id = $1', [projectId]);
    return Number(rows[0].n);
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}
