#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every command needs CAP_NET_ADMIN over the namespace's user namespace:
# reads too; root of a new user namespace may configure its own network
# namespace, and only that one.
#
#   F (maglev), no traffic; service tcp 10.0.0.100:80 with two backends
#   as nobody (setpriv, no capabilities): every command, changes and reads
#     (show, stats, lookup, table, config show, save, conn list), exits 4
#     with "not permitted"; monitor fails (cannot join the group)
#   as root without cap_net_admin (capsh): likewise for every change,
#     show, conn list, config show and monitor
#   U: `unshare -Urn` (a new user and network namespace, root inside it):
#     service add, backend add and show work there; F never sees them
#   F's configuration (save) is the same at the end as at the start
#
# Regression: reads had no permission flag (any user of the namespace
# could dump the services, backends, connection table and lookups) and
# the multicast group none either; changes used GENL_ADMIN_PERM, which
# checks CAP_NET_ADMIN in the initial user namespace, so root of a
# container's own user namespace could not configure its namespace.
source "$(dirname "$0")/lib.sh"

require_tools setpriv capsh cmp unshare timeout
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

# no_monitor RUNNER: maglevctl monitor run by RUNNER gives up by itself.
no_monitor() {
	local out rc
	out=$("$1" timeout 10 "$MAGLEVCTL" monitor 2>&1 </dev/null)
	rc=$?
	echo "exit status $rc: $out"
	[ $rc -ne 0 ] && [ $rc -ne 124 ]
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
	"conn flush"
)
reads=(
	"show"
	"-s show"
	"stats"
	"lookup tcp 10.0.1.2:4242 $VIP4:80"
	"table tcp $VIP4:80"
	"config show"
	"save"
	"conn list"
)
for cmd in "${changes[@]}" "${reads[@]}"; do
	# shellcheck disable=SC2086 # one word per argument
	check "nobody: $cmd → EPERM" eperm nobody $cmd
done
CHECK_SHOW=1 check "nobody: monitor fails" no_monitor nobody
# Without cap_net_admin: every change, a sample of the reads.
for cmd in "${changes[@]}" "show" "conn list" "config show"; do
	# shellcheck disable=SC2086 # one word per argument
	check "nocap: $cmd → EPERM" eperm nocap $cmd
done
CHECK_SHOW=1 check "nocap: monitor fails" no_monitor nocap
check "nobody: restore → EPERM" eperm nobody restore "$TMPD/before"

# Root of a new user namespace, in its own new network namespace.
# shellcheck disable=SC2016 # expanded by the inner shell
out=$(unshare -Urn bash -c '
	m=$1
	"$m" service add tcp 10.9.9.9:80 table-size 7 &&
	"$m" backend add tcp 10.9.9.9:80 10.0.2.99 weight 2 &&
	"$m" -j show' unshare "$MAGLEVCTL" 2>&1)
rc=$?
shown=$(json_get '" ".join("%s:%s %s" % (s["vip"], s["port"],
	",".join(b["addr"] for b in s["backends"])) for s in d)' <<<"$out" 2>/dev/null)
check "unshare -Urn: root of the new user namespace adds and shows a service (${shown:-$out})" \
	test $rc = 0 -a "$shown" = "10.9.9.9:80 10.0.2.99"
has_it() { "$@" "$MAGLEVCTL" show 2>&1 | grep -q 10.9.9.9; }
check_fail "... which F does not have" has_it in_ns "$NS_F"
check_fail "... nor the initial namespace" has_it env

mctl save >"$TMPD/after" || die "save"
check "F's configuration unchanged" cmp "$TMPD/before" "$TMPD/after"
exit $RET
