#!/usr/bin/env bash
# Dashboards at scale (issue 11's targets): seeds a store on SQLite with
# VISITS visits, SALES attributed sales and as many commissions over the
# last 180 days — so a 90-day period and its previous period together read
# all of them — of which one "focus" affiliate has FOCUS_VISITS visits and
# FOCUS_SALES sales and commissions (a lead per ten visits). Then:
#   1. the services each dashboard calls, timed in process for 90 days (the
#      portal dashboard page is not built yet: its statistics are these);
#   2. the store dashboard page, GET /admin?period=90|30|7, as seen from
#      loopback (time to first byte ≈ server time). Release build.
#
#   bash bench/dashboards.sh [VISITS] [SALES] [FOCUS_VISITS] [FOCUS_SALES] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
VISITS=${1:-1000000}
SALES=${2:-200000}
FOCUS_VISITS=${3:-100000}
FOCUS_SALES=${4:-10000}
REQUESTS=${5:-20}
AFFILIATES=1000

cargo build --release --quiet --bin tributary --example dashboards
BIN=$PWD/target/release/tributary
HELPER=$PWD/target/release/examples/dashboards
WORK=$(mktemp -d /tmp/tributary-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TRIBUTARY_DATA_DIR=$WORK/data RUST_LOG=warn
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

echo "bench password 123" | "$BIN" create-admin --email bench@example.com --store Bench --slug bench >/dev/null
"$BIN" seed --store bench --affiliates "$AFFILIATES" | head -n 1
echo "Seeding $VISITS visits, $SALES sales and commissions (focus affiliate: $FOCUS_VISITS, $FOCUS_SALES):"
"$HELPER" seed bench "$VISITS" "$SALES" "$FOCUS_VISITS" "$FOCUS_SALES"

"$HELPER" time bench "$REQUESTS"

TRIBUTARY_BIND=127.0.0.1:$PORT "$BIN" serve & SERVER=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

JAR=$WORK/jar
B=http://127.0.0.1:$PORT
curl -s -c "$JAR" -b "$JAR" -o /dev/null "$B/login"
TOKEN=$(awk '$6 == "tributary_csrf" {print $7}' "$JAR")
curl -s -c "$JAR" -b "$JAR" -o /dev/null -X POST "$B/login" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=bench@example.com" --data-urlencode "password=bench password 123"

measure() { # label path
  local label=$1 path=$2
  local status; status=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' "$B$path")
  [ "$status" = 200 ] || { echo "$label: HTTP $status for $path" >&2; exit 1; }
  for _ in $(seq 1 "$REQUESTS"); do
    curl -s -b "$JAR" -o /dev/null -w '%{time_starttransfer}\n' "$B$path"
  done | sort -n | awk -v label="$label" '{ t[NR] = $1 * 1000 } END {
    printf "  %-44s p50 %7.1f ms   p95 %7.1f ms   max %7.1f ms\n", label, t[int(NR*0.5)+1], t[int(NR*0.95)], t[NR] }'
}

echo "Store dashboard page, $REQUESTS requests each (time to first byte on loopback):"
measure "GET /admin?period=90" "/admin?period=90"
measure "GET /admin?period=30" "/admin?period=30"
measure "GET /admin?period=7" "/admin?period=7"
