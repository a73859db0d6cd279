// Reads the environment once, validates it and returns a frozen Config.
// A bad value stops start-up with a message naming the variable.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseTrustProxy, type TrustProxy } from './http/client-address.js';
import type { DbTimeouts } from './db/pool.js';

const ALGS = ['ES256', 'EdDSA', 'PS256', 'RS256'] as const;
export type SigningAlg = (typeof ALGS)[number];

const intIn = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .optional()
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const absoluteUri = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && /^[a-z][a-z0-9+.-]*:/i.test(v), 'must be an absolute URI');

const schema = z.object({
  PORT: intIn(0, 65535, 3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  ISSUER: absoluteUri
    .refine((v) => /^https?:\/\//.test(v) && !v.endsWith('/'), 'must be an http(s) URL without a trailing slash')
    .optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// connection URL')
    .optional(),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  TOKEN_TTL_SECONDS: intIn(60, 86400, 3600),
  TOKEN_AUDIENCE: absoluteUri.optional(),
  TOKEN_SCOPES: z
    .string()
    .trim()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e ]*$/, 'must be space-separated scope tokens')
    .default(''),
  SIGNING_ALG: z.enum(ALGS).default('ES256'),
  BCRYPT_COST: intIn(4, 15, 10),
  KEYMINT_MASTER_KEY: z
    .string()
    .trim()
    .refine((v) => /^[A-Za-z0-9_-]{43}$/.test(v), 'must be 32 random bytes in base64url (43 characters)')
    .optional(),
  KEYMINT_MASTER_KEY_FILE: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (typeof parsed !== 'object' || Array.isArray(parsed)) return parsed as TrustProxy;
      ctx.addIssue({ code: 'custom', message: (parsed as { error: string }).error });
      return z.NEVER;
    }),
  DB_POOL_SIZE: intIn(1, 200, 10),
  MAX_KEYS_PER_PROJECT: intIn(0, 1_000_000, 0),
  METRICS_PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a port number (0 picks a free one)')
    .optional()
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .pipe(z.number().int().max(65535, 'must be at most 65535').optional()),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  METRICS_TOKEN: z
    .string()
    .trim()
    .regex(/^[\x21-\x7e]{16,}$/, 'must be at least 16 printable characters without spaces (e.g. openssl rand -hex 32)')
    .optional(),
  DB_CONNECT_TIMEOUT_MS: intIn(100, 60_000, 5_000),
  DB_STATEMENT_TIMEOUT_MS: intIn(100, 600_000, 5_000),
  DB_LOCK_TIMEOUT_MS: intIn(10, 600_000, 2_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: intIn(100, 600_000, 10_000),
  LAST_USE_FLUSH_MS: intIn(10, 600_000, 5_000),
  AUTH_FAILURES_PER_ADDRESS: intIn(1, 1_000_000, 30),
  AUTH_FAILURES_PER_KEY: intIn(1, 1_000_000, 10),
  SESSION_TTL_HOURS: intIn(1, 720, 12),
  SIGNIN_FAILURES_PER_EMAIL: intIn(1, 1_000_000, 5),
  SIGNIN_FAILURES_PER_ADDRESS: intIn(1, 1_000_000, 20),
  AUDIT_RETENTION_DAYS: intIn(0, 36_500, 400),
  USAGE_COUNTING: z.enum(['on', 'off']).default('on'),
  USAGE_FLUSH_MS: intIn(100, 600_000, 5_000),
  USAGE_MINUTE_RETENTION_HOURS: intIn(1, 24 * 31, 48),
  USAGE_HOUR_RETENTION_DAYS: intIn(1, 3_660, 90),
  USAGE_DAY_RETENTION_DAYS: intIn(1, 36_500, 730),
  USAGE_PROJECT_METRICS: z.enum(['on', 'off']).default('off'),
  WORKERS: z
    .string()
    .trim()
    .regex(/^(auto|\d+)$/, 'must be a number of worker processes or "auto"')
    .optional()
    .transform((v) => (v === undefined ? 1 : v === 'auto' ? availableParallelism() : Number(v)))
    .pipe(z.number().int().min(1, 'must be at least 1').max(256, 'must be at most 256')),
});

