#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Path MTU discovery through a narrow link on the return path: R2's
# "fragmentation needed" / "packet too big" about a backend's response goes
# to the VIP, i.e. to F, which must hand it to the backend of that flow.
#
#                  mtu 1300                    ┌── b1 ── B1 10.0.2.11 fd00:2::11
#  C ──── R1 ═══════════════ R2 ──────── F     ├── b2 ── B2 10.0.2.12 fd00:2::12
#  10.0.1.2   10.0.9.1  10.0.9.2  10.0.3.1 10.0.3.2   (R2 is the backends' gateway)
#  fd00:1::2  fd00:9::1 fd00:9::2 fd00:3::1 fd00:3::2
#
#  C → VIP: R1 → R2 → F (maglev) → GRE via R2 → Bi
#  Bi → C (from the VIP, 1500-byte segments): R2 cannot pass them, sends
#  ICMP to the VIP → F → GRE → Bi, whose TCP lowers its MSS.
#  With `config set icmp off` a 1 MB download stalls; with it on, 1 MB
#  downloads over IPv4 and IPv6 complete and the backend learnt mtu 1300.
source "$(dirname "$0")/lib.sh"

require_tools curl
maglev_load
tmpdir

setup_ns NS_C NS_R1 NS_R2 NS_F NS_B1 NS_B2
NS_B[1]=$NS_B1
NS_B[2]=$NS_B2
NB=2
r1() { in_ns "$NS_R1" "$@"; }
r2() { in_ns "$NS_R2" "$@"; }

ip -b - <<EOF || die "veths"
link add c0 netns $NS_C type veth peer name r1c netns $NS_R1
link add r1n netns $NS_R1 mtu 1300 type veth peer name r2n netns $NS_R2 mtu 1300
link add r2f netns $NS_R2 type veth peer name f0 netns $NS_F
link add b1 netns $NS_R2 type veth peer name eth0 netns $NS_B1
link add b2 netns $NS_R2 type veth peer name eth0 netns $NS_B2
EOF
ip -n "$NS_C" -b - <<EOF || die "C"
addr add $C4/24 dev c0
addr add $C6/64 dev c0 nodad
link set c0 up
route add default via 10.0.1.1
route add default via fd00:1::1
EOF
ip -n "$NS_R1" -b - <<EOF || die "R1"
addr add 10.0.1.1/24 dev r1c
addr add fd00:1::1/64 dev r1c nodad
addr add 10.0.9.1/24 dev r1n
addr add fd00:9::1/64 dev r1n nodad
link set r1c up
link set r1n up
route add default via 10.0.9.2
route add default via fd00:9::2
EOF
ip -n "$NS_R2" -b - <<EOF || die "R2"
addr add 10.0.9.2/24 dev r2n
addr add fd00:9::2/64 dev r2n nodad
addr add 10.0.3.1/24 dev r2f
addr add fd00:3::1/64 dev r2f nodad
link set r2n up
link set r2f up
route add 10.0.1.0/24 via 10.0.9.1
route add fd00:1::/64 via fd00:9::1
route add $VIP4/32 via 10.0.3.2
route add $VIP6/128 via fd00:3::2
addr add $F4B/32 dev b1
addr add $F6B/128 dev b1 nodad
link set b1 up
route add 10.0.2.11/32 dev b1
route add fd00:2::11/128 dev b1
addr add $F4B/32 dev b2
addr add $F6B/128 dev b2 nodad
link set b2 up
route add 10.0.2.12/32 dev b2
route add fd00:2::12/128 dev b2
EOF
ip -n "$NS_F" -b - <<EOF || die "F"
addr add 10.0.3.2/24 dev f0
addr add fd00:3::2/64 dev f0 nodad
link set f0 up
route add default via 10.0.3.1
route add default via fd00:3::1
EOF
for ns in "$NS_R1" "$NS_R2" "$NS_F"; do
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 || die "sysctl"
done
head -c 1048576 /dev/urandom >"$TMPD/1m" || die "payload"
for i in 1 2; do
	BE4[i]=10.0.2.1$i
	BE6[i]=fd00:2::1$i
	ip -n "${NS_B[i]}" -b - <<-EOF || die "B$i"
		addr add ${BE4[i]}/24 dev eth0
		addr add ${BE6[i]}/64 dev eth0 nodad
		link set eth0 up
		route add default via $F4B
		route add default via $F6B
		addr add $VIP4/32 dev lo
		addr add $VIP6/128 dev lo
		link add gre4 type gre external
		link add gre6 type ip6gre external
		link set gre4 up
		link set gre6 up
	EOF
	# The gateway as a router: IPv6 drops a learnt path MTU (a route
	# exception) via a gateway whose neighbour entry lacks the router
	# flag (rt6_age_examine_exception()), which an entry learnt from
	# R2's solicitation does until R2 answers one of ours.
	mac=$(ip -n "$NS_R2" -br link show "b$i" | awk '{print $3}')
	ip -n "${NS_B[i]}" -6 neigh replace $F6B lladdr "$mac" dev eth0 \
		nud permanent router || die "B$i: neighbour $F6B"
	bg in_ns "${NS_B[i]}" python3 -m http.server --bind :: \
		--directory "$TMPD" 80 >/dev/null 2>&1
