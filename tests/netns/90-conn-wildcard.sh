#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection table: a port-0 service and an exact-port service on the same
# VIP leave each other's entries alone.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#                                         ├── B2 10.0.2.12  "b2"
#                                         ├── B3 10.0.2.13  "b3"
#                                         └── B4 10.0.2.14  "b4"
#   (a) tcp 10.0.0.100:0 → b1; tcp 10.0.0.100:443 → b2, b3; 16 connections
#       to :443 held open (sports 41000-41015), 20 short TCP flows to :80
#       (port 0's); b2 drained (weight 0: its flows stay only by their
#       entries); `service del tcp 10.0.0.100:0` must remove the :80
#       entries and keep the :443 ones: they still work
#   (b) expire-nodest drop; only tcp 10.0.0.100:0 → b1, b2; 10 connections
#       to :8443 held open (sports 42000-42009) get entries naming b1/b2;
#       then `service add tcp 10.0.0.100:8443` → b3, b4: the flows now
#       belong to :8443, whose backends are b3, b4: lookup names one of
#       them, their next packets go there (and are reset: b3/b4 know no such
#       connection), none is dropped as "no destination" (drop_nodest 0),
#       and new connections to :8443 reach b3/b4
#
# Regression: (a) deleting a port-0 service flushed the entries of every
# port of its VIP (maglev_conn_match_service() matched port 0 as "any
# port"), so the :443 connections lost their entries and those on the
# drained b2 were reset by b3; (b) an entry recorded under the port-0
# service was followed after the exact-port service appeared: its backend
# id is not one of :8443's, so the packets were dropped as nodest-drop.
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools
maglev_load
topo_setup 4
tmpdir

conn_servers_start 443,8443
wild=$VIP4:0

# entries_dport PORT: entries of flows to VIP:PORT.
entries_dport() {
	mctl -j conn list | json_get "sum(1 for c in d if c['dport'] == $1)"
}

# ---------------------------------------------------------------- (a)
log_info "(a) service del of the port-0 service"
port=443
svc=$VIP4:$port
mctl service add tcp $wild table-size 1021 && mctl backend add tcp $wild "${BE4[1]}" ||
	die "service add $wild"
mctl service add tcp $svc table-size 1021 &&
	mctl backend add tcp $svc "${BE4[2]}" && mctl backend add tcp $svc "${BE4[3]}" ||
	die "service add $svc"
hold_start 41000-41015
hold "every :443 connection has an established entry naming its backend" entries same
check_flows "20 TCP flows to :80 go to port 0's backend b1" tcp $VIP4 80 43000-43019 \
	--expect-all b1
n80=$(entries_dport 80)
check "the :80 flows have entries ($n80)" test "$n80" -gt 0
mctl backend set tcp $svc "${BE4[2]}" weight 0 || die "backend set weight 0"
hold "b2 drained: lookup follows the entries" lookup same
elsewhere=$(sed -n 's/.*\[elsewhere=\([0-9]*\)\]/\1/p' <<<"$HOLD_LINE")
log_info "$elsewhere held connections would move without their entries"

mctl service del tcp $wild || die "service del $wild"
hold "after service del $wild: every :443 connection keeps its entry" entries same
hold "... and lookup follows it" lookup same
hold "... and every :443 connection still answers from its backend" round same
n80=$(entries_dport 80)
check "the port-0 service's own entries (:80) are gone ($n80 left)" test "$n80" = 0
hold "client done" quit
wait "$HOLD_PID" 2>/dev/null
mctl service del tcp $svc || die "service del $svc"

# ---------------------------------------------------------------- (b)
log_info "(b) an exact-port service added under the port-0 service's flows"
mctl config set expire-nodest drop || die "config set expire-nodest drop"
port=8443
svc=$VIP4:$port
mctl service add tcp $wild table-size 1021 &&
	mctl backend add tcp $wild "${BE4[1]}" && mctl backend add tcp $wild "${BE4[2]}" ||
	die "service add $wild"
hold_start 42000-42009
hold "every :8443 connection has an entry naming a port-0 backend" entries same
mctl stats zero || die "stats zero"
mctl service add tcp $svc table-size 1021 &&
	mctl backend add tcp $svc "${BE4[3]}" && mctl backend add tcp $svc "${BE4[4]}" ||
	die "service add $svc"

python3 "$PEER" lookups --ns "$NS_F" tcp $C4 $VIP4 $port 42000-42009 >"$TMPD/lk"
sed 's/^/    /' "$TMPD/lk"
check "lookup of every held flow: a :8443 backend (b3 or b4), not nodest-drop" \
	awk -v b3="${BE4[3]}" -v b4="${BE4[4]}" \
	'$2 == "nodest-drop" || ($3 != b3 && $3 != b4) { bad = 1 } END { exit bad + (NR != 10) }' \
	"$TMPD/lk"
r=$(mctl -j lookup tcp $C4:42000 $svc |
	json_get '"%s %s:%s %s" % (d["reason"], d["service"]["vip"], d["service"]["port"],
		(d["backend"] or {}).get("addr"))')
check "maglevctl lookup of sport 42000: $r" \
	bash -c "[[ '$r' != nodest-drop* && ( '$r' == *\ $svc\ ${BE4[3]} || '$r' == *\ $svc\ ${BE4[4]} ) ]]"
hold "their next packets reach b3/b4, which reset them (not dropped)" round break=b1,b2
drops=$(mctl -j stats | json_get 'd["drop_nodest"]')
check "drop_nodest stays 0 ($drops)" test "$drops" = 0
hold "new connections to :8443 reach b3/b4" new 44000-44019 none=b1,b2
hold "client done" quit
exit $RET
