#!/usr/bin/env bash
# `make bench`: Guanxi's foundation benchmarks (issue 2), in one run.
#   - guanxi demo --customers 100000 into a temporary data folder (timed)
#   - guanxi serve --access-log off on a free loopback port
#   - wrk (2 threads, 32 connections) against GET /healthz (baseline),
#     GET /api/v1/customers/{random id}, POST /api/v1/customers and
#     GET /api/v1/customers?filter=city:eq:{city}&limit=50
#   - in BENCH_ROUNDS rounds (each endpoint once a round): the median of the
#     rounds' req/s, ratio to the same round's /healthz, p50 and p99, error
#     counts, PASS/FAIL per target on those medians, and the server's peak
#     memory (VmHWM)
#   - record-level access (issue 3): the demo customers are owned by 20 sales
#     reps in 4 teams; GET by id (records the rep owns) and the filtered list,
#     as an admin and as the rep, alternated over BENCH_ACCESS_ROUNDS rounds;
#     the cost of the checks is 1 - sales/admin req/s (target <= 10%)
# Settings (environment): BENCH_DURATION (6s), BENCH_WARMUP (2s),
# BENCH_ROUNDS (3), BENCH_CUSTOMERS (100000), BENCH_THREADS (2),
# BENCH_CONNECTIONS (32), BENCH_OWNERS (20), BENCH_ACCESS_ROUNDS (3), BENCH_SECTIONS ("foundation
# access"; either alone), GUANXI_BIN (build/guanxi), BENCH_KEEP=1 keeps the
# temporary folder.
# Exits non-zero if a target is missed or a run had errors.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

BIN=${GUANXI_BIN:-build/guanxi}
DURATION=${BENCH_DURATION:-6s}
WARMUP=${BENCH_WARMUP:-2s}
CUSTOMERS=${BENCH_CUSTOMERS:-100000}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
OWNERS=${BENCH_OWNERS:-20}
ROUNDS=${BENCH_ACCESS_ROUNDS:-3}
F_ROUNDS=${BENCH_ROUNDS:-3}
SECTIONS=${BENCH_SECTIONS:-foundation access}

# Targets (issue 2).
T_DEMO_S=30          # demo --customers 100000 under 30 s
T_GET_RATIO=0.50     # GET by id >= 50% of /healthz
T_GET_P99_MS=10      # GET by id p99 <= 10 ms
T_POST_RPS=2000      # POST >= 2000/s
T_LIST_RATIO=0.25    # filtered list >= 25% of /healthz
T_MEM_MB=150         # server peak memory <= 150 MB
T_ACCESS_COST=0.10   # issue 3: sales vs admin costs at most 10%

die() { echo "bench: error: $*" >&2; exit 1; }

case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
[ -x "$BIN" ] || die "$BIN not found: build it with 'make'"
command -v wrk >/dev/null 2>&1 || die "wrk not found: run scripts/deps.sh"
command -v node >/dev/null 2>&1 || die "node not found: run scripts/deps.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/guanxi-bench.XXXXXX")
DATA="$WORK/data"
SERVER_PID=""

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    local pid=$SERVER_PID rc=0
    SERVER_PID=""
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "bench: warning: server did not stop 10 s after SIGTERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || rc=$?
    [ "$rc" -eq 0 ] || echo "bench: warning: server exited with status $rc after SIGTERM (expected 0)" >&2
}

