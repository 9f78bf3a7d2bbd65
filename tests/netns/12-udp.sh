#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UDP over IPv4 and IPv6: every request reaches the backend lookup names.
#
#   C 10.0.1.2 ────veth── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11  "b1"
#     fd00:1::2                             ├── B2 10.0.2.12 fd00:2::12  "b2"
#     sports 22000-22119                    └── B3 10.0.2.13 fd00:2::13  "b3"
#   service udp 10.0.0.100:80        → IPv4 backends, outer IPv4 (gre4)
#   service udp [fd00:100::100]:80   → IPv6 backends, outer IPv6 (gre6)
#   backends answer from the VIP (DSR) through F as a plain router
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 3

svc4=$VIP4:80
svc6=[$VIP6]:80
mctl service add udp $svc4 || die "service add $svc4"
mctl service add udp "$svc6" hash 5tuple table-size 1021 || die "service add $svc6"
for ((i = 1; i <= NB; i++)); do
	mctl backend add udp $svc4 "${BE4[i]}" || die "backend add ${BE4[i]}"
	mctl backend add udp "$svc6" "${BE6[i]}" || die "backend add ${BE6[i]}"
done

check_flows "120 UDP/IPv4 flows reach the backend lookup names; every backend gets some" \
	udp $VIP4 80 22000-22119
check_accounting udp $svc4 gre4
check_flows "120 UDP/IPv6 flows reach the backend lookup names; every backend gets some" \
	udp $VIP6 80 22000-22119
check_accounting udp "$svc6" gre6
exit $RET
