# SPDX-License-Identifier: GPL-2.0
#
# maglev: build the module and maglevctl, run the tests, install.
# `make help` lists the targets.

# The kernel to build against: the running kernel's build tree if there is
# one, otherwise the newest installed /lib/modules/*/build.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

PREFIX ?= /usr/local
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
TOP := $(CURDIR)

.PHONY: all module tools install install-tools modules_install style check \
	check-full fuzz demo demo-cluster cluster-report bench deps deb clean help kdir

all: module tools

kdir:
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "maglev: no kernel build tree found; install linux-headers-amd64 or set KDIR=" >&2; \
		exit 1; \
	fi
	@echo "maglev: building against KDIR=$(KDIR)"

module: kdir
	$(MAKE) -C $(KDIR) M=$(TOP) modules

tools:
	$(MAKE) -C tools/maglevctl
	$(if $(wildcard tools/maglevd/Makefile),$(MAKE) -C tools/maglevd)

install: all install-tools
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(realpath $(KDIR))))

# Everything but the module (no kernel needed; DESTDIR and PREFIX as
# usual); the Debian package `maglev` is this. Optional parts of the tree
# (maglevd, systemd units, bash completion) are installed when present.
install-tools: tools
	$(MAKE) -C tools/maglevctl install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	$(if $(wildcard tools/maglevd/Makefile), \
		$(MAKE) -C tools/maglevd install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) UNITDIR=$(UNITDIR))
	$(if $(wildcard tools/systemd/maglev.service), \
		install -d $(DESTDIR)$(UNITDIR) && \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g' tools/systemd/maglev.service \
			>$(DESTDIR)$(UNITDIR)/maglev.service)
	$(if $(wildcard tools/systemd/maglev.default), \
		[ -e $(DESTDIR)$(SYSCONFDIR)/default/maglev ] || \
		install -D -m 0644 tools/systemd/maglev.default $(DESTDIR)$(SYSCONFDIR)/default/maglev)
	$(if $(wildcard tools/completion/maglevctl), \
		install -D -m 0644 tools/completion/maglevctl $(DESTDIR)$(COMPLETIONDIR)/maglevctl)

# Debian packages maglev-dkms and maglev, lintian-checked, in
# tests/.out/deb (DEB_OUT=...): tools/deb/build.
deb:
	tools/deb/build

# checkpatch --strict and kernel-doc on the kernel sources.
style:
	tests/style

deps:
	tools/install-deps

check:
	tests/check

check-full:
	MAGLEV_CHECK_FULL=1 tests/check

fuzz:
	tests/fuzz/run

demo:
	tests/demo

demo-cluster:
	tests/demo-cluster

cluster-report:
	tests/cluster/report

bench:
	tests/bench/run

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	$(MAKE) -C tools/maglevctl clean
	$(MAKE) -C tools/maglevd clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C $(KDIR) M=$(TOP)/tests/kunit clean 2>/dev/null || true
	rm -rf tests/.out

help:
	@echo "make [KDIR=...] [W=1]   build module/maglev.ko, tools/maglevctl/maglevctl and tools/maglevd/maglevd"
	@echo "make install            install the module (depmod) and what install-tools does"
	@echo "make install-tools      maglevctl, man page, units, completion ([DESTDIR=] [PREFIX=/usr/local])"
	@echo "make deb                Debian packages maglev-dkms and maglev in tests/.out/deb"
	@echo "make style              checkpatch --strict on the kernel sources"
	@echo "make check              every test (installs what it needs as root)"
	@echo "make check-full         make check, with every scenario on the debug kernel too"
	@echo "make fuzz               the netlink and packet fuzzers, 1,000,000 each, debug kernel"
	@echo "make demo               client, forwarder and backends in a VM (installs what it needs as root)"
	@echo "make demo-cluster       a router and three forwarders (BIRD, ECMP) in a VM, narrated"
	@echo "make cluster-report     cluster failover measurements (tests/cluster/RESULTS.md)"
	@echo "make bench              benchmarks (tests/bench/RESULTS.md)"
