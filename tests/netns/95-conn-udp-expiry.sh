#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection table, UDP: entries pin flows while they live, expire after
# timeout-udp, and then the flows follow the current table.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#     sports 50000-50059: one request     ├── B2 10.0.2.12  "b2"
#     sports 51000-51023: a request       ├── B3 10.0.2.13  "b3"
#       every 0.4 s (steady)              └── B4 10.0.2.14  "b4"  added later
#     → 10.0.0.100:80
#   service udp 10.0.0.100:80 (1021 slots), b1-b3; timeout udp 2;
#   b4 added while the steady flows run and after the others expired
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
topo_setup 4
tmpdir

usvc=$VIP4:80
mctl config set timeout udp 2 || die "config set timeout-udp"
t=$(mctl -j config show | json_get 'd["timeouts"]["udp"]')
check "config show: timeout udp 2 ($t)" test "$t" = 2
mctl service add udp $usvc table-size 1021 || die "service add"
for i in 1 2 3; do
	mctl backend add udp $usvc "${BE4[i]}" || die "backend add ${BE4[i]}"
done

# udp_entries [PRED]: the service's entries (those for which python PRED on
# the entry c holds).
udp_entries() {
	mctl -j conn list udp $usvc | json_get "sum(1 for c in d if ${1:-True})"
}
no_udp_entries() { [ "$(udp_entries "$@")" = 0 ]; }

# answered_ge N: the steady flows got at least N answers.
answered_ge() { [ "$(grep -c ' b[0-9]$' "$TMPD/steady" 2>/dev/null)" -ge "$1" ]; }
# lines_ge N: the steady flows sent at least N requests.
lines_ge() { [ "$(wc -l <"$TMPD/steady")" -ge "$1" ]; }

check_flows "60 UDP flows reach the backend lookup names" \
	udp $VIP4 80 50000-50059 --expect-all b1,b2,b3 --out "$TMPD/before"

# Steady flows keep their entries alive; the others expire.
bg python3 "$NETNS_DIR/conn_peer.py" udp --client-ns "$NS_C" --interval 0.4 \
	--duration 300 --out "$TMPD/steady" $C4 $VIP4 80 51000-51023
steady_pid=${BG_PIDS[-1]}
busywait 20000 answered_ge 48 ||
	die "the steady flows got no answers"
n=$(udp_entries 'c["state"] == "udp" and c["expires_ms"] <= 2000 and c["sport"] >= 51000')
check "the 24 steady flows have udp entries expiring within 2 s ($n)" test "$n" = 24
check "the 60 one-shot flows' entries expire within timeout-udp: conn list shows none" \
	busywait 20000 no_udp_entries 'c["sport"] < 51000'

mctl backend add udp $usvc "${BE4[4]}" || die "backend add b4"
mark=$(wc -l <"$TMPD/steady")
# Several timeouts' worth of requests after the change.
busywait 30000 lines_ge $((mark + 24 * 15)) ||
	die "the steady flows stalled"
check "b4 added: every steady flow kept its backend through $(( ($(wc -l <"$TMPD/steady") - mark) / 24 )) requests" \
	python3 - "$TMPD/steady" "$mark" <<'EOF'
import sys
seen, after, late = {}, {}, 0
for i, line in enumerate(open(sys.argv[1])):
    t, sp, who = line.split()
    if who == "-":  # lost or later than the interval (a loaded host)
        late += 1
        continue
    seen.setdefault(sp, []).append(who)
    if i >= int(sys.argv[2]):
        after[sp] = after.get(sp, 0) + 1
bad = [f"  {sp}: {' '.join(w)}" for sp, w in seen.items() if len(set(w)) != 1]
bad += [f"  {sp}: no answer after the change" for sp in seen if not after.get(sp)]
print("\n".join(bad[:5] + [f"  {late} requests unanswered within 0.4 s"]))
sys.exit(1 if bad or len(seen) != 24 else 0)
EOF
elsewhere=$(python3 - "$NS_F" "$MAGLEVCTL" "$PEER" $C4 $VIP4 <<'EOF'
import json, subprocess, sys
ns, ctl, peer, src, dst = sys.argv[1:]
run = lambda *a: subprocess.run(["nsenter", f"--net=/run/netns/{ns}", *a],
                                capture_output=True, text=True, check=True).stdout
slots = json.loads(run(ctl, "-j", "table", "udp", f"{dst}:80"))["slots"]
n = 0
for line in run("python3", peer, "lookups", "--ns", ns, "udp", src, dst, "80",
                "51000-51023").splitlines():
    sp, reason, be, slot = line.split()
    n += reason == "conn" and slots[int(slot)] != be
print(n)
EOF
)
log_info "the new table would send $elsewhere of the 24 steady flows elsewhere; their entries keep them"

kill "$steady_pid" 2>/dev/null
wait "$steady_pid" 2>/dev/null
check "steady flows stopped: their entries expire too" busywait 20000 no_udp_entries
# The expiry work sweeps the whole table every 8 s or so.
swept() { mctl -j stats | json_get '"ok" if d["conn"]["entries"] == 0 and d["conn"]["expiries"] >= 84 else exit(1)'; }
check "the expiry work removes them: conn stats entries 0, expiries >= 84" busywait 30000 swept
check_flows "after expiry every flow follows the new table (lookup: table), b4 included" \
	udp $VIP4 80 50000-50059,51000-51023 --expect-all b1,b2,b3,b4 --out "$TMPD/after"
moved=$(join <(sort "$TMPD/before") <(sort "$TMPD/after") | awk '$2 != $3' | wc -l)
check "$moved of the 60 one-shot flows changed backend with the table" test "$moved" -gt 0
cs=$(mctl -j conn stats | json_get 'd["conn"]')
log_info "connection table: $cs"
exit $RET
