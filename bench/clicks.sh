#!/usr/bin/env bash
# The click path against its ceiling. Builds, in one run: a bare actix-web
# 302 handler (examples/bare_redirect.rs), Tributary with a click writer that
# stores nothing (examples/click_handler_only.rs: the handler's own cost) and
# Tributary itself (release). Drives each with wrk (10 s at 16 and at 64
# connections, browser User-Agent, every request a new visitor), then stops
# Tributary with SIGTERM and counts the stored visits: every click served
# must be stored.
#
#   bash bench/clicks.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk >/dev/null
  else
    echo "bench/clicks.sh needs wrk: sudo apt-get install -y wrk" >&2; exit 1
  fi
fi
cargo build --release --quiet --bin tributary --example bare_redirect --example click_handler_only
BIN=$PWD/target/release/tributary
WORK=$(mktemp -d /tmp/tributary-clicks.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cleanup() { kill "${BARE:-}" "${ONLY:-}" "${SERVER:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

run_wrk() { # url connections -> "requests rps"
  wrk -t2 -c"$2" -d"${SECONDS_PER_RUN}s" -H "User-Agent: $UA" "$1" > "$WORK/wrk.txt"
  local requests rps
  requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  grep -q "Non-2xx or 3xx" "$WORK/wrk.txt" && { echo "errors in the run:" >&2; cat "$WORK/wrk.txt" >&2; exit 1; }
  echo "$requests $rps"
}

# 1. The ceiling.
BARE_PORT=$(free_port)
BIND=127.0.0.1:$BARE_PORT ./target/release/examples/bare_redirect & BARE=$!
wait_up "http://127.0.0.1:$BARE_PORT/r/x"
read -r _ bare16 < <(run_wrk "http://127.0.0.1:$BARE_PORT/r/ann" 16)
read -r _ bare64 < <(run_wrk "http://127.0.0.1:$BARE_PORT/r/ann" 64)
kill "$BARE"; wait "$BARE" 2>/dev/null || true; BARE=

# 2. Tributary's data: an approved affiliate whose link is `ann`.
export TRIBUTARY_DATA_DIR=$WORK/data RUST_LOG=warn
echo "bench password 123" | "$BIN" create-admin --email bench@example.com --store Bench --slug bench >/dev/null
KEY=$("$BIN" api-key create --store bench --name bench 2>/dev/null)
PORT=$(free_port)
api() { curl -s -X POST "http://127.0.0.1:$PORT/api/v1/$1" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$2" >/dev/null; }

# 3. The click handler alone: everything but the writer's inserts.
TRIBUTARY_BIND=127.0.0.1:$PORT ./target/release/examples/click_handler_only & ONLY=$!
wait_up "http://127.0.0.1:$PORT/healthz"
api campaigns '{"name":"Partners","website_url":"https://shop.example.com","approval_required":false}'
api affiliates '{"email":"ann@example.com","first_name":"Ann","link_token":"ann"}'
curl -s -o /dev/null -H "User-Agent: $UA" "http://127.0.0.1:$PORT/r/ann"   # warm the link cache
read -r _ only16 < <(run_wrk "http://127.0.0.1:$PORT/r/ann" 16)
read -r _ only64 < <(run_wrk "http://127.0.0.1:$PORT/r/ann" 64)
kill -TERM "$ONLY"; wait "$ONLY" 2>/dev/null || true; ONLY=
before=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/data/tributary.db').execute('select count(*) from visits').fetchone()[0])")

# 4. Tributary.
TRIBUTARY_BIND=127.0.0.1:$PORT "$BIN" serve & SERVER=$!
wait_up "http://127.0.0.1:$PORT/healthz"
curl -s -o /dev/null -H "User-Agent: $UA" "http://127.0.0.1:$PORT/r/ann"   # warm the link cache

read -r req16 trib16 < <(run_wrk "http://127.0.0.1:$PORT/r/ann" 16)
read -r req64 trib64 < <(run_wrk "http://127.0.0.1:$PORT/r/ann" 64)
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
served=$((req16 + req64 + 1))
stored=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/data/tributary.db').execute('select count(*) from visits').fetchone()[0] - $before)")

python3 - "$bare16" "$bare64" "$trib16" "$trib64" "$served" "$stored" "$only16" "$only64" <<'PY'
import sys
b16, b64, t16, t64 = map(float, sys.argv[1:5]); served, stored = int(sys.argv[5]), int(sys.argv[6])
o16, o64 = map(float, sys.argv[7:9])
print("Click path (requests/s, wrk -t2, same machine):")
print("  c=16  bare actix %9.0f   handler only %9.0f (%.2f)   tributary %9.0f   ratio %.2f" % (b16, o16, o16 / b16, t16, t16 / b16))
print("  c=64  bare actix %9.0f   handler only %9.0f (%.2f)   tributary %9.0f   ratio %.2f" % (b64, o64, o64 / b64, t64, t64 / b64))
print("  clicks answered by wrk %d, visits stored after SIGTERM %d%s" % (served, stored, "" if stored >= served else "  <-- LOST CLICKS"))
sys.exit(0 if stored >= served else 1)
PY
