#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fragmented UDP datagrams whose fragments reach different forwarders
# arrive whole: the forwarder pool (pool F1 F2 F3 in the shared
# maglevd.conf) sends each datagram's fragments to the member that owns it.
#
#   C 10.0.1.2-9 ── R ══ECMP══ F1 F2 F3 ──GRE via R── B1 B2 B3 (udp 80)
#   mtu 1400       nft: later fragments (offset != 0) marked 1,
#                  fwmark 1 -> table 100: VIP via F1 only
#   (full drawing: tests/cluster/lib.sh)
# A Linux router hashes a fragment by addresses only (policy 1 reads no
# ports from any fragment), so it keeps a datagram's fragments together;
# routers that read the first fragment's ports do not. R imitates one:
# first fragments follow the ECMP route (eight client addresses land them
# on several forwarders), later ones all go to F1. The forwarders'
# counters show the split and the redirects.
source "$(dirname "$0")/lib.sh"

require_cmd nft
cluster_up
ip -n "$NS_C" link set c0 mtu 1400 || die "client mtu"
for k in 3 4 5 6 7 8 9; do ip -n "$NS_C" addr add 10.0.1.$k/24 dev c0 || die "client addr"; done
modprobe -q -a nf_tables 2>/dev/null
r nft -f - <<-EOF || die "nft in R"
	table ip later {
		chain p {
			type filter hook prerouting priority -300;
			ip daddr $VIP4 ip frag-off & 0x1fff != 0 counter meta mark set 1
		}
	}
EOF
ip -n "$NS_R" -b - <<-EOF || die "policy routing in R"
	rule add fwmark 1 lookup 100
	route add $VIP4/32 via ${FW4[1]} table 100
EOF

stats() {
	local i
	for ((i = 1; i <= NF; i++)); do fctl "$i" -j stats || return 1; done
}
s0=$(stats) || die "stats"
for k in 2 3 4 5 6 7 8 9; do
	CHECK_SHOW=1 check "5 datagrams of 4000 bytes from 10.0.1.$k arrive whole at the backend the lookups name" \
		python3 "$NETNS_DIR/frag_peer.py" send --client-ns "$NS_C" --fwd-ns "${NS_FW[1]}" \
		--map "$(be_map 4)" --src 10.0.1.$k --dst $VIP4 --port 80 \
		--sports 29000-29004 --order kernel
done
s1=$(stats) || die "stats"
later=$(r nft list chain ip later p | grep -o 'packets [0-9]*' | cut -d' ' -f2)
check "R sent the 80 later fragments (40 datagrams x 2) to F1 ($later)" test "$later" = 80
CHECK_SHOW=1 check "first fragments on several forwarders, later ones on F1; redirects sent = received, none dropped" \
	python3 "$CLUSTER_DIR/frag_stats.py" "$s0" "$s1"
exit $RET
