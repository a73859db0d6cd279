// Wires the running server: database (Postgres or the embedded default), migrations,
// master key, change feed, signing keys, token endpoint, services, HTTP listener.
// main.ts and the tests both start Keymint through startServer().
import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/open.js';
import { AccessKeysService } from './access-keys/service.js';
import { keyAuthenticator } from './auth/key-auth.js';
import { PageTokenCodec } from './kernel/page-token.js';
import { deriveKey, SealedBox } from './crypto/sealed-box.js';
import { resolveMasterKey } from './crypto/master-key.js';
import { checkMasterKey } from './crypto/master-key-check.js';
import { accessTokenVerifier, refusingBound } from './oauth/access-token-verifier.js';
import { cachedClientSource } from './oauth/adapter.js';
import { AccessKeyCache } from './auth/key-cache.js';
import { FailureLimiter } from './auth/failure-limiter.js';
import { unusableHash } from './auth/bcrypt-lane.js';
import { KeySecrets } from './auth/key-secrets.js';
import { KnownIds } from './auth/known-ids.js';
import { ProviderHost } from './oauth/provider-host.js';
import { tokenFastPath } from './oauth/token-fast-path.js';
import { ResidentKeys } from './auth/resident-keys.js';
import { secretGrant } from './oauth/secret-grant.js';
import { TokenTargets } from './oauth/token-targets.js';
import { KeymintResponse } from './oauth/token-response.js';
import { withRequestLog } from './http/request-log.js';
import { assertPortFree } from './http/port-check.js';
import { serveCommands } from './cli/serve.js';
import { SigningKeyRing } from './oauth/signing-keys.js';
import { Metrics } from './metrics/registry.js';
import { LastUseRecorder } from './access-keys/last-use.js';
import { SecretUses } from './auth/secret-uses.js';
import { SecretRotation } from './credentials/secret-rotation.js';
import { rotationConsoleRouter } from './credentials/rotation-routes.js';
import { AccessKeyRotation } from './access-keys/rotation.js';
import { KeySecretRemoval } from './access-keys/key-credentials.js';
import type { RevocationStreamOptions } from './oauth/revocation-stream.js';
import { rotationRouter } from './access-keys/rotation-routes.js';
import { RevocationStore, refusingRevoked } from './oauth/revocation-store.js';
import { revocationRouter } from './oauth/revocation-routes.js';
import { AuditRetention } from './audit/retention.js';
import { introspectionRouter } from './oauth/introspection.js';
import { HmacTickets } from './oauth/hmac-tickets.js';
import { hmacTokenHandler } from './oauth/hmac-token.js';
import { HmacReplays } from './auth/hmac-replays.js';
import { JtiReplays } from './auth/jti-replays.js';
import type { JwksFetch } from './oauth/client-assertions.js';
import { PublicKeysService } from './access-keys/public-keys-service.js';
import { ConsolePublicKeys } from './dashboard/public-keys.js';
import { keyCredentialsAtCreate } from './dashboard/key-credentials-at-create.js';
import { consolePublicKeysRouter } from './dashboard/public-keys-routes.js';
import { publicKeysRouter } from './access-keys/public-keys-routes.js';
import { MAX_SKEW_SECONDS } from './auth/hmac-auth.js';
import { startMetricsListener } from './http/metrics-endpoint.js';
import { clientAddressResolver } from './http/client-address.js';
import { consoleApi } from './dashboard/console-api.js';
import { CredentialsService } from './credentials/service.js';
import { credentialsRouter } from './credentials/routes.js';
import { AccountService } from './accounts/account-service.js';
import { gracefulServer, type GracefulServer } from './http/graceful-close.js';
import { HTTP_TIMEOUTS } from './http/timeouts.js';

/** Bounds of the shutdown steps; together well under the 10 s an orchestrator usually grants. */
export const SHUTDOWN = { drainMs: 7_000, flushMs: 1_500, databaseMs: 1_000 };

