#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the connection-table scenarios (9x-conn-*.sh), sourced
# after lib.sh: long-lived servers in the backends and a holding client
# (conn_peer.py) that keeps connections open and answers commands. They use
# the script's $port.

# conn_servers_start [PORTS]: conn_peer.py's long-lived server on PORTS
# (default $port) in every backend.
conn_servers_start() {
	local i args=()
	for ((i = 1; i <= NB; i++)); do args+=("${NS_B[i]}=${BE_NAME[i]}"); done
	bg python3 "$NETNS_DIR/conn_peer.py" server --ready "$TMPD/conn-ready" --ports "${1:-$port}" "${args[@]}"
	busywait 30000 test -e "$TMPD/conn-ready" || die "conn_peer.py server did not start"
}

# hold DESC CMD...: a command to the holding client; PASS/FAIL by its answer
# (quiet with an empty DESC: status only, answer in HOLD_LINE).
hold() {
	local desc=$1 line
	shift
	echo "$*" >&"${HOLD[1]}"
	if ! IFS= read -r -t 180 line <&"${HOLD[0]}"; then
		log_fail "$desc (no answer from the client)"
		return 1
	fi
	HOLD_LINE=${line#* }
	[ -n "$desc" ] || { case $line in ok*) return 0 ;; *) return 1 ;; esac; }
	case $line in
	ok*) log_pass "$desc: ${line#ok }" ;;
	*) log_fail "$desc: ${line#fail }"; return 1 ;;
	esac
}

# hold_start SPORTS: the holding client (conn_peer.py hold, a coproc) opens
# a connection from C4 to $VIP4:$port per sport.
hold_start() {
	local line
	coproc HOLD { exec python3 "$NETNS_DIR/conn_peer.py" hold --client-ns "$NS_C" \
		--fwd-ns "$NS_F" --maglevctl "$MAGLEVCTL" --map "$(be_map 4)" \
		$C4 $VIP4 $port "$1"; }
	BG_PIDS+=("$HOLD_PID")
	IFS= read -r -t 180 line <&"${HOLD[0]}" || die "the holding client did not start"
	case $line in
	ok*) log_pass "long-lived connections: ${line#ok }" ;;
	*) die "long-lived connections: ${line#fail }" ;;
	esac
}
