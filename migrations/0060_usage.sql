-- Up Migration
-- Usage per credential (issue 16): tokens issued and authentication failures by reason, in
-- buckets of a minute, an hour and a day (src/usage/). Each instance counts in memory and adds
-- its counts with INSERT ... ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n, so the sums are
-- right across instances. key_id has no foreign key: a deleted key's history still adds up
-- in its project's totals; a deleted project takes its usage with it.
CREATE TABLE usage_counts (
  key_id       uuid        NOT NULL,
  granularity  text        NOT NULL CHECK (granularity IN ('minute', 'hour', 'day')),
  bucket       timestamptz NOT NULL,
  project_id   uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  tokens       bigint      NOT NULL DEFAULT 0,
  wrong_secret bigint      NOT NULL DEFAULT 0,
  expired      bigint      NOT NULL DEFAULT 0,
  rate_limited bigint      NOT NULL DEFAULT 0,
  quota        bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (key_id, granularity, bucket)
);
CREATE INDEX usage_counts_project ON usage_counts (project_id, granularity, bucket);
-- The retention sweep deletes by granularity and age.
CREATE INDEX usage_counts_age ON usage_counts (granularity, bucket);

-- Token quotas: per key, and a project's default for keys without their own. NULL = no limit.
CREATE TABLE key_quotas (
  key_id     uuid    PRIMARY KEY REFERENCES access_keys (id) ON DELETE CASCADE,
  project_id uuid    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  per_hour   integer CHECK (per_hour > 0),
  per_day    integer CHECK (per_day > 0)
);
CREATE TABLE project_quotas (
  project_id uuid    PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  per_hour   integer CHECK (per_hour > 0),
  per_day    integer CHECK (per_day > 0)
);

-- The Access keys page marks keys unused for this many days (a setting per account).
ALTER TABLE accounts ADD COLUMN unused_key_days integer NOT NULL DEFAULT 30 CHECK (unused_key_days BETWEEN 1 AND 3650);
