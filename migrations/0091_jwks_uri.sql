-- Up Migration
-- A key's public keys may instead be published by the client at an https URL (its
-- jwks_uri, RFC 7591 §2), which oidc-provider fetches (2.5 s timeout, at most 8 KiB,
-- never to a special-use address) and caches for at least a minute or its max-age. A key
-- has inline public keys or a jwks_uri, never both (src/access-keys/public-keys-service.ts).
ALTER TABLE access_key_token_settings
  ADD COLUMN jwks_uri text CHECK (jwks_uri IS NULL OR (jwks_uri LIKE 'https://%' AND length(jwks_uri) <= 2048));
