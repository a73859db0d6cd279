-- Up Migration
-- Secret rotation with overlap (issue 14): a REST Basic key keeps its Key ID and holds at
-- most two secrets, the current one (secret_hash) and the previous one, which keeps working
-- until previous_secret_expire_time (judged at each use against the clock, like expire_time)
-- or until it is revoked. Both are digests (auth/secret-hash.ts),
-- or a bcrypt hash carried over from before digests. Each secret's last use is written in
-- batches (auth/secret-uses.ts), matched by its hash so a use never lands on the wrong one.
ALTER TABLE access_keys
  ADD COLUMN secret_create_time            timestamptz,  -- NULL: the key's create_time
  ADD COLUMN secret_last_use_time          timestamptz,
  ADD COLUMN previous_secret_hash          text,
  ADD COLUMN previous_secret_create_time   timestamptz,
  ADD COLUMN previous_secret_expire_time   timestamptz,
  ADD COLUMN previous_secret_last_use_time timestamptz;

-- A previous secret is a basic key's, with its creation and expiry. Past its expiry it no
-- longer matches; revoked (or a rotation with no overlap) its hash is cleared and
-- previous_secret_expire_time stays as the time it stopped working: a use of the key after
-- that time can only have been of the current secret.
ALTER TABLE access_keys
  ADD CONSTRAINT access_keys_previous_secret CHECK (
    previous_secret_hash IS NULL OR
    (previous_secret_expire_time IS NOT NULL AND previous_secret_create_time IS NOT NULL AND kind = 'basic')
  );

-- What authentication caches is every column but the batched last-use times: compared as a
-- whole row, so a column added later (by any migration) is announced without touching this.
DROP TRIGGER access_keys_changed ON access_keys;
CREATE TRIGGER access_keys_changed
  AFTER UPDATE ON access_keys
  FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'last_use_time' - 'secret_last_use_time' - 'previous_secret_last_use_time' - 'update_time')
        IS DISTINCT FROM
        (to_jsonb(NEW) - 'last_use_time' - 'secret_last_use_time' - 'previous_secret_last_use_time' - 'update_time'))
  EXECUTE FUNCTION keymint_access_key_changed();
