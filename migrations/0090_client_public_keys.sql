-- Up Migration
-- Keys that authenticate without a shared secret (issue 14): an access key may hold up to
-- five public keys (RFC 7517 JWKs, public members only), with which it signs client
-- assertions at /oauth2/token (private_key_jwt, RFC 7523). public_key_id is the key's
-- RFC 7638 thumbprint. Token settings hold what a key requires of its token requests (a
-- DPoP proof, RFC 9449). Both are read with the key at the token endpoint and cached,
-- so each change is announced as a change of the key (change_log, migrations/0010).
CREATE TABLE access_key_public_keys (
  access_key_id uuid NOT NULL REFERENCES access_keys (id) ON DELETE CASCADE,
  public_key_id text NOT NULL,
  alg           text NOT NULL CHECK (alg IN ('RS256', 'PS256', 'ES256', 'EdDSA')),
  jwk           jsonb NOT NULL,
  create_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (access_key_id, public_key_id)
);
CREATE UNIQUE INDEX access_key_public_keys_kid ON access_key_public_keys (access_key_id, (jwk ->> 'kid'));

CREATE TABLE access_key_token_settings (
  access_key_id uuid PRIMARY KEY REFERENCES access_keys (id) ON DELETE CASCADE,
  dpop_required boolean NOT NULL DEFAULT false,
  update_time   timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION keymint_access_key_part_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key_id uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.access_key_id ELSE NEW.access_key_id END;
  n      bigint;
BEGIN
  INSERT INTO change_log (kind, id) VALUES ('access_key', key_id) RETURNING seq INTO n;
  PERFORM pg_notify('keymint_changes', json_build_object('kind', 'access_key', 'id', key_id, 'seq', n)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER access_key_public_keys_changed
  AFTER INSERT OR UPDATE OR DELETE ON access_key_public_keys
  FOR EACH ROW EXECUTE FUNCTION keymint_access_key_part_changed();

CREATE TRIGGER access_key_token_settings_changed
  AFTER INSERT OR UPDATE OR DELETE ON access_key_token_settings
  FOR EACH ROW EXECUTE FUNCTION keymint_access_key_part_changed();

-- The jti of each client assertion and DPoP proof accepted at /oauth2/token, until the JWT
-- expires: the same jti again, on any instance, is refused (src/auth/jti-replays.ts). A
-- SHA-256 of the issuer and jti only; rows past expires_at are swept.
CREATE TABLE token_jtis_seen (
  digest     bytea PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX token_jtis_seen_expires_at ON token_jtis_seen (expires_at);
