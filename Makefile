# SPDX-License-Identifier: GPL-2.0
#
# maglev: build the module and maglevctl, run the tests, install.
# `make help` lists the targets.

# The kernel to build against: the running kernel's build tree if there is
# one, otherwise the newest installed /lib/modules/*/build.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
# /lib/systemd/system and /usr/share/bash-completion for PREFIX=/usr
# (the Debian package), under PREFIX otherwise.
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),,$(PREFIX))/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL ?= install
TOP := $(CURDIR)

.PHONY: all module tools install modules_install style check check-full fuzz \
	demo bench deps deb clean help kdir

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

# The module, for KDIR's kernel (DESTDIR: a staging root).
modules_install: module
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(notdir $(patsubst %/build,%,$(realpath $(KDIR))))

# Everything but the module (the Debian package `maglev` is this with
# DESTDIR=debian/maglev PREFIX=/usr). Files of the tree that are optional
# are installed when they exist.
install: tools
	$(MAKE) -C tools/maglevctl install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) \
		SBINDIR=$(SBINDIR) MANDIR=$(MANDIR)
	$(if $(wildcard tools/maglevd/Makefile),$(MAKE) -C tools/maglevd install \
		DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR))
	$(if $(wildcard tools/systemd/*.service tools/maglevd/*.service), \
		$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR) && \
		$(INSTALL) -m 0644 $(wildcard tools/systemd/*.service tools/maglevd/*.service) \
			$(DESTDIR)$(SYSTEMDUNITDIR)/)
	$(if $(wildcard tools/bash-completion/maglevctl), \
		$(INSTALL) -D -m 0644 tools/bash-completion/maglevctl \
			$(DESTDIR)$(BASHCOMPDIR)/maglevctl)

# Debian packages maglev-dkms and maglev (tools/deb/build; DEB_OUT
# is where the .debs go, default tests/.out/deb).
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

bench:
	tests/bench/run

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	$(MAKE) -C tools/maglevctl clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C $(KDIR) M=$(TOP)/tests/kunit clean 2>/dev/null || true
	rm -rf tests/.out

help:
	@echo "make [KDIR=...] [W=1]   build module/maglev.ko and tools/maglevctl/maglevctl"
	@echo "make modules_install    install the module for KDIR's kernel (depmod)"
	@echo "make install [DESTDIR=] maglevctl, its man page, units (PREFIX=/usr/local)"
	@echo "make deb                Debian packages maglev-dkms and maglev in tests/.out/deb"
	@echo "make style              checkpatch --strict on the kernel sources"
	@echo "make check              every test (installs what it needs as root)"
	@echo "make check-full         make check, with every scenario on the debug kernel too"
	@echo "make fuzz               the netlink and packet fuzzers, 1,000,000 each, debug kernel"
	@echo "make demo               client, forwarder and backends in a VM"
	@echo "make bench              benchmarks (tests/bench/RESULTS.md)"
