#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzing at the VIPs: 100000 malformed, truncated and well-formed
# IPv4/IPv6 frames while real flows to the same services keep working;
# maglev's counters account for every frame that reached its hook.
#
#   C 10.0.1.2 ───veth c0─f0─── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11 "b1"
#     fd00:1::2                                    ├── B2 10.0.2.12 fd00:2::12 "b2"
#     pktfuzz on c0 (AF_PACKET, dst MAC f0's):     └── B3 10.0.2.13 fd00:2::13 "b3"
#       frames to 10.0.0.100 / fd00:100::100, from 198.18.0.0/15 and
#       2001:db8:ff::/64 (F does not route them: no answer comes back)
#     real traffic meanwhile, from 10.0.1.2 / fd00:1::2: rounds of 20 short
#       TCP or UDP flows to VIP4/VIP6:80, a line on each of 30 TCP
#       connections held open to VIP4:7000 (conn_peer.py)
#   services tcp/udp 10.0.0.100:80 and [fd00:100::100]:80 (the fuzz's and
#   the short flows' target; v4 backends for v4, v6 for v6), tcp
#   10.0.0.100:7000 (held connections)
#
# pktfuzz runs each frame through a model of ip_rcv_core()/ip6_rcv_core()
# and of maglev's parser, and says how many frames must end where:
#   pre        dropped by the kernel before PREROUTING, never seen by the
#              hook: IPv4 shorter than 20 bytes, version != 4, IHL < 5,
#              IHL beyond the frame, bad header checksum, tot_len beyond the
#              frame or below the header (ip_rcv_core); IPv6 shorter than 40
#              bytes, version != 6, payload length beyond the frame,
#              loopback or multicast addresses where RFC 4291 forbids them,
#              invalid hop-by-hop options (ip6_rcv_core, ipv6_parse_hopopts:
#              bad lengths, non-zero or long padding, more than 8 options,
#              unknown options whose action bits say discard). The kernel
#              counts them in IpInHdrErrors, IpExtInTruncatedPkts,
#              Ip6InHdrErrors and Ip6InTruncatedPkts.
#   frag       fragments (IPv4 MF or offset, IPv6 fragment header other
#              than an atomic fragment): maglev's "fragments" counter for
#              those not to a VIP; to a VIP, the fragment table's arrivals
#              (frag-first, -followed, -held, -drop, -redirect-out) or, for
#              a fragmented ICMP error, icmp-drop-frag
#   malformed  maglev's "malformed" counter (TCP/UDP/SCTP header cut short,
#              TCP data offset < 5 or beyond the packet, an IPv6 extension
#              header chain running past the packet)
#   service    matched a port-80 service: forwarded (the services' packet
#              counters) or dropped with a reason (drop-* counters; frames
#              too big for the tunnel are drop-too-big). Forwarded ICMP
#              errors and fragments count there too, but the model has them
#              as pass and frag: they are taken out (icmp-fwd-*,
#              frag-first, -followed, -flushed).
#   pass       not for a service (ICMP, GRE, unknown protocols, SCTP, other
#              ports): passed untouched, counted nowhere in maglev
# The checks want maglev's counters to equal the model's exactly, with the
# real traffic to the port-80 services taken from the client's TCP and UDP
# counters (TcpOutSegs + TcpRetransSegs + UdpOutDatagrams + Udp6OutDatagrams,
# less what the :7000 service forwarded). Frames the receive path lost
# before IP (softnet backlog, f0 rx drops; the kernel counts them) may make
# maglev's counts smaller by as many. IPv4 header errors found after the
# hook (IP options, ip_rcv_finish) count in IpInHdrErrors too, so for IPv4
# the kernel's count is a lower bound; for IPv6 it must be exact.
#
# MAGLEV_FUZZ_PACKETS (100000; 20000 on the debug kernel), MAGLEV_FUZZ_SEED
# (random, printed) and MAGLEV_FUZZ_PPS (no limit) choose the frames;
# MAGLEV_PKTFUZZ names a prebuilt pktfuzz.
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools make cc
maglev_load
topo_setup 3
tmpdir

