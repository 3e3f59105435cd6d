#!/usr/bin/env bash
# Outside check of the HTTP contract: schemathesis (from PyPI, cached in a venv) against the built
# server on a free port with a fresh embedded database, authenticated with a bootstrap admin
# token, over every operation of openapi.yaml with a bounded number of examples. Fails on any 5xx
# and on any response that breaks the spec. Always stops the server.
#
#   SCHEMATHESIS_MAX_EXAMPLES  examples per operation (default 30)
#   KEYPLANE_TOOLS_DIR         cache directory (default: $XDG_CACHE_HOME/keyplane-tools or ~/.cache/keyplane-tools)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ST_VERSION="4.32.5"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
cache="${KEYPLANE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keyplane-tools}"
venv="$cache/schemathesis-$ST_VERSION"
log() { echo "schemathesis.sh: $*" >&2; }

if [ ! -f "$venv/.installed" ]; then
  log "installing schemathesis $ST_VERSION into $venv"
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
  touch "$venv/.installed"
fi

if [ ! -f dist/control-plane/src/main.js ] || [ -z "${KEYPLANE_SKIP_BUILD:-}" ]; then
  log "building"
  npm run --silent build
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/keyplane-schemathesis.XXXXXX")"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export KEYPLANE_DATA_DIR="$work/data" HOST=127.0.0.1 PORT="$port" LOG_LEVEL=warn
unset DATABASE_URL KEYPLANE_MASTER_KEY

log "bootstrapping an organization in $KEYPLANE_DATA_DIR"
creds="$(node control-plane/bin/keyplane bootstrap --org schemathesis --admin schemathesis@example.com --json)"
token="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).token)' "$creds")"

log "starting the server on 127.0.0.1:$port"
node dist/control-plane/src/main.js >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log" >&2; log "the server exited"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null

# Checks: every one schemathesis has, except positive_data_acceptance. That check expects every
# schema-valid request to be accepted, but the contract has rules a schema cannot state, which
# answer documented 4xx to schema-valid input (seen in a run with the check on): an `after_cursor`
# this server did not issue → 400 invalid_cursor (cursors are opaque); a PATCH naming
# `permissions`/`internal_account_ids`/`expires_at` → 422 permissions_immutable (the schema admits
# them only to explain the refusal); a permission outside the catalog → 422 unknown_permission; an
# expiry in the past → 422 invalid_expiry / 400. Those answers are still checked by
# status_code_conformance, content_type_conformance and response_schema_conformance.
excluded="positive_data_acceptance"

log "running schemathesis ($MAX_EXAMPLES examples per operation)"
set +e
"$venv/bin/st" run openapi.yaml \
  --url "http://127.0.0.1:$port" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --exclude-checks "$excluded" \
  --max-examples "$MAX_EXAMPLES" \
  --phases examples,coverage,fuzzing,stateful \
  --workers 2 \
  --seed "${SCHEMATHESIS_SEED:-4242}" \
  --generation-database none \
  --request-timeout 20 \
  --no-color \
  --report junit --report-dir "$work/report"
status=$?
set -e
if grep -q '"level":"error"' "$work/server.log"; then
  log "the server logged errors:"
  grep '"level":"error"' "$work/server.log" | head -20 >&2
  status=1
fi
[ "$status" -eq 0 ] && log "passed" || log "FAILED (exit $status)"
exit "$status"