/** Waits for `work` at most `ms`; past that calls `late` and moves on (the work is abandoned). */
async function within(work: Promise<unknown>, ms: number, late: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  const done = await Promise.race([work.then(() => false, () => false), timedOut]);
  clearTimeout(timer);
  if (done) late();
}
import { accountRouter } from './accounts/routes.js';
import { startUsage, type Usage } from './usage/usage.js';
import { UsageService } from './usage/service.js';
import { usageConsoleRouter, usageV1Router } from './usage/routes.js';
import { countingAuthenticator } from './usage/refusals.js';
import { admitClientAssertions, countingExpiredKeys, gateClientSecrets } from './oauth/usage-gate.js';
import { ApiCatalog } from './apis/catalog.js';
import { KeyGrants } from './apis/key-grants.js';
import { ApisService } from './apis/service.js';
import { apisRouter } from './apis/routes.js';
import { importConfiguredApiOnce } from './apis/configured-api.js';

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly database: Database;
  readonly metrics: Metrics;
  /** The METRICS_PORT listener's URL, when there is one. */
  readonly metricsUrl?: string;
  /** Usage counting and quotas; undefined with USAGE_COUNTING=off. */
  readonly usage?: Usage;
  /** The keys judged from memory (auth/resident-keys.ts). */
  readonly resident: ResidentKeys;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** The clock of usage buckets and quota windows (tests move it forward). */
  now?: () => number;
  /** How the token endpoint fetches a key's jwks_uri (tests reach a local server with it). */
  fetchJwks?: JwksFetch;
  /** The revocation feed's event streams: heartbeat and lifetime (tests shorten them). */
  revocationEvents?: RevocationStreamOptions;
  /**
   * Who issues tokens for a Key Secret: Keymint's own grant (oauth/secret-grant.ts, the
   * default) or oidc-provider, which serves DPoP and client assertions in any case. Tests
   * compare the two (test/secret-grant-parity.test.ts).
   */
  tokenIssuer?: 'keymint' | 'oidc-provider';
}

