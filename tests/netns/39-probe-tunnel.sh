#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Health probes through the tunnel: a local socket on the forwarder whose
# mark is probe-mark | backend id reaches that backend through GRE, as
# client traffic does, whatever the Maglev table would pick and whatever
# the backend's state; a backend that cannot decapsulate fails it while a
# direct probe passes; an unmarked local connection is routed as before; a
# removed backend's id is refused. IPv4 and IPv6.
#
#   C 10.0.1.2 / fd00:1::2          F (maglev)                 B1 10.0.2.11 "b1"
#     VIPs on lo, server "c"  ─veth─  10.0.1.1 / fd00:1::1 ──┬─ B2 10.0.2.12 "b2"
#     (where F routes the VIPs)       probes: SO_MARK         └─ B3 10.0.2.13 "b3"
#                                     0x4d470000 | id
#   services tcp 10.0.0.100:80 and [fd00:100::100]:80: b1-b3 (same family)
#   probe-mark 0x4d470000/0xffff0000; no service on port 8080
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 3

MARK=0x4d470000
MASK=0xffff0000

# C answers for the VIPs that F routes to it: what an unmarked (or
# non-service) local connection from F reaches.
ip -n "$NS_C" -b - <<-EOF || die "client VIPs"
	addr add $VIP4/32 dev lo
	addr add $VIP6/128 dev lo
EOF
ip -n "$NS_F" -b - <<-EOF || die "forwarder routes to the VIPs"
	route add $VIP4/32 via $C4
	route add $VIP6/128 via $C6
EOF
tmpdir
bg python3 "$PEER" server --ready "$TMPD/ready-c" --ports 80,8080 "$NS_C=c"
busywait 30000 test -e "$TMPD/ready-c" || die "the server in C did not start"

check_fail "probe-mark with bits outside its mask is refused" \
	mctl config set probe-mark 0x4d470001/$MASK
check_fail "probe-mark 0 under a mask is refused (unmarked packets would match)" \
	mctl config set probe-mark 0/$MASK
# b3 down with weight 0: the table never picks it, a probe still reaches it.
{
	echo "config set probe-mark $MARK/$MASK"
	for vip in $VIP4 "[$VIP6]"; do
		echo "service add tcp $vip:80 table-size 251"
		for ((i = 1; i <= NB; i++)); do
			case $vip in \[*) a=${BE6[i]} ;; *) a=${BE4[i]} ;; esac
			[ $i = 3 ] && st=" weight 0 state down" || st=
			echo "backend add tcp $vip:80 $a$st"
		done
	done
} | mctl restore || die "restore"
# Each backend's probe mark: MARK | its id (show -j).
read -r m4_1 m4_2 m4_3 m6_1 m6_2 m6_3 < <(mctl -j show | json_get "' '.join(['%#x' % ($MARK | [b['id'] for s in d for b in s['backends'] if b['addr'] == a][0]) for a in '${BE4[1]} ${BE4[2]} ${BE4[3]} ${BE6[1]} ${BE6[2]} ${BE6[3]}'.split()])")
cfg=$(mctl -j config show | json_get '"%#x/%#x" % (d["probe_mark"], d["probe_mask"])')
check "config show -j reports the probe mark ($cfg)" test "$cfg" = "$MARK/$MASK"
check "save keeps it" grep -q "probe-mark $MARK/$MASK" <<<"$(mctl save)"

# probe SPEC...: from F, one TCP connection per SPEC "ADDR PORT MARK TIMEOUT
# [SIZE]", all at once, sending SIZE bytes and an HTTP request line; prints
# per SPEC the name that answered or the error ("refused", "timeout", ...).
cat >"$TMPD/probe.py" <<'EOF'
import concurrent.futures, errno, socket, sys

def probe(addr, port, mark, timeout, size="0"):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(float(timeout))
    if int(mark, 0):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, int(mark, 0))
    try:
        s.connect((addr, int(port)))
        s.sendall(b"x" * int(size) + b"GET / HTTP/1.0\r\nHost: probe\r\n\r\n")
        return s.recv(256).decode().strip() or "empty"
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()

specs = [a.split() for a in sys.argv[1:]]
with concurrent.futures.ThreadPoolExecutor(len(specs)) as ex:
    for r in ex.map(lambda sp: probe(*sp), specs):
        print(r)
EOF
probe() { f python3 "$TMPD/probe.py" "$@"; }

# expect DESC EXPECTED SPEC...: probe SPECs, their answers must be EXPECTED
# (space-separated, in order).
expect() {
	local desc=$1 want=$2 got
	shift 2
	got=$(probe "$@" | tr '\n' ' ')
	got=${got% }
	if [ "$got" = "$want" ]; then
		log_pass "$desc ($got)"
	else
		log_fail "$desc: got '$got', expected '$want'"
	fi
}

