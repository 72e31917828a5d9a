#!/usr/bin/env bash
# The click queue under sustained load (issue 13): wrk at c=32 for a short
# run and a long one against Tributary (release, SQLite), with latency
# percentiles, the server's RSS sampled every second, then SIGTERM and a
# count of stored visits. Targets: the long run's p99 <= 3x the short run's
# and <= 100 ms, RSS <= 150 MB, every answered click stored.
#
#   bash bench/click_latency.sh [SHORT_SECONDS] [LONG_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SHORT=${1:-10}
LONG=${2:-60}
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk >/dev/null
  else
    echo "bench/click_latency.sh needs wrk: sudo apt-get install -y wrk" >&2; exit 1
  fi
fi
cargo build --release --quiet --bin tributary
BIN=$PWD/target/release/tributary
WORK=$(mktemp -d /tmp/tributary-clicklat.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cleanup() { kill "${SERVER:-}" "${SAMPLER:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

export TRIBUTARY_DATA_DIR=$WORK/data RUST_LOG=warn
echo "bench password 123" | "$BIN" create-admin --email bench@example.com --store Bench --slug bench >/dev/null
KEY=$("$BIN" api-key create --store bench --name bench 2>/dev/null)
PORT=$(free_port)
api() { curl -s -X POST "http://127.0.0.1:$PORT/api/v1/$1" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$2" >/dev/null; }

TRIBUTARY_BIND=127.0.0.1:$PORT "$BIN" serve & SERVER=$!
wait_up "http://127.0.0.1:$PORT/healthz"
api campaigns '{"name":"Partners","website_url":"https://shop.example.com","approval_required":false}'
api affiliates '{"email":"ann@example.com","first_name":"Ann","link_token":"ann"}'
curl -s -o /dev/null -H "User-Agent: $UA" "http://127.0.0.1:$PORT/r/ann"   # warm the link cache

# RSS (kB) once a second for the whole run.
( while kill -0 "$SERVER" 2>/dev/null; do ps -o rss= -p "$SERVER" >> "$WORK/rss.txt" || true; sleep 1; done ) & SAMPLER=$!

run_wrk() { # seconds -> file
  wrk -t2 -c32 -d"$1s" --latency -H "User-Agent: $UA" "http://127.0.0.1:$PORT/r/ann" > "$WORK/wrk-$1.txt"
  grep -q "Non-2xx or 3xx" "$WORK/wrk-$1.txt" && { echo "errors in the run:" >&2; cat "$WORK/wrk-$1.txt" >&2; exit 1; }
  return 0
}
run_wrk "$SHORT"
run_wrk "$LONG"
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=
stored=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/data/tributary.db').execute('select count(*) from visits').fetchone()[0])")

python3 - "$WORK" "$SHORT" "$LONG" "$stored" <<'PY'
import re, sys
work, short, long_, stored = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
def read(sec):
    t = open(f"{work}/wrk-{sec}.txt").read()
    pct = {m[0]: ms(m[1]) for m in re.findall(r"^\s+(50|90|99)%\s+(\S+)", t, re.M)}
    reqs = int(re.search(r"(\d+) requests in", t).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    return pct, reqs, rps
(s, sreq, srps), (l, lreq, lrps) = read(short), read(long_)
rss = [int(x) for x in open(f"{work}/rss.txt").read().split()]
served = sreq + lreq + 1
ok = l["99"] <= 3 * s["99"] and l["99"] <= 100 and max(rss) <= 150 * 1024 and stored >= served
print(f"Click queue at c=32 (wrk -t2, SQLite, release):")
print(f"  {short:>3} s: {srps:9.0f} req/s   p50 {s['50']:.2f} ms   p90 {s['90']:.2f} ms   p99 {s['99']:.2f} ms")
print(f"  {long_:>3} s: {lrps:9.0f} req/s   p50 {l['50']:.2f} ms   p90 {l['90']:.2f} ms   p99 {l['99']:.2f} ms   (p99 x{l['99']/s['99']:.2f} of the short run)")
print(f"  RSS: start {rss[0]/1024:.0f} MB, max {max(rss)/1024:.0f} MB, end {rss[-1]/1024:.0f} MB")
print(f"  clicks answered {served}, visits stored after SIGTERM {stored}{'' if stored >= served else '  <-- LOST CLICKS'}")
print("  targets met" if ok else "  TARGETS MISSED")
sys.exit(0 if ok else 1)
PY
