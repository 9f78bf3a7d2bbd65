#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration churn under traffic: for MAGLEV_CHURN_SECONDS (30) a tight
# loop of backend add/del, weight and state changes, table-size changes,
# new seeds and `conn flush` (thousands a second on distro kernels: the
# churner speaks generic netlink itself), with whole-service replaces by
# `maglevctl restore` of two saved files in turn every 2 s, while TCP and
# UDP flows run. Afterwards the configuration is exactly what the steps
# made it, traffic follows it, and the module unloads cleanly. Meant for
# the debug kernel (lockdep, PROVE_RCU, KASAN), where the packet path and
# the writers race for real.
#
#   C 10.0.1.2 ──veth── F (maglev) ─veths─┬── B1 10.0.2.11 fd00:2::11 "b1"
#     fd00:1::2                           ├── B2 10.0.2.12 fd00:2::12 "b2"
#     40 TCP connections held open        ├── B3 10.0.2.13 fd00:2::13 "b3"
#       to VIP4:7000 (conn_peer.py)       └── B4 10.0.2.14 fd00:2::14 "b4"
#     a UDP flow of 8 sports to VIP4:80, a datagram each per 0.2 s
#     rounds of 20 short TCP flows to VIP4:80, one after the other
#   services tcp 10.0.0.100:7000, tcp 10.0.0.100:80, udp 10.0.0.100:80,
#   udp [fd00:100::100]:80; their backends among b1-b4 (v6 ones for v6)
#   as file A says, then as the changes make them
#
# The churner (churn.py, written below) keeps a model of what each change
# did (backends with weight and state per service, table sizes, the seed);
# the script compares it with `maglevctl -j show` and `config show` at the
# end. Then new flows must reach the backend the kernel's lookup names,
# restore A must give every backend flows, and rmmod must leave a clean
# kernel log. Held connections may break (backends go down, tables move):
# only reported.
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/conn_lib.sh
source "$(dirname "$0")/conn_lib.sh"

require_tools dmesg
[ -d /sys/module/maglev ] && skip "maglev is already loaded: this scenario unloads it at the end"
maglev_load
topo_setup 4
tmpdir

secs=${MAGLEV_CHURN_SECONDS:-30}
port=7000
nheld=40

# The churner: talks generic netlink itself (peer.py's helpers), hundreds
# of changes a second even under TCG, and runs `maglevctl restore` of A and
# B in turn every 2 s. It keeps a model of the configuration.
cat >"$TMPD/churn.py" <<'EOF'
import ipaddress, json, os, random, socket, struct, subprocess, sys, time
netns_dir, tmpd, mode = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, netns_dir)
sys.dont_write_bytecode = True
import peer  # noqa: E402

vip4, vip6 = os.environ["VIP4"], os.environ["VIP6"]
be4, be6 = os.environ["BE4S"].split(), os.environ["BE6S"].split()
SVCS = [("tcp", vip4, 7000), ("tcp", vip4, 80), ("udp", vip4, 80), ("udp", vip6, 80)]
SIZES = [251, 509, 1021, 2039, 4093, 65537]
# seed, then per service: table size and {backend index: (weight, state)}
FILES = {
    "A": ("0123456789abcdef0123456789abcdef",
          [(1021, {0: (1, "up"), 1: (1, "up"), 2: (1, "up")}),
           (1021, {0: (1, "up"), 1: (1, "up")}),
           (251, {0: (1, "up"), 1: (1, "up"), 2: (1, "up")}),
           (251, {0: (1, "up"), 1: (1, "up")})]),
    "B": ("fedcba9876543210fedcba9876543210",
          [(2039, {1: (2, "up"), 2: (1, "up"), 3: (3, "up")}),
           (509, {2: (1, "up"), 3: (1, "up"), 0: (2, "down")}),
           (1021, {0: (1, "up"), 3: (5, "up")}),
           (509, {1: (1, "up"), 2: (1, "up"), 3: (2, "up")})]),
}

def be_addr(s, b):
    return (be6 if ":" in SVCS[s][1] else be4)[b]

def ep(s):
    p, v, port = SVCS[s]
    return f"[{v}]:{port}" if ":" in v else f"{v}:{port}"

