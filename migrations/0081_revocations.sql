-- Up Migration
-- The revocation feed (issue 14): what an offline verifier must refuse although the token's
-- signature and exp are fine. kind 'key': every token of that Key ID issued at or before
-- revoked_at (the key was deleted, or its tokens revoked with its previous secret); kind
-- 'token': the one token with that jti (RFC 7009 /oauth2/revoke), kept until its exp.
-- Expired keys are not stored: the feed reads them from access_keys.expire_time. Only IDs
-- and times: the feed is public. Entries older than the longest token lifetime are pruned
-- by the server (src/oauth/revocation-store.ts), which knows that lifetime.
CREATE TABLE revocations (
  kind       text NOT NULL CHECK (kind IN ('key', 'token')),
  id         text NOT NULL CHECK (length(id) BETWEEN 1 AND 200),
  revoked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- a token's exp; NULL for a key (kept for the longest token lifetime)
  expires_at timestamptz,
  PRIMARY KEY (kind, id)
);
CREATE INDEX revocations_revoked_at ON revocations (revoked_at);

-- The feed lists keys that expired within the longest token lifetime.
CREATE INDEX access_keys_expire_time ON access_keys (expire_time) WHERE expire_time IS NOT NULL;

-- A deleted key is revoked in the same transaction, whoever deletes it (API, console, CLI,
-- a cascade from its project or account, an operator's SQL).
CREATE FUNCTION keymint_access_key_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO revocations (kind, id) VALUES ('key', OLD.id::text)
    ON CONFLICT (kind, id) DO UPDATE SET revoked_at = excluded.revoked_at;
  RETURN NULL;
END $$;

CREATE TRIGGER access_keys_revoked
  AFTER DELETE ON access_keys
  FOR EACH ROW
  EXECUTE FUNCTION keymint_access_key_revoked();

-- Every instance learns of a new revocation through the change feed (migrations/0010).
ALTER TABLE change_log DROP CONSTRAINT change_log_kind_check;
ALTER TABLE change_log ADD CONSTRAINT change_log_kind_check CHECK (kind IN ('access_key', 'signing_keys', 'api', 'revocations'));

CREATE FUNCTION keymint_revocations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  INSERT INTO change_log (kind) VALUES ('revocations') RETURNING seq INTO n;
  PERFORM pg_notify('keymint_changes', json_build_object('kind', 'revocations', 'seq', n)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER revocations_changed
  AFTER INSERT OR UPDATE ON revocations
  FOR EACH STATEMENT
  EXECUTE FUNCTION keymint_revocations_changed();

-- A key created with an expiry changes the feed at that time: announced, so that every
-- instance schedules a re-read for it (an UPDATE of expire_time is announced as a key change).
CREATE TRIGGER access_keys_expiring
  AFTER INSERT ON access_keys
  FOR EACH ROW
  WHEN (NEW.expire_time IS NOT NULL)
  EXECUTE FUNCTION keymint_revocations_changed();
