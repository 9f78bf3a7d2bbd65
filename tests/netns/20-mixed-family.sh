#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mixed families: an IPv4 VIP on IPv6 backends (4-in-6) and the reverse (6-in-4).
#
#   C 10.0.1.2 ────veth── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11  "b1"
#     fd00:1::2                             ├── B2 10.0.2.12 fd00:2::12  "b2"
#                                           └── B3 10.0.2.13 fd00:2::13  "b3"
#   tcp 10.0.0.100:80       → backends fd00:2::11-13: IPv4 in IPv6 GRE (gre6)
#   tcp [fd00:100::100]:80  → backends 10.0.2.11-13:  IPv6 in IPv4 GRE (gre4)
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 3

svc4=$VIP4:80
svc6=[$VIP6]:80
mctl service add tcp $svc4 table-size 251 || die "service add $svc4"
mctl service add tcp "$svc6" table-size 251 || die "service add $svc6"
for ((i = 1; i <= NB; i++)); do
	mctl backend add tcp $svc4 "${BE6[i]}" || die "backend add ${BE6[i]}"
	mctl backend add tcp "$svc6" "${BE4[i]}" || die "backend add ${BE4[i]}"
done

check_flows "4-in-6: 100 connections to the IPv4 VIP reach the IPv6 backend lookup names" \
	tcp $VIP4 80 23000-23099
check_accounting tcp $svc4 gre6
check_flows "6-in-4: 100 connections to the IPv6 VIP reach the IPv4 backend lookup names" \
	tcp $VIP6 80 23000-23099
check_accounting tcp "$svc6" gre4
exit $RET
