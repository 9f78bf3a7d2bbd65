#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP over IPv4: every connection reaches the backend `maglevctl lookup` names.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#     sports 20000-20149                  ├── B2 10.0.2.12  "b2"
#     → 10.0.0.100:80                     └── B3 10.0.2.13  "b3"
#   service tcp 10.0.0.100:80, backends 10.0.2.11-13: outer IPv4 GRE
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 3

svc=$VIP4:80
mctl service add tcp $svc table-size 251 || die "service add"
for ((i = 1; i <= NB; i++)); do
	mctl backend add tcp $svc "${BE4[i]}" || die "backend add ${BE4[i]}"
done

check_flows "150 TCP connections reach the backend lookup names; every backend gets some" \
	tcp $VIP4 80 20000-20149
check_accounting tcp $svc
pkts=$(mctl -j stats | json_get 'd["packets"]')
svc_pkts=$(mctl -j show | json_get 'sum(s["packets"] for s in d)')
check "namespace stats count the service's packets ($pkts)" test "$pkts" = "$svc_pkts"
exit $RET
