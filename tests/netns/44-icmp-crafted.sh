#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Crafted ICMP packets at the VIPs: each outcome of module/icmp.c counted.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─── B1, B2 (lib.sh topology)
#     fd00:1::2
#   udp 10.0.0.100:80 and udp [fd00:100::100]:80 → b1, b2
#   C (scapy) sends, to the VIPs: errors about a recorded flow (fwd-conn),
#   about unrecorded flows, IPv4 types 3 and 11, ICMPv6 with an extension
#   header in the quoted packet (fwd-table, no entry created), bad
#   checksums, a quoted source that is not the VIP, a quoted port with no
#   service, quoted later fragments, a fragmented error, a truncated quote,
#   echo requests (counted, left to F's stack); and to F's own address an
#   error about a non-VIP flow (not ours: no counter moves).
source "$(dirname "$0")/lib.sh"

require_tools
python3 -c 'import scapy' 2>/dev/null || skip "python3-scapy is not installed"
maglev_load
topo_setup 2

mctl service add udp $VIP4:80 || die "service add"
mctl service add udp "[$VIP6]:80" || die "service add"
for i in 1 2; do
	mctl backend add udp $VIP4:80 "${BE4[i]}" || die "backend add"
	mctl backend add udp "[$VIP6]:80" "${BE6[i]}" || die "backend add"
done

# One scapy run sends everything and prints the expected counters as JSON.
exp=$(c python3 - "$VIP4" "$VIP6" "$C4" "$C6" "$F4C" <<'EOF'
import json, socket, sys
# Only the layers used: scapy.all takes long to import under TCG.
from scapy.config import conf
from scapy.layers.inet import ICMP, IP, TCP, UDP, fragment
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6PacketTooBig, IPv6,
                                IPv6ExtHdrDestOpt, IPv6ExtHdrFragment)
from scapy.packet import Raw
from scapy.sendrecv import send
conf.verb = 0
vip4, vip6, c4, c6, f4 = sys.argv[1:6]
exp = {}
def count(k, n=1):
    exp[k] = exp.get(k, 0) + n

# A recorded flow: C:5555 -> VIP:80 (the backend answers; not needed).
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((c4, 5555))
s.sendto(b"x", (vip4, 80))

def frag_needed(inner, **kw):
    return IP(dst=vip4) / ICMP(type=3, code=4, nexthopmtu=1300, **kw) / inner

pkts = []
pkts.append(frag_needed(IP(src=vip4, dst=c4) / UDP(sport=80, dport=5555)))
count("icmp_fwd_conn")
pkts.append(frag_needed(IP(src=vip4, dst=c4, options=b"\x01" * 8) /
                        UDP(sport=80, dport=6666)))
count("icmp_fwd_table")
pkts.append(IP(dst=vip4) / ICMP(type=11, code=0) /
            IP(src=vip4, dst=c4) / UDP(sport=80, dport=6666))
count("icmp_fwd_table")
pkts.append(IPv6(dst=vip6) / ICMPv6PacketTooBig(mtu=1280) /
            IPv6(src=vip6, dst=c6) / IPv6ExtHdrDestOpt() /
            UDP(sport=80, dport=6667))
count("icmp_fwd_table")
pkts.append(frag_needed(IP(src=vip4, dst=c4) / UDP(sport=80, dport=6666),
                        chksum=0x1234))
count("icmp_drop_csum")
pkts.append(IPv6(dst=vip6) / ICMPv6PacketTooBig(mtu=1280, cksum=0x1234) /
            IPv6(src=vip6, dst=c6) / UDP(sport=80, dport=6667))
count("icmp_drop_csum")
pkts.append(frag_needed(IP(src="10.0.0.99", dst=c4) / UDP(sport=80, dport=6666)))
count("icmp_drop_source")
pkts.append(frag_needed(IP(src=vip4, dst=c4) / UDP(sport=81, dport=6666)))
count("icmp_drop_no_service")
pkts.append(frag_needed(IP(src=vip4, dst=c4) / TCP(sport=80, dport=6666)))
count("icmp_drop_no_service")
pkts.append(frag_needed(IP(src=vip4, dst=c4, proto=17, frag=100) / Raw(b"y" * 8)))
count("icmp_drop_inner_frag")
pkts.append(IPv6(dst=vip6) / ICMPv6PacketTooBig(mtu=1280) /
            IPv6(src=vip6, dst=c6) / IPv6ExtHdrFragment(nh=17, offset=100) /
            Raw(b"y" * 8))
count("icmp_drop_inner_frag")
pkts.append(frag_needed(Raw(bytes(IP(src=vip4, dst=c4, proto=17))[:20] +
                            b"\x00\x50\x1a")))
count("icmp_drop_malformed")
frags = fragment(frag_needed(IP(src=vip4, dst=c4) / UDP(sport=80, dport=6666) /
                             Raw(b"z" * 1000)), fragsize=600)
pkts += frags
count("icmp_drop_frag", len(frags))
pkts.append(IP(dst=vip4) / ICMP(type=8) / Raw(b"ping"))
count("icmp_echo")
pkts.append(IPv6(dst=vip6) / ICMPv6EchoRequest() / Raw(b"ping"))
count("icmp_echo")
# Not to a VIP: F's stack gets it, maglev counts nothing.
pkts.append(IP(dst=f4) / ICMP(type=3, code=4, nexthopmtu=1300) /
            IP(src=f4, dst=c4) / UDP(sport=22, dport=7777))
for p in pkts:
    send(p)
print(json.dumps(exp))
EOF
) || die "scapy failed"
log_info "expected: $exp"

# counters_are: every icmp_* counter equals its expected value (0 if none).
counters_are() {
	mctl -j stats | python3 -c '
import json, sys
st, exp = json.load(sys.stdin), json.loads(sys.argv[1])
bad = {k: (v, exp.get(k, 0)) for k, v in st.items()
       if k.startswith("icmp_") and v != exp.get(k, 0)}
print("counter: (got, expected):", bad)
sys.exit(1 if bad else 0)' "$exp"
}
check "every outcome counted once, none for F's own address" \
	busywait 10000 counters_are
check "the forwarded errors created no connection entry" \
	test "$(mctl conn list | grep -c ':666[67]')" = 0
st=$(mctl -j stats)
check "nothing counted as malformed or without backend" \
	test "$(json_get 'd["malformed"] + d["drop_no_backend"]' <<<"$st")" = 0

mctl config set icmp off || die "config set icmp off"
mctl stats zero || die "stats zero"
# An error with a bad checksum and an echo request, without scapy.
c python3 - "$VIP4" "$C4" <<'EOF' || log_fail "sending failed"
import socket, struct, sys
vip4, c4 = sys.argv[1:3]
inner = struct.pack("!BBHHHBBH4s4sHHHH", 0x45, 0, 1500, 0, 0x4000, 64, 17, 0,
                    socket.inet_aton(vip4), socket.inet_aton(c4), 80, 6666,
                    1480, 0)
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r.sendto(struct.pack("!BBHHH", 3, 4, 0x1234, 0, 1300) + inner, (vip4, 0))
r.sendto(struct.pack("!BBHHH", 8, 0, 0xf7ff, 0, 0), (vip4, 0))
# F has seen them once a datagram sent after them is answered.
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"x", (vip4, 80))
s.recv(100)
EOF
exp='{}'
check "icmp off: nothing counted" counters_are
exit $RET
