#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Routes to a backend are cached per CPU and lent to packets without a
# reference (module/route.c): a route change or removal must reach every
# CPU's cached route at its next packet.
#
#   C 10.0.1.2 ──veth── F (maglev) ──── b1 ─── eth0 ── B1 10.0.2.11
#     fd00:1::2                    └─── b1x ── eth1 ─┘    fd00:2::11
#   services udp 10.0.0.100:80 and [fd00:100::100]:80, backend B1 only
#   (IPv4 over gre4, IPv6 over gre6); B1 answers through eth0 either way
#
#   1. routes to B1 via b1: 60 flows per family from each CPU (taskset),
#      so each CPU caches both routes; B1's eth0 receives them
#   2. `ip route replace` to B1 via b1x: the same again; every GRE packet
#      must now arrive on eth1, none on eth0
#   3. routes to B1 deleted: packets are counted as drop-no-route
#   4. routes back via b1: flows reach B1 on eth0 again
source "$(dirname "$0")/lib.sh"

require_tools taskset
maglev_load
topo_setup 1

ip link add b1x netns "$NS_F" type veth peer name eth1 netns "${NS_B[1]}" ||
	die "second link to B1"
mac=$(ip -n "${NS_B[1]}" -j link show eth1 | json_get 'd[0]["address"]')
ip -n "${NS_B[1]}" -b - <<-EOF || die "B1's second link"
	link set eth1 up
EOF
in_ns "${NS_B[1]}" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.eth1.rp_filter=0 >/dev/null || die "rp_filter on B1"
# B1 holds its addresses on eth0: F reaches them over b1x by static
# neighbours (IPv6 answers solicitations only for the link's addresses).
ip -n "$NS_F" -b - <<-EOF || die "F's second link"
	link set b1x up
	neigh replace ${BE4[1]} lladdr $mac dev b1x nud permanent
	neigh replace ${BE6[1]} lladdr $mac dev b1x nud permanent
EOF

svc4=$VIP4:80
svc6=[$VIP6]:80
mctl service add udp $svc4 || die "service add $svc4"
mctl service add udp "$svc6" || die "service add $svc6"
mctl backend add udp $svc4 "${BE4[1]}" || die "backend add ${BE4[1]}"
mctl backend add udp "$svc6" "${BE6[1]}" || die "backend add ${BE6[1]}"

# rx_b1: "RX0 RX1", the packets B1's eth0 and eth1 have received.
rx_b1() {
	ip -n "${NS_B[1]}" -s -j link show | json_get \
		'" ".join(str(i["stats64"]["rx"]["packets"]) for n in ("eth0", "eth1") for i in d if i["ifname"] == n)'
}

# flows CPU SPORTS: 2 x 60 UDP flows (IPv4, IPv6) from the client pinned
# to CPU (so F forwards them there), each answered by b1.
flows() {
	local cpu=$1 sports=$2 dst src
	for dst in $VIP4 $VIP6; do
		case $dst in *:*) src=$C6 ;; *) src=$C4 ;; esac
		taskset -c "$cpu" python3 "$PEER" flows --client-ns "$NS_C" \
			--fwd-ns "$NS_F" --map "$(be_map 46)" --expect-all b1 \
			udp "$src" "$dst" 80 "$sports" || return 1
	done
}
ncpu=$(nproc)
[ "$ncpu" -gt 2 ] && ncpu=2
want=$((2 * 60 * ncpu))

# phase NAME PORT_BASE: 2 x 60 flows from every CPU, each answered by b1;
# sets D[0], D[1], what B1's eth0 and eth1 received meanwhile (not in a
# subshell: check would lose them).
phase() {
	local base=$2 cpu before after
	read -r -a before <<<"$(rx_b1)"
	for ((cpu = 0; cpu < ncpu; cpu++)); do
		flows $cpu "$((base + 100 * cpu))-$((base + 100 * cpu + 59))" ||
			return 1
	done
	read -r -a after <<<"$(rx_b1)"
	D=($((after[0] - before[0])) $((after[1] - before[1])))
	log_pass "$1: $want flows from $ncpu CPUs answered"
}

# routes CMD [DEV]: `ip route CMD` of F's host routes to B1, both families.
routes() {
	ip -n "$NS_F" -b - <<-EOF || die "route $*"
		route $1 ${BE4[1]}/32 ${2:+dev $2}
		route $1 ${BE6[1]}/128 ${2:+dev $2}
	EOF
}

# arrived NAME ON OFF: every GRE packet of the last phase came in on B1's
# link ON (D[ON] >= want), none on OFF (a few ARP/ND packets at most).
arrived() {
	check "$1: all on eth$2 (${D[$2]} >= $want), none on eth$3 (${D[$3]})" \
		test "${D[$2]}" -ge $want -a "${D[$3]}" -lt 20
}

phase "via b1" 20000 || die "via b1: flows not answered"
arrived "via b1" 0 1

routes replace b1x
phase "via b1x" 21000 || die "via b1x: flows not answered (the old route?)"
arrived "via b1x: every CPU's cached route moved" 1 0

nr0=$(mctl -j stats | json_get 'd["drop_no_route"]')
routes del
for ((cpu = 0; cpu < ncpu; cpu++)); do
	taskset -c $cpu python3 "$PEER" flows --client-ns "$NS_C" --fwd-ns "$NS_F" \
		--map "$(be_map 46)" --timeout 1 \
		udp $C4 $VIP4 80 "$((22000 + 100 * cpu))-$((22000 + 100 * cpu + 9))" \
		>/dev/null 2>&1
done
nr1=$(mctl -j stats | json_get 'd["drop_no_route"]')
check "no route: the packets were counted as no-route ($((nr1 - nr0)) >= $((10 * ncpu)))" \
	test $((nr1 - nr0)) -ge $((10 * ncpu))

routes add b1
phase "back via b1" 23000 || die "back via b1: flows not answered"
arrived "back via b1" 0 1
exit $RET
