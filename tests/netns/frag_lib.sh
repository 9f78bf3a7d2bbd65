#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the fragment scenarios (tests/netns/5[2-9]-frag-*.sh); source
# after lib.sh. frag_peer.py sends the fragmented datagrams.

FRAG_PEER=$NETNS_DIR/frag_peer.py

# defrag_on NS: conntrack (and so its defragmentation, nf_defrag_ipv4/6 at
# PREROUTING priority -400) in namespace NS, as on a forwarder that also
# runs a stateful firewall.
defrag_on() {
	modprobe -a nfnetlink nf_tables nft_ct nf_conntrack ||
		die "cannot load nf_tables and conntrack"
	busywait 10000 in_ns "$1" nft -f "$NETNS_DIR/frag_ct.nft" >/dev/null ||
		die "nft conntrack rule in $1"
}

# reasm NS: IpReasmReqds + Ip6ReasmReqds of NS (fragments the kernel queued
# for reassembly).
reasm() {
	in_ns "$1" nstat -asz IpReasmReqds Ip6ReasmReqds 2>/dev/null |
		awk '/ReasmReqds/ { n += $2 } END { print n + 0 }'
}

# frag_cond EXPR [NS]: F's (or NS's) `maglevctl -j stats` as d makes the
# python EXPR true; the fragment counters are printed when it does not.
frag_cond() {
	local ns=${2:-$NS_F} j
	j=$(in_ns "$ns" "$MAGLEVCTL" -j stats) || return 1
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
if not ('"$1"'):
    print({k: v for k, v in d.items() if k.startswith("frag") and v})
    sys.exit(1)' "$j"
}

# frag_check DESC EXPR [NS]: check that frag_cond holds now.
frag_check() {
	check "$1" frag_cond "${@:2}"
}

# frag_wait DESC EXPR [NS]: check that frag_cond holds within 15 s.
frag_wait() {
	check "$1" busywait 15000 frag_cond "${@:2}"
}

# frag_send DESC ORDER DST SPORTS [SRC [OPTIONS]]: datagrams of 4000 bytes
# (see frag_peer.py send) from the client, checked against F's lookups.
frag_send() {
	local desc=$1 order=$2 dst=$3 sports=$4 src=${5:-}
	[ -n "$src" ] || case "$dst" in *:*) src=$C6 ;; *) src=$C4 ;; esac
	CHECK_SHOW=1 check "$desc" python3 "$FRAG_PEER" send --client-ns "$NS_C" \
		--fwd-ns "$NS_F" --map "$(be_map 46)" --src "$src" --dst "$dst" \
		--port 80 --sports "$sports" --order "$order" "${@:6}"
}

# frag_mtu: the client's link carries 1400-byte packets, so that a
# fragment still fits a GRE tunnel over F's 1500-byte links (an IPv6
# fragment cannot be fragmented again: F would answer "packet too big").
frag_mtu() {
	ip -n "$NS_C" link set c0 mtu 1400 || die "client mtu"
}

# frag_services: udp services on both VIPs, port 80, every backend.
frag_services() {
	local i
	mctl service add udp "$VIP4:80" table-size 251 || die "service add"
	mctl service add udp "[$VIP6]:80" table-size 251 || die "service add"
	for ((i = 1; i <= NB; i++)); do
		mctl backend add udp "$VIP4:80" "${BE4[i]}" || die "backend add"
		mctl backend add udp "[$VIP6]:80" "${BE6[i]}" || die "backend add"
	done
}
