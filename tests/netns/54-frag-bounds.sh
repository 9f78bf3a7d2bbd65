#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fragment table bounds: held fragments whose first fragment never comes
# are freed and counted; a datagram over the hold limit is poisoned; a
# flood of unmatched fragments fills the table only up to frag-max while
# other fragmented datagrams still arrive whole.
#
#   C 10.0.1.2 ────veth── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11  "b1"
#     fd00:1::2  mtu 1400                   └── B2 10.0.2.12 fd00:2::12  "b2"
#   services udp 10.0.0.100:80 and [fd00:100::100]:80
#   F: frag-max 64, frag-timeout 300 ms
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/frag_lib.sh"

require_tools
maglev_load
topo_setup 2
frag_mtu
frag_services
mctl config set frag-max 64 frag-timeout 300 frag-hold 8 frag-hold-bytes 1048576 ||
	die "config set frag-*"
check "config show has the fragment bounds" bash -c \
	"$(declare -f in_ns); in_ns $NS_F $MAGLEVCTL config show | grep -q '^frag-max  *64\$'"
mctl stats zero || die "stats zero"

# 1. The first fragment never comes: the three others are held, then freed.
frag_send "10 UDP/IPv4 datagrams without their first fragment are not answered" \
	nofirst $VIP4 28000-28009
frag_wait "their 30 held fragments expired and were counted" \
	'd["frag_held"] == 30 and d["frag_expired"] == 30'

# 2. Hold limit: one fragment per datagram may wait; the second poisons it
# (it and the held one are dropped), the third is dropped.
mctl config set frag-hold 1 || die "config set frag-hold"
frag_send "5 UDP/IPv6 datagrams without their first fragment are not answered" \
	nofirst $VIP6 28000-28004
frag_check "a second early fragment poisons its datagram" \
	'd["frag_poisoned"] == 5 and d["frag_drop"] == 15'
mctl config set frag-hold 8 || die "config set frag-hold"

# 3. A flood of 1000 unmatched fragments: at most 64 datagrams tracked.
mctl stats zero || die "stats zero"
check "1000 unmatched fragments sent" python3 "$FRAG_PEER" flood \
	--client-ns "$NS_C" --src "$C4" --dst $VIP4 --count 1000
frag_check "the table refused what did not fit (held + table-full = 1000, held <= 64 per 300 ms)" \
	'd["frag_held"] + d["frag_table_full"] == 1000 and d["frag_table_full"] > 0'
frag_wait "every held one expired" 'd["frag_expired"] == d["frag_held"]'
frag_send "fragmented datagrams still arrive whole at the looked-up backend" \
	kernel $VIP4 28100-28109
exit $RET
