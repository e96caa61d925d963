#!/usr/bin/env bash
# `make bench`, part 3: search and lookup latency (issue 4).
#   - guanxi demo --customers N (default 1,000,000) into a temporary data
#     folder (timed), unless BENCH_SEARCH_DATA names a folder made before
#   - guanxi serve on a free loopback port
#   - bench/search.mjs: a mixed query set sampled from the data, timed
#     against /healthz as the baseline; targets: search p50 <= 10 ms and
#     p99 <= 50 ms, lookup p99 <= 2 ms
# Settings (environment): BENCH_SEARCH_CUSTOMERS (1000000),
# BENCH_SEARCH_ROUNDS (5), BENCH_SEARCH_CLIENTS (2), BENCH_SEARCH_DATA
# (reuse a data folder), GUANXI_BIN (build/guanxi), BENCH_KEEP=1.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${GUANXI_BIN:-build/guanxi}
N=${BENCH_SEARCH_CUSTOMERS:-1000000}
die() { echo "bench-search: error: $*" >&2; exit 1; }
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
[ -x "$BIN" ] || die "$BIN not found: build it with 'make'"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/guanxi-bench-search.XXXXXX")
PID=""
cleanup() {
    [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    [ "${BENCH_KEEP:-0}" = 1 ] && echo "bench-search: kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

DATA=${BENCH_SEARCH_DATA:-$WORK/data}
if [ ! -f "$DATA/guanxi.db" ]; then
    "$BIN" init --data "$DATA" >/dev/null 2>&1 || die "guanxi init failed"
    t0=$(date +%s.%N)
    "$BIN" demo --data "$DATA" --customers "$N" >"$WORK/demo.log" 2>&1 ||
        { cat "$WORK/demo.log" >&2; die "guanxi demo failed"; }
    t1=$(date +%s.%N)
    echo "demo --customers $N: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
    echo "  $(tail -n 1 "$WORK/demo.log")"
fi
echo "database: $(du -m "$DATA/guanxi.db" | cut -f1) MB"
USER_NAME="bench-search-$$"
printf 'Bench-Search-Pass-%s' "$$" | "$BIN" user add "$USER_NAME" --role admin --password-stdin --data "$DATA" \
    >/dev/null 2>"$WORK/user.log" || { cat "$WORK/user.log" >&2; die "guanxi user add failed"; }
TOKEN=$("$BIN" token create "$USER_NAME" --data "$DATA" 2>/dev/null) || die "guanxi token create failed"
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --access-log off >"$WORK/server.log" 2>&1 </dev/null &
PID=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
node "$ROOT/bench/search.mjs" "http://127.0.0.1:$PORT" "$TOKEN" "${BENCH_SEARCH_ROUNDS:-5}" "${BENCH_SEARCH_CLIENTS:-2}"
