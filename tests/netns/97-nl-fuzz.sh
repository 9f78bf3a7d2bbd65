#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed, random and unprivileged netlink requests neither hurt the
# kernel nor change the configuration (tests/fuzz/nlfuzz).
#
#   F (maglev), no traffic; config seed 7, ttl 32; services
#   tcp 10.0.0.100:80 (table-size 251; 10.0.2.11 w3, 10.0.2.12,
#   fd00:2::13 down) and udp [fd00:100::100]:53 (1021, gre-key 9;
#   fd00:2::11); save → S1
#   nlfuzz --mode invalid, N requests (MAGLEV_FUZZ_COUNT, 40000): every
#   broken change refused, with an extended ack message
#   nlfuzz --unpriv, N/4 as uid 65534 without capabilities: EPERM for
#   every request, no joining the "config" group; then save = S1
#   nlfuzz --mode random, N; then flush, service and backend add, show
#   work; rmmod maglev succeeds (the VM harness fails on any splat)
#   MAGLEV_FUZZ_SEED (1) and MAGLEV_FUZZ_ARGS (more nlfuzz options, e.g.
#   --no-extack) vary the runs
source "$(dirname "$0")/lib.sh"

NLFUZZ=${NLFUZZ:-$PROJ/tests/fuzz/nlfuzz}
COUNT=${MAGLEV_FUZZ_COUNT:-40000}
SEED=${MAGLEV_FUZZ_SEED:-1}
read -r -a EXTRA <<<"${MAGLEV_FUZZ_ARGS:-}"

require_tools cmp
[ -x "$NLFUZZ" ] || die "$NLFUZZ missing: run make -C tests/fuzz"
case "$COUNT" in '' | *[!0-9]*) die "MAGLEV_FUZZ_COUNT=$COUNT is not a number" ;; esac
maglev_load
setup_ns NS_F
tmpdir

{
	echo "config set seed 7 ttl 32"
	echo "service add tcp $VIP4:80 table-size 251"
	echo "backend add tcp $VIP4:80 10.0.2.11 weight 3"
	echo "backend add tcp $VIP4:80 10.0.2.12"
	echo "backend add tcp $VIP4:80 fd00:2::13 state down"
	echo "service add udp [$VIP6]:53 table-size 1021 gre-key 9"
	echo "backend add udp [$VIP6]:53 fd00:2::11"
} >"$TMPD/cmds"
while read -r -a cmd; do
	mctl "${cmd[@]}" </dev/null || die "maglevctl ${cmd[*]}"
done <"$TMPD/cmds"
mctl save >"$TMPD/save1" || die "save"

# fuzz DESC ARGS...: nlfuzz ARGS in F passes; its seed, summary and rate
# lines become INFO lines, its whole output is shown when it fails.
fuzz() {
	local desc=$1 out rc
	shift
	out=$(f "$NLFUZZ" --seed "$SEED" "${EXTRA[@]}" "$@" 2>&1 </dev/null)
	rc=$?
	while read -r line; do
		log_info "${line#nlfuzz: }"
	done < <(grep -E '^nlfuzz: mode ' <<<"$out")
	if [ $rc -eq 0 ]; then
		log_pass "$desc"
	else
		log_fail "$desc (nlfuzz exit $rc)"
		printf '%s\n' "$out" | head -n 200 | sed 's/^/    /'
	fi
}

fuzz "$COUNT invalid requests: every change refused with a message" \
	--mode invalid --count "$COUNT"
fuzz "$((COUNT / 4)) requests without CAP_NET_ADMIN: all EPERM, no config group" \
	--unpriv --count "$((COUNT / 4))"
mctl save >"$TMPD/save2" || die "save after the fuzzing"
check "configuration intact (save output identical)" cmp "$TMPD/save1" "$TMPD/save2"

fuzz "$COUNT random requests: the kernel survives" --mode random --count "$COUNT"

check "flush after the random requests" mctl flush
check "service add after the random requests" mctl service add tcp $VIP4:80 table-size 251
check "backend add after the random requests" mctl backend add tcp $VIP4:80 10.0.2.11
shows_backend() { mctl show | grep -F 10.0.2.11; }
CHECK_SHOW=1 check "show lists the new service and backend" shows_backend

if [ "$MAGLEV_LOADED_HERE" = 1 ]; then
	if check "rmmod maglev" rmmod maglev; then
		MAGLEV_LOADED_HERE=0
	fi
else
	log_info "maglev was loaded before this test: not unloading it"
fi
exit $RET
