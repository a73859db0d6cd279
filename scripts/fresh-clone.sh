#!/usr/bin/env bash
# The README's first command, exactly, from a clean clone: `npm ci && npm run build &&
# npm start` in a fresh `git clone` of this repository, then, while that server runs on
# the embedded database, a first key made with `keymint` (through the server) and a token
# fetched with it. The clone is of the committed HEAD: uncommitted work is not in it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${PORT:-3997}"
trap 'kill -- -"${server:-0}" 2>/dev/null || kill "${server:-0}" 2>/dev/null || true; rm -rf "${work}"' EXIT
fail() { echo "fresh clone: $*" >&2; exit 1; }
git clone --quiet "${repo}" "${work}/keymint"
cd "${work}/keymint"
first="$(sed -n '/^```bash$/{n;p;q}' README.md | sed 's/ *#.*//')"
[ "${first}" = "npm ci && npm run build && npm start" ] || fail "the README's first command is now: ${first}"
set -m
( PORT="${port}" HOST=127.0.0.1 bash -c "${first}" > "${work}/start.log" 2>&1 ) &
server=$!
set +m
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null || { tail -30 "${work}/start.log"; fail "the server never became ready"; }
npx keymint bootstrap --account Fresh --project Fresh --key Fresh --json > "${work}/boot.json"
id="$(node -p "require('${work}/boot.json').accessKey.accessKeyId")"
secret="$(node -p "require('${work}/boot.json').secret")"
token="$(KEYMINT_KEY_SECRET="${secret}" npx keymint token --key-id "${id}" --url "http://127.0.0.1:${port}")"
[ "${token#eyJ}" != "${token}" ] || fail "no token"
echo "fresh clone: README's first command started the server; first key made while it runs; token issued"
