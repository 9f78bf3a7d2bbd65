#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GRE key: a service's gre-key is sent, and only keyed tunnels receive it.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11  "b1"
#     fd00:1::2   config set source       └── B2 10.0.2.12 fd00:2::12  "b2"
#                 10.0.2.1 source6 fd00:2::1
#   each backend also has keyed point-to-point tunnels, preferred by the
#   kernel over gre4/gre6 (collect_md) for packets carrying their key:
#     grek4  gre    local 10.0.2.1I  remote 10.0.2.1  key 4242
#     grek6  ip6gre local fd00:2::1I remote fd00:2::1 key 4242
#   tcp 10.0.0.100:80 gre-key 4242      → received on grek4
#   tcp [fd00:100::100]:80 gre-key 4242 → received on grek6
#   after `service set ... gre-key none`  → received on gre4 / gre6
#   then gre-key none, gre-csum on for both: received on tunnels with
#   icsum (grec4: gre local 10.0.2.1I remote 10.0.2.1 icsum; grec6 the
#   same over IPv6). (Over veth the checksum stays CHECKSUM_PARTIAL, so
#   its value is not verified here.)
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 2

key=4242
for ((i = 1; i <= NB; i++)); do
	ip -n "${NS_B[i]}" -b - <<-EOF || die "keyed tunnels in b$i"
		link add grek4 type gre local ${BE4[i]} remote $F4B key $key
		link add grek6 type ip6gre local ${BE6[i]} remote $F6B key $key
		link set grek4 up
		link set grek6 up
	EOF
	b "$i" sysctl -qw net.ipv4.conf.grek4.rp_filter=0 >/dev/null
done

mctl config set source $F4B source6 $F6B || die "config set source"
svc4=$VIP4:80
svc6=[$VIP6]:80
mctl service add tcp $svc4 table-size 13 gre-key $key || die "service add"
mctl service add tcp "$svc6" table-size 13 gre-key $key || die "service add"
for ((i = 1; i <= NB; i++)); do
	mctl backend add tcp $svc4 "${BE4[i]}" || die "backend add"
	mctl backend add tcp "$svc6" "${BE6[i]}" || die "backend add"
done

# rx DEV [FIELD]: packets (or FIELD of /proc/net/dev: 4 = rx errors)
# received on DEV over every backend.
rx() {
	local i n=0 p
	for ((i = 1; i <= NB; i++)); do
		p=$(b "$i" awk -v d="$1:" -v f="${2:-3}" '$1 == d { print $f }' /proc/net/dev)
		n=$((n + ${p:-0}))
	done
	echo $n
}

check_flows "IPv4 VIP, gre-key $key: 40 connections reach the lookup's backend" \
	tcp $VIP4 80 26000-26039
check_accounting tcp $svc4 grek4
check "... all decapsulated by the keyed tunnel grek4, none by gre4 ($(rx gre4))" test "$(rx gre4)" = 0
check_flows "IPv6 VIP, gre-key $key: 40 connections reach the lookup's backend" \
	tcp $VIP6 80 26000-26039
check_accounting tcp "$svc6" grek6
check "... all decapsulated by the keyed tunnel grek6, none by gre6 ($(rx gre6))" test "$(rx gre6)" = 0

mctl service set tcp $svc4 gre-key none || die "service set gre-key none"
k4=$(rx grek4)
check_flows "IPv4 VIP without key: 40 connections reach the lookup's backend" \
	tcp $VIP4 80 26100-26139
check "... decapsulated by gre4 (collect_md), not by grek4" \
	test "$(rx gre4)" -gt 0 -a "$(rx grek4)" = "$k4"
# GRE checksums: a Linux tunnel takes checksummed packets only if it wants
# them (icsum), and collect_md devices do not: point-to-point ones, added
# now, get the packets.
for ((i = 1; i <= NB; i++)); do
	ip -n "${NS_B[i]}" -b - <<-EOF || die "checksum tunnels in b$i"
		link add grec4 type gre local ${BE4[i]} remote $F4B icsum
		link add grec6 type ip6gre local ${BE6[i]} remote $F6B icsum
		link set grec4 up
		link set grec6 up
	EOF
	b "$i" sysctl -qw net.ipv4.conf.grec4.rp_filter=0 >/dev/null
done
mctl service set tcp $svc4 gre-csum on || die "service set gre-csum on"
mctl service set tcp "$svc6" gre-key none gre-csum on || die "service set gre-csum on"
mctl stats zero || die "stats zero"
check_flows "IPv4 VIP, GRE checksums: 40 connections reach the lookup's backend" \
	tcp $VIP4 80 26200-26239
check_accounting tcp $svc4 grec4
check_flows "IPv6 VIP, GRE checksums: 40 connections reach the lookup's backend" \
	tcp $VIP6 80 26200-26239
check_accounting tcp "$svc6" grec6
check "... accepted by the checksum tunnels: no rx errors on grec4/grec6 ($(rx grec4 4)/$(rx grec6 4))" \
	test "$(rx grec4 4)" = 0 -a "$(rx grec6 4)" = 0
check "show reports no key and checksums on" \
	test "$(mctl -j show | json_get '" ".join(str(s.get("gre_key")) + "/" + str(s.get("gre_csum")) for s in d)')" = "None/True None/True"
exit $RET
