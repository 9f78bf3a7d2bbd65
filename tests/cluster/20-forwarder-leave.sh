#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A forwarder leaves and rejoins; 300 long-lived TCP connections through
# the VIP, spread by R over the three forwarders, exchange a line before,
# during and after each event: none is broken and none changes backend
# (their packets move between forwarders, whose identical tables and
# mid-stream lookups keep the backend). Three ways to leave:
#   F1: maglevd stopped (VIP withdrawn) and BIRD SIGKILLed;
#   F2: its link to R down;
#   F3: hung (every packet dropped, no link or socket event): only BFD
#       tells R; its detection time is printed as the failover figure.
#
#   C 10.0.1.2 ── R ══ECMP══ F1 F2 F3 ──GRE via R── B1 B2 B3 (tcp 7000)
#   (full drawing: tests/cluster/lib.sh)
# CLUSTER_SEEDS="S1 S2 S3" gives each forwarder its own seed: connections
# then break (this test can fail).
source "$(dirname "$0")/lib.sh"

require_cmd nft
cluster_up
hold_start 40000-40299
hold "every connection answers, same backend" round same

# leave I HOW / rejoin I HOW: one event, a round during it, a round after.
event() {
	local what=$1 n=$2 t0 ms
	shift 2
	t0=$(now_ms)
	"$@" || log_fail "$what: $* failed"
	hold "$what: a round while R reacts" round same
	busywait 60000 routed_via "$n" >/dev/null
	check "$what: R routes over $n forwarders ($(nexthops))" routed_via "$n"
	ms=$(route_change_ms "$t0" "$n")
	log_info "$what: R's route changed ${ms} ms after the event"
	hold "$what: a round after" round same
	LAST_MS=$ms
}
leave_daemons() { maglevd_stop 1; bird_fw_kill 1; }
rejoin_daemons() { maglevd_start 1; bird_fw 1; }
link_down() { ip -n "${NS_FW[2]}" link set up0 down; }
link_up() {
	ip -n "${NS_FW[2]}" link set up0 up &&
		ip -n "${NS_FW[2]}" route replace default via "${RT4[2]}"
}

event "F1 leaves (maglevd stopped, BIRD killed)" 2 leave_daemons
event "F1 rejoins" 3 rejoin_daemons
event "F2 leaves (link down)" 2 link_down
event "F2 rejoins (link up)" 3 link_up
event "F3 hangs (BFD)" 2 silence 3
bfd=$LAST_MS
event "F3 rejoins" 3 unsilence 3
check "failover at R after a silent failure: $bfd ms (BFD ${BFD_MS} ms x $BFD_MULT; hold timer 9 s)" \
	test "$bfd" != - -a "${bfd:-0}" -lt 9000
hold "" round same
log_info "after all: $HOLD_LINE"
exit $RET
