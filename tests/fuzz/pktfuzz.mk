# SPDX-License-Identifier: GPL-2.0
#
# pktfuzz (tests/fuzz/pktfuzz.c), the packet fuzzer and flooder of the
# netns scenarios 98-pkt-fuzz, 99-rmmod-traffic, 89-netns-teardown and
# 88-churn. They build it themselves with
#   make -s -f tests/fuzz/pktfuzz.mk
# (into tests/.out/pktfuzz, or $(PKTFUZZ_OUT)); include this file from
# another makefile to add the target there.
PKTFUZZ_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
PKTFUZZ_OUT ?= $(PKTFUZZ_DIR)/../.out
PKTFUZZ_CFLAGS ?= -O2 -Wall -Wextra

$(PKTFUZZ_OUT)/pktfuzz: $(PKTFUZZ_DIR)/pktfuzz.c
	@mkdir -p $(@D)
	$(CC) $(PKTFUZZ_CFLAGS) -o $@.tmp.$$$$ $< && mv -f $@.tmp.$$$$ $@
