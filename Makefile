# ddbd -- an offline DynamoDB emulator. Plain GNU make; see README.md.
#
#   make            build build/ddbd, build/ddb and build/libddbcore.a
#   make run        install missing Debian packages (as root), build, run ddbd on 127.0.0.1:8000
#   make workshop   like run, enforcing the workshop principals and IAM policies (policies/)
#   make test       install what the tests need, build, run every test
#   make asan       the same suite against an ASan+UBSan build (build/asan)
#   make fuzz       build the libFuzzer targets (clang) and run each FUZZ_SECONDS (default 60)
#   make demo-hot-partition   build, then a hot key against shard keys on a throwaway ddbd
#   make clean      remove build/

BUILD    ?= build
PKGS     := libmicrohttpd jansson sqlite3 libcrypto
CLIENT_PKGS := jansson libcrypto libcurl
# Debian packages behind PKGS and CLIENT_PKGS, plus the tool chain.
DEB_BUILD_PKGS := gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libssl-dev \
                  libcurl4-openssl-dev

CC       ?= cc
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter
OPT      ?= -O2 -g
SANITIZE ?=
CFLAGS_ALL = $(WARN) $(OPT) $(SANITIZE) $(CFLAGS)
CPPFLAGS_ALL = -D_GNU_SOURCE -Iinclude -Iemulator -MMD -MP $(PKG_CFLAGS) $(CPPFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) libcurl 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CLIENT_LIBS = $(shell pkg-config --libs $(CLIENT_PKGS) 2>/dev/null)

VERSION  := $(shell cat emulator/VERSION 2>/dev/null || echo 0.0.0)

CORE_SRC := $(wildcard emulator/core/*.c)
EMU_SRC  := $(wildcard emulator/*.c)
CLI_SRC  := $(wildcard client/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
EMU_OBJ  := $(EMU_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run workshop test asan clean deps check-deps help bench fuzz fuzz-build
all: $(BUILD)/ddbd $(if $(CLI_SRC),$(BUILD)/ddb) $(BUILD)/libddbcore.a $(UNIT_BIN)

$(BUILD)/obj/%.o: %.c | check-deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -DDDB_VERSION='"$(VERSION)"' $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/libddbcore.a: $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/ddbd: $(EMU_OBJ) $(BUILD)/libddbcore.a
	$(CC) $(CFLAGS_ALL) -o $@ $(EMU_OBJ) $(BUILD)/libddbcore.a $(LDLIBS_ALL)

$(BUILD)/ddb: $(CLI_OBJ) $(BUILD)/libddbcore.a
	$(CC) $(CFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libddbcore.a $(CLIENT_LIBS) -lpthread -lm $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libddbcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(BUILD)/libddbcore.a $(LDLIBS_ALL)

# Fails with the exact apt-get line when a build dependency is missing, or
# installs it when running as root (DDB_NO_INSTALL=1 turns installing off).
check-deps:
	@pkg-config --exists $(PKGS) $(CLIENT_PKGS) 2>/dev/null && command -v $(CC) >/dev/null || $(MAKE) -s deps

deps:
	@missing=""; for p in $(DEB_BUILD_PKGS); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && [ -z "$$DDB_NO_INSTALL" ]; then \
	    echo "ddbd: installing$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	    echo "ddbd: missing Debian packages. Run:"; \
	    echo "  sudo apt-get install -y$$missing"; exit 1; fi

run: all
	./$(BUILD)/ddbd $(ARGS)

workshop: all
	./$(BUILD)/ddbd --principals policies/principals.json $(ARGS)

test:
	tests/run.sh

asan:
	tests/run.sh --asan

bench:
	BENCH_BUILD=$(BUILD) tests/bench/run.sh

clean:
	rm -rf build

help:
	@sed -n '1,10p' Makefile

# ---- fuzzing (clang + libFuzzer, ASan+UBSan); never part of 'all' ----------
# 'make fuzz' builds tests/fuzz/fuzz_*.c into $(FUZZ_BUILD) and runs each target
# for FUZZ_SECONDS on a scratch corpus seeded from fixtures/fuzz/<target>/ (every
# committed input, crashers included, is replayed first). fuzz_dispatch links
# every emulator source but http.c and main.c and stands in for http.c itself.
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= expr iam shape sigv4 dispatch
FUZZ_CFLAGS   = $(filter-out -Werror,$(WARN)) -Wno-format-nonliteral -Wno-string-concatenation \
                -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all $(CFLAGS)
FUZZ_CORE_OBJ := $(CORE_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_EMU_OBJ  := $(filter-out %/http.o %/main.o,$(EMU_SRC:%.c=$(FUZZ_BUILD)/obj/%.o))
FUZZ_SHAPE_OBJ := $(FUZZ_BUILD)/obj/emulator/shape.o $(FUZZ_BUILD)/obj/emulator/shapes.gen.o
FUZZ_BIN     := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_LINK     = $(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_ALL)

$(FUZZ_BUILD)/obj/%.o: %.c | check-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS_ALL) -DDDB_VERSION='"$(VERSION)"' $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/fuzz_expr $(FUZZ_BUILD)/fuzz_iam $(FUZZ_BUILD)/fuzz_sigv4: \
        $(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE_OBJ)
	$(FUZZ_LINK)
$(FUZZ_BUILD)/fuzz_shape: tests/fuzz/fuzz_shape.c $(FUZZ_SHAPE_OBJ) $(FUZZ_CORE_OBJ)
	$(FUZZ_LINK)
$(FUZZ_BUILD)/fuzz_dispatch: tests/fuzz/fuzz_dispatch.c $(FUZZ_EMU_OBJ) $(FUZZ_CORE_OBJ)
	$(FUZZ_LINK)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ---- demo -------------------------------------------------------------------
# The workshop's section 3 on one screen (README "Section 3 on a laptop"):
# ddbd on a free loopback port with the manual clock, section3 --compare,
# then ddb top over the two phases; ddbd is stopped by its PID.
.PHONY: demo-hot-partition
demo-hot-partition: all
	@tests/demo/hot_partition.sh $(BUILD)

-include $(CORE_OBJ:.o=.d) $(EMU_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
-include $(FUZZ_CORE_OBJ:.o=.d) $(FUZZ_EMU_OBJ:.o=.d)
