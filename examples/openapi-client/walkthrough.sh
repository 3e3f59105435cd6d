#!/usr/bin/env bash
# The calls of walkthrough.ts, with curl. Exits non-zero when a call answers unexpectedly.
set -euo pipefail
: "${KEYPLANE_ORGANIZATION_ID:?export the KEYPLANE_ORGANIZATION_ID that npm start printed}"
: "${KEYPLANE_ADMIN_TOKEN:?export the KEYPLANE_ADMIN_TOKEN that npm start printed}"
API="${KEYPLANE_ENDPOINT:-http://127.0.0.1:4000}"
field() { node -p "const v = JSON.parse(process.argv[1]); $1" "$2"; }   # field 'v.id' "$JSON"
call() { curl -sS -w '\n%{http_code}' "$@"; }                           # the body, then the status
status() { printf '%s' "${1##*$'\n'}"; }
body() { printf '%s' "${1%$'\n'*}"; }

# 1. Create a read-only key with the admin token (bearer). The response carries the secret, once.
KEY=$(curl -sSf -X POST "$API/v1/api_keys" \
  -H "Authorization: Bearer $KEYPLANE_ADMIN_TOKEN" \
  -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $(node -p 'crypto.randomUUID()')" \
  -d '{"name": "read-only demo via curl", "permissions": ["*:read"]}')
KEY_ID=$(field v.id "$KEY")
KEY_SECRET=$(field v.secret "$KEY")
echo "1. created $KEY_ID with $(field 'v.permissions.join(", ")' "$KEY") (prefix $(field v.prefix "$KEY"))"

# 2. Use it: HTTP Basic organization_id:secret.
ME=$(curl -sSf -u "$KEYPLANE_ORGANIZATION_ID:$KEY_SECRET" "$API/v1/me")
LIST=$(curl -sSf -u "$KEYPLANE_ORGANIZATION_ID:$KEY_SECRET" "$API/v1/api_keys?per_page=100")
echo "2. as the key: GET /v1/me → $(field 'v.principal.type + " " + v.principal.id' "$ME"); GET /v1/api_keys → 200, active keys: $(field v.data.length "$LIST")"

# 3. Its request log (written in batches, every second by default).
sleep 1.5
LOG=$(curl -sSf -H "Authorization: Bearer $KEYPLANE_ADMIN_TOKEN" "$API/v1/api_keys/$KEY_ID/request_logs")
echo "3. request log: $(field 'v.data.map((e) => `${e.method} ${e.path} ${e.status}`).join("; ")' "$LOG")"

# 4. A write is refused: creating a key needs api_keys:write.
RES=$(call -u "$KEYPLANE_ORGANIZATION_ID:$KEY_SECRET" -X POST "$API/v1/api_keys" \
  -H 'Content-Type: application/json' -d '{"name": "sneaky", "permissions": ["*:read"]}')
[ "$(status "$RES")" = 403 ] || { echo "expected 403, got: $RES" >&2; exit 1; }
echo "4. as the key: POST /v1/api_keys → 403 $(field 'v.code + " (missing " + v.missing_permissions + ")"' "$(body "$RES")")"

# 5. Archive it with the admin token (add -H 'Content-Type: application/json'
#    -d '{"grace_period_seconds": 3600}' to keep it working for an hour, for a rotation).
ARCHIVED=$(curl -sSf -X POST -H "Authorization: Bearer $KEYPLANE_ADMIN_TOKEN" "$API/v1/api_keys/$KEY_ID/archive")
echo "5. archived $KEY_ID: status $(field v.status "$ARCHIVED") at $(field v.archived_at "$ARCHIVED")"

# 6. Refused after: 401 (the request log, not the response, says why).
RES=$(call -u "$KEYPLANE_ORGANIZATION_ID:$KEY_SECRET" "$API/v1/me")
[ "$(status "$RES")" = 401 ] || { echo "expected 401, got: $RES" >&2; exit 1; }
echo "6. as the key: GET /v1/me → 401 $(field v.code "$(body "$RES")")"
