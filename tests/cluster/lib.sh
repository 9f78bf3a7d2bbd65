#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the maglev cluster scenarios (tests/cluster/NN-*.sh):
# one router spreading a VIP over three forwarders with ECMP, as in the
# Maglev paper. Sources tests/netns/lib.sh (namespaces, bg, check, busywait,
# the backends' servers) and builds:
#
#   client C                router R (BIRD: bgp x3, bfd, kernel
#  ┌──────────────┐        ┌──────── merge paths; multipath hash L4) ─┐
#  │ c0 10.0.1.2  ├─veth───┤ rc 10.0.1.1                                │
#  │ default via R│        │ rfI 10.0.(10+I).1/24   ──veth──  FI       │
#  └──────────────┘        │ rbJ 10.0.2.1/32, 10.0.2.(10+J) dev rbJ    │
#                          │ 10.0.0.100 ECMP via F1 F2 F3 (from BGP)   │
#                          └───────────┬───────────────────┬──────────┘
#       forwarder FI, I = 1..3         │ veth, mtu 1600    │ veth, mtu 1600
#  ┌───────────────────────────────────┴──────┐   ┌────────┴─────────────────┐
#  │ up0 10.0.(10+I).2/24, default via R      │   │ backend BJ, J = 1..3     │
#  │ maglev (same seed, services, pool F1-F3) │   │ eth0 10.0.2.(10+J)/24    │
#  │ maglevd (one shared maglevd.conf)        │   │ lo 10.0.0.100/32 (VIP)   │
#  │ BIRD: static VIP via maglevd's tun,      │   │ gre4 (gre external)      │
#  │   bgp AS 65001 -> R AS 65000, bfd        │   │ servers answering "bJ":  │
#  └──────────────────────────────────────────┘   │  tcp/udp 80,8080 tcp 7000│
#                                                 │ default via R            │
#                                                 └──────────────────────────┘
#  C -> R -(ECMP)-> FI -(GRE, routed by R)-> BJ -(DSR, via R)-> C.
#  Fragments a forwarder does not own go to the pool member that does, in
#  GRE through R (hence the 1600 bytes MTU behind R).
#
# Environment (besides tests/netns/lib.sh's): MAGLEVD (default
# tools/maglevd/maglevd), CLUSTER_BFD_MS (BFD interval, default 200),
# CLUSTER_BFD_MULT (default 10: 2 s, as TCG under load stalls for 1 s),
# CLUSTER_BFD (on; off leaves failure detection to the BGP hold timer),
# CLUSTER_SEEDS (three seeds, one per
# forwarder: only to show that a test can fail; default one seed for all).

# shellcheck source=tests/netns/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/../netns/lib.sh"
# shellcheck disable=SC2034 # for the scripts that source this
CLUSTER_DIR=$PROJ/tests/cluster
MAGLEVD=${MAGLEVD:-$PROJ/tools/maglevd/maglevd}
NF=3			# forwarders
SEED=00112233445566778899aabbccddeeff
BFD_MS=${CLUSTER_BFD_MS:-200}
BFD_MULT=${CLUSTER_BFD_MULT:-10}
BGP_BFD=${CLUSTER_BFD:-on}	# off: only the BGP hold timer (9 s) detects a hung forwarder
NS_R=
NS_FW=()		# NS_FW[i], i = 1..3
FW4=()			# FW4[i] = 10.0.(10+i).2, its pool and BGP address
RT4=()			# RT4[i] = 10.0.(10+i).1, the router's end
MPID=()			# maglevd pid per forwarder
CONN_PORT=7000		# conn_peer.py's long-lived servers
HTTP_PORT=8000		# python3 -m http.server in the backends (30-pmtu)

r() { in_ns "$NS_R" "$@"; }
fw() {
	local i=$1
	shift
	in_ns "${NS_FW[$i]}" "$@"
}
fctl() {
	local i=$1
	shift
	in_ns "${NS_FW[$i]}" "$MAGLEVCTL" "$@"
}

