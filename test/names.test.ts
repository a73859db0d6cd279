// Issue #11 item 8: names accepted bidi overrides and invisible characters, and NFC/NFD
// variants counted as different names. The attacks: a key named with U+202E so that it
// reads as another in every list, a label with a zero-width space beside the real one, and
// "Café" created twice (precomposed and with a combining accent) in one project.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/accounts.js';
import { startTestServer, recordSecret, type Bootstrapped, type TestServer } from './helpers/server.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { basicHeader } from './helpers/token-requests.js';

const NFC = 'Caf\u00e9 prod';
const NFD = 'Cafe\u0301 prod';
let s: TestServer;
let key: Bootstrapped;
let acct: ConsoleAccount;

beforeAll(async () => {
  s = await startTestServer();
  key = await s.bootstrap();
  acct = await consoleAccount(s);
});
afterAll(() => s?.close());

async function v1(method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}/v1/projects/${key.projectId}/accessKeys${path}`, {
    method,
    headers: { authorization: basicHeader(key.accessKey.accessKeyId, key.secret), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (json?.secret) recordSecret(json.secret);
  return { status: res.status, json };
}

const HOSTILE: Array<[string, string, RegExp]> = [
  ['a right-to-left override (U+202E)', 'invoice\u202Egpj.exe', /must not contain bidirectional control characters \(it has U\+202E\)/],
  ['a left-to-right isolate (U+2066)', 'a\u2066b', /bidirectional control characters \(it has U\+2066\)/],
  ['a right-to-left mark (U+200F)', 'prod\u200F', /bidirectional control characters \(it has U\+200F\)/],
  ['a zero-width space', 'prod\u200Bkey', /must not contain invisible characters \(it has U\+200B\)/],
  ['a zero-width joiner between letters', 'pro\u200Dd', /invisible characters \(it has U\+200D\)/],
  ['a word joiner', 'pr\u2060od', /invisible characters \(it has U\+2060\)/],
  ['a byte order mark inside', 'pr\uFEFFod', /invisible characters \(it has U\+FEFF\)/],
  ['a soft hyphen', 'pro\u00ADd', /invisible characters \(it has U\+00AD\)/],
  ['a Hangul filler', '\u3164', /invisible characters \(it has U\+3164\)/],
  ['a tag character', 'prod\u{E0041}', /invisible characters \(it has U\+E0041\)/],
  ['a control character', 'pro\u0007d', /control characters or line breaks/],
];

describe('v1 displayName', () => {
  it.each(HOSTILE)('refuses %s with a clear message', async (_name, displayName, message) => {
    const res = await v1('POST', '', { displayName });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(message) });
    expect(res.json.error.message).toMatch(/^displayName /);
  });

  it('keeps emoji, with their joiners and variation selectors, and other scripts', async () => {
    for (const displayName of ['👨‍💻 team', '❤️ love', '1️⃣ first', 'Ελληνικά', 'مفتاح', '日本語のキー', 'Zoë 👩🏽‍🔬']) {
      const res = await v1('POST', '', { displayName });
      expect(res.status, displayName).toBe(200);
      expect(res.json.accessKey.displayName).toBe(displayName.normalize('NFC'));
    }
  });

  it('stores NFC, and an NFD spelling of an existing name is the same name (409)', async () => {
    const made = await v1('POST', '', { displayName: NFD });
    expect(made.status).toBe(200);
    expect(made.json.accessKey.displayName).toBe(NFC);
    const { rows } = await s.sql.query('SELECT display_name FROM access_keys WHERE id = $1', [made.json.accessKey.accessKeyId]);
    expect(rows[0].display_name).toBe(NFC);
    const again = await v1('POST', '', { displayName: NFC });
    expect(again.status).toBe(409);
    expect(again.json.error.status).toBe('ALREADY_EXISTS');
    // A rename to the other spelling collides too.
    const other = await v1('POST', '', { displayName: 'other name' });
    expect((await v1('PATCH', `/${other.json.accessKey.accessKeyId}`, { displayName: NFD })).status).toBe(409);
  });
});

describe('console names', () => {
  const admin = () => acct.users.administrator;

  it('credential labels: hostile characters refused, NFC/NFD one label', async () => {
    const base = `/projects/${acct.projectId}/credentials`;
    for (const [, label, message] of HOSTILE) {
      const res = await admin().call('POST', base, { kind: 'basic', label });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const first = await admin().call('POST', base, { kind: 'hmac', label: NFD });
    expect(first.status, first.text).toBe(201);
    recordSecret(first.body.apiSecret);
    expect(first.body.credential.label).toBe(NFC);
    expect((await admin().call('POST', base, { kind: 'hmac', label: NFC })).status).toBe(409);
    const second = await admin().call('POST', base, { kind: 'hmac', label: 'second' });
    recordSecret(second.body.apiSecret);
    expect((await admin().call('PATCH', `${base}/${second.body.credential.credentialId}`, { label: NFD })).status).toBe(409);
  });

  it('project names: hostile characters refused, NFC/NFD one name', async () => {
    const res = await admin().call('POST', '/projects', { name: 'Prod\u202E' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/bidirectional control characters/);
    const made = await admin().call('POST', '/projects', { name: NFD });
    expect(made.status, made.text).toBe(201);
    expect(made.body.name).toBe(NFC);
    expect((await admin().call('POST', '/projects', { name: NFC })).status).toBe(409);
  });

  it('account names (the CLI path): hostile characters refused, NFC stored', async () => {
    await expect(createAccount(s.sql, 4, { name: 'Acme\u200B', adminEmail: `n-${Date.now()}@example.com`, adminPassword: 'Kq7-twelvech' })).rejects.toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^The account name must not contain invisible characters/),
    });
    const { account } = await createAccount(s.sql, 4, { name: NFD, adminEmail: `m-${Date.now()}@example.com`, adminPassword: 'Kq7-twelvech' });
    expect(account.name).toBe(NFC);
  });
});

describe('migration 0031 (existing names)', () => {
  it('rewrites stored names to NFC, except where two would become equal', async () => {
    const { rows: [p] } = await s.sql.query(
      "INSERT INTO projects (id, account_id, name) VALUES (gen_random_uuid(), $1, 'migration test') RETURNING id",
      [acct.accountId],
    );
    const insert = (name: string) =>
      s.sql.query("INSERT INTO access_keys (id, project_id, kind, display_name, secret_hash) VALUES (gen_random_uuid(), $1, 'basic', $2, 'x') RETURNING id", [p.id, name]);
    const lone = (await insert('Zoe\u0308')).rows[0].id;
    const twinA = (await insert('Ame\u0301lie')).rows[0].id;
    const twinB = (await insert('Am\u00e9lie')).rows[0].id;
    await s.sql.query(readFileSync(new URL('../migrations/0031_names_nfc.sql', import.meta.url), 'utf8').replace('-- Up Migration', ''));
    const name = async (id: string) => (await s.sql.query('SELECT display_name FROM access_keys WHERE id = $1', [id])).rows[0].display_name;
    expect(await name(lone)).toBe('Zo\u00eb');
    expect(await name(twinA)).toBe('Ame\u0301lie'); // would equal twinB: left as it was
    expect(await name(twinB)).toBe('Am\u00e9lie');
  });
});
