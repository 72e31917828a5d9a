#!/usr/bin/env bash
# Conversions: `POST /api/v1/sales` with a referral, each answered only
# after the sale and its commission are committed. wrk drives it for N
# seconds at C connections with unique payment ids; then the stored sales
# and commissions are counted (every 2xx must be a stored sale with one
# commission).
#
#   bash bench/conversions.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk >/dev/null; } || { echo "needs wrk" >&2; exit 1; }
cargo build --release --quiet --bin tributary
BIN=$PWD/target/release/tributary
WORK=$(mktemp -d /tmp/tributary-conversions.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { kill "${SERVER:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export TRIBUTARY_DATA_DIR=$WORK/data RUST_LOG=warn
echo "bench password 123" | "$BIN" create-admin --email bench@example.com --store Bench --slug bench >/dev/null
KEY=$("$BIN" api-key create --store bench --name bench 2>/dev/null)
TRIBUTARY_BIND=127.0.0.1:$PORT "$BIN" serve & SERVER=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
api() { curl -s -X POST "http://127.0.0.1:$PORT/api/v1/$1" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$2"; }
api campaigns '{"name":"Partners","website_url":"https://shop.example.com","approval_required":false}' >/dev/null
AFF=$(api affiliates '{"email":"ann@example.com","first_name":"Ann"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
REF=$(api referrals "{\"affiliate_id\":\"$AFF\",\"email\":\"buyer@example.com\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

cat > "$WORK/sales.lua" <<LUA
local n = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tag", "t" .. threads) end
request = function()
  n = n + 1
  local body = string.format('{"external_id":"pi_%s_%d","amount":"49.00","tax":"4.00","referral_id":"$REF"}', tag, n)
  return wrk.format("POST", "/api/v1/sales", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $KEY"}, body)
end
LUA
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$WORK/sales.lua" "http://127.0.0.1:$PORT" > "$WORK/wrk.txt"
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
errors=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt"); errors=${errors:-0}
python3 - "$WORK/data/tributary.db" "$rps" "$errors" "$DURATION" "$CONNECTIONS" <<'PY'
import sqlite3, sys
db, rps, errors, duration, conns = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
c = sqlite3.connect(db)
sales = c.execute("select count(*) from sales").fetchone()[0]
commissions = c.execute("select count(*) from commissions").fetchone()[0]
print(f"Conversions, {duration} s at c={conns}: {rps:.0f} sales/s answered (non-2xx: {errors})")
print(f"  stored: {sales} sales, {commissions} commissions" + ("" if sales == commissions else "  <-- MISMATCH"))
sys.exit(0 if sales == commissions and errors == 0 else 1)
PY