# cluster_topo [NB]: the namespaces, links and addresses drawn above, NB
# backends (default 3) with their servers. No daemons yet.
cluster_topo() {
	local n=${1:-3} i vars=(NS_C NS_R) root=
	require_tools bird birdc
	need_maglevd tun
	maglev_load
	tmpdir
	for ((i = 1; i <= NF; i++)); do vars+=("NS_F$i"); done
	for ((i = 1; i <= n; i++)); do vars+=("NS_B$i"); done
	setup_ns "${vars[@]}"
	NS_F=$NS_F1		# tests/netns helpers that want "the" forwarder
	root+="link add c0 netns $NS_C type veth peer name rc netns $NS_R"$'\n'
	for ((i = 1; i <= NF; i++)); do
		local v=NS_F$i
		NS_FW[i]=${!v}
		FW4[i]=10.0.$((10 + i)).2
		RT4[i]=10.0.$((10 + i)).1
		root+="link add up0 netns ${NS_FW[i]} mtu 1600 type veth peer name rf$i netns $NS_R mtu 1600"$'\n'
	done
	for ((i = 1; i <= n; i++)); do
		v=NS_B$i
		NS_B[i]=${!v}
		BE4[i]=10.0.2.$((10 + i))
		BE6[i]=fd00:2::$((10 + i))
		BE_NAME[i]=b$i
		root+="link add eth0 netns ${NS_B[i]} mtu 1600 type veth peer name rb$i netns $NS_R mtu 1600"$'\n'
	done
	NB=$n
	ip -b - <<<"$root" || die "cannot create the veths"
	ip -n "$NS_C" -b - <<-EOF || die "client setup"
		addr add $C4/24 dev c0
		link set c0 up
		route add default via $F4C
	EOF
	# ECMP hashing on the 5-tuple (policy 1), for IPv4 and IPv6.
	r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.fib_multipath_hash_policy=1 >/dev/null || die "router sysctls"
	{
		echo "addr add $F4C/24 dev rc"
		echo "link set rc up"
		for ((i = 1; i <= NF; i++)); do
			echo "addr add ${RT4[i]}/24 dev rf$i"
			echo "link set rf$i up"
		done
		for ((i = 1; i <= n; i++)); do
			echo "addr add $F4B/32 dev rb$i"
			echo "link set rb$i up"
			echo "route add ${BE4[i]}/32 dev rb$i"
		done
	} | ip -n "$NS_R" -b - || die "router setup"
	for ((i = 1; i <= NF; i++)); do
		fw "$i" sysctl -qw net.ipv4.ip_forward=1 >/dev/null || die "forwarding on F$i"
		ip -n "${NS_FW[i]}" -b - <<-EOF || die "forwarder F$i setup"
			addr add ${FW4[i]}/24 dev up0
			link set up0 up
			route add default via ${RT4[i]}
		EOF
	done
	for ((i = 1; i <= n; i++)); do
		ip -n "${NS_B[i]}" -b - <<-EOF || die "backend b$i setup"
			addr add ${BE4[i]}/24 dev eth0
			link set eth0 up
			route add default via $F4B
			addr add $VIP4/32 dev lo
			link add gre4 type gre external
			link set gre4 up
		EOF
	done
	servers_start
	local args=()
	for ((i = 1; i <= n; i++)); do args+=("${NS_B[i]}=${BE_NAME[i]}"); done
	bg python3 "$NETNS_DIR/conn_peer.py" server --ready "$TMPD/conn-ready" \
		--ports "$CONN_PORT" "${args[@]}"
	busywait 30000 test -e "$TMPD/conn-ready" || die "conn_peer.py server did not start"
}

