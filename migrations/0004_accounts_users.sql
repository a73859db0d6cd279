-- Up Migration
-- People of an account (issue 3): users sign in with email and password (bcrypt) and hold
-- one role. Emails are unique across every account, compared case-insensitively: the
-- column holds the lower-cased form only (a CHECK, not citext, so the embedded PGlite
-- needs no extension).
--
-- "An account always keeps at least one Administrator" is a rule across rows, which a
-- CHECK cannot state. The services enforce it: every change of a user's role and every
-- removal runs in one transaction that first takes SELECT ... FOR UPDATE on the account
-- row, then counts the account's Administrators. Two concurrent demotions of the last two
-- Administrators therefore take turns, and the second sees the first one's result.

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  email         text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('administrator', 'advanced', 'basic')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_email_unique UNIQUE (email)
);
CREATE INDEX users_account_id ON users (account_id);

-- An Administrator asks for verification (idempotent: the first request's time stays);
-- an operator grants it (verified_at, from 0001).
ALTER TABLE accounts ADD COLUMN verification_requested_at timestamptz;
