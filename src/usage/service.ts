// The rules of the usage API: who may read a key's, a project's or an account's usage (as
// for credentials: every role of the account reads, a key reads its own project; only
// Administrators set quotas), and the report's shape: totals, one entry per bucket of the
// range (zero-filled), and per key its totals and tokens per bucket.
import { withTransaction, type Db } from '../db/pool.js';
import { recordAudit } from '../audit/audit-log.js';
import type { Actor } from '../kernel/actor.js';
import { ApiError } from '../kernel/api-error.js';
import { isUuid } from '../kernel/ids.js';
import { projectFor } from '../credentials/access.js';
import { requireAdministrator } from '../kernel/permissions.js';
import { BUCKET_MS, bucketOf, USAGE_FIELDS, zeroCounts, type Granularity, type UsageCounts } from './fields.js';
import * as q from './queries.js';
import type { QuotaBook } from './quota-book.js';

export interface UsageRange {
  granularity: Granularity;
  from: number;
  to: number;
}

/** The API's names of the counters. */
export interface Counts {
  tokens: number;
  wrongSecret: number;
  expired: number;
  rateLimited: number;
  quota: number;
}

export interface KeyUsage {
  /** v1: the key's ID; the console names a key by its credentialId instead. */
  accessKeyId?: string;
  credentialId?: string;
  /** The key's name; absent once the key is deleted. */
  label?: string;
  deleted?: true;
  totals: Counts;
  /** Tokens per bucket, in the order of `buckets`. */
  tokens: number[];
}

export interface UsageReport {
  granularity: Granularity;
  from: string;
  to: string;
  totals: Counts;
  buckets: Array<{ start: string } & Counts>;
  keys: KeyUsage[];
}

export interface Quota {
  tokensPerHour: number | null;
  tokensPerDay: number | null;
}

const toCounts = (c: UsageCounts): Counts => ({
  tokens: c.tokens,
  wrongSecret: c.wrong_secret,
  expired: c.expired,
  rateLimited: c.rate_limited,
  quota: c.quota,
});

function add(into: UsageCounts, row: UsageCounts): void {
  for (const f of USAGE_FIELDS) into[f] += Number(row[f]);
}

export type KeyNaming = 'accessKeyId' | 'credentialId';

/** Shapes series rows into a report; `naming` says how keys are named (v1 or console). */
export function toReport(range: UsageRange, rows: readonly q.SeriesRow[], naming: KeyNaming): UsageReport {
  const step = BUCKET_MS[range.granularity];
  const count = Math.round((range.to - range.from) / step);
  const buckets = Array.from({ length: count }, zeroCounts);
  const totals = zeroCounts();
  const keys = new Map<string, { row: q.SeriesRow; totals: UsageCounts; tokens: number[] }>();
  for (const row of rows) {
    const i = Math.round((row.bucket.getTime() - range.from) / step);
    if (i < 0 || i >= count) continue;
    add(buckets[i], row);
    add(totals, row);
    let key = keys.get(row.key_id);
    if (!key) keys.set(row.key_id, (key = { row, totals: zeroCounts(), tokens: new Array<number>(count).fill(0) }));
    add(key.totals, row);
    key.tokens[i] += Number(row.tokens);
  }
  return {
    granularity: range.granularity,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    totals: toCounts(totals),
    buckets: buckets.map((c, i) => ({ start: new Date(range.from + i * step).toISOString(), ...toCounts(c) })),
    keys: [...keys.values()]
      .sort((a, b) => b.totals.tokens - a.totals.tokens)
      .map(({ row, totals: t, tokens }) => ({
        ...(naming === 'accessKeyId' ? { accessKeyId: row.key_id } : row.credential_id ? { credentialId: row.credential_id } : {}),
        ...(row.credential_id === null ? { deleted: true as const } : row.display_name !== null ? { label: row.display_name } : {}),
        totals: toCounts(t),
        tokens,
      })),
  };
}

/** Buckets a report may hold at most (90 days of hours; 2 days of minutes). */
export const MAX_BUCKETS = 2_200;

/** Aligns a requested range to whole buckets: from down, to up. */
export function alignRange(granularity: Granularity, from: number, to: number): UsageRange {
  const step = BUCKET_MS[granularity];
  const start = bucketOf(granularity, from);
  const end = to % step === 0 ? to : bucketOf(granularity, to) + step;
  if (end <= start) throw ApiError.invalidArgument('from must be before to.');
  if ((end - start) / step > MAX_BUCKETS) {
    throw ApiError.invalidArgument(`The range holds more than ${MAX_BUCKETS} ${granularity} buckets; choose a shorter range or a coarser granularity (minute, hour, day).`);
  }
  return { granularity, from: start, to: end };
}

export class UsageService {
  constructor(private readonly deps: { db: Db; quotas?: QuotaBook }) {}

