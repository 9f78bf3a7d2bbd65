#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# maglevd health checks drive backend states: an HTTP server killed is set
# down within interval + fall x timeout, restarted it is up after rise
# successes, and a SIGSTOPped one (TCP still accepts) fails the http check.
# Its HTTP /metrics endpoint (metrics-listen) serves promtool-clean text.
#
#   C ──veth── F (maglev, maglevd) ─veths─┬── B1 10.0.2.11  http :8081
#                                         └── B2 10.0.2.12  http :8081
#   service tcp 10.0.0.100:80, check http :8081 interval 2s timeout 1s
#   rise 2 fall 2: down within 2 + 2 x 1 = 4 s (bound here 4 s + 2 s of
#   TCG slack). MAGLEVD_RUNS=N repeats the kill/restart N times and
#   prints the median and maximum.
source "$(dirname "$0")/lib.sh"

require_tools curl
command -v promtool >/dev/null || die "promtool is not installed (tools/install-deps: prometheus)"
need_maglevd
maglev_load
topo_setup 2
tmpdir

# A tiny HTTP server, one process per backend so each can be killed or
# stopped on its own.
HTTPD='
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8081))
s.listen(64)
open(sys.argv[1], "w").close()
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        c.recv(4096)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n")
    except OSError:
        pass
    c.close()
'
HP=()
httpd_start() {
	rm -f "$TMPD/http$1"
	# nsenter execs python3: $! is the server itself
	nsenter --net="/run/netns/${NS_B[$1]}" python3 -c "$HTTPD" "$TMPD/http$1" &
	HP[$1]=$!
	BG_PIDS+=($!)
	busywait 30000 test -e "$TMPD/http$1" || die "http server in b$1 did not start"
}
httpd_start 1
httpd_start 2

cat >"$TMPD/m.conf" <<EOF
daemon {
	status-socket $TMPD/s.sock; health-interval 500ms;
	metrics-listen 127.0.0.1:9586;
}
check web {
	type http; port 8081; path /health; status 200; expect "ok";
	interval 2s; timeout 1s; rise 2; fall 2;
}
service tcp $VIP4:80 {
	check web;
	announce off;
	backend ${BE4[1]};
	backend ${BE4[2]};
}
EOF
LOG=$TMPD/log
nsenter --net="/run/netns/$NS_F" "$MAGLEVD" -t -c "$TMPD/m.conf" 2>"$LOG" &
BG_PIDS+=($!)

# states: "ADDR=STATE ..." of the service's backends in the kernel.
states() { mctl show tcp $VIP4:80 | awk '$1 ~ /^[0-9]/ { printf "%s=%s ", $1, $3 }'; }
busywait 60000 grep -q "warm-up done" "$LOG" || { cat "$LOG"; die "maglevd did not warm up"; }
both_up() { [ "$(states)" = "${BE4[1]}=up ${BE4[2]}=up " ]; }
busywait 20000 both_up
check "kernel: both backends up after warm-up ($(states))" \
	test "$(states)" = "${BE4[1]}=up ${BE4[2]}=up "
n_warm=$(grep -cE "backend ${BE4[1]}: (up|down) ->" "$LOG")

# line_ms PATTERN: the epoch ms of the last log line matching PATTERN.
line_ms() {
	local l
	l=$(grep -E "$1" "$LOG" | tail -n 1)
	l=${l#*[}
	l=${l%%]*}
	echo $((${l%.*} * 1000 + 10#${l#*.}))
}
now_ms() { local t=$EPOCHREALTIME; echo $((${t%.*} * 1000 + 10#${t#*.} / 1000)); }
# more PATTERN N: the log has more than N lines matching PATTERN.
more() { [ "$(grep -cE "$1" "$LOG")" -gt "$2" ]; }

runs=${MAGLEVD_RUNS:-1}
times=()
for ((r = 1; r <= runs; r++)); do
	n0=$(grep -c "backend ${BE4[1]}: up -> down" "$LOG")
	kill -9 "${HP[1]}"
	t0=$(now_ms)
	busywait 15000 more "backend ${BE4[1]}: up -> down" "$n0" ||
		{ log_fail "b1 not set down after its server died"; break; }
	times+=($(($(line_ms "backend ${BE4[1]}: up -> down") - t0)))
	n1=$(grep -c "backend ${BE4[1]}: down -> up" "$LOG")
	httpd_start 1
	busywait 15000 more "backend ${BE4[1]}: down -> up" "$n1" ||
		{ log_fail "b1 not set up after its server came back"; break; }
done
check "b1 killed: down in ${times[*]} ms (bound 6000)" test "${times[-1]:-99999}" -le 6000
if [ "$runs" -gt 1 ]; then
	sorted=$(printf '%s\n' "${times[@]}" | sort -n)
	log_info "backend death to down over $runs runs: median $(sed -n "$(((runs + 1) / 2))p" <<<"$sorted") ms, max $(tail -n 1 <<<"$sorted") ms"
fi
st=$(states)
check "b1 restarted: up again in the kernel ($st)" test "$st" = "${BE4[1]}=up ${BE4[2]}=up "
check "one log line per transition of b1 ($((2 * runs)) expected)" \
	test "$(grep -cE "backend ${BE4[1]}: (up|down) ->" "$LOG")" -eq $((n_warm + 2 * runs))

# A stopped server still completes TCP handshakes (the listen backlog) but
# never answers: the http check must time out.
kill -STOP "${HP[2]}"
busywait 15000 grep -q "backend ${BE4[2]}: up -> down: timeout" "$LOG" ||
	log_fail "SIGSTOPped b2 not set down"
st=$(states)
check "SIGSTOPped b2: down in the kernel ($st)" test "$st" = "${BE4[1]}=up ${BE4[2]}=down "
kill -CONT "${HP[2]}"
busywait 15000 grep -q "backend ${BE4[2]}: down -> up" "$LOG" ||
	log_fail "b2 not up after SIGCONT"
f "$MAGLEVD" status -S "$TMPD/s.sock" >"$TMPD/status.json"
check "status socket: both backends and their check" \
	test "$(grep -c '"check": "web"' "$TMPD/status.json")" = 2

# /metrics: the kernel's families (as maglevctl stats --prometheus) and
# maglevd's own, promtool-clean; other paths 404, other methods 405.
URL=http://127.0.0.1:9586
f curl -s --max-time 10 -o "$TMPD/metrics" "$URL/metrics" || log_fail "curl $URL/metrics"
check "/metrics: maglev_packets_total" grep -q '^maglev_packets_total ' "$TMPD/metrics"
check "/metrics: backend series of b1" grep -qF \
	"maglev_backend_up{proto=\"tcp\",vip=\"$VIP4\",port=\"80\",backend=\"${BE4[1]}\"} 1" "$TMPD/metrics"
check "/metrics: maglevd_backend_healthy of b2" grep -qF \
	"maglevd_backend_healthy{proto=\"tcp\",vip=\"$VIP4\",port=\"80\",backend=\"${BE4[2]}\"} 1" "$TMPD/metrics"
promtool_clean() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) && [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}
check "/metrics: promtool check metrics clean" promtool_clean "$TMPD/metrics"
check "/metrics: Content-Type version 0.0.4" eval \
	"f curl -s -o /dev/null -w '%{content_type}' $URL/metrics | grep -qF 'text/plain; version=0.0.4'"
check "/other: 404" test "$(f curl -s -o /dev/null -w '%{http_code}' "$URL/other")" = 404
check "POST /metrics: 405" test "$(f curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")" = 405
[ $RET = 0 ] || sed 's/^/    log: /' "$LOG"
exit $RET
