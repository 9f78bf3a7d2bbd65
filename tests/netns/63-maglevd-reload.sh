#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# maglevd SIGHUP: a broken file changes nothing; a valid one applies only
# the difference (a long-lived connection to an unchanged backend
# survives, a new backend starts down and stays down while it fails its
# check, a new service appears).
#
#   C ──veth── F (maglev, maglevd) ─veths─┬── B1 10.0.2.11  tcp :80
#                                         └── B2 10.0.2.12  tcp :80
#   before: tcp 10.0.0.100:80 { b1 b2 }
#   after:  tcp 10.0.0.100:80 { b1 b2 10.0.2.14 (unreachable) },
#           tcp 10.0.0.100:8080 { b1 }
source "$(dirname "$0")/lib.sh"

require_tools
need_maglevd
maglev_load
topo_setup 2
tmpdir

conf() {
	cat <<-EOF
		daemon { status-socket $TMPD/s.sock; health-interval 500ms; }
		check t { type tcp; interval 2s; timeout 1s; rise 2; fall 2; }
		service tcp $VIP4:80 {
			check t;
			announce off;
			backend ${BE4[1]};
			backend ${BE4[2]};
			$1
		}
		$2
	EOF
}
conf "" "" >"$TMPD/m.conf"
LOG=$TMPD/log
nsenter --net="/run/netns/$NS_F" "$MAGLEVD" -t -c "$TMPD/m.conf" 2>"$LOG" &
MPID=$!
BG_PIDS+=($!)
states() { mctl show tcp $VIP4:80 | awk '$1 ~ /^[0-9]/ { printf "%s=%s ", $1, $3 }'; }
busywait 60000 grep -q "warm-up done" "$LOG" || { cat "$LOG"; die "maglevd did not warm up"; }
both_up() { [ "$(states)" = "${BE4[1]}=up ${BE4[2]}=up " ]; }
busywait 20000 both_up ||
	{ cat "$LOG"; die "backends not up after warm-up"; }
n_warm=$(grep -cE "tcp $VIP4:80 backend (${BE4[1]}|${BE4[2]}): (up|down) ->" "$LOG")

# A connection that stays open across the reloads: peer.py answers it
# with the backend's name once it sends a line.
c bash -c "exec 3<>/dev/tcp/$VIP4/80 || exit 1; : >$TMPD/open;
	while [ ! -e $TMPD/go ]; do sleep 0.1; done
	echo hello >&3; read -r -t 5 r <&3; echo \"\$r\" >$TMPD/reply" &
BG_PIDS+=($!)
busywait 10000 test -e "$TMPD/open" || die "client connection not open"

mctl save >"$TMPD/before"
cp "$TMPD/m.conf" "$TMPD/good.conf"
printf 'check broken {\n\ttype ping;\n}\n' >>"$TMPD/m.conf"
kill -HUP $MPID
busywait 10000 grep -q "reload refused, nothing changed: .*m.conf:[0-9]*:[0-9]*: \"ping\"" "$LOG" ||
	log_fail "broken file: no refusal naming file:line and the word"
mctl save >"$TMPD/after"
check "broken file: the kernel configuration is unchanged" cmp "$TMPD/before" "$TMPD/after"

conf "backend 10.0.2.14;" "service tcp $VIP4:8080 { check t; announce off; backend ${BE4[1]}; }" >"$TMPD/m.conf"
kill -HUP $MPID
busywait 10000 grep -q "reloaded .*1 services added, 1 changed, 0 removed" "$LOG" ||
	log_fail "valid file: no reload line with one service added and one changed"
busywait 10000 grep -q "tcp $VIP4:8080 backend ${BE4[1]}: down -> up" "$LOG" ||
	log_fail "new service's backend not brought up by its check"
# the new backend's check fails (no route): it must never come up
until_s=$((SECONDS + 5))
past() { [ $SECONDS -ge "$until_s" ]; }
busywait 10000 past
st=$(states)
check "after reload: b1 b2 up, new backend down ($st)" \
	test "$st" = "${BE4[1]}=up ${BE4[2]}=up 10.0.2.14=down "
check "no transition of the unchanged backends" \
	test "$(grep -cE "tcp $VIP4:80 backend (${BE4[1]}|${BE4[2]}): (up|down) ->" "$LOG")" = "$n_warm"
: >"$TMPD/go"
busywait 10000 test -s "$TMPD/reply"
check "long-lived connection answered by its backend after the reloads ($(cat "$TMPD/reply"))" \
	grep -qxE 'b1|b2' "$TMPD/reply"
[ $RET = 0 ] || sed 's/^/    log: /' "$LOG"
exit $RET
