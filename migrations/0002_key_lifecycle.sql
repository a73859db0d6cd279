-- Up Migration
-- Key lifecycle (issue 6): an optional expiry set at creation, and the time of the key's
-- latest use (a token issued, an API or introspection call authenticated by it), written
-- in batches by src/access-keys/last-use.ts. Neither changes update_time: using a key or
-- letting it expire is not a modification of it.

ALTER TABLE access_keys
  ADD COLUMN expire_time   timestamptz,
  ADD COLUMN last_use_time timestamptz;
