#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# maglevd's exec, udp and dns checks drive backend states (an exec
# command's exit status, and its process group killed at the timeout; a
# UDP reply, an ICMP port unreachable; a DNS answer, an NXDOMAIN); the
# module removed and loaded again under a running maglevd (the VIP is
# withdrawn, then the file's settings and services come back with the
# backend states maglevd knows); SIGTERM as maglevd(8) says: every VIP
# withdrawn at once, exit after drain-delay with status 0, the kernel
# configuration left in place (a connection in flight still answered); a
# second SIGTERM exits at once (well before the 60 s drain delay).
#
#   C ──veth── F (maglev, maglevd; tun mgv0a000064) ─veths─┬── B1 10.0.2.11
#                                                         └── B2 10.0.2.12
#   every backend: tcp :80 (peer.py), udp :7 echo, udp :53 DNS (python3)
#   service tcp 10.0.0.100:80 { check ex (exec); announced, quorum 1 }
#   service udp 10.0.0.100:7  { check echo (udp, expect "pong") }
#   service udp 10.0.0.100:53 { check dns (dns, A probe.example) }
#   exec: interval 2s timeout 2s, udp and dns: 1s 1s; rise 2 fall 2;
#   drain-delay 8s
source "$(dirname "$0")/lib.sh"

require_tools pgrep
need_maglevd tun
maglev_load
topo_setup 2
tmpdir

# udp.py MODE PORT NAME READY FLAGS: "echo" answers "pong NAME" to any
# datagram; "dns" answers an A query with 192.0.2.1, or NXDOMAIN while
# FLAGS/nx-NAME exists.
cat >"$TMPD/udp.py" <<'EOF'
import os, socket, struct, sys
mode, port, name, ready, flags = sys.argv[1:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(port)))
open(ready, "w").close()
while True:
    q, peer = s.recvfrom(2048)
    if mode == "echo":
        s.sendto(b"pong " + name.encode(), peer)
        continue
    if len(q) < 12:
        continue
    end = q.index(b"\0", 12) + 5
    nx = os.path.exists(os.path.join(flags, "nx-" + name))
    hdr = q[:2] + struct.pack("!BBHHHH", 0x81, 0x83 if nx else 0x80, 1, 0 if nx else 1, 0, 0)
    ans = b"" if nx else b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 1])
    s.sendto(hdr + q[12:end] + ans, peer)
EOF
UP=()	# UP[i]: b(i)'s udp echo server
udp_start() {	# MODE PORT I: start; udp_wait MODE I: wait until it serves
	rm -f "$TMPD/ready-$1-$3"
	nsenter --net="/run/netns/${NS_B[$3]}" python3 "$TMPD/udp.py" "$1" "$2" \
		"b$3" "$TMPD/ready-$1-$3" "$TMPD" &
	BG_PIDS+=($!)
	[ "$1" = echo ] && UP[$3]=$!
}
udp_wait() {
	busywait 30000 test -e "$TMPD/ready-$1-$2" || die "udp $1 server in b$2 did not start"
}
udp_start echo 7 1
udp_start echo 7 2
udp_start dns 53 1
udp_start dns 53 2
for m in echo dns; do udp_wait $m 1; udp_wait $m 2; done

