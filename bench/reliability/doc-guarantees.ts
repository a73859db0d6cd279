// The fixed text of docs/RELIABILITY.md: for each item of issue 6, what guarantees it in
// the code and which test proves it, with the command that runs that test. The measured
// figures are added by doc-figures.ts.
const run = (file: string) => `\`npx vitest run test/${file}\``;
const tested = (...files: string[]) => `Tested by ${files.map((f) => `\`test/${f}\` (${run(f)})`).join(', ')}.`;

export const bruteForce = `## Brute force and abuse

- **Budgets keyed on the source** (\`src/auth/failure-limiter.ts\`). A failed authentication (a wrong
  or unknown Key ID, secret, legacy username or password at \`POST /oauth2/token\`; Basic, Bearer or
  HMAC on \`/v1\`; the caller of \`POST /oauth2/introspect\`) counts, per minute, against the client
  address (\`AUTH_FAILURES_PER_ADDRESS\`, default 30), its network, /24 or /64 (16 times that), the
  credential named (\`AUTH_FAILURES_PER_KEY\`, default 10; its row ID when it exists, its canonical
  spelling when not: \`src/kernel/identifiers.ts\`) and the pair credential + address (the same 10),
  and against a ceiling for the whole instance (50 times the address budget).
- **Reserved before the comparison.** A check that costs bcrypt takes its place in every budget
  synchronously before it runs and gives it back when it succeeds, so a concurrent burst cannot race
  past a budget (the figures below). A check that costs nothing (a digest, an HMAC signature, a JWT)
  always runs; only its failures count. Over a budget: 429 with \`Retry-After\` (seconds to the end of
  the minute): \`temporarily_unavailable\` at the token endpoint and introspection, \`RESOURCE_EXHAUSTED\`
  on the API; an unknown key over budget gets the answer a known one gets.
- **A right secret is not refused for others' failures.** A Key Secret is checked before any budget,
  so the right one always gets its token. For bcrypt: a credential over its budget refuses only the
  addresses that failed against it and hears one clean attempt at a time (a backoff, not a lock); a
  network over its budget, and the instance over its ceiling, hold back unknown names only, never an
  existing credential presented from a clean address. An address over its own budget gets no
  database read: only an already cached key is still heard.
- **Shared by every instance.** Failures, never successes, are added to the Postgres table
  \`auth_failures\` (\`migrations/0003_auth_failures.sql\`, a row per bucket and minute) in one batched
  statement at most every 100 ms (\`src/auth/failure-queries.ts\`); an instance learns a bucket's shared
  count with its next failure there, so a cluster overshoots a budget by about one failure per other
  instance at most.
- **Secrets are digests** (\`src/auth/secret-hash.ts\`, \`src/auth/key-secrets.ts\`). A generated Key
  Secret (256 random bits) is stored as \`sha256$<base64url>\` and checked with one SHA-256 and a
  constant-time comparison. bcrypt remains for what a person chose (legacy passwords, console
  passwords) and for rows stored before digests, which verify once through the bcrypt queue and are
  then rewritten as their digest, exactly once across instances. ${tested('secret-digests.test.ts')}
- **Bounded bcrypt** (\`src/auth/bcrypt-lane.ts\`): at most two comparisons run at once (bcrypt and
  token signing share libuv's thread pool); at most 32 wait per priority, none longer than 800 ms;
  past either the answer is 503 (\`temporarily_unavailable\` / \`UNAVAILABLE\`) with \`Retry-After\` at
  once. Known credentials and users go before unknown names; a request whose client has gone is
  skipped.
- **Client address** (\`src/http/client-address.ts\`): the socket's, unless \`TRUST_PROXY\` is a hop
  count or a list of proxy addresses/CIDRs; then the right-most \`X-Forwarded-For\` entry that is not a
  trusted proxy (proxy-addr's rules), the same function for express, oidc-provider and the HMAC token
  path. \`TRUST_PROXY=true\`, which took the left-most entry the client writes, is refused at start
  with what to set. ${tested('trust-proxy.test.ts')}
- **Console sign-in** (\`POST /api/session\`: \`src/auth/passwords.ts\`, \`src/dashboard/sign-in.ts\`): a
  limiter of its own in the same table (\`SIGNIN_FAILURES_PER_EMAIL\` 5 and \`SIGNIN_FAILURES_PER_ADDRESS\`
  20 a minute; e-mails hashed in the bucket names) under the same rules. The e-mail is made canonical
  before the lookup; an unknown one is compared with a dummy hash of the same cost, behind known
  users. An address that failed on an e-mail over its budget gets 429 even with the right password,
  and no bcrypt runs; the user at a clean address signs in. Each failed sign-in of a real user is in
  the account's audit log, and the failure that reaches the e-mail's budget once more, as such.
  ${tested('session.test.ts')}

${tested('auth-attacks.test.ts', 'rate-limit.test.ts')} \`auth-attacks.test.ts\` performs the attacks of issue
11 (items 2-5): the concurrent bursts below, a deleted legacy credential under another spelling (\`vİvid\`),
one wrong secret from each of 10 addresses (the owner still gets its token, for a Key Secret, a legacy
password and a console user), 520 guesses from 20 neighbours in one /24 (a never-used key, a legacy
password and a sign-in from that /24 still succeed), and the loopback flood below. \`rate-limit.test.ts\`:
429 and \`Retry-After\` per address and only to it, the API sharing the address's budget, cached keys and
valid tokens passing a blocked address, an unknown key over budget answered like a known one, a budget
shared by two instances (read back from \`auth_failures\`), and \`X-Forwarded-For\` ignored without
\`TRUST_PROXY\`.

### Figures
`;

export const hardening = `## Other defences of issue 11

- **Audience**: the management API accepts only tokens whose \`aud\` names it (\`src/oauth/access-token-verifier.ts\`);
  a token minted for another API (\`TOKEN_AUDIENCE\`, \`resource\`) is 401 \`invalid_token\`. ${tested('token-audience.test.ts')}
- **HMAC replay** (\`src/auth/hmac-replays.ts\`, \`migrations/0030_hmac_signatures_seen.sql\`): each accepted signature
  is kept as a digest until its Date leaves the 5-minute window; the same signed request again, at any instance, is
  401 and mints no token, and is not counted as a guess. ${tested('hmac-replay.test.ts')}
- **\`Cache-Control: no-store\`** on every answer of the management and console APIs, the token endpoint and
  introspection (\`src/http/no-store.ts\`). ${tested('no-store.test.ts')}
- **\`/metrics\`** (\`src/http/metrics-endpoint.ts\`): on a listener of its own with \`METRICS_PORT\` (loopback by
  default), or on the main port only with \`Authorization: Bearer <METRICS_TOKEN>\`; with neither, to loopback peers
  only and never to a proxied request. ${tested('metrics-access.test.ts')}
- **Passwords** (\`src/accounts/user-input.ts\`, \`src/credentials/input.ts\`, \`src/kernel/common-passwords.ts\`): the
  most common leaked passwords (zxcvbn-ts's list, any case) are refused for console users and legacy credentials; a
  console password has at least 8 characters, 12 for an Administrator, and past 72 bytes (where bcrypt would stop
  reading) it is refused with an explicit error. ${tested('password-policy.test.ts')}
- **Names** (\`src/kernel/names.ts\`): stored in NFC (an NFD spelling is the same name); control, bidi-control and
  invisible characters refused with a message naming them. ${tested('names.test.ts')}
- **Embedded database**: a Unix socket in a 0700 folder of \`DATA_DIR\`, no TCP port, files 0600/0700 (\`src/db/embedded.ts\`;
  see Faults). ${tested('faults-embedded.test.ts')}
`;

export const enumerationText = `## Enumeration and timing

An unknown key, a deleted key, an expired key and a wrong secret get the same status and the same bytes, and the same
work: one SHA-256 digest and a constant-time comparison (\`src/auth/key-secrets.ts\`), bcrypt for none of them; a
failure is counted in every case. An unknown legacy username costs what a wrong legacy password costs: one bcrypt
comparison at the server's cost (against a hash nobody's password matches). What differs is the lookup: a made-up Key
ID is refused by a keyed Bloom filter of the existing Key IDs without a query (\`src/auth/known-ids.ts\`), while an
existing key not yet cached is read from the database, so the time can tell an existing Key ID from a made-up one
by about one query (the tables below). Key IDs are not secret (each is the \`sub\` and \`client_id\` of every token the
key gets); secrets and usernames are not told apart. Every failure is answered once it is counted in the shared table
(a batched statement at most every 100 ms, \`src/auth/failure-limiter.ts\`), which adds up to about 100 ms to its answer.
${tested('token-endpoint-errors.test.ts', 'access-keys-auth.test.ts', 'introspection.test.ts', 'key-lifecycle.test.ts')}
\`token-endpoint-errors.test.ts\` checks the bodies byte for byte (also with a browser \`Origin\`), and the cause of
equal work: it reads \`keymint_secret_comparisons_total\` and \`keymint_bcrypt_compares_total\` from \`/metrics\` around
each request and requires one comparison for a known key, an unknown UUID and a legacy-shaped name with a wrong
secret, none without a secret, and bcrypt only for the unknown username. The time itself is a figure, measured below.
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

// The faults section (issue 10): its figures come from test/faults-*.test.ts, not from this benchmark.
export const faults = `## Faults

Issue 10. Every figure below comes from the fault tests, which start **real Postgres 15 processes of their own**
(\`test/helpers/pg-cluster.ts\`: \`initdb\` into a temp folder as the \`postgres\` OS user, a free port, its socket in
that folder; stopped with \`pg_ctl stop -m immediate\`, frozen with SIGSTOP on the postmaster and every backend,
made read-only with \`ALTER SYSTEM\`, given a tablespace on an 8 MB tmpfs that is then filled; everything killed by
PID and unmounted afterwards), a TCP proxy for cuts, black holes and lost notifications (\`test/helpers/pg-proxy.ts\`),
and Keymint as a child process under write and token load. For writes, the ledger of acknowledged operations is
checked in SQL afterwards: every acknowledged create is there, every acknowledged delete is gone
(\`test/helpers/fault-load.ts\`). The shared Postgres on 5432 is never touched.

**Reproduce:** \`npm run build && npx vitest run test/faults\` (the files \`test/faults-*.test.ts\`, about 1-2 minutes
each, in parallel). Each test prints its figures as \`FIGURE …\` lines. The figures here are from one run on the
2-core machine of 2026-12-01, with other test suites running beside it (load average 10-15).

### What guarantees it

- **No exit on a database fault** (single process and \`WORKERS=n\`): every pg client has an \`'error'\` listener,
  including a transaction's client while it is checked out (\`src/db/pool.ts\`, \`withTransaction\`) and the LISTEN
  connection (\`src/db/change-feed.ts\`); a stray rejection is logged, not fatal (\`src/main.ts\`).
- **Errors mapped in one place** (\`src/db/db-errors.ts\`, used by \`src/http/error-handler.ts\` and by every OAuth
  error path through \`isTemporaryFault\`): SQLSTATE classes \`08\` (connection), \`25006\` (read-only transaction,
  hot standby), \`25P03\`, \`53\` (disk full, out of memory, too many connections), \`55P03\` (lock timeout), \`57014\`
  (statement timeout), \`57P0x\` (shutdown, crash, starting up), \`58\` (I/O) and the driver's own connection errors
  are **503 \`UNAVAILABLE\` with \`Retry-After\`** on the API and **503 \`temporarily_unavailable\`** with \`Retry-After\` at
  \`/oauth2/token\` and \`/oauth2/introspect\`; \`40001\` (serialization failure) and \`40P01\` (deadlock) are **409
  \`ABORTED\`** with \`Retry-After: 1\` (a retry by the client is right). Each change is one transaction, so none of
  these leaves anything half-written.
- **Bounded waits** (\`src/db/pool.ts\`, settings in README's configuration table): \`DB_CONNECT_TIMEOUT_MS\` (5 s, also
  the wait for a free pool connection), \`DB_STATEMENT_TIMEOUT_MS\` (Postgres \`statement_timeout\`, 5 s) plus a
  client-side read timeout 1 s longer for a server that hangs outright, \`DB_LOCK_TIMEOUT_MS\` (2 s),
  \`DB_IDLE_IN_TRANSACTION_TIMEOUT_MS\` (10 s), TCP keepalive. A connection whose query timed out or broke is
  destroyed, never handed out again, so the pool heals after a partition.
- **\`/readyz\`** (\`src/http/readiness.ts\`): a real statement on \`access_keys\` with its own 1.5 s bound; a hung or
  unreachable database or a locked table is 503 within about 1.5 s; a read-only database is ready (tokens are
  served) and says \`"database":"read-only"\`; during shutdown 503.
- **Revocation that cannot be lost** (\`migrations/0010_change_log.sql\`, \`src/db/change-feed.ts\`): triggers on
  \`access_keys\` (a change of what authentication reads, or a delete, including cascades from a deleted project or
  account) and on \`signing_keys\` write a \`change_log\` row **and** \`pg_notify\` in the change's own transaction,
  whoever makes it (API, console, CLI, SQL). Every instance LISTENs and polls \`change_log\` every second on the same
  connection: the poll is the heartbeat (a silently stalled connection fails it within 1.5 s and is replaced) and
  the safety net (what a lost or missed notification carried is read from the log; sequence gaps are asked for
  again). A listener that was away reads what it missed from the log rather than flushing every cache; only after
  more than 30 minutes away (the log keeps an hour) are the caches flushed.
- **Shutdown within a bound** (\`src/http/graceful-close.ts\`, \`src/server.ts\`, \`src/main.ts\`): SIGTERM stops
  accepting; \`/readyz\` answers 503; requests in flight are answered with \`Connection: close\`; idle keep-alive
  connections are closed at once and the others as soon as they become idle; after 7 s whatever is still open is
  cut; \`lastUseTime\` is flushed with a 1.5 s bound and the pool closed with a 1 s bound; the process exits at the
  latest 10 s after SIGTERM whatever the database does.
- **\`WORKERS=n\`** (\`src/worker-supervisor.ts\`): a worker that exits is forked again; one that fails during start-up
  is forked again after a backoff doubling from 0.5 s to 8 s; when none is alive and start-up failed 6 times in a
  row, the primary exits **1** (it used to exit 0, which an \`on-failure\` restart policy ignores).
- **HTTP time limits** (\`src/http/timeouts.ts\`): the request head within 10 s and the whole request within 30 s, else
  408 and the connection is closed (Node checks them every second; its default check interval of 30 s had let a
  slow head run to 30 s and more).
- **Embedded store** (\`src/db/data-dir-lock.ts\`, \`src/db/embedded.ts\`): \`DATA_DIR\` is locked with flock(2) on
  \`DATA_DIR/keymint.lock\`, held by a small \`flock\` (util-linux) child for as long as the server lives; the kernel
  releases it however the holder ends (kill -9, PID 1 of a container stopping), no PID is compared, so a lock is
  never stale, and of two processes racing exactly one gets it. PGlite is served on a Unix socket in
  \`DATA_DIR/run\` (folder 0700, socket 0600), not on a TCP port; \`DATA_DIR\` and its files are made 0700/0600 at each
  start (issue 11, item 7). PGlite itself accepts any user name and password, so the socket's folder is what keeps
  other local users out; a process running as the same OS user (or root) can still reach it.
- **Master key safety** (\`migrations/0011_master_key_check.sql\`, \`src/crypto/master-key-check.ts\`,
  \`src/oauth/signing-keys.ts\`): a key-check value sealed with the first master key; every instance and every CLI
  command opens it **before writing anything sealed**, and refuses with a message saying so when it does not open
  (a database from before the check adopts it from a key that opens one of its signing keys). The signing-key ring
  leaves out any key its master key does not open: never selected, never published, the last key that opens keeps
  signing, and the instance still starts. \`keymint signing-keys list\` shows \`decryptable\`;
  \`keymint signing-keys prune-undecryptable\` removes such keys (refused with a wrong master key, and never all keys).

### Figures under faults

| Fault (test file) | Database-bound requests while it lasts | Warm tokens | \`/readyz\` | Recovery after the fault ends | Ledger |
| --- | --- | --- | --- | --- | --- |
| Every connection cut while transactions run (\`faults-outage\`) | 208 answers, all 503 + \`Retry-After\`, slowest 265 ms | 79, all 200 | 503 in 39 ms | 267 ms | 32 creates present, 26 deletes absent; process alive |
| \`pg_ctl stop -m immediate\` under load, then start (\`faults-outage\`) | 262, all 503 + \`Retry-After\`, slowest 251 ms | 184, all 200 | 503 in 42 ms | 203 ms after \`pg_ctl start\` returned | 28 / 24; alive |
| Postgres frozen (SIGSTOP) 12 s (\`faults-hang\`) | 11, all 503 + \`Retry-After\`, slowest 3.0 s | 7,217, all 200 | 503 in 1.5 s | 127 ms after SIGCONT | 35 / 24; alive |
| \`access_keys\` locked (ACCESS EXCLUSIVE) 8 s (\`faults-hang\`) | 13, all 503 + \`Retry-After\`, slowest 2.3 s (lock timeout) | 4,406, all 200 | 503 in 1.5 s | 60 ms | 31 / 25; alive |
| Partition: every connection silenced, no FIN/RST, 10 s (\`faults-hang\`) | 8, all 503 + \`Retry-After\`, slowest 3.1 s | 5,477, all 200 | 503 in 1.5 s | 85 ms after the partition healed (dead connections evicted) | 31 / 26; alive |
| Read-only (\`default_transaction_read_only\`, as a hot standby) (\`faults-readonly\`) | writes: 10, all 503 + \`Retry-After\`; reads 200 | 154, all 200 | 200 \`"database":"read-only"\` | 573 ms | 16 / 14 |
| Disk full (tables on a filled 8 MB tmpfs) (\`faults-readonly\`) | writes: 6, all 503 + \`Retry-After\`; reads 200 | 1,526, all 200 | 200 | 525 ms after space was freed | 66 / 57 |
| \`WORKERS=2\`, every connection cut (\`faults-workers\`) | 163, all 503 + \`Retry-After\`, slowest 247 ms | 63, all 200 | 503 in 115 ms | 357 ms; no worker exited | 28 / 24 |

- **Serialization failure and deadlock** (\`faults-readonly\`): \`40001\` and \`40P01\` produced by two real sessions map to
  409 \`ABORTED\` with \`Retry-After\`.
- **\`WORKERS=2\` with the database down at start** (\`faults-workers\`): workers re-forked after 0.5 s, then 1 s; serving
  2.9 s after the database came back. With a database that never comes: the primary exits 1 after the backoffs
  (\`workers keep failing during start-up; giving up\`).
- **Revocation, three instances** (\`faults-revocation\`; the time from the change's acknowledgement until every instance
  refuses the old credential at \`/oauth2/token\`):

  | Case | Refused everywhere after | Bound |
  | --- | --- | --- |
  | key deleted (v1 API), normal | 151 ms | 1 s |
  | legacy password changed (console), normal | 79 ms | 1 s |
  | credential removed (console), normal | 72 ms | 1 s |
  | NOTIFY lost (dropped by the proxy on its way to one instance) | 215 ms (the next poll) | 5 s |
  | that instance's LISTEN connection stalled (its backend SIGSTOPped: TCP up, nothing answers) | 2.6 s (stall noticed, connection replaced, log read) | 5 s |
  | the writer SIGKILLed right after its COMMIT | 133 ms | 5 s (1 s met) |
  | the database stopped (\`-m immediate\`) right after the delete, back 1 s later | 14 ms (the NOTIFY was out before the stop) | 5 s |

- **Shutdown** (\`faults-shutdown\`): SIGTERM with three requests in flight and the database frozen: each answered 503
  with \`Connection: close\` (after 5-6 s, the bounds above), the idle keep-alive connection closed, the process gone
  8.2 s after SIGTERM. \`test/rolling-restart.test.ts\` still restarts two instances one after the other under eight
  writers with no 5xx and no acknowledged write lost.
- **HTTP time limits** (\`faults-shutdown\`, raw sockets): a request head dribbled one byte per 0.5 s got 408 after
  10.7 s; a body dribbled the same way got 408 after 30.7 s.
- **Embedded store** (\`faults-embedded\`): a server that is PID 1 in its own PID namespace (\`unshare --pid --fork
  --mount-proc\`) killed -9 restarts at once, twice in a row (the old PID lock refused it for good: "in use by
  process 1"); two servers started together over a left lock file: exactly one opens the folder, the other stops
  with "in use by another Keymint process", twice, and the winners' acknowledged writes are there after restarts;
  the server listens on no TCP port but HTTP, the user \`nobody\` gets \`EACCES\` at its socket, and no file or folder
  in \`DATA_DIR\` is open to group or others.
- **Master key** (\`faults-master-key\`): \`signing-keys rotate\` with a mistyped key exits non-zero and adds no key; an
  instance with a wrong key and another \`SIGNING_ALG\` refuses to start and adds no key; a key sealed with another
  master key, inserted as the newest active key, is ignored by the running instance and by a new one (both keep
  signing with the good key, neither publishes it), \`list\` shows it \`decryptable: false\`, \`prune-undecryptable\`
  removes exactly it with the right key and nothing with the wrong one.

### What could not be run here

- A real hot-standby promotion or failover (a second cluster replicating): the read-only case is played with
  \`default_transaction_read_only\`, which gives the same SQLSTATE (25006) a standby gives.
- A full disk under the WAL (\`pg_wal\` on the tmpfs): Postgres then PANICs and restarts by design, which is the
  "stopped" case above; only relation files are on the small tablespace.
- Network faults below TCP (packet loss, delay, reordering with \`tc netem\`): not tried; the tests use a userspace
  proxy instead, whose black hole plays the worst of them (bytes vanish with no FIN or RST).
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
- /v1 bodies: up to 64 KiB of JSON, measured after decompression (413 INVALID_ARGUMENT over that, so a gzip bomb is refused). gzip, deflate and br accepted; a body that doesn't match its Content-Encoding is 400, an unknown encoding 415; a charset other than UTF-8 is 415, invalid UTF-8 400. displayName: 1–100 code points, no control characters, line separators or lone surrogates.
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
