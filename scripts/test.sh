#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   unit tests, database tests on SQLite AND PostgreSQL, queue tests on Redis
#   (all through Jest via backstage-cli), then the browser smoke test.
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and Redis on
# 127.0.0.1:6379, or the URLs in the variables below; starts them when their
# Debian commands are there. Installs Debian's chromium (browser smoke test)
# and prometheus (promtool and a real Prometheus for the SLO rules and
# source tests) when they are missing.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh
[ -d node_modules ] || yarn install --immutable

export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-postgresql://postgres@127.0.0.1:5432}"
export OPS_TEST_REDIS_URL="${OPS_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
export CI="${CI:-true}" # no watch mode; unreachable services fail rather than skip

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if ! port_open 127.0.0.1 5432 && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
if ! port_open 127.0.0.1 6379 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no || true
fi
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null; then
  echo "test: installing Debian's ${missing[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1 ||
    echo "test: could not install ${missing[*]}"
fi

results="$(pwd)/.ci/results"
rm -rf "$results" && mkdir -p "$results"

echo "== unit, database and queue tests (jest)"
yarn backstage-cli repo test --json --outputFile="$results/jest.json" 2>&1 | tee "$results/jest.log" | grep -vE '^\s*$' | grep -E '^(PASS|FAIL)|●|Tests:|Test Suites:' || true

echo "== browser smoke test"
SMOKE_RESULT_FILE="$results/smoke.json" node scripts/smoke/smoke.mjs

node scripts/test-summary.mjs "$results/jest.json" "$results/smoke.json"
