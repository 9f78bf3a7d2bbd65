#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Path MTU discovery in the cluster: R's link to the client carries 1300
# bytes; the backend's 1500-byte segments (from the VIP) make R send
# "fragmentation needed" to the VIP, and R's ECMP may hand that error to a
# forwarder that never saw the flow. Here it always does: R routes the
# download's packets via F2 and every ICMP error to the VIP via F1 (its
# own errors too: the output chain marks them, which reroutes them). F1 must
# still send the error to the flow's backend (by its table: no entry), or
# the download stalls.
#
#   C 10.0.1.2 ──mtu 1300── R ══ F1 (ICMP errors: fwmark 1, table 100)
#                              ══ F2 (tcp :8000: fwmark 2, table 102)
#                              ══ F3 ──GRE via R── B1 B2 B3 (http :8000)
#   (full drawing: tests/cluster/lib.sh)
source "$(dirname "$0")/lib.sh"

require_cmd nft curl
cluster_up
head -c 1048576 /dev/urandom >"$TMPD/1m" || die "payload"
for ((i = 1; i <= NB; i++)); do
	bg in_ns "${NS_B[i]}" python3 -m http.server --bind 0.0.0.0 \
		--directory "$TMPD" $HTTP_PORT >/dev/null 2>&1
done
serving() {
	local i
	for ((i = 1; i <= NB; i++)); do
		b "$i" curl -sf -o /dev/null --max-time 5 "http://${BE4[i]}:$HTTP_PORT/1m" || return 1
	done
}
busywait 30000 serving || die "the backends' HTTP servers did not start"
r sysctl -qw net.ipv4.icmp_ratelimit=0 >/dev/null
ip -n "$NS_R" link set rc mtu 1300 || die "mtu"
modprobe -q -a nf_tables 2>/dev/null
r nft -f - <<-EOF || die "nft in R"
	table ip pin {
		chain p {
			type filter hook prerouting priority -300;
			ip daddr $VIP4 icmp type destination-unreachable counter meta mark set 1
			ip daddr $VIP4 tcp dport $HTTP_PORT meta mark set 2
		}
		chain o {
			type route hook output priority -300;
			ip daddr $VIP4 icmp type destination-unreachable counter meta mark set 1
		}
	}
EOF
ip -n "$NS_R" -b - <<-EOF || die "policy routing in R"
	rule add fwmark 1 lookup 100
	rule add fwmark 2 lookup 102
	route add $VIP4/32 via ${FW4[1]} table 100
	route add $VIP4/32 via ${FW4[2]} table 102
EOF
url=http://$VIP4:$HTTP_PORT/1m
get() { c curl -s -o /dev/null -w '%{size_download}' --max-time "$1" "$url"; }

fctl 1 config set icmp off || die "icmp off in F1"
check_fail "icmp off in F1: the 1 MB download stalls (PMTU black hole)" \
	c curl -sf -o /dev/null --max-time 6 "$url"
fctl 1 config set icmp on || die "icmp on in F1"
fctl 1 stats zero || die "stats zero"
check "icmp on: the 1 MB download completes" test "$(get 60)" = 1048576
learnt() {
	local i
	for ((i = 1; i <= NB; i++)); do
		b "$i" ip route get $C4 | grep -q "mtu 1300" && return 0
	done
	return 1
}
check "a backend learnt mtu 1300 towards $C4" busywait 5000 learnt
st=$(fctl 1 -j stats)
n=$(json_get 'd["icmp_fwd_table"]' <<<"$st")
check "F1 forwarded the errors by its table ($n), having no entry for the flows" \
	test "$n" -ge 1
e=$(fctl 1 -j conn list | json_get "len([x for x in d if x['dport'] == $HTTP_PORT])")
check "F1's connection table has no entry for the downloads ($e)" test "$e" = 0
e2=$(fctl 2 -j conn list | json_get "len([x for x in d if x['dport'] == $HTTP_PORT])")
check "F2's has them ($e2)" test "$e2" -ge 1
log_info "ICMP errors R generated for F1: $(r nft list chain ip pin o | grep -o 'packets [0-9]*' | head -1)"
exit $RET
