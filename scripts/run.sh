#!/usr/bin/env bash
# `make run`: serve Guanxi on http://127.0.0.1:8080 with demo data.
# First run: creates the database in ${GUANXI_DATA:-./data}, fills it with
# 10,000 demo customers and creates the user `admin` with a random password
# (saved in DATA/admin-password.txt, mode 600). Later runs reuse all of it.
# Every run prints how to log in, with a fresh API token, then serves.
set -euo pipefail

cd "$(dirname "$0")/.."

BIN=${GUANXI_BIN:-build/guanxi}
DATA=${GUANXI_DATA:-./data}
LISTEN=${GUANXI_LISTEN:-127.0.0.1:8080}
DEMO_CUSTOMERS=${GUANXI_DEMO_CUSTOMERS:-10000}
URL="http://${LISTEN}"
PWFILE="$DATA/admin-password.txt"

die() { echo "run: error: $*" >&2; exit 1; }

[ -x "$BIN" ] || die "$BIN not found: build it with 'make'"
mkdir -p "$DATA" || die "cannot create data directory $DATA"

if [ ! -f "$DATA/guanxi.db" ]; then
    # Fresh set-up. If a step fails, remove the half-made database so the
    # next run starts over instead of serving half the demo.
    cleanup_fresh() {
        echo "run: set-up failed; removing the unfinished database in $DATA" >&2
        rm -f "$DATA/guanxi.db" "$DATA/guanxi.db-wal" "$DATA/guanxi.db-shm" "$PWFILE"
    }
    trap cleanup_fresh ERR
    echo "run: creating a new database in $DATA"
    "$BIN" init --data "$DATA"
    echo "run: adding $DEMO_CUSTOMERS demo customers (guanxi demo)"
    "$BIN" demo --data "$DATA" --customers "$DEMO_CUSTOMERS"
    password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    printf '%s' "$password" | "$BIN" user add admin --role admin --password-stdin --data "$DATA"
    (umask 077; printf '%s\n' "$password" >"$PWFILE")
    chmod 600 "$PWFILE"
    trap - ERR
fi

if [ -f "$PWFILE" ]; then
    password=$(head -n 1 "$PWFILE")
else
    password="(not saved in $PWFILE: the one set when the user was created)"
fi

token=$("$BIN" token create admin --data "$DATA") || die "could not create an API token for admin"

cat <<EOF

  Guanxi is starting on ${URL}
  Web UI:    ${URL}/  (open it in a browser and sign in as below)
  Data:      ${DATA}/guanxi.db
  Log in:    user admin, password ${password}
             (saved in ${PWFILE})
  API token: ${token}
             (new each run; list or revoke with 'build/guanxi token list|revoke')
  Try:       curl -H 'Authorization: Bearer ${token}' '${URL}/api/v1/customers?limit=5'
  Stop:      Ctrl-C

EOF

exec "$BIN" serve --data "$DATA" --listen "$LISTEN"
