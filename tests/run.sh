#!/usr/bin/env bash
# Run Guanxi's test suites and print one closing line "N passed, N failed".
#   tests/run.sh [unit|api|ui|all]   (default: all)
# unit: every build/tests/test_* binary (cmocka, built with ASan+UBSan)
# api:  node --test over tests/api/, once against build/guanxi and once
#       against build/asan/guanxi (the tests fail on any sanitizer report)
# ui:   Vitest over web/src (UI logic, i18n completeness), then the browser
#       tests tests/e2e/ (playwright-core + Debian's chromium) against
#       build/guanxi; screenshots in build/test-output/screenshots/
# Exits non-zero if anything failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD

MODE=${1:-all}
case "$MODE" in
    unit|api|ui|all) ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: tests/run.sh [unit|api|ui|all]" >&2; exit 2 ;;
esac

UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}   # seconds per unit-test binary
API_TIMEOUT=${API_TIMEOUT:-1800}    # seconds per API run
UI_TIMEOUT=${UI_TIMEOUT:-600}       # seconds for each UI suite

TOTAL_PASS=0
TOTAL_FAIL=0
FAILED_WHAT=()

TMP=$(mktemp -d "${TMPDIR:-/tmp}/guanxi-tests.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Last integer that follows PREFIX at the start of a line in FILE (0 if none).
last_count() {
    local prefix=$1 file=$2 n
    n=$(grep -aE "^${prefix}[0-9]+" "$file" | tail -n 1 | grep -oE '[0-9]+' | tail -n 1)
    echo "${n:-0}"
}

# Passed and failed tests from a node --test TAP file (cancelled count as
# failed); prints "PASS FAIL" (creates an empty FILE if node left none).
tap_counts() {
    local file=$1
    [ -f "$file" ] || : >"$file"
    echo "$(last_count '# pass ' "$file") $(( $(last_count '# fail ' "$file") + $(last_count '# cancelled ' "$file") ))"
}

suite_done() {  # NAME PASS FAIL [NOTE]
    local name=$1 pass=$2 fail=$3 note=${4:-}
    TOTAL_PASS=$((TOTAL_PASS + pass))
    TOTAL_FAIL=$((TOTAL_FAIL + fail))
    [ "$fail" -gt 0 ] && FAILED_WHAT+=("$name")
    echo "-- suite ${name}: ${pass} passed, ${fail} failed${note:+ ($note)}"
}

# ---------------------------------------------------------------- unit tests
run_unit() {
    echo "== unit tests (build/tests/test_*)"
    local bins=() b
    for b in build/tests/test_*; do
        [ -f "$b" ] && [ -x "$b" ] && bins+=("$b")
    done
    if [ "${#bins[@]}" -eq 0 ]; then
        suite_done unit 0 0 "no test binaries; run 'make units'"
        return
    fi
    local spass=0 sfail=0 out rc pass fail
    for b in "${bins[@]}"; do
        out="$TMP/$(basename "$b").out"
        CMOCKA_MESSAGE_OUTPUT=STDOUT ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
            UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
            timeout -k 10 "$UNIT_TIMEOUT" "$b" >"$out" 2>&1 </dev/null
        rc=$?
        # cmocka: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
        # (one pair per group: add them up).
        pass=$(awk '/^\[  PASSED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$out")
        fail=$(awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$out")
        local why=""
        if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
            # crashed, sanitizer abort, leak report, timeout: one failure at least
            fail=1
            case "$rc" in
                124|137) why="timed out after ${UNIT_TIMEOUT}s" ;;
                *) if [ "$rc" -gt 128 ]; then why="killed by signal $((rc - 128))"; else why="exit code $rc"; fi ;;
            esac
        fi
        if [ "$fail" -gt 0 ]; then
            echo "FAIL $b: ${pass} passed, ${fail} failed${why:+ ($why)}"
            sed 's/^/    /' "$out"
        else
            echo "ok   $b: ${pass} passed"
        fi
        spass=$((spass + pass)); sfail=$((sfail + fail))
    done
    suite_done unit "$spass" "$sfail" "${#bins[@]} binaries"
}

# ----------------------------------------------------------------- API tests
API_FILES=()
find_api_files() {
    # The file names node's test runner picks up by default.
    mapfile -t API_FILES < <(find tests/api -type f \( \
        -name '*.test.js' -o -name '*.test.mjs' -o -name '*.test.cjs' \
        -o -name '*-test.js' -o -name '*-test.mjs' -o -name '*-test.cjs' \
        -o -name '*_test.js' -o -name '*_test.mjs' -o -name '*_test.cjs' \
        -o -name 'test-*.js' -o -name 'test-*.mjs' -o -name 'test-*.cjs' \
        -o -name 'test.js' -o -name 'test.mjs' -o -name 'test.cjs' \) \
        -not -path '*/node_modules/*' 2>/dev/null | LC_ALL=C sort)
}

# run_api NAME BINARY [ENV=VALUE...]
run_api() {
    local name=$1 bin=$2; shift 2
    echo "== API tests, ${name} (GUANXI_BIN=${bin})"
    if [ "${#API_FILES[@]}" -eq 0 ]; then
        suite_done "$name" 0 0 "no test files in tests/api/"
        return
    fi
    if [ ! -x "$bin" ]; then
        echo "FAIL: $bin not found or not executable (run 'make' / 'make asan')"
        suite_done "$name" 0 1 "no binary"
        return
    fi
    if ! command -v node >/dev/null 2>&1; then
        echo "FAIL: node not found (run scripts/deps.sh)"
        suite_done "$name" 0 1 "no node"
        return
    fi
    local tap="$TMP/$name.tap" rc pass fail
    local extra=()
    [ "$#" -gt 0 ] && extra=("$@")
    # spec for people on stdout, TAP to a file for counting.
    env "${extra[@]}" GUANXI_BIN="$ROOT/$bin" NO_COLOR=1 \
        timeout -k 10 "$API_TIMEOUT" \
        node --test --test-reporter=spec --test-reporter-destination=stdout \
            --test-reporter=tap --test-reporter-destination="$tap" \
            "${API_FILES[@]}" </dev/null
    rc=$?
    read -r pass fail < <(tap_counts "$tap")
    local note=""
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
        fail=1
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            note="timed out after ${API_TIMEOUT}s"
        else
            note="node exited with $rc"
        fi
    fi
    suite_done "$name" "$pass" "$fail" "$note"
}

run_api_all() {
    find_api_files
    run_api api build/guanxi
    # Sanitizer reports go to the server's stderr, where tests/api/lib checks
    # them per test (and the server's exit status turns non-zero).
    run_api api-asan build/asan/guanxi \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1
}

# ------------------------------------------------------------------ UI tests
run_ui_unit() {
    echo "== UI unit tests (vitest in web/)"
    if [ ! -x web/node_modules/.bin/vitest ]; then
        echo "FAIL: web/node_modules/.bin/vitest missing (run 'make', which runs npm ci in web/)"
        suite_done ui-unit 0 1 "no vitest"
        return
    fi
    local json="$TMP/vitest.json" rc pass fail
    (cd web && NO_COLOR=1 timeout -k 10 "$UI_TIMEOUT" node_modules/.bin/vitest run \
        --reporter=default --reporter=json --outputFile.json="$json" </dev/null)
    rc=$?
    pass=0; fail=0
    if [ -s "$json" ]; then
        read -r pass fail < <(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
            console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites||0))' "$json")
    fi
    local note=""
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; note="vitest exited with $rc"; fi
    suite_done ui-unit "$pass" "$fail" "$note"
}

