# prockit: small Unix tools for pools, queues, pipes, shared memory,
# zombies and orphans.  See README.md; `make check` and `make demo` are the
# whole quick start.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
# Where bash-completion looks for a command's completion on its first <Tab>.
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

CXX     ?= g++
BUILD   ?= build
TOOLS   := shq pipe-cat pool-run zombie-watch orphan-demo
PACKAGES := g++ make libboost1.81-dev libhiredis-dev redis-server bats bats-assert bats-support bats-file mandoc jq pv parallel libtext-csv-perl bash-completion
# libtext-csv-perl: GNU parallel's --csv needs it (Debian's parallel only suggests it), so
# that tests/parallel-docs compares the --csv examples instead of skipping them.
# `make fuzz` alone needs these: clang and its libFuzzer runtime.
FUZZ_PACKAGES := clang libclang-rt-14-dev

WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast \
            -Wcast-align -Wformat=2 -Wimplicit-fallthrough \
            -Wmissing-declarations -Wundef
# Not -Wnull-dereference: it fires inside Boost.Asio once inlined (a false
# positive GCC 12 reports even for system headers).
ifeq ($(CI),true)
WARNINGS += -Werror
endif

CXXFLAGS ?= -O2 -g
ALL_CXXFLAGS := -std=c++20 $(WARNINGS) -iquote lib -MMD -MP $(CXXFLAGS)
# libstdc++ linked in statically: a tool that starts in a shell loop should
# not pay for loading it on every call (bench/shq measures start-up).
ALL_LDFLAGS  := -static-libstdc++ -static-libgcc -Wl,--as-needed $(LDFLAGS)
LDLIBS       := -lrt -lhiredis

ifeq ($(SANITIZE),1)
ALL_CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ALL_LDFLAGS  := -fsanitize=address,undefined $(LDFLAGS)
endif

LIB_SRCS := $(wildcard lib/*.cpp)
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libprockit.a
BINS     := $(TOOLS:%=$(BUILD)/bin/%)
BENCH_BINS := $(BUILD)/bench/mq-raw $(BUILD)/bench/spawn-raw $(BUILD)/bench/hold-procs
MANS     := $(TOOLS:%=man/%.1)
MAN7     := man/prockit.7
# One file per tool, named after it, and the helpers they share.
COMPLETIONS := $(TOOLS:%=completion/%) completion/_prockit
# Fuzz targets: fuzz/NAME.cpp defines LLVMFuzzerTestOneInput; the inputs
# that once failed are kept in fuzz/regress/NAME/. `make check` replays them
# through a plain main (fuzz/replay.cpp); `make fuzz` runs libFuzzer.
FUZZ_TARGETS := $(filter-out replay,$(basename $(notdir $(wildcard fuzz/*.cpp))))
REPLAYS  := $(FUZZ_TARGETS:%=$(BUILD)/replay/%)
FUZZ_SECONDS ?= 60
# Unit tests: tests/unit/NAME.cpp holds the cases of one lib unit, linked
# with the runner tests/unit/unit.cpp into $(BUILD)/unit/NAME, which prints
# TAP lines that tests/run counts with the Bats tests.
UNIT_TESTS := $(filter-out unit,$(basename $(notdir $(wildcard tests/unit/*.cpp))))
UNITS    := $(UNIT_TESTS:%=$(BUILD)/unit/%)

.PHONY: all check deps deps-fuzz lint test sanitize fuzz bench demo install uninstall clean
all: $(BINS) $(BENCH_BINS) $(REPLAYS) $(UNITS)

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/replay/%: $(BUILD)/obj/fuzz/%.o $(BUILD)/obj/fuzz/replay.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/unit/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/unit.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_LDFLAGS) $< $(LDLIBS) -o $@

# Installs the Debian packages the build and the tests need: as root with
# apt-get (refreshing the package lists when a package is not found);
# otherwise it prints the exact command and stops.
deps deps-fuzz: DEPS = $(if $(filter deps-fuzz,$@),$(FUZZ_PACKAGES),$(PACKAGES))
deps deps-fuzz:
	@missing=""; \
	for p in $(DEPS); do \
	  dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if ! command -v apt-get >/dev/null; then \
	  echo "prockit: missing packages:$$missing (this is not a Debian system: install their equivalents)" >&2; exit 1; \
	fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "prockit: missing packages:$$missing" >&2; \
	  echo "prockit: install them with: sudo apt-get install -y$$missing" >&2; exit 1; \
	fi; \
	echo "prockit: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y -q --no-install-recommends $$missing \
	  || { apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; }

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test

lint:
	mandoc -Tlint -Wwarning $(MANS) $(MAN7)

test: $(BINS) $(REPLAYS) $(UNITS)
	@PROCKIT_BIN=$(abspath $(BUILD)/bin) PROCKIT_REPLAY=$(abspath $(BUILD)/replay) \
	  PROCKIT_UNIT=$(abspath $(BUILD)/unit) tests/run

# The same tests against a build with AddressSanitizer and UBSan.
sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build/sanitize SANITIZE=1 test

# libFuzzer over every target for FUZZ_SECONDS each (FUZZ=NAME for one),
# starting from its kept inputs. A crash or sanitizer report stops it and
# fails; the input is left in build/fuzz/crash/ to be added to
# fuzz/regress/NAME/ once fixed.
FUZZ ?= $(FUZZ_TARGETS)
FUZZ_CXX := clang++
FUZZ_FLAGS := -std=c++20 -iquote lib -O1 -g -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB_OBJS := $(LIB_SRCS:%.cpp=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

build/fuzz/bin/%: build/fuzz/obj/fuzz/%.o $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ:%=build/fuzz/bin/%)
	@set -e; mkdir -p build/fuzz/crash; for t in $(FUZZ); do \
	  mkdir -p build/fuzz/corpus/$$t fuzz/regress/$$t; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  build/fuzz/bin/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=build/fuzz/crash/$$t- \
	    build/fuzz/corpus/$$t fuzz/regress/$$t 2>build/fuzz/$$t.log \
	    || { tail -n 40 build/fuzz/$$t.log; echo "fuzz: $$t failed; the input is in build/fuzz/crash/" >&2; exit 1; }; \
	  grep -E '^stat::number_of_executed_units' build/fuzz/$$t.log || true; \
	done

# Each bench/ script runs a tool beside its peers and a baseline and prints
# the ratios its issue asks for.
bench: all
	@set -e; for b in bench/*; do \
	  if [ -f "$$b" ] && [ -x "$$b" ]; then echo "== $$b"; PROCKIT_BIN=$(abspath $(BUILD)/bin) $$b; fi; \
	done

demo: deps all
	@PROCKIT_BIN=$(abspath $(BUILD)/bin) tests/demo.sh

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7
	install -d $(DESTDIR)$(COMPLETIONDIR)
	install -m 0644 $(COMPLETIONS) $(DESTDIR)$(COMPLETIONDIR)

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(TOOLS:%=$(DESTDIR)$(MANDIR)/man1/%.1) \
	      $(MAN7:man/%=$(DESTDIR)$(MANDIR)/man7/%) \
	      $(COMPLETIONS:completion/%=$(DESTDIR)$(COMPLETIONDIR)/%)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj build/fuzz/obj -name '*.d' 2>/dev/null)
.SECONDARY:
