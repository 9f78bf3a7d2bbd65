#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# maglevd's tunnel-mode checks: a backend whose GRE decapsulation is
# broken (b2: gre4 deleted) and one whose VIP is missing on lo (b3) fail
# the check that probes the VIP through the tunnel, and the kernel sets
# them down, while a direct check of the same backends still passes; fixed,
# they come back up. Control: with the kernel ignoring probe marks
# (probe-mark off), the same probes reach a server that has the VIP by
# plain routing and pass, so the checks above fail because of the tunnel.
#
#   C ──veth── F (maglev, maglevd) ─veths─┬── B1 10.0.2.11
#              probe-mark 0x4d470000/     ├── B2 10.0.2.12  gre4 deleted
#                0xffff0000               └── B3 10.0.2.13  VIP not on lo
#              route 10.0.0.100 via B2 (what an unmarked probe reaches)
#   service tcp 10.0.0.100:80   { check tun (tcp, mode tunnel) b1 b2 b3 }
#   service tcp 10.0.0.100:8080 { check dir (tcp, mode direct) b1 b2 b3 }
#   interval 1s timeout 1s rise 2 fall 2: down within 1 + 2 x 1 = 3 s
#   (bounds here 15 s for TCG).
source "$(dirname "$0")/lib.sh"

require_tools
need_maglevd
maglev_load
topo_setup 3
tmpdir

MARK=0x4d470000
MASK=0xffff0000
# F's route to the VIP: only a probe the kernel does not tunnel follows it.
ip -n "$NS_F" route add $VIP4/32 via "${BE4[2]}" dev b2 || die "route to the VIP"

cat >"$TMPD/m.conf" <<EOF
namespace { probe-mark $MARK mask $MASK; }
daemon { status-socket $TMPD/s.sock; health-interval 500ms; }
check tun { type tcp; mode tunnel; interval 1s; timeout 1s; rise 2; fall 2; }
check dir { type tcp; mode direct; interval 1s; timeout 1s; rise 2; fall 2; }
service tcp $VIP4:80 {
	check tun;
	announce off;
	backend ${BE4[1]};
	backend ${BE4[2]};
	backend ${BE4[3]};
}
service tcp $VIP4:8080 {
	check dir;
	announce off;
	backend ${BE4[1]};
	backend ${BE4[2]};
	backend ${BE4[3]};
}
EOF
LOG=$TMPD/log
nsenter --net="/run/netns/$NS_F" "$MAGLEVD" -t -c "$TMPD/m.conf" 2>"$LOG" &
BG_PIDS+=($!)

# states PORT: "ADDR=STATE ..." of the service's backends in the kernel.
states() { mctl show tcp "$VIP4:$1" | awk '$1 ~ /^[0-9]/ { printf "%s=%s ", $1, $3 }'; }
# want PORT S1 S2 S3: the kernel has those states for b1-b3.
want() {
	local got exp="${BE4[1]}=$2 ${BE4[2]}=$3 ${BE4[3]}=$4 "
	got=$(states "$1")
	[ "$got" = "$exp" ] || { echo "$VIP4:$1: $got, expected $exp"; return 1; }
}
# expect DESC PORT S1 S2 S3: poll (15 s) until the kernel has those states.
expect() {
	local desc=$1
	shift
	CHECK_SHOW=1 check "$desc ($(busywait 15000 want "$@" >/dev/null; states "$1"))" want "$@"
}
# tun_last ADDR: the tunnel check's last result for ADDR (status socket).
tun_last() {
	f "$MAGLEVD" status -S "$TMPD/s.sock" | json_get \
		"[c['last'] for s in d['services'] if s['service'].endswith(':80') for b in s['backends'] if b['addr'] == '$1' for c in b['checks']][0]"
}

busywait 60000 grep -q "warm-up done" "$LOG" || { cat "$LOG"; die "maglevd did not warm up"; }
expect "tunnel check: b1 b2 b3 up after warm-up" 80 up up up
expect "direct check: b1 b2 b3 up after warm-up" 8080 up up up
marks=$(f "$MAGLEVD" status -S "$TMPD/s.sock" | json_get \
	"' '.join('%#x' % c['mark'] for s in d['services'] for b in s['backends'] for c in b['checks'] if c['mode'] == 'tunnel')")
check "tunnel probes carry probe-mark | backend id ($marks)" \
	grep -qxE '0x4d47[0-9a-f]{4} 0x4d47[0-9a-f]{4} 0x4d47[0-9a-f]{4}' <<<"$marks"

# b2 cannot decapsulate, b3 does not have the VIP: real traffic to them
# would be lost; their tunnel checks fail, their direct checks pass.
ip -n "${NS_B[2]}" link del gre4 || die "delete b2's gre4"
ip -n "${NS_B[3]}" addr del $VIP4/32 dev lo || die "delete b3's VIP"
expect "b2 without gre4, b3 without the VIP: down through the tunnel" 80 up down down
expect "the same backends' direct check keeps them up" 8080 up up up
check "the log names the transitions" \
	grep -qE "tcp $VIP4:80 backend ${BE4[2]}: up -> down: .*timeout" "$LOG"
check "b3's tunnel check times out ($(tun_last "${BE4[3]}"))" eval "tun_last ${BE4[3]} | grep -q timeout"
check "no transition of the direct service" \
	bash -c "! grep -qE 'tcp $VIP4:8080 backend .*: up -> down' '$LOG'"

# Control: the kernel ignores probe marks; the marked probes follow F's
# route to the VIP, to b2's own address, where the VIP is on lo: they pass,
# both broken backends come back up. A check without the tunnel would
# have seen nothing wrong.
mctl config set probe-mark off || die "probe-mark off"
expect "control: probe marks ignored, the broken backends pass (the tunnel is what fails them)" \
	80 up up up
mctl config set probe-mark $MARK/$MASK || die "probe-mark back"
expect "probe marks honoured again: down again" 80 up down down

# Fixed: up again after rise successes.
ip -n "${NS_B[2]}" -b - <<<$'link add gre4 type gre external\nlink set gre4 up' ||
	die "recreate b2's gre4"
ip -n "${NS_B[3]}" addr add $VIP4/32 dev lo || die "restore b3's VIP"
expect "fixed: b2 and b3 up again through the tunnel" 80 up up up
expect "direct service unchanged" 8080 up up up
check_flows "client traffic to $VIP4:80 reaches every backend" tcp $VIP4 80 41000-41029
[ $RET = 0 ] || sed 's/^/    log: /' "$LOG"
exit $RET
