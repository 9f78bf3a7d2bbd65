#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Frames not addressed to the forwarder's MAC (L2 broadcast, multicast)
# are not forwarded, even with a VIP inside; the same packet unicast to
# the forwarder's MAC is.
#
#   C ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  fd00:2::11
#     c0: raw Ethernet frames    └── B2 10.0.2.12  fd00:2::12
#     (AF_PACKET), each a UDP datagram from 10.0.1.2:33333 to
#     10.0.0.100:80 (or [fd00:1::2]:33333 → [fd00:100::100]:80), to
#       ff:ff:ff:ff:ff:ff (broadcast, IPv4 and IPv6), 01:00:5e:00:00:01
#       (IPv4 multicast), then F's f0 MAC (control)
#   services udp 10.0.0.100:80, :8080 and [fd00:100::100]:80, :8080 →
#   b1, b2; per case: 5 frames to port 80, then a marker frame unicast to
#   F's MAC for port 8080; once maglev counted the marker (frames arrive in
#   order), the counters must show the marker alone: maglev's forwarded
#   packets, the port-80 services' and the backends' decapsulated packets
#   (gre4/gre6 rx)
#
# Regression: the hook forwarded whatever reached PREROUTING; IPv4 and
# IPv6 receive drop only PACKET_OTHERHOST, so broadcast and multicast
# frames carrying a VIP were GRE-forwarded to a backend (a LAN broadcast
# turned into unicast traffic, once per forwarder on the segment).
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 2

# C has no socket on 33333: it answers the backends' replies with "port
# unreachable" to the VIP, which maglev (rightly) forwards to the flow's
# backend (icmp.c) and counts as forwarded. This scenario counts data
# frames only, so ICMP handling is off here (42-44 test it).
mctl config set icmp off || die "config set icmp off"
for s in $VIP4:80 $VIP4:8080 "[$VIP6]:80" "[$VIP6]:8080"; do
	mctl service add udp "$s" table-size 1021 || die "service add $s"
	for ((i = 1; i <= NB; i++)); do
		mctl backend add udp "$s" "${BE4[i]}" || die "backend add"
	done
done
fmac=$(ip -n "$NS_F" -j link show f0 | json_get 'd[0]["address"]')

# send FRAMES FAMILY: l2send's MAC/PORT/N,... from c0, the last group being
# the marker (to port 8080); once maglev counted the marker, prints how
# much maglev's forwarded packets, the first group's services' packets and
# the backends' GRE rx packets grew.
send() {
	local src=$C4 dst=$VIP4
	[ "$2" = 6 ] && src=$C6 dst=$VIP6
	python3 "$NETNS_DIR/raw_peer.py" l2send --ns "$NS_C" --dev c0 --frames "$1" \
		--src $src --dst $dst --sport 33333 --fwd-ns "$NS_F" --wait-port 8080 "${NS_B[@]:1}"
}

# case_l2 DESC MAC FAMILY: 5 frames to MAC (port 80), then the marker.
case_l2() {
	local dm ds dr
	read -r dm ds dr < <(send "$2/80/5,$fmac/8080/1" "$3")
	check "$1: not forwarded (maglev +$dm, port 80 +$ds, backends +$dr; the marker alone must count)" \
		test "$dm" = 1 -a "$ds" = 0 -a "$dr" = 1
}

case_l2 "IPv4 to VIP, Ethernet broadcast" ff:ff:ff:ff:ff:ff 4
case_l2 "IPv6 to VIP, Ethernet broadcast" ff:ff:ff:ff:ff:ff 6
case_l2 "IPv4 to VIP, Ethernet multicast 01:00:5e:00:00:01" 01:00:5e:00:00:01 4
read -r dm ds dr < <(send "$fmac/80/5,$fmac/8080/1" 4)
check "control: 5 frames unicast to F's MAC are forwarded, and the marker (maglev +$dm, port 80 +$ds, backends +$dr)" \
	test "$dm" = 6 -a "$ds" = 5 -a "$dr" = 6
exit $RET