expect "marked probes reach the backend their mark names, b3 down and drained included (IPv4, IPv6); unmarked local connections, and marked ones to a non-service port, are routed as before; 300 kB uploads through the tunnel" \
	"b1 b2 b3 b1 b2 b3 b1 b2 b3 b1 b2 b3 c c c c b1 b1" \
	"$VIP4 80 $m4_1 20" "$VIP4 80 $m4_2 20" "$VIP4 80 $m4_3 20" \
	"$VIP4 80 $m4_1 20" "$VIP4 80 $m4_2 20" "$VIP4 80 $m4_3 20" \
	"$VIP6 80 $m6_1 20" "$VIP6 80 $m6_2 20" "$VIP6 80 $m6_3 20" \
	"$VIP6 80 $m6_1 20" "$VIP6 80 $m6_2 20" "$VIP6 80 $m6_3 20" \
	"$VIP4 80 0 20" "$VIP4 8080 $m4_1 20" "$VIP6 80 0 20" "$VIP6 8080 $m6_1 20" \
	"$VIP4 80 $m4_1 30 300000" "$VIP6 80 $m6_1 30 300000"
# The 300 kB uploads went as GSO segments sized by the route to the VIP,
# which learnt the tunnel's MTU at the SYN: none was too big.
tb=$(mctl -j stats | json_get 'd["drop_too_big"]')
check "probes' TCP segments fit the tunnel (drop_too_big $tb)" test "$tb" = 0

# b2 cannot decapsulate: its probes fail, direct connections pass.
ip -n "${NS_B[2]}" -b - <<<$'link set gre4 down\nlink set gre6 down' || die "gre down"
expect "b2's GRE devices down: its probes fail, direct connections to b2 pass, b1's probes pass" \
	"timeout timeout b2 b2 b1 b1" \
	"$VIP4 80 $m4_2 4" "$VIP6 80 $m6_2 4" "${BE4[2]} 80 0 20" "${BE6[2]} 80 0 20" \
	"$VIP4 80 $m4_1 20" "$VIP6 80 $m6_1 20"
ip -n "${NS_B[2]}" -b - <<<$'link set gre4 up\nlink set gre6 up' || die "gre up"

# b1 removed: its ids name no backend any more. The notification names
# the id it had.
bg in_ns "$NS_F" "$MAGLEVCTL" -j monitor >"$TMPD/mon"
mon_ready() { mctl stats zero && grep -q '"stats_zero"' "$TMPD/mon"; }
busywait 30000 mon_ready >/dev/null || die "maglevctl monitor reports no events"
mctl backend del tcp "$VIP4:80" "${BE4[1]}" || die "backend del"
mctl backend del tcp "[$VIP6]:80" "${BE6[1]}" || die "backend del"
busywait 30000 bash -c "[ \$(grep -c backend_del '$TMPD/mon') -ge 2 ]" >/dev/null
ids=$(json_get "' '.join('%#x' % ($MARK | e['backend']['id']) for e in d if e.get('event') == 'backend_del')" \
	< <(python3 -c 'import sys; print("[" + ",".join(sys.stdin.read().split("\n")[:-1]) + "]")' <"$TMPD/mon"))
check "monitor: backend_del events carry the ids the probes used ($ids)" test "$ids" = "$m4_1 $m6_1"
expect "b2's GRE up again: its probes pass; removed b1's ids are refused at once" \
	"b2 b2 refused refused b3 b3" \
	"$VIP4 80 $m4_2 20" "$VIP6 80 $m6_2 20" "$VIP4 80 $m4_1 20" \
	"$VIP6 80 $m6_1 20" "$VIP4 80 $m4_3 20" "$VIP6 80 $m6_3 20"

read -r pk nb ent < <(mctl -j stats |
	json_get 'd["probe_packets"], d["probe_drop_no_backend"], d["conn"]["entries"]')
check "probe counters: $pk packets tunnelled, $nb refused" test "$pk" -gt 0 -a "$nb" -ge 2
check "probes create no connection entries ($ent)" test "$ent" = 0
fwd=$(mctl -j stats | json_get 'd["packets"]')
check "probes are not counted as forwarded client packets ($fwd)" test "$fwd" = 0

mctl config set probe-mark off || die "probe-mark off"
expect "probe-mark off: marked connections are routed as before" "c c" \
	"$VIP4 80 $m4_2 20" "$VIP6 80 $m6_2 20"
exit $RET
