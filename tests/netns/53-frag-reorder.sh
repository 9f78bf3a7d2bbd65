#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UDP datagrams sent last fragment first: F holds the early fragments and
# sends them, in arrival order, right after the first; each datagram arrives
# whole at the backend lookup names.
#
#   C 10.0.1.2 ────veth── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11  "b1"
#     fd00:1::2  mtu 1400                   └── B2 10.0.2.12 fd00:2::12  "b2"
#     4008-byte UDP datagrams cut by hand into 4 fragments of 1200 bytes,
#     sent in reverse order (raw sockets)
#   services udp 10.0.0.100:80 and [fd00:100::100]:80, 2 backends each
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/frag_lib.sh"

require_tools
maglev_load
topo_setup 2
frag_mtu
frag_services
# Under TCG a thread may wait for the CPU longer than the default 200 ms
# between a datagram's last fragment and its first.
mctl config set frag-timeout 5000 || die "config set frag-timeout"
mctl stats zero || die "stats zero"

frag_send "15 UDP/IPv4 datagrams sent last fragment first arrive whole at the looked-up backend" \
	reverse $VIP4 27000-27014
frag_send "15 UDP/IPv6 datagrams sent last fragment first arrive whole at the looked-up backend" \
	reverse $VIP6 27000-27014
# 4 fragments each: the last three are held until the first comes.
frag_check "the early fragments were held, then flushed after the first" \
	'd["frag_held"] >= 90 and d["frag_flushed"] == d["frag_held"] and d["frag_first"] >= 30'
frag_check "none dropped or expired" 'd["frag_drop"] + d["frag_expired"] == 0'
exit $RET
