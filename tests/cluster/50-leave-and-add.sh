#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A forwarder leaves while a backend is added: the residual the paper
# expects. A connection breaks only if R now sends it to another forwarder
# (which has no entry for it) AND the new table (with b4) names another
# backend than its own. Predicted per flow (R's `ip route get` with the
# ports before and after, the new table's lookup in a scratch namespace)
# and compared with the connections that actually broke.
#
#   C 10.0.1.2 ── R ══ECMP══ F1 F2 F3 ──GRE via R── B1 B2 B3, B4 (added)
#   300 connections to 10.0.0.100:7000; then at once: b4 added to the
#   shared maglevd.conf (SIGHUP to F2's and F3's maglevd) and F1 leaves
#   (maglevd stopped, BIRD killed)
#   (full drawing: tests/cluster/lib.sh)
source "$(dirname "$0")/lib.sh"

export CONF_NB=3
cluster_up 4
sports=40000-40299
hold_start $sports

# fwd_of FILE: R's choice of forwarder for every flow, "sport nexthop".
fwd_of() {
	local sp
	for sp in $(seq 40000 40299); do
		echo "route get $VIP4 from $C4 iif rc ipproto tcp sport $sp dport $CONN_PORT"
	done | ip -n "$NS_R" -b - | grep -o 'via [0-9.]*' | cut -d' ' -f2 |
		paste -d' ' <(seq 40000 40299) - >"$1"
}
fwd_of "$TMPD/fwd0"
[ "$(wc -l <"$TMPD/fwd0")" = 300 ] || die "ip route get with ports in R"
# The old backend of every flow, from the forwarders' entries.
for ((i = 1; i <= NF; i++)); do fctl "$i" -j conn list; done |
	python3 -c '
import json, sys
dec, s, i = json.JSONDecoder(), sys.stdin.read().strip(), 0
while i < len(s):
    d, i = dec.raw_decode(s, i)
    while i < len(s) and s[i].isspace():
        i += 1
    for c in d:
        if c["dport"] == '"$CONN_PORT"':
            print(c["sport"], c["backend"])' | sort -u >"$TMPD/old"
[ "$(wc -l <"$TMPD/old")" = 300 ] || die "one entry per connection expected: $(wc -l <"$TMPD/old")"

CONF_NB=4 cluster_conf
t0=$(now_ms)
kill -HUP "${MPID[2]}" "${MPID[3]}"
maglevd_stop 1
bird_fw_kill 1
has4() {
	local i
	for ((i = 2; i <= NF; i++)); do
		fctl "$i" -j show tcp $VIP4:$CONN_PORT | grep -q "${BE4[4]}" || return 1
	done
}
busywait 30000 has4 >/dev/null || log_fail "b4 did not reach F2 and F3"
busywait 60000 routed_via 2 >/dev/null || log_fail "R still routes via F1"
log_info "b4 in F2 and F3 and F1 withdrawn $(($(now_ms) - t0)) ms after the change"
hold "" round same
measured=$(sed -E 's/.* ([0-9]+) reset\/closed.*/\1/' <<<"$HOLD_LINE")
moved=$(sed -E 's/.* ([0-9]+) moved.*/\1/' <<<"$HOLD_LINE")
log_info "the round: $HOLD_LINE"

fwd_of "$TMPD/fwd1"
setup_ns NS_X
fctl 2 save >"$TMPD/save" && in_ns "$NS_X" "$MAGLEVCTL" restore "$TMPD/save" ||
	die "copy of F2's config"
python3 "$PEER" lookups --ns "$NS_X" tcp $C4 $VIP4 $CONN_PORT $sports >"$TMPD/new" ||
	die "lookups"
read -r pred fwdchg tblchg < <(python3 - "$TMPD/fwd0" "$TMPD/fwd1" "$TMPD/old" "$TMPD/new" <<'PY'
import ipaddress, sys
def m(path, col):
    return {int(l.split()[0]): l.split()[col] for l in open(path) if l.strip()}
f0, f1, old, new = m(sys.argv[1], 1), m(sys.argv[2], 1), m(sys.argv[3], 1), m(sys.argv[4], 2)
n = lambda a: str(ipaddress.ip_address(a))
fch = {s for s in f0 if f0[s] != f1[s]}
tch = {s for s in old if n(old[s]) != n(new[s])}
print(len(fch & tch), len(fch), len(tch))
PY
)
log_info "flows R moved to another forwarder: $fwdchg of 300; whose backend the new table changes: $tblchg of 300"
log_info "theory: about 300 x (1/3 + 1/6) x 1/4 = 37 (hash-threshold moves half the flows when 1 of 3 nexthops goes; b4 takes a quarter of the table)"
# No connection may break that the model does not predict (a seed or
# table disagreement would break many more). Fewer may: one CI run here
# saw 41 broken of 46 predicted (equal in every other run); a flow whose
# packet reaches its new forwarder before b4 does gets an entry for its
# old backend and survives, and R's nexthop order may change between the
# round and the prediction's ip route get. Both counts are printed.
log_info "broken $measured, predicted $pred"
check "broken connections ($measured) <= predicted (forwarder changed AND backend changed: $pred)" \
	test "$measured" -le "$pred"
check "connections whose forwarder and backend both changed broke ($measured)" \
	test "$measured" -gt 0
check "no connection answered by another backend ($moved)" test "$moved" = 0
exit $RET