# cluster_conf: the one maglevd.conf every forwarder reads, in
# $TMPD/maglevd.conf (or CONF_OUT), with seed CONF_SEED (default $SEED) and
# the first CONF_NB backends (default all).
cluster_conf() {
	local seed=${CONF_SEED:-$SEED} out=${CONF_OUT:-$TMPD/maglevd.conf} i p svc
	{
		echo "namespace {"
		echo "	seed $seed;"
		echo "	frag-timeout 5000;"
		echo "	pool ${FW4[*]};"
		echo "}"
		echo "daemon { status-socket $TMPD/unused.sock; health-interval 1s; warmup-timeout 5s; }"
		for svc in "tcp 80" "udp 80" "tcp 8080" "udp 8080" "tcp $CONN_PORT" "tcp $HTTP_PORT"; do
			p=${svc#* }
			echo "service ${svc% *} $VIP4:$p {"
			echo "	table-size 1021;"
			for ((i = 1; i <= ${CONF_NB:-$NB}; i++)); do echo "	backend ${BE4[i]};"; done
			echo "}"
		done
	} >"$out"
}

# bird_fw I: BIRD in forwarder I (static VIP routes from maglevd --bird,
# eBGP to R with BFD).
bird_fw() {
	local i=$1 d=$TMPD/f$1
	mkdir -p "$d"
	"$MAGLEVD" --bird "$TMPD/maglevd.conf" >"$d/vips.conf" || die "maglevd --bird"
	cat >"$d/bird.conf" <<-EOF
		router id ${FW4[i]};
		protocol device { scan time 10; }
		include "$d/vips.conf";
		protocol bfd {
			interface "up0" {
				min rx interval $BFD_MS ms;
				min tx interval $BFD_MS ms;
				multiplier $BFD_MULT;
			};
		}
		protocol bgp uplink {
			local ${FW4[i]} as 65001;
			neighbor ${RT4[i]} as 65000;
			bfd $BGP_BFD;
			hold time 9;
			error wait time 1, 3;
			connect retry time 2;
			ipv4 { import none; export where proto = "maglev_vips4"; };
		}
	EOF
	fw "$i" bird -c "$d/bird.conf" -s "$d/ctl" -P "$d/pid" || die "bird in F$i"
}

# bird_router: BIRD in R: one eBGP session with BFD per forwarder, the
# kernel protocol merging equal BGP routes into one multipath route.
bird_router() {
	local i d=$TMPD/r
	mkdir -p "$d"
	{
		cat <<-EOF
			router id $F4C;
			protocol device { scan time 10; }
			protocol bfd {
				interface "rf*" {
					min rx interval $BFD_MS ms;
					min tx interval $BFD_MS ms;
					multiplier $BFD_MULT;
				};
			}
			protocol kernel {
				merge paths on;
				ipv4 { import none; export all; };
			}
			template bgp forwarder {
				local as 65000;
				bfd $BGP_BFD;
				hold time 9;
				error wait time 1, 3;
				connect retry time 2;
				ipv4 { import all; export none; };
			}
		EOF
		for ((i = 1; i <= NF; i++)); do
			echo "protocol bgp f$i from forwarder { neighbor ${FW4[i]} as 65001; }"
		done
	} >"$d/bird.conf"
	r bird -c "$d/bird.conf" -s "$d/ctl" -P "$d/pid" || die "bird in R"
}

# maglevd_start I: maglevd in forwarder I on the shared file (or
# $TMPD/maglevd.conf.I when CLUSTER_SEEDS gave each its own seed).
maglevd_start() {
	local i=$1 conf=$TMPD/maglevd.conf
	[ -f "$TMPD/maglevd.conf.$i" ] && conf=$TMPD/maglevd.conf.$i
	nsenter --net="/run/netns/${NS_FW[i]}" "$MAGLEVD" -t -c "$conf" \
		-S "$TMPD/f$i/maglevd.sock" 2>>"$TMPD/f$i/maglevd.log" &
	MPID[i]=$!
	BG_PIDS+=($!)
}

# maglevd_stop I: SIGTERM, wait for the exit.
maglevd_stop() {
	kill "${MPID[$1]}" 2>/dev/null
	wait "${MPID[$1]}" 2>/dev/null
}

# bird_fw_kill I: SIGKILL forwarder I's BIRD.
bird_fw_kill() {
	local p
	p=$(cat "$TMPD/f$1/pid" 2>/dev/null) && kill -9 "$p" 2>/dev/null
	busywait 5000 bash -c "! kill -0 $p 2>/dev/null" >/dev/null
}

# nexthops: the forwarders R's kernel route to the VIP goes through, e.g.
# "10.0.11.2 10.0.13.2".
nexthops() {
	ip -n "$NS_R" route show "$VIP4/32" | grep -o 'via [0-9.]*' | cut -d' ' -f2 | sort | xargs
}
# routed_via N: R routes the VIP over exactly N forwarders.
routed_via() { [ "$(nexthops | wc -w)" = "$1" ]; }

# cluster_up [NB]: topology, shared config, BIRD everywhere, maglevd in
# every forwarder; waits until R routes the VIP over the three.
cluster_up() {
	local i s
	cluster_topo "$@"
	cluster_conf
	if [ -n "${CLUSTER_SEEDS:-}" ]; then
		i=1
		for s in $CLUSTER_SEEDS; do
			CONF_SEED=$s CONF_OUT=$TMPD/maglevd.conf.$i cluster_conf
			i=$((i + 1))
		done
	fi
	"$MAGLEVD" --check-config -c "$TMPD/maglevd.conf" || die "maglevd.conf invalid"
	bird_router
	for ((i = 1; i <= NF; i++)); do
		mkdir -p "$TMPD/f$i"
		maglevd_start "$i"
		bird_fw "$i"
	done
	ip -n "$NS_R" -ts monitor route >"$TMPD/mon" 2>&1 &
	BG_PIDS+=($!)
	if ! busywait 60000 routed_via $NF >/dev/null; then
		for ((i = 1; i <= NF; i++)); do sed "s/^/    F$i maglevd: /" "$TMPD/f$i/maglevd.log"; done
		r birdc -s "$TMPD/r/ctl" show protocols
		die "R does not route $VIP4 over the $NF forwarders: $(nexthops)"
	fi
	log_pass "R routes $VIP4 over $NF forwarders by BGP: $(nexthops)"
	ip -n "$NS_R" route show "$VIP4/32" | sed "s/^/    /"
}

# now_ms: epoch milliseconds.
now_ms() {
	local t=$EPOCHREALTIME
	echo $((${t%.*} * 1000 + 10#${t#*.} / 1000))
}

# mon_last_ms: epoch ms of the last route change to the VIP that R's kernel
# saw (ip -ts monitor route).
mon_last_ms() {
	local l
	l=$(grep " $VIP4 \| $VIP4\$\|^\[.*\] $VIP4" "$TMPD/mon" | tail -n 1)
	l=${l#[}
	l=${l%%]*}
	[ -n "$l" ] && echo $(($(date -d "${l%.*}" +%s) * 1000 + 10#${l#*.} / 1000))
}

# fwd_packets I: packets forwarder I's maglev forwarded (all services).
fwd_packets() {
	fctl "$1" -j stats | json_get 'd["packets"] if "packets" in d else d'
}

# shellcheck source=tests/netns/conn_lib.sh
source "$NETNS_DIR/conn_lib.sh"	# hold (hold_start is replaced below)

# hold_start SPORTS: conn_peer.py's holding client in C (a coproc): one TCP
# connection per sport to $VIP4:$CONN_PORT through R, each remembering the
# backend that answered first; `hold "desc" round same` then makes every
# connection exchange a line and checks it is answered by the same backend.
hold_start() {
	local line
	coproc HOLD { exec python3 "$NETNS_DIR/conn_peer.py" hold --client-ns "$NS_C" \
		--fwd-ns "${NS_FW[1]}" --maglevctl "$MAGLEVCTL" --map "$(be_map 4)" \
		--timeout 40 $C4 $VIP4 $CONN_PORT "$1"; }
	BG_PIDS+=("$HOLD_PID")
	IFS= read -r -t 180 line <&"${HOLD[0]}" || die "the holding client did not start"
	case $line in
	ok*) log_pass "long-lived connections: ${line#ok }" ;;
	*) die "long-lived connections: ${line#fail }" ;;
	esac
}

# route_change_ms T0 N: ms from T0 (epoch ms) to the first change of R's
# kernel route to the VIP after it that leaves N nexthops (ip -ts monitor
# route), or "-".
route_change_ms() {
	python3 - "$1" "$2" "$TMPD/mon" "$VIP4" <<-'PY'
		import sys, datetime
		t0, n, path, vip = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
		blocks = []
		for line in open(path):
		    if line.startswith("["):
		        blocks.append([line])
		    elif blocks:
		        blocks[-1].append(line)
		for b in blocks:
		    head = b[0]
		    body = head[head.index("]") + 1:].strip()
		    if not (body.startswith(vip + " ") or body == vip):
		        continue
		    if "".join(b).count(" via ") != n:
		        continue
		    t = datetime.datetime.fromisoformat(head[1:head.index("]")]).timestamp() * 1000
		    if t >= t0:
		        print(int(t - t0))
		        break
		else:
		    print("-")
	PY
}

# silence I / unsilence I: forwarder I stops answering anything (a hung
# box: no BGP, no BFD, no forwarding) without any link or socket event.
silence() {
	fw "$1" nft -f - <<-EOF
		table inet hung {
			chain i { type filter hook input priority -500; policy drop; }
			chain f { type filter hook forward priority -500; policy drop; }
			chain o { type filter hook output priority -500; policy drop; }
			chain p { type filter hook prerouting priority -500; policy drop; }
		}
	EOF
}
unsilence() { fw "$1" nft delete table inet hung; }
