#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The BACKEND_DEL notification describes the backend that was deleted: its
# address, weight and state, not the defaults of a new backend.
#
#   F (maglev), no traffic; service tcp 10.0.0.100:80 (table-size 13),
#   backends 10.0.2.11 (weight 7, state down) and 10.0.2.12 (weight 3)
#   listening to the "config" multicast group: raw_peer.py monitor (the
#   kernel's attributes as sent) and `maglevctl -j monitor`
#   `backend del tcp 10.0.0.100:80 10.0.2.11`, then 10.0.2.12 (weight 3,
#   up): each backend_del event names the backend and its weight and state
#
# Regression: maglev_nl_be_change() filled the notification from the
# request, which for a deletion carries only the address, so every
# BACKEND_DEL event said weight 1, state up (the defaults).
source "$(dirname "$0")/lib.sh"

require_tools timeout
maglev_load
setup_ns NS_F
tmpdir

svc=$VIP4:80
mctl service add tcp $svc table-size 13 || die "service add"
mctl backend add tcp $svc 10.0.2.11 weight 7 state down || die "backend add"
mctl backend add tcp $svc 10.0.2.12 weight 3 || die "backend add"

bg python3 "$NETNS_DIR/raw_peer.py" monitor --ns "$NS_F" --out "$TMPD/raw" --ready "$TMPD/ready"
busywait 30000 test -e "$TMPD/ready" || die "raw_peer.py monitor did not start"
bg in_ns "$NS_F" "$MAGLEVCTL" -j monitor >"$TMPD/mon"

# Both listen once a stats zero event reaches both.
both_listen() {
	mctl stats zero &&
		grep -q '"stats_zero"' "$TMPD/mon" && grep -q '"stats_zero"' "$TMPD/raw"
}
busywait 30000 both_listen >/dev/null || die "the monitors do not report events"

mctl backend del tcp $svc 10.0.2.11 || die "backend del"
mctl backend del tcp $svc 10.0.2.12 || die "backend del"
busywait 30000 bash -c "[ \$(grep -c backend_del '$TMPD/mon') -ge 2 ]" >/dev/null
busywait 30000 bash -c "[ \$(grep -c backend_del '$TMPD/raw') -ge 2 ]" >/dev/null

# event FILE ADDR: the backend of the backend_del event of ADDR in FILE.
event() {
	python3 - "$1" "$2" <<-'EOF'
		import json, sys
		for line in open(sys.argv[1]):
		    ev = json.loads(line)
		    name = ev.get("event") or ev.get("cmd")
		    if name == "backend_del" and ev.get("backend", {}).get("addr") == sys.argv[2]:
		        b = ev["backend"]
		        print(b["addr"], b.get("weight", "-"), b.get("state", "-"), ev.get("service"))
		        break
	EOF
}

# kernel's notification, as sent
ev=$(event "$TMPD/raw" 10.0.2.11)
check "kernel notification: backend_del 10.0.2.11 weight 7 state down ($ev)" \
	test "$(cut -d' ' -f1-3 <<<"$ev")" = "10.0.2.11 7 down"
ev=$(event "$TMPD/raw" 10.0.2.12)
check "kernel notification: backend_del 10.0.2.12 weight 3 state up ($ev)" \
	test "$(cut -d' ' -f1-3 <<<"$ev")" = "10.0.2.12 3 up"

# maglevctl -j monitor: it names the backend; the weight and state it
# prints, if any, are the deleted backend's.
for want in "10.0.2.11 7 down" "10.0.2.12 3 up"; do
	ev=$(event "$TMPD/mon" "${want%% *}")
	read -r a w s _ <<<"$ev"
	if [ "$w $s" = "- -" ]; then
		check "maglevctl monitor: backend_del ${want%% *} (prints no weight/state)" \
			test "$a" = "${want%% *}"
	else
		check "maglevctl monitor: backend_del $want ($a $w $s)" test "$a $w $s" = "$want"
	fi
done
log_info "maglevctl -j monitor: $(grep backend_del "$TMPD/mon" | tr '\n' ' ')"
exit $RET
