-- Up Migration
-- Revocation that cannot be lost (issue 10). Every change that a cache on some instance
-- must see is written to change_log, and announced with pg_notify, by a trigger: in the
-- same transaction as the change itself, whoever makes it (the API, the console, the CLI,
-- a cascade from a deleted project or account, an operator's SQL). NOTIFY is delivered at
-- COMMIT or not at all; the log is the safety net that every instance polls each second,
-- so a notification lost on the way (listener cut, stalled, reconnecting) is still seen.
-- src/db/change-feed.ts reads it; rows older than an hour are pruned.
CREATE TABLE change_log (
  seq        bigserial PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('access_key', 'signing_keys')),
  id         uuid,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX change_log_created_at ON change_log (created_at);

CREATE FUNCTION keymint_access_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key_id uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
  n      bigint;
BEGIN
  INSERT INTO change_log (kind, id) VALUES ('access_key', key_id) RETURNING seq INTO n;
  PERFORM pg_notify('keymint_changes', json_build_object('kind', 'access_key', 'id', key_id, 'seq', n)::text);
  RETURN NULL;
END $$;

CREATE FUNCTION keymint_signing_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  INSERT INTO change_log (kind) VALUES ('signing_keys') RETURNING seq INTO n;
  PERFORM pg_notify('keymint_changes', json_build_object('kind', 'signing_keys', 'seq', n)::text);
  RETURN NULL;
END $$;

-- What authentication caches: a change of last_use_time (batched on every use) is not one.
CREATE TRIGGER access_keys_changed
  AFTER UPDATE ON access_keys
  FOR EACH ROW
  WHEN ((OLD.project_id, OLD.kind, OLD.secret_hash, OLD.secret_sealed, OLD.username, OLD.expire_time, OLD.display_name)
        IS DISTINCT FROM (NEW.project_id, NEW.kind, NEW.secret_hash, NEW.secret_sealed, NEW.username, NEW.expire_time, NEW.display_name))
  EXECUTE FUNCTION keymint_access_key_changed();

CREATE TRIGGER access_keys_deleted
  AFTER DELETE ON access_keys
  FOR EACH ROW
  EXECUTE FUNCTION keymint_access_key_changed();

CREATE TRIGGER signing_keys_changed
  AFTER INSERT OR UPDATE OR DELETE ON signing_keys
  FOR EACH STATEMENT
  EXECUTE FUNCTION keymint_signing_keys_changed();
