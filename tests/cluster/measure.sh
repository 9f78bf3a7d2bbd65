#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Measurements for tests/cluster/report (not a scenario: the runner skips
# it). Builds the cluster of tests/cluster/lib.sh, holds 300 connections,
# then RUNS times (default 10): F3 hangs (every packet dropped) and comes
# back, printing per run "hang MS BROKEN MOVED" (the router's route change
# after the hang; connections broken and moved during the event) and
# "rejoin MS BROKEN MOVED". With CLUSTER_BFD=off only the BGP hold timer
# detects the hang. Then, unless NO_PROPAGATION=1, RUNS config changes (a
# backend's weight in the shared maglevd.conf, SIGHUP to every maglevd):
# "config MS", the time until the last maglevd logged the reload applied
# (checked in every kernel by maglevctl show).
source "$(dirname "$0")/lib.sh"

runs=${RUNS:-10}
require_cmd nft
cluster_up
hold_start 40000-40299

# counts: "BROKEN MOVED" from the last round's answer.
counts() {
	sed -E 's/.* ([0-9]+) moved, ([0-9]+) reset\/closed, ([0-9]+) unanswered.*/\2 \1/' <<<"$HOLD_LINE"
}
for ((k = 1; k <= runs; k++)); do
	t0=$(now_ms)
	silence 3
	hold "" round same
	c=$(counts)
	busywait 30000 routed_via 2 >/dev/null || log_fail "run $k: R still routes via F3"
	echo "hang $(route_change_ms "$t0" 2) $c"
	t0=$(now_ms)
	unsilence 3
	busywait 60000 routed_via 3 >/dev/null || log_fail "run $k: F3 did not come back"
	hold "" round same
	echo "rejoin $(route_change_ms "$t0" 3) $(counts)"
done

[ "${NO_PROPAGATION:-0}" = 1 ] && exit $RET
has_weight() {
	local i w
	for ((i = 1; i <= NF; i++)); do
		w=$(fctl "$i" -j show tcp $VIP4:80 | json_get \
			'[b["weight"] for b in (d[0] if isinstance(d, list) else d)["backends"] if b["addr"] == "'"${BE4[3]}"'"][0]')
		[ "$w" = "$1" ] || return 1
	done
}
for ((k = 1; k <= runs; k++)); do
	w=$((k % 2 + 2))
	sed -i "0,/backend ${BE4[3]}[^;]*;/s//backend ${BE4[3]} weight $w;/" "$TMPD/maglevd.conf"
	t0=$(now_ms)
	for ((i = 1; i <= NF; i++)); do kill -HUP "${MPID[i]}"; done
	if busywait 30000 has_weight $w >/dev/null; then
		# when the last maglevd logged its reload (-t: epoch seconds)
		last=0
		for ((i = 1; i <= NF; i++)); do
			t=$(grep reloaded "$TMPD/f$i/maglevd.log" | tail -n 1 |
				sed -E 's/.*\[([0-9]+)\.([0-9]+)\].*/\1\2/')
			[ "${t:-0}" -gt "$last" ] && last=$t
		done
		echo "config $((last - t0))"
	else
		log_fail "run $k: weight $w did not reach every forwarder"
	fi
done
exit $RET
