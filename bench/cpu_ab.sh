#!/usr/bin/env bash
# Server CPU per request, two builds compared on the same data (by hand,
# not by `make bench`). On a shared machine req/s follow the neighbours;
# the CPU time the server spends per request (utime+stime from /proc,
# around a wrk run) follows the code.
#   bench/cpu_ab.sh OLD_BIN NEW_BIN DATA_DIR [ROUNDS]
# DATA_DIR is a folder made by `guanxi demo` (it is copied twice, so each
# build migrates its own copy). Each round runs GET /healthz, GET by random
# id, the filtered list of 50 and POST of a new customer against both
# builds, alternated, for BENCH_DURATION (3s) each with wrk (2 threads, 32
# connections); the copies grow by the customers posted.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
OLD=$(realpath "$1") NEW=$(realpath "$2") SRC=$3 ROUNDS=${4:-3}
DURATION=${BENCH_DURATION:-3s}
command -v wrk >/dev/null || { echo "cpu_ab: wrk not found: run scripts/deps.sh" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/guanxi-cpu-ab.XXXXXX")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

declare -A PORT PID
for b in old new; do
    bin=$OLD; [ $b = new ] && bin=$NEW
    cp -r "$SRC" "$WORK/$b"
    "$bin" migrate --data "$WORK/$b" >/dev/null
    printf 'cpu-ab-pass-%s' "$$" | "$bin" user add "cpu-ab-$b" --role admin --password-stdin --data "$WORK/$b" >/dev/null
    printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$("$bin" token create "cpu-ab-$b" --data "$WORK/$b" | tr -d '[:space:]')" >"$WORK/$b.lua"
    PORT[$b]=$(free_port)
    "$bin" serve --data "$WORK/$b" --listen "127.0.0.1:${PORT[$b]}" --access-log off >"$WORK/$b.log" 2>&1 &
    PID[$b]=$!
    PIDS+=("$!")
done
for b in old new; do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:${PORT[$b]}/healthz" >/dev/null && break; sleep 0.1; done
done
MAX=$(sqlite3 "$WORK/new/guanxi.db" 'SELECT max(id) FROM customers')
CITY=$(sqlite3 "$WORK/new/guanxi.db" 'SELECT city FROM customers WHERE city IS NOT NULL GROUP BY city ORDER BY count(*) DESC LIMIT 1')
CITY_Q=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$CITY")
for b in old new; do
    cp "$WORK/$b.lua" "$WORK/$b-get.lua"
    echo "function request() return wrk.format(\"GET\", \"/api/v1/customers/\" .. math.random(1, $MAX)) end" >>"$WORK/$b-get.lua"
    # POST: a new customer each time (name, local name, e-mail, city,
    # tags), unique per run, thread and request
    cp "$WORK/$b.lua" "$WORK/$b-post.lua"
    cat >>"$WORK/$b-post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads, n, run = 0, 0, tostring(os.time()) .. tostring(math.random(1, 1e9))
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
   n = n + 1
   return wrk.format(nil, "/api/v1/customers", nil, string.format(
      '{"kind":"person","name":"王小明%d","local_name":"王小明%d","email":"ab-%s-%d-%d@example.com",'
      .. '"city":"台北","country":"TW","language":"zh-Hant","tags":["bench","客户"]}', n, n, run, tid or 0, n))
end
EOF
done

# run NAME BUILD PATH SCRIPT -> "µs per request, req/s"
run() {
    local pid=${PID[$2]} c0 c1 out n
    c0=$(cpu_ticks "$pid")
    out=$(wrk -t2 -c32 -d"$DURATION" -s "$4" "http://127.0.0.1:${PORT[$2]}$3")
    c1=$(cpu_ticks "$pid")
    n=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
    awk -v t=$((c1 - c0)) -v n="$n" -v hz="$(getconf CLK_TCK)" -v r="$(printf '%s\n' "$out" | awk '/Requests\/sec/ { print $2 }')" \
        'BEGIN { printf "%8.1f us/request  %9.0f req/s\n", t * 1e6 / hz / n, r }'
}
printf '%-8s %-5s %s\n' request build "server CPU"
for r in $(seq "$ROUNDS"); do
    for b in old new; do
        printf '%-8s %-5s %s\n' healthz $b "$(run healthz $b /healthz "$WORK/$b.lua")"
        printf '%-8s %-5s %s\n' get $b "$(run get $b / "$WORK/$b-get.lua")"
        printf '%-8s %-5s %s\n' list $b "$(run list $b "/api/v1/customers?filter=city:eq:$CITY_Q&limit=50" "$WORK/$b.lua")"
        printf '%-8s %-5s %s\n' post $b "$(run post $b /api/v1/customers "$WORK/$b-post.lua")"
    done
done
