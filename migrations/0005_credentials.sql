-- Up Migration
-- Three kinds of credential per project (issue 3), kept in the access_keys table so that
-- one cache, one change feed, one last-use recorder and one delete serve them all:
--   basic  : API key (= id, the client_id) and a secret stored as a bcrypt hash (the v1 keys);
--   hmac   : API key (= id) and a secret that signs requests; the server needs it back to
--            check a signature, so it is sealed (AES-256-GCM under the master key, the id as
--            associated data), never stored in the clear and never hashed;
--   legacy : a username chosen by an Administrator and a password stored as a bcrypt hash.
-- credential_id is the console's handle for a credential: it is not a key value and
-- authenticates nothing, so lists can carry it while the API key stays behind "reveal".
ALTER TABLE access_keys
  ADD COLUMN kind          text NOT NULL DEFAULT 'basic' CHECK (kind IN ('basic', 'hmac', 'legacy')),
  ADD COLUMN credential_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN secret_sealed text,
  ADD COLUMN username      text,
  ALTER COLUMN secret_hash DROP NOT NULL;

ALTER TABLE access_keys
  ADD CONSTRAINT access_keys_credential_id_unique UNIQUE (credential_id),
  ADD CONSTRAINT access_keys_kind_secret CHECK (
    (kind = 'basic'  AND secret_hash IS NOT NULL AND secret_sealed IS NULL     AND username IS NULL) OR
    (kind = 'hmac'   AND secret_hash IS NULL     AND secret_sealed IS NOT NULL AND username IS NULL) OR
    (kind = 'legacy' AND secret_hash IS NOT NULL AND secret_sealed IS NULL     AND username IS NOT NULL)
  );

-- A legacy username is what a client presents as client_id at /oauth2/token: unique across
-- all accounts, compared case-insensitively.
CREATE UNIQUE INDEX access_keys_username_unique ON access_keys (lower(username)) WHERE username IS NOT NULL;

-- Labels are unique per project within a kind (the dashboard lists the kinds apart).
ALTER TABLE access_keys DROP CONSTRAINT access_keys_display_name_unique;
ALTER TABLE access_keys ADD CONSTRAINT access_keys_display_name_unique UNIQUE (project_id, kind, display_name);

-- Keyset pagination per kind (the v1 API lists basic keys only).
DROP INDEX access_keys_project_id_id;
CREATE INDEX access_keys_project_kind_id ON access_keys (project_id, kind, id);

-- What happened to an account's credentials and people, for its Administrators. Never a
-- secret: labels and usernames only. No foreign keys to projects or credentials: the
-- record of a deletion must outlive what was deleted.
CREATE TABLE audit_events (
  id               uuid PRIMARY KEY,  -- UUIDv7: time order
  account_id       uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  project_id       uuid,
  actor_type       text NOT NULL CHECK (actor_type IN ('user', 'access_key', 'anonymous')),
  actor_id         text,
  actor_name       text,
  action           text NOT NULL,
  credential_id    uuid,
  credential_kind  text,
  credential_label text,
  details          jsonb NOT NULL DEFAULT '{}',
  address          text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_account_id ON audit_events (account_id, id);

-- Dashboard sessions. The cookie carries a random token; the table keeps its SHA-256 only,
-- so a copy of the table signs nobody in.
CREATE TABLE sessions (
  token_hash   bytea PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
