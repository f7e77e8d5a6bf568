# prockit: small Unix tools for pools, queues, pipes, shared memory,
# zombies and orphans.  See README.md; `make check` and `make demo` are the
# whole quick start.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man

CXX     ?= g++
BUILD   ?= build
TOOLS   := shq pipe-cat pool-run zombie-watch orphan-demo
PACKAGES := g++ make libboost1.81-dev libhiredis-dev redis-server bats bats-assert bats-support bats-file mandoc jq pv parallel

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

.PHONY: all check deps lint test sanitize bench demo install uninstall clean
all: $(BINS) $(BENCH_BINS)

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_LDFLAGS) $< $(LDLIBS) -o $@

# Installs the Debian packages the build and the tests need: as root with
# apt-get (refreshing the package lists when a package is not found);
# otherwise it prints the exact command and stops.
deps:
	@missing=""; \
	for p in $(PACKAGES); do \
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

test: $(BINS)
	@PROCKIT_BIN=$(abspath $(BUILD)/bin) tests/run

# The same tests against a build with AddressSanitizer and UBSan.
sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build/sanitize SANITIZE=1 test

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

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(TOOLS:%=$(DESTDIR)$(MANDIR)/man1/%.1) \
	      $(MAN7:man/%=$(DESTDIR)$(MANDIR)/man7/%)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