cleanup() {
    stop_server
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench: kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
fmt() { awk -v x="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, x }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
verdict() { if "$@"; then echo PASS; else echo FAIL; fi; }

FAILS=0
note_fail() { FAILS=$((FAILS + 1)); }

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "bench: $(nproc) cores${cpu:+, $cpu}; $("$BIN" --version 2>/dev/null | head -n 1 || echo guanxi)"
echo "bench: wrk ${THREADS} threads, ${CONNS} connections, ${DURATION} per run after ${WARMUP} warm-up, ${F_ROUNDS} rounds"

# ------------------------------------------------------------------ set-up
"$BIN" init --data "$DATA" >"$WORK/init.log" 2>&1 || { cat "$WORK/init.log" >&2; die "guanxi init failed"; }

PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
# The demo spreads its customers over the users there are: OWNERS sales reps
# in four teams, so that a rep's scope is one customer in OWNERS.
TEAMS=(north south east west)
for t in "${TEAMS[@]}"; do
    "$BIN" team add "$t" --data "$DATA" >>"$WORK/user.log" 2>&1 || { cat "$WORK/user.log" >&2; die "guanxi team add failed"; }
done
for i in $(seq 1 "$OWNERS"); do
    printf '%s' "$PASSWORD" | "$BIN" user add "$(printf 'bench-sales-%02d' "$i")" --role sales \
        --team "${TEAMS[$(((i - 1) % 4))]}" --password-stdin --data "$DATA" >>"$WORK/user.log" 2>&1 ||
        { cat "$WORK/user.log" >&2; die "guanxi user add failed"; }
done

t0=$(now)
"$BIN" demo --data "$DATA" --customers "$CUSTOMERS" >"$WORK/demo.log" 2>&1 ||
    { tail -n 20 "$WORK/demo.log" >&2; die "guanxi demo failed"; }
t1=$(now)
DEMO_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
db_mb=$(du -m "$DATA/guanxi.db" 2>/dev/null | cut -f1 || echo "?")
echo "bench: demo --customers $CUSTOMERS took ${DEMO_S} s (database ${db_mb} MB)"

printf '%s' "$PASSWORD" | "$BIN" user add benchadmin --role admin --password-stdin --data "$DATA" \
    >"$WORK/user.log" 2>&1 || { cat "$WORK/user.log" >&2; die "guanxi user add failed"; }
TOKEN=$("$BIN" token create benchadmin --data "$DATA" 2>"$WORK/token.log") ||
    { cat "$WORK/token.log" >&2; die "guanxi token create failed"; }
TOKEN=$(printf '%s' "$TOKEN" | tr -d '[:space:]')
[ -n "$TOKEN" ] || die "guanxi token create printed nothing"
SALES_TOKEN=$("$BIN" token create bench-sales-01 --data "$DATA" 2>"$WORK/token.log") ||
    { cat "$WORK/token.log" >&2; die "guanxi token create failed"; }
SALES_TOKEN=$(printf '%s' "$SALES_TOKEN" | tr -d '[:space:]')

PORT=$(node -e '
const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });') ||
    die "could not find a free port"
URL="http://127.0.0.1:$PORT"

"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --access-log off \
    >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!

# Small HTTP helper in Node (fetch), used to wait for the server and to look
# up ids and a city before measuring.
api() {  # api METHOD PATH [BODY] -> prints "STATUS BODY"
    node -e '
const [url, token, method, path, body] = process.argv.slice(1);
const headers = { authorization: "Bearer " + token };
if (body) headers["content-type"] = "application/json";
fetch(url + path, { method, headers, body: body || undefined })
  .then(async (r) => { process.stdout.write(r.status + " " + (await r.text())); })
  .catch((e) => { process.stdout.write("000 " + e.message); });' "$URL" "${API_TOKEN:-$TOKEN}" "$@"
}

up=0
for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    if [ "$(api GET /healthz | cut -c1-3)" = 200 ]; then up=1; break; fi
    sleep 0.1
done
if [ "$up" -ne 1 ]; then
    tail -n 30 "$WORK/server.log" >&2
    die "server did not answer GET /healthz within 10 s"
fi

# Lowest and highest customer id, a city that the demo used, and a check that
# every endpoint answers as expected once before wrk hammers it.
json() {  # json 'JS expression over r' <<< "STATUS BODY"
    node -e '
let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
  const i = s.indexOf(" "); const status = +s.slice(0, i); let r;
  try { r = JSON.parse(s.slice(i + 1)); } catch { r = null; }
  const v = (new Function("r", "status", "return (" + process.argv[1] + ");"))(r, status);
  if (v === undefined || v === null || v === false) process.exit(1);
  process.stdout.write(String(v));
});' "$1"
}

first=$(api GET '/api/v1/customers?sort=id&limit=1&fields=id')
MIN_ID=$(json 'status === 200 && r.data[0].id' <<<"$first") || die "GET /api/v1/customers?sort=id failed: $first"
last=$(api GET '/api/v1/customers?sort=-id&limit=1&fields=id')
MAX_ID=$(json 'status === 200 && r.data[0].id' <<<"$last") || die "GET /api/v1/customers?sort=-id failed: $last"
sample=$(api GET '/api/v1/customers?limit=500&fields=id,city')
CITY=$(json 'status === 200 && (() => { const n = {}; for (const c of r.data) if (c.city) n[c.city] = (n[c.city] || 0) + 1;
  return Object.keys(n).sort((a, b) => n[b] - n[a])[0]; })()' <<<"$sample") ||
    die "no customer with a city among the first 500: ${sample:0:300}"
CITY_Q=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$CITY")
LIST_PATH="/api/v1/customers?filter=city:eq:${CITY_Q}&limit=50"
list=$(api GET "$LIST_PATH")
LIST_N=$(json 'status === 200 && String(r.data.length)' <<<"$list") || die "GET $LIST_PATH failed: ${list:0:300}"
[ "$LIST_N" -gt 0 ] || die "GET $LIST_PATH returned no customers"
one=$(api GET "/api/v1/customers/$MIN_ID")
json 'status === 200 && r.id' <<<"$one" >/dev/null || die "GET /api/v1/customers/$MIN_ID failed: ${one:0:300}"
made=$(api POST /api/v1/customers '{"name":"Bench Check 基准","email":"bench-check@example.com"}')
json 'status === 201 && r.id' <<<"$made" >/dev/null || die "POST /api/v1/customers failed: ${made:0:300}"
echo "bench: customer ids $MIN_ID..$MAX_ID; list filter city = $CITY ($LIST_N of limit 50 on the first page)"

# ------------------------------------------------------------- wrk scripts
DONE_LUA='
function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "GXBENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f bad_status=%d sock_errors=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      e.status, e.connect + e.read + e.write + e.timeout))
end
'

cat >"$WORK/healthz.lua" <<EOF
$DONE_LUA
EOF

# Random ids, formatted once: wrk.format on every request costs wrk (on the
# same two cores as the server) twice its CPU per request on /healthz, and
# the ratio would measure the load generator. 8192 requests a thread, used
# in turn.
cat >"$WORK/get.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $TOKEN"
local lo, hi = $MIN_ID, $MAX_ID
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local reqs, k, count = {}, 0, 8192
function init(args)
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
   for j = 1, count do reqs[j] = wrk.format("GET", "/api/v1/customers/" .. math.random(lo, hi)) end
end
function request()
   k = k % count + 1
   return reqs[k]
end
$DONE_LUA
EOF

cat >"$WORK/list.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $TOKEN"
$DONE_LUA
EOF

cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local family = { {"王","Wang"}, {"李","Li"}, {"張","Zhang"}, {"刘","Liu"}, {"陳","Chen"},
                 {"杨","Yang"}, {"黃","Huang"}, {"赵","Zhao"}, {"吳","Wu"}, {"周","Zhou"} }
local given  = { {"小明","Xiaoming"}, {"美玲","Meiling"}, {"志強","Zhiqiang"}, {"淑芬","Shufen"},
                 {"建国","Jianguo"}, {"丽华","Lihua"}, {"家豪","Jiahao"}, {"雅婷","Yating"},
                 {"俊杰","Junjie"}, {"欣怡","Xinyi"} }
local first  = { "Alice", "Brian", "Chloe", "David", "Emma", "Frank", "Grace", "Henry", "Irene", "James" }
local last   = { "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts", "Walker" }
local places = { {"台北","TW","zh-Hant"}, {"上海","CN","zh-Hans"}, {"Hong Kong","HK","zh-Hant"},
                 {"Singapore","SG","en"}, {"London","GB","en"}, {"深圳","CN","zh-Hans"} }