export async function startServer(config: Config, log: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  // A node:cluster worker shares the primary's socket; the primary checked the port.
  if (!cluster.isWorker) await assertPortFree(config.port, config.host);
  const masterKey = await resolveMasterKey(config, log);
  const metrics = new Metrics();
  const database = await openDatabase(config, log, { onQuery: () => metrics.dbQueries.inc() });
  metrics.watchPool(database.db);
  const { db, feed } = database;
  let metricsListener: { server: Server; url: string } | undefined;
  let usage: Usage | undefined;
  try {
    usage = await startUsage({ config, db, log, registry: metrics.registry, now: options.now });
    const counted = usage?.recorder;
    const box = new SealedBox(masterKey);
    // Before anything sealed is written (a signing key for a new SIGNING_ALG, say).
    await checkMasterKey(db, box);
    const dummyHash = await unusableHash(config.bcryptCost);
    const known = new KnownIds({ db, log });
    void known.start();
    const resident = new ResidentKeys({ db, log, feed });
    metrics.watchResidentKeys(resident);
    void resident.start();
    const keys = new AccessKeyCache({ db, feed, metrics, known, resident, preparedReads: !database.embedded });
    const ring = await SigningKeyRing.start({ db, box, feed, log, alg: config.signingAlg, tokenTtlSeconds: config.tokenTtlSeconds });
    const retention = new AuditRetention({ db, log, days: config.auditRetentionDays });
    const lastUse = new LastUseRecorder({ db, log, flushMs: config.lastUseFlushMs });
    const limiter = new FailureLimiter({ db, log, perAddress: config.authFailuresPerAddress, perKey: config.authFailuresPerKey });
    const secretUses = new SecretUses({ db, log, flushMs: config.lastUseFlushMs });
    const secrets = new KeySecrets({ db, feed, keys, limiter, unusableHash: dummyHash, log, metrics, secretUses });
    const rotation = new SecretRotation({ db, feed, box });
    const tickets = new HmacTickets();
    const replays = new HmacReplays(db, log, MAX_SKEW_SECONDS);
    const jtis = new JtiReplays(db, log);
    const clients = cachedClientSource(secrets, config.tokenScopes);
    await importConfiguredApiOnce(db, config, log);
    const catalog = new ApiCatalog({ db, feed });
    const onTokenIssued = (keyId: string, projectId: string | undefined) => {
      lastUse.record(keyId);
      if (counted && projectId) counted.count(keyId, projectId, 'tokens');
    };
    const host = new ProviderHost({
      config, ring, clients: counted ? countingExpiredKeys(clients, keys, counted) : clients, secrets, tickets, jtis, catalog, log, metrics,
      onClientAssertion: counted && admitClientAssertions(counted),
      fetchJwks: options.fetchJwks,
      onTokenIssued,
      decorate: counted && ((provider) => gateClientSecrets(provider, counted)),
    });
    const accessKeys = new AccessKeysService({
      db,
      feed,
      pageTokens: new PageTokenCodec(deriveKey(masterKey, 'page-token')),
      bcryptCost: config.bcryptCost,
      maxKeysPerProject: config.maxKeysPerProject,
      grants: new KeyGrants(config.managementAudience),
    });
    const revocations = new RevocationStore({ db, feed, log, issuer: config.issuer, tokenTtlSeconds: config.tokenTtlSeconds, statements: metrics.revocationFeedStatements });
    await revocations.start();
    const verifyAccessToken = refusingRevoked(refusingBound(accessTokenVerifier(ring, config.issuer, config.managementAudience)), revocations);
    const keyAuth = keyAuthenticator({ keys, secrets, limiter, verifyAccessToken, lastUse, box, log, replays, db });
    const authenticator = counted ? countingAuthenticator(keyAuth, keys, counted) : keyAuth;
    const anyAudience = accessTokenVerifier(ring, config.issuer);
    const introspection = introspectionRouter({ secrets, verifyAccessToken: refusingRevoked(anyAudience, revocations), lastUse, log });
    const revocationRoutes = revocationRouter({ secrets, store: revocations, verifyAccessToken: anyAudience, log, events: options.revocationEvents });
    const signInLimiter = new FailureLimiter({ db, log, perAddress: config.signInFailuresPerAddress, perKey: config.signInFailuresPerEmail, scope: 'signin:' });
    const credentials = new CredentialsService({ db, feed, box, bcryptCost: config.bcryptCost, maxKeysPerProject: config.maxKeysPerProject, grants: new KeyGrants(config.managementAudience), pageTokens: new PageTokenCodec(deriveKey(masterKey, 'credential-page-token')), keyCredentials: keyCredentialsAtCreate() });
    const account = new AccountService({ db, feed, bcryptCost: config.bcryptCost, auditPageTokens: new PageTokenCodec(deriveKey(masterKey, 'audit-page-token')) });
    const usageService = new UsageService({ db, quotas: counted?.quotas });
    const apisService = new ApisService({ db, feed, managementAudience: config.managementAudience, maxTokenTtlSeconds: config.tokenTtlSeconds });
    const publicKeys = new PublicKeysService({ db, feed });
    const secretRemoval = new KeySecretRemoval({ db, feed });
    const routers = [accountRouter(account), credentialsRouter(credentials), rotationConsoleRouter(db, rotation), usageConsoleRouter(usageService), apisRouter(apisService), consolePublicKeysRouter(new ConsolePublicKeys({ db, service: publicKeys, secrets: secretRemoval }))];
    const api = consoleApi({ config, log, db, authenticator, signInLimiter, dummyHash, routers, metrics });
    let graceful: GracefulServer | undefined;
    const app = buildApp({ config, log, db, host, ring, accessKeys, authenticator, metrics, introspection, revocations: revocationRoutes, consoleApi: api, v1Routers: [usageV1Router(usageService), publicKeysRouter(publicKeys), rotationRouter(new AccessKeyRotation({ db, rotation }), secretRemoval)], isStopping: () => graceful?.closing ?? false });

    const hmacToken = hmacTokenHandler({ keys, box, limiter, tickets, replays, log, metrics, usage: counted, issuer: host.provider.issuer, clientAddress: clientAddressResolver(config.trustProxy) });
    const grant =
      options.tokenIssuer === 'oidc-provider'
        ? undefined
        : secretGrant({ issuer: config.issuer, secrets, targets: new TokenTargets({ config, catalog }), ring, clientAddress: clientAddressResolver(config.trustProxy), log, metrics, usage: counted, onTokenIssued });
    const server = createServer({ ...HTTP_TIMEOUTS, ServerResponse: KeymintResponse }, withRequestLog(log, tokenFastPath(host, metrics, log, app, { secretGrant: grant, hmac: hmacToken })));
    server.keepAliveTimeout = HTTP_TIMEOUTS.keepAliveTimeout;
    graceful = gracefulServer(server);
    if (config.metricsPort !== undefined) metricsListener = await startMetricsListener(config, metrics.registry);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;
    retention.start();
    // The embedded folder serves one process: `keymint` commands run here, through its control socket.
    const commands = database.embedded ? await serveCommands({ db, feed, config, log, masterKey }) : undefined;
    log.info({ url, issuer: config.issuer, embedded: !config.databaseUrl, metrics: metricsListener?.url }, 'keymint listening');

    let closing: Promise<void> | undefined;
    return {
      url,
      server,
      database,
      metrics,
      resident,
      metricsUrl: metricsListener?.url,
      usage,
      close: () =>
        (closing ??= (async () => {
          // Each step is bounded, so a hung database cannot hold the process (SHUTDOWN_MS in all).
          metricsListener?.server.close();
          metricsListener?.server.closeAllConnections();
          commands?.close();
          revocations.close(); // held long-polls answer now rather than hold the drain
          await graceful!.close(SHUTDOWN.drainMs);
          // After the last request, before the pool closes.
          await within(Promise.all([lastUse.close(), secretUses.close(), usage?.close()]), SHUTDOWN.flushMs, () =>
            log.warn({ keys: lastUse.pending, usage: usage?.recorder.pending }, 'shutdown: last use or usage counts of some keys not written (database too slow)'));
          ring.stop();
          limiter.stop();
          known.stop();
          replays.stop();
          jtis.stop();
          signInLimiter.stop();
          retention.stop();
          await within(database.close(), SHUTDOWN.databaseMs, () => log.warn('shutdown: the database connections did not close in time'));
        })()),
    };
  } catch (err) {
    metricsListener?.server.close();
    await usage?.close().catch(() => {});
    await database.close();
    throw err;
  }
}
