#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection table across forwarders: a flow moved mid-stream from one
# forwarder to another (an ECMP change) keeps its backend: the second
# forwarder has no entry, picks the same backend from the identical table
# and records it.
#
#   C  c0 10.0.1.2 ──veth── f0 10.0.1.1  F1 (maglev)  bI ──veth── BI 10.0.2.(10+I) "bI"
#                                        f2 10.0.4.1               I = 1..3
#                                           │ veth
#      c1 10.0.3.2 ──veth── f0 10.0.3.1  F2 (maglev)  fx 10.0.4.2; 10.0.2.0/24 via F1
#   40 TCP connections held open from 10.0.1.2, sports 52000-52039, to
#   10.0.0.100:7000, first via F1, then (C's default route moved to F2)
#   via F2, then back; F2's GRE packets cross F1 as plain routed packets;
#   backends answer through F1 (DSR)
#   F1 and F2: same seed, service tcp 10.0.0.100:7000 (1021 slots), b1-b3
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools cmp
maglev_load
topo_setup 3
tmpdir

port=7000
svc=$VIP4:$port
nheld=40
seed=00112233445566778899aabbccddeeff

conn_servers_start

# The second forwarder: on C's second link, reaching the backends via F1.
setup_ns NS_F2
ip -b - <<EOF || die "cannot create F2's veths"
link add c1 netns $NS_C type veth peer name f0 netns $NS_F2
link add fx netns $NS_F2 type veth peer name f2 netns $NS_F
EOF
ip -n "$NS_F" -b - <<EOF || die "F1's link to F2"
addr add 10.0.4.1/24 dev f2
link set f2 up
EOF
ip -n "$NS_C" -b - <<EOF || die "client second link"
addr add 10.0.3.2/24 dev c1
link set c1 up
EOF
in_ns "$NS_F2" sysctl -qw net.ipv4.ip_forward=1 >/dev/null || die "forwarding on F2"
ip -n "$NS_F2" -b - <<EOF || die "F2 setup"
addr add 10.0.3.1/24 dev f0
link set f0 up
addr add 10.0.4.2/24 dev fx
link set fx up
route add 10.0.2.0/24 via 10.0.4.1
EOF
f2ctl() { in_ns "$NS_F2" "$MAGLEVCTL" "$@"; }

{
	echo "config set seed $seed"
	echo "service add tcp $svc table-size 1021"
	for ((i = 1; i <= NB; i++)); do echo "backend add tcp $svc ${BE4[i]}"; done
} >"$TMPD/conf"
mctl restore "$TMPD/conf" || die "restore in F1"
f2ctl restore "$TMPD/conf" || die "restore in F2"
python3 "$PEER" lookups --ns "$NS_F" tcp $C4 $VIP4 $port 52000-52039 >"$TMPD/l1" &&
	python3 "$PEER" lookups --ns "$NS_F2" tcp $C4 $VIP4 $port 52000-52039 >"$TMPD/l2" ||
	die "lookups"
check "F1 and F2 pick the same backends for the flows (kernel lookups)" cmp "$TMPD/l1" "$TMPD/l2"

hold_start 52000-$((52000 + nheld - 1))
hold "F1 has an established entry per connection, naming its backend" entries same
n=$(f2ctl -j conn list | json_get 'len(d)')
check "F2 has no entry ($n)" test "$n" = 0
f1hits() { mctl -j conn stats | json_get 'd["conn"]["hits"]'; }

# ECMP change: C's default route moves to F2 (sources stay 10.0.1.2).
ip -n "$NS_C" route replace default via 10.0.3.1 dev c1 || die "route to F2"
h1=$(f1hits)
hold "moved to F2 mid-stream: every connection keeps its backend" round same
hold "F2 recorded each flow (established, mid-stream) with the same backend" entries ns="$NS_F2" same
hold "F2's lookup follows those entries" lookup ns="$NS_F2" same
cs=$(f2ctl -j conn stats | json_get '"%d %d %d" % (d["conn"]["misses"], d["conn"]["inserts"], d["conn"]["hits"])')
read -r miss ins hits <<<"$cs"
check "F2 conn stats: one miss and one insert per flow ($miss misses, $ins inserts)" \
	test "$miss" = $nheld -a "$ins" = $nheld
hold "a second round through F2" round same
h2=$(f1hits)
check "F1 saw no packet of the flows after the move (hits $h1 -> $h2)" test "$h1" = "$h2"
hits2=$(f2ctl -j conn stats | json_get 'd["conn"]["hits"]')
check "F2's entries take the later packets (hits $hits -> $hits2)" test "$hits2" -gt "$hits"

# And back: F1's entries still hold.
ip -n "$NS_C" route replace default via $F4C dev c0 || die "route back to F1"
hold "back to F1: every connection keeps its backend" round same
hold "F1's entries unchanged" entries same
hold "client done" quit
exit $RET