# 100000 frames take 20-40 s on distro kernels under TCG; the debug kernel
# (kmemleak on) manages some 550 a second, so 20000 there.
read -r cmdline </proc/cmdline
case " $cmdline " in
*" kmemleak=on "*) count=${MAGLEV_FUZZ_PACKETS:-20000} ;;
*) count=${MAGLEV_FUZZ_PACKETS:-100000} ;;
esac
rate=${MAGLEV_FUZZ_PPS:-0}	# frames/s, 0: as fast as it goes
seed=${MAGLEV_FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}
fport=80		# the fuzz's and the short flows' service port
port=7000		# held connections (conn_lib.sh uses $port)
nheld=30
FUZZ=${MAGLEV_PKTFUZZ:-$PROJ/tests/.out/pktfuzz}
[ -n "${MAGLEV_PKTFUZZ:-}" ] || make -s -f "$PROJ/tests/fuzz/pktfuzz.mk" PKTFUZZ_OUT="$PROJ/tests/.out" ||
	die "cannot build pktfuzz"

{
	for p in tcp udp; do
		echo "service add $p $VIP4:$fport table-size 1021"
		for ((i = 1; i <= NB; i++)); do echo "backend add $p $VIP4:$fport ${BE4[i]}"; done
		echo "service add $p [$VIP6]:$fport table-size 1021"
		for ((i = 1; i <= NB; i++)); do echo "backend add $p [$VIP6]:$fport ${BE6[i]}"; done
	done
	echo "service add tcp $VIP4:$port table-size 1021"
	for ((i = 1; i <= NB; i++)); do echo "backend add tcp $VIP4:$port ${BE4[i]}"; done
} >"$TMPD/config"
mctl restore "$TMPD/config" || die "restore the services"
conn_servers_start
hold_start 40000-$((40000 + nheld - 1))

fmac=$(ip -n "$NS_F" -br link show f0 | awk '{print $3}')
[ -n "$fmac" ] || die "no MAC on f0"

# quiet: maglev's counters stand still (nothing in flight).
quiet() {
	local a b
	a=$(mctl -j stats | json_get 'd["fragments"], d["malformed"], d["packets"]') &&
		b=$(mctl -j stats | json_get 'd["fragments"], d["malformed"], d["packets"]') &&
		[ "$a" = "$b" ]
}

# snap NAME: the client's, maglev's and F's kernel counters.
snap() {
	busywait 30000 quiet >/dev/null || log_info "maglev's counters still moving ($1)"
	c cat /proc/net/snmp /proc/net/snmp6 >"$TMPD/$1.csnmp" &&
		mctl -j stats >"$TMPD/$1.stats" &&
		mctl -j show >"$TMPD/$1.show" &&
		f cat /proc/net/snmp /proc/net/snmp6 /proc/net/netstat >"$TMPD/$1.snmp" &&
		ip -n "$NS_F" -s -j link show f0 >"$TMPD/$1.f0" &&
		cat /proc/net/softnet_stat >"$TMPD/$1.softnet"
}

# flows ROUND: 20 short flows to a port-80 service (protocol and family by
# ROUND), each to the backend the kernel's lookup names; quiet unless not.
flows() {
	local r=$1 proto dst src sp out
	case $((r % 4)) in
	0) proto=tcp dst=$VIP4 src=$C4 ;;
	1) proto=udp dst=$VIP6 src=$C6 ;;
	2) proto=tcp dst=$VIP6 src=$C6 ;;
	*) proto=udp dst=$VIP4 src=$C4 ;;
	esac
	sp=$((20000 + (r % 1000) * 20))
	out=$(python3 "$PEER" flows --client-ns "$NS_C" --fwd-ns "$NS_F" --map "$(be_map 46)" \
		$proto $src $dst $fport $sp-$((sp + 19)) 2>&1) && return 0
	log_fail "round $r: 20 $proto flows to $(endpoint $dst $fport)"
	printf '%s\n' "$out" | sed 's/^/    /'
	return 1
}

mem_avail() {
	local k v _
	while read -r k v _; do [ "$k" = MemAvailable: ] && echo "$v"; done </proc/meminfo
}

snap before || die "counters before"
mem0=$(mem_avail)
log_info "pktfuzz --count $count --seed $seed (MAGLEV_FUZZ_SEED=$seed repeats it)"
bg c "$FUZZ" --iface c0 --dmac "$fmac" --vip4 $VIP4 --vip6 $VIP6 --port $fport \
	--count "$count" --seed "$seed" --rate "$rate" --json "$TMPD/fuzz.json" >"$TMPD/fuzz.out" 2>&1
