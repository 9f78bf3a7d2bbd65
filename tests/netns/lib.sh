#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the maglev netns scenarios (tests/netns/NN-*.sh).
# Source it; every scenario builds some or all of this topology:
#
#   client (C)              forwarder (F)                 backend I (BI), I = 1..n
#  ┌─────────────┐      ┌───────────────────────┐      ┌──────────────────────────┐
#  │ c0          ├─veth─┤ f0           bI       ├─veth─┤ eth0 10.0.2.(10+I)/24    │
#  │  10.0.1.2   │      │  10.0.1.1     10.0.2.1│      │      fd00:2::(10+I)/64   │
#  │  fd00:1::2  │      │  fd00:1::1   fd00:2::1│      │ lo   10.0.0.100/32       │
#  │ default     │      │ routes 10.0.2.(10+I), │      │      fd00:100::100/128   │
#  │  via F      │      │  fd00:2::(10+I) on bI │      │ gre4 (gre external)      │
#  └─────────────┘      │ maglev hook           │      │ gre6 (ip6gre external)   │
#                       │ (PREROUTING)          │      │ server answering "bI"    │
#                       └───────────────────────┘      │ default via F            │
#                                                      └──────────────────────────┘
#  VIPs 10.0.0.100 and fd00:100::100 are routed to F by C's default routes.
#  F GRE-encapsulates VIP traffic to a backend; the backend decapsulates on
#  gre4/gre6 and answers from the VIP straight to the client through F,
#  which routes the reply like any other packet (its hook only touches
#  packets addressed to a VIP): direct server return.
#
# Conventions (tools/testing/selftests/net/lib.sh): namespaces get unique
# names and are deleted on exit; no fixed sleeps (busywait); a missing tool
# is a skip (exit 4); PASS/FAIL lines; exit 0 pass, 1 fail, 4 skip.
#
# Environment: MAGLEV_KO (module, default module/maglev.ko), MAGLEVCTL
# (default tools/maglevctl/maglevctl), MAGLEV_VERBOSE=1 (trace commands),
# MAGLEV_NETNS_TIMES=1 (seconds since the start on every PASS/FAIL line).

# shellcheck disable=SC2034 # the variables are for the scripts that source this
NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
PROJ=$(cd "$NETNS_DIR/../.." && pwd -P)
MAGLEVCTL=${MAGLEVCTL:-$PROJ/tools/maglevctl/maglevctl}
MAGLEV_KO=${MAGLEV_KO:-$PROJ/module/maglev.ko}
PEER=$NETNS_DIR/peer.py

ksft_pass=0
ksft_fail=1
ksft_skip=4

RET=0			# becomes 1 at the first failed check
NS_LIST=()		# every namespace setup_ns created
BG_PIDS=()		# background processes to stop
MAGLEV_LOADED_HERE=0
TMPD=

# Standard topology addresses (topo_setup fills NS_*, BE4, BE6, BE_NAME).
C4=10.0.1.2
C6=fd00:1::2
F4C=10.0.1.1
F6C=fd00:1::1
F4B=10.0.2.1
F6B=fd00:2::1
VIP4=10.0.0.100
VIP6=fd00:100::100
PORTS="80 8080"		# every backend serves TCP and UDP on these
NS_C=
NS_F=
NS_B=()			# NS_B[i], i = 1..n
BE4=()			# BE4[i] = 10.0.2.(10+i)
BE6=()			# BE6[i] = fd00:2::(10+i)
BE_NAME=()		# BE_NAME[i] = bi
NB=0

[ "${MAGLEV_VERBOSE:-0}" = 1 ] && set -x

# MAGLEV_NETNS_TIMES=1 appends the seconds since the script started.
_t() { [ "${MAGLEV_NETNS_TIMES:-0}" = 0 ] || printf ' [%ss]' "$SECONDS"; }
log_pass() { printf 'PASS: %s%s\n' "$*" "$(_t)"; }
log_fail() { printf 'FAIL: %s%s\n' "$*" "$(_t)"; RET=$ksft_fail; }
log_info() { printf 'INFO: %s%s\n' "$*" "$(_t)"; }

