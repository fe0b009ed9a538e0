#!/usr/bin/env bash
# Starts the portal with the demo catalog on embedded defaults (SQLite in
# memory, in-process queue): frontend on http://localhost:3000, backend on
# http://localhost:7007. Fetches Node 22 and installs dependencies first when
# needed. Extra arguments go to `backstage-cli repo start`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh
yarn install
exec yarn start "$@"
