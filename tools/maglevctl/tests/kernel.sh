#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# maglevctl against the real module: every command, its text and JSON
# output, kernel errors naming the word at fault, exit codes, save/restore
# round trips, monitor, and multi-message dumps.  Runs as root in a fresh
# network namespace (maglev state is per namespace), so it needs the module
# loaded or loadable, e.g. in the VM:
#
#   tests/vm/run -- sh -c 'insmod module/maglev.ko && tools/maglevctl/tests/kernel.sh'
#
# Usage: tools/maglevctl/tests/kernel.sh [MAGLEVCTL]
#   MAGLEVCTL_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=all
#   --error-exitcode=97" runs most invocations under valgrind.
# Ends with "N passed, N failed"; exits non-zero on failures.
set -u

here=$(cd "$(dirname "$0")" && pwd)
M=${1:-$here/../maglevctl}
M=$(cd "$(dirname "$M")" && pwd)/$(basename "$M")

if [ -z "${MAGLEVCTL_TEST_NETNS:-}" ]; then
	MAGLEVCTL_TEST_NETNS=1 exec unshare -n -- "$0" "$M"
fi

pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
	pass=$((pass + 1))
}

bad() {
	fail=$((fail + 1))
	echo "FAIL: $*" >&2
}

# run RC CMD...: run maglevctl, want exit status RC; output in $out/$err
run() {
	local want=$1 rc
	shift
	# shellcheck disable=SC2086
	${MAGLEVCTL_WRAP:-} "$M" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	if [ "$rc" = "$want" ]; then
		ok
	else
		bad "maglevctl $* -> $rc, want $want; stderr: $err"
	fi
}

# same TEXT ACTUAL WHAT
same() {
	if [ "$1" = "$2" ]; then
		ok
	else
		bad "$3: got"
		printf '%s\n' "$2" | head -20 >&2
		echo "  expected" >&2
		printf '%s\n' "$1" | head -20 >&2
	fi
}

# has SUBSTRING TEXT WHAT
has() {
	case "$2" in
	*"$1"*) ok ;;
	*) bad "$3: \"$1\" not in: $2" ;;
	esac
}

V=10.0.0.100:80

# --- services and errors -----------------------------------------------
run 0 flush
run 0 service add tcp $V
run 1 service add tcp $V
same "maglevctl: $V: service exists" "$err" "EEXIST names the service"
run 1 service add tcp 10.0.0.101:80 table-size 65536
has "maglevctl: table-size 65536: " "$err" "bad table size names the word"
run 1 service del tcp 10.9.9.9:80
has "maglevctl: 10.9.9.9:80: " "$err" "ENOENT names the service"
run 2 service add tcp $V table-size x
same 'maglevctl: invalid table-size "x" (expected a prime number)' "$err" "parse error"
run 0 backend add tcp $V 192.0.2.1
run 0 -j show
same '[{"proto":"tcp","vip":"10.0.0.100","port":80,"table_size":65537,"hash":"5tuple","gre_key":null,"gre_csum":false,"backends":[{"addr":"192.0.2.1","weight":1,"state":"up","slots":65537,"share":1.0000,"packets":0,"bytes":0}],"packets":0,"bytes":0}]' "$out" "-j show"
run 1 backend add tcp $V 192.0.2.1
has "maglevctl: 192.0.2.1: " "$err" "backend EEXIST names the backend"
run 1 backend add tcp $V 192.0.2.2 weight 70000
has "weight 70000: " "$err" "weight out of range names the word"
run 1 backend del tcp $V 192.0.2.99
has "maglevctl: 192.0.2.99: " "$err" "backend ENOENT names the backend"

# --- settings --------------------------------------------------------------
run 0 service add udp [2001:db8::1]:53 table-size 251 hash src
run 0 service set udp [2001:db8::1]:53 gre-key 42
run 0 service set udp [2001:db8::1]:53 gre-csum on
run 0 service show udp [2001:db8::1]:53
same "service udp [2001:db8::1]:53 table-size 251 hash src gre-key 42 gre-csum on
  (no backends)" "$out" "gre-key and gre-csum set one at a time"
