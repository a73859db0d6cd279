-- Up Migration
-- Each instance keeps a compact filter of the Key IDs that exist (src/auth/known-ids.ts), so
-- that a flood of made-up IDs costs no query; it learns the keys created since its last
-- look, on any instance or by SQL, with `WHERE create_time > $1` every second: this index
-- makes that read touch the new rows only.
CREATE INDEX IF NOT EXISTS access_keys_create_time ON access_keys (create_time);