fuzz_pid=${BG_PIDS[-1]}

rounds=0 bad=0 r=0
start=$SECONDS
while kill -0 "$fuzz_pid" 2>/dev/null && [ $((SECONDS - start)) -lt 600 ]; do
	if flows $r; then rounds=$((rounds + 1)); else bad=$((bad + 1)); fi
	r=$((r + 1))
	if ! hold "" round same; then
		bad=$((bad + 1))
		log_fail "round $r: held connections: $HOLD_LINE"
	fi
done
wait "$fuzz_pid"
rc=$?
sed 's/^/    /' "$TMPD/fuzz.out"
[ $rc = 0 ] || die "pktfuzz failed (exit $rc)"
check "real flows kept working during the fuzz ($rounds rounds of 20 short flows, and the held connections)" \
	test $rounds -gt 0 -a $bad = 0
# After it, one round of each kind.
for ((i = 0; i < 4; i++)); do
	flows $r && log_pass "after the fuzz, round $r: 20 short flows"
	r=$((r + 1))
done
hold "after the fuzz: held connections keep their backends" round same
snap after || die "counters after"
log_info "MemAvailable before the fuzz $mem0 kB, after $(mem_avail) kB"
hold "client done" quit

python3 - "$TMPD" $fport $port >"$TMPD/acct" <<'EOF'
import json, sys
d, fport, hport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def load(name):
    return json.load(open(f"{d}/{name}"))

def snmp(path):
    """/proc/net/snmp, netstat (pairs of lines) and snmp6 (name value)."""
    out, lines = {}, open(path).read().splitlines()
    for i, line in enumerate(lines):
        w = line.split()
        if len(w) == 2 and not w[0].endswith(":"):
            out[w[0]] = int(w[1])
        elif (w and w[0].endswith(":") and i + 1 < len(lines) and
              not w[1].lstrip("-").isdigit()):
            vals = lines[i + 1].split()
            if vals and vals[0] == w[0]:
                for k, v in zip(w[1:], vals[1:]):
                    out[w[0][:-1] + k] = int(v)
    return out

def delta(name):
    b, a = snmp(f"{d}/before.{name}"), snmp(f"{d}/after.{name}")
    return {k: a[k] - b.get(k, 0) for k in a}

def svc_packets(name):
    """{(family, port): packets}, protocols summed."""
    out = {}
    for s in load(f"{name}.show"):
        k = (6 if ":" in s["vip"] else 4, s["port"])
        out[k] = out.get(k, 0) + s["packets"]
    return out

def softnet_drops(name):
    return sum(int(l.split()[1], 16) for l in open(f"{d}/{name}.softnet"))

def f0(name):
    s = load(f"{name}.f0")[0]["stats64"]["rx"]
    return s["packets"], s["dropped"]

def ok(cond, msg):
    print(("PASS: " if cond else "FAIL: ") + msg)

fz = load("fuzz.json")
e, m = fz["expect"], fz["maybe"]
sb, sa = load("before.stats"), load("after.stats")
ds = {k: sa[k] - sb[k] for k in sa if isinstance(sa[k], int)}
drops = sum(v for k, v in ds.items() if k.startswith("drop_"))
# ICMP errors and VIP fragments sent through a port-80 service (icmp.c,
# frag_path.c): each also counted forwarded or dropped once.
extra = (ds["icmp_fwd_conn"] + ds["icmp_fwd_table"] + ds["frag_first"] +
         ds["frag_followed"] + ds["frag_flushed"])
# Every fragment the hook saw: not a VIP's, or a VIP's into the fragment
# table (arrivals only: expired and flushed ones were counted held), or a
# fragmented ICMP error to a VIP. Poisoning counts held fragments dropped
# again, so it may add up to what was held.
frags = (ds["fragments"] + ds["frag_first"] + ds["frag_followed"] +
         ds["frag_held"] + ds["frag_drop"] + ds["frag_redirect_out"] +
         ds["icmp_drop_frag"])
pb, pa = svc_packets("before"), svc_packets("after")
dp = {k: pa[k] - pb.get(k, 0) for k in pa}
fwd = dp.get((4, fport), 0) + dp.get((6, fport), 0)
dn, dc = delta("snmp"), delta("csnmp")
real = (dc["TcpOutSegs"] + dc["TcpRetransSegs"] + dc["UdpOutDatagrams"] +
        dc["Udp6OutDatagrams"] - dp.get((4, hport), 0))