run 0 service set udp [2001:db8::1]:53 gre-key none
run 0 -j service show udp [2001:db8::1]:53
has '"gre_key":null,"gre_csum":true' "$out" "gre-key none keeps gre-csum"
run 1 service show udp [2001:db8::1]:54
has "maglevctl: [2001:db8::1]:54: " "$err" "show of a missing service"
run 0 backend add udp [2001:db8::1]:53 2001:db8::11
run 0 backend add udp [2001:db8::1]:53 192.0.2.12
run 0 backend add udp [2001:db8::1]:53 192.0.2.13 weight 2
run 0 -j table udp [2001:db8::1]:53
n=$(printf '%s' "$out" | python3 -c 'import json,sys; t=json.load(sys.stdin); print(len(t["slots"]), sum(b["slots"] for b in t["backends"]) + t["empty"])')
same "251 251" "$n" "table has every slot"
run 0 table udp [2001:db8::1]:53
same 251 "$(grep -vc '^#' <<<"$out")" "one line per slot"
run 0 -j show udp [2001:db8::1]:53
slots=$(printf '%s' "$out" | python3 -c 'import json,sys; print(" ".join(str(b["slots"]) for b in json.load(sys.stdin)[0]["backends"]))')
tslots=$(awk '!/^#/ {n[$2]++} END {printf "%d %d %d", n["192.0.2.12"], n["192.0.2.13"], n["2001:db8::11"]}' <<<"$("$M" table udp [2001:db8::1]:53)")
same "$slots" "$tslots" "show's slots match the table"
run 0 backend set udp [2001:db8::1]:53 192.0.2.13 weight 0
run 0 -j show udp [2001:db8::1]:53
has '{"addr":"192.0.2.13","weight":0,"state":"up","slots":0,' "$out" "weight 0 drains"
run 0 backend set udp [2001:db8::1]:53 192.0.2.13 weight 2 state down
run 0 -j show udp [2001:db8::1]:53
has '{"addr":"192.0.2.13","weight":2,"state":"down","slots":0,' "$out" "down holds no slot"
run 0 backend set udp [2001:db8::1]:53 192.0.2.13 state up

# --- lookup ----------------------------------------------------------------
run 0 -j lookup tcp 198.51.100.7:4242 $V
has '"reason":"table","service":{"proto":"tcp","vip":"10.0.0.100","port":80},"backend":{"addr":"192.0.2.1","weight":1,"state":"up"},"hash":' "$out" "lookup"
run 0 -j lookup tcp 198.51.100.7:4242 10.0.0.200:80
same '{"reason":"no-service","service":null,"backend":null,"hash":null,"slot":null}' "$out" "lookup without a service"
run 0 service add sctp 10.0.0.100:0
run 0 -j lookup sctp 198.51.100.7:1 10.0.0.100:9
has '"reason":"no-backend","service":{"proto":"sctp","vip":"10.0.0.100","port":0}' "$out" "port-0 service, no backend"
run 0 lookup udp [2001:db8::7]:4242 [2001:db8::1]:53
has "reason   table" "$out" "text lookup"

# --- config and stats -------------------------------------------------------
run 0 config set seed 1 ttl 64 source 192.0.2.254
run 0 -j config show
has '{"seed":"00000000000000000000000000000001","source":"192.0.2.254","source6":null,"ttl":64,' "$out" "config show"
run 0 config set source none
run 0 -j config show
has '"source":null' "$out" "source none clears"
run 1 config set table-size 10
has "maglevctl: table-size 10: " "$err" "config error names the word"
run 0 config set conn-max 5000 expire-nodest drop timeout-tcp-est 60 timeout-udp 30
run 0 -j config show
has '"conn_max":5000,"expire_nodest":"drop","timeouts":{' "$out" "conn config"
has '"tcp_est":60,' "$out" "timeout set"
has '"udp":30,' "$out" "other timeout set"
run 1 config set timeout-udp 0
has "maglevctl: timeout-udp 0: " "$err" "timeout range names the word"
run 0 config set expire-nodest rehash
run 0 -j stats
has '"drop_xmit":0,"drop_nodest":0,"conn":{"entries":0,"limit":5000,' "$out" "stats"
run 0 stats
has "conn-entries" "$out" "text stats"
run 0 stats zero

# --- connection table (no traffic here: empty) ------------------------------
run 0 -j conn show
same "[]" "$out" "conn show"
run 0 -j conn tcp $V
same "[]" "$out" "conn show of a service"
run 0 conn show tcp $V 192.0.2.1
run 1 conn show tcp $V 192.0.2.77
# (on 6.1 an error from a dump's start callback loses its extack message)
has "maglevctl: " "$err" "conn show of a missing backend"
run 0 conn flush
run 0 conn flush tcp $V 192.0.2.1
run 1 conn flush tcp 10.9.9.9:80 192.0.2.1
has "maglevctl: 10.9.9.9:80: " "$err" "conn flush of a missing service"

