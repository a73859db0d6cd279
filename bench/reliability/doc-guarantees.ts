// The fixed text of docs/RELIABILITY.md: for each item of issue 6, what guarantees it in
// the code and which test proves it, with the command that runs that test. The measured
// figures are added by doc-figures.ts.
const run = (file: string) => `\`npx vitest run test/${file}\``;
const tested = (...files: string[]) => `Tested by ${files.map((f) => `\`test/${f}\` (${run(f)})`).join(', ')}.`;

export const bruteForce = `## Brute force and abuse

- **What limits it.** Every failed authentication (a wrong or unknown key at \`POST /oauth2/token\`,
  Basic or Bearer on the \`/v1\` management API, the caller of \`POST /oauth2/introspect\`) counts in
  two buckets: the client address and the Key ID (\`src/auth/failure-limiter.ts\`). The counts live
  in the Postgres table \`auth_failures\` (\`migrations/0003_auth_failures.sql\`: one row per bucket
  and one-minute window), so every instance sharing the database shares the budget. Budgets:
  \`AUTH_FAILURES_PER_ADDRESS\` (default 30 per minute) and \`AUTH_FAILURES_PER_KEY\` (default 10 per
  minute). The instance that records a failure over budget blocks the bucket in memory until the
  window ends; each instance lets through at most one failure beyond the shared budget.
- **Over budget** the answer is 429 with \`Retry-After\` in seconds (RFC 6585): \`temporarily_unavailable\`
  at the token endpoint and introspection, \`RESOURCE_EXHAUSTED\` on the API. An unknown key over
  budget gets exactly the answer a known one gets.
- **Working clients are not slowed.** Success never touches \`auth_failures\`. While an address or
  key is blocked, credentials that verify without bcrypt (a secret that verified before, a valid
  access token) still go through; anything else is refused before bcrypt runs, so guessing costs
  the server nothing. bcrypt itself runs at most two at a time (\`src/auth/bcrypt-lane.ts\`), so
  a flood of failures queues behind itself and never takes the thread-pool threads that token
  signing needs (see the soak figures: good tokens stay fast while bad ones wait).
- **Client address.** The socket's address, unless \`TRUST_PROXY\` names the proxies in front
  (a hop count or their addresses/CIDRs): then the right-most \`X-Forwarded-For\` entry that is
  not a trusted proxy (\`src/http/client-address.ts\`, proxy-addr's rules, one function for every
  path). Without it, the header is ignored.
- **Dashboard sign-in** (\`POST /api/session\`, \`src/dashboard/sign-in.ts\`) counts its failures
  through a \`FailureLimiter\` of its own, in the same shared table: \`SIGNIN_FAILURES_PER_EMAIL\`
  (5) per e-mail and \`SIGNIN_FAILURES_PER_ADDRESS\` (20) per address and minute. Past either,
  sign-in is locked for the rest of the minute (429 + \`Retry-After\`), even with the right
  password, and no bcrypt runs; the lock of a real user's e-mail is written once to the account's
  audit log. Tested by \`test/session.test.ts\`.

${tested('rate-limit.test.ts')} It covers 429 and \`Retry-After\` per address and only for that
address, the API sharing the address's budget, warm credentials and valid tokens passing a blocked
address, guessing at one key from many addresses (its warm owner still passes), an unknown key over
budget answered like a known one, a budget shared by two instances (the count read back from
\`auth_failures\`), and \`X-Forwarded-For\` ignored unless \`TRUST_PROXY\` is set.
`;

export const enumerationText = `## Enumeration and timing

An unknown key, a deleted key, an expired key and a wrong secret get the same status and the same
bytes. The time is the same because the work is: an unknown or deleted Key ID costs one bcrypt
comparison against a dummy hash of the server's cost (\`src/auth/client-secret.ts\`), exactly as a
wrong secret costs one against the real hash; a failure is counted in \`auth_failures\` in every case.
${tested('token-endpoint-errors.test.ts', 'access-keys-auth.test.ts', 'introspection.test.ts', 'key-lifecycle.test.ts')}
\`token-endpoint-errors.test.ts\` checks the bodies byte for byte (also with a browser \`Origin\`), and
the cause of equal timing: it reads \`keymint_bcrypt_compares_total\` from \`/metrics\` around each
request and requires exactly one comparison for a known key, an unknown UUID and a non-UUID Key ID
with a wrong secret, and none for a known or unknown key presented without a secret. The time itself
is a figure, measured below.
`;

export const keyLifecycle = `## Key lifecycle

- **\`expireTime\`** (optional, RFC 3339, on create only; PATCH refuses to change it) is checked
  against the clock at each use, never once when the key is cached: an expired key gets no token
  (the same 401 \`invalid_client\` as an unknown key), no Basic access, and its earlier tokens stop
  working on the API. ${tested('key-lifecycle.test.ts')}
- **\`lastUseTime\`** is recorded in memory on each token and each API authentication and written in
  batches (\`src/access-keys/last-use.ts\`): one \`UPDATE\` per flush for all keys used since the last
  one, every \`LAST_USE_FLUSH_MS\` (default 5 s), and once more on shutdown. The test counts the
  statements: a burst of token requests for several keys is exactly one \`UPDATE\`.
- **\`POST /oauth2/introspect\`** (RFC 7662, \`src/oauth/introspection.ts\`) is authenticated by a
  key (\`client_secret_basic\` or \`client_secret_post\`) and answers with the token's claims only for
  a live token of the caller's own project; \`active: false\` for a token whose key was deleted or
  has expired, an expired token, a wrong signature, a wrong issuer, \`alg: none\`, another
  project's token, or garbage. Unknown key, wrong secret and expired caller get one 401 body.
  ${tested('introspection.test.ts')}
`;

export const faults = `## Faults

- **Postgres down.** The server keeps running: tokens for keys whose secret verified before are
  still issued from the in-process caches; anything that needs the database answers 503:
  \`temporarily_unavailable\` at \`/oauth2/token\`, \`UNAVAILABLE\` with \`Retry-After\` on the API,
  never a 500, a crash or a driver message. It recovers by itself when the database returns.
  \`test/faults.test.ts\` cuts the connection with a TCP proxy (\`test/helpers/pg-proxy.ts\`) and
  restores it (${run('faults.test.ts')}).
- **Probes.** \`GET /healthz\`: the process is alive (200, no database). \`GET /readyz\`: the database
  answers \`SELECT 1\` (200), else 503. Both checked in the same test while the database is down,
  \`/readyz\` again when it is back.
- **SIGTERM** (\`src/main.ts\`, \`src/server.ts\`): stop accepting connections, let requests in flight
  finish, close idle keep-alive connections, flush \`lastUseTime\`, then close the pool and exit 0.
  \`test/rolling-restart.test.ts\` (${run('rolling-restart.test.ts')}) restarts two instances one
  after the other under eight writers: no 5xx, exit code 0, and every acknowledged create is in the
  database. \`test/key-lifecycle.test.ts\` checks the flush on shutdown; \`test/cli.test.ts\` (${run('cli.test.ts')})
  stops a two-worker cluster cleanly with SIGTERM.
`;

export const hostileInput = `## Hostile input

Property-based tests (fast-check, 150 runs per property, fixed seed \`20261122\`; \`FC_SEED=random\`
explores further) throw generated input at a real server: bodies, headers, query strings, path
segments, content types and encodings, \`__proto__\` and other prototype keys, SQL fragments, huge and
empty values, Unicode edge cases (lone surrogates, bidi controls, combining marks, NUL). Every answer:
never a 5xx, no stack trace, SQL or file path; after a 4xx the \`access_keys\` table is unchanged, after
a 2xx it holds exactly the change asked for; no token (nor \`active: true\`) without the key's secret.

- \`test/hostile-api.test.ts\` (${run('hostile-api.test.ts')}): paths, query strings and headers on \`/v1\`.
- \`test/hostile-bodies.test.ts\` (${run('hostile-bodies.test.ts')}): create and update bodies against a
  model of the rules, then each documented transport limit as an example.
- \`test/hostile-token.test.ts\` (${run('hostile-token.test.ts')}): form bodies, content types,
  credentials and headers at \`/oauth2/token\` and \`/oauth2/introspect\`; discovery and the JWKS.

**Request limits** (measured on Node 20 by test/hostile-bodies.test.ts).
- Request head (Node): URL plus all header names and values may total 16 KiB; over that, Node answers 431 with an empty body before any route runs. Only the first 2,000 headers are read. Duplicate Authorization, Content-Type and Host: the first one wins. Malformed request lines, conflicting Content-Length/Transfer-Encoding: 400 with an empty body. Headers must arrive within 10 s, the whole request within 30 s.
- /v1 bodies: up to 64 KiB of JSON, measured after decompression (413 PAYLOAD_TOO_LARGE over that, so a gzip bomb is refused). gzip, deflate and br accepted; a body that doesn't match its Content-Encoding is 400, an unknown encoding 415; a charset other than UTF-8 is 415, invalid UTF-8 400. displayName: 1–100 code points, no control characters, line separators or lone surrogates.
- /v1 query strings: the first 1,000 parameters are parsed; pageSize 1–1000, pageToken at most 512 characters; a repeated parameter is 400.
- POST /oauth2/token (oidc-provider): application/x-www-form-urlencoded only, at most 56 KiB (400 invalid_request over that), the first 1,000 parameters; a repeated parameter is 400.
- POST /oauth2/introspect: form only, up to 64 KiB (413 over that) and 100 parameters; tokens longer than 8,192 characters are inactive without being checked.
`;

export const secretHygiene = `## Secret hygiene

- **The whole suite's logs.** \`test/global-setup.ts\` gives every test server of the run a log file
  (at debug) in one directory, and every secret and token a test sees is recorded next to them
  (\`test/helpers/log-capture.ts\`). When all files have run, the logs are searched for every recorded
  value; one found fails the run, naming the log file and the kind of value, never the value. A run
  that recorded values but whose logs hold no request line fails too (the capture would be broken). This runs with
  every \`npm test\` and every \`npx vitest run\`, whichever files are selected.
- **One server at trace level.** \`test/secret-hygiene.test.ts\` (${run('secret-hygiene.test.ts')})
  exercises every sensitive path (secrets in Basic and in the body, right and wrong; Basic and Bearer
  on the API; a create; malformed, oversized and misplaced input; failing queries), then requires
  request and error lines in the log but no secret, token or \`Authorization\` value, and no response
  revealing a secret except the create that made it, or a token except the token response.
`;

export const securityHeaders = `## Security headers and CORS

helmet runs in front of every express route (\`src/app.ts\`); the token endpoint's fast path sets the
same headers, captured once from helmet (\`src/oauth/token-fast-path.ts\`, applied in
\`src/oauth/token-response.ts\`). JSON answers carry the OWASP REST set; the console's pages carry
helmet's full set under their own policy (\`src/http/security-headers.ts\`). CORS is closed and there is
no setting to open it: no route sends \`Access-Control-*\`, and the \`Access-Control-Allow-Origin\`
oidc-provider would add at the token endpoint is removed. Services call Keymint from servers, not
from browser pages. Tested by \`test/token-endpoint-surface.test.ts\` (${run('token-endpoint-surface.test.ts')}:
token, discovery, JWKS and error responses; a browser preflight), \`test/access-keys-auth.test.ts\`
(${run('access-keys-auth.test.ts')}: API successes and errors), \`test/token-endpoint-errors.test.ts\`
and \`test/hostile-token.test.ts\` (no \`Access-Control-*\` on any generated request). The reliability
run also sweeps every route with a browser \`Origin\`:
`;
