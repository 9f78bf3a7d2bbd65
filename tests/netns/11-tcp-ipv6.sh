#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP over IPv6: every connection reaches the backend `maglevctl lookup` names.
#
#   C fd00:1::2 ──veth── F (maglev) ─veths─┬── B1 fd00:2::11  "b1"
#     sports 21000-21149                   ├── B2 fd00:2::12  "b2"
#     → [fd00:100::100]:80                 └── B3 fd00:2::13  "b3"
#   service tcp [fd00:100::100]:80, backends fd00:2::11-13: outer IPv6 GRE
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 3

svc=[$VIP6]:80
mctl service add tcp "$svc" table-size 509 || die "service add"
for ((i = 1; i <= NB; i++)); do
	mctl backend add tcp "$svc" "${BE6[i]}" || die "backend add ${BE6[i]}"
done

check_flows "150 TCP/IPv6 connections reach the backend lookup names; every backend gets some" \
	tcp $VIP6 80 21000-21149
check_accounting tcp "$svc" gre6
exit $RET