done

[ "${MAGLEV_NETNS_TIMES:-0}" = 0 ] || log_info "topology up"
for v in "$VIP4:80" "[$VIP6]:80"; do
	mctl service add tcp "$v" || die "service add $v"
done
for i in 1 2; do
	mctl backend add tcp "$VIP4:80" "${BE4[i]}" || die "backend add"
	mctl backend add tcp "[$VIP6]:80" "${BE6[i]}" || die "backend add"
done

# get URL SECONDS: download URL from C within SECONDS; prints the size.
get() {
	c curl -sg -o /dev/null -w '%{size_download}' --max-time "$2" "$1"
}
# serving: both backends' servers answer (straight, not through F).
serving() {
	local i
	for i in 1 2; do
		b "$i" curl -sf -o /dev/null --max-time 5 "http://${BE4[i]}/1m" || return 1
	done
}
[ "${MAGLEV_NETNS_TIMES:-0}" = 0 ] || log_info "services configured"
busywait 30000 serving || die "the backends' HTTP servers did not start"

# A small object (no segment above 1300 bytes) passes either way.
check "IPv4: path up (HEAD request)" c curl -sfI --max-time 10 "http://$VIP4/1m"

mctl config set icmp off || die "config set icmp off"
check "config show says icmp off" grep -qx 'icmp *off' <<<"$(mctl config show)"
check_fail "icmp off: an IPv4 1 MB download stalls (PMTU black hole)" \
	c curl -sf -o /dev/null --max-time 6 "http://$VIP4/1m"
check_fail "icmp off: an IPv6 1 MB download stalls" \
	c curl -sfg -o /dev/null --max-time 6 "http://[$VIP6]/1m"

mctl config set icmp on || die "config set icmp on"
mctl stats zero || die "stats zero"
check "icmp on: a 1 MB download over IPv4 completes" \
	test "$(get "http://$VIP4/1m" 30)" = 1048576
check "icmp on: a 1 MB download over IPv6 completes" \
	test "$(get "http://[$VIP6]/1m" 30)" = 1048576

# learnt CMD...: some backend's route to C shows mtu 1300.
learnt() {
	local i
	for i in 1 2; do
		b "$i" "$@" | grep -q "mtu 1300" && return 0
	done
	return 1
}
check "a backend learnt mtu 1300 towards $C4" busywait 5000 learnt ip route get $C4
check "a backend learnt mtu 1300 towards $C6" busywait 5000 learnt ip -6 route get $C6
st=$(mctl -j stats)
fwd=$(json_get 'd["icmp_fwd_conn"] + d["icmp_fwd_table"]' <<<"$st")
conn=$(json_get 'd["icmp_fwd_conn"]' <<<"$st")
check "F forwarded the errors ($fwd), by the connection table ($conn)" \
	test "$conn" -ge 2
exit $RET