# The exec check fails while $TMPD/fail-ADDR exists and hangs (a child of
# sh: only a process-group kill stops it) while $TMPD/hang-ADDR does.
conf() {
	cat <<-EOF
		namespace { seed 00112233445566778899aabbccddeeff; }
		daemon { status-socket $TMPD/s.sock; health-interval 500ms; drain-delay $1; }
		check ex {
			type exec; interval 2s; timeout 2s; rise 2; fall 2;
			command "test ! -e $TMPD/fail-\$MAGLEV_BACKEND || exit 1; if [ -e $TMPD/hang-\$MAGLEV_BACKEND ]; then sleep 31.7; exit 0; fi";
		}
		check echo { type udp; send "ping"; expect "pong"; interval 1s; timeout 1s; rise 2; fall 2; }
		check dns { type dns; query probe.example; interval 1s; timeout 1s; rise 2; fall 2; }
		service tcp $VIP4:80 { check ex; quorum 1; backend ${BE4[1]}; backend ${BE4[2]}; }
		service udp $VIP4:7 { check echo; announce off; backend ${BE4[1]}; backend ${BE4[2]}; }
		service udp $VIP4:53 { check dns; announce off; backend ${BE4[1]}; backend ${BE4[2]}; }
	EOF
}
conf 8s >"$TMPD/m.conf"
"$MAGLEVD" --check-config "$TMPD/m.conf" >/dev/null || die "invalid test configuration"
LOG=$TMPD/log
start_maglevd() {
	nsenter --net="/run/netns/$NS_F" "$MAGLEVD" -t -c "$TMPD/m.conf" 2>>"$LOG" &
	MPID=$!
	BG_PIDS+=($!)
}
start_maglevd

