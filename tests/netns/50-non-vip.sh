#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Traffic to no service passes F untouched: routed as usual, no counter moves.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11  "b1"
#     fd00:1::2        routes VIPs        └── B2 10.0.2.12 fd00:2::12  "b2"
#                      to B1 (plain)
#   service tcp 10.0.0.100:80 only (backends b1, b2). Sent, and answered
#   without maglev: tcp → 10.0.2.12:80 and [fd00:2::12]:80 (a backend's
#   own address), tcp → 10.0.0.100:8080 (other port), udp → 10.0.0.100:80
#   (other protocol), tcp → [fd00:100::100]:80 (other family).
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 2

svc=$VIP4:80
mctl service add tcp $svc table-size 13 || die "service add"
mctl backend add tcp $svc "${BE4[1]}" || die "backend add"
mctl backend add tcp $svc "${BE4[2]}" || die "backend add"
ip -n "$NS_F" -b - <<-EOF || die "routes on F"
	route add $VIP4/32 via ${BE4[1]}
	route add $VIP6/128 via ${BE6[1]}
EOF
mctl stats zero || die "stats zero"

plain() {
	check_flows "$1" "${@:2}" --expect-all "" --sample 2
}
plain "tcp to a backend's own IPv4 address is answered by it" \
	tcp "${BE4[2]}" 80 25000-25019 --unmatched b2
plain "tcp to a backend's own IPv6 address is answered by it" \
	tcp "${BE6[2]}" 80 25000-25019 --unmatched b2
plain "tcp to the VIP on another port is routed, not balanced" \
	tcp $VIP4 8080 25000-25019 --unmatched b1
plain "udp to the VIP of a tcp service is routed, not balanced" \
	udp $VIP4 80 25000-25019 --unmatched b1
plain "tcp to the IPv6 VIP (no IPv6 service) is routed, not balanced" \
	tcp $VIP6 80 25000-25019 --unmatched b1

stats=$(mctl -j stats | json_get 'sorted(k for k, v in d.items() if v and (k in ("packets", "bytes", "fragments", "malformed") or k.startswith("drop")))')
check "forwarder namespace counters did not move ($stats)" test "$stats" = "[]"
svcp=$(mctl -j show | json_get 'sum(s["packets"] for s in d)')
check "service counters did not move ($svcp)" test "$svcp" = 0
rx=$(for ((i = 1; i <= NB; i++)); do b $i cat /proc/net/dev; done |
	awk '$1 ~ /^gre[46]:/ { n += $3 } END { print n + 0 }')
check "no backend decapsulated anything ($rx)" test "$rx" = 0
exit $RET
