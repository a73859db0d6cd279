-- Up Migration
-- Console passwords (issue 15): an Administrator's reset gives a user a temporary password
-- that must be changed at the next sign-in. Until it is, that user's session may only
-- change the password, read who is signed in, and sign out (src/dashboard/console-auth.ts).
-- password_changed_at says when the password last changed (by its owner or by a reset).
ALTER TABLE users
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
  ADD COLUMN password_changed_at  timestamptz;
