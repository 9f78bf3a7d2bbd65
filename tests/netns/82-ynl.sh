#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A third-party client can drive the family from its YNL spec alone: the
# kernel's own YNL CLI (tools/net/ynl/cli.py of linux-source-6.12, given
# only include/uapi/linux/maglev.yaml) creates services and backends, which
# maglevctl -j reads back, and dumps them, the settings, a table and a
# lookup, which must agree with maglevctl's view.
#
#   F (maglev), no traffic
#   ┌──────────────────────────────────────────────┐
#   │ cli.py --spec maglev.yaml ──┐                │
#   │                             ├─ genl "maglev" │
#   │ maglevctl -j ───────────────┘                │
#   └──────────────────────────────────────────────┘
#   tcp 10.0.0.100:80 (251, hash src): 10.0.2.11 w3, fd00:2::12 down
#   udp [fd00:100::100]:53 (gre-key 42): 10.0.2.13, fd00:2::14 w2
#     (service-replace, the backend list as a multi-attr nest)
#
# The CLI is extracted from /usr/src/linux-source-6.12.tar.xz into
# tests/.out/ynl by tests/ynl-check (on the host: too slow under TCG).
source "$(dirname "$0")/lib.sh"

require_tools
ksrc=$PROJ/tests/.out/ynl/linux-source-6.12
CLI=$ksrc/tools/net/ynl/cli.py
SCHEMA=$ksrc/Documentation/netlink/genetlink-legacy.yaml
SPEC=$PROJ/include/uapi/linux/maglev.yaml
if [ ! -f "$CLI" ] || [ ! -f "$SCHEMA" ]; then
	skip "no YNL CLI in tests/.out/ynl: run tests/ynl-check on the host first"
fi
python3 -c 'import yaml, jsonschema' 2>/dev/null || skip "python3-yaml or python3-jsonschema missing"
maglev_load
setup_ns NS_F
tmpdir

# ynl ARGS: the YNL CLI in F, JSON out. Each run parses the spec (pure
# Python YAML: seconds under TCG); the first also validates it against the
# schema, the others skip that (--no-schema).
ynl_validate() { f python3 "$CLI" --spec "$SPEC" --schema "$SCHEMA" --output-json "$@"; }
ynl() { f python3 "$CLI" --spec "$SPEC" --no-schema --output-json "$@"; }
# Addresses as the spec encodes them: IPv4 a number, IPv6 hex.
ip4() { python3 -c 'import ipaddress, sys; print(int(ipaddress.ip_address(sys.argv[1])))' "$1"; }
ip6() { python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]).packed.hex())' "$1"; }

SVC4='"proto": 6, "addr4": '$(ip4 "$VIP4")', "port": 80'
SVC6='"proto": 17, "addr6": "'$(ip6 "$VIP6")'", "port": 53'

check "YNL service-new tcp $VIP4:80 (table-size 251, hash src), spec validated" \
	ynl_validate --do service-new --json '{"service": {'"$SVC4"', "table-size": 251, "hash": "src"}}'
# Three requests in one netlink message, as the CLI's --multi sends them.
check "YNL backend-new 10.0.2.11 weight 3, fd00:2::12 down; service-replace udp [$VIP6]:53 with two backends and a GRE key" \
	ynl --multi backend-new '{"service": {'"$SVC4"'}, "backend": {"addr4": '"$(ip4 10.0.2.11)"', "weight": 3}}' \
	--multi backend-new '{"service": {'"$SVC4"'}, "backend": {"addr6": "'"$(ip6 fd00:2::12)"'", "state": "down"}}' \
	--multi service-replace '{"service": {'"$SVC6"', "flags": ["gre-key"], "gre-key": 42,
		"backends": {"backend": [{"addr4": '"$(ip4 10.0.2.13)"'},
			{"addr6": "'"$(ip6 fd00:2::14)"'", "weight": 2}]}}}'
ynl --do service-new --json '{"service": {'"$SVC4"'}}' >"$TMPD/exists.out" 2>&1
rc=$?
check "YNL service-new of an existing service fails with EEXIST" \
	test $rc != 0 -a -n "$(grep -i 'exists' "$TMPD/exists.out")"

# maglevctl's view of what YNL configured.
mctl -j show >"$TMPD/show.json" || die "maglevctl -j show"
check "maglevctl -j show reads back what YNL configured" python3 - "$TMPD/show.json" "$VIP4" "$VIP6" <<'PY'
import json, sys
d = {(s['proto'], s['vip'], s['port']): s for s in json.load(open(sys.argv[1]))}
t, u = d[('tcp', sys.argv[2], 80)], d[('udp', sys.argv[3], 53)]
assert len(d) == 2, d
assert (t['table_size'], t['hash'], t['gre_key']) == (251, 'src', None), t
assert {(b['addr'], b['weight'], b['state']) for b in t['backends']} == \
    {('10.0.2.11', 3, 'up'), ('fd00:2::12', 1, 'down')}, t['backends']