def write_file(name):
    seed, svcs = FILES[name]
    with open(f"{tmpd}/{name}", "w") as f:
        f.write(f"config set seed {seed}\n")
        for s, (ts, bes) in enumerate(svcs):
            f.write(f"service add {SVCS[s][0]} {ep(s)} table-size {ts}\n")
            for b, (w, st) in bes.items():
                f.write(f"backend add {SVCS[s][0]} {ep(s)} {be_addr(s, b)} weight {w} state {st}\n")

class Model:
    def __init__(self, name):
        self.load(name)

    def load(self, name):
        seed, svcs = FILES[name]
        self.seed = seed
        self.ts = [ts for ts, _ in svcs]
        self.be = [dict(bes) for _, bes in svcs]

    def dump(self, path):
        with open(path, "w") as f:
            f.write(f"seed {self.seed}\n")
            for s in range(len(SVCS)):
                f.write(f"svc {SVCS[s][0]} {ep(s)} {self.ts[s]}\n")
                for b, (w, st) in sorted(self.be[s].items()):
                    f.write(f"be {SVCS[s][0]} {ep(s)} {be_addr(s, b)} {w} {st}\n")

class Ctl(peer.Genl):
    def do(self, cmd, attrs):
        """0 or the errno of the kernel's answer."""
        self.seq += 1
        msg = struct.pack("=BBH", cmd, 1, 0) + attrs
        self.sk.send(struct.pack("=IHHII", 16 + len(msg), self.family, 1 | 4, self.seq, 0) + msg)
        while True:
            data = self.sk.recv(65536)
            off = 0
            while off < len(data):
                ln, mtype, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                body = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if seq == self.seq and mtype == 2:
                    return -struct.unpack_from("=i", body)[0]

