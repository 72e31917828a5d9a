#!/usr/bin/env bash
# Schemathesis over the OpenAPI document (issue 13 point 9): the document
# must say what the server does. Starts the `tributary` binary on SQLite in a
# temp dir with a fresh store and API key, runs every check, and exits
# non-zero on any failure. Prints "schemathesis: N operations, C cases,
# M failed" last, which `scripts/test` puts in its summary.
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
# A venv copied from another checkout (a copied target/) still runs that
# checkout's interpreter path and packages: it is made again here.
if ! head -n 1 "$VENV/bin/schemathesis" 2>/dev/null | grep -qF "$PWD/$VENV/" \
  || ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "Installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  rm -rf "$VENV"
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
#
# Which answers count as accepting schema-valid data (the
# positive_data_acceptance check; its default is 2xx, 3xx, 401, 403, 404,
# 409, 429, 5xx). The operations below also answer 422 to some requests that
# match the schema, because the rule is one a schema cannot judge:
#   - an id that names no row of this store (`campaign_id`, `affiliate_id`,
#     `affiliate_ids[i]`, a list's `starting_after`): a schema says "a uuid",
#     not "a uuid that exists";
#   - a rule between fields (`recurring_limit` only with `recurring`
#     payments/months, after a PATCH's change too; `void_note` when the reason
#     is `other`; a lead's `referral_id` or `visitor_id`; a manual
#     commission's `referral_id` or `customer_email`, not both; `tax` at most
#     `amount`);
#   - the store's state or the clock (`currency` must be the store's;
#     `occurred_at` at most a day ahead; `paid_at` not in the future; a
#     refund at most what remains of the sale; a link's `url` on the
#     campaign's website or an allowed host; a manual payout's `amount`
#     settling whole due commissions, oldest first).
# Each such rule is written in its field's description, and each operation
# named here declares 422 with the error body (`details` names the field),
# so a 422 is an answer the document promises, not a surprise; the check
# still fails on any other status, and on 422 everywhere else. Every other
# check (schema-violating data must be refused, response schemas, status
# codes, headers...) runs unchanged on these operations.
lists='"GET /api/v1/affiliates", "GET /api/v1/campaigns", "GET /api/v1/commissions", "GET /api/v1/coupons", "GET /api/v1/links", "GET /api/v1/payouts", "GET /api/v1/referrals", "GET /api/v1/sales", "GET /api/v1/store_credits"'
bodies='"POST /api/v1/affiliates", "PUT /api/v1/affiliates/{id}", "PATCH /api/v1/affiliates/{id}", "POST /api/v1/campaigns", "PUT /api/v1/campaigns/{id}", "PATCH /api/v1/campaigns/{id}", "POST /api/v1/commissions", "PUT /api/v1/commissions/{id}", "PATCH /api/v1/commissions/{id}", "DELETE /api/v1/commissions/{id}", "POST /api/v1/coupons", "POST /api/v1/links", "PUT /api/v1/links/{id}", "PATCH /api/v1/links/{id}", "POST /api/v1/leads", "POST /api/v1/referrals", "POST /api/v1/payouts", "POST /api/v1/affiliates/{id}/payouts", "POST /api/v1/payouts/{id}/mark_paid", "POST /api/v1/sales", "POST /api/v1/sales/{id}/refunds"'
cat > "$WORK/schemathesis.toml" <<TOML
[auth.openapi.bearer]
bearer = "$KEY"

[[operations]]
include-name = [$lists, $bodies]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", 401, 403, 404, 409, 422, 429, "5xx"]
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

# From schemathesis' SUMMARY block: "Tested: 57" (operations), "3546
# generated, ..." (cases over every phase), and the last line, which counts
# failures over every phase ("== 16 failures, ... ==", absent when none).
operations=$(grep -oE '^ *Tested: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
cases=$(grep -oE '[0-9]+ generated' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -oE '[0-9]+ failures?' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
if grep -qiE 'panicked' "$WORK/server.log"; then
  echo "the server panicked:" >&2; grep -iE -A3 'panicked' "$WORK/server.log" >&2; failed=$((failed + 1)); rc=1
fi
echo "schemathesis: $operations operations, $cases cases, $failed failed"
exit "$rc"
