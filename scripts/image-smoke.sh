#!/usr/bin/env bash
# What the Dockerfile's runtime stage holds, checked without a Docker engine: production
# dependencies only (npm ci --omit=dev), the built dist/ and migrations/, then a server on
# the embedded database that must answer /readyz, serve the console and issue a token.
# Run after `npm run build`; with scripts/with-node.sh for the image's Node 22:
#   bash scripts/with-node.sh 22.23.3 bash scripts/image-smoke.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${PORT:-3999}"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "${work}"' EXIT
cp "${repo}/package.json" "${repo}/package-lock.json" "${work}/"
cp -r "${repo}/dist" "${repo}/migrations" "${work}/"
cd "${work}"
npm ci --omit=dev --no-audit --no-fund --silent
DATA_DIR="${work}/data" node dist/src/cli.js bootstrap --account Smoke --project Smoke --key Smoke --json > boot.json 2>/dev/null
NODE_ENV=production PORT="${port}" HOST=127.0.0.1 DATA_DIR="${work}/data" node dist/src/main.js > server.log 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null || { cat server.log; echo "not ready"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port}/console/")" = 200 ] || { echo "console not served"; exit 1; }
id="$(node -p 'require("./boot.json").accessKey.accessKeyId')"
secret="$(node -p 'require("./boot.json").secret')"
curl -sf -u "${id}:${secret}" -d grant_type=client_credentials "http://127.0.0.1:${port}/oauth2/token" | grep -q '"access_token"' || { echo "no token"; exit 1; }
echo "image smoke: node $(node --version), production dependencies only: ready, console served, token issued"