  async #key(actor: Actor, projectId: string, by: { id: string } | { credentialId: string }, manage = false) {
    const project = await projectFor(this.deps.db, actor, projectId, manage);
    const value = 'id' in by ? by.id : by.credentialId;
    const key = isUuid(value) ? await q.findProjectKey(this.deps.db, project.id, 'id' in by ? { id: value.toLowerCase() } : { credentialId: value.toLowerCase() }) : undefined;
    if (!key) throw ApiError.notFound(`There is no such key in project ${project.id}.`);
    return { project, key };
  }

  async keyUsage(actor: Actor, projectId: string, by: { id: string } | { credentialId: string }, range: UsageRange, naming: KeyNaming): Promise<UsageReport> {
    const { key } = await this.#key(actor, projectId, by);
    return toReport(range, await q.usageSeries(this.deps.db, { ...range, from: new Date(range.from), to: new Date(range.to), keyId: key.id }), naming);
  }

  async projectUsage(actor: Actor, projectId: string, range: UsageRange, naming: KeyNaming): Promise<UsageReport> {
    const project = await projectFor(this.deps.db, actor, projectId, false);
    return toReport(range, await q.usageSeries(this.deps.db, { ...range, from: new Date(range.from), to: new Date(range.to), projectId: project.id }), naming);
  }

  async accountUsage(actor: Actor, range: UsageRange): Promise<UsageReport> {
    if (actor.kind !== 'user') throw ApiError.permissionDenied('An account\'s usage is shown to its signed-in users; an access key reads its own project\'s.');
    return toReport(range, await q.usageSeries(this.deps.db, { ...range, from: new Date(range.from), to: new Date(range.to), accountId: actor.accountId }), 'credentialId');
  }

  settings(actor: Actor): Promise<UsageSettings> {
    return usageSettings(this.deps.db, actor);
  }

  setSettings(actor: Actor, settings: UsageSettings, address?: string): Promise<UsageSettings> {
    return setUsageSettings(this.deps.db, actor, settings, address);
  }

  async keyQuota(actor: Actor, projectId: string, credentialId: string): Promise<Quota> {
    const { key } = await this.#key(actor, projectId, { credentialId });
    return toQuota(await q.findKeyQuota(this.deps.db, key.id));
  }

  /** Sets (or, both null, removes) a key's quota; audited with the limits before and after. */
  async setKeyQuota(actor: Actor, projectId: string, credentialId: string, quota: Quota, address?: string): Promise<Quota> {
    const { project, key } = await this.#key(actor, projectId, { credentialId }, true);
    await withTransaction(this.deps.db, async (tx) => {
      const before = toQuota(await q.findKeyQuota(tx, key.id));
      await q.setKeyQuota(tx, key.id, project.id, quota.tokensPerHour, quota.tokensPerDay);
      await recordAudit(tx, {
        accountId: project.account_id,
        actor,
        action: 'quota.change',
        projectId: project.id,
        credential: { credentialId: key.credential_id, kind: key.kind, label: key.display_name },
        details: quotaChange(before, quota),
        address,
      });
    });
    this.deps.quotas?.setLimit('key', key.id, { perHour: quota.tokensPerHour, perDay: quota.tokensPerDay });
    return quota;
  }

  async projectQuota(actor: Actor, projectId: string): Promise<Quota> {
    const project = await projectFor(this.deps.db, actor, projectId, false);
    return toQuota(await q.findProjectQuota(this.deps.db, project.id));
  }

  /** Sets (or removes) the project's default quota; audited with the limits before and after. */
  async setProjectQuota(actor: Actor, projectId: string, quota: Quota, address?: string): Promise<Quota> {
    const project = await projectFor(this.deps.db, actor, projectId, true);
    await withTransaction(this.deps.db, async (tx) => {
      const before = toQuota(await q.findProjectQuota(tx, project.id));
      await q.setProjectQuota(tx, project.id, quota.tokensPerHour, quota.tokensPerDay);
      await recordAudit(tx, { accountId: project.account_id, actor, action: 'quota.change', projectId: project.id, details: { ...quotaChange(before, quota), projectDefault: true }, address });
    });
    this.deps.quotas?.setLimit('project', project.id, { perHour: quota.tokensPerHour, perDay: quota.tokensPerDay });
    return quota;
  }
}

const quotaChange = (before: Quota, after: Quota) => ({
  fromTokensPerHour: before.tokensPerHour,
  fromTokensPerDay: before.tokensPerDay,
  tokensPerHour: after.tokensPerHour,
  tokensPerDay: after.tokensPerDay,
});

export interface UsageSettings {
  /** The console marks keys without a token for this many days as unused. */
  unusedKeyDays: number;
}

const signedIn = (actor: Actor) => {
  if (actor.kind !== 'user') throw ApiError.permissionDenied("The account's usage settings belong to its signed-in users; an access key cannot read or change them.");
  return actor;
};

export async function usageSettings(db: Db, actor: Actor): Promise<UsageSettings> {
  const user = signedIn(actor);
  return { unusedKeyDays: (await q.findUnusedKeyDays(db, user.accountId)) ?? 30 };
}

export async function setUsageSettings(db: Db, actor: Actor, settings: UsageSettings, address?: string): Promise<UsageSettings> {
  const user = signedIn(actor);
  requireAdministrator(user, "change the account's usage settings");
  await withTransaction(db, async (tx) => {
    const before = (await q.findUnusedKeyDays(tx, user.accountId)) ?? 30;
    await q.setUnusedKeyDays(tx, user.accountId, settings.unusedKeyDays);
    await recordAudit(tx, { accountId: user.accountId, actor, action: 'account.usage_settings_change', details: { fromUnusedKeyDays: before, unusedKeyDays: settings.unusedKeyDays }, address });
  });
  return settings;
}

const toQuota = (row: q.QuotaRow | undefined): Quota => ({ tokensPerHour: row?.per_hour ?? null, tokensPerDay: row?.per_day ?? null });
