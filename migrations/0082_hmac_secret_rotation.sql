-- Up Migration
-- Secret rotation for REST HMAC credentials (issue 14): their secret is sealed, not hashed
-- (migrations/0005), so the previous one is kept sealed too, under the same rules as a REST
-- Basic key's previous digest (migrations/0080): until previous_secret_expire_time, or until
-- revoked (then cleared).
ALTER TABLE access_keys ADD COLUMN previous_secret_sealed text;

ALTER TABLE access_keys DROP CONSTRAINT access_keys_previous_secret;
ALTER TABLE access_keys
  ADD CONSTRAINT access_keys_previous_secret CHECK (
    (previous_secret_hash IS NULL AND previous_secret_sealed IS NULL) OR
    (previous_secret_expire_time IS NOT NULL AND previous_secret_create_time IS NOT NULL AND (
      (kind = 'basic' AND previous_secret_hash IS NOT NULL AND previous_secret_sealed IS NULL) OR
      (kind = 'hmac' AND previous_secret_sealed IS NOT NULL AND previous_secret_hash IS NULL)))
  );
