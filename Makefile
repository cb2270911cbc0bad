# SPDX-License-Identifier: Apache-2.0
#
# One GNU Makefile for the whole project.  Outputs go to build/.
#
#   make            build the actuator (momd, momctl) and both plugins
#   make run        install what is missing, build, run the demo (tests/run-demo.sh)
#   make test       install what is missing, build, run every test
#   make bench      benchmarks (tests/bench/)
#   make install    honours PREFIX, DESTDIR and the usual *DIR variables
#   make format     clang-format every C file in place
#
# SANITIZE=1 builds everything with AddressSanitizer and UBSan (with
# float-cast-overflow, which GCC's "undefined" leaves out).  WERROR=1
# (the default under CI=true) turns warnings into errors.

CC       ?= cc
PKG_CONFIG ?= pkg-config
# Sanitized objects never mix with plain ones.
ifeq ($(SANITIZE),1)
BUILD    ?= build/asan
else
BUILD    ?= build
endif
# Absolute, however it was given: a .d file names its object as the build
# that wrote it did, so a tree built once as build/x and once as
# /abs/build/x lost its header dependencies and kept stale objects.
override BUILD := $(abspath $(BUILD))
# `make clean` removes BUILD, so it must not hold the sources, also through
# a symbolic link.  A BUILD that does not exist yet holds nothing (the guard
# runs again at the next make clean).
BUILD_REAL := $(or $(realpath $(BUILD)),$(BUILD))
ifneq ($(filter /,$(BUILD) $(BUILD_REAL))$(filter $(BUILD)/% $(BUILD_REAL)/%,$(CURDIR)/),)
$(error BUILD=$(BUILD) is the source tree, holds it or is /: make clean would remove it)
endif

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SBINDIR  ?= $(PREFIX)/sbin
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
COLLECTD_PLUGINDIR ?= /usr/lib/collectd
COLLECTD_CONFDIR ?= $(SYSCONFDIR)/collectd/collectd.conf.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# polkit reads /etc and /usr/share only, never /usr/local: under SYSCONFDIR.
POLKITRULESDIR ?= $(SYSCONFDIR)/polkit-1/rules.d
DOCDIR   ?= $(DATADIR)/doc/mom
DESTDIR  ?=

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wformat=2 -Wvla -Wno-format-nonliteral \
	-Wno-missing-field-initializers
ifeq ($(CI),true)
WERROR ?= 1
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -fPIC -MMD -MP
CPPFLAGS += -D_GNU_SOURCE -Iactuator

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined,float-cast-overflow
LDFLAGS += -fsanitize=address,undefined,float-cast-overflow
endif

pc = $(shell $(PKG_CONFIG) $(1) $(2) 2>/dev/null)
JANSSON_CFLAGS  := $(call pc,--cflags,jansson)
JANSSON_LIBS    := $(call pc,--libs,jansson)
LIBVIRT_CFLAGS  := $(call pc,--cflags,libvirt)
LIBVIRT_LIBS    := $(call pc,--libs,libvirt libvirt-qemu)
MHD_CFLAGS      := $(call pc,--cflags,libmicrohttpd)
MHD_LIBS        := $(call pc,--libs,libmicrohttpd)
CURL_CFLAGS     := $(call pc,--cflags,libcurl)
CURL_LIBS       := $(call pc,--libs,libcurl)
XML_CFLAGS      := $(call pc,--cflags,libxml-2.0)
XML_LIBS        := $(call pc,--libs,libxml-2.0)
COLLECTD_CFLAGS := -DHAVE_CONFIG_H -I/usr/include/collectd

CPPFLAGS += $(JANSSON_CFLAGS) $(LIBVIRT_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) $(XML_CFLAGS)
ALL_LIBS := $(JANSSON_LIBS) $(LIBVIRT_LIBS) $(MHD_LIBS) $(CURL_LIBS) $(XML_LIBS) -lpthread -lm

# Issue 15's split of wire.c and policy.c, and the libc-only helpers that
# both plugins compile in too (clock, rate limiter, bounded file reads).
CORE_SPLIT_SRCS := actuator/wire_enc.c actuator/wire_dec.c actuator/wire_lex.c \
	actuator/policy_cc.c actuator/policy_dir.c actuator/arena.c \
	actuator/jsontext.c
