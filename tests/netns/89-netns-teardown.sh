#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Forwarder namespaces deleted while traffic flows and their connection
# tables hold live entries, again and again; then rmmod must succeed and
# the kernel log must be clean.
#
#   C (one client namespace for the whole run)
#     cI ──veth── f0 Fi (maglev), i = 1..ITER, a new namespace each time
#     pktfuzz --flood on cI: UDP      f0 10.0.1.1/24  fd00:1::1/64
#     from 198.18.0.0/15 and          d0 (dummy) 10.0.2.1/24 fd00:2::1/64:
#     2001:db8:ff::/64, many ports,      the backends 10.0.2.11-12,
#     to 10.0.0.100:5001 and             fd00:2::11-12 are "on" it (the
#     [fd00:100::100]:5001               GRE packets end there)
#   services udp 10.0.0.100:5001 and [fd00:100::100]:5001 (2 backends each)
#   and tcp 10.0.0.100:80, conn-max 2048; once `maglevctl conn list` shows
#   entries (the flood fills the table within a second or two), Fi is
#   deleted with the flood still running (the flooder stops when cI goes
#   with Fi's veth).
#
# At the end (all namespaces gone): rmmod exits 0, and the kernel log has
# no "Slab cache still has objects", no BUG/WARNING/KASAN report (on the
# debug kernel kmemleak also looks for leaked entries). MAGLEV_LIFECYCLE_ITER
# sets the iterations (default 20, 5 on the debug kernel); each writes
# "maglev-test: 89-netns-teardown iteration N" to the kernel log.
source "$(dirname "$0")/lib.sh"

require_tools make cc dmesg
[ -d /sys/module/maglev ] && skip "maglev is already loaded: this scenario unloads it at the end"
maglev_load
setup_ns NS_C
tmpdir

# The debug kernel (kmemleak on) is ~5 times slower here, and an unpaced
# flood outruns its RCU callbacks, kmemleak and debug objects (which slows
# everything down, then the OOM killer runs): fewer iterations and a paced
# flood there. MAGLEV_LIFECYCLE_ITER and MAGLEV_FLOOD_PPS override them.
read -r cmdline </proc/cmdline
case " $cmdline " in
*" kmemleak=on "*) iter=${MAGLEV_LIFECYCLE_ITER:-5} rate=${MAGLEV_FLOOD_PPS:-200} ;;
*) iter=${MAGLEV_LIFECYCLE_ITER:-20} rate=${MAGLEV_FLOOD_PPS:-0} ;;
esac
vport=5001
FUZZ=${MAGLEV_PKTFUZZ:-$PROJ/tests/.out/pktfuzz}
[ -n "${MAGLEV_PKTFUZZ:-}" ] || make -s -f "$PROJ/tests/fuzz/pktfuzz.mk" PKTFUZZ_OUT="$PROJ/tests/.out" ||
	die "cannot build pktfuzz"

{
	# A small table (full after a second of flood) keeps conn list short.
	echo "config set conn-max 2048"
	for s in $VIP4:$vport "[$VIP6]:$vport"; do
		echo "service add udp $s table-size 251"
		case $s in
		\[*) echo "backend add udp $s fd00:2::11"; echo "backend add udp $s fd00:2::12" ;;
		*) echo "backend add udp $s 10.0.2.11"; echo "backend add udp $s 10.0.2.12" ;;
		esac
	done
	echo "service add tcp $VIP4:80 table-size 251"
	echo "backend add tcp $VIP4:80 10.0.2.11"
	echo "backend add tcp $VIP4:80 fd00:2::12"
} >"$TMPD/config"

marker="maglev-test: 89-netns-teardown start $$"
echo "$marker" >/dev/kmsg
# A sleep without a process: read -t from a FIFO nobody writes to.
mkfifo "$TMPD/nap" && exec {nap}<>"$TMPD/nap" || die "mkfifo"
fmac=02:00:00:00:0f:00

