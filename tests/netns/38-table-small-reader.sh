#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A lookup table dumped to a reader with a 4 KiB buffer per recvmsg()
# arrives whole: every slot exactly once, in order.
#
#   F (maglev), no traffic; services tcp 10.0.0.100:80 (table-size 65537)
#   and tcp 10.0.0.100:81 (table-size 251), backends 10.0.2.11, 10.0.2.12
#   (weight 2) and fd00:2::13 each
#   nlfuzz --table-small reads each TABLE_GET dump with a 4096-byte iov:
#   no reply truncated, TABLE_START covering 0..M-1 once each; the slots
#   equal `maglevctl table`'s
source "$(dirname "$0")/lib.sh"

NLFUZZ=${NLFUZZ:-$PROJ/tests/fuzz/nlfuzz}

require_tools cmp
[ -x "$NLFUZZ" ] || die "$NLFUZZ missing: run make -C tests/fuzz"
maglev_load
setup_ns NS_F
tmpdir

for svc in 80:65537 81:251; do
	port=${svc%:*}
	mctl service add tcp "$VIP4:$port" table-size "${svc#*:}" || die "service add :$port"
	mctl backend add tcp "$VIP4:$port" 10.0.2.11 || die "backend add"
	mctl backend add tcp "$VIP4:$port" 10.0.2.12 weight 2 || die "backend add"
	mctl backend add tcp "$VIP4:$port" fd00:2::13 || die "backend add"
done

for svc in 80:65537 81:251; do
	port=${svc%:*}
	if CHECK_SHOW=1 check "4 KiB reader gets all ${svc#*:} slots of tcp $VIP4:$port" \
		f "$NLFUZZ" --table-small --service tcp "$VIP4:$port" \
		--print-slots "$TMPD/small-$port"; then
		mctl table tcp "$VIP4:$port" | grep -v '^#' >"$TMPD/table-$port" ||
			die "maglevctl table"
		check "the slots read 4 KiB at a time equal maglevctl table's" \
			cmp "$TMPD/small-$port" "$TMPD/table-$port"
	fi
done
exit $RET
