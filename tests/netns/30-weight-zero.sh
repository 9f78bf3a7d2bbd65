#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Weight 0 and state down: such a backend holds no slot and gets no new flow.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"  weight 1
#                                         ├── B2 10.0.2.12  "b2"  weight 2
#                                         └── B3 10.0.2.13  "b3"  weight 0
#   service tcp 10.0.0.100:80; then b1 is set down; then every weight 0
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 3

svc=$VIP4:80
mctl service add tcp $svc table-size 1021 || die "service add"
mctl backend add tcp $svc "${BE4[1]}" weight 1 || die "backend add b1"
mctl backend add tcp $svc "${BE4[2]}" weight 2 || die "backend add b2"
mctl backend add tcp $svc "${BE4[3]}" weight 0 || die "backend add b3"

# slots ADDR: the backend's slots in `maglevctl -j show`.
slots() {
	mctl -j show tcp $svc | json_get \
		'[b["slots"] for s in (d if isinstance(d, list) else [d]) for b in s["backends"] if b["addr"] == "'"$1"'"][0]'
}

check "weight-0 backend holds no slot" test "$(slots "${BE4[3]}")" = 0
check_flows "100 connections: none reaches the weight-0 backend b3" \
	tcp $VIP4 80 24000-24099 --expect-all b1,b2 --expect-none b3

mctl backend set tcp $svc "${BE4[1]}" state down || die "backend set state down"
check "down backend holds no slot" test "$(slots "${BE4[1]}")" = 0
check_flows "100 new connections: none reaches down b1 or weight-0 b3" \
	tcp $VIP4 80 24100-24199 --expect-all b2 --expect-none b1,b3

mctl backend set tcp $svc "${BE4[2]}" weight 0 || die "backend set weight 0"
mctl stats zero || die "stats zero"
check_flows "no usable backend: every connection fails (lookup: no-backend)" \
	tcp $VIP4 80 24200-24209 --expect-all "" --expect-none b1,b2,b3 --timeout 2
drops=$(mctl -j stats | json_get 'd["drop_no_backend"]')
check "drop-no-backend counts the dropped packets ($drops)" test "$drops" -ge 10
exit $RET
