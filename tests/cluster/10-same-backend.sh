#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The same 5-tuple gets the same backend whichever forwarder the router
# picks: the three forwarders read one maglevd.conf (same seed, services,
# backends), so their kernel lookups agree for 1000 flows, and real
# connections through R's ECMP route land on the backend the lookups name.
#
#   C 10.0.1.2 ── R ══ECMP══ F1 F2 F3 (maglev, maglevd, BIRD) ──GRE via R── B1 B2 B3
#                 (BIRD bgp+bfd, merge paths, L4 hash)
#   (full drawing: tests/cluster/lib.sh)
source "$(dirname "$0")/lib.sh"

cluster_up
sports=20000-20999
for ((i = 1; i <= NF; i++)); do
	python3 "$PEER" lookups --ns "${NS_FW[i]}" tcp $C4 $VIP4 80 $sports >"$TMPD/l$i" ||
		die "kernel lookups in F$i"
done
check "F1 and F2 name the same backend for 1000 flows" cmp "$TMPD/l1" "$TMPD/l2"
check "F1 and F3 name the same backend for 1000 flows" cmp "$TMPD/l1" "$TMPD/l3"
log_info "backends of the 1000 flows: $(awk '{print $3}' "$TMPD/l1" | sort | uniq -c | xargs)"

# maglevctl lookup, in each forwarder's namespace, on a sample.
same_ctl() {
	local sp want i got
	for sp in 20000 20499 20999; do
		want=$(awk -v s="$sp" '$1 == s {print $3}' "$TMPD/l1")
		for ((i = 1; i <= NF; i++)); do
			got=$(fctl "$i" -j lookup tcp "$C4:$sp" "$VIP4:80" |
				json_get 'd["backend"]["addr"]') || return 1
			[ "$got" = "$want" ] || { echo "sport $sp: F$i says $got, F1's kernel lookup $want"; return 1; }
		done
	done
}
check "maglevctl lookup agrees in F1, F2 and F3 (3 flows each)" same_ctl

# Real connections through R: each reaches the backend F1 names, whichever
# forwarder carried it; and R spread them over the three.
before=()
for ((i = 1; i <= NF; i++)); do before[i]=$(fwd_packets "$i"); done
for proto in tcp udp; do
	CHECK_SHOW=1 check "$proto: 300 flows through R land on the backend the lookups name" \
		python3 "$PEER" flows --client-ns "$NS_C" --fwd-ns "${NS_FW[1]}" \
		--maglevctl "$MAGLEVCTL" --sample 5 --map "$(be_map 4)" \
		--expect-all "$(be_names)" "$proto" $C4 $VIP4 80 21000-21299
done
spread=
for ((i = 1; i <= NF; i++)); do
	n=$(($(fwd_packets "$i") - before[i]))
	spread+=" F$i:$n"
	check "F$i forwarded some of them ($n packets)" test "$n" -gt 0
done
log_info "packets per forwarder:$spread"
exit $RET
