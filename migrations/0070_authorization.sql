-- Up Migration
-- Authorization (issue 13): the APIs (resource servers) of an account, and what each access
-- key may get tokens for.
-- - apis: an account's APIs; identifier is the absolute URI a token for it names as `aud`
--   (unique per account), scopes the [{name, description}] it defines, token_ttl_seconds its
--   token lifetime (NULL: TOKEN_TTL_SECONDS).
-- - access_key_policies: a row makes a key's grants explicit (least privilege). A key with
--   no row keeps the Sinch model it had before this migration: tokens for the deployment's
--   API (TOKEN_AUDIENCE) and every API of its account, and management of its own project's
--   keys. Every key that exists when this runs has no row, so no running client breaks.
--   custom_claims: a small JSON object copied into the key's tokens.
-- - access_key_grants: an explicit key's grants; api_id NULL is Keymint's own management API.
-- Every change reaches the caches of every instance through change_log (0010): grants and
-- policies as the key's change, APIs as a change of their account's catalog.
CREATE TABLE apis (
  id                uuid PRIMARY KEY,
  account_id        uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  identifier        text NOT NULL CHECK (length(identifier) BETWEEN 1 AND 500),
  display_name      text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  scopes            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(scopes) = 'array'),
  token_ttl_seconds integer CHECK (token_ttl_seconds BETWEEN 60 AND 86400),
  create_time       timestamptz NOT NULL DEFAULT now(),
  update_time       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT apis_identifier_unique UNIQUE (account_id, identifier)
);

CREATE TABLE access_key_policies (
  access_key_id uuid PRIMARY KEY REFERENCES access_keys (id) ON DELETE CASCADE,
  custom_claims jsonb CHECK (custom_claims IS NULL OR (jsonb_typeof(custom_claims) = 'object' AND octet_length(custom_claims::text) <= 1024))
);

CREATE TABLE access_key_grants (
  access_key_id uuid NOT NULL REFERENCES access_key_policies (access_key_id) ON DELETE CASCADE,
  api_id        uuid REFERENCES apis (id) ON DELETE CASCADE,
  scopes        text[] NOT NULL DEFAULT '{}',
  is_default    boolean NOT NULL DEFAULT false,
  CONSTRAINT access_key_grants_unique UNIQUE NULLS NOT DISTINCT (access_key_id, api_id)
);
CREATE UNIQUE INDEX access_key_grants_one_default ON access_key_grants (access_key_id) WHERE is_default;
CREATE INDEX access_key_grants_api ON access_key_grants (api_id);

ALTER TABLE change_log DROP CONSTRAINT change_log_kind_check;
ALTER TABLE change_log ADD CONSTRAINT change_log_kind_check CHECK (kind IN ('access_key', 'signing_keys', 'api'));

-- The key's row in the caches holds its policy and grants: a change of either is the key's change.
CREATE FUNCTION keymint_access_key_authz_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key_id uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.access_key_id ELSE NEW.access_key_id END;
  n      bigint;
BEGIN
  INSERT INTO change_log (kind, id) VALUES ('access_key', key_id) RETURNING seq INTO n;
  PERFORM pg_notify('keymint_changes', json_build_object('kind', 'access_key', 'id', key_id, 'seq', n)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER access_key_policies_changed
  AFTER INSERT OR UPDATE OR DELETE ON access_key_policies
  FOR EACH ROW EXECUTE FUNCTION keymint_access_key_authz_changed();

CREATE TRIGGER access_key_grants_changed
  AFTER INSERT OR UPDATE OR DELETE ON access_key_grants
  FOR EACH ROW EXECUTE FUNCTION keymint_access_key_authz_changed();

-- An account's APIs are cached together (src/apis/catalog.ts): the change names the account.
CREATE FUNCTION keymint_api_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  account uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.account_id ELSE NEW.account_id END;
  n       bigint;
BEGIN
  INSERT INTO change_log (kind, id) VALUES ('api', account) RETURNING seq INTO n;
  PERFORM pg_notify('keymint_changes', json_build_object('kind', 'api', 'id', account, 'seq', n)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER apis_changed
  AFTER INSERT OR UPDATE OR DELETE ON apis
  FOR EACH ROW EXECUTE FUNCTION keymint_api_changed();

-- The accounts that existed before APIs did: at its next start, Keymint gives each of them
-- its TOKEN_AUDIENCE (with TOKEN_SCOPES) as a first API, once (src/apis/configured-api.ts).
CREATE TABLE apis_import_pending (account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE);
INSERT INTO apis_import_pending (account_id) SELECT id FROM accounts;
