#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Router-side flow movement when a forwarder leaves and rejoins: R's plain
# multipath route (hash-threshold: what BIRD installs) against a resilient
# nexthop group (ip nexthop ... type resilient) that the test keeps equal
# to BGP's nexthops. Each of 1000 flows' forwarder comes from R's
# `ip route get` with the ports, before and after each event.
#
#   C 10.0.1.2 ── R ══ECMP══ F1 F2 F3 ──GRE via R── B1 B2 B3
#   R: 10.0.0.100 dport 7000: main table, BIRD's multipath route
#      10.0.0.100 dport 7001: table 200 (ip rule), nhid 100, a resilient
#      group of the same forwarders, mirrored from the main table's route
#   (full drawing: tests/cluster/lib.sh)
#
# Hash-threshold cuts the hash space into one region per nexthop, in
# order: when the first of three goes, the two others' regions grow and
# shift, so a quarter of the staying forwarders' flows move between them
# (1/6 of all flows); a rejoin moves as many back. A resilient group maps
# the hash to buckets and reassigns only the leaving forwarder's buckets
# (and, on a rejoin, only buckets that go to the new one). Maglev does not
# need it for correctness (a moved flow keeps its backend: 20), but every
# moved flow misses the connection table on its new forwarder, and breaks
# if a backend changes at the same time (50).
source "$(dirname "$0")/lib.sh"

N=1000
SP0=40000

cluster_up

# gws: the gateways of R's main route to the VIP, in its order.
gws() {
	ip -n "$NS_R" route show "$VIP4/32" | grep -o 'via [0-9.]*' | cut -d' ' -f2
}
# fwd_of DPORT FILE: R's forwarder for the N flows to the VIP's DPORT.
fwd_of() {
	local sp
	for ((sp = SP0; sp < SP0 + N; sp++)); do
		echo "route get $VIP4 from $C4 iif rc ipproto tcp sport $sp dport $1"
	done | ip -n "$NS_R" -b - | grep -o 'via [0-9.]*' | cut -d' ' -f2 >"$2"
	[ "$(wc -l <"$2")" = $N ] || die "ip route get with ports: $(wc -l <"$2") answers"
}
# moved A B GW: flows whose forwarder changed from A to B, not counting
# those that left GW or went to it (the forwarder leaving or rejoining).
moved() {
	paste -d' ' "$1" "$2" | awk -v gw="$3" '$1 != $2 && $1 != gw && $2 != gw' | wc -l
}
# spread FILE: how many distinct forwarders FILE's flows use.
spread() { sort -u "$1" | wc -l; }
# mirror: the resilient group's members := the main route's gateways.
mirror() {
	local gw i ids=()
	for gw in $(gws); do
		for ((i = 1; i <= NF; i++)); do
			[ "$gw" = "${FW4[i]}" ] && ids+=($((10 + i)))
		done
	done
	r ip nexthop replace id 100 group "$(IFS=/; echo "${ids[*]}")" \
		type resilient buckets 256 idle_timer 0
}

for ((i = 1; i <= NF; i++)); do
	r ip nexthop add id $((10 + i)) via "${FW4[i]}" dev "rf$i" || die "nexthop F$i"
done
r ip nexthop add id 100 group 11/12/13 type resilient buckets 256 idle_timer 0 ||
	die "resilient group"
r ip route add "$VIP4/32" nhid 100 table 200 || die "table 200"
r ip rule add ipproto tcp dport 7001 lookup 200 pref 100 || die "ip rule"
mirror || die "mirror"

# The forwarder that leaves: the first nexthop of the main route.
first=$(gws | head -n 1)
for ((L = 1; L <= NF; L++)); do [ "${FW4[L]}" = "$first" ] && break; done
[ "$L" -le "$NF" ] || die "first nexthop $first is no forwarder"
log_info "R's nexthops, in order: $(gws | xargs); F$L ($first) leaves"

fwd_of 7000 "$TMPD/ht0"
fwd_of 7001 "$TMPD/rs0"
check "both routes spread the flows over the 3 forwarders" \
	test "$(spread "$TMPD/ht0")$(spread "$TMPD/rs0")" = 33

maglevd_stop "$L"
bird_fw_kill "$L"
busywait 60000 routed_via 2 >/dev/null || die "R still routes via F$L"
mirror || die "mirror after the leave"
fwd_of 7000 "$TMPD/ht1"
fwd_of 7001 "$TMPD/rs1"
check "no flow goes to F$L any more" \
	bash -c "! grep -qx '$first' '$TMPD/ht1' '$TMPD/rs1'"
ht=$(moved "$TMPD/ht0" "$TMPD/ht1" "$first")
rs=$(moved "$TMPD/rs0" "$TMPD/rs1" "$first")
stay=$(grep -cvx "$first" "$TMPD/ht0")
log_info "leave: flows moved between the staying forwarders: hash-threshold $ht of $stay (theory: a quarter, $((stay / 4))), resilient $rs"
check "hash-threshold moves flows between the staying forwarders ($ht)" test "$ht" -gt 0
check "the resilient group moves none of them ($rs)" test "$rs" = 0

maglevd_start "$L"
bird_fw "$L"
busywait 60000 routed_via 3 >/dev/null || die "F$L is not routed again"
mirror || die "mirror after the rejoin"
fwd_of 7000 "$TMPD/ht2"
fwd_of 7001 "$TMPD/rs2"
ht=$(moved "$TMPD/ht1" "$TMPD/ht2" "$first")
rs=$(moved "$TMPD/rs1" "$TMPD/rs2" "$first")
log_info "rejoin: flows moved between the forwarders that stayed: hash-threshold $ht, resilient $rs; flows F$L has again: hash-threshold $(grep -cx "$first" "$TMPD/ht2"), resilient $(grep -cx "$first" "$TMPD/rs2")"
check "after the rejoin the resilient group uses F$L again" grep -qx "$first" "$TMPD/rs2"
check "the resilient group moves flows only to F$L ($rs)" test "$rs" = 0
exit $RET