# skip MESSAGE: the scenario cannot run here; not a failure.
skip() {
	printf 'SKIP: %s\n' "$*"
	exit $ksft_skip
}

# die MESSAGE: setup failed; the scenario fails.
die() {
	printf 'FAIL: %s\n' "$*"
	exit $ksft_fail
}

# check DESCRIPTION CMD...: run CMD, PASS or FAIL by its status; CMD's
# output is shown when it fails (always with CHECK_SHOW=1).
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		log_pass "$desc"
		[ "${CHECK_SHOW:-0}" = 0 ] || [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
	else
		log_fail "$desc"
		[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
	fi
	return $rc
}

# check_fail DESCRIPTION CMD...: like check, for a command that must fail.
check_fail() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		log_pass "$desc"
	else
		log_fail "$desc (unexpectedly succeeded)"
		[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
	fi
	[ $rc -ne 0 ]
}

# require_cmd TOOL...: skip unless every TOOL is installed.
require_cmd() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
	done
}

# busywait TIMEOUT_MS CMD...: run CMD until it succeeds or TIMEOUT_MS
# passed; prints CMD's last output, returns its last status.
busywait() {
	local timeout_ms=$1 start now out rc
	shift
	start=$(date +%s%3N)
	while :; do
		out=$("$@" 2>&1)
		rc=$?
		if [ $rc -eq 0 ]; then
			[ -z "$out" ] || printf '%s\n' "$out"
			return 0
		fi
		now=$(date +%s%3N)
		if [ $((now - start)) -gt "$timeout_ms" ]; then
			[ -z "$out" ] || printf '%s\n' "$out"
			return $rc
		fi
		sleep 0.05
	done
}

# setup_ns VAR...: create a namespace with a unique name per VAR (one `ip`
# for all), store the name in VAR, bring lo up, turn rp_filter and IPv6 DAD
# off for every device created later; cleanup() deletes it.
setup_ns() {
	local var ns batch=
	for var in "$@"; do
		ns="mlv-${var#NS_}-$$-$RANDOM"
		ns=${ns,,}
		NS_LIST+=("$ns")
		printf -v "$var" '%s' "$ns"
		batch+="netns add $ns"$'\n'
	done
	ip -b - <<<"$batch" || die "cannot create namespaces"
	for var in "$@"; do
		ns=${!var}
		ip -n "$ns" link set lo up
		# rp_filter would drop what a backend decapsulates (its reply
		# leaves by another device); DAD would delay IPv6 addresses.
		in_ns "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 \
			net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null ||
			die "sysctl in $ns"
	done
}

# in_ns NS CMD...: run CMD in network namespace NS. nsenter, unlike `ip
# netns exec`, does not remount /sys: cheaper, but /sys/class/net is the
# caller's (use ip or /proc/net instead).
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# bg CMD...: run CMD in the background; stopped at exit.
bg() {
	"$@" &
	BG_PIDS+=($!)
}

cleanup() {
	local rc=$? ns pid
	set +x
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -z "$TMPD" ] || rm -rf "$TMPD"
	if [ "$MAGLEV_LOADED_HERE" = 1 ]; then
		if ! rmmod maglev; then
			echo "FAIL: rmmod maglev"
			rc=$ksft_fail
		fi
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit $ksft_fail' INT TERM HUP

# tmpdir: a scratch directory removed at exit, in $TMPD.
tmpdir() {
	[ -n "$TMPD" ] || TMPD=$(mktemp -d /tmp/maglev-netns.XXXXXX)
}

# require_root_tools: the tools every scenario needs.
require_tools() {
	[ "$(id -u)" = 0 ] || skip "must run as root (inside tests/vm/run)"
	require_cmd ip nsenter python3 modprobe modinfo insmod rmmod sysctl "$@"
	[ -x "$MAGLEVCTL" ] || die "$MAGLEVCTL missing: run make -C tools/maglevctl"
}

