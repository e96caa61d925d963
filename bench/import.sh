#!/usr/bin/env bash
# `make bench`, part 2: CSV import speed against the sqlite3 shell (issue 4).
#   - generate a CSV of N customers (繁體/简体/English names, unique e-mail,
#     mobile and member card each), streamed by awk
#   - time `sqlite3 .import` of it into a plain table (no validation, no
#     indexes: the floor), then `guanxi import customers` of the same file
#     into a fresh data folder (validated, hooked, audited, identifiers
#     created, every row logged for revert), in the same run
#   - print both times, the ratio (target: guanxi >= 40% as fast) and
#     guanxi's memory: VmRSS sampled every 0.2 s and the peak VmHWM
#   - then the floor of guanxi's own tables: the sqlite3 shell writing the
#     same rows into a fresh guanxi database in one transaction, as plain
#     INSERT ... SELECT: each customer with its indexes, its 3 identifiers
#     and 4 history rows (no validation, no search index: the shell lacks
#     the tokenizer), so what the tables alone cost is seen beside the rest;
#     and the search index alone: SQLite's FTS5 trigram index of the same
#     names, e-mails and mobiles, built in one statement
# Settings (environment): BENCH_IMPORT_ROWS (1000000), GUANXI_BIN
# (build/guanxi), BENCH_KEEP=1 keeps the temporary folder,
# BENCH_IMPORT_FLOOR=0 skips the floor.
# Exits non-zero if an import fails; a missed target is reported, and
# exits 1 too (like bench/run.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${GUANXI_BIN:-build/guanxi}
ROWS=${BENCH_IMPORT_ROWS:-1000000}
T_RATIO=0.40

