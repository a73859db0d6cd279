-- Up Migration
-- Accounts own projects; projects own access keys. IDs are UUIDs made by the server
-- (access key IDs are UUIDv7, so ordering by id is creation order: keyset pagination).

CREATE TABLE accounts (
  id          uuid PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  verified_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
  id         uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, name)
);

CREATE TABLE access_keys (
  id           uuid PRIMARY KEY,
  project_id   uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  secret_hash  text NOT NULL,
  create_time  timestamptz NOT NULL DEFAULT now(),
  update_time  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT access_keys_display_name_unique UNIQUE (project_id, display_name)
);

-- Keyset pagination: WHERE project_id = $1 AND id > $2 ORDER BY id.
CREATE INDEX access_keys_project_id_id ON access_keys (project_id, id);

-- JWT signing keys, shared by every instance. The private JWK is sealed with
-- AES-256-GCM under KEYMINT_MASTER_KEY; the public JWK is published in the JWKS.
CREATE TABLE signing_keys (
  kid             text PRIMARY KEY,
  alg             text NOT NULL,
  public_jwk      jsonb NOT NULL,
  private_sealed  text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- published from created_at; signs from activates_at until a newer key activates
  activates_at    timestamptz NOT NULL
);
CREATE INDEX signing_keys_activates_at ON signing_keys (activates_at);