# need_maglevd [tun]: $MAGLEVD (default tools/maglevd/maglevd) is built;
# with tun, the tun device maglevd announces VIPs through exists.
need_maglevd() {
	MAGLEVD=${MAGLEVD:-$PROJ/tools/maglevd/maglevd}
	[ -x "$MAGLEVD" ] || die "$MAGLEVD missing: run make -C tools/maglevd"
	[ "${1:-}" = tun ] || return 0
	modprobe -q tun 2>/dev/null
	if [ ! -c /dev/net/tun ]; then
		mkdir -p /dev/net && mknod /dev/net/tun c 10 200 || skip "no /dev/net/tun"
	fi
}

# maglev_load: insmod $MAGLEV_KO unless maglev is loaded; cleanup() removes
# it again if it was loaded here.
maglev_load() {
	local vm
	[ -d /sys/module/maglev ] && return 0
	[ -e /proc/modules ] || skip "this kernel cannot load modules (run inside tests/vm/run)"
	[ -f "$MAGLEV_KO" ] || die "$MAGLEV_KO missing: run make module"
	vm=$(modinfo -F vermagic "$MAGLEV_KO" 2>/dev/null | cut -d' ' -f1)
	[ "$vm" = "$(uname -r)" ] ||
		die "$MAGLEV_KO is built for '$vm', running $(uname -r): make KDIR=/lib/modules/$(uname -r)/build module"
	# Dependencies of the module and of the topology.
	modprobe -q -a veth ip_gre ip6_gre ip_tunnel ip6_tunnel 2>/dev/null
	insmod "$MAGLEV_KO" || die "insmod $MAGLEV_KO failed"
	MAGLEV_LOADED_HERE=1
}

# Run in a namespace: c CMD, f CMD, b I CMD; mctl ARGS = maglevctl in F.
c() { in_ns "$NS_C" "$@"; }
f() { in_ns "$NS_F" "$@"; }
b() {
	local i=$1
	shift
	in_ns "${NS_B[$i]}" "$@"
}
mctl() { in_ns "$NS_F" "$MAGLEVCTL" "$@"; }

# topo_setup N: client C, forwarder F and N backends B1..BN as drawn at the
# top, with a server in every backend; waits until they listen.
topo_setup() {
	local n=${1:-3} i ns vars=(NS_C NS_F) root=
	for ((i = 1; i <= n; i++)); do vars+=("NS_B$i"); done
	setup_ns "${vars[@]}"
	root+="link add c0 netns $NS_C type veth peer name f0 netns $NS_F"$'\n'
	for ((i = 1; i <= n; i++)); do
		ns=NS_B$i
		NS_B[i]=${!ns}
		BE4[i]=10.0.2.$((10 + i))
		BE6[i]=fd00:2::$((10 + i))
		BE_NAME[i]=b$i
		root+="link add b$i netns $NS_F type veth peer name eth0 netns ${NS_B[i]}"$'\n'
	done
	NB=$n
	ip -b - <<<"$root" || die "cannot create the veths"

	ip -n "$NS_C" -b - <<-EOF || die "client setup"
		addr add $C4/24 dev c0
		addr add $C6/64 dev c0 nodad
		link set c0 up
		route add default via $F4C
		route add default via $F6C
	EOF
	f sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null ||
		die "forwarding on F"
	# No bridge (the debug kernel has none): F's end of each backend's
	# veth carries the gateway addresses 10.0.2.1 and fd00:2::1 (the same
	# on every bI) and a host route to that backend.
	{
		echo "addr add $F4C/24 dev f0"
		echo "addr add $F6C/64 dev f0 nodad"
		echo "link set f0 up"
		for ((i = 1; i <= n; i++)); do
			echo "addr add $F4B/32 dev b$i"
			echo "addr add $F6B/128 dev b$i nodad"
			echo "link set b$i up"
			echo "route add ${BE4[i]}/32 dev b$i"
			echo "route add ${BE6[i]}/128 dev b$i"
		done
	} | ip -n "$NS_F" -b - || die "forwarder setup"

	for ((i = 1; i <= n; i++)); do
		ip -n "${NS_B[i]}" -b - <<-EOF || die "backend b$i setup (collect_md gre/ip6gre?)"
			addr add ${BE4[i]}/24 dev eth0
			addr add ${BE6[i]}/64 dev eth0 nodad
			link set eth0 up
			route add default via $F4B
			route add default via $F6B
			addr add $VIP4/32 dev lo
			addr add $VIP6/128 dev lo
			link add gre4 type gre external
			link add gre6 type ip6gre external
			link set gre4 up
			link set gre6 up
		EOF
	done
	servers_start
	[ "${MAGLEV_NETNS_TIMES:-0}" = 0 ] || log_info "topology of $n backends up"
}

