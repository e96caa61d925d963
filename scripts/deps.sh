#!/usr/bin/env bash
# Install what Guanxi needs to build, test and benchmark, and only what is
# missing: Debian packages (apt) and the npm dev dependencies (npm ci).
# Idempotent; quiet on success (one line); exits non-zero with a clear
# message on failure. Works as root or through sudo.
set -euo pipefail

cd "$(dirname "$0")/.."

die() { echo "deps: error: $*" >&2; exit 1; }

# Debian packages the build, the tests and the benchmarks use.
PKGS=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libicu-dev libopencc-dev libssl-dev
      sqlite3 libsodium-dev libcmocka-dev wrk libxlsxwriter-dev
      # real readers for the import/export tests: vCards, XLSX (headless)
      python3-vobject libreoffice-calc-nogui
      # the UI's browser tests: Debian's Chromium (driven by playwright-core,
      # never a downloaded browser) and a CJK font for the screenshots
      chromium fonts-wqy-zenhei)
# Node.js may come from elsewhere (e.g. a newer node on PATH): use it if so.
command -v node >/dev/null 2>&1 || PKGS+=(nodejs)
command -v npm  >/dev/null 2>&1 || PKGS+=(npm)

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for p in "${PKGS[@]}"; do
    installed "$p" || missing+=("$p")
done

did=()
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
        sudo -n true 2>/dev/null || SUDO=(sudo)
    else
        die "missing Debian packages (${missing[*]}) and not root, no sudo: run as root: apt-get install ${missing[*]}"
    fi
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    export DEBIAN_FRONTEND=noninteractive
    if ! "${SUDO[@]}" apt-get update -q >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "apt-get update failed"
    fi
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "apt-get install ${missing[*]} failed"
    fi
    for p in "${missing[@]}"; do
        installed "$p" || die "package $p still not installed after apt-get install"
    done
    did+=("apt: ${missing[*]}")
fi

command -v node >/dev/null 2>&1 || die "node not found on PATH after install"
command -v npm  >/dev/null 2>&1 || die "npm not found on PATH after install"

# npm dev dependencies (API and browser tests), only when missing or out of
# date. The UI's own packages (web/) are installed by make (npm ci in web/).
if [ -f package.json ]; then
    need_npm=0
    if [ ! -d node_modules ]; then
        need_npm=1
    elif [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] ||
            [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
        need_npm=1
    fi
    if [ "$need_npm" -eq 1 ]; then
        log=${log:-$(mktemp)}
        trap 'rm -f "$log"' EXIT
        if [ -f package-lock.json ]; then
            npm_cmd=(npm ci --no-audit --no-fund)
        else
            npm_cmd=(npm install --no-audit --no-fund)
        fi
        if ! "${npm_cmd[@]}" >"$log" 2>&1; then
            tail -n 30 "$log" >&2
            die "${npm_cmd[*]} failed"
        fi
        did+=("npm: ${npm_cmd[*]}")
    fi
fi

if [ "${#did[@]}" -gt 0 ]; then
    echo "deps: installed (${did[*]})"
else
    echo "deps: all present"
fi
