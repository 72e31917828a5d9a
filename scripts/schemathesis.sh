#!/usr/bin/env bash
# Schemathesis over the OpenAPI document (issue 13 point 9): the document
# must say what the server does. Starts the `tributary` binary on SQLite in a
# temp dir with a fresh store and API key, runs every check, and exits
# non-zero on any failure. Prints "schemathesis: N passed, M failed" last,
# which `scripts/test` puts in its summary.
#
#   bash scripts/schemathesis.sh [path/to/tributary]
#
# Deterministic and bounded: a fixed seed, a max examples count per
# operation, no stateful phase time budget beyond the examples.
set -euo pipefail
cd "$(dirname "$0")/.."

# 4.x is the current line; this version was checked with Python 3.11.
SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-25}
SEED=${SCHEMATHESIS_SEED:-20261202}

BIN=${1:-}
if [ -z "$BIN" ]; then
  if [ -x target/release/tributary ] && [ target/release/tributary -nt target/debug/tributary ]; then
    BIN=target/release/tributary
  else
    cargo build --quiet --bin tributary
    BIN=target/debug/tributary
  fi
fi
BIN=$(realpath "$BIN")

VENV=target/schemathesis-venv
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "Installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK=$(mktemp -d /tmp/tributary-schemathesis.XXXXXX)
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

export TRIBUTARY_DATA_DIR=$WORK/data RUST_LOG=${RUST_LOG:-warn}
unset DATABASE_URL
echo "schemathesis password 123" | "$BIN" create-admin --email st@example.com --store Fuzz --slug fuzz >/dev/null
KEY=$("$BIN" api-key create --store fuzz --name schemathesis 2>/dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

TRIBUTARY_BIND=127.0.0.1:$PORT TRIBUTARY_PUBLIC_URL=$BASE "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "$BASE/healthz" && break; sleep 0.1; done

# A campaign exists so that creates which need one have it.
curl -s -o /dev/null -X POST "$BASE/api/v1/campaigns" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"name":"Partners","website_url":"https://shop.example.com"}'

# The key goes in through the document's own `bearer` scheme rather than a
# fixed `--header`: a header given on the command line is sent even in the
# cases that test a request without credentials (401 expected).
cat > "$WORK/schemathesis.toml" <<TOML
[auth.openapi.bearer]
bearer = "$KEY"
TOML

log=$WORK/run.txt
set +e
PYTHONPATH=$PWD/scripts SCHEMATHESIS_HOOKS=schemathesis_hooks "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
  --checks all \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --no-color \
  "${@:2}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# Schemathesis' summary line, e.g. "== 55 passed, 1 failed in 12.3s ==".
passed=$(grep -oE '[0-9]+ passed' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
# The last line counts failures over every phase ("== 16 failures, ... ==").
failed=$(grep -oE '[0-9]+ failures?' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
if grep -qiE 'panicked' "$WORK/server.log"; then
  echo "the server panicked:" >&2; grep -iE -A3 'panicked' "$WORK/server.log" >&2; failed=$((failed + 1)); rc=1
fi
echo "schemathesis: $passed passed, $failed failed"
exit "$rc"