# servers_start: one peer.py serving every backend namespace (bI answers
# as "bI") on $PORTS, TCP and UDP; waits until it listens.
servers_start() {
	local i args=()
	tmpdir
	for ((i = 1; i <= NB; i++)); do
		[ -n "${NS_B[i]:-}" ] && args+=("${NS_B[i]}=${BE_NAME[i]}")
	done
	rm -f "$TMPD/ready"
	bg python3 "$PEER" server --ready "$TMPD/ready" --ports "${PORTS// /,}" "${args[@]}"
	busywait 30000 test -e "$TMPD/ready" || die "the backend servers did not start"
}

# be_map FAMILY: "addr=name,..." of every backend (4, 6 or 46) for peer.py.
be_map() {
	local i out=
	for ((i = 1; i <= NB; i++)); do
		[ -n "${NS_B[i]:-}" ] || continue
		case "$1" in *4*) out+="${BE4[i]}=${BE_NAME[i]}," ;; esac
		case "$1" in *6*) out+="${BE6[i]}=${BE_NAME[i]}," ;; esac
	done
	echo "${out%,}"
}

# be_names [EXCEPT...]: "b1,b2,..." of every backend but EXCEPT.
# shellcheck disable=SC2120 # EXCEPT is optional
be_names() {
	local i out='' x skip
	for ((i = 1; i <= NB; i++)); do
		skip=0
		for x in "$@"; do [ "$x" = "${BE_NAME[i]}" ] && skip=1; done
		[ $skip = 1 ] || out+="${BE_NAME[i]},"
	done
	echo "${out%,}"
}

# endpoint ADDR PORT: 10.0.0.100:80 or [fd00:100::100]:80.
endpoint() {
	case "$1" in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

# check_flows DESC PROTO DST PORT SPORTS [peer.py flows options]: from the
# client (source C4 or C6 by DST's family), one flow per source port in
# SPORTS; each must reach the backend the kernel's lookup (and, for a
# sample, `maglevctl lookup`) named beforehand. Unless options say
# otherwise, every backend must get some.
check_flows() {
	local desc=$1 proto=$2 dst=$3 port=$4 sports=$5 src
	shift 5
	case "$dst" in *:*) src=$C6 ;; *) src=$C4 ;; esac
	CHECK_SHOW=1 check "$desc" python3 "$PEER" flows --client-ns "$NS_C" --fwd-ns "$NS_F" \
		--maglevctl "$MAGLEVCTL" --sample 5 --map "$(be_map 46)" \
		--expect-all "$(be_names)" "$@" "$proto" "$src" "$dst" "$port" "$sports"
}

# check_accounting PROTO VIP:PORT [DEVS]: per backend, the service's packet
# and byte counters equal what the backend's DEVS (default gre4,gre6)
# decapsulated; the service's totals are their sum. Only for a service that
# alone sent traffic through DEVS since the backends were created.
check_accounting() {
	local i args=() devs=${3:-gre4,gre6}
	for ((i = 1; i <= NB; i++)); do
		[ -n "${NS_B[i]:-}" ] && args+=("${NS_B[i]}=${BE4[i]},${BE6[i]}")
	done
	check "forwarder counters of $1 $2 match what the backends decapsulated" \
		python3 "$PEER" account --fwd-ns "$NS_F" --maglevctl "$MAGLEVCTL" \
		--devs "$devs" "$1" "$2" "${args[@]}"
}

# json_get EXPR: evaluate python EXPR on the JSON document on stdin (as d).
json_get() {
	python3 -c 'import json, sys; d = json.load(sys.stdin); print('"$1"')'
}