die() { echo "bench-import: error: $*" >&2; exit 1; }
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
[ -x "$BIN" ] || die "$BIN not found: build it with 'make'"
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 not found: run scripts/deps.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/guanxi-bench-import.XXXXXX")
cleanup() { [ -n "${BENCH_KEEP:-}" ] && echo "bench-import: kept $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT
now() { date +%s.%N; }
fmt() { awk -v x="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, x }'; }

CSV="$WORK/customers.csv"
awk -v n="$ROWS" 'BEGIN {
    split("陳 林 黃 張 李 王 吳 劉 蔡 楊 张 刘 陈 杨 赵 周", fam, " ");
    split("大文 志明 淑芬 美玲 家豪 小明 伟 芳 秀英 敏", giv, " ");
    split("James Mary John Linda David Emma Oliver Grace", en, " ");
    split("Smith Chan Wong Lee Tan Brown", enf, " ");
    split("台北市 高雄市 香港 上海市 北京市 深圳市 London Singapore", city, " ");
    print "name,email,mobile,city,member_card,birth_date";
    for (i = 1; i <= n; i++) {
        if (i % 3 == 0) name = en[i % 8 + 1] " " enf[i % 6 + 1];
        else name = fam[i % 16 + 1] giv[i % 10 + 1];
        printf "%s,user%d@example.com,+86 139 %04d %04d,%s,M%09d,%04d-%02d-%02d\n",
            name, i, int(i / 10000) % 10000, i % 10000, city[i % 8 + 1], i,
            1950 + i % 50, 1 + i % 12, 1 + i % 28;
    }
}' >"$CSV"
MB=$(( $(stat -c %s "$CSV") / 1048576 ))
echo "bench-import: $ROWS customers, ${MB} MB of CSV"

# 1. the floor: sqlite3's own CSV import into a plain table
t0=$(now)
sqlite3 "$WORK/plain.db" ".mode csv" ".import $CSV customers" || die "sqlite3 .import failed"
t1=$(now)
T_SQLITE=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
n=$(sqlite3 "$WORK/plain.db" "SELECT count(*) FROM customers")
[ "$n" -eq "$ROWS" ] || die "sqlite3 imported $n rows, not $ROWS"

# 2. guanxi import, its memory sampled while it runs
"$BIN" init --data "$WORK/data" >/dev/null 2>&1 || die "guanxi init failed"
t0=$(now)
"$BIN" import --data "$WORK/data" customers "$CSV" >"$WORK/import.log" 2>&1 &
pid=$!
: >"$WORK/rss"
hwm=0
while kill -0 "$pid" 2>/dev/null; do
    if s=$(grep -E '^(VmRSS|VmHWM)' "/proc/$pid/status" 2>/dev/null); then
        echo "$s" | awk '/VmRSS/ { print $2 }' >>"$WORK/rss"
        h=$(echo "$s" | awk '/VmHWM/ { print $2 }')
        [ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
    fi
    sleep 0.2
done
rc=0
wait "$pid" || rc=$?
t1=$(now)
[ "$rc" -eq 0 ] || { tail -n 20 "$WORK/import.log" >&2; die "guanxi import exited $rc"; }
T_GUANXI=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
grep -q "$ROWS created, 0 updated, 0 skipped, 0 failed" "$WORK/import.log" ||
    { cat "$WORK/import.log" >&2; die "guanxi did not import every row"; }

RATIO=$(awk -v s="$T_SQLITE" -v g="$T_GUANXI" 'BEGIN { printf "%.3f", s / g }')
# RSS flatness: the samples after the first tenth of the run
read -r rmin rmax < <(awk '{ v[NR] = $1 } END { s = int(NR / 10) + 1; mn = 1e12; mx = 0;
    for (i = s; i <= NR; i++) { if (v[i] < mn) mn = v[i]; if (v[i] > mx) mx = v[i] }
    if (mx == 0) mn = 0; print mn, mx }' "$WORK/rss")
echo "bench-import: sqlite3 .import   $(fmt "$T_SQLITE" 2) s  ($(fmt "$(awk -v r="$ROWS" -v t="$T_SQLITE" 'BEGIN { print r / t }')" 0) rows/s)"
echo "bench-import: guanxi import     $(fmt "$T_GUANXI" 2) s  ($(fmt "$(awk -v r="$ROWS" -v t="$T_GUANXI" 'BEGIN { print r / t }')" 0) rows/s)"
echo "bench-import: ratio             $RATIO of sqlite3's speed (target >= $T_RATIO)"
echo "bench-import: guanxi memory     peak VmHWM $((hwm / 1024)) MB; VmRSS $((rmin / 1024))-$((rmax / 1024)) MB after the first tenth"
if [ "${BENCH_IMPORT_FLOOR:-1}" != 0 ]; then
    "$BIN" init --data "$WORK/floor" >/dev/null 2>&1 || die "guanxi init failed"
    NOW=2026-01-01T00:00:00.000Z
    t0=$(now)
    sqlite3 "$WORK/floor/guanxi.db" <<SQL || die "the floor's SQL failed"
PRAGMA cache_size=-32768;
ATTACH '$WORK/plain.db' AS p;
BEGIN;
INSERT INTO customers (created_at, updated_at, kind, name, email, mobile, city, birth_date,
    legal_hold, name_key_en, name_key_zh_hans, name_key_zh_hant)
  SELECT '$NOW', '$NOW', 'person', name, email, mobile, city, birth_date, 0,
    CAST(name AS BLOB), CAST(name || 'h' AS BLOB), CAST(name || 't' AS BLOB)
  FROM p.customers ORDER BY rowid;
INSERT INTO customer_identifiers (created_at, updated_at, customer_id, kind, value, norm)
  SELECT '$NOW', '$NOW', c.rowid, k.kind, CASE k.kind WHEN 'email' THEN c.email
      WHEN 'phone' THEN c.mobile ELSE c.member_card END,
    CASE k.kind WHEN 'email' THEN lower(c.email) WHEN 'phone' THEN replace(c.mobile, ' ', '')
      ELSE c.member_card END
  FROM p.customers AS c, (SELECT 'email' AS kind UNION ALL SELECT 'phone'
    UNION ALL SELECT 'member_card') AS k ORDER BY c.rowid, k.kind;
INSERT INTO history (entity, record_id, at, action, changes)
  SELECT 'customers', c.rowid, '$NOW', 'create', json_array(
      json_object('field', 'name', 'old', NULL, 'new', c.name),
      json_object('field', 'email', 'old', NULL, 'new', c.email),
      json_object('field', 'mobile', 'old', NULL, 'new', c.mobile),
      json_object('field', 'city', 'old', NULL, 'new', c.city),
      json_object('field', 'birth_date', 'old', NULL, 'new', c.birth_date))
  FROM p.customers AS c ORDER BY c.rowid;
INSERT INTO history (entity, record_id, at, action, changes)
  SELECT 'customer_identifiers', id, '$NOW', 'create', json_array(
      json_object('field', 'customer_id', 'old', NULL, 'new', customer_id),
      json_object('field', 'kind', 'old', NULL, 'new', kind),
      json_object('field', 'value', 'old', NULL, 'new', value))
  FROM customer_identifiers ORDER BY id;
COMMIT;
SQL
    t1=$(now)
    T_FLOOR=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    echo "bench-import: floor of guanxi's tables (sqlite3, one INSERT ... SELECT each, no validation, no search index)" \
        "$(fmt "$T_FLOOR" 2) s = $(awk -v s="$T_SQLITE" -v f="$T_FLOOR" 'BEGIN { printf "%.3f", s / f }') of .import's speed"
    # the search index alone, as SQLite makes it: its own trigram tokenizer
    # (no folding, no pinyin) over the name, e-mail and mobile of the rows
    # .import wrote, in one statement
    t0=$(now)
    sqlite3 "$WORK/plain.db" "CREATE VIRTUAL TABLE search USING fts5(name, email, mobile, tokenize = 'trigram');" \
        "INSERT INTO search SELECT name, email, mobile FROM customers;" || die "the FTS5 floor failed"
    t1=$(now)
    T_FTS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    echo "bench-import: floor of the search index (sqlite3, FTS5 trigram of name, e-mail and mobile, nothing else)" \
        "$(fmt "$T_FTS" 2) s = $(awk -v s="$T_SQLITE" -v f="$T_FTS" 'BEGIN { printf "%.3f", s / f }') of .import's speed"
fi
awk -v r="$RATIO" -v t="$T_RATIO" 'BEGIN { exit !(r >= t) }' && echo "bench-import: PASS" ||
    { echo "bench-import: FAIL (ratio below $T_RATIO)"; exit 1; }
