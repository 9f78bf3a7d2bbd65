#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection table: a backend set down loses its flows (their next packets
# go to another backend, which resets them); the other flows stay.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#     90 TCP connections held open,       ├── B2 10.0.2.12  "b2"  set down
#     sports 42000-42089                  └── B3 10.0.2.13  "b3"
#     → 10.0.0.100:7000
#   service tcp 10.0.0.100:7000 (1021 slots): b1-b3; b2 set down, then up
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools
maglev_load
topo_setup 3

port=7000
svc=$VIP4:$port
nheld=90

conn_servers_start
mctl service add tcp $svc table-size 1021 || die "service add"
for ((i = 1; i <= NB; i++)); do
	mctl backend add tcp $svc "${BE4[i]}" || die "backend add ${BE4[i]}"
done
hold_start 42000-$((42000 + nheld - 1))
hold "every connection has an established entry naming its backend" entries same

mctl backend set tcp $svc "${BE4[2]}" state down || die "backend set state down"
# Before any packet: the entries still name b2, lookup picks from the table.
n_b2=$(mctl -j conn list tcp $svc "${BE4[2]}" | json_get 'len(d)')
check "conn list of b2 lists its entries until their next packet ($n_b2)" test "$n_b2" -gt 0
sp=$(mctl -j conn list tcp $svc "${BE4[2]}" | json_get 'd[0]["sport"]')
lk=$(mctl -j lookup tcp $C4:$sp $svc | json_get 'd["reason"] + " " + d["backend"]["addr"]')
check "lookup of a b2 flow: the table picks another backend ($lk)" \
	test "${lk%% *}" = table -a "${lk#* }" != "${BE4[2]}"

hold "b2 down: b2's connections are reset (moved to a backend without the socket), others keep theirs" \
	round break=b2
hold "b2's entries now name another backend, the others' are unchanged" entries moved=b2
hold "lookup of the live flows still follows their entries" lookup same
left=$(mctl -j conn list tcp $svc "${BE4[2]}" | json_get 'len(d)')
check "conn list of b2 is empty ($left)" test "$left" = 0

mctl backend set tcp $svc "${BE4[2]}" state up || die "backend set state up"
hold "b2 up again: the surviving connections stay where they are" round same
hold "... and so do their entries" entries same
hold "new connections follow the table again, b2 included" new 43000-43059 all=b1,b2,b3
hold "client done" quit
exit $RET
