# SPDX-License-Identifier: GPL-2.0
#
# maglev: build the module and maglevctl, run the tests, install.
# `make help` lists the targets.

# The kernel to build against: the running kernel's build tree if there is
# one, otherwise the newest installed /lib/modules/*/build.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

PREFIX ?= /usr/local
TOP := $(CURDIR)

.PHONY: all module tools install modules_install style check check-full fuzz \
	demo bench deps clean help kdir

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
	$(MAKE) -C tools/maglevd

install: all
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(realpath $(KDIR))))
	$(MAKE) -C tools/maglevctl install PREFIX=$(PREFIX)
	$(MAKE) -C tools/maglevd install PREFIX=$(PREFIX)

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
	$(MAKE) -C tools/maglevd clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C $(KDIR) M=$(TOP)/tests/kunit clean 2>/dev/null || true
	rm -rf tests/.out

help:
	@echo "make [KDIR=...] [W=1]   build module/maglev.ko, tools/maglevctl/maglevctl and tools/maglevd/maglevd"
	@echo "make install            install the module (depmod) and maglevctl"
	@echo "make style              checkpatch --strict on the kernel sources"
	@echo "make check              every test (installs what it needs as root)"
	@echo "make check-full         make check, with every scenario on the debug kernel too"
	@echo "make fuzz               the netlink and packet fuzzers, 1,000,000 each, debug kernel"
	@echo "make demo               client, forwarder and backends in a VM"
	@echo "make bench              benchmarks (tests/bench/RESULTS.md)"
