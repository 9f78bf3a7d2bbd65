#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A new seed takes effect all at once: every packet is forwarded by the
# old seed's tables or by the new seed's, never by a mix of the two.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11  "b1"
#     200 UDP flows, sports 20000-20199,  ├── B2 10.0.2.12  "b2"
#     flow i → VIP:(1000 + i % 4), sent   └── B3 10.0.2.13  "b3"
#     in rounds; the backend answering    (UDP servers on 1000-1003)
#     each names itself
#   F: seed S1, conn-max 0 (no connection entries: every packet is
#   forwarded by the table), 4 services udp 10.0.0.100:1000-1003,
#   table-size 1048573 (the largest: a rebuild takes seconds under TCG),
#   backends b1-b3
#   F2 (no traffic): the same services and backends, seed S2
#   the answers of S1 (lookups in F) and S2 (lookups in F2) are computed
#   first; then `config set seed S2` in F while the rounds run: every
#   answer must be the flow's S1 or S2 backend
#
# Regression: maglev_ns_conf_set() published the new seed first and then
# rebuilt the tables one by one (seconds under TCG); meanwhile packets
# were hashed with the new seed into tables built with the old one and
# went to backends neither seed chooses. The flows' lookups (netlink)
# cannot show it: they take the config mutex that config set holds.
source "$(dirname "$0")/lib.sh"

require_tools cmp
maglev_load
PORTS=1000-1003
topo_setup 3
setup_ns NS_F2
tmpdir

S1=0123456789abcdef0123456789abcdef
S2=fedcba9876543210fedcba9876543210
nsvc=4
nflows=200
flowargs=(--src "$C4" --dst "$VIP4" --nflows "$nflows" --port 1000 --nports "$nsvc" --sport 20000)

# conf SEED: the whole configuration, for restore.
conf() {
	local s i
	echo "config set seed $1 conn-max 0"
	for ((s = 0; s < nsvc; s++)); do
		echo "service add udp $VIP4:$((1000 + s)) table-size 1048573"
		for ((i = 1; i <= NB; i++)); do
			echo "backend add udp $VIP4:$((1000 + s)) ${BE4[i]}"
		done
	done
}
conf $S1 >"$TMPD/s1.conf"
conf $S2 >"$TMPD/s2.conf"
mctl restore "$TMPD/s1.conf" &
in_ns "$NS_F2" "$MAGLEVCTL" restore "$TMPD/s2.conf" || die "restore in F2"
wait $! || die "restore in F"
lim=$(mctl -j conn stats | json_get 'd["conn"]["limit"]')
[ "$lim" = 0 ] || die "conn-max 0 not taken ($lim): flows would stick to their entries"

python3 "$NETNS_DIR/raw_peer.py" lookups --ns "$NS_F" "${flowargs[@]}" >"$TMPD/ans1" &&
	python3 "$NETNS_DIR/raw_peer.py" lookups --ns "$NS_F2" "${flowargs[@]}" >"$TMPD/ans2" ||
	die "lookups"
ndiff=$(paste "$TMPD/ans1" "$TMPD/ans2" | awk '$3 != $6' | wc -l)
check "S1 and S2 send $ndiff of $nflows flows to different backends" test "$ndiff" -gt $((nflows / 4))
check "every flow has a backend under both seeds" \
	bash -c "! grep -q -- ' -(' '$TMPD/ans1' '$TMPD/ans2'"

rm -f "$TMPD/stop"
bg python3 "$NETNS_DIR/raw_peer.py" probe --client-ns "$NS_C" "${flowargs[@]}" \
	--out "$TMPD/rounds" --stop "$TMPD/stop"
probe_pid=${BG_PIDS[-1]}
rounds() { [ "$(wc -l <"$TMPD/rounds" 2>/dev/null || echo 0)" -ge "$1" ]; }
busywait 60000 rounds 3 || die "the probe rounds do not run"
t0=$(date +%s.%N)
mctl config set seed $S2 || die "config set seed"
t1=$(date +%s.%N)
n=$(wc -l <"$TMPD/rounds")
busywait 60000 rounds $((n + 3)) || die "the probe rounds stopped"
touch "$TMPD/stop"
wait "$probe_pid"

python3 - "$TMPD/ans1" "$TMPD/ans2" "$TMPD/rounds" "$t0" "$t1" "$(be_map 4)" >"$TMPD/verdict" <<'EOF'
import json, sys
a1, a2, rounds, t0, t1, bmap = sys.argv[1:]
t0, t1 = float(t0), float(t1)
names = dict(x.split("=") for x in bmap.split(","))
s1 = [names.get(l.split()[2], l.split()[2]) for l in open(a1)]
s2 = [names.get(l.split()[2], l.split()[2]) for l in open(a2)]
during = mixed = lost = during_rounds = 0
bad = []
for line in open(rounds):
    r = json.loads(line)
    phase = "before" if r["t1"] < t0 else "after" if r["t0"] > t1 else "during"
    during_rounds += phase == "during"
    for i, a in enumerate(r["ans"]):
        if a == "-":
            lost += 1
            continue
        ok = {"before": a == s1[i], "after": a == s2[i]}.get(phase, a in (s1[i], s2[i]))
        if not ok:
            mixed += 1
            if len(bad) < 8:
                bad.append(f"    round {r['round']} ({phase}) flow {i}: answered by {a}, "
                           f"S1 says {s1[i]}, S2 says {s2[i]}")
        if phase == "during":
            during += 1
print(f"INFO: config set took {t1 - t0:.2f} s; {during_rounds} rounds overlapped it "
      f"({during} answers in them), {lost} datagrams unanswered")
print(("PASS" if during >= len(s1) else "FAIL") +
      f": probes were answered during the change ({during}, want {len(s1)} or more)")
print(("PASS" if not mixed else "FAIL") +
      f": every answer is the flow's S1 backend (before), S2 backend (after) or either (during): "
      f"{mixed} other answers")
if bad:
    print("\n".join(bad))
EOF
cat "$TMPD/verdict"
grep -q '^FAIL' "$TMPD/verdict" && RET=$ksft_fail
python3 "$NETNS_DIR/raw_peer.py" lookups --ns "$NS_F" "${flowargs[@]}" >"$TMPD/ans1b" || die "lookups"
check "after the change F answers as F2 (seed S2) for every flow" cmp "$TMPD/ans1b" "$TMPD/ans2"
exit $RET
