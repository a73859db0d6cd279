-- Up Migration
-- Signatures of HMAC-signed requests already accepted, kept until their Date leaves the
-- window: an exact replay (the same signature again) is refused on every instance
-- (src/credentials/hmac-replays.ts). A SHA-256 of the key and signature only; rows past
-- expires_at are swept.
CREATE TABLE hmac_signatures_seen (
  digest     bytea PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX hmac_signatures_seen_expires_at ON hmac_signatures_seen (expires_at);