lost = softnet_drops("after") - softnet_drops("before")
rxb, rxa = f0("before"), f0("after")
lost += rxa[1] - rxb[1]
sent = fz["sent"]

print(f"INFO: pktfuzz sent {sent} frames in {fz['seconds']} s ({fz['good']} well-formed), "
      f"{fz['send_errors']} refused by AF_PACKET")
print("INFO: model: " + ", ".join(f"{k} {v}" for k, v in e.items()) +
      ("; maybe " + ", ".join(f"{k} {v}" for k, v in m.items() if v) if any(m.values()) else ""))
print("INFO: maglev deltas: " + ", ".join(f"{k} {v}" for k, v in ds.items()) +
      f"; port-{fport} services forwarded v4 {dp.get((4, fport), 0)} v6 {dp.get((6, fport), 0)}, "
      f":{hport} {dp.get((4, hport), 0)}")
print(f"INFO: client sent TCP segments {dc['TcpOutSegs']} + retransmitted {dc['TcpRetransSegs']}, "
      f"UDP {dc['UdpOutDatagrams']} + UDP6 {dc['Udp6OutDatagrams']}: {real} to port {fport}")
print(f"INFO: F's kernel: IpInHdrErrors {dn.get('IpInHdrErrors')} (IpInCsumErrors "
      f"{dn.get('IpExtInCsumErrors')}) IpInTruncatedPkts {dn.get('IpExtInTruncatedPkts')} "
      f"Ip6InHdrErrors {dn.get('Ip6InHdrErrors')} Ip6InTruncatedPkts {dn.get('Ip6InTruncatedPkts')}; "
      f"f0 received {rxa[0] - rxb[0]}; frames lost before IP (softnet, f0 drops) {lost}")

def within(name, got, want, maybe, who="maglev"):
    """got may fall short by the frames lost before IP, exceed by maybe."""
    ok(want - lost <= got <= want + maybe,
       f"{name}: {who} {got}, the model {want}" + (f" (+ up to {maybe} maybe)" if maybe else "")
       + (f" (- up to {lost} lost)" if lost else ""))

ok(sent > 0 and fz["send_errors"] == 0, f"every fuzz frame was sent ({sent})")
within("fragments (not a VIP's + the fragment table's arrivals + fragmented ICMP errors)",
       frags, e["frag4"] + e["frag6"],
       m["frag4"] + m["frag6"] + (ds["frag_held"] if ds["frag_poisoned"] else 0))
within("malformed", ds["malformed"], e["malformed4"] + e["malformed6"],
       m["malformed4"] + m["malformed6"])
within(f"port-{fport} packets forwarded {fwd} + dropped with a reason {drops}, "
       f"less the real flows' {real} and the ICMP errors and fragments {extra}",
       fwd + drops - real - extra, e["service4"] + e["service6"],
       m["service4"] + m["service6"])
ok(ds["packets"] == sum(dp.values()),
   f"namespace packets {ds['packets']} = the sum over services {sum(dp.values())}")
within("IPv6 dropped before PREROUTING (Ip6InHdrErrors + Ip6InTruncatedPkts)",
       dn["Ip6InHdrErrors"] + dn["Ip6InTruncatedPkts"], e["pre6"],
       sum(v for k, v in m.items() if k.endswith("6")), "the kernel")
pre4 = dn["IpInHdrErrors"] + dn["IpExtInTruncatedPkts"]
ok(pre4 >= e["pre4"] - lost,
   f"IPv4 dropped before PREROUTING: IpInHdrErrors + IpExtInTruncatedPkts {pre4} >= "
   f"the model's {e['pre4']} (the rest: IP option errors, after the hook)")
hooked = sent - e["pre4"] - e["pre6"]
counted = frags + ds["malformed"] + fwd + drops - real - extra
print(f"INFO: of the {hooked} fuzz frames the hook saw, maglev counted {counted}; "
      f"{e['pass4'] + e['pass6']} were for no service (passed, uncounted by design)")
EOF
cat "$TMPD/acct"
grep -q '^FAIL' "$TMPD/acct" && RET=$ksft_fail
exit $RET
