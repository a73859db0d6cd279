#!/usr/bin/env bash
# What the Dockerfile's runtime stage holds, checked without a Docker engine: the files its
# COPY lines name are copied as they say (read from the Dockerfile itself), then checked
# (the server and console built, migrations, LICENSE; no tests, no benchmarks, no .env, a
# VOLUME for DATA_DIR), production dependencies installed (npm ci --omit=dev), and a server
# on the embedded database must answer /readyz, serve the console and issue a token.
# Run after `npm run build`; with scripts/with-node.sh for the image's Node 22:
#   bash scripts/with-node.sh 22.23.3 bash scripts/image-smoke.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${PORT:-3999}"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "${work}"' EXIT
fail() { echo "image smoke: $*" >&2; exit 1; }

# The runtime stage: the lines after the last FROM.
stage="$(awk '/^FROM /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "${repo}/Dockerfile")"
grep -q '^VOLUME \["/home/node/data"\]' <<<"${stage}" || fail "no VOLUME for DATA_DIR (/home/node/data)"
grep -q 'DATA_DIR=/home/node/data' <<<"${stage}" || fail "DATA_DIR is not the volume"
grep -q '^USER node' <<<"${stage}" || fail "the server does not run as the node user"
while read -r _ from src dest; do
  if [ "${from}" = "--from=build" ]; then
    mkdir -p "${work}/$(dirname "${dest}")"; cp -r "${repo}/${src#/app/}" "${work}/${dest}"
  else
    # COPY a [b …] dest: every word but the last is a source
    set -- ${from} ${src} ${dest}; last="${!#}"
    if [ $# -eq 2 ] && [ "${last%/}" = "${last}" ]; then cp -r "${repo}/$1" "${work}/${last}"; continue; fi
    for s in "${@:1:$(($#-1))}"; do mkdir -p "${work}/${last}"; cp -r "${repo}/${s}" "${work}/${last}"; done
  fi
done < <(grep '^COPY ' <<<"${stage}" | sed 's/^COPY //' | awk '{ if ($1 ~ /^--from=/) print "x", $1, $2, $3; else print "x", $0 }')

cd "${work}"
for must in dist/src/main.js dist/src/cli.js dist/console/index.html migrations/0001_foundation.sql LICENSE package-lock.json; do
  [ -e "${must}" ] || fail "the image lacks ${must}"
done
for never in dist/test dist/bench dist/examples node_modules/.bin/vitest .env; do
  [ ! -e "${never}" ] || fail "the image ships ${never}"
done
grep -q 'ln -s /app/dist/src/cli.js /usr/local/bin/keymint' <<<"${stage}" || fail "no keymint command on the PATH"
# .dockerignore keeps local installs, builds, data and secrets out of the build context.
for ignored in node_modules dist data .env; do
  grep -qx "${ignored}" "${repo}/.dockerignore" || fail ".dockerignore does not exclude ${ignored}"
done

npm ci --omit=dev --no-audit --no-fund --silent
[ ! -e node_modules/vitest ] || fail "dev dependencies installed"
[ "$(node dist/src/cli.js --version)" = "$(node -p 'require("./package.json").version')" ] || fail "keymint --version"
DATA_DIR="${work}/data" node dist/src/cli.js bootstrap --account Smoke --project Smoke --key Smoke --json > boot.json 2>/dev/null
NODE_ENV=production PORT="${port}" HOST=127.0.0.1 DATA_DIR="${work}/data" KEYMINT_MASTER_KEY_FILE="${work}/data/master.key" node dist/src/main.js > server.log 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null || { cat server.log; fail "not ready"; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port}/console/")" = 200 ] || fail "console not served"
[ -f "${work}/data/master.key" ] || fail "no master key made in the data volume on first start"
id="$(node -p 'require("./boot.json").accessKey.accessKeyId')"
secret="$(node -p 'require("./boot.json").secret')"
curl -sf -u "${id}:${secret}" -d grant_type=client_credentials "http://127.0.0.1:${port}/oauth2/token" | grep -q '"access_token"' || fail "no token"
echo "image smoke: node $(node --version), the Dockerfile's files only, production dependencies only: ready, console served, master key made, token issued"
