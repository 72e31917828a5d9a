#!/usr/bin/env bash
# Payouts and commissions at scale (issue 10's targets), on SQLite: seeds
# AFFILIATES affiliates (default 10,000) with PER due commissions each
# (default 10: 100,000), plus EXTRA pending/voided/refunded commissions
# (default 100,000: 200,000 in all) over 180 days (bulk SQL through
# `examples/payouts.rs`), then, as seen from loopback:
#   1. the Due view, then "Pay everyone due" — one POST /admin/payouts, as
#      the page sends it (total time of the request: every payout is
#      written before the answer; and the server's CPU time during it);
#   2. the PayPal CSV of every pending payout, streamed (total time), and
#      the Wise file and the Payouts list's CSV beside it;
#   3. the Commissions page: first page, a filtered page (status and date
#      range) and an affiliate search, each with its totals (the page
#      computes them), p50/p95 of time to first byte ≈ server time; and the
#      Payouts list with a date range. Release build.
#
#   [PROFILE=N] bash bench/payouts.sh [AFFILIATES] [PER] [EXTRA] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
AFFILIATES=${1:-10000}
PER=${2:-10}
EXTRA=${3:-100000}
REQUESTS=${4:-20}

cargo build --release --quiet --bin tributary --example payouts
BIN=$PWD/target/release/tributary
HELPER=$PWD/target/release/examples/payouts
WORK=$(mktemp -d /tmp/tributary-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TRIBUTARY_DATA_DIR=$WORK/data RUST_LOG=warn
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

echo "bench password 123" | "$BIN" create-admin --email bench@example.com --store Bench --slug bench >/dev/null
"$BIN" seed --store bench --affiliates "$AFFILIATES" | sed -n 1p # reads it all: head would close the pipe on the seeder
echo "Seeding $((AFFILIATES * PER)) due commissions ($PER per affiliate) and $EXTRA others:"
"$HELPER" seed bench "$PER" "$EXTRA"

TRIBUTARY_BIND=127.0.0.1:$PORT "$BIN" serve & SERVER=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

JAR=$WORK/jar
B=http://127.0.0.1:$PORT
curl -s -c "$JAR" -b "$JAR" -o /dev/null "$B/login"
TOKEN=$(awk '$6 == "tributary_csrf" {print $7}' "$JAR")
curl -s -c "$JAR" -b "$JAR" -o /dev/null -X POST "$B/login" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=bench@example.com" --data-urlencode "password=bench password 123"
TOKEN=$(awk '$6 == "tributary_csrf" {print $7}' "$JAR")

once() { # label curl-args... : one request, its total time and size
  local label=$1; shift
  curl -s -b "$JAR" -c "$JAR" -o "$WORK/out" -w '%{http_code} %{time_starttransfer} %{time_total}\n' "$@" |
    { read -r code ttfb total
      [[ "$code" =~ ^(200|303)$ ]] || { echo "$label: HTTP $code" >&2; exit 1; }
      printf "  %-44s total %8.1f ms   first byte %8.1f ms   %s lines\n" "$label" \
        "$(awk -v t="$total" 'BEGIN { print t * 1000 }')" "$(awk -v t="$ttfb" 'BEGIN { print t * 1000 }')" "$(wc -l < "$WORK/out")"; }
}

server_cpu() { # the server's user + system CPU time so far, in ms
  awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$SERVER/stat"
}

measure() { # label path
  local label=$1 path=$2
  local status; status=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' "$B$path")
  [ "$status" = 200 ] || { echo "$label: HTTP $status for $path" >&2; exit 1; }
  for _ in $(seq 1 "$REQUESTS"); do
    curl -s -b "$JAR" -o /dev/null -w '%{time_starttransfer}\n' "$B$path"
  done | sort -n | awk -v label="$label" '{ t[NR] = $1 * 1000 } END {
    printf "  %-44s p50 %7.1f ms   p95 %7.1f ms   max %7.1f ms\n", label, t[int(NR*0.5)+1], t[int(NR*0.95)], t[NR] }'
}

echo "Payouts, $AFFILIATES affiliates due ($((AFFILIATES * PER)) commissions):"
once "GET /admin/payouts/due" "$B/admin/payouts/due"
CPU_BEFORE=$(server_cpu)
once "POST /admin/payouts (pay everyone due)" -X POST "$B/admin/payouts" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "all=1"
echo "  server CPU during it: $(( $(server_cpu) - CPU_BEFORE )) ms (steadier than the wall time on a shared machine)"
"$HELPER" count bench
once "GET /admin/payouts/paypal.csv (all pending)" "$B/admin/payouts/paypal.csv"
once "GET /admin/payouts/wise.csv (all pending)" "$B/admin/payouts/wise.csv"
once "GET /admin/payouts/export.csv (all)" "$B/admin/payouts/export.csv"

FROM=$(date -u -d '90 days ago' +%Y-%m-%d)
UNTIL=$(date -u -d '30 days ago' +%Y-%m-%d)
TODAY=$(date -u +%Y-%m-%d)
echo "Commissions page, $((AFFILIATES * PER + EXTRA)) commissions, $REQUESTS requests each (time to first byte on loopback; totals included):"
measure "first page" "/admin/commissions"
measure "status=pending, 90 to 30 days ago" "/admin/commissions?status=pending&from=$FROM&until=$UNTIL"
measure "affiliate search \"fatima\"" "/admin/commissions?affiliate=fatima"
once "GET /admin/commissions/export.csv (pending, range)" "$B/admin/commissions/export.csv?status=pending&from=$FROM&until=$UNTIL"
echo "Payouts list, $REQUESTS requests each:"
measure "first page" "/admin/payouts"
measure "created today, pending tab" "/admin/payouts?status=pending&from=$TODAY&until=$TODAY"

# Optional (PROFILE=N): where a payout's time goes, in process, on fresh due
# commissions for everyone: N payouts with the app's fsync per commit, N
# without, and one statement's round trip.
if [ "${PROFILE:-0}" -gt 0 ]; then
  echo "Profile of services::payouts::create, $PROFILE affiliates per setting:"
  "$HELPER" seed bench "$PER" 0 2>/dev/null
  "$HELPER" profile bench "$PROFILE"
fi
