#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection table: a SYN flood from spoofed sources, 4x conn-max,
# neither breaks nor moves established flows, nor stops new ones; the
# table stays within its bound and its counters account for the flood.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#     120 TCP connections held open,      ├── B2 10.0.2.12  "b2"
#     sports 40000-40119 → VIP:7000       ├── B3 10.0.2.13  "b3"
#     raw SYNs from 198.18.0.0/15         └── B4 10.0.2.14  "b4"
#     (4000 distinct sources, self-clocked
#     batches of 100) → VIP:80
#   conn-max 1000 (set before the first service: it sizes the hash),
#   timeout tcp-syn 600 (no half-open entry expires during the test);
#   services tcp 10.0.0.100:7000 and tcp 10.0.0.100:80, backends b1-b3;
#   b4 added to :7000 once the connections are up (the table alone would
#   move some of them)
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools
maglev_load
topo_setup 4
tmpdir

port=7000
svc=$VIP4:$port
fsvc=$VIP4:80
nheld=120
max=1000
nflood=4000

conn_servers_start
# Half-open entries outlive the flood even on a slow (debug) kernel.
mctl config set conn-max $max timeout tcp-syn 600 || die "config set conn-max"
for s in $svc $fsvc; do
	mctl service add tcp $s table-size 1021 || die "service add $s"
	for i in 1 2 3; do
		mctl backend add tcp $s "${BE4[i]}" || die "backend add ${BE4[i]}"
	done
done
lim=$(mctl -j conn stats | json_get 'd["conn"]["limit"]')
check "conn stats limit is conn-max ($lim)" test "$lim" = $max
hold_start 40000-$((40000 + nheld - 1))
hold "every connection has an established entry naming its backend" entries same
# A new backend: were an established entry lost, its flow could move.
mctl backend add tcp $svc "${BE4[4]}" || die "backend add b4"
hold "b4 added: lookup follows the entries" lookup same

# Flood in the background; meanwhile the held connections talk and the
# table's size is polled (the flooder polls it too, between batches).
bg python3 "$NETNS_DIR/conn_peer.py" synflood --client-ns "$NS_C" --fwd-ns "$NS_F" \
	--dst $VIP4 --port 80 --count $nflood --batch 100 --out "$TMPD/flood.json"
flood_pid=${BG_PIDS[-1]}
rounds=0 rounds_bad=0 polls=0 over=0 hi=0
start=$SECONDS
while kill -0 "$flood_pid" 2>/dev/null && [ $((SECONDS - start)) -lt 300 ]; do
	if hold "" round same; then
		rounds=$((rounds + 1))
	else
		rounds_bad=$((rounds_bad + 1))
		log_info "round during the flood: $HOLD_LINE"
	fi
	read -r e l < <(mctl -j conn stats | json_get 'd["conn"]["entries"], d["conn"]["limit"]')
	polls=$((polls + 1))
	[ "${e:-0}" -gt "$hi" ] && hi=$e
	[ "${e:-0}" -le "${l:-0}" ] || over=$((over + 1))
done
wait "$flood_pid" || die "the flooder failed"
[ -s "$TMPD/flood.json" ] || die "no flood report"
log_info "flood: $(json_get '"%d SYNs in %s s, %d polls, max entries seen %d" % (d["sent"], d["seconds"], d["polls"], d["max_entries_seen"])' <"$TMPD/flood.json")"
check "held connections answered from their backend in every round during the flood ($rounds rounds)" \
	test $rounds -gt 0 -a $rounds_bad = 0
check "entries never exceeded the limit: $polls polls here (highest $hi)" test $over = 0 -a $polls -gt 0
check "... nor in the flooder's polls" json_get \
	'"ok" if not d["over_limit"] and d["max_entries_seen"] <= d["after"]["limit"] else exit(1)' <"$TMPD/flood.json"

# Counters: every flood SYN missed, and was inserted or found the table full.
python3 - "$TMPD/flood.json" >"$TMPD/acct" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
b, a = d["before"], d["after"]
dl = {k: a[k] - b[k] for k in a}
print(f"INFO: sent {d['sent']}; deltas: " + ", ".join(f"{k} {dl[k]}" for k in
      ("misses", "inserts", "full", "evictions", "expiries", "nomem", "hits", "entries")))
def chk(ok, msg):
    print(("PASS: " if ok else "FAIL: ") + msg)
chk(a["entries"] == a["limit"], f"the flood filled the table: entries {a['entries']} = limit {a['limit']}")
chk(dl["full"] + dl["evictions"] > 0,
    f"the flood hit the bound: full {dl['full']}, evictions of half-open entries {dl['evictions']}")
chk(d["sent"] * 9 // 10 <= dl["misses"] <= d["sent"],
    f"misses {dl['misses']}: the {d['sent']} SYNs reached the table "
    f"({d['sent'] - dl['misses']} lost on the way)")
chk(dl["misses"] == dl["inserts"] + dl["full"] + dl["nomem"],
    f"every miss was inserted or refused: {dl['misses']} = {dl['inserts']} inserts + "
    f"{dl['full']} full + {dl['nomem']} nomem")
chk(dl["inserts"] == dl["entries"] + dl["evictions"] + dl["expiries"],
    f"inserts {dl['inserts']} = new entries {dl['entries']} + evictions {dl['evictions']} + "
    f"expiries {dl['expiries']}")
EOF
cat "$TMPD/acct"
grep -q '^FAIL' "$TMPD/acct" && RET=$ksft_fail

hold "after the flood: every held connection keeps its backend" round same
hold "... and its established entry" entries same
hold "... and lookup follows it" lookup same
n=$(mctl -j conn list | json_get 'len(d)')
check "conn list shows at most conn-max entries ($n)" test "$n" -le $max
check_flows "100 new connections still succeed, as the table says" tcp $VIP4 80 48000-48099 \
	--expect-all b1,b2,b3
syn=$(mctl -j conn list tcp $fsvc | json_get 'sum(1 for c in d if c["state"] == "tcp-syn")')
log_info "half-open entries left by the flood: $syn"
hold "held connections after everything: unchanged" round same
hold "client done" quit
exit $RET