DEV=mgv0a000064
# states: "PROTO:PORT=S1,S2 ..." of the three services in the kernel.
states() {
	local s out=
	for s in tcp:80 udp:7 udp:53; do
		out+="$s=$(mctl show "${s%%:*}" "$VIP4:${s#*:}" 2>/dev/null |
			awk '$1 ~ /^[0-9]/ { printf "%s%s", n++ ? "," : "", $3 }') "
	done
	echo "${out% }"
}
want() { [ "$(states)" = "$1" ]; }
# expect DESC STATES: poll (15 s) until the kernel has STATES.
expect() {
	busywait 15000 want "$2" >/dev/null
	check "$1 ($(states))" want "$2"
}
announced() { ip -n "$NS_F" link show "$DEV" 2>/dev/null | grep -q '[<,]UP[,>]'; }
withdrawn() { ! announced; }
logged() { grep -qE "$1" "$LOG"; }
# line_ms PATTERN: the epoch ms of the last log line matching PATTERN.
line_ms() {
	local l
	l=$(grep -E "$1" "$LOG" | tail -n 1)
	l=${l#*[}
	l=${l%%]*}
	echo $((${l%.*} * 1000 + 10#${l#*.}))
}

busywait 60000 grep -q "warm-up done" "$LOG" || { cat "$LOG"; die "maglevd did not warm up"; }
expect "every backend up after warm-up" "tcp:80=up,up udp:7=up,up udp:53=up,up"
busywait 10000 announced
check "VIP announced ($DEV up)" announced

# exec: b1's command exits 1; udp: b2's server gone; dns: b1 answers
# NXDOMAIN. b2 keeps the VIP announced (quorum 1).
touch "$TMPD/fail-${BE4[1]}" "$TMPD/nx-b1"
kill "${UP[2]}"
expect "exec exit 1, udp server gone, DNS NXDOMAIN: down" \
	"tcp:80=down,up udp:7=up,down udp:53=down,up"
for x in "tcp $VIP4:80 backend ${BE4[1]}: up -> down: exit 1" \
	"udp $VIP4:7 backend ${BE4[2]}: up -> down: port unreachable" \
	"udp $VIP4:53 backend ${BE4[1]}: up -> down: DNS rcode 3"; do
	check "log: $x" logged "$x"
done

# Module reload under maglevd in these mixed states: the recreated
# services must carry maglevd's health, not the file's.
mctl save >"$TMPD/before"
same_conf() { mctl save | cmp -s - "$TMPD/before"; }
rmmod maglev || die "rmmod maglev under a running maglevd"
busywait 10000 withdrawn
check "module removed: VIP withdrawn" withdrawn
check "module removed: the log says the forwarder is unhealthy" \
	busywait 5000 logged "forwarder unhealthy"
insmod "$MAGLEV_KO" || die "insmod $MAGLEV_KO"
expect "module loaded again: services recreated with the health maglevd knows" \
	"tcp:80=down,up udp:7=up,down udp:53=down,up"
check "module loaded again: the kernel has the same configuration (seed, services, states)" \
	busywait 10000 same_conf
check "module loaded again: the log says the services were recreated" \
	logged "service udp $VIP4:53: missing from the kernel, recreating"
busywait 10000 announced
check "module loaded again: VIP announced again" announced
check "maglevd kept running through the reload" kill -0 "$MPID"

# exec: b2's command hangs, killed at the timeout: down, and tcp :80 has no
# usable backend left.
touch "$TMPD/hang-${BE4[2]}"
expect "exec hang: down" "tcp:80=down,down udp:7=up,down udp:53=down,up"
check "log: tcp $VIP4:80 backend ${BE4[2]}: up -> down: timeout" \
	logged "tcp $VIP4:80 backend ${BE4[2]}: up -> down: timeout"
busywait 10000 withdrawn
check "tcp :80 without a usable backend: VIP withdrawn" withdrawn

rm -f "$TMPD/fail-${BE4[1]}" "$TMPD/hang-${BE4[2]}" "$TMPD/nx-b1"
udp_start echo 7 2
udp_wait echo 2
expect "fixed: every backend up again" "tcp:80=up,up udp:7=up,up udp:53=up,up"
# Each hung command would sleep 31.7 s: none is left, the process group
# was killed at the timeout.
check "exec: no hung command left ($(pgrep -fc 'sleep 31[.]7'))" \
	busywait 5000 bash -c "! pgrep -f 'sleep 31[.]7'"
busywait 10000 announced
check "VIP announced again" announced

# SIGTERM: a connection open through the VIP stays answered.
c bash -c "exec 3<>/dev/tcp/$VIP4/80 || exit 1; : >$TMPD/open;
	while [ ! -e $TMPD/go ]; do sleep 0.1; done
	echo hello >&3; read -r -t 5 r <&3; echo \"\$r\" >$TMPD/reply" &
BG_PIDS+=($!)
busywait 10000 test -e "$TMPD/open" || die "client connection not open"
mctl save >"$TMPD/before"
kill -TERM "$MPID"
busywait 10000 withdrawn
check "SIGTERM: VIP withdrawn ($DEV down)" withdrawn
wait "$MPID"
rc=$?
# maglevd's own timestamps (-t): the withdrawal at once, the exit after
# the drain delay, whatever the load on this VM.
t_term=$(line_ms "SIGTERM: withdrawing every VIP, exiting in 8000ms")
t_wd=$(line_ms "VIP $VIP4 withdrawn [(]$DEV[)]: stopping")
t_exit=$(line_ms "] exiting$")
check "SIGTERM: the VIP withdrawn $((t_wd - t_term)) ms after the signal" \
	test $((t_wd - t_term)) -ge 0 -a $((t_wd - t_term)) -le 1000
check "SIGTERM: exit status $rc, $((t_exit - t_term)) ms after the signal (drain-delay 8 s)" \
	test "$rc" = 0 -a $((t_exit - t_term)) -ge 8000 -a $((t_exit - t_term)) -le 10000
check "SIGTERM: the tun device is gone" bash -c "! ip -n $NS_F link show $DEV"
mctl save >"$TMPD/after"
check "SIGTERM: the kernel configuration is left in place" cmp "$TMPD/before" "$TMPD/after"
: >"$TMPD/go"
busywait 10000 test -s "$TMPD/reply"
check "connection in flight answered after maglevd exited ($(cat "$TMPD/reply"))" \
	grep -qxE 'b1|b2' "$TMPD/reply"

# A second SIGTERM during a long drain delay exits at once.
conf 60s >"$TMPD/m.conf"
start_maglevd
busywait 60000 announced || die "restarted maglevd: VIP not announced"
kill -TERM "$MPID"
busywait 5000 logged "SIGTERM: withdrawing every VIP, exiting in 60000ms"
t0=$SECONDS
kill -TERM "$MPID"
wait "$MPID"
rc=$?
el=$((SECONDS - t0))
check "second SIGTERM: exits at once ($rc, ${el} s)" test "$rc" = 0 -a "$el" -le 30
check "second SIGTERM: the log says so" logged "second SIGTERM: exiting now"
[ $RET = 0 ] || sed 's/^/    log: /' "$LOG"
exit $RET