assert u['gre_key'] == 42, u
assert {(b['addr'], b['weight'], b['state']) for b in u['backends']} == \
    {('10.0.2.13', 1, 'up'), ('fd00:2::14', 2, 'up')}, u['backends']
PY

# YNL's view: a dump of every service, decoded from the spec alone.
ynl --dump service-get >"$TMPD/dump.json" || die "YNL service-get dump"
check "YNL service-get dump agrees with maglevctl (addresses, weights, states, slots)" \
	python3 - "$TMPD/dump.json" "$TMPD/show.json" <<'PY'
import json, sys
ynl = {}
for msg in json.load(open(sys.argv[1])):
    s = msg['service']
    vip = s.get('addr4') or s.get('addr6')
    key = ({6: 'tcp', 17: 'udp'}[s['proto']], vip, s['port'])
    e = ynl.setdefault(key, {'s': s, 'be': []})
    e['be'] += s.get('backends', {}).get('backend', [])
show = json.load(open(sys.argv[2]))
assert len(ynl) == len(show) == 2, (ynl.keys(), len(show))
for m in show:
    e = ynl[(m['proto'], m['vip'], m['port'])]
    s = e['s']
    assert s['table-size'] == m['table_size'] and s['hash'] == m['hash'], (s, m)
    assert ('gre-key' in s['flags']) == (m['gre_key'] is not None), (s, m)
    got = {(b.get('addr4') or b.get('addr6'), b['weight'], b['state'], b['slots'])
           for b in e['be']}
    want = {(b['addr'], b['weight'], b['state'], b['slots']) for b in m['backends']}
    assert got == want, (got, want)
    assert sum(b['slots'] for b in e['be']) == s['table-size'], e['be']
PY

ynl --do config-get >"$TMPD/config.json" || die "YNL config-get"
mctl -j config show >"$TMPD/mconfig.json" || die "maglevctl -j config show"
check "YNL config-get decodes the settings (enums, nested timeouts)" \
	python3 - "$TMPD/config.json" "$TMPD/mconfig.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))['config']
m = json.dumps(json.load(open(sys.argv[2])))
assert c['max-table-size'] == 1048573, c
assert c['expire-nodest'] in ('drop', 'rehash'), c
assert set(c['timeouts']) == {'tcp-syn', 'tcp-est', 'tcp-fin', 'tcp-close', 'udp', 'sctp'}, c
assert str(c['conn-max']) in m and str(c['max-services']) in m, (c, m)
PY

ynl --dump table-get --json '{"service": {'"$SVC4"'}}' >"$TMPD/table.json" || die "YNL table-get"
check "YNL table-get: 251 slots, each owned by the up backend's index" \
	python3 - "$TMPD/table.json" <<'PY'
import json, sys
slots, idx = [], {}
# the first messages map indexes to addresses, the next ones carry slots
for msg in json.load(open(sys.argv[1])):
    slots += msg.get('table-slots', [])
    for b in msg.get('backends', {}).get('backend', []):
        idx[b['index']] = b.get('addr4') or b.get('addr6')
assert len(slots) == 251, len(slots)
assert {idx[i] for i in slots} == {'10.0.2.11'}, set(slots)
PY

# The same flow through both clients: same backend, hash and slot.
ynl --do lookup --json '{"flow": {"proto": 6, "saddr4": '"$(ip4 "$C4")"', "daddr4": '"$(ip4 "$VIP4")"',
	"sport": 40000, "dport": 80}}' >"$TMPD/lookup.json" || die "YNL lookup"
mctl -j lookup tcp "$C4:40000" "$VIP4:80" >"$TMPD/mlookup.json" || die "maglevctl lookup"
check "YNL lookup agrees with maglevctl lookup" \
	python3 - "$TMPD/lookup.json" "$TMPD/mlookup.json" <<'PY'
import json, sys
y, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert y['lookup']['reason'] == m['reason'] == 'table', (y, m)
# backend is a multi-attr (it repeats inside backend lists): a list
assert y['backend'][0]['addr4'] == m['backend']['addr'] == '10.0.2.11', (y, m)
assert (y['lookup']['hash'], y['lookup']['slot']) == (m['hash'], m['slot']), (y, m)
PY

check "YNL service-del tcp $VIP4:80, then flush" \
	ynl --multi service-del '{"service": {'"$SVC4"'}}' --multi flush '{}'
check "maglevctl sees no service" test "$(mctl -j show | json_get 'len(d)')" = 0

exit "$RET"
