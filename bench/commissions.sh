#!/usr/bin/env bash
# The Commissions page at scale (issue 10's target), on SQLite, without the
# payouts run of bench/payouts.sh: seeds the same store (AFFILIATES
# affiliates, default 10,000, with PER due commissions each, default 10,
# plus EXTRA pending/voided/refunded ones, default 100,000: 200,000 in all,
# over 180 days; bulk SQL through `examples/payouts.rs seed`), gives the
# commissions time-ordered ids as the app's UUIDv7 are (the seed's are
# random), then times, as seen from loopback, each with the
# totals by status the page shows above its table:
#   the first page and the next one, a status + date range, the same with an
#   affiliate search, an affiliate search alone, one affiliate's
#   commissions; and the API's list and totals beside the page.
# p50/p95 of time to first byte ≈ server time. Release build.
# KEEP=1 leaves the data directory (for EXPLAIN QUERY PLAN) and says where.
#
#   [KEEP=1] bash bench/commissions.sh [AFFILIATES] [PER] [EXTRA] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
AFFILIATES=${1:-10000}
PER=${2:-10}
EXTRA=${3:-100000}
REQUESTS=${4:-30}

cargo build --release --quiet --bin tributary --example payouts
BIN=$PWD/target/release/tributary
HELPER=$PWD/target/release/examples/payouts
WORK=$(mktemp -d /tmp/tributary-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TRIBUTARY_DATA_DIR=$WORK/data RUST_LOG=warn
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null
  wait 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: TRIBUTARY_DATA_DIR=$WORK/data"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "bench password 123" | "$BIN" create-admin --email bench@example.com --store Bench --slug bench >/dev/null
"$BIN" seed --store bench --affiliates "$AFFILIATES" | head -n 1
echo "Seeding $((AFFILIATES * PER)) due commissions ($PER per affiliate) and $EXTRA others:"
"$HELPER" seed bench "$PER" "$EXTRA" 2>/dev/null
# UUIDv7 order: the first 6 bytes are the creation time in milliseconds,
# so the newest id is the newest commission, as the keyset pages see it in
# the app. Ledger entries follow their commission's new id.
python3 - "$TRIBUTARY_DATA_DIR" <<'PY'
import datetime, glob, os, sqlite3, sys
db = sqlite3.connect(glob.glob(os.path.join(sys.argv[1], "*.db"))[0])
def v7(created_at):
    ms = int(datetime.datetime.fromisoformat(created_at).timestamp() * 1000)
    return ms.to_bytes(6, "big") + os.urandom(10)
db.create_function("v7", 1, v7)
db.executescript("""
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TEMP TABLE ids AS SELECT id AS old, v7(created_at) AS new FROM commissions;
CREATE UNIQUE INDEX temp.ids_old ON ids (old);
UPDATE ledger_entries SET commission_id = (SELECT new FROM ids WHERE old = commission_id) WHERE commission_id IS NOT NULL;
UPDATE commissions SET id = (SELECT new FROM ids WHERE old = commissions.id);
COMMIT;
ANALYZE;
""")
PY

TRIBUTARY_BIND=127.0.0.1:$PORT "$BIN" serve & SERVER=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

JAR=$WORK/jar
B=http://127.0.0.1:$PORT
curl -s -c "$JAR" -b "$JAR" -o /dev/null "$B/login"
TOKEN=$(awk '$6 == "tributary_csrf" {print $7}' "$JAR")
curl -s -c "$JAR" -b "$JAR" -o /dev/null -X POST "$B/login" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=bench@example.com" --data-urlencode "password=bench password 123"
TOKEN=$(awk '$6 == "tributary_csrf" {print $7}' "$JAR")
KEY=$(curl -s -b "$JAR" -c "$JAR" -X POST "$B/admin/api-keys" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "name=bench" | grep -o 'tb_[A-Za-z0-9_-]\{40,\}' | head -n 1 || true)

measure() { # label path [curl args]
  local label=$1 path=$2; shift 2
  local status; status=$(curl -s -b "$JAR" "$@" -o /dev/null -w '%{http_code}' "$B$path")
  [ "$status" = 200 ] || { echo "$label: HTTP $status for $path" >&2; exit 1; }
  for _ in $(seq 1 "$REQUESTS"); do
    curl -s -b "$JAR" "$@" -o /dev/null -w '%{time_starttransfer}\n' "$B$path"
  done | sort -n | awk -v label="$label" '{ t[NR] = $1 * 1000 } END {
    printf "  %-46s p50 %7.1f ms   p95 %7.1f ms   max %7.1f ms\n", label, t[int(NR*0.5)+1], t[int(NR*0.95)], t[NR] }'
}

FROM=$(date -u -d '90 days ago' +%Y-%m-%d)
UNTIL=$(date -u -d '30 days ago' +%Y-%m-%d)
RANGE="status=pending&from=$FROM&until=$UNTIL"
NEXT=$(curl -s -b "$JAR" "$B/admin/commissions" | grep -o 'after=[0-9a-f-]*' | head -n 1)
ONE=$(curl -s -b "$JAR" "$B/admin/commissions" | grep -o 'affiliates/[0-9a-f-]\{36\}' | head -n 1 | cut -d/ -f2)
echo "Commissions page, $((AFFILIATES * PER + EXTRA)) commissions, $REQUESTS requests each (time to first byte on loopback; totals included):"
measure "first page" "/admin/commissions"
measure "next page" "/admin/commissions?$NEXT"
measure "status=pending, 90 to 30 days ago" "/admin/commissions?$RANGE"
measure "the same, affiliate search \"fatima\"" "/admin/commissions?$RANGE&affiliate=fatima"
measure "affiliate search \"fatima\"" "/admin/commissions?affiliate=fatima"
measure "one affiliate" "/admin/commissions?affiliate_id=$ONE"
if [ -n "$KEY" ]; then
  echo "API, the same filters:"
  measure "GET /api/v1/commissions" "/api/v1/commissions" -H "Authorization: Bearer $KEY"
  measure "GET /api/v1/commissions?$RANGE" "/api/v1/commissions?$RANGE" -H "Authorization: Bearer $KEY"
  measure "GET /api/v1/commissions/totals" "/api/v1/commissions/totals" -H "Authorization: Bearer $KEY"
  measure "GET /api/v1/commissions/totals?$RANGE" "/api/v1/commissions/totals?$RANGE" -H "Authorization: Bearer $KEY"
else
  echo "(no API key made: API not timed)"
fi
