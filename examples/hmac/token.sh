#!/usr/bin/env bash
# An HMAC-signed POST /oauth2/token with curl and openssl (docs/HMAC.md).
# Usage: KEYMINT_URL=http://localhost:3000 API_KEY=… API_SECRET=… ./token.sh
set -euo pipefail
body='grant_type=client_credentials'
date=$(LC_ALL=C TZ=GMT date -u '+%a, %d %b %Y %H:%M:%S GMT')
md5=$(printf '%s' "$body" | openssl dgst -md5 -r | cut -d' ' -f1)
string_to_sign="date: $date
x-Content-MD5: $md5
POST /oauth2/token HTTP/1.1"
signature=$(printf '%s' "$string_to_sign" | openssl dgst -sha256 -hmac "$API_SECRET" -binary | openssl base64 -A)
curl -sS -X POST "$KEYMINT_URL/oauth2/token" \
  -H "Date: $date" \
  -H "x-Content-MD5: $md5" \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  -H "Authorization: hmac username=\"$API_KEY\", algorithm=\"hmac-sha256\", headers=\"date x-Content-MD5 request-line\", signature=\"$signature\"" \
  --data-binary "$body"
