// docs/HMAC.md: the string to sign as documented, its worked example, and the examples in
// curl/openssl, Node, Python and Go, each run for real against a server (one HMAC key each:
// two runs within one second would sign the same string, and a replay is refused).
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyHmacRequest } from '../src/auth/hmac-signature.js';
import { startTestServer, recordSecret, recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, raw } from './helpers/token-requests.js';

const run = promisify(execFile);
const doc = readFileSync(new URL('../docs/HMAC.md', import.meta.url), 'utf8');
const SECRET = 'hmac-example-secret-0123456789';
const DATE = 'Tue, 05 Mar 2024 09:07:03 GMT';

describe('the worked example in docs/HMAC.md', () => {
  const stringToSign = ['date: ' + DATE, 'x-Content-MD5: 505b454f37ac91c926a1ce163facbb15', 'POST /oauth2/token HTTP/1.1'].join('\n');

  it('shows the string to sign and signatures that HMAC gives', () => {
    expect(doc).toContain(['string to sign (3 lines):', stringToSign].join('\n'));
    for (const [alg, node] of [['hmac-sha256', 'sha256'], ['hmac-sha1', 'sha1']]) {
      const signature = createHmac(node, SECRET).update(stringToSign).digest('base64');
      expect(doc).toContain(`${alg.padEnd(11)} → ${signature}`);
    }
    const get = `date: ${DATE}\nGET /v1/projects/c1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b/accessKeys?pageSize=10 HTTP/1.1`;
    expect(doc).toContain('```\n' + get + '\n```');
    expect(doc).toContain(createHmac('sha256', SECRET).update(get).digest('base64'));
  });

  it('is what the server accepts', () => {
    const verdict = verifyHmacRequest({
      authorization: `hmac username="0190a6b2-7c1d-7e3f-8a4b-5c6d7e8f9a0b", algorithm="hmac-sha256", headers="date x-Content-MD5 request-line", signature="CnifPF68tW7IuzJDOscegEP3C0X60KhfloweW7K7f8U="`,
      method: 'POST',
      path: '/oauth2/token',
      headers: { date: DATE, 'x-content-md5': '505b454f37ac91c926a1ce163facbb15' },
      body: Buffer.from('grant_type=client_credentials'),
      secret: SECRET,
      now: new Date(DATE),
    });
    expect(verdict).toEqual({ ok: true, username: '0190a6b2-7c1d-7e3f-8a4b-5c6d7e8f9a0b' });
  });
});

describe('the examples', () => {
  let s: TestServer;
  let key: Bootstrapped;
  beforeAll(async () => {
    s = await startTestServer();
    key = await s.bootstrap();
  });
  afterAll(() => s?.close());

  async function hmacKey(label: string) {
    const made = await raw(`${s.url}/api/projects/${key.projectId}/credentials`, {
      method: 'POST',
      headers: { authorization: basicHeader(key.accessKey.accessKeyId, key.secret), 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'hmac', label }),
    });
    expect(made.status, made.text).toBe(201);
    recordSecret(made.json!.apiSecret as string);
    return { API_KEY: made.json!.apiKey as string, API_SECRET: made.json!.apiSecret as string };
  }

  it.each([
    ['curl + openssl', 'bash', ['examples/hmac/token.sh']],
    ['Node.js', process.execPath, ['examples/hmac/token.mjs']],
    ['Python 3', 'python3', ['examples/hmac/token.py']],
    ['Go', 'go', ['run', 'examples/hmac/token.go']],
  ] as const)('%s gets a token', async (name, command, args) => {
    const env = { ...process.env, KEYMINT_URL: s.url, ...(await hmacKey(name)), GOCACHE: process.env.GOCACHE ?? '/tmp/keymint-go-cache', GOFLAGS: '-mod=mod' };
    const { stdout } = await run(command, [...args], { env, timeout: 120_000 });
    const body = JSON.parse(stdout) as { access_token?: string; token_type?: string };
    expect(body.token_type).toBe('Bearer');
    expect(body.access_token).toEqual(expect.any(String));
    recordToken(body.access_token!);
  }, 150_000);
});
