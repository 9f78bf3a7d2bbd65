#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Invalid requests fail (non-zero exit) with the kernel's own message, and change nothing.
#
#   F (maglev), no traffic
#   service tcp 10.0.0.100:80 with backend 10.0.2.11, then requests that
#   the kernel must refuse; maglevctl exits 1 ("the kernel refused", not 2,
#   its own parse error) and prints the kernel's extended ack message,
#   after the word the kernel pointed at
source "$(dirname "$0")/lib.sh"

require_tools
maglev_load
setup_ns NS_F
tmpdir

mctl service add tcp $VIP4:80 table-size 251 || die "service add"
mctl backend add tcp $VIP4:80 10.0.2.11 weight 5 || die "backend add"
mctl save >"$TMPD/before" || die "save"

# refused PATTERN MAGLEVCTL-ARGS...: maglevctl exits 1 (the kernel refused;
# it leaves ranges to the kernel) and prints a message matching PATTERN
# (grep -Ei): the kernel's, with maglevctl dropping its "maglev: " prefix.
refused() {
	local pat=$1 out rc
	shift
	out=$(mctl "$@" 2>&1)
	rc=$?
	if [ $rc -ne 1 ]; then
		echo "exit status $rc, want 1 (the kernel refused): $out"
		return 1
	fi
	if ! grep -Eqi "$pat" <<<"$out"; then
		echo "message does not match /$pat/: $out"
		return 1
	fi
	echo "$out"
}

CHECK_SHOW=1
check "table-size 100 (not a prime): refused, message says prime" \
	refused 'prime' service add tcp $VIP4:81 table-size 100
check "table-size 5 (below the minimum): refused" \
	refused 'prime|size' service add tcp $VIP4:82 table-size 5
check "table-size 1048583 (prime above the maximum): refused" \
	refused 'prime|size' service add tcp $VIP4:83 table-size 1048583
check "service set table-size 65536: refused" \
	refused 'prime' service set tcp $VIP4:80 table-size 65536
check "config set table-size 1000: refused" \
	refused 'prime' config set table-size 1000
check "weight 70000: refused, message names the weight" \
	refused 'weight.*(range|large|max)' backend add tcp $VIP4:80 10.0.2.12 weight 70000
check "backend set weight 65536: refused" \
	refused 'weight.*(range|large|max)' backend set tcp $VIP4:80 10.0.2.11 weight 65536
check "unknown backend del: no such backend" \
	refused '10.0.2.99.*no such backend' backend del tcp $VIP4:80 10.0.2.99
check "unknown backend set: no such backend" \
	refused 'no such backend' backend set tcp $VIP4:80 10.0.2.99 weight 1
check "backend add to an unknown service: no such service" \
	refused 'no such service' backend add tcp $VIP4:8080 10.0.2.12
check "service del of an unknown service: no such service" \
	refused 'no such service' service del udp $VIP4:80
check "duplicate service add: exists" \
	refused 'exist' service add tcp $VIP4:80
check "duplicate backend add: exists" \
	refused 'exist' backend add tcp $VIP4:80 10.0.2.11
CHECK_SHOW=0

mctl save >"$TMPD/after" || die "save"
check "nothing changed" cmp "$TMPD/before" "$TMPD/after"
check "weight 65535 (the maximum) accepted" mctl backend set tcp $VIP4:80 10.0.2.11 weight 65535
check "table-size 1048573 (the maximum) accepted" mctl service add tcp $VIP4:84 table-size 1048573
exit $RET