/** Every environment variable Keymint reads (.env.example documents each; a test keeps them in step). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(schema.shape));

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly tokenTtlSeconds: number;
  /** The `aud` of a token fetched with no `resource` (TOKEN_AUDIENCE, else the issuer). */
  readonly tokenAudience: string;
  /** The management API's own audience (the issuer): v1 and the console API accept only tokens for it. */
  readonly managementAudience: string;
  readonly tokenScopes: readonly string[];
  readonly signingAlg: SigningAlg;
  readonly bcryptCost: number;
  readonly masterKey: string | undefined;
  /** A file holding the master key, created (mode 0600) on first start when missing: for containers. */
  readonly masterKeyFile: string | undefined;
  readonly logLevel: string;
  /** auto: human-readable on a terminal, JSON lines otherwise. */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  /** Reverse proxies in front (TRUST_PROXY): how the client address is found (http/client-address.ts). */
  readonly trustProxy: TrustProxy;
  readonly dbPoolSize: number;
  /** The most access keys a project may hold through the v1 API; 0: no limit. */
  readonly maxKeysPerProject: number;
  /** A listener of its own for GET /metrics (then not on the main port); see http/metrics-endpoint.ts. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  /** Bearer token that GET /metrics on the main port requires. */
  readonly metricsToken: string | undefined;
  /** Bounds on every wait for the database (src/db/pool.ts). */
  readonly dbTimeouts: DbTimeouts;
  /** How often batched lastUseTime updates are written. */
  readonly lastUseFlushMs: number;
  /** Failed authentications per minute before a client address / a key ID gets 429. */
  readonly authFailuresPerAddress: number;
  readonly authFailuresPerKey: number;
  /** Absolute lifetime of a dashboard session (its cookie's Max-Age). */
  readonly sessionTtlHours: number;
  /** Failed dashboard sign-ins per minute against one e-mail / from one address before a lock-out (429). */
  readonly signInFailuresPerEmail: number;
  /** Audit events older than this many days are deleted; 0 keeps them forever. */
  readonly auditRetentionDays: number;
  readonly signInFailuresPerAddress: number;
  /** node:cluster worker processes behind one port (Postgres only). */
  readonly workers: number;
  /** Usage counts per credential and token quotas (src/usage/); off: neither is counted nor enforced. */
  readonly usageCounting: boolean;
  /** How often usage counts are written and quota totals read back across instances. */
  readonly usageFlushMs: number;
  /** How many buckets of each granularity are kept. */
  readonly usageRetention: Readonly<{ minute: number; hour: number; day: number }>;
  /** Per-project token and failure totals on /metrics (never per key). */
  readonly usageProjectMetrics: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError('Invalid configuration:\n  WORKERS: more than one worker needs DATABASE_URL (the embedded database serves one process)');
  }
  const issuer = e.ISSUER ?? `http://localhost:${e.PORT}`;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    issuer,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    tokenAudience: e.TOKEN_AUDIENCE ?? issuer,
    managementAudience: issuer,
    tokenScopes: Object.freeze(e.TOKEN_SCOPES.split(' ').filter(Boolean)),
    signingAlg: e.SIGNING_ALG,
    bcryptCost: e.BCRYPT_COST,
    masterKey: e.KEYMINT_MASTER_KEY,
    masterKeyFile: e.KEYMINT_MASTER_KEY_FILE,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    trustProxy: e.TRUST_PROXY,
    dbPoolSize: e.DB_POOL_SIZE,
    maxKeysPerProject: e.MAX_KEYS_PER_PROJECT,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    metricsToken: e.METRICS_TOKEN,
    dbTimeouts: Object.freeze({
      connectMs: e.DB_CONNECT_TIMEOUT_MS,
      statementMs: e.DB_STATEMENT_TIMEOUT_MS,
      lockMs: e.DB_LOCK_TIMEOUT_MS,
      idleInTransactionMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    }),
    lastUseFlushMs: e.LAST_USE_FLUSH_MS,
    authFailuresPerAddress: e.AUTH_FAILURES_PER_ADDRESS,
    authFailuresPerKey: e.AUTH_FAILURES_PER_KEY,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    signInFailuresPerEmail: e.SIGNIN_FAILURES_PER_EMAIL,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    signInFailuresPerAddress: e.SIGNIN_FAILURES_PER_ADDRESS,
    workers: e.WORKERS,
    usageCounting: e.USAGE_COUNTING === 'on',
    usageFlushMs: e.USAGE_FLUSH_MS,
    usageRetention: Object.freeze({
      minute: e.USAGE_MINUTE_RETENTION_HOURS * 60,
      hour: e.USAGE_HOUR_RETENTION_DAYS * 24,
      day: e.USAGE_DAY_RETENTION_DAYS,
    }),
    usageProjectMetrics: e.USAGE_PROJECT_METRICS === 'on',
  });
}
