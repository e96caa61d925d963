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
echo "== Node client (fetch)"
rc=0
BENCH_SEARCH_PATHS=$WORK node "$ROOT/bench/search.mjs" "http://127.0.0.1:$PORT" "$TOKEN" \
    "${BENCH_SEARCH_ROUNDS:-5}" "${BENCH_SEARCH_CLIENTS:-2}" || rc=$?

# The same query sets replayed by wrk: a C client on the same 2 cores, with
# BENCH_SEARCH_CLIENTS connections for BENCH_SEARCH_SECONDS each. Its p99 is
# the server's, less the pauses of a JavaScript client (its /healthz p99 was
# 6-10 ms). The targets are judged on these figures.
command -v wrk >/dev/null 2>&1 || die "wrk not found: run scripts/deps.sh"
{
    printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN"
    cat <<'LUA'
local paths, i = {}, 0
for line in io.lines(os.getenv("BENCH_PATHS_FILE")) do paths[#paths + 1] = line end
function request() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
function done(summary, latency, requests)
   io.write(string.format("GXWRK n=%d p50=%.2f p99=%.2f\n", summary.requests,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
} >"$WORK/replay.lua"
CONNS=${BENCH_SEARCH_CLIENTS:-2}
SECS=${BENCH_SEARCH_SECONDS:-5}
echo "== wrk client: $CONNS connections, $SECS s per set (p50 and p99 in ms)"
replay() {  # SET [SECONDS] -> prints the GXWRK line
    BENCH_PATHS_FILE="$WORK/$1.paths" wrk -t1 -c"$CONNS" -d"${2:-$SECS}s" --timeout 5s \
        -s "$WORK/replay.lua" "http://127.0.0.1:$PORT" | grep '^GXWRK' || die "wrk gave no result for $1"
}
field() { printf '%s' "$2" | sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
replay search-all 2 >/dev/null    # warm-up
for set in healthz search-cjk search-latin search-pinyin search-phone search-all lookup; do
    line=$(replay "$set")
    printf '%-16s %s\n' "$set" "${line#GXWRK }"
    case $set in
        search-all) S_P50=$(field p50 "$line"); S_P99=$(field p99 "$line") ;;
        lookup) L_P99=$(field p99 "$line") ;;
    esac
done
over() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v > t) }'; }
misses=""
over "$S_P50" 10 && misses="$misses search p50 $S_P50 ms > 10 ms;"
over "$S_P99" 50 && misses="$misses search p99 $S_P99 ms > 50 ms;"
over "$L_P99" 2 && misses="$misses lookup p99 $L_P99 ms > 2 ms;"
if [ -n "$misses" ]; then
    echo "wrk: FAIL:$misses"
    rc=1
else
    echo "wrk: PASS: search p50 <= 10 ms, p99 <= 50 ms; lookup p99 <= 2 ms"
fi
exit "$rc"
