# Guanxi - build, run, test and benchmark.
#   make          release build: build/guanxi
#   make asan     ASan+UBSan build: build/asan/guanxi
#   make run      install what is missing, build, demo data, serve on :8080
#   make test     install what is missing, build, run every test suite
#   make bench    benchmarks (bench/run.sh, bench/import.sh, bench/search.sh)
#   make web      the web UI only: npm ci + vite build in web/, then embedded
#                 as build/gen/web_assets.c (compiled into build/guanxi)

PKGS     := libmicrohttpd jansson sqlite3 libsodium icu-uc icu-i18n libcrypto opencc xlsxwriter
CC       ?= cc
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-missing-field-initializers
# '=' not ':=': pkg-config runs when a rule needs it, after 'make deps' has
# installed the libraries on a fresh machine.
CFLAGS_BASE = -std=c11 -D_GNU_SOURCE $(WARN) -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
OPT      ?= -O2 -g

SRC      := $(sort $(wildcard src/*/*.c))
LIB_SRC  := $(filter-out src/cli/%,$(SRC))
CLI_SRC  := $(filter src/cli/%,$(SRC))
HDR      := $(wildcard src/*/*.h)

# The web UI, built by Vite and compiled in as byte arrays (generated C).
WEB_SRC  := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts \
            web/tsconfig.json web/package.json web/package-lock.json
WEB_GEN  := build/gen/web_assets.c

OBJ      := $(SRC:src/%.c=build/obj/%.o) build/obj/gen/web_assets.o
ASAN_OBJ := $(SRC:src/%.c=build/asan/obj/%.o) build/asan/obj/gen/web_assets.o
ASAN_LIB := $(LIB_SRC:src/%.c=build/asan/obj/%.o) build/asan/obj/gen/web_assets.o

SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)

.PHONY: all asan run test test-unit test-api test-ui bench deps clean units web

all: build/guanxi

build/guanxi: $(OBJ)
	$(CC) $(OPT) -o $@ $^ $(LIBS)

build/obj/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(OPT) -c -o $@ $<

# npm ci only when the lock file changed; vite build when a source did.
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: $(WEB_SRC) web/node_modules/.package-lock.json
	cd web && npx --no-install tsc --noEmit -p . && npx --no-install vite build --logLevel warn
	@touch $@

$(WEB_GEN): web/dist/index.html scripts/embed-web.mjs
	node scripts/embed-web.mjs web/dist $@

web: $(WEB_GEN)

build/obj/gen/web_assets.o: $(WEB_GEN) src/api/web_assets.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(OPT) -c -o $@ $<

build/asan/obj/gen/web_assets.o: $(WEB_GEN) src/api/web_assets.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN) -O1 -g -c -o $@ $<

asan: build/asan/guanxi

build/asan/guanxi: $(ASAN_OBJ)
	$(CC) $(SAN) -O1 -g -o $@ $^ $(LIBS)

build/asan/obj/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN) -O1 -g -c -o $@ $<

units: $(UNIT_BIN)

build/tests/%: tests/unit/%.c $(ASAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -Itests/unit $(SAN) -O1 -g -o $@ $< $(ASAN_LIB) $(LIBS) $(shell pkg-config --libs cmocka)

deps:
	@scripts/deps.sh

# deps first, then the build in a sub-make: with -j, a prerequisite list
# would compile alongside the install, before the libraries are there.
run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

test: deps
	@$(MAKE) --no-print-directory all asan units
	@tests/run.sh

test-unit: units
	@tests/run.sh unit

test-api: all asan
	@tests/run.sh api

test-ui: all
	@tests/run.sh ui

bench: deps
	@$(MAKE) --no-print-directory all
	@rc=0; bench/run.sh || rc=1; bench/import.sh || rc=1; bench/search.sh || rc=1; exit $$rc

clean:
	rm -rf build web/dist
