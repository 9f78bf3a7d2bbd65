#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection table: established flows keep their backend while backends are
# added, re-weighted and drained; new flows follow the new table.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#     120 TCP connections held open,      ├── B2 10.0.2.12  "b2"
#     sports 40000-40119, each asking     ├── B3 10.0.2.13  "b3"
#     "who are you?" after every change   ├── B4 10.0.2.14  "b4"  added
#     → 10.0.0.100:7000                   └── B5 10.0.2.15  "b5"  added
#   service tcp 10.0.0.100:7000 (1021 slots): b1-b3, then +b4 +b5, then
#   b1 weight 3, then b2 weight 0 (drained); conn_peer.py answers each line
#   with the backend's name and keeps the connection open
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools
maglev_load
topo_setup 5

port=7000
svc=$VIP4:$port
nheld=120

conn_servers_start
mctl service add tcp $svc table-size 1021 || die "service add"
for i in 1 2 3; do
	mctl backend add tcp $svc "${BE4[i]}" || die "backend add ${BE4[i]}"
done

hold_start 40000-$((40000 + nheld - 1))

hold "every connection has an established entry naming its backend" entries same
hold "lookup follows the entries (reason conn)" lookup same

mctl backend add tcp $svc "${BE4[4]}" && mctl backend add tcp $svc "${BE4[5]}" ||
	die "backend add b4 b5"
hold "backends b4 and b5 added: every connection keeps its backend" round same
hold "... and its entry" entries same
hold "... and lookup still names it" lookup same
moved=${HOLD_LINE##*elsewhere=}
moved=${moved%]}
check "the new table sends some held flows elsewhere ($moved of $nheld): the test means something" \
	test "${moved:-0}" -gt 0

mctl backend set tcp $svc "${BE4[1]}" weight 3 || die "backend set weight 3"
hold "b1 weight 1 -> 3: every connection keeps its backend" round same
hold "... and its entry" entries same

mctl backend set tcp $svc "${BE4[2]}" weight 0 || die "backend set weight 0"
hold "b2 drained (weight 0): every connection keeps its backend, b2's too" round same
hold "... and its entry" entries same
hold "... lookup names b2 for b2's flows" lookup same
hold "a second round after all changes: still nobody moved or reset" round same

hold "100 new connections follow the new table (kernel and maglevctl lookup), none to drained b2" \
	new 41000-41099 all=b1,b3,b4,b5 none=b2
# New connections do not disturb the held ones.
hold "held connections after the new ones: unchanged" round same

cs=$(mctl -j conn stats | json_get 'd["conn"]')
log_info "connection table: $cs"
ok=$(mctl -j conn stats | json_get 'd["conn"]["hits"] > 0 and d["conn"]["entries"] >= '$nheld)
check "conn stats count hits and at least $nheld entries" test "$ok" = True
hold "client done" quit
exit $RET
