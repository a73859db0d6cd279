#!/usr/bin/env bash
# The npm package as a user installs it: `npm pack`, installed into an empty folder, its
# `keymint` command and its server started on the embedded database: /console/ must be
# served (200, not 503), and the package must hold no tests or benchmarks. Run after
# `npm run build`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${PORT:-3998}"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "${work}"' EXIT
fail() { echo "pack smoke: $*" >&2; exit 1; }
cd "${repo}"
tarball="$(npm pack --silent --pack-destination "${work}")"
tar -tzf "${work}/${tarball}" > "${work}/contents"
grep -q '^package/dist/console/index.html$' "${work}/contents" || fail "the package has no built console"
grep -q '^package/LICENSE$' "${work}/contents" || fail "the package has no LICENSE"
! grep -qE '^package/dist/(test|bench|examples)/' "${work}/contents" || fail "the package ships tests or benchmarks"
cd "${work}"
npm init -y >/dev/null
npm install --omit=dev --no-audit --no-fund --silent "./${tarball}"
[ "$(./node_modules/.bin/keymint --version)" = "$(node -p 'require("./node_modules/keymint/package.json").version')" ] || fail "keymint --version"
DATA_DIR="${work}/data" ./node_modules/.bin/keymint bootstrap --account Pack --project Pack --key Pack --json > boot.json
PORT="${port}" HOST=127.0.0.1 DATA_DIR="${work}/data" node node_modules/keymint/dist/src/main.js > server.log 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null || { cat server.log; fail "not ready"; }
status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port}/console/")"
[ "${status}" = 200 ] || fail "/console/ answered ${status}"
id="$(node -p 'require("./boot.json").accessKey.accessKeyId')"
secret="$(node -p 'require("./boot.json").secret')"
KEYMINT_KEY_SECRET="${secret}" ./node_modules/.bin/keymint token --key-id "${id}" --url "http://127.0.0.1:${port}" | grep -q '^eyJ' || fail "no token"
echo "pack smoke: ${tarball} installed: keymint command, console served, token issued"
