#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two forwarders with the same seed and config agree on every flow; other seeds differ.
#
#   F1 (maglev)                       F2 (maglev)
#   config set seed S                 config set seed S
#   tcp 10.0.0.100:80  (65537 slots)  same services, backends added
#   udp [fd00:100::100]:53 (1021)     in the reverse order
#   backends 10.0.2.11-14, fd00:2::11-13, weights 1..4
#   no traffic: `maglevctl table` and lookups of 200 flows are compared
source "$(dirname "$0")/lib.sh"

require_tools cmp
maglev_load
setup_ns NS_F1 NS_F2
tmpdir

seed=0123456789abcdef0011223344556677
svc4=$VIP4:80
svc6=[$VIP6]:53
be4=(10.0.2.11 10.0.2.12 10.0.2.13 10.0.2.14)
be6=(fd00:2::11 fd00:2::12 fd00:2::13)

# configure NS ORDER: the services, backends in ORDER (fwd or rev).
configure() {
	local ns=$1 order=$2 i idx
	{
		echo "config set seed $seed"
		echo "service add tcp $svc4"
		echo "service add udp $svc6 table-size 1021 hash src-dst"
		for ((i = 0; i < ${#be4[@]}; i++)); do
			[ "$order" = fwd ] && idx=$i || idx=$((${#be4[@]} - 1 - i))
			echo "backend add tcp $svc4 ${be4[idx]} weight $((idx + 1))"
		done
		for ((i = 0; i < ${#be6[@]}; i++)); do
			[ "$order" = fwd ] && idx=$i || idx=$((${#be6[@]} - 1 - i))
			echo "backend add udp $svc6 ${be6[idx]} weight $((idx + 1))"
		done
	} >"$TMPD/conf-$order"
	in_ns "$ns" "$MAGLEVCTL" restore "$TMPD/conf-$order" || die "restore in $ns"
}

# dump NS TAG: tables and lookups of NS into $TMPD/TAG.*
dump() {
	local ns=$1 tag=$2
	in_ns "$ns" "$MAGLEVCTL" table tcp $svc4 >"$TMPD/$tag.t4" || die "table in $ns"
	in_ns "$ns" "$MAGLEVCTL" table udp "$svc6" >"$TMPD/$tag.t6" || die "table in $ns"
	python3 "$PEER" lookups --ns "$ns" tcp $C4 $VIP4 80 30000-30099 >"$TMPD/$tag.l4" &&
		python3 "$PEER" lookups --ns "$ns" udp $C6 $VIP6 53 30000-30099 >"$TMPD/$tag.l6" ||
		die "lookups in $ns"
	in_ns "$ns" "$MAGLEVCTL" lookup tcp $C4:4242 $svc4 >"$TMPD/$tag.m4" &&
		in_ns "$ns" "$MAGLEVCTL" lookup udp "[$C6]:4242" "$svc6" >"$TMPD/$tag.m6" ||
		die "maglevctl lookup in $ns"
}

configure "$NS_F1" fwd
configure "$NS_F2" rev
dump "$NS_F1" f1
dump "$NS_F2" f2

check "same seed: tcp table (65537 slots) identical byte for byte" cmp "$TMPD/f1.t4" "$TMPD/f2.t4"
check "same seed: udp table (1021 slots) identical byte for byte" cmp "$TMPD/f1.t6" "$TMPD/f2.t6"
check "same seed: kernel lookups of 200 flows agree" cmp "$TMPD/f1.l4" "$TMPD/f2.l4"
check "same seed: ... and of IPv6 flows" cmp "$TMPD/f1.l6" "$TMPD/f2.l6"
check "same seed: maglevctl lookup output identical" \
	bash -c "cmp '$TMPD/f1.m4' '$TMPD/f2.m4' && cmp '$TMPD/f1.m6' '$TMPD/f2.m6'"
check "every lookup chose a backend" \
	bash -c "! grep -v ' table ' '$TMPD/f1.l4' '$TMPD/f1.l6'"
shown=$(in_ns "$NS_F2" "$MAGLEVCTL" -j config show | json_get 'd["seed"]')
check "config show reports the seed" test "$shown" = "$seed"

in_ns "$NS_F2" "$MAGLEVCTL" config set seed fedcba98765432100011223344556677 || die "config set seed"
dump "$NS_F2" f2b
check_fail "other seed: tcp tables differ" cmp -s "$TMPD/f1.t4" "$TMPD/f2b.t4"
check_fail "other seed: udp tables differ" cmp -s "$TMPD/f1.t6" "$TMPD/f2b.t6"
ndiff=$(paste "$TMPD/f1.l4" "$TMPD/f2b.l4" | awk '$3 != $7' | wc -l)
check "other seed: lookups of some of 100 flows differ ($ndiff)" test "$ndiff" -gt 10
exit $RET
