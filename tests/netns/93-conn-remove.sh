#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection table: removing a backend under each expire-nodest setting.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#                                         ├── B2 10.0.2.12  "b2"  removed
#                                         └── B3 10.0.2.13  "b3"
#   rehash (default): tcp 10.0.0.100:7000 (60 held connections, sports
#     44000-44059), udp 10.0.0.100:80 (sports 45000-45059); b2 removed:
#     its entries go, its flows' next packets pick from the table (TCP:
#     reset by the new backend; UDP: answered by it)
#   drop: tcp 10.0.0.100:7001 (60 held, sports 46000-46059), udp
#     10.0.0.100:8080 (sports 47000-47029), timeout udp 30; b2 removed: its
#     entries stay without a backend and its packets are dropped
#     (drop-nodest) until they expire; a new SYN from the same port picks
#     from the table; after expiry UDP flows pick from the table
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools
maglev_load
topo_setup 3
tmpdir

conn_servers_start 7000,7001

# nodest_entries PROTO SVC: entries of SVC whose backend is gone.
nodest_entries() {
	mctl -j conn list "$1" "$2" | json_get 'sum(1 for c in d if c["backend"] is None)'
}

# nodest_gone PROTO SVC: no entry of SVC is without a backend.
nodest_gone() {
	[ "$(nodest_entries "$1" "$2")" = 0 ]
}

# drops_above N: drop-nodest, and whether it exceeds N.
drops_above() {
	local v
	v=$(mctl -j stats | json_get 'd["drop_nodest"]')
	echo "$v"
	[ "$v" -gt "$1" ]
}

# b2_sports FILE: the sports a peer.py flows --out FILE saw answered by b2.
b2_sports() {
	awk '$2 == "b2" { print $1 }' "$1"
}

# ---------------------------------------------------------------- rehash
log_info "expire-nodest rehash"
nodest=$(mctl -j config show | json_get 'd["expire_nodest"]')
check "expire-nodest defaults to rehash ($nodest)" test "$nodest" = rehash
port=7000
svc=$VIP4:$port
usvc=$VIP4:80
mctl service add tcp $svc table-size 1021 && mctl service add udp $usvc table-size 1021 ||
	die "service add"
for ((i = 1; i <= NB; i++)); do
	mctl backend add tcp $svc "${BE4[i]}" && mctl backend add udp $usvc "${BE4[i]}" ||
		die "backend add ${BE4[i]}"
done
hold_start 44000-44059
check_flows "60 UDP flows reach the backend lookup names (entries made)" \
	udp $VIP4 80 45000-45059 --out "$TMPD/udp-rehash"
n=$(mctl -j conn list udp $usvc "${BE4[2]}" | json_get 'len(d)')
check "b2 has UDP entries ($n)" test "$n" -gt 0

mctl backend del tcp $svc "${BE4[2]}" && mctl backend del udp $usvc "${BE4[2]}" ||
	die "backend del b2"
check "no entry is left without a backend (TCP)" test "$(nodest_entries tcp $svc)" = 0
check "no entry is left without a backend (UDP)" test "$(nodest_entries udp $usvc)" = 0
hold "b2's TCP entries are gone, the others' stay" entries gone=b2
hold "lookup: b2's flows pick from the table (another backend), the others follow their entries" \
	lookup table=b2
hold "next packets: b2's connections are reset by their new backend, the others keep theirs" \
	round break=b2
hold "b2's flows now have entries naming the table's choice" entries moved=b2
check_flows "UDP again from the same ports: b2's flows answered by the table's choice, the others by theirs" \
	udp $VIP4 80 45000-45059 --expect-all b1,b3 --expect-none b2
drops=$(mctl -j stats | json_get 'd["drop_nodest"]')
check "rehash drops nothing (drop-nodest $drops)" test "$drops" = 0
hold "client done" quit
wait "$HOLD_PID" 2>/dev/null