run_ui_e2e() {
    local files=()
    mapfile -t files < <(find tests/e2e -type f -name '*.test.mjs' 2>/dev/null | LC_ALL=C sort)
    echo "== UI browser tests (tests/e2e, GUANXI_BIN=build/guanxi)"
    if [ "${#files[@]}" -eq 0 ]; then
        suite_done ui-e2e 0 0 "no test files in tests/e2e/"
        return
    fi
    local tap="$TMP/e2e.tap" rc pass fail note=""
    env GUANXI_BIN="$ROOT/build/guanxi" NO_COLOR=1 timeout -k 10 "$UI_TIMEOUT" \
        node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
            --test-reporter=tap --test-reporter-destination="$tap" "${files[@]}" </dev/null
    rc=$?
    read -r pass fail < <(tap_counts "$tap")
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; note="node exited with $rc"; fi
    suite_done ui-e2e "$pass" "$fail" "$note"
}

run_ui() { run_ui_unit; run_ui_e2e; }

case "$MODE" in
    unit) run_unit ;;
    api)  run_api_all ;;
    ui)   run_ui ;;
    all)  run_unit; run_api_all; run_ui ;;
esac

[ "${#FAILED_WHAT[@]}" -gt 0 ] && echo "failed suites: ${FAILED_WHAT[*]}"
echo "${TOTAL_PASS} passed, ${TOTAL_FAIL} failed"
[ "$TOTAL_FAIL" -eq 0 ]
