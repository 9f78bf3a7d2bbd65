#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `maglevctl stats --prometheus` on real counters: promtool finds nothing
# to complain about, and every value matches `maglevctl -j stats` / `-j -s
# show` (namespace counters by their JSON names, drops by reason, the
# connection table, every service and backend).
#
#   C 10.0.1.2 ───veth── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11 "b1"
#     fd00:1::2                            └── B2 10.0.2.12 fd00:2::12 "b2"
#   service tcp 10.0.0.100:80        b1, b2          24 flows
#   service tcp [fd00:100::100]:80   b1 up, b2 down  16 flows (all to b1)
#   service tcp 10.0.0.100:81        no backend      SYNs: drop no_backend
source "$(dirname "$0")/lib.sh"

require_tools
command -v promtool >/dev/null || die "promtool is not installed (tools/install-deps: prometheus)"
maglev_load
topo_setup 2
tmpdir

svc4=$VIP4:80
svc6=[$VIP6]:80
mctl service add tcp $svc4 || die "service add $svc4"
mctl service add tcp "$svc6" table-size 1021 || die "service add $svc6"
mctl service add tcp $VIP4:81 || die "service add $VIP4:81"
for ((i = 1; i <= NB; i++)); do
	mctl backend add tcp $svc4 "${BE4[i]}" weight $i || die "backend add ${BE4[i]}"
done
mctl backend add tcp "$svc6" "${BE6[1]}" || die "backend add ${BE6[1]}"
mctl backend add tcp "$svc6" "${BE6[2]}" weight 3 state down || die "backend add ${BE6[2]}"

check_flows "24 TCP/IPv4 flows reach the backend lookup names" tcp $VIP4 80 27000-27023
check_flows "16 TCP/IPv6 flows reach b1 (b2 down)" tcp $VIP6 80 27000-27015 --expect-all b1
# A service without backends drops the SYNs (reason no_backend).
c timeout 60 python3 -c "
import socket
s = socket.socket()
s.settimeout(1.5)
try:
    s.connect(('$VIP4', 81))
except OSError:
    pass
" || true

mctl stats --prometheus >"$TMPD/metrics" || die "maglevctl stats --prometheus"
# promtool exits 0 on some lint problems: its output must be empty too.
promtool_clean() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) && [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}
check "promtool check metrics: no problems" promtool_clean "$TMPD/metrics"

# compare METRICS STATS_JSON SHOW_JSON: every value the JSON has, the
# metrics have (same name rules as tools/lib/prom.c), and nothing else.
compare() {
	mctl stats --prometheus >"$TMPD/metrics" &&
		mctl -j stats >"$TMPD/stats.json" &&
		mctl -j -s show >"$TMPD/show.json" || return 1
	python3 - "$TMPD/metrics" "$TMPD/stats.json" "$TMPD/show.json" <<'EOF'
import json, re, sys
samples = {}
types = {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"# TYPE (\S+) (\S+)$", line)
    if m:
        assert m[1] not in types, f"second TYPE for {m[1]}"
        types[m[1]] = m[2]
        continue
    if line.startswith("#"):
        continue
    m = re.match(r'([a-z_]+)(\{(.*)\})? (\d+)$', line)
    assert m, f"bad line {line!r}"
    labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', m[3] or "")))
    key = (m[1], labels)
    assert key not in samples, f"duplicate series {line!r}"
    samples[key] = int(m[4])
want = {}
st = json.load(open(sys.argv[2]))
for k, v in st.items():
    if k == "conn":
        for ck, cv in v.items():
            want[(f"maglev_conn_{ck}" + ("" if ck in ("entries", "limit") else "_total"), ())] = cv
    elif k.startswith("drop_"):
        want[("maglev_dropped_packets_total", (("reason", k[5:]),))] = v
    elif k.startswith("icmp_drop_"):
        want[("maglev_icmp_dropped_packets_total", (("reason", k[10:]),))] = v
    else:
        want[(f"maglev_{k}_total", ())] = v
svcs = json.load(open(sys.argv[3]))
for s in svcs:
    sl = (("port", str(s["port"])), ("proto", s["proto"]), ("vip", s["vip"]))
    want[("maglev_service_packets_total", sl)] = s["packets"]
    want[("maglev_service_bytes_total", sl)] = s["bytes"]
    want[("maglev_service_table_size", sl)] = s["table_size"]
    want[("maglev_service_backends", sl)] = len(s["backends"])
    for b in s["backends"]:
        bl = tuple(sorted(sl + (("backend", b["addr"]),)))
        want[("maglev_backend_packets_total", bl)] = b["packets"]
        want[("maglev_backend_bytes_total", bl)] = b["bytes"]
        want[("maglev_backend_weight", bl)] = b["weight"]
        want[("maglev_backend_slots", bl)] = b["slots"]
        want[("maglev_backend_up", bl)] = int(b["state"] == "up")
bad = [f"{k}: metrics {samples.get(k)}, json {v}" for k, v in want.items() if samples.get(k) != v]
bad += [f"{k}: only in the metrics" for k in samples if k not in want]
for name, t in types.items():
    assert (t == "counter") == name.endswith("_total"), f"{name} is a {t}"
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"{len(samples)} series, {len(types)} families match the JSON")
EOF
}
# The last packets of the flows may still be counted: retry briefly.
CHECK_SHOW=1 check "every series matches maglevctl -j stats / -j -s show" busywait 10000 compare

v() { # v SERIES: its value in the metrics
	awk -v s="$1" '$1 == s { print $2 }' "$TMPD/metrics"
}
check "SYNs to the empty service counted: maglev_dropped_packets_total{reason=\"no_backend\"} $(v 'maglev_dropped_packets_total{reason="no_backend"}')" \
	test "$(v 'maglev_dropped_packets_total{reason="no_backend"}')" -gt 0
be6="{proto=\"tcp\",vip=\"$VIP6\",port=\"80\",backend=\"${BE6[2]}\"}"
check "the down backend: up 0, weight 3, no slots" \
	test "$(v "maglev_backend_up$be6")/$(v "maglev_backend_weight$be6")/$(v "maglev_backend_slots$be6")" = 0/3/0
check "forwarded packets counted: maglev_packets_total $(v maglev_packets_total)" \
	test "$(v maglev_packets_total)" -ge 40
exit $RET