def main():
    for name in FILES:
        write_file(name)
    if mode == "init":
        return 0
    fwd_ns, maglevctl, secs = sys.argv[4], sys.argv[5], float(sys.argv[6])
    e = peer.uapi_enums()
    N = peer.NLA_F_NESTED
    nla = peer.nla
    ctl = Ctl(fwd_ns)
    m = Model("A")

    def key(s):
        p, v, port = SVCS[s]
        a = ipaddress.ip_address(v)
        return (nla(e["MAGLEV_SVC_A_PROTO"], struct.pack("=B", 6 if p == "tcp" else 17)) +
                nla(e["MAGLEV_SVC_A_ADDR6" if a.version == 6 else "MAGLEV_SVC_A_ADDR4"], a.packed) +
                nla(e["MAGLEV_SVC_A_PORT"], struct.pack("=H", port)))

    def svc(s, extra=b""):
        return nla(e["MAGLEV_A_SERVICE"] | N, key(s) + extra)

    def be(s, b, w=None, st=None):
        a = ipaddress.ip_address(be_addr(s, b))
        x = nla(e["MAGLEV_BE_A_ADDR6" if a.version == 6 else "MAGLEV_BE_A_ADDR4"], a.packed)
        if w is not None:
            x += nla(e["MAGLEV_BE_A_WEIGHT"], struct.pack("=I", w))
        if st is not None:
            x += nla(e["MAGLEV_BE_A_STATE"], struct.pack("=B", 1 if st == "up" else 0))
        return nla(e["MAGLEV_A_BACKEND"] | N, x)

    counts, fails = {}, []
    nxt = "B"
    last = ""
    end = time.monotonic() + secs
    next_restore = time.monotonic() + 2
    n = 0
    while time.monotonic() < end:
        s = random.randrange(len(SVCS))
        have = sorted(m.be[s])
        b = random.choice(have)
        if time.monotonic() >= next_restore:
            kind = "restore"
            last = f"maglevctl restore {nxt}"
            peer.setns(fwd_ns)
            try:
                r = subprocess.run([maglevctl, "restore", f"{tmpd}/{nxt}"],
                                   capture_output=True, text=True)
            finally:
                peer.setns(None)
            err = r.returncode and (r.stderr.strip() or f"exit {r.returncode}")
            if not err:
                m.load(nxt)
            nxt = "A" if nxt == "B" else "B"
            next_restore = time.monotonic() + 2
        else:
            kind = random.choice(["add-del", "weight", "state", "table-size", "seed",
                                  "conn-flush", "del"])
            if kind == "add-del" and len(have) < 4:
                nb = random.choice([x for x in range(4) if x not in have])
                w, st = random.randrange(4), random.choice(["up", "up", "up", "down"])
                last = f"backend add {ep(s)} {be_addr(s, nb)} weight {w} state {st}"
                err = ctl.do(e["MAGLEV_CMD_BACKEND_NEW"], svc(s) + be(s, nb, w, st))
                if not err:
                    m.be[s][nb] = (w, st)
            elif kind == "add-del" or (kind == "del" and len(have) > 1):
                last = f"backend del {ep(s)} {be_addr(s, b)}"
                err = ctl.do(e["MAGLEV_CMD_BACKEND_DEL"], svc(s) + be(s, b))
                if not err:
                    del m.be[s][b]
            elif kind == "weight":
                w = random.randrange(6)
                last = f"backend set {ep(s)} {be_addr(s, b)} weight {w}"
                err = ctl.do(e["MAGLEV_CMD_BACKEND_SET"], svc(s) + be(s, b, w=w))
                if not err:
                    m.be[s][b] = (w, m.be[s][b][1])
            elif kind == "state":
                st = "down" if m.be[s][b][1] == "up" else "up"
                last = f"backend set {ep(s)} {be_addr(s, b)} state {st}"
                err = ctl.do(e["MAGLEV_CMD_BACKEND_SET"], svc(s) + be(s, b, st=st))
                if not err:
                    m.be[s][b] = (m.be[s][b][0], st)
            elif kind == "table-size":
                ts = random.choice(SIZES)
                last = f"service set {ep(s)} table-size {ts}"
                err = ctl.do(e["MAGLEV_CMD_SERVICE_SET"],
                             svc(s, nla(e["MAGLEV_SVC_A_TABLE_SIZE"], struct.pack("=I", ts))))
                if not err:
                    m.ts[s] = ts
            elif kind == "seed":
                seed = "%032x" % random.getrandbits(128)
                last = f"config set seed {seed}"
                err = ctl.do(e["MAGLEV_CMD_CONFIG_SET"],
                             nla(e["MAGLEV_A_CONFIG"] | N,
                                 nla(e["MAGLEV_CFG_A_SEED"], bytes.fromhex(seed))))
                if not err:
                    m.seed = seed
            elif kind == "conn-flush":
                last = "conn flush" + (f" {ep(s)}" if n % 2 else "")
                err = ctl.do(e["MAGLEV_CMD_CONN_FLUSH"], svc(s) if n % 2 else b"")
            else:
                kind, last, err = "none", "(nothing)", 0
        counts[kind] = counts.get(kind, 0) + 1
        if err:
            fails.append(f"{last}: {err if isinstance(err, str) else os.strerror(err)}")
        n += 1
    m.dump(f"{tmpd}/model")
    json.dump({"n": n, "counts": counts, "fails": fails, "last": last},
              open(f"{tmpd}/churn.json", "w"))
    return 0

sys.exit(main())
EOF
export VIP4 VIP6
BE4S="${BE4[*]}" BE6S="${BE6[*]}"
export BE4S BE6S
python3 "$TMPD/churn.py" "$NETNS_DIR" "$TMPD" init || die "churn.py init"
mctl restore "$TMPD/A" || die "restore A"

conn_servers_start
hold_start 50000-$((50000 + nheld - 1))

# Traffic during the churn: a UDP flow and rounds of short TCP flows.
bg python3 "$NETNS_DIR/conn_peer.py" udp --client-ns "$NS_C" --interval 0.2 \
	--duration $((secs + 5)) --out "$TMPD/udp" $C4 $VIP4 80 33000-33007
udp_pid=${BG_PIDS[-1]}
tcp_rounds() {
	local r=0
	while [ ! -e "$TMPD/stop" ]; do
		python3 "$PEER" flows --client-ns "$NS_C" --fwd-ns "$NS_F" --map "$(be_map 4)" \
			--timeout 3 tcp $C4 $VIP4 80 $((34000 + (r % 50) * 20))-$((34019 + (r % 50) * 20)) \
			>/dev/null 2>&1
		r=$((r + 1))
		echo $r >"$TMPD/tcp_rounds"
	done
}
bg tcp_rounds
tcp_pid=${BG_PIDS[-1]}

