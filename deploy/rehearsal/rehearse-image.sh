#!/usr/bin/env bash
# Rehearses deploy/Dockerfile on this host, without Docker (see deploy/README.md,
# "Image rehearsal"): the build stage, the production install over the
# skeleton, then the runtime as the pods run it (read-only root, uid 1000,
# /tmp and /var/lib/ops-portal writable, the ConfigMap and a generated
# Secret), an API process and a worker process (`ops.api: false`) at once,
# against the local PostgreSQL and Redis.
#
#   sudo deploy/rehearsal/rehearse-image.sh        # from anywhere; needs root
#
# Environment:
#   REHEARSAL_SKIP_TSC=1       skip `yarn tsc` (CI already ran it)
#   REHEARSAL_SKIP_BUILD=1     reuse packages/backend/dist from an earlier `yarn build:backend`
#   REHEARSAL_KEEP=1           keep the temporary directory (app, data, logs)
#   REHEARSAL_APP=DIR          run the app a kept run prepared (DIR/app): no build, no install
#   REHEARSAL_STARTUP_SECONDS  how long a process may take to answer /health (default 150)
#   REHEARSAL_CONCURRENT_START=1  start the worker with the API, as a rollout does,
#                              instead of once the API has migrated the databases
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PLUGINS=(privacy slo evidence drills security) # packages/backend/src/index.ts
STARTUP_SECONDS="${REHEARSAL_STARTUP_SECONDS:-150}"
PG=(-h 127.0.0.1 -p 5432 -U postgres)
REDIS_URL_LOCAL=redis://127.0.0.1:6379

log() { printf '\n== %s (%ss)\n' "$*" "$SECONDS" >&2; }
fail() {
  printf '\nREHEARSAL FAILED: %s\n' "$*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || fail "run as root: the app must be owned by root, and the runtime needs uid 1000 and a mount namespace"

cd "$REPO"
# shellcheck source=/dev/null
. scripts/bootstrap.sh
NODE_DIR="$(dirname "$(dirname "$(command -v node)")")"

# Names of this run's databases (backend.database.prefix) and Redis keys (ops.queue.prefix).
RUN_ID="rehearsal_$(openssl rand -hex 4)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rehearse-image.XXXXXX")"
chmod 755 "$WORK"
APP="$WORK/app"
DATA="$WORK/data" # the /var/lib/ops-portal volume (a ReadWriteMany PVC, shared)
declare -A PIDS=() PORTS=() GRACE=()

# Findings this run noticed that do not fail it (printed in the summary).
FINDINGS=()

# Like the kubelet: SIGTERM, then SIGKILL after terminationGracePeriodSeconds.
stop_process() {
  local name=$1 pid=${PIDS[$1]:-} grace=${GRACE[$1]:-30} began=$SECONDS
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq $((grace * 2))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      FINDINGS+=("$name did not exit within the ${grace} s grace period after SIGTERM: Kubernetes kills it (SIGKILL)")
      kill -KILL "$pid"
    fi
  fi
  local status=0
  wait "$pid" 2>/dev/null || status=$?
  echo "$name exited with status $status, $((SECONDS - began)) s after SIGTERM" >&2
  unset "PIDS[$name]"
}

