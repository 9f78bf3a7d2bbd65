#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel-fragmented UDP to a VIP: each datagram arrives whole at the backend
# lookup names for its 5-tuple, and F reassembles nothing although its
# conntrack defragments (maglev's hook, -450, runs before nf_defrag, -400).
#
#   C 10.0.1.2 ────veth── F (maglev, ─veths─┬── B1 10.0.2.11 fd00:2::11  "b1"
#     fd00:1::2  mtu 1400    nft ct rule)   ├── B2 10.0.2.12 fd00:2::12  "b2"
#     4000-byte datagrams:                  └── B3 10.0.2.13 fd00:2::13  "b3"
#     3 fragments each
#   services udp 10.0.0.100:80 and [fd00:100::100]:80, 3 backends each
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/frag_lib.sh"

require_tools nft nstat
maglev_load
topo_setup 3
frag_mtu
frag_services
defrag_on "$NS_F"
mctl stats zero || die "stats zero"

frag_send "20 fragmented UDP/IPv4 datagrams arrive whole at the backend lookup names" \
	kernel $VIP4 26000-26019
frag_send "20 fragmented UDP/IPv6 datagrams arrive whole at the backend lookup names" \
	kernel $VIP6 26000-26019
check "F queued no fragment for reassembly (Ip(6)ReasmReqds 0)" test "$(reasm "$NS_F")" = 0
# A later fragment may overtake its first on the way (seen on 6.12): it is
# then held and flushed rather than followed, which is the design.
frag_check "one first fragment recorded per datagram, the later ones followed" \
	'd["frag_first"] >= 40 and d["frag_followed"] + d["frag_flushed"] >= 80'
frag_check "no fragment dropped or expired; any held was flushed" \
	'd["frag_drop"] + d["frag_expired"] == 0 and d["frag_held"] == d["frag_flushed"]'
exit $RET