PLUGIN_SHARED_SRCS := actuator/clock.c actuator/ratelimit.c actuator/readfile.c

# The pure core: libc and jansson only.  Shared by momd, momctl, the tests
# and (wire.c) the write plugin.
CORE_SRCS := $(CORE_SPLIT_SRCS) $(PLUGIN_SHARED_SRCS) \
	actuator/field.c actuator/wire.c actuator/siphash.c actuator/policy.c \
	actuator/eval.c actuator/plan.c actuator/evalcase.c \
	actuator/policy_expr.c actuator/policy_error.c actuator/evaluate_cli.c \
	actuator/momlang_read.c actuator/momlang_conv.c actuator/momlang_ops.c \
	actuator/momlang_emit.c actuator/jsonlimit.c actuator/glob.c
# Issue 19: policy state across cycles and aggregates over guests.
CORE_SRCS += actuator/evstate.c actuator/policy_ext.c
# The metric contract (metric_rows.h): also compiled into the read plugin.
CORE_SRCS += actuator/metric.c

# The daemon's modules (everything in actuator/ but the core and the mains).
MOMD_SRCS := $(filter-out $(CORE_SRCS) actuator/main.c actuator/momctl.c \
	actuator/momctl_%.c, $(wildcard actuator/*.c))

# The read plugin: glue (with mom_dispatch.c and conf_table.c, the only
# plugin.h users) plus its modules.  conf_table.c parses both plugins'
# <Plugin> blocks.
PLUGIN_CONF := collectd-plugin/conf_table.c
MOM_PLUGIN_GLUE := collectd-plugin/mom.c collectd-plugin/mom_dispatch.c \
	$(PLUGIN_CONF)
# actuator/domxml.c (libvirt XML on libxml2) is shared with momd.
MOM_PLUGIN_SRCS := $(filter-out $(MOM_PLUGIN_GLUE) collectd-plugin/write_mom.c \
	collectd-plugin/sender.c, $(wildcard collectd-plugin/*.c)) actuator/domxml.c
# The write plugin: glue plus the sender, its transport and the shared wire
# module.
WRITE_PLUGIN_GLUE := collectd-plugin/write_mom.c $(PLUGIN_CONF)
WRITE_PLUGIN_SRCS := collectd-plugin/sender.c collectd-plugin/http_curl.c \
	collectd-plugin/origin.c actuator/wire.c actuator/siphash.c

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

CORE_LIB  := $(BUILD)/libmomcore.a
MOMD_LIB  := $(BUILD)/libmomd.a
PLUGIN_LIB := $(BUILD)/libmomplugin.a
MOMD      := $(BUILD)/momd
MOMCTL    := $(BUILD)/momctl
MOM_SO    := $(BUILD)/mom.so
WRITE_SO  := $(BUILD)/write_mom.so

UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TEST_HELPER_SRCS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
# The tests that link sender.c (see below), each with the fake transport
# of tests/unit/sender_fake.h.
SENDER_TEST_BINS := $(BUILD)/tests/sender_test $(BUILD)/tests/sender_fail_test

all: $(MOMD) $(MOMCTL) $(MOM_SO) $(WRITE_SO)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Plugin objects see collectd's headers; nothing else does.
$(BUILD)/collectd-plugin/%.o: CPPFLAGS += $(COLLECTD_CFLAGS)
# Plugin code is linked into collectd: hide every symbol but module_register.
$(BUILD)/collectd-plugin/%.o: CFLAGS += -fvisibility=hidden
$(BUILD)/actuator/wire.o $(BUILD)/actuator/siphash.o \
	$(BUILD)/actuator/domxml.o: CFLAGS += -fvisibility=hidden
$(BUILD)/actuator/metric.o $(BUILD)/actuator/field.o: CFLAGS += -fvisibility=hidden

$(CORE_LIB): $(call obj,$(CORE_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(MOMD_LIB): $(call obj,$(MOMD_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(PLUGIN_LIB): $(call obj,$(MOM_PLUGIN_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(MOMD): $(BUILD)/actuator/main.o $(MOMD_LIB) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

$(MOMCTL): $(call obj,actuator/momctl.c $(wildcard actuator/momctl_*.c)) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(JANSSON_LIBS) $(CURL_LIBS) -lm

$(MOM_SO): $(call obj,$(MOM_PLUGIN_GLUE) $(MOM_PLUGIN_SRCS) actuator/siphash.c \
		actuator/metric.c actuator/field.c) collectd-plugin/exports.map
	$(CC) $(LDFLAGS) -shared -Wl,--version-script=collectd-plugin/exports.map \
		-o $@ $(filter %.o,$^) $(LIBVIRT_LIBS) $(XML_LIBS) $(CURL_LIBS) \
		$(JANSSON_LIBS) -lpthread -lm

$(WRITE_SO): $(call obj,$(WRITE_PLUGIN_GLUE) $(WRITE_PLUGIN_SRCS)) collectd-plugin/exports.map
	$(CC) $(LDFLAGS) -shared -Wl,--version-script=collectd-plugin/exports.map \
		-o $@ $(filter %.o,$^) $(CURL_LIBS) $(JANSSON_LIBS) -lpthread -lm

# The write plugin links the wire encoder, not the decoder (wire.h); both
# plugins compile in the shared helpers, hidden like wire.c.  The sender
# tests and agent_driver link the encoder and the clock the plugin objects
# they name after the archives call.
$(MOM_SO): $(call obj,$(PLUGIN_SHARED_SRCS))
$(WRITE_SO): $(call obj,actuator/wire_enc.c $(PLUGIN_SHARED_SRCS))
$(call obj,actuator/wire_enc.c $(PLUGIN_SHARED_SRCS)): CFLAGS += -fvisibility=hidden
$(SENDER_TEST_BINS) $(BUILD)/tests/http_curl_test: \
	$(call obj,actuator/wire_enc.c actuator/clock.c)
$(BUILD)/tests/agent_driver: $(BUILD)/actuator/clock.o

# Unit tests: one program per module, linked against every library; the
# archives contribute only what a test uses.
$(BUILD)/tests/%_test: $(BUILD)/tests/unit/%_test.o $(call obj,$(TEST_HELPER_SRCS)) \
		$(MOMD_LIB) $(PLUGIN_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
$(BUILD)/tests/unit/%.o: CPPFLAGS += -Itests/unit -Icollectd-plugin
# store_test makes calloc fail (the expiry's re-placing must not need it):
# every calloc its link resolves goes through its __wrap_calloc.
$(BUILD)/tests/store_test: LDFLAGS += -Wl,--wrap=calloc
# sender.c is in no archive (only in write_mom.so); its tests link it
# (and its transport, before the archives).
$(SENDER_TEST_BINS) $(BUILD)/tests/http_curl_test: \
	$(BUILD)/collectd-plugin/sender.o $(BUILD)/collectd-plugin/http_curl.o
# Nothing http_curl_test takes from the archives needs wire.c, which the
# encoder named after them does.
$(BUILD)/tests/http_curl_test: $(BUILD)/actuator/wire.o

tests-build: all $(UNIT_BINS)

# Fuzz targets: tests/fuzz/fuzz_<name>.c fuzzes with corpus tests/fuzz/corpus/<name>/.
# `make test` replays each corpus through build/tests/fuzz_<name>_replay (plain
# cc, tests/fuzz/replay.c as main); `make fuzz` runs each target under
# libFuzzer for FUZZ_SECONDS.  build/tests/evaluate is `momd --evaluate`
# without the daemon (tests/tools/evaluate_driver.c).
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAYS := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/tests/fuzz_%_replay,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang

# Every harness links every library (the archives contribute only what it
# uses): the API and ingest targets need the daemon's modules, the read
# plugin's parsers are in libmomplugin.a.  Harnesses find the shipped
# policies through FUZZ_POLICY_DIR.
FUZZ_CPPFLAGS := -DFUZZ_POLICY_DIR='"$(abspath policies)"' -Icollectd-plugin
$(BUILD)/tests/fuzz/%.o: CPPFLAGS += $(FUZZ_CPPFLAGS)
$(BUILD)/tests/fuzz_%_replay: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o \
		$(MOMD_LIB) $(PLUGIN_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

$(BUILD)/tests/evaluate: $(BUILD)/tests/tools/evaluate_driver.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(JANSSON_LIBS) -lm

# build/tests/agent_driver runs the guest-agent reader and cache
# (collectd-plugin/agent_*.c) against real guests (tests/it/guest_agent.sh).
$(BUILD)/tests/tools/agent_driver.o: CPPFLAGS += -Icollectd-plugin
$(BUILD)/tests/agent_driver: $(BUILD)/tests/tools/agent_driver.o $(PLUGIN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBVIRT_LIBS) $(JANSSON_LIBS) -lpthread

tests-build: $(FUZZ_REPLAYS) $(BUILD)/tests/evaluate $(BUILD)/tests/agent_driver

# build/tests/metric_doc prints README's metric tables and the list of
# series from the metric contract (tests/tools/metric_doc.c).
$(BUILD)/tests/metric_doc: $(BUILD)/tests/tools/metric_doc.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lm

tests-build: $(BUILD)/tests/metric_doc

# libFuzzer builds: every source compiled once with coverage and the
# sanitizers into $(BUILD)/fuzz/obj, each harness linked against all of it.
FUZZ_LIB_SRCS := $(sort $(CORE_SRCS) $(MOMD_SRCS) $(MOM_PLUGIN_SRCS))
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_FLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined
FUZZ_BINS := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz/fuzz_%,$(FUZZ_SRCS))

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(CPPFLAGS) $(FUZZ_CPPFLAGS) -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(CPPFLAGS) $(FUZZ_CPPFLAGS) \
		-o $@ $< $(FUZZ_OBJS) $(ALL_LIBS)

.SECONDARY: $(FUZZ_OBJS)
fuzz-build: $(FUZZ_BINS)

# FUZZ=name fuzzes one target only.
fuzz: fuzz-build
	@set -e; for src in $(if $(FUZZ),tests/fuzz/fuzz_$(FUZZ).c,$(FUZZ_SRCS)); do \
		name=$$(basename $$src .c); name=$${name#fuzz_}; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		mkdir -p $(BUILD)/fuzz/corpus-$$name $(BUILD)/fuzz/artifacts; \
		$(BUILD)/fuzz/fuzz_$$name -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=$(BUILD)/fuzz/artifacts/$$name- \
			$(BUILD)/fuzz/corpus-$$name tests/fuzz/corpus/$$name; \
	done

# The install step: packages and host provisioning (tests/install-deps.sh),
# then, as root, the real-guest image in build/guest (cached; the tests only
# check it is there and current: tests/guest/build.sh --check).
deps:
	@sh tests/install-deps.sh
	@if [ "$$(id -u)" = 0 ] && command -v qemu-system-x86_64 >/dev/null; then \
		$(MAKE) --no-print-directory guest-image >/dev/null || \
		echo "deps: the guest image did not build; the real-guest tests will say so"; \
	fi

# Under CI=true, make test runs the whole suite twice: as built for users
# (with -Werror), then under ASan and UBSan (SANITIZE=1, build/asan), and
# closes with the combined count.
ifeq ($(CI),true)
test: deps check-format
	@$(MAKE) --no-print-directory tests-build
	@BUILD=$(abspath $(BUILD)) sh tests/run-tests.sh $(TESTS); a=$$?; \
	$(MAKE) --no-print-directory SANITIZE=1 BUILD=$(abspath build/asan) tests-build && \
	BUILD=$(abspath build/asan) SANITIZE=1 sh tests/run-tests.sh $(TESTS); b=$$?; \
	set -- $$(cat $(abspath $(BUILD))/test-totals) $$(cat $(abspath build/asan)/test-totals 2>/dev/null || echo 0 1 0); \
	echo "plain and sanitized: $$(($$1 + $$4)) passed, $$(($$2 + $$5)) failed, $$(($$3 + $$6)) skipped"; \
	[ $$a -eq 0 ] && [ $$b -eq 0 ]
else
test: deps check-format
	@$(MAKE) --no-print-directory tests-build
	@BUILD=$(abspath $(BUILD)) SANITIZE=$(SANITIZE) sh tests/run-tests.sh $(TESTS)
endif

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) bash tests/run-demo.sh

# Benchmarks (tests/bench/): programs tests/bench/*_bench.c (core library
# only), the LD_PRELOAD shim timing collectd read callbacks and a synthetic
# collectd read plugin, all in $(BUILD)/tests/.  `make bench` installs the
# bench-only packages too (tests/install-deps.sh --bench).
BENCH_SRCS := $(wildcard tests/bench/*_bench.c)
# The baseline tests/bench/compare.sh measures beside this tree: main just
# before issue 15's redesign.
BENCH_BASE ?= 4f2de23
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/tests/%,$(BENCH_SRCS))
BENCH_SOS  := $(BUILD)/tests/bench_readtime.so $(BUILD)/tests/bench_flood.so

$(BUILD)/tests/%_bench: $(BUILD)/tests/bench/%_bench.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(JANSSON_LIBS) -lm
# The one benchmark that talks to libvirtd (libvirt_rpc.sh).
$(BUILD)/tests/libvirt_rpc_bench: $(BUILD)/tests/bench/libvirt_rpc_bench.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBVIRT_LIBS) -lpthread
$(BUILD)/tests/bench/flood_plugin.o: CPPFLAGS += $(COLLECTD_CFLAGS) -Icollectd-plugin
$(BUILD)/tests/bench_flood.so: $(BUILD)/tests/bench/flood_plugin.o \
		$(call obj,collectd-plugin/origin.c actuator/siphash.c)
	$(CC) $(LDFLAGS) -shared -o $@ $^
$(BUILD)/tests/bench_readtime.so: $(BUILD)/tests/bench/readtime.o
	$(CC) $(LDFLAGS) -shared -o $@ $^ -ldl

bench-build: tests-build $(BENCH_BINS) $(BENCH_SOS)

bench:
	@sh tests/install-deps.sh --bench || \
		echo "bench: install-deps failed; what needs a missing tool says so"
	@$(MAKE) --no-print-directory bench-build
	@BUILD=$(abspath $(BUILD)) BENCH_BASE=$(BENCH_BASE) bash tests/bench/run.sh

# The load test for longer (tests/it/load.sh; make test runs it for 5 s).
LOAD_SECONDS ?= 60
load: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) LOAD_SECONDS=$(LOAD_SECONDS) \
		MAX_BATCHES=$$(($(LOAD_SECONDS) * 4000)) bash tests/it/load.sh

# The tiny real-guest image (kernel + initrds) for tests, demo and benchmarks;
# cached, rebuilt only when its inputs change (tests/guest/build.sh).  Always
# build/guest, whatever BUILD is: the sanitized pass (BUILD=build/asan) boots
# the same guests (tests/lib/guests.sh; MOM_GUEST_IMG overrides).
guest-image:
	@bash tests/guest/build.sh $(abspath build)/guest

# Every C file of the project is formatted by contrib/clang-format;
# `make check-format` (run first by `make test`) lists the files that are not
# and fails, `make format` rewrites them.
FORMAT_SRCS = $(wildcard actuator/*.[ch] collectd-plugin/*.[ch] \
	tests/unit/*.[ch] tests/fuzz/*.c tests/tools/*.c tests/bench/*.c \
	tests/guest/*.c)
CLANG_FORMAT := clang-format --style=file:contrib/clang-format

format:
	$(CLANG_FORMAT) -i $(FORMAT_SRCS)

check-format:
	@bad=""; for f in $(FORMAT_SRCS); do \
		$(CLANG_FORMAT) "$$f" | cmp -s - "$$f" || bad="$$bad $$f"; \
	done; \
	if [ -n "$$bad" ]; then \
		echo "check-format: not formatted by contrib/clang-format (make format):$$bad"; \
		exit 1; \
	fi

# ---- install -------------------------------------------------------------
# Every installed file is listed here; tests/it/install.sh checks the tree
# (files and modes) and that uninstall leaves none.  Files with @DIR@
# placeholders (unit, man pages, example configuration) are written to
# $(GEN) with the install paths.  momd's default policy_dir is
# $(DATADIR)/mom/policies, compiled into conf.o, which is rebuilt when an
# install path changes.  install never runs systemctl.
GEN := $(BUILD)/gen
PATHS := $(BINDIR) $(SBINDIR) $(DATADIR) $(DOCDIR) $(SYSCONFDIR) \
	$(COLLECTD_PLUGINDIR) $(COLLECTD_CONFDIR)
MANPAGES := momctl.1 collectd-mom.5 momd.json.5 momd.8
GENERATED := $(GEN)/momd.service $(GEN)/momd.json.example \
	$(GEN)/mom-xmlrpc-bridge.service \
	$(GEN)/collectd-mom.conf $(addprefix $(GEN)/,$(MANPAGES))
SUBST := sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
	-e 's|@DATADIR@|$(DATADIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@COLLECTD_PLUGINDIR@|$(COLLECTD_PLUGINDIR)|g' \
	-e 's|@COLLECTD_CONFDIR@|$(COLLECTD_CONFDIR)|g'

$(BUILD)/actuator/conf.o: CPPFLAGS += -DMOM_POLICY_DIR='"$(DATADIR)/mom/policies"'
$(BUILD)/actuator/conf.o: $(BUILD)/paths.stamp
$(BUILD)/paths.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PATHS)' | cmp -s - $@ || echo '$(PATHS)' >$@

$(GEN)/%: contrib/systemd/%.in $(BUILD)/paths.stamp
	@mkdir -p $(GEN)
	$(SUBST) $< >$@
$(GEN)/%: contrib/man/%.in $(BUILD)/paths.stamp
	@mkdir -p $(GEN)
	$(SUBST) $< >$@
$(GEN)/momd.json.example: contrib/momd.json.example.in $(BUILD)/paths.stamp
	@mkdir -p $(GEN)
	$(SUBST) $< >$@
# The read plugin's snippet, then the write plugin's: one file for collectd.
$(GEN)/collectd-mom.conf: contrib/collectd/mom.conf contrib/collectd/write_mom.conf
	@mkdir -p $(GEN)
	cat $^ >$@

install: all $(GENERATED)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(COLLECTD_PLUGINDIR) $(DESTDIR)$(COLLECTD_CONFDIR) \
		$(DESTDIR)$(DATADIR)/mom/policies $(DESTDIR)$(DATADIR)/mom/examples \
		$(DESTDIR)$(DATADIR)/mom/adaptive \
		$(DESTDIR)$(DATADIR)/mom/dashboards $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(DATADIR)/mom/vdsm \
		$(DESTDIR)$(SYSCONFDIR)/mom \
		$(DESTDIR)$(SYSTEMDUNITDIR)/collectd.service.d \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(POLKITRULESDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(MOMD) $(DESTDIR)$(SBINDIR)/momd
	install -m 0755 $(MOMCTL) $(DESTDIR)$(BINDIR)/momctl
	install -m 0644 $(MOM_SO) $(WRITE_SO) $(DESTDIR)$(COLLECTD_PLUGINDIR)/
	install -m 0644 policies/*.json $(DESTDIR)$(DATADIR)/mom/policies/
	install -m 0644 policies/examples/*.json $(DESTDIR)$(DATADIR)/mom/examples/
	install -m 0644 policies/adaptive/*.json $(DESTDIR)$(DATADIR)/mom/adaptive/
	install -m 0644 contrib/dashboards/*.json $(DESTDIR)$(DATADIR)/mom/dashboards/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 0644 policies/README.md $(DESTDIR)$(DOCDIR)/policies.md
	install -m 0644 $(GEN)/momd.json.example $(DESTDIR)$(SYSCONFDIR)/mom/
	install -m 0644 $(GEN)/collectd-mom.conf $(DESTDIR)$(COLLECTD_CONFDIR)/mom.conf
	install -m 0644 $(GEN)/momd.service contrib/systemd/momd.socket \
		contrib/systemd/momd-read.socket $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -m 0644 contrib/systemd/mom.sysusers $(DESTDIR)$(SYSUSERSDIR)/mom.conf
	install -m 0644 contrib/systemd/mom.tmpfiles $(DESTDIR)$(TMPFILESDIR)/mom.conf
	install -m 0644 contrib/polkit/50-mom.rules $(DESTDIR)$(POLKITRULESDIR)/
	install -m 0755 contrib/vdsm/mom-xmlrpc-bridge $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(GEN)/mom-xmlrpc-bridge.service $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -m 0644 contrib/vdsm/momIF.py contrib/vdsm/momd-vdsm.json \
		contrib/vdsm/collectd-vdsm.conf $(DESTDIR)$(DATADIR)/mom/vdsm/
	install -m 0644 contrib/systemd/collectd-mom.conf \
		$(DESTDIR)$(SYSTEMDUNITDIR)/collectd.service.d/mom.conf
	install -m 0644 $(GEN)/momctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(GEN)/collectd-mom.5 $(GEN)/momd.json.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(GEN)/momd.8 $(DESTDIR)$(MANDIR)/man8/

# Removes what install wrote; directories only when they are ours or empty.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/momd $(DESTDIR)$(BINDIR)/momctl \
		$(DESTDIR)$(SBINDIR)/mom-xmlrpc-bridge \
		$(DESTDIR)$(SYSTEMDUNITDIR)/mom-xmlrpc-bridge.service \
		$(DESTDIR)$(COLLECTD_PLUGINDIR)/mom.so \
		$(DESTDIR)$(COLLECTD_PLUGINDIR)/write_mom.so \
		$(DESTDIR)$(SYSCONFDIR)/mom/momd.json.example \
		$(DESTDIR)$(COLLECTD_CONFDIR)/mom.conf \
		$(DESTDIR)$(SYSTEMDUNITDIR)/momd.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/momd.socket \
		$(DESTDIR)$(SYSTEMDUNITDIR)/momd-read.socket \
		$(DESTDIR)$(SYSUSERSDIR)/mom.conf $(DESTDIR)$(TMPFILESDIR)/mom.conf \
		$(DESTDIR)$(POLKITRULESDIR)/50-mom.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/collectd.service.d/mom.conf \
		$(DESTDIR)$(MANDIR)/man1/momctl.1 \
		$(DESTDIR)$(MANDIR)/man5/collectd-mom.5 \
		$(DESTDIR)$(MANDIR)/man5/momd.json.5 \
		$(DESTDIR)$(MANDIR)/man8/momd.8
	rm -rf $(DESTDIR)$(DATADIR)/mom $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(SYSCONFDIR)/mom \
		$(DESTDIR)$(SYSTEMDUNITDIR)/collectd.service.d 2>/dev/null

clean:
	rm -rf $(BUILD)

.PHONY: load fuzz fuzz-build all deps test tests-build run bench bench-build guest-image format check-format install uninstall clean FORCE

# A .d file that names its object relatively (written while BUILD could be
# relative: by an older Makefile, also after checking one out into this
# tree) matches no rule now, so a header change would never rebuild that
# object.  Such objects go, with their .d files, and are built again.
BUILD_OBJ_DIRS := $(wildcard $(addprefix $(BUILD)/,actuator collectd-plugin tests fuzz))
ifneq ($(BUILD_OBJ_DIRS),)
STALE_DEPS := $(shell find $(BUILD_OBJ_DIRS) -name '*.d' -type f -exec \
	awk 'FNR == 1 { if ($$0 !~ /^\//) print FILENAME; nextfile }' {} + 2>/dev/null)
ifneq ($(STALE_DEPS),)
$(shell rm -f $(STALE_DEPS) $(STALE_DEPS:.d=.o))
endif
endif
# build/systemd-root is a Debian tree (tests/it/systemd_unit.sh), not ours.
-include $(shell find $(BUILD) -path '$(BUILD)/systemd-root*' -prune -o -name '*.d' -type f -print 2>/dev/null)
