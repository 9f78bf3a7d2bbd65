#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packets that do not fit the tunnel get an ICMP "too big" back and are dropped.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─── B1 10.0.2.11 fd00:2::11  "b1"
#     fd00:1::2          mtu 1500 everywhere
#   udp 10.0.0.100:80 → b1 over IPv4 GRE: inner 1500 bytes with DF is
#     24 bytes too big: ICMP frag needed, mtu 1476 (IPv4 outer 20 + GRE 4)
#   udp [fd00:100::100]:80 → b1 over IPv6 GRE: inner 1500 bytes is too
#     big: ICMPv6 packet too big, mtu 1456 (IPv6 outer 40 + GRE 4)
#   then datagrams that fit are answered; drop-too-big counts the drops
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 1

mctl service add udp $VIP4:80 table-size 7 || die "service add"
mctl service add udp "[$VIP6]:80" table-size 7 || die "service add"
mctl backend add udp $VIP4:80 "${BE4[1]}" || die "backend add"
mctl backend add udp "[$VIP6]:80" "${BE6[1]}" || die "backend add"

# send DST SIZE: one UDP datagram of SIZE bytes (IP packet) with DF from the
# client to DST:80; prints the answer or "-".
send() {
	c python3 - "$1" "$2" <<-'EOF'
		import socket, sys
		dst, size = sys.argv[1], int(sys.argv[2])
		v6 = ":" in dst
		s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
		if v6:
		    s.setsockopt(socket.IPPROTO_IPV6, 23, 3)  # IPV6_MTU_DISCOVER: PROBE, send as is
		else:
		    s.setsockopt(socket.IPPROTO_IP, 10, 3)  # IP_MTU_DISCOVER: PROBE, DF, send as is
		s.settimeout(2)
		s.connect((dst, 80))
		s.send(b"x" * (size - (48 if v6 else 28)))
		try:
		    print(s.recv(100).decode().strip())
		except OSError:
		    print("-")
	EOF
}

# route_mtu ADDR MTU: the client learnt path MTU MTU towards ADDR.
route_mtu() {
	c ip route get "$1" | grep -q "mtu $2"
}

check "IPv4: a 1400-byte datagram fits and is answered" test "$(send $VIP4 1400)" = b1
check "IPv4: a 1500-byte datagram with DF is not answered" test "$(send $VIP4 1500)" = -
check "IPv4: the client learnt mtu 1476 from F's ICMP" \
	busywait 5000 route_mtu $VIP4 1476
check "IPv6: a 1400-byte datagram fits and is answered" test "$(send $VIP6 1400)" = b1
check "IPv6: a 1500-byte datagram is not answered" test "$(send $VIP6 1500)" = -
check "IPv6: the client learnt mtu 1456 from F's ICMPv6" \
	busywait 5000 route_mtu $VIP6 1456
drops=$(mctl -j stats | json_get 'd["drop_too_big"]')
check "drop-too-big counts both ($drops)" test "$drops" = 2
check "IPv4: a 1476-byte datagram (the new mtu) fits and is answered" test "$(send $VIP4 1476)" = b1
check "IPv6: a 1456-byte datagram (the new mtu) fits and is answered" test "$(send $VIP6 1456)" = b1
exit $RET
