#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A narrow link between the forwarder and a backend: R's "fragmentation
# needed" / "packet too big" about F's GRE packets teaches F the path MTU
# to the backend (IPv4 and IPv6 outer), and the client's next datagram that
# no longer fits gets "too big" with that MTU minus the GRE overhead.
#
#  C 10.0.1.2 ── F (maglev) 10.0.4.1 ── 10.0.4.2 R 10.0.2.1 ═══ B1 10.0.2.11
#    fd00:1::2     fd00:4::1             fd00:4::2  fd00:2::1 mtu  fd00:2::11
#                                                            1400
#  udp 10.0.0.100:80 → B1 over IPv4 GRE: tunnel mtu 1476, then 1400 - 24
#  udp [fd00:100::100]:80 → B1 over IPv6 GRE: 1456, then 1400 - 44
#  With `config set icmp off`, F learns nothing over IPv6 (ip6_gre only
#  learns for its own tunnels; ip_gre, loaded here, learns IPv4 anyway).
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load

setup_ns NS_C NS_F NS_R NS_B1
NS_B[1]=$NS_B1
BE4[1]=10.0.2.11
BE6[1]=fd00:2::11
BE_NAME[1]=b1
NB=1
r() { in_ns "$NS_R" "$@"; }

ip -b - <<EOF || die "veths"
link add c0 netns $NS_C type veth peer name f0 netns $NS_F
link add fr netns $NS_F type veth peer name rf netns $NS_R
link add rb netns $NS_R mtu 1400 type veth peer name eth0 netns $NS_B1 mtu 1400
EOF
ip -n "$NS_C" -b - <<EOF || die "C"
addr add $C4/24 dev c0
addr add $C6/64 dev c0 nodad
link set c0 up
route add default via $F4C
route add default via $F6C
EOF
ip -n "$NS_F" -b - <<EOF || die "F"
addr add $F4C/24 dev f0
addr add $F6C/64 dev f0 nodad
addr add 10.0.4.1/24 dev fr
addr add fd00:4::1/64 dev fr nodad
link set f0 up
link set fr up
route add default via 10.0.4.2
route add default via fd00:4::2
EOF
ip -n "$NS_R" -b - <<EOF || die "R"
addr add 10.0.4.2/24 dev rf
addr add fd00:4::2/64 dev rf nodad
addr add 10.0.2.1/24 dev rb
addr add fd00:2::1/64 dev rb nodad
link set rf up
link set rb up
route add 10.0.1.0/24 via 10.0.4.1
route add fd00:1::/64 via fd00:4::1
EOF
ip -n "$NS_B1" -b - <<EOF || die "B1"
addr add ${BE4[1]}/24 dev eth0
addr add ${BE6[1]}/64 dev eth0 nodad
link set eth0 up
route add default via 10.0.2.1
route add default via fd00:2::1
addr add $VIP4/32 dev lo
addr add $VIP6/128 dev lo
link add gre4 type gre external
link add gre6 type ip6gre external
link set gre4 up
link set gre6 up
EOF
# Every error counts here: no ICMP rate limits on the routers.
for ns in "$NS_F" "$NS_R"; do
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 || die "sysctl"
done
servers_start

mctl service add udp $VIP4:80 table-size 7 || die "service add"
mctl service add udp "[$VIP6]:80" table-size 7 || die "service add"
mctl backend add udp $VIP4:80 "${BE4[1]}" || die "backend add"
mctl backend add udp "[$VIP6]:80" "${BE6[1]}" || die "backend add"

# send DST SIZE: one datagram of SIZE bytes (IP packet) with DF from C to
# DST:80; prints the answer or "-".
send() {
	c python3 - "$1" "$2" <<-'EOF'
		import socket, sys
		dst, size = sys.argv[1], int(sys.argv[2])
		v6 = ":" in dst
		s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
		if v6:
		    s.setsockopt(socket.IPPROTO_IPV6, 23, 3)  # IPV6_MTU_DISCOVER: PROBE
		else:
		    s.setsockopt(socket.IPPROTO_IP, 10, 3)  # IP_MTU_DISCOVER: PROBE, DF
		s.settimeout(2)
		s.connect((dst, 80))
		s.send(b"x" * (size - (48 if v6 else 28)))
		try:
		    print(s.recv(100).decode().strip())
		except OSError:
		    print("-")
	EOF
}
# mtu_is NS ADDR MTU: NS's route to ADDR has path MTU MTU.
mtu_is() {
	in_ns "$1" ip route get "$2" | grep -q "mtu $3"
}
# ptb6_in: ICMPv6 "packet too big" F received.
ptb6_in() {
	f awk '$1 == "Icmp6InPktTooBigs" { print $2 }' /proc/net/snmp6
}

check "IPv4: a 1000-byte datagram is answered" test "$(send $VIP4 1000)" = b1

mctl config set icmp off || die "config set icmp off"
check "icmp off: an IPv6 datagram of 1456 bytes (outer 1500) is lost" \
	test "$(send $VIP6 1456)" = -
check "icmp off: R's packet too big reached F" busywait 5000 test "$(ptb6_in)" -ge 1
check_fail "icmp off: F did not learn mtu 1400 towards ${BE6[1]}" \
	mtu_is "$NS_F" "${BE6[1]}" 1400

mctl config set icmp on || die "config set icmp on"
for fam in 4 6; do
	if [ $fam = 4 ]; then
		vip=$VIP4 be=${BE4[1]} big=1476 fit=1376
	else
		vip=$VIP6 be=${BE6[1]} big=1456 fit=1356
	fi
	check "IPv$fam: a $big-byte datagram (outer 1500) is lost at R" \
		test "$(send "$vip" $big)" = -
	check "IPv$fam: F learnt mtu 1400 towards $be" \
		busywait 5000 mtu_is "$NS_F" "$be" 1400
	check "IPv$fam: the next $big-byte datagram gets F's too big" \
		test "$(send "$vip" $big)" = -
	check "IPv$fam: the client learnt mtu $fit towards $vip" \
		busywait 5000 mtu_is "$NS_C" "$vip" $fit
	check "IPv$fam: a $fit-byte datagram is answered" \
		test "$(send "$vip" $fit)" = b1
done
pmtu=$(mctl -j stats | json_get 'd["icmp_pmtu"]')
check "icmp-pmtu counts both errors ($pmtu)" test "$pmtu" = 2
exit $RET
