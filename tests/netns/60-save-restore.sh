#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `maglevctl save`, flush, `restore` reproduce the same tables and config.
#
#   F (maglev), no traffic; then F2 (maglev), a fresh namespace
#   services: tcp 10.0.0.100:80 (1021, hash src, 4-in-4 and 4-in-6,
#   weights, one down), udp [fd00:100::100]:53 (gre-key 42, hash no-sport),
#   tcp 10.0.0.101:0 (every port, default size, hash src-dst)
#   save → S1, tables → T1; flush; restore < S1 → T2 = T1, save = S1;
#   restore S1 in F2 → its tables = T1
source "$(dirname "$0")/lib.sh"

require_tools cmp
maglev_load
setup_ns NS_F NS_F2
tmpdir

{
	echo "config set seed 42"
	echo "service add tcp $VIP4:80 table-size 1021 hash src"
	echo "backend add tcp $VIP4:80 10.0.2.11 weight 3"
	echo "backend add tcp $VIP4:80 10.0.2.12"
	echo "backend add tcp $VIP4:80 fd00:2::13 weight 2"
	echo "backend add tcp $VIP4:80 10.0.2.14 state down"
	echo "service add udp [$VIP6]:53 gre-key 42 hash no-sport table-size 251"
	echo "backend add udp [$VIP6]:53 fd00:2::11"
	echo "backend add udp [$VIP6]:53 10.0.2.12 weight 5"
	echo "service add tcp 10.0.0.101:0 hash src-dst"
	echo "backend add tcp 10.0.0.101:0 10.0.2.11"
	echo "backend add tcp 10.0.0.101:0 10.0.2.13 weight 0"
} >"$TMPD/cmds"
while read -r -a cmd; do
	mctl "${cmd[@]}" </dev/null || die "maglevctl ${cmd[*]}"
done <"$TMPD/cmds"

# tables NS: every service's table and the config, to stdout.
tables() {
	in_ns "$1" "$MAGLEVCTL" table tcp $VIP4:80 &&
		in_ns "$1" "$MAGLEVCTL" table udp "[$VIP6]:53" &&
		in_ns "$1" "$MAGLEVCTL" table tcp 10.0.0.101:0 &&
		in_ns "$1" "$MAGLEVCTL" config show
}

mctl save >"$TMPD/save1" || die "save"
tables "$NS_F" >"$TMPD/t1" || die "tables"
check "save lists 3 services and 8 backends" \
	test "$(grep -c '^service add' "$TMPD/save1") $(grep -c '^backend add' "$TMPD/save1")" = "3 8"

mctl flush || die "flush"
check "flush leaves no service" test "$(mctl -j show | json_get 'len(d)')" = 0
mctl restore <"$TMPD/save1" || die "restore"
tables "$NS_F" >"$TMPD/t2" || die "tables after restore"
mctl save >"$TMPD/save2" || die "save after restore"
check "restore after flush: tables identical byte for byte" cmp "$TMPD/t1" "$TMPD/t2"
check "restore after flush: save output identical" cmp "$TMPD/save1" "$TMPD/save2"

in_ns "$NS_F2" "$MAGLEVCTL" restore "$TMPD/save1" || die "restore in F2"
tables "$NS_F2" >"$TMPD/t3" || die "tables in F2"
in_ns "$NS_F2" "$MAGLEVCTL" save >"$TMPD/save3" || die "save in F2"
check "restore in a fresh namespace: tables identical" cmp "$TMPD/t1" "$TMPD/t3"
check "restore in a fresh namespace: save output identical" cmp "$TMPD/save1" "$TMPD/save3"

# restore --flush over a changed configuration puts it back.
mctl backend set tcp $VIP4:80 10.0.2.11 weight 1 || die "backend set"
mctl backend del udp "[$VIP6]:53" fd00:2::11 || die "backend del"
mctl service add tcp 10.0.0.102:443 || die "service add"
mctl restore --flush <"$TMPD/save1" || die "restore --flush"
tables "$NS_F" >"$TMPD/t4" || die "tables"
mctl save >"$TMPD/save4" || die "save"
check "restore --flush over a changed config: tables identical" cmp "$TMPD/t1" "$TMPD/t4"
check "restore --flush over a changed config: save output identical" cmp "$TMPD/save1" "$TMPD/save4"
exit $RET