# --- save / restore ---------------------------------------------------------
run 0 save
save1=$out
printf '%s\n' "$save1" >"$tmp/save1"
run 0 flush
run 0 show
same "" "$out" "flush"
run 0 restore "$tmp/save1"
run 0 save
same "$save1" "$out" "save, flush, restore, save"
printf 'service add tcp 10.0.0.1:80\nbackend add tcp 10.0.0.1:80 192.0.2.1 weight x\n' >"$tmp/bad"
run 2 restore "$tmp/bad"
same "maglevctl: $tmp/bad:2: invalid weight \"x\" (expected 0..65535)" "$err" "restore parse error"
run 0 save
same "$save1" "$out" "nothing changed after a parse error"
run 1 restore <<<'service add tcp 10.0.0.1:80
service add tcp 10.0.0.2:80 table-size 10'
has "maglevctl: <stdin>:2: table-size 10: " "$err" "restore kernel error names line and word"
run 0 restore --flush "$tmp/save1"
run 0 save
same "$save1" "$out" "restore --flush removes services not in the file"
# replace keeps other backends' statistics and the file's order does not matter
run 0 restore <<<'service add udp [2001:db8::1]:53 table-size 251 hash src
backend add udp [2001:db8::1]:53 192.0.2.12 weight 3'
run 0 -j show udp [2001:db8::1]:53
has '"gre_key":null,"gre_csum":false,"backends":[{"addr":"192.0.2.12","weight":3,"state":"up","slots":251,' "$out" "replace sets the whole service"

# --- many backends: multi-message dumps ----------------------------------
{
	echo "service add tcp 10.1.0.1:80 table-size 65537"
	for i in $(seq 0 1999); do
		echo "backend add tcp 10.1.0.1:80 10.2.$((i / 250)).$((i % 250 + 1))"
	done
} >"$tmp/big"
run 0 restore "$tmp/big"
run 0 -j show tcp 10.1.0.1:80
same "2000 65537" "$(printf '%s' "$out" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(len(s[0]["backends"]), sum(b["slots"] for b in s[0]["backends"]))')" "2000 backends in show"
run 0 -j table tcp 10.1.0.1:80
same "2000 65537 0" "$(printf '%s' "$out" | python3 -c 'import json,sys; t=json.load(sys.stdin); print(len(t["backends"]), len(t["slots"]), t["slots"].count(None))')" "2000 backends in table"
run 0 save
same 2001 "$(grep -c '10.1.0.1:80' <<<"$out")" "save of 2000 backends"

# --- monitor ------------------------------------------------------------
"$M" monitor >"$tmp/mon" 2>&1 &
mpid=$!
"$M" -j monitor >"$tmp/monj" 2>&1 &
jpid=$!
sleep 1
"$M" service add tcp 10.0.0.50:80 table-size 7
"$M" backend add tcp 10.0.0.50:80 192.0.2.5 weight 2
"$M" backend del tcp 10.0.0.50:80 192.0.2.5
"$M" service del tcp 10.0.0.50:80
"$M" config set ttl 3
sleep 1
kill "$mpid" "$jpid"
wait "$mpid" "$jpid" 2>/dev/null
same "service add tcp 10.0.0.50:80 table-size 7 hash 5tuple gre-key none gre-csum off
backend add tcp 10.0.0.50:80 192.0.2.5 weight 2 state up
backend del tcp 10.0.0.50:80 192.0.2.5
service del tcp 10.0.0.50:80" "$(head -4 "$tmp/mon")" "monitor"
has "config set" "$(cat "$tmp/mon")" "monitor config set"
has '{"event":"service_add","service":{"proto":"tcp","vip":"10.0.0.50","port":80,"table_size":7,"hash":"5tuple","gre_key":null,"gre_csum":false}}' "$(cat "$tmp/monj")" "monitor -j"

# --- permissions ------------------------------------------------------------
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$M" flush >"$tmp/out" 2>"$tmp/err"
	same 4 $? "flush without CAP_NET_ADMIN exits 4"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$M" show >/dev/null 2>&1
	same 4 $? "show needs CAP_NET_ADMIN too (it reveals private state)"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$M" -j config show >"$tmp/out" 2>"$tmp/err"
	same 4 $? "config show needs CAP_NET_ADMIN (the seed)"
fi

run 0 flush
echo "maglevctl kernel tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
