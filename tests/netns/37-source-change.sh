#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A new outer source address takes effect for every packet, under load.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11   eth0 sniffed
#     UDP flood, two senders pinned       │   (AF_PACKET): outer source
#     to CPU 0 and CPU 1, 1500 pps each,  ├── B2 10.0.2.12   of every GRE
#     sports 10000-10999 → VIP:5000-5007  ├── B3 10.0.2.13   packet
#                                         └── B4 10.0.2.14
#   F: 10.0.2.1 (A) on every bI, 10.0.2.2 (B) added on b1
#   services udp 10.0.0.100:5000-5007, table-size 65537, backends b1-b4
#   (no server on those ports: the backends just decapsulate)
#   config set source A, then A→B→A→... 8 times with the flood running;
#   after each change the next 150 GRE packets at every backend must all
#   carry the new source
#
# Regression: maglev_ns_conf_set() reset the backends' dst_cache before the
# services were rebuilt with the new source, so a packet still on the old
# configuration (the table build takes tens of ms under TCG, while the
# other CPU keeps forwarding) looked up and cached a route with the old
# source; the new configuration then took its source from that cache, and
# the change never took effect on that CPU (until the route was
# invalidated). Before the fix the first or second change already left
# packets with the old source at some backend.
source "$(dirname "$0")/lib.sh"

require_tools taskset
maglev_load
PORTS=5999		# topo_setup's servers: out of the way
topo_setup 4
tmpdir

srcA=$F4B
srcB=10.0.2.2
nsvc=8
rounds=8
f ip addr add $srcB/32 dev b1 || die "second address on F"

{
	echo "config set source $srcA"
	for ((s = 0; s < nsvc; s++)); do
		echo "service add udp $VIP4:$((5000 + s))"
		for ((i = 1; i <= NB; i++)); do echo "backend add udp $VIP4:$((5000 + s)) ${BE4[i]}"; done
	done
} >"$TMPD/conf"
mctl restore "$TMPD/conf" || die "restore"

args=()
for ((i = 1; i <= NB; i++)); do args+=("${NS_B[i]}=${BE_NAME[i]}"); done
coproc SNIFF { exec python3 "$NETNS_DIR/raw_peer.py" sniff "${args[@]}"; }
BG_PIDS+=("$SNIFF_PID")
IFS= read -r -t 60 line <&"${SNIFF[0]}" || die "the sniffer did not start"

ncpu=$(nproc)
for ((cpu = 0; cpu < ncpu && cpu < 2; cpu++)); do
	bg python3 "$NETNS_DIR/raw_peer.py" udpflood --client-ns "$NS_C" --src $C4 \
		--dst $VIP4 --ports 5000-$((5000 + nsvc - 1)) --sports 10000-10999 \
		--rate 1500 --cpu $cpu
done

# sources WANT: the next 150 GRE packets at every backend come from WANT.
sources() {
	local want=$1 line item bad=0
	echo "count 150 16 30" >&"${SNIFF[1]}"
	IFS= read -r -t 60 line <&"${SNIFF[0]}" || { echo "no answer from the sniffer"; return 1; }
	echo "${line#ok }"
	for item in ${line#ok }; do
		[ "${item#*:}" = "$want=150" ] || bad=1
	done
	return $bad
}

check "source $srcA: every backend gets 150 packets from $srcA" sources $srcA
cur=$srcA
stale=0
for ((r = 1; r <= rounds; r++)); do
	if [ "$cur" = $srcA ]; then new=$srcB; else new=$srcA; fi
	start=$(date +%s%3N)
	mctl config set source "$new" || die "config set source $new"
	ms=$(($(date +%s%3N) - start))
	old=$cur
	cur=$new
	if ! out=$(sources "$new"); then
		log_fail "change $r ($old → $new, ${ms} ms): packets with the old source after the change: $out"
		stale=1
		break
	fi
	log_info "change $r ($old → $new, ${ms} ms): $out"
done
[ $stale = 1 ] ||
	log_pass "$rounds source changes under load: every packet after each change had the new source"
shown=$(mctl -j config show | json_get 'd["source"]')
check "config show: source $cur ($shown)" test "$shown" = "$cur"
exit $RET
