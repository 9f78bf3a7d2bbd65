#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two forwarders with a pool: each datagram's first fragment reaches F, its
# other fragments F2; the pool member that owns the datagram (source,
# destination, protocol) gets them all, redirected at most once, and the
# datagram arrives whole at the backend lookup names.
#
#              c0 10.0.1.2 ──── f0 F (maglev) ─veths─┬── B1 "b1"
#   C          fd00:1::2 10.0.1.3   fx 10.0.9.1       └── B2 "b2"
#   mtu 1400                        │ fd00:9::1
#              c2 10.0.5.2 ──── f2 F2 (maglev)  routes 10.0.2/24, fd00:2::/64 via F
#                 fd00:5::2         fx 10.0.9.2 fd00:9::2
#   same seed, services and backends on F and F2; pool 10.0.9.1 10.0.9.2
#   on F, 10.0.9.2 10.0.9.1 on F2 (the order does not matter).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/frag_lib.sh"

require_tools
maglev_load
topo_setup 2
frag_mtu
setup_ns NS_F2
ip -b - <<-EOF || die "veths"
	link add c2 netns $NS_C type veth peer name f2 netns $NS_F2
	link add fx netns $NS_F type veth peer name fx netns $NS_F2
	EOF
ip -n "$NS_C" -b - <<-EOF || die "client setup"
	link set c2 mtu 1400 up
	addr add 10.0.5.2/24 dev c2
	addr add fd00:5::2/64 dev c2 nodad
	addr add 10.0.1.3/24 dev c0
	route add default via 10.0.5.1 dev c2 metric 100
	route add default via fd00:5::1 dev c2 metric 100
	EOF
ip -n "$NS_F" -b - <<-EOF || die "F setup"
	link set fx up
	addr add 10.0.9.1/24 dev fx
	addr add fd00:9::1/64 dev fx nodad
	EOF
ip -n "$NS_F2" -b - <<-EOF || die "F2 setup"
	link set f2 up
	addr add 10.0.5.1/24 dev f2
	addr add fd00:5::1/64 dev f2 nodad
	link set fx up
	addr add 10.0.9.2/24 dev fx
	addr add fd00:9::2/64 dev fx nodad
	route add 10.0.2.0/24 via 10.0.9.1
	route add fd00:2::/64 via fd00:9::1
	EOF
in_ns "$NS_F2" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
	die "forwarding on F2"
seed=0123456789abcdef0123456789abcdef
frag_services
NS_F=$NS_F2 frag_services
# frag-timeout: under TCG the first fragment, redirected, may reach the
# owner well after the others.
mctl config set seed $seed frag-timeout 5000 pool 10.0.9.1 10.0.9.2 ||
	die "pool on F"
in_ns "$NS_F2" "$MAGLEVCTL" config set seed $seed frag-timeout 5000 \
	pool 10.0.9.2 10.0.9.1 ||
	die "pool on F2"
check "config show lists the pool" bash -c \
	"$(declare -f in_ns); in_ns $NS_F $MAGLEVCTL config show | grep -q '^pool  *10.0.9.1 10.0.9.2\$'"

# Two client sources and two families: three owners to find, both members
# likely among them.
frag_send "IPv4 from 10.0.1.2: first fragment to F, the rest to F2, arrive whole" \
	split $VIP4 29000-29009 10.0.1.2 --split-dev c2
frag_send "IPv4 from 10.0.1.3: first fragment to F, the rest to F2, arrive whole" \
	split $VIP4 29000-29009 10.0.1.3 --split-dev c2
frag_send "IPv6: first fragment to F, the rest to F2, arrive whole" \
	split $VIP6 29000-29009 "" --split-dev c2

# 30 datagrams of 4 fragments: each recorded once, by its owner; what one
# forwarder redirected, the other received, and nothing more.
j1=$(mctl -j stats)
j2=$(in_ns "$NS_F2" "$MAGLEVCTL" -j stats)
CHECK_SHOW=1 check "every datagram recorded once, 3 fragments followed it; each redirect received once" \
	python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
s = lambda k: a[k] + b[k]
print("F ", {k: v for k, v in a.items() if k.startswith("frag") and v})
print("F2", {k: v for k, v in b.items() if k.startswith("frag") and v})
ok = (s("frag_first") == 30 and s("frag_followed") + s("frag_flushed") == 90
      and s("frag_drop") == 0
      and a["frag_redirect_out"] == b["frag_redirect_in"]
      and b["frag_redirect_out"] == a["frag_redirect_in"]
      and s("frag_redirect_out") > 0)
sys.exit(0 if ok else 1)' "$j1" "$j2"
exit $RET
