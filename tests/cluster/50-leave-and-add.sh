#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A forwarder leaves while a backend is added: the residual the paper
# expects. A connection breaks only if R now sends it to another forwarder
# (which has no entry for it) AND the new table (with b4) names another
# backend than its own. Predicted per flow and compared with the
# connections that actually broke: its forwarder before and after from
# the forwarders' entries (a flow's first packet on a new forwarder makes
# one there), its backend in the new table from a scratch namespace's
# lookups. (R's `ip route get` cannot tell: R hashes C's TCP packets by
# the hash C's sockets gave them, which veths keep, not by their ports.)
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
# entries FILE I...: "sport backend I" for every connection entry of the
# forwarders I.
entries() {
	local out=$1 i
	shift
	for i in "$@"; do
		fctl "$i" -j conn list | python3 -c '
import json, sys
dec, s, i = json.JSONDecoder(), sys.stdin.read().strip(), 0
while i < len(s):
    d, i = dec.raw_decode(s, i)
    while i < len(s) and s[i].isspace():
        i += 1
    for c in d:
        if c["dport"] == '"$CONN_PORT"':
            print(c["sport"], c["backend"], '"$i"')'
	done | sort -u >"$out"
}
# The old backend and forwarder of every flow.
entries "$TMPD/old" $(seq 1 $NF)
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
entries "$TMPD/after" $(seq 2 $NF)
setup_ns NS_X
fctl 2 save >"$TMPD/save" && in_ns "$NS_X" "$MAGLEVCTL" restore "$TMPD/save" ||
	die "copy of F2's config"
python3 "$PEER" lookups --ns "$NS_X" tcp $C4 $VIP4 $CONN_PORT $sports >"$TMPD/new" ||
	die "lookups"
read -r pred fwdchg tblchg < <(python3 - "$TMPD/old" "$TMPD/after" "$TMPD/new" <<'PY'
import ipaddress, sys
n = lambda a: str(ipaddress.ip_address(a))
old, oldf = {}, {}
for l in open(sys.argv[1]):
    sp, be, f = l.split()
    old[int(sp)], oldf[int(sp)] = n(be), f
# a flow moved if another forwarder than its own has an entry for it now
fch = set()
for l in open(sys.argv[2]):
    sp, be, f = l.split()
    if int(sp) in oldf and f != oldf[int(sp)]:
        fch.add(int(sp))
new = {int(l.split()[0]): n(l.split()[2]) for l in open(sys.argv[3]) if l.strip()}
tch = {s for s in old if old[s] != new[s]}
print(len(fch & tch), len(fch), len(tch))
PY
)
log_info "flows that moved to another forwarder: $fwdchg of 300 ($(paste -d' ' "$TMPD/fwd0" "$TMPD/fwd1" | awk '$2 != $4' | wc -l) by R's ip route get on the ports); whose backend the new table changes: $tblchg of 300"
log_info "theory: about 300 x (1/3 + 1/6) x 1/4 = 37 (hash-threshold moves half the flows when 1 of 3 nexthops goes; b4 takes a quarter of the table)"
check "broken connections ($measured) = predicted (forwarder changed AND backend changed: $pred)" \
	test "$measured" = "$pred"
check "no connection answered by another backend ($moved)" test "$moved" = 0
exit $RET