cleanup() {
  local status=$?
  for name in "${!PIDS[@]}"; do stop_process "$name"; done
  if [ "$status" != 0 ]; then
    for name in "${!PORTS[@]}"; do
      printf '\n-- last lines of %s (stdout, then stderr)\n' "$name" >&2
      tail -n 40 "$WORK/$name.stdout" >&2 2>/dev/null || true
      tail -n 20 "$WORK/$name.stderr" >&2 2>/dev/null || true
    done
  fi
  psql "${PG[@]}" -Atc "select datname from pg_database where datname like '${RUN_ID}\_%'" 2>/dev/null |
    while read -r db; do dropdb "${PG[@]}" --force "$db"; done
  redis-cli -u "$REDIS_URL_LOCAL" --scan --pattern "$RUN_ID:*" 2>/dev/null |
    xargs -r -n 500 redis-cli -u "$REDIS_URL_LOCAL" del >/dev/null
  if [ "${REHEARSAL_KEEP:-}" = 1 ]; then
    echo "kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT

DIST="$REPO/packages/backend/dist"

# --- Stage 1: build -----------------------------------------------------------
build_stage() {
  if [ "${REHEARSAL_SKIP_BUILD:-}" = 1 ]; then
    log "build: reusing packages/backend/dist"
  else
    if [ "${REHEARSAL_SKIP_TSC:-}" != 1 ]; then
      log "build: yarn tsc"
      yarn tsc
    fi
    log "build: yarn build:backend"
    yarn build:backend >"$WORK/build.log" 2>&1 || {
      tail -n 40 "$WORK/build.log" >&2
      fail "yarn build:backend"
    }
  fi
  [ -f "$DIST/skeleton.tar.gz" ] && [ -f "$DIST/bundle.tar.gz" ] || fail "no skeleton.tar.gz and bundle.tar.gz in $DIST"
}

# --- Stage 2: production dependencies over the skeleton -------------------------
deps_stage() {
  log "deps: yarn workspaces focus --all --production (skeleton in $APP)"
  mkdir "$APP"
  tar xzf "$DIST/skeleton.tar.gz" -C "$APP"
  cp -R .yarn "$APP/.yarn"
  cp .yarnrc.yml backstage.json yarn.lock package.json "$APP/"
  # The repository's cache: fast, and no network when it is complete. (The
  # Dockerfile's `yarn cache clean` is left out: it would empty this cache.)
  local cache_folder
  cache_folder="$(yarn config get cacheFolder)"
  (cd "$APP" && YARN_CACHE_FOLDER="$cache_folder" yarn workspaces focus --all --production) \
    >"$WORK/deps.log" 2>&1 || {
    tail -n 40 "$WORK/deps.log" >&2
    fail "yarn workspaces focus --all --production"
  }
}

# --- Stage 3: the runtime image -------------------------------------------------
image_stage() {
  log "runtime: bundle, configs, runbooks and templates; root-owned and read-only"
  tar xzf "$DIST/bundle.tar.gz" -C "$APP"
  cp app-config.yaml app-config.production.yaml "$APP/"
  cp -R runbooks "$APP/runbooks"
  cp -R templates "$APP/templates"
  chown -R root:root "$APP"
  chmod -R a+rX,go-w "$APP"
}

if [ -n "${REHEARSAL_APP:-}" ]; then
  APP="$(cd "$REHEARSAL_APP" && pwd)"
  log "reusing the app in $APP"
  build_done=$SECONDS deps_done=$SECONDS
else
  build_stage
  build_done=$SECONDS
  deps_stage
  deps_done=$SECONDS
  image_stage
fi
mkdir -p "$DATA"
chown 1000:1000 "$DATA"

# The Secret ops-portal-secrets, generated (deploy/README.md lists its keys).
random() { openssl rand -base64 32; }
SECRET_ENV=(
  POSTGRES_USER=postgres "POSTGRES_PASSWORD=$(random)" # trust auth: not checked
  "REDIS_URL=$REDIS_URL_LOCAL"
  OPS_AUDIT_KEY_ID=rehearsal-audit "OPS_AUDIT_KEY=$(random)"
  PRIVACY_IDENTIFIERS_KEY_ID=rehearsal-identifiers "PRIVACY_IDENTIFIERS_KEY=$(random)"
  "PRIVACY_SUBJECT_PEPPER=$(random)"
)
for region in EU US UK APAC; do
  SECRET_ENV+=("PRIVACY_${region}_KEY_ID=rehearsal-$region" "PRIVACY_${region}_MASTER_KEY=$(random)")
done
SECRET_ENV+=(
  "SLO_PAGERDUTY_ROUTING_KEY=$(openssl rand -hex 16)"
  "SLO_SLACK_TOKEN=xoxb-$(openssl rand -hex 16)"
  SLO_JIRA_EMAIL=rehearsal@example.com "SLO_JIRA_API_TOKEN=$(openssl rand -hex 16)"
  "EVIDENCE_BINDER_SIGNING_KEY=$(openssl genpkey -algorithm ed25519)"
)

# Findings of earlier rehearsals not fixed yet, each overridden here so the
# rest can be rehearsed; printed on every run. Delete an entry once fixed.
WORKAROUNDS=(
)

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# The container's environment, later entries winning: the Dockerfile's ENV,
# the ConfigMap (envFrom), the Secret (envFrom), the container's env, then
# what only the rehearsal needs (a free port instead of the pod's own network,
# the local services, names of its own for databases and Redis keys).
container_env() {
  local deployment=$1 port=$2
  local -a pod_env
  mapfile -d '' pod_env < <(node "$HERE/pod-env.mjs" deploy/base/configmap.yaml "deploy/base/$deployment")
  printf '%s\0' \
    PATH=/opt/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/home/node NODE_ENV=production NODE_OPTIONS=--no-node-snapshot \
    "${pod_env[@]}" "${SECRET_ENV[@]}" \
    POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=5432 \
    "PORTAL_BASE_URL=http://localhost:$port" "APP_CONFIG_backend_listen_port=$port" \
    "APP_CONFIG_backend_database_prefix=${RUN_ID}_" "APP_CONFIG_ops_queue_prefix=$RUN_ID" \
    "${WORKAROUNDS[@]}"
}

# Every ${VAR} of the production config must come from the pod's environment.
mapfile -d '' api_env < <(container_env backend.yaml 0)
missing=()
for var in $(grep -v '^[[:space:]]*#' app-config.production.yaml | grep -o '\${[A-Za-z0-9_]*}' | tr -d '${}' | sort -u); do
  printf '%s\n' "${api_env[@]}" | grep -q "^$var=" || missing+=("$var")
done
[ ${#missing[@]} = 0 ] || fail "app-config.production.yaml reads ${missing[*]}, which neither the ConfigMap nor the Secret sets"

start() {
  local name=$1 deployment=$2 port
  port="$(free_port)"
  PORTS[$name]=$port
  GRACE[$name]="$(grep -o 'terminationGracePeriodSeconds: *[0-9]*' "deploy/base/$deployment" | grep -o '[0-9]*$' || echo 30)"
  mkdir -p "$WORK/$name/root" "$WORK/$name/tmp" # the pod's root and its /tmp emptyDir
  chown 1000:1000 "$WORK/$name/tmp"
  local -a env
  mapfile -d '' env < <(container_env "$deployment" "$port")
  # The Dockerfile's WORKDIR and CMD.
  unshare --mount --propagation private \
    bash "$HERE/run-in-root.sh" "$WORK/$name/root" "$APP" "$DATA" "$WORK/$name/tmp" "$NODE_DIR" -- \
    env -i -C /app "${env[@]}" \
    node packages/backend --config app-config.yaml --config app-config.production.yaml \
    >"$WORK/$name.stdout" 2>"$WORK/$name.stderr" &
  PIDS[$name]=$!
  echo "$name: pid ${PIDS[$name]}, port $port" >&2
}

status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$1" || true; }

# Like the startup probe: /api/privacy/health answers once migrations have run.
wait_healthy() {
  local name=$1 url="http://127.0.0.1:${PORTS[$1]}/api/privacy/health" began=$SECONDS
  until [ "$(status_of "$url")" = 200 ]; do
    kill -0 "${PIDS[$name]}" 2>/dev/null || fail "$name exited before answering $url"
    ((SECONDS - began < STARTUP_SECONDS)) || fail "$name did not answer $url within $STARTUP_SECONDS s"
    sleep 1
  done
  echo "$name healthy after $((SECONDS - began)) s" >&2
}

expect_status() {
  local name=$1 path=$2 want=$3 got
  got="$(status_of "http://127.0.0.1:${PORTS[$name]}$path")"
  [ "$got" = "$want" ] || fail "$name: GET $path answered $got, expected $want"
  echo "$name: GET $path -> $got" >&2
}

# A scrape: one seen answering 500 right after start-up once in nine runs
# (not reproduced since). A non-200 is recorded as a FINDING with its body
# and tried again (up to three times, 2 s apart) before it fails the run.
expect_scrape() {
  local name=$1 path=$2 url="http://127.0.0.1:${PORTS[$1]}$2" attempt body got
  for attempt in 1 2 3; do
    body="$(curl -s --max-time 10 -w '\n%{http_code}' "$url" || true)"
    got="${body##*$'\n'}"
    if [ "$got" = 200 ]; then
      echo "$name: GET $path -> 200" >&2
      return 0
    fi
    FINDINGS+=("$name: GET $path answered $got (attempt $attempt): $(head -c 300 <<<"${body%$'\n'*}")")
    sleep 2
  done
  fail "$name: GET $path answered $got three times, expected 200"
}

log "runtime: API process (backend.yaml) and worker process (worker.yaml)"
[ ${#WORKAROUNDS[@]} = 0 ] || printf 'WORKAROUND for an open finding: %s\n' "${WORKAROUNDS[@]}" >&2
runtime_began=$SECONDS
start api backend.yaml
# Two processes migrating fresh databases at once fail (knex's
# MigrationLocked, or a duplicate lock table); see deploy/README.md.
if [ "${REHEARSAL_CONCURRENT_START:-}" = 1 ]; then
  start worker worker.yaml
  wait_healthy api
else
  wait_healthy api
  start worker worker.yaml
fi
wait_healthy worker

log "checks"
for plugin in "${PLUGINS[@]}"; do
  expect_status api "/api/$plugin/health" 200
  expect_scrape api "/api/$plugin/metrics" # what Prometheus scrapes (deploy/src/grafana.test.ts)
  expect_status worker "/api/$plugin/health" 200
done
# ops.api false: the worker mounts no plugin router, so not even the
# unauthenticated /metrics (any other route answers 401 before it can 404).
expect_status worker /api/privacy/metrics 404

for name in api worker; do stop_process "$name"; done

# Every stdout line an ECS document; nothing written where the image is
# read-only; nothing read from the repository.
for name in api worker; do
  out="$WORK/$name.stdout"
  [ -s "$out" ] || fail "$name wrote nothing to stdout"
  not_ecs="$(jq -R -r '. as $line | try (fromjson | if type == "object" and has("@timestamp") and ((.["ecs.version"] // .ecs.version?) != null) then empty else $line end) catch $line' "$out")"
  # Backstage's rootConfig service prints this before any logger exists
  # (backend-defaults rootConfigServiceFactory, console.log).
  if grep -q '^Loading config from ' <<<"$not_ecs"; then
    FINDINGS+=("$name: stdout line not in ECS (Backstage's rootConfig, before the logger): $(grep -m1 '^Loading config from ' <<<"$not_ecs" | cut -c1-80)...")
    not_ecs="$(grep -v '^Loading config from ' <<<"$not_ecs" || true)"
  fi
  [ -z "$not_ecs" ] || fail "$name: stdout lines that are not ECS JSON, e.g.:"$'\n'"$(head -n 5 <<<"$not_ecs")"
  problems="$(grep -h -E 'EROFS|EACCES|read-only file system|permission denied|'"$REPO" "$out" "$WORK/$name.stderr" | head -n 5 || true)"
  [ -z "$problems" ] || fail "$name: writes refused or repository paths in its logs:"$'\n'"$problems"
done

# --- Summary ------------------------------------------------------------------
log "summary"
for name in api worker; do
  lines=$(wc -l <"$WORK/$name.stdout")
  warnings=$(jq -R -r 'try (fromjson | select(."log.level" == "warn" or ."log.level" == "error") | "  [\(."log.level")] \(.message)") catch empty' "$WORK/$name.stdout" | sort | uniq -c | sort -rn)
  echo "$name: $lines ECS lines, $(wc -l <"$WORK/$name.stderr") stderr lines"
  [ -z "$warnings" ] || printf '%s warnings and errors:\n%s\n' "$name" "$warnings"
done
echo "bundle.tar.gz $(du -h "$DIST/bundle.tar.gz" | cut -f1), node_modules $(du -sh "$APP/node_modules" | cut -f1), app $(du -sh "$APP" | cut -f1)"
echo "data written: $(cd "$DATA" && find . -mindepth 1 -maxdepth 2 -type d | sort | tr '\n' ' ')"
echo "time: build $((build_done))s, deps $((deps_done - build_done))s, runtime $((SECONDS - runtime_began))s, total ${SECONDS}s"
[ ${#WORKAROUNDS[@]} = 0 ] || printf 'WORKAROUND (open finding): %s\n' "${WORKAROUNDS[@]}"
[ ${#FINDINGS[@]} = 0 ] || printf 'FINDING: %s\n' "${FINDINGS[@]}"
echo "REHEARSAL PASSED"
