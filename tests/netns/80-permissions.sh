#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Without CAP_NET_ADMIN every change is refused with EPERM; reading works.
#
#   F (maglev), no traffic; service tcp 10.0.0.100:80 with two backends
#   as nobody (setpriv, no capabilities) and as root without
#   cap_net_admin (capsh): each change exits 4 (permission denied) with
#   "Operation not permitted"; show, stats, lookup, table, config, save work
source "$(dirname "$0")/lib.sh"

require_tools setpriv capsh cmp
maglev_load
setup_ns NS_F
tmpdir

mctl config set seed 7 || die "config set"
mctl service add tcp $VIP4:80 table-size 13 || die "service add"
mctl backend add tcp $VIP4:80 10.0.2.11 || die "backend add"
mctl backend add tcp $VIP4:80 10.0.2.12 || die "backend add"
mctl save >"$TMPD/before" || die "save"
chmod 0644 "$TMPD/before"
chmod 0755 "$TMPD"

nobody() { in_ns "$NS_F" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
nocap() { in_ns "$NS_F" capsh --drop=cap_net_admin -- -c '"$@"' capsh "$@"; }

# eperm RUNNER ARGS...: maglevctl ARGS run by RUNNER exits 4, says EPERM.
eperm() {
	local runner=$1 out rc
	shift
	out=$("$runner" "$MAGLEVCTL" "$@" 2>&1 </dev/null)
	rc=$?
	if [ $rc -ne 4 ] || ! grep -qi 'not permitted' <<<"$out"; then
		echo "exit status $rc (want 4), output: $out"
		return 1
	fi
}

changes=(
	"service add tcp $VIP4:81"
	"service set tcp $VIP4:80 table-size 7"
	"service del tcp $VIP4:80"
	"backend add tcp $VIP4:80 10.0.2.13"
	"backend set tcp $VIP4:80 10.0.2.11 weight 9"
	"backend set tcp $VIP4:80 10.0.2.11 state down"
	"backend del tcp $VIP4:80 10.0.2.11"
	"config set seed 8"
	"stats zero"
	"flush"
)
for runner in nobody nocap; do
	for cmd in "${changes[@]}"; do
		# shellcheck disable=SC2086 # one word per argument
		check "$runner: $cmd → EPERM" eperm $runner $cmd
	done
done
check "nobody: restore → EPERM" eperm nobody restore "$TMPD/before"

reads=(
	"show"
	"-s show"
	"stats"
	"lookup tcp 10.0.1.2:4242 $VIP4:80"
	"table tcp $VIP4:80"
	"config show"
	"save"
)
for cmd in "${reads[@]}"; do
	# shellcheck disable=SC2086 # one word per argument
	check "nobody: $cmd works" nobody "$MAGLEVCTL" $cmd
done

mctl save >"$TMPD/after" || die "save"
check "nothing changed" cmp "$TMPD/before" "$TMPD/after"
exit $RET
