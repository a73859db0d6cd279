-- Up Migration
-- Keys without a shared secret (issue 14): a REST Basic key may hold public keys (or a
-- jwks_uri, migrations/0090-0091) and no secret at all; it then authenticates with client
-- assertions only (private_key_jwt). So a basic key's secret_hash may now be NULL. That it
-- keeps some way to authenticate (public keys or a jwks_uri) spans three tables and is held
-- by the services under a lock on the key's row (src/access-keys/key-credentials.ts).
-- Rows of the other kinds keep exactly their old rule; existing basic rows all have a
-- secret, so they pass the new check unchanged.
ALTER TABLE access_keys DROP CONSTRAINT access_keys_kind_secret;
ALTER TABLE access_keys
  ADD CONSTRAINT access_keys_kind_secret CHECK (
    (kind = 'basic'  AND secret_sealed IS NULL     AND username IS NULL) OR
    (kind = 'hmac'   AND secret_hash IS NULL       AND secret_sealed IS NOT NULL AND username IS NULL) OR
    (kind = 'legacy' AND secret_hash IS NOT NULL   AND secret_sealed IS NULL     AND username IS NOT NULL)
  );

-- A key without a secret has no previous one either: removing the secret ends both, and a
-- previous secret beside no current one would be a secret nobody can see or rotate.
ALTER TABLE access_keys
  ADD CONSTRAINT access_keys_secretless_no_previous CHECK (
    kind <> 'basic' OR secret_hash IS NOT NULL OR previous_secret_hash IS NULL
  );
