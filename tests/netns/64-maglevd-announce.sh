#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# maglevd announces a VIP through BIRD 2: withdrawn when the service loses
# its quorum, withdrawn when maglevd is SIGKILLed (its tun device
# vanishes), announced again after a restarted maglevd's warm-up.
#
#   R (BIRD: bgp, kernel)        F (maglev, maglevd, BIRD: static, bgp)
#  ┌───────────────────┐       ┌──────────────────────────────┐
#  │ r1 10.0.9.1/24    ├─veth──┤ r0 10.0.9.2/24               ├─veths─ B1, B2
#  │ AS 65000          │       │ AS 65001; tun mgv0a000064     │   tcp :80
#  │ 10.0.0.100 via F  │       │ static 10.0.0.100/32 via tun │
#  └───────────────────┘       └──────────────────────────────┘
#   service tcp 10.0.0.100:80 { quorum 2; b1 b2 }: b2's link down loses
#   the quorum. MAGLEVD_RUNS=N repeats the SIGKILL/restart N times and
#   prints the median and maximum time from SIGKILL to the router's
#   kernel route deletion (ip -ts monitor).
source "$(dirname "$0")/lib.sh"

require_tools bird birdc
need_maglevd tun
maglev_load
topo_setup 2
tmpdir
setup_ns NS_R
ip link add r1 netns "$NS_R" type veth peer name r0 netns "$NS_F" || die "router veth"
ip -n "$NS_R" addr add 10.0.9.1/24 dev r1 && ip -n "$NS_R" link set r1 up &&
	ip -n "$NS_F" addr add 10.0.9.2/24 dev r0 && ip -n "$NS_F" link set r0 up ||
	die "router addresses"

cat >"$TMPD/m.conf" <<EOF
daemon { status-socket $TMPD/s.sock; health-interval 500ms; }
check t { type tcp; interval 2s; timeout 1s; rise 1; fall 2; }
service tcp $VIP4:80 {
	check t;
	quorum 2;
	backend ${BE4[1]};
	backend ${BE4[2]};
}
EOF
"$MAGLEVD" --bird "$TMPD/m.conf" >"$TMPD/vips.conf" || die "maglevd --bird"
cat >"$TMPD/f.bird" <<EOF
router id 10.0.9.2;
protocol device { scan time 10; }
include "$TMPD/vips.conf";
protocol bgp uplink {
	local 10.0.9.2 as 65001;
	neighbor 10.0.9.1 as 65000;
	ipv4 { import none; export where proto = "maglev_vips4"; };
}
EOF
cat >"$TMPD/r.bird" <<EOF
router id 10.0.9.1;
protocol device { scan time 10; }
protocol kernel { ipv4 { import none; export all; }; }
protocol bgp forwarder {
	local 10.0.9.1 as 65000;
	neighbor 10.0.9.2 as 65001;
	ipv4 { import all; export none; };
}
EOF
r() { in_ns "$NS_R" "$@"; }
r bird -c "$TMPD/r.bird" -s "$TMPD/r.ctl" -P "$TMPD/r.pid" || die "bird in R"
f bird -c "$TMPD/f.bird" -s "$TMPD/f.ctl" -P "$TMPD/f.pid" || die "bird in F"

LOG=$TMPD/log
start_maglevd() {
	nsenter --net="/run/netns/$NS_F" "$MAGLEVD" -t -c "$TMPD/m.conf" 2>>"$LOG" &
	MPID=$!
	BG_PIDS+=($!)
}
routed() { ip -n "$NS_R" route show "$VIP4/32" | grep -q "via 10.0.9.2"; }
withdrawn() { ! routed; }

ip -n "$NS_R" -ts monitor route >"$TMPD/mon" 2>&1 &
BG_PIDS+=($!)
start_maglevd
busywait 90000 routed || { cat "$LOG"; die "VIP never announced to the router"; }
log_pass "VIP announced to the router after warm-up"

ip -n "$NS_F" link set b2 down
busywait 15000 withdrawn
check "quorum lost (b2 unreachable): VIP withdrawn at the router" withdrawn
check "the log says why" grep -q "VIP $VIP4 withdrawn (mgv0a000064): tcp $VIP4:80 has 1 usable backends, quorum 2" "$LOG"
# (the link down flushed F's host route to b2)
ip -n "$NS_F" link set b2 up && ip -n "$NS_F" route replace "${BE4[2]}/32" dev b2
busywait 15000 routed
check "quorum back: VIP announced again" routed

# mon_ms N: epoch ms of the Nth "Deleted ... 10.0.0.100" line.
mon_ms() {
	local l
	l=$(grep "Deleted $VIP4 " "$TMPD/mon" | sed -n "${1}p")
	l=${l#[}
	l=${l%%]*}
	[ -n "$l" ] && echo $(($(date -d "${l%.*}" +%s) * 1000 + 10#${l#*.} / 1000))
}
deleted_more() { [ "$(grep -c "Deleted $VIP4 " "$TMPD/mon")" -gt "$1" ]; }
runs=${MAGLEVD_RUNS:-1}
times=()
for ((i = 1; i <= runs; i++)); do
	n=$(grep -c "Deleted $VIP4 " "$TMPD/mon")
	t=$EPOCHREALTIME
	kill -9 "$MPID"
	t0=$((${t%.*} * 1000 + 10#${t#*.} / 1000))
	busywait 15000 withdrawn
	busywait 5000 deleted_more "$n"
	times+=($(($(mon_ms $((n + 1))) - t0)))
	wait "$MPID" 2>/dev/null
	start_maglevd
	busywait 60000 routed || { log_fail "restarted maglevd: VIP not announced"; break; }
done
check "maglevd SIGKILLed: VIP withdrawn at the router in ${times[*]} ms" \
	test "${times[-1]:-99999}" -le 5000 -a "${times[-1]:--1}" -ge 0
if [ "$runs" -gt 1 ]; then
	sorted=$(printf '%s\n' "${times[@]}" | sort -n)
	log_info "maglevd death to withdraw at the router over $runs runs: median $(sed -n "$(((runs + 1) / 2))p" <<<"$sorted") ms, max $(tail -n 1 <<<"$sorted") ms"
fi
check "restarted maglevd: announced only after its warm-up" \
	bash -c "grep -E 'warm-up done|VIP $VIP4 announced' '$LOG' | tail -n 2 | head -n 1 | grep -q 'warm-up done'"
[ $RET = 0 ] || sed 's/^/    log: /' "$LOG"
exit $RET