entries() {
	local out
	out=$(in_ns "$1" "$MAGLEVCTL" -j conn list) || return 1
	[[ $out == *'"state"'* ]]
}

fail_at= gone=0 lens=()
for ((i = 1; i <= iter; i++)); do
	echo "maglev-test: 89-netns-teardown iteration $i" >/dev/kmsg
	t0=$EPOCHREALTIME
	nsf=mlv-tf-$$-$i
	NS_LIST+=("$nsf")
	ip -b - <<-EOF || { fail_at="cannot create $nsf"; break; }
		netns add $nsf
		link add c$i netns $NS_C up type veth peer name f0 netns $nsf address $fmac
		link add d0 netns $nsf up type dummy
	EOF
	ip -n "$nsf" -b - <<-EOF || { fail_at="cannot configure $nsf"; break; }
		addr add 10.0.1.1/24 dev f0
		addr add fd00:1::1/64 dev f0 nodad
		addr add 10.0.2.1/24 dev d0
		addr add fd00:2::1/64 dev d0 nodad
		link set f0 up
	EOF
	in_ns "$nsf" "$MAGLEVCTL" restore "$TMPD/config" || { fail_at="restore in $nsf"; break; }
	bg exec nsenter --net="/run/netns/$NS_C" "$FUZZ" --iface c$i --dmac "$fmac" \
		--vip4 $VIP4 --vip6 $VIP6 --port $vport --flood 0 --rate "$rate" >"$TMPD/flood.out" 2>&1
	pid=${BG_PIDS[-1]}
	busywait 20000 entries "$nsf" >/dev/null || { fail_at="no connection entries in $nsf"; break; }
	kill -0 "$pid" 2>/dev/null || { fail_at="the flooder stopped early: $(cat "$TMPD/flood.out")"; break; }
	ip netns del "$nsf" || { fail_at="ip netns del $nsf"; break; }
	# The flooder stops by itself once the namespace's cleanup took cI.
	for ((w = 0; w < 600; w++)); do
		kill -0 "$pid" 2>/dev/null || break
		read -r -t 0.05 -u $nap
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail_at="c$i still exists 30 s after $nsf was deleted"
		break
	fi
	wait "$pid"
	unset 'BG_PIDS[-1]' 'NS_LIST[-1]'	# gone: nothing for cleanup()
	grep -q "interface gone" "$TMPD/flood.out" && gone=$((gone + 1))
	t1=$EPOCHREALTIME
	lens+=("$(((${t1//[.,]/} - ${t0//[.,]/}) / 1000))")
done
if [ -n "$fail_at" ]; then
	log_fail "iteration $i: $fail_at"
else
	log_pass "$iter forwarder namespaces with live entries deleted under traffic"
fi
check "the flooder was still sending when its interface went ($gone of ${#lens[@]} times)" \
	test "$gone" = ${#lens[@]}
[ ${#lens[@]} = 0 ] || log_info "iterations: $(printf '%s\n' "${lens[@]}" | sort -n | awk '
	{ v[NR] = $1 } END { printf "median %d ms, max %d ms", v[int((NR + 1) / 2)], v[NR] }')"

if check "rmmod maglev" rmmod maglev; then
	MAGLEV_LOADED_HERE=0
fi
dmesg | sed -n "/$marker/,\$p" >"$TMPD/dmesg"
bad_re='Slab cache still has objects|BUG:|WARNING:|KASAN:|UBSAN:|general protection|Oops|refcount_t:|list_(add|del) corruption|suspicious RCU usage|possible circular locking|maglev.*(BUG|WARN|leak)'
if grep -Eq "$bad_re" "$TMPD/dmesg"; then
	log_fail "the kernel log has reports:"
	grep -E -B2 -A20 "$bad_re" "$TMPD/dmesg" | head -n 80 | sed 's/^/    /'
else
	log_pass "the kernel log is clean ($(wc -l <"$TMPD/dmesg") lines since the start)"
fi
exit $RET
