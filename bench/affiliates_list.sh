#!/usr/bin/env bash
# Affiliates list at scale: seeds N affiliates (default 100,000) into a fresh
# SQLite database, signs in, and times the list's first page, a deep page
# (~90 % down), a status tab, a name-sorted deep page and a search, as
# seen from loopback (time to first byte ≈ server time). Release build.
#
#   bash bench/affiliates_list.sh [N] [REQUESTS_PER_CASE]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
REQUESTS=${2:-30}

cargo build --release --quiet
BIN=$PWD/target/release/tributary
WORK=$(mktemp -d /tmp/tributary-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TRIBUTARY_DATA_DIR=$WORK/data RUST_LOG=warn
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

echo "bench password 123" | "$BIN" create-admin --email bench@example.com --store Bench --slug bench >/dev/null
SEED=$("$BIN" seed --store bench --affiliates "$N")
echo "$SEED" | head -n 1
DEEP=$(echo "$SEED" | sed -n 's/^deep cursor: //p')

TRIBUTARY_BIND=127.0.0.1:$PORT "$BIN" serve & SERVER=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

JAR=$WORK/jar
B=http://127.0.0.1:$PORT
curl -s -c "$JAR" -b "$JAR" -o /dev/null "$B/login"
TOKEN=$(awk '$6 == "tributary_csrf" {print $7}' "$JAR")
curl -s -c "$JAR" -b "$JAR" -o /dev/null -X POST "$B/login" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=bench@example.com" --data-urlencode "password=bench password 123"

SEARCH_TOKEN=$(curl -s -b "$JAR" "$B/admin/affiliates" | grep -o '<code>seed-[a-z0-9]*-[0-9]*' | head -n 1 | sed 's/<code>//')
NAME_CURSOR=$DEEP

measure() { # label path
  local label=$1 path=$2
  local status; status=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' "$B$path")
  [ "$status" = 200 ] || { echo "$label: HTTP $status for $path" >&2; exit 1; }
  for _ in $(seq 1 "$REQUESTS"); do
    curl -s -b "$JAR" -o /dev/null -w '%{time_starttransfer}\n' "$B$path"
  done | sort -n | awk -v label="$label" '{ t[NR] = $1 * 1000 } END {
    printf "  %-28s median %6.1f ms   p95 %6.1f ms   max %6.1f ms\n", label, t[int(NR*0.5)+1], t[int(NR*0.95)], t[NR] }'
}

echo "Affiliates list, $N affiliates, $REQUESTS requests each (time to first byte on loopback):"
measure "first page" "/admin/affiliates"
measure "deep page (~90%)" "/admin/affiliates?after=$DEEP"
measure "pending tab" "/admin/affiliates?status=pending"
measure "pending tab, deep" "/admin/affiliates?status=pending&after=$DEEP"
measure "by name, deep" "/admin/affiliates?sort=name&after=$NAME_CURSOR"
measure "search by link token" "/admin/affiliates?q=$SEARCH_TOKEN"
measure "search by name" "/admin/affiliates?q=fatima"