python3 "$TMPD/churn.py" "$NETNS_DIR" "$TMPD" churn "$NS_F" "$MAGLEVCTL" "$secs" ||
	die "churn.py failed"
touch "$TMPD/stop"
read -r n counts nfail last < <(json_get '"%d %s %d %s" % (d["n"], ",".join(f"{k}:{v}" for k, v in sorted(d["counts"].items())), len(d["fails"]), d["last"])' <"$TMPD/churn.json")
log_info "the changes: $counts"
if [ "$nfail" = 0 ]; then
	log_pass "$n changes in ${secs}s, every one accepted (the last: $last)"
else
	log_fail "$n changes in ${secs}s, $nfail refused:"
	json_get '"\n".join("    " + f for f in d["fails"][:20])' <"$TMPD/churn.json"
fi
wait "$tcp_pid"
wait "$udp_pid"
log_info "traffic during the churn: $(cat "$TMPD/tcp_rounds" 2>/dev/null || echo 0) rounds of 20 TCP flows;" \
	"UDP: $(awk '$3 != "-" { a++ } END { printf "%d of %d datagrams answered", a, NR }' "$TMPD/udp")"

mctl -j show >"$TMPD/show" && mctl -j config show >"$TMPD/cfg" || die "maglevctl show"
check "the configuration is what the $n changes made it" python3 - "$TMPD" <<'EOF'
import ipaddress, json, sys
d = sys.argv[1]

def ep(s):
    vip, port = s.rsplit(":", 1)
    return str(ipaddress.ip_address(vip.strip("[]"))), int(port)

want, got = set(), set()
for line in open(f"{d}/model"):
    w = line.split()
    if w[0] == "seed":
        want.add(("seed", w[1].lower()))
    elif w[0] == "svc":
        want.add(("svc", w[1], *ep(w[2]), int(w[3])))
    else:
        want.add(("be", w[1], *ep(w[2]), str(ipaddress.ip_address(w[3])), int(w[4]), w[5]))
got.add(("seed", json.load(open(f"{d}/cfg"))["seed"].lower()))
for s in json.load(open(f"{d}/show")):
    key = (s["proto"], str(ipaddress.ip_address(s["vip"])), s["port"])
    got.add(("svc", *key, s["table_size"]))
    for b in s["backends"]:
        got.add(("be", *key, str(ipaddress.ip_address(b["addr"])), b["weight"], b["state"]))
for x in sorted(want - got, key=str):
    print("  expected, missing:", *x)
for x in sorted(got - want, key=str):
    print("  present, unexpected:", *x)
sys.exit(want != got)
EOF

hold "" round same
log_info "held connections after the churn: $HOLD_LINE"
hold "" quit

# Traffic follows the final configuration (a service may have no usable
# backend left: then its flows must go unanswered, as lookup says).
check_flows "after the churn: 40 TCP flows to $VIP4:80 as lookup says" tcp $VIP4 80 36000-36039 \
	--expect-all ""
check_flows "after the churn: 40 UDP flows to [$VIP6]:80 as lookup says" udp $VIP6 80 36000-36039 \
	--expect-all ""
mctl restore "$TMPD/A" || die "restore A at the end"
check_flows "restore A: 60 TCP flows to $VIP4:80 reach b1 and b2" tcp $VIP4 80 37000-37059 \
	--expect-all b1,b2
check_flows "restore A: 60 UDP flows to $VIP4:80 reach b1, b2 and b3" udp $VIP4 80 37000-37059 \
	--expect-all b1,b2,b3

marker="maglev-test: 88-churn rmmod $$"
echo "$marker" >/dev/kmsg
if check "rmmod maglev" rmmod maglev; then
	MAGLEV_LOADED_HERE=0
fi
dmesg >"$TMPD/dmesg"
bad_re='Slab cache still has objects|BUG:|WARNING:|KASAN:|UBSAN:|general protection|Oops|refcount_t:|list_(add|del) corruption|suspicious RCU usage|possible circular locking|maglev.*(BUG|WARN|leak)'
if grep -Eq "$bad_re" "$TMPD/dmesg"; then
	log_fail "the kernel log has reports:"
	grep -E -B2 -A20 "$bad_re" "$TMPD/dmesg" | head -n 80 | sed 's/^/    /'
else
	log_pass "the kernel log is clean"
fi
exit $RET