# ---------------------------------------------------------------- drop
log_info "expire-nodest drop"
mctl config set expire-nodest drop timeout udp 30 || die "config set expire-nodest drop"
nodest=$(mctl -j config show | json_get 'd["expire_nodest"], d["timeouts"]["udp"]')
check "config show: expire-nodest drop, timeout udp 30 ($nodest)" test "$nodest" = "drop 30"
port=7001
svc=$VIP4:$port
usvc=$VIP4:8080
mctl service add tcp $svc table-size 1021 && mctl service add udp $usvc table-size 1021 ||
	die "service add"
for ((i = 1; i <= NB; i++)); do
	mctl backend add tcp $svc "${BE4[i]}" && mctl backend add udp $usvc "${BE4[i]}" ||
		die "backend add ${BE4[i]}"
done
hold_start 46000-46059
mctl stats zero || die "stats zero"
mctl backend del tcp $svc "${BE4[2]}" || die "backend del b2"
hold "b2's TCP entries stay, without a backend; the others keep theirs" entries nodest=b2
hold "lookup: b2's flows nodest-drop, the others follow their entries" lookup nodest=b2
hold "next packets: b2's connections get no answer (dropped), the others keep theirs" \
	round drop=b2
d1=$(mctl -j stats | json_get 'd["drop_nodest"]')
check "drop-nodest counts the dropped packets ($d1)" test "$d1" -gt 0
d2=$(busywait 20000 drops_above "$d1" | tail -1)
check "... and grows as the clients retransmit ($d1 -> $d2)" test "${d2:-0}" -gt "$d1"
hold "a new SYN from the ports of b2's connections picks from the table and connects" \
	reconnect b2
hold "every connection now answers from its entry's backend" round same
hold "... and has an established entry naming it" entries same

# UDP: b2's flows are dropped while their entries live, then pick again.
check_flows "30 UDP flows reach the backend lookup names (entries made)" \
	udp $VIP4 8080 47000-47029 --out "$TMPD/udp-drop"
ub2=$(b2_sports "$TMPD/udp-drop" | tr '\n' ',')
ub2=${ub2%,}
[ -n "$ub2" ] || die "no UDP flow reached b2"
mctl backend del udp $usvc "${BE4[2]}" || die "backend del b2 (udp)"
n=$(nodest_entries udp $usvc)
check "b2's UDP flows keep their entries, without a backend ($n)" test "$n" -gt 0
check_flows "UDP flows of b2 are dropped (lookup nodest-drop)" \
	udp $VIP4 8080 "$ub2" --expect-all "" --expect-none b1,b2,b3 --timeout 1.5 --sample 1
check "they expire once idle for timeout-udp (30 s): conn list shows none" \
	busywait 60000 nodest_gone udp $usvc
check_flows "then b2's UDP flows pick from the table: answered by b1 or b3" \
	udp $VIP4 8080 "$ub2" --expect-all "" --expect-none b2

# A flow that keeps sending is dropped only until its entry expires too
# (IPVS does not restart the timer of a connection whose server is gone):
# remove b3 under a flow sending every 0.5 s, with timeout udp 3.
mctl config set timeout udp 3 || die "config set timeout udp 3"
ub3=$(python3 "$PEER" lookups --ns "$NS_F" udp $C4 $VIP4 8080 47100-47199 |
	awk -v b3="${BE4[3]}" '$2 == "table" && $3 == b3 { print $1; exit }')
[ -n "$ub3" ] || die "no new UDP flow maps to b3"
bg python3 "$NETNS_DIR/conn_peer.py" udp --client-ns "$NS_C" --interval 0.5 \
	--duration 40 --out "$TMPD/steady" $C4 $VIP4 8080 "$ub3"
busywait 20000 grep -q ' b3$' "$TMPD/steady" || die "the steady UDP flow got no answer from b3"
mctl backend del udp $usvc "${BE4[3]}" || die "backend del b3"
busywait 15000 grep -q ' -$' "$TMPD/steady" >/dev/null
check "steady UDP flow: dropped once b3 is removed" grep -q ' -$' "$TMPD/steady"
check "steady UDP flow: answered by b1 again within timeout-udp + 7 s, though it kept sending" \
	busywait 10000 grep -q ' b1$' "$TMPD/steady"
log_info "steady flow: $(awk '{ print $3 }' "$TMPD/steady" | uniq -c | tr -s ' \n' ' ')"
hold "client done" quit
exit $RET
