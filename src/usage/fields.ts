// What is counted per credential, and the time buckets it is counted in (UTC).
export const FAILURE_REASONS = ['wrong_secret', 'expired', 'rate_limited', 'quota'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
export const USAGE_FIELDS = ['tokens', ...FAILURE_REASONS] as const;
export type UsageField = (typeof USAGE_FIELDS)[number];
export type UsageCounts = Record<UsageField, number>;

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const BUCKET_MS: Readonly<Record<Granularity, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The start of the bucket holding `at` (ms since the epoch; UTC days). */
export const bucketOf = (granularity: Granularity, at: number): number => at - (at % BUCKET_MS[granularity]);

export const zeroCounts = (): UsageCounts => ({ tokens: 0, wrong_secret: 0, expired: 0, rate_limited: 0, quota: 0 });