local rel    = { "basic", "passive", "responsible", "proactive", "partner" }
local nonce, count = "0", 0
function init(args) nonce = args[1] or tostring(os.time()) end
function request()
   count = count + 1
   local i = count
   local p = places[i % #places + 1]
   local key = string.format("%s-%d-%d", nonce, tid or 0, i)
   local body
   if i % 2 == 0 then
      local f, g = family[i % #family + 1], given[math.floor(i / #family) % #given + 1]
      body = string.format('{"kind":"person","name":"%s%s","family_name":"%s","given_name":"%s",'
         .. '"local_name":"%s%s","email":"bench-%s@example.com","city":"%s","country":"%s",'
         .. '"language":"%s","relationship_type":"%s","customer_class":"individual","tags":["bench","客户"]}',
         f[1], g[1], f[1], g[1], f[1], g[1], key, p[1], p[2], p[3], rel[i % #rel + 1])
   else
      local f, l = first[i % #first + 1], last[math.floor(i / #first) % #last + 1]
      body = string.format('{"kind":"person","name":"%s %s","family_name":"%s","given_name":"%s",'
         .. '"email":"bench-%s@example.com","city":"%s","country":"%s","language":"en",'
         .. '"relationship_type":"%s","customer_class":"individual","tags":["bench"]}',
         f, l, l, f, key, p[1], p[2], rel[i % #rel + 1])
   end
   return wrk.format(nil, "/api/v1/customers", nil, body)
end
$DONE_LUA
EOF

kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }  # kv KEY "k=v k=v"

# run_wrk NAME SCRIPT PATH -> sets R_RPS R_P50 R_P99 R_BAD R_SOCK
run_wrk() {
    local name=$1 script=$2 path=$3 out line
    out="$WORK/wrk-$name.txt"
    # warm-up (results discarded, errors still checked below)
    wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" --timeout 5s -s "$script" "$URL$path" \
        -- "w$RANDOM$RANDOM" >"$out.warmup" 2>&1 || { cat "$out.warmup" >&2; die "wrk warm-up of $name failed"; }
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 5s -s "$script" "$URL$path" \
        -- "r$RANDOM$RANDOM" >"$out" 2>&1 || { cat "$out" >&2; die "wrk run of $name failed"; }
    line=$(grep '^GXBENCH ' "$out" | tail -n 1) || { cat "$out" >&2; die "no result from wrk for $name"; }
    R_RPS=$(kv rps "$line"); R_P50=$(kv p50_ms "$line")
    R_P99=$(kv p99_ms "$line"); R_BAD=$(kv bad_status "$line"); R_SOCK=$(kv sock_errors "$line")
    local wline wbad wsock
    wline=$(grep '^GXBENCH ' "$out.warmup" | tail -n 1 || true)
    wbad=$(kv bad_status "$wline"); wsock=$(kv sock_errors "$wline")
    R_BAD=$((R_BAD + ${wbad:-0})); R_SOCK=$((R_SOCK + ${wsock:-0}))
    if [ "$R_BAD" -gt 0 ] || [ "$R_SOCK" -gt 0 ]; then
        echo "bench: ERROR: $name had $R_BAD responses with status >= 400 and $R_SOCK socket errors (warm-up included):" >&2
        sed 's/^/    /' "$out" >&2
        note_fail
    fi
}

no_errors()  { [ "$R_BAD" -eq 0 ] && [ "$R_SOCK" -eq 0 ]; }
check_get()  { ge "$ratio" "$T_GET_RATIO" && le "$R_P99" "$T_GET_P99_MS" && no_errors; }
check_list() { ge "$ratio" "$T_LIST_RATIO" && no_errors; }
check_post() { ge "$R_RPS" "$T_POST_RPS" && no_errors; }

ROWS=()
row() { ROWS+=("$(printf '%-54s %10s %13s %9s %9s %7s  %-26s %s' "$@")"); }

# ---------------------------------------------------------------- measure
section() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

# Rounds of /healthz, GET by id, the list and POST, each ratio taken within
# its round (the machine drifts between runs more than within one); the
# median of the rounds' figures is reported and judged.
stats() {  # "median min max" of a list of numbers
    tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'
}
if section foundation; then
declare -A F_RPS F_RATIO F_P50 F_P99 F_BAD
for round in $(seq 1 "$F_ROUNDS"); do
    for what in healthz get list post; do
        case $what in
            healthz) script=$WORK/healthz.lua path=/healthz ;;
            get) script=$WORK/get.lua path=/api/v1/customers/1 ;;
            list) script=$WORK/list.lua path=$LIST_PATH ;;
            post) script=$WORK/post.lua path=/api/v1/customers ;;
        esac
        run_wrk "$what-$round" "$script" "$path"
        [ "$what" = healthz ] && H_RPS=$R_RPS
        F_RPS[$what]="${F_RPS[$what]:-} $R_RPS"
        F_RATIO[$what]="${F_RATIO[$what]:-} $(awk -v a="$R_RPS" -v b="$H_RPS" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')"
        F_P50[$what]="${F_P50[$what]:-} $R_P50"
        F_P99[$what]="${F_P99[$what]:-} $R_P99"
        F_BAD[$what]=$(( ${F_BAD[$what]:-0} + R_BAD + R_SOCK ))
    done
done
# foundation_row WHAT LABEL TARGET CHECK: the median round, PASS/FAIL by CHECK
foundation_row() {
    local what=$1 label=$2 target=$3 check=$4 r_min r_max v
    read -r R_RPS _ _ <<<"$(stats "${F_RPS[$what]}")"
    read -r ratio r_min r_max <<<"$(stats "${F_RATIO[$what]}")"
    read -r R_P50 _ _ <<<"$(stats "${F_P50[$what]}")"
    read -r R_P99 _ _ <<<"$(stats "${F_P99[$what]}")"
    R_BAD=${F_BAD[$what]} R_SOCK=0
    v=ok
    if [ "$check" != - ]; then v=$(verdict "$check"); [ "$v" = PASS ] || note_fail; fi
    row "$label" "$(fmt "$R_RPS" 0)" "$(awk -v r="$ratio" -v a="$r_min" -v b="$r_max" \
        'BEGIN { printf "%.0f%% (%.0f-%.0f)", r * 100, a * 100, b * 100 }')" \
        "$(fmt "$R_P50" 2)" "$(fmt "$R_P99" 2)" "$R_BAD" "$target" "$v"
}
foundation_row healthz "GET /healthz (baseline)" - -
foundation_row get "GET /api/v1/customers/{random id}" ">=50% healthz, p99<=${T_GET_P99_MS}ms" check_get
foundation_row list "GET /api/v1/customers?filter=city:eq:{city}&limit=50" ">=25% healthz" check_list
foundation_row post "POST /api/v1/customers" ">=${T_POST_RPS}/s" check_post
fi

# Record-level access: the same requests as an admin (no scope) and as a
# sales rep (own records only), alternated so that the machine's drift hits
# both alike. GET by id asks for records the rep owns; the list is the same
# city filter (the rep sees the page of their own customers there).
ACCESS_ROWS=()
if section access; then
    page=$(API_TOKEN=$SALES_TOKEN api GET '/api/v1/customers?sort=id&limit=2&fields=id')
    S_FIRST=$(json 'status === 200 && r.data[0].id' <<<"$page") || die "sales list failed: ${page:0:300}"
    S_STEP=$(json 'status === 200 && r.data[1].id - r.data[0].id' <<<"$page") || die "the sales rep owns fewer than 2 customers"
    page=$(API_TOKEN=$SALES_TOKEN api GET '/api/v1/customers?sort=-id&limit=1&fields=id')
    S_LAST=$(json 'status === 200 && r.data[0].id' <<<"$page") || die "sales list failed: ${page:0:300}"
    page=$(API_TOKEN=$SALES_TOKEN api GET "$LIST_PATH")
    S_LIST_N=$(json 'status === 200 && String(r.data.length)' <<<"$page") || die "sales GET $LIST_PATH failed: ${page:0:300}"
    echo "bench: access: the sales rep owns ids $S_FIRST, $S_FIRST+$S_STEP, ... $S_LAST; list page: admin $LIST_N, sales $S_LIST_N records"
    for who in admin sales; do
        tok=$TOKEN; [ "$who" = sales ] && tok=$SALES_TOKEN
        cat >"$WORK/get-$who.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $tok"
local first, step, n = $S_FIRST, $S_STEP, math.floor(($S_LAST - $S_FIRST) / $S_STEP)
local k = 0
function setup(thread) k = k + 1; thread:set("tid", k) end
function init(args) math.randomseed(os.time() * 1000 + (tid or 0) * 7919) end
function request()
   return wrk.format("GET", "/api/v1/customers/" .. (first + step * math.random(0, n)))
end
$DONE_LUA
EOF
        cat >"$WORK/list-$who.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $tok"
$DONE_LUA
EOF
    done
    declare -A RPS COSTS
    for round in $(seq 1 "$ROUNDS"); do
        order="admin sales"; [ $((round % 2)) = 0 ] && order="sales admin"   # alternate who goes first
        for what in get list; do
            path="/api/v1/customers/1"; [ "$what" = list ] && path=$LIST_PATH
            for who in $order; do
                run_wrk "$what-$who-$round" "$WORK/$what-$who.lua" "$path"
                RPS[$what-$who]="${RPS[$what-$who]:-} $R_RPS"
                [ "$who" = admin ] && L_ADMIN=$R_RPS || L_SALES=$R_RPS
            done
            COSTS[$what]="${COSTS[$what]:-} $(awk -v a="$L_ADMIN" -v s="$L_SALES" 'BEGIN { printf "%.4f", (a > 0 ? 1 - s / a : 1) }')"
        done
    done
    pct() { awk -v c="$1" 'BEGIN { printf "%.1f", c * 100 }'; }
    for what in get list; do
        read -r a_med _ _ <<<"$(stats "${RPS[$what-admin]}")"
        read -r s_med _ _ <<<"$(stats "${RPS[$what-sales]}")"
        read -r c_med c_min c_max <<<"$(stats "${COSTS[$what]}")"
        v=$(verdict le "$c_med" "$T_ACCESS_COST"); [ "$v" = PASS ] || note_fail
        label="GET /api/v1/customers/{id the rep owns}"
        [ "$what" = list ] && label="GET /api/v1/customers?filter=city:eq:{city}&limit=50"
        ACCESS_ROWS+=("$(printf '%-54s %8s %8s  %-26s %-8s %s' "$label" "$(fmt "$a_med" 0)" "$(fmt "$s_med" 0)" \
            "$(pct "$c_med")% ($(pct "$c_min")% .. $(pct "$c_max")%)" "<= 10%" "$v")")
    done
fi

# ------------------------------------------------------------------ report
HWM_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || true)
[ -n "$HWM_KB" ] || die "could not read the server's VmHWM (did it exit?)"
HWM_MB=$(awk -v k="$HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
mem_v=$(verdict le "$HWM_MB" "$T_MEM_MB"); [ "$mem_v" = PASS ] || note_fail
demo_v=$(verdict awk -v s="$DEMO_S" -v t="$T_DEMO_S" -v n="$CUSTOMERS" 'BEGIN { exit !(s < t * n / 100000) }')
[ "$demo_v" = PASS ] || note_fail

stop_server

echo
printf '%-54s %10s %13s %9s %9s %7s  %-26s %s\n' "endpoint" "req/s" "vs hz" "p50 ms" "p99 ms" "err" "target" "result"
for r in "${ROWS[@]}"; do echo "$r"; done
echo "  (vs hz: median round (lowest-highest); err = responses with status >= 400 + socket errors, warm-ups included)"
if [ "${#ACCESS_ROWS[@]}" -gt 0 ]; then
    echo
    echo "record-level access: $OWNERS sales reps in 4 teams own the customers; $ROUNDS rounds, admin and rep alternated"
    printf '%-54s %8s %8s  %-26s %-8s %s\n' "endpoint" "admin/s" "sales/s" "cost: median (range)" "target" "result"
    for r in "${ACCESS_ROWS[@]}"; do echo "$r"; done
    echo "  (req/s are medians over the rounds; cost = 1 - sales/admin within a round)"
fi
echo
printf '%-54s %10s  %-26s %s\n' "guanxi demo --customers $CUSTOMERS" "${DEMO_S} s" "< ${T_DEMO_S} s per 100000" "$demo_v"
printf '%-54s %10s  %-26s %s\n' "server peak memory (VmHWM)" "${HWM_MB} MB" "<= ${T_MEM_MB} MB" "$mem_v"
echo
if [ "$FAILS" -eq 0 ]; then
    echo "bench: all targets met"
else
    echo "bench: $FAILS check(s) failed"
    exit 1
fi
