#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection table under a spoofed one-packet-per-flow flood: real flows
# still get entries and keep their backends; the table stays in bounds;
# conn-max cannot be raised far past the hash's bucket array.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#     raw: 10000 TCP ACKs (no SYN) to     ├── B2 10.0.2.12  "b2"
#     VIP:9000 + 10000 UDP to VIP:9000,   └── B3 10.0.2.13  "b3"
#     random sources in 198.18.0.0/15,
#     random sports, one packet per flow
#     real: 40 TCP connections held open (sports 40000-40039) → VIP:7000,
#     40 UDP flows (sports 45000-45039, a datagram every 0.5 s for 1.6 s)
#     → VIP:80
#   conn-max 2048 (before the first service: it sizes the hash);
#   services tcp/udp 10.0.0.100:9000, tcp 10.0.0.100:7000,
#   udp 10.0.0.100:80, table-size 1021, backends b1-b3;
#   after the real flows, a second flood (3000 + 3000) must not take
#   their entries
#
# Regression: an entry created by a flow's first packet when that packet
# was not a SYN (mid-stream TCP, UDP) was "established" (TCP 900 s, UDP
# 300 s) and never evictable, so a flood of such one-packet flows filled
# the table for minutes: real connections and UDP flows then got no entry
# (conn-full) and could be moved by the next backend change; evictions
# stayed 0. Also `config set conn-max` accepted any value up to 2^24 long
# after the bucket array was sized for the first conn-max.
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools
maglev_load
topo_setup 3
tmpdir

port=7000
max=2048
conn_servers_start $port
{
	echo "config set conn-max $max"
	for s in tcp:$VIP4:9000 udp:$VIP4:9000 tcp:$VIP4:$port udp:$VIP4:80; do
		echo "service add ${s%%:*} ${s#*:} table-size 1021"
		for ((i = 1; i <= NB; i++)); do echo "backend add ${s%%:*} ${s#*:} ${BE4[i]}"; done
	done
} >"$TMPD/conf"
mctl restore "$TMPD/conf" || die "restore"

# flood N TAG: N TCP ACKs and N UDP datagrams; reports the figures.
flood() {
	python3 "$NETNS_DIR/raw_peer.py" spoof --client-ns "$NS_C" --fwd-ns "$NS_F" \
		--dst $VIP4 --tcp-port 9000 --udp-port 9000 --count "$1" \
		--out "$TMPD/flood.json" || die "the flood failed"
	python3 - "$TMPD/flood.json" "$2" $max >"$TMPD/flood.out" <<-'EOF'
		import json, sys
		d = json.load(open(sys.argv[1]))
		tag, mx = sys.argv[2], int(sys.argv[3])
		b, a = d["before"], d["after"]
		dl = {k: a[k] - b[k] for k in a}
		print(f"INFO: {tag}: {d['sent']} packets in {d['seconds']} s; entries {a['entries']} "
		      f"(highest seen {d['max_entries_seen']}, limit {a['limit']}); inserts "
		      f"{dl['inserts']}, evictions {dl['evictions']}, full {dl['full']}, "
		      f"expiries {dl['expiries']}")
		ok = not d["over_limit"] and d["max_entries_seen"] <= mx
		print(("PASS" if ok else "FAIL") + f": {tag}: entries never exceeded conn-max {mx}")
	EOF
	cat "$TMPD/flood.out"
	! grep -q '^FAIL' "$TMPD/flood.out" || RET=$ksft_fail
}

# udp_talk FILE: 40 UDP flows (sports 45000-45039) to VIP:80, each sending
# a datagram every 0.5 s for 1.6 s; FILE gets "sport backend" per flow, or
# "sport -" for a flow without answers or answered by more than one
# backend.
udp_talk() {
	python3 "$NETNS_DIR/conn_peer.py" udp --client-ns "$NS_C" --interval 0.5 \
		--duration 1.6 --out "$TMPD/udp.raw" $C4 $VIP4 80 45000-45039 ||
		die "conn_peer.py udp"
	awk '{ all[$2] = 1 } $3 != "-" { seen[$2] = seen[$2] " " $3 }
	     END { for (p in all) { n = split(seen[p], a, " "); w = n ? a[1] : "-"
		   for (i = 2; i <= n; i++) if (a[i] != w) w = "-"
		   print p, w } }' "$TMPD/udp.raw" | sort -n >"$1"
	! grep -q ' -$' "$1"
}

# udp_entries FILE: every flow of FILE has a UDP entry naming its backend.
udp_entries() {
	mctl -j conn list udp $VIP4:80 >"$TMPD/udp-conns" || return 1
	python3 - "$1" "$TMPD/udp-conns" "$(be_map 4)" <<-'EOF'
		import json, sys
		names = dict(x.split("=") for x in sys.argv[3].split(","))
		ents = {c["sport"]: c for c in json.load(open(sys.argv[2]))}
		bad = n = 0
		for line in open(sys.argv[1]):
		    sp, who = line.split()
		    c = ents.get(int(sp))
		    n += 1
		    got = names.get(c["backend"], c["backend"]) if c and c["backend"] else None
		    if got != who:
		        bad += 1
		        if bad <= 5:
		            print(f"sport {sp} answered by {who}: entry {c}")
		print(f"{bad} of {n} flows without an entry naming their backend")
		sys.exit(bad > 0)
	EOF
}

flood 10000 flood
hold_start 40000-40039
hold "every real connection made after the flood has an established entry naming its backend" \
	entries same
CHECK_SHOW=1 check "40 UDP flows after the flood, 4 datagrams each: each flow answered by one backend" \
	udp_talk "$TMPD/udp1"
CHECK_SHOW=1 check "every UDP flow has an entry naming its backend" udp_entries "$TMPD/udp1"

flood 3000 "second flood"
hold "after the second flood: every connection keeps its entry" entries same
hold "... and still answers from its backend" round same
CHECK_SHOW=1 check "... every UDP flow keeps its entry, naming its backend" \
	udp_entries "$TMPD/udp1"
udp_talk "$TMPD/udp2"
check "... and is still answered by it" cmp "$TMPD/udp1" "$TMPD/udp2"

read -r e ev < <(mctl -j stats | json_get 'd["conn"]["entries"], d["conn"]["evictions"]')
check "entries within conn-max ($e <= $max)" test "$e" -le $max
check "the floods' entries were evicted to admit others (evictions $ev)" test "$ev" -gt 0
hold "client done" quit

out=$(mctl config set conn-max 16000000 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 0 ] && [ -n "$out" ]; then
	log_pass "config set conn-max 16000000 refused (exit $rc): $out"
else
	log_fail "config set conn-max 16000000 accepted (exit $rc, stderr '$out')"
fi
lim=$(mctl -j conn stats | json_get 'd["conn"]["limit"]')
check "conn-max unchanged ($lim)" test "$lim" = $max
exit $RET
