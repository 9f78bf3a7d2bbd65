#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Long-lived flows for the connection-table scenarios (tests/netns/9x-conn-*.sh).
# peer.py's TCP server answers once and closes; these scenarios need
# connections that stay open while the forwarder's configuration changes.
# Netlink helpers come from peer.py (same directory).
#
#   conn_peer.py server --ready FILE --ports P,... NETNS=NAME...
#       TCP (IPv4 and IPv6) on every port P in every NETNS: every line a
#       client sends is answered with "NAME\n"; the connection stays open
#       until the client closes it.
#   conn_peer.py hold --client-ns C --fwd-ns F --map ADDR=NAME,...
#           [--maglevctl PATH] SRC DST PORT SPORTS
#       From C, one TCP connection per sport in SPORTS to DST:PORT, each
#       learning the name of its backend. Then reads commands on stdin and
#       answers each with one line on stdout, "ok ..." or "fail ...", details
#       on stderr (for bash's coproc). EXPECT below is "same" (every live
#       flow keeps its backend), "break=N,..." (the flows of backends N are
#       reset, the others keep theirs), "drop=N,..." (theirs get no answer,
#       the others keep theirs) or "moved=N,..." / "nodest=N,..." for
#       entries. Commands (ns=NAME: another forwarder than F):
#         round EXPECT            every live flow sends a line, reads the
#                                 answer; broken flows are closed
#         entries [ns=] EXPECT    `maglevctl -j conn list` has an entry per
#                                 live flow naming its backend, state
#                                 tcp-est ("moved=N": the flows of N name
#                                 another backend; "nodest=N": no backend;
#                                 "gone=N": they have no entry)
#         lookup [ns=] EXPECT     kernel lookup of every live flow: reason
#                                 "conn" and its backend ("nodest=N": N's
#                                 flows "nodest-drop"; "table=N": N's flows
#                                 "table", to another backend); tells how many the
#                                 table alone would send elsewhere
#         moved-by-table [ns=]    "ok K": live flows the table would send to
#                                 another backend than their entry's
#         reconnect N,...         the flows of backends N vanish silently
#                                 (TCP_REPAIR close: no FIN, no RST) and
#                                 connect again from the same ports; each
#                                 must reach the table's choice
#         new SPORTS [all=N,..] [none=N,..]
#                                 new connections from SPORTS reach the
#                                 backend the kernel's lookup names (a
#                                 sample with `maglevctl -j lookup` too,
#                                 reason "table"), then close
#         quit
#   conn_peer.py synflood --client-ns C --fwd-ns F --dst VIP --port P
#           --count N [--batch B] [--net 198.18.0.0/15] --out FILE
#       From C, N TCP SYNs (raw socket, IP_HDRINCL) from distinct spoofed
#       sources in NET, in batches of B: the next batch once F's table
#       counted this one's misses (so no receive queue overflows, even on a
#       slow debug kernel), polling F's connection table statistics
#       (netlink). Writes a JSON report: sent, polls, the highest entries
#       seen, the limit, and the statistics before and after.
#   conn_peer.py udp --client-ns C SRC DST PORT SPORTS --interval S
#           --duration S --out FILE
#       UDP flows, one per sport, each sending a datagram every S seconds
#       for S seconds; writes "t sport answer" lines (answer "-" when none
#       came within the interval).
#   conn_peer.py stats --fwd-ns F
#       The connection table statistics as JSON (netlink).
#
# Standard library only.
import argparse
import errno
import ipaddress
import json
import os
import random
import selectors
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer  # noqa: E402  (setns, Genl, nla, kernel_lookups, ...)
from peer import setns, norm, endpoint, parse_ports  # noqa: E402

TCP_REPAIR = 19  # <linux/tcp.h>


def err(*a):
    print(*a, file=sys.stderr, flush=True)


def names_map(spec):
    m = {}
    for item in filter(None, spec.split(",")):
        a, n = item.split("=", 1)
        m[norm(a)] = n
    return m


# ---------------------------------------------------------------- server

def server(args):
    sel = selectors.DefaultSelector()
    for item in args.netns:
        ns, name = item.split("=", 1)
        reply = (name + "\n").encode()
        setns(ns)
        for port in args.ports:
            for fam, any_addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
                t = socket.socket(fam, socket.SOCK_STREAM)
                t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if fam == socket.AF_INET6:
                    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                t.bind((any_addr, port))
                t.listen(4096)
                t.setblocking(False)
                sel.register(t, selectors.EVENT_READ, ("listen", reply))
        setns(None)
    with open(args.ready, "w") as f:
        f.write(f"{os.getpid()}\n")
    bufs = {}
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            kind, reply = key.data
            if kind == "listen":
                try:
                    c, _ = s.accept()
                except OSError:
                    continue
                c.setblocking(False)
                bufs[c] = b""
                sel.register(c, selectors.EVENT_READ, ("conn", reply))
                continue
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                del bufs[s]
                s.close()
                continue
            bufs[s] += data
            n = bufs[s].count(b"\n")
            bufs[s] = bufs[s].rsplit(b"\n", 1)[-1]
            try:
                s.send(reply * n)
            except OSError:
                pass


# ---------------------------------------------------------------- netlink

def genl_dump(g, cmd, attrs=b""):
    """Every message of a dump (peer.Genl.dump; raw_peer.py calls this)."""
    return g.dump(cmd, attrs)


def conn_stats(g, e):
    r = g.request(g.family, e["MAGLEV_CMD_STATS_GET"], 1, b"")
    cs = peer.nla_parse(r.get(e["MAGLEV_A_CONN_STATS"], b""))
    st = peer.nla_parse(r.get(e["MAGLEV_A_STATS"], b""))
    out = {}
    for k, v in e.items():
        if k.startswith("MAGLEV_CONN_STATS_A_") and v in cs and k != "MAGLEV_CONN_STATS_A_PAD":
            raw = cs[v]
            out[k[len("MAGLEV_CONN_STATS_A_"):].lower()] = \
                struct.unpack("=I" if len(raw) == 4 else "=Q", raw)[0]
    raw = st.get(e["MAGLEV_STATS_A_PACKETS"])
    out["packets"] = struct.unpack("=Q", raw)[0] if raw else 0
    return out


def stats_cmd(args):
    e = peer.uapi_enums()
    g = peer.Genl(args.fwd_ns)
    print(json.dumps(conn_stats(g, e)))
    return 0


# ---------------------------------------------------------------- hold

class Flow:
    def __init__(self, sport):
        self.sport = sport
        self.sock = None
        self.name = None       # backend it answered from at first
        self.state = "new"     # live, broken, dropped
        self.buf = b""


class Holder:
    def __init__(self, args):
        self.a = args
        self.names = names_map(args.map)
        self.addr_of = {n: a for a, n in self.names.items()}
        self.flows = [Flow(sp) for sp in parse_ports(args.sports)]
        self.e = peer.uapi_enums()
        self.g = {}

    # -- sockets
    def open(self, flows, timeout):
        """Connect flows and read their first answer; returns {sport: result}."""
        setns(self.a.client_ns)
        try:
            for f in flows:
                s = socket.socket(peer.family(self.a.dst), socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((self.a.src, f.sport))
                s.setblocking(False)
                try:
                    s.connect((self.a.dst, self.a.port))
                except BlockingIOError:
                    pass
                f.sock, f.buf, f.state = s, b"", "connecting"
        finally:
            setns(None)
        sel = selectors.DefaultSelector()
        for f in flows:
            sel.register(f.sock, selectors.EVENT_WRITE, f)
        res = {}
        end = time.monotonic() + timeout
        while len(res) < len(flows):
            left = end - time.monotonic()
            if left <= 0:
                break
            for key, ev in sel.select(left):
                f = key.data
                if ev & selectors.EVENT_WRITE:
                    e = f.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if e:
                        res[f.sport] = f"-({os.strerror(e)})"
                        sel.unregister(f.sock)
                        continue
                    f.sock.send(b"hello\n")
                    sel.modify(f.sock, selectors.EVENT_READ, f)
                    continue
                r = self.recv_line(f)
                if r is not None:
                    res[f.sport] = r
                    sel.unregister(f.sock)
        sel.close()
        for f in flows:
            r = res.setdefault(f.sport, "-(timeout)")
            if r.startswith("-"):
                self.kill(f, "broken")
            else:
                f.state = "live"
        return res

    def recv_line(self, f):
        """A complete answer line, "-(error)" on EOF/error, None: wait."""
        try:
            d = f.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            return f"-({errno.errorcode.get(e.errno, e.errno)})"
        if not d:
            return "-(EOF)"
        f.buf += d
        if b"\n" not in f.buf:
            return None
        line, f.buf = f.buf.split(b"\n", 1)
        return line.decode(errors="replace").strip()

    def kill(self, f, state):
        if f.sock:
            try:
                f.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                  struct.pack("ii", 1, 0))
            except OSError:
                pass
            f.sock.close()
        f.sock, f.state = None, state

    def vanish(self, f):
        """Close without a packet: TCP_REPAIR then close."""
        setns(self.a.client_ns)
        try:
            f.sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
        finally:
            setns(None)
        f.sock.close()
        f.sock, f.state = None, "gone"

    def live(self):
        return [f for f in self.flows if f.state == "live"]

    # -- expectations
    @staticmethod
    def expect(spec):
        """("same"|"break"|"drop"|"moved"|"nodest", {names})"""
        if spec == "same":
            return "same", set()
        kind, names = spec.split("=", 1)
        return kind, set(filter(None, names.split(",")))

    def summary(self, flows):
        per = {}
        for f in flows:
            per[f.name] = per.get(f.name, 0) + 1
        return " ".join(f"{n}:{per[n]}" for n in sorted(per))

    # -- commands
    def cmd_round(self, spec):
        kind, victims = self.expect(spec)
        flows = self.live()
        if not flows:
            return "fail no live flow"
        sel = selectors.DefaultSelector()
        for f in flows:
            try:
                f.sock.send(b"ping\n")
                sel.register(f.sock, selectors.EVENT_READ, f)
            except OSError as e:
                f.result = f"-({errno.errorcode.get(e.errno, e.errno)})"
                continue
            f.result = None
        # Flows that must not answer (dropped) take the whole timeout.
        end = time.monotonic() + (self.a.drop_wait if kind == "drop" else self.a.timeout)
        pending = sum(1 for f in flows if f.result is None)
        while pending:
            left = end - time.monotonic()
            if left <= 0:
                break
            for key, _ in sel.select(left):
                f = key.data
                r = self.recv_line(f)
                if r is not None:
                    f.result = r
                    sel.unregister(f.sock)
                    pending -= 1
        sel.close()
        same = moved = broken = silent = 0
        bad = []
        for f in flows:
            r = f.result or "-(no answer)"
            victim = f.name in victims
            if r == f.name:
                same += 1
                ok = not victim
            elif r.startswith("-(no answer"):
                silent += 1
                ok = victim and kind == "drop"
            elif r.startswith("-"):
                broken += 1
                ok = victim and kind == "break"
                self.kill(f, "broken")
            else:
                moved += 1
                ok = False
            if not ok:
                bad.append(f"  sport {f.sport} (was {f.name}): {r}")
        msg = (f"{len(flows)} flows: {same} same backend, {moved} moved, "
               f"{broken} reset/closed, {silent} unanswered")
        return self.report(msg, bad)

    def report(self, msg, bad):
        for line in bad[:10]:
            err(line)
        if len(bad) > 10:
            err(f"  ... and {len(bad) - 10} more")
        return ("fail " if bad else "ok ") + msg

    def fwd(self, opts):
        return opts.get("ns", self.a.fwd_ns)

    def maglevctl_json(self, ns, *argv):
        setns(ns)
        try:
            r = subprocess.run([self.a.maglevctl, "-j", *argv],
                               capture_output=True, text=True)
        finally:
            setns(None)
        if r.returncode:
            raise RuntimeError(f"maglevctl -j {' '.join(argv)}: exit "
                               f"{r.returncode}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def cmd_entries(self, spec, opts):
        kind, victims = self.expect(spec)
        ns = self.fwd(opts)
        ents = self.maglevctl_json(ns, "conn", "list")
        by = {}
        for c in ents:
            if (c["proto"] == "tcp" and norm(c["saddr"]) == norm(self.a.src) and
                    norm(c["daddr"]) == norm(self.a.dst) and c["dport"] == self.a.port):
                by.setdefault(c["sport"], []).append(c)
        bad = []
        flows = [f for f in self.flows if f.state in ("live", "broken")]
        n = 0
        for f in flows:
            if f.state == "broken" and f.name not in victims:
                continue
            n += 1
            es = by.get(f.sport, [])
            if kind == "gone" and f.name in victims:
                if es:
                    bad.append(f"  sport {f.sport} (was {f.name}): {len(es)} entries left")
                continue
            if len(es) != 1:
                bad.append(f"  sport {f.sport} (was {f.name}): {len(es)} entries")
                continue
            c = es[0]
            be = self.names.get(norm(c["backend"]), c["backend"]) if c["backend"] else None
            victim = f.name in victims
            if kind == "moved" and victim:
                ok = be is not None and be != f.name
            elif kind == "nodest" and victim:
                ok = be is None
            else:
                ok = be == f.name and c["state"] == "tcp-est"
            if not ok:
                bad.append(f"  sport {f.sport} (was {f.name}): entry backend "
                           f"{be or '-'} state {c['state']}")
        per = {}
        for es in by.values():
            for c in es:
                k = self.names.get(norm(c["backend"]), c["backend"]) if c["backend"] else "-"
                per[k] = per.get(k, 0) + 1
        msg = (f"{n} flows checked against {sum(len(v) for v in by.values())} "
               f"entries (by backend {' '.join(f'{k}:{v}' for k, v in sorted(per.items()))})")
        return self.report(msg, bad)

    def table_choice(self, ns, flows):
        """{sport: name the Maglev table alone picks} (lookup slot + table)."""
        svc = endpoint(self.a.dst, self.a.port)
        t = self.maglevctl_json(ns, "table", "tcp", svc)
        slots = t["slots"]
        lk = peer.kernel_lookups(ns, "tcp", self.a.src, self.a.dst, self.a.port,
                                 [f.sport for f in flows])
        out = {}
        for f, (reason, addr, slot) in zip(flows, lk):
            a = slots[slot] if slot is not None else None
            out[f.sport] = (self.names.get(norm(a), a) if a else None, reason,
                            self.names.get(addr, addr) if addr else None)
        return out

    def cmd_lookup(self, spec, opts):
        kind, victims = self.expect(spec)
        ns = self.fwd(opts)
        flows = [f for f in self.flows if f.state == "live" or
                 (f.name in victims and f.state not in ("gone", "new"))]
        tc = self.table_choice(ns, flows)
        bad = []
        elsewhere = 0
        for f in flows:
            table, reason, be = tc[f.sport]
            if table != f.name:
                elsewhere += 1
            if kind == "nodest" and f.name in victims:
                ok = reason == "nodest-drop" and be is None
            elif kind == "table" and f.name in victims:
                ok = reason == "table" and be == table and be != f.name
            else:
                ok = reason == "conn" and be == f.name
            if not ok:
                bad.append(f"  sport {f.sport} (was {f.name}): reason {reason} "
                           f"backend {be} (table: {table})")
        # A sample through maglevctl too.
        for f in flows[:3]:
            js = self.maglevctl_json(ns, "lookup", "tcp", endpoint(self.a.src, f.sport),
                                     endpoint(self.a.dst, self.a.port))
            _, reason, be = tc[f.sport]
            jb = (js.get("backend") or {}).get("addr")
            if js.get("reason") != reason or (self.names.get(norm(jb)) if jb else None) != be:
                bad.append(f"  maglevctl lookup sport {f.sport}: {json.dumps(js)}; "
                           f"kernel: {reason} {be}")
        msg = (f"{len(flows)} flows: lookup follows their entries; the table alone "
               f"would send {elsewhere} elsewhere")
        r = self.report(msg, bad)
        return r + f" [elsewhere={elsewhere}]"

    def cmd_moved_by_table(self, opts):
        flows = self.live()
        tc = self.table_choice(self.fwd(opts), flows)
        return f"ok {sum(1 for f in flows if tc[f.sport][0] != f.name)}"

    def cmd_reconnect(self, spec):
        victims = set(filter(None, spec.split(",")))
        flows = [f for f in self.flows if f.name in victims and f.state in ("live", "broken")]
        if not flows:
            return "fail no flow of " + spec
        for f in flows:
            if f.sock:
                self.vanish(f)
        tc = self.table_choice(self.a.fwd_ns, flows)
        res = self.open(flows, self.a.timeout)
        bad = []
        for f in flows:
            want = tc[f.sport][0]
            if res[f.sport] != want:
                bad.append(f"  sport {f.sport} (was {f.name}): answered by "
                           f"{res[f.sport]}, table says {want}")
            f.name = res[f.sport] if not res[f.sport].startswith("-") else f.name
        msg = (f"{len(flows)} flows reconnected from the same ports: "
               f"{self.summary(flows)}")
        return self.report(msg, bad)

    def cmd_new(self, spec, opts):
        flows = [Flow(sp) for sp in parse_ports(spec)]
        want = peer.kernel_lookups(self.a.fwd_ns, "tcp", self.a.src, self.a.dst,
                                   self.a.port, [f.sport for f in flows])
        bad = []
        for f, (reason, addr, slot) in list(zip(flows, want))[::max(1, len(flows) // 5)][:5]:
            js = self.maglevctl_json(self.a.fwd_ns, "lookup", "tcp",
                                     endpoint(self.a.src, f.sport),
                                     endpoint(self.a.dst, self.a.port))
            jb = (js.get("backend") or {}).get("addr")
            if js.get("reason") != reason or (jb and norm(jb)) != addr or js.get("slot") != slot:
                bad.append(f"  maglevctl lookup sport {f.sport}: {json.dumps(js)}; "
                           f"kernel: {reason} {addr} slot {slot}")
        res = self.open(flows, self.a.timeout)
        per = {}
        for f, (reason, addr, slot) in zip(flows, want):
            w = self.names.get(addr, addr) if addr else f"-({reason})"
            got = res[f.sport]
            per[got] = per.get(got, 0) + 1
            if reason != "table" or got != w:
                bad.append(f"  sport {f.sport}: answered by {got}, lookup: {reason} {w}")
        for f in flows:
            if f.sock:
                f.sock.close()
        for n in filter(None, opts.get("all", "").split(",")):
            if not per.get(n):
                bad.append(f"  no new connection reached {n}")
        for n in filter(None, opts.get("none", "").split(",")):
            if per.get(n):
                bad.append(f"  {per[n]} new connections reached {n}")
        msg = (f"{len(flows)} new connections: "
               f"{' '.join(f'{k}:{v}' for k, v in sorted(per.items()))}")
        return self.report(msg, bad)

    def run(self):
        res = self.open(self.flows, self.a.timeout)
        bad = [f"  sport {sp}: {r}" for sp, r in res.items() if r.startswith("-")]
        for f in self.flows:
            f.name = res[f.sport]
        print(self.report(f"{len(self.flows)} connections open: {self.summary(self.live())}",
                          bad), flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            opts = dict(w.split("=", 1) for w in words[1:] if "=" in w and
                        w.split("=", 1)[0] in ("ns", "all", "none"))
            rest = [w for w in words[1:] if not (
                "=" in w and w.split("=", 1)[0] in ("ns", "all", "none"))]
            arg = rest[0] if rest else "same"
            try:
                if words[0] == "round":
                    out = self.cmd_round(arg)
                elif words[0] == "entries":
                    out = self.cmd_entries(arg, opts)
                elif words[0] == "lookup":
                    out = self.cmd_lookup(arg, opts)
                elif words[0] == "moved-by-table":
                    out = self.cmd_moved_by_table(opts)
                elif words[0] == "reconnect":
                    out = self.cmd_reconnect(arg)
                elif words[0] == "new":
                    out = self.cmd_new(arg, opts)
                elif words[0] == "quit":
                    print("ok bye", flush=True)
                    break
                else:
                    out = f"fail unknown command {words[0]}"
            except Exception as e:  # report, keep serving
                out = f"fail {words[0]}: {type(e).__name__}: {e}"
            print(out, flush=True)
        for f in self.flows:
            if f.sock:
                f.sock.close()
        return 0


# ---------------------------------------------------------------- synflood

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def syn_packet(src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.getrandbits(16),
                     0x4000, 64, socket.IPPROTO_TCP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def synflood(args):
    e = peer.uapi_enums()
    g = peer.Genl(args.fwd_ns)
    net = ipaddress.ip_network(args.net)
    dst = ipaddress.ip_address(args.dst).packed
    setns(args.client_ns)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    finally:
        setns(None)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    before = conn_stats(g, e)
    polls, hi, over = 0, before["entries"], []
    sent = errors = 0
    rnd = random.Random(args.count)
    # Distinct sources: consecutive addresses of NET from a random offset.
    base = rnd.randrange(net.num_addresses - args.count - 2) + 1
    start = time.monotonic()
    for i in range(args.count):
        src = (net.network_address + base + i).packed
        pkt = syn_packet(src, dst, rnd.randrange(1024, 65535), args.port,
                         rnd.getrandbits(32))
        try:
            s.sendto(pkt, (args.dst, 0))
            sent += 1
        except OSError:
            errors += 1
        if (i + 1) % args.batch == 0 or i + 1 == args.count:
            # Self-clocked: the next batch once the forwarder has seen
            # this one (misses), so that no receive queue overflows.
            wait_end = time.monotonic() + 5
            while True:
                st = conn_stats(g, e)
                polls += 1
                hi = max(hi, st["entries"])
                if st["entries"] > st["limit"]:
                    over.append(st)
                if st["misses"] - before["misses"] >= sent or time.monotonic() > wait_end:
                    break
                time.sleep(0.01)
    elapsed = time.monotonic() - start
    # Let the forwarder drain its queues: misses stop moving.
    last = None
    for _ in range(100):
        st = conn_stats(g, e)
        if last and st["misses"] == last["misses"]:
            break
        last = st
        time.sleep(0.1)
    after = conn_stats(g, e)
    hi = max(hi, after["entries"])
    rep = {"sent": sent, "send_errors": errors, "seconds": round(elapsed, 2),
           "polls": polls, "max_entries_seen": hi, "over_limit": over[:5],
           "before": before, "after": after}
    with open(args.out, "w") as f:
        json.dump(rep, f)
    return 0


# ---------------------------------------------------------------- udp

def udp(args):
    sports = parse_ports(args.sports)
    socks = {}
    setns(args.client_ns)
    try:
        for sp in sports:
            u = socket.socket(peer.family(args.dst), socket.SOCK_DGRAM)
            u.bind((args.src, sp))
            u.connect((args.dst, args.port))
            u.setblocking(False)
            socks[u] = sp
    finally:
        setns(None)
    sel = selectors.DefaultSelector()
    for u in socks:
        sel.register(u, selectors.EVENT_READ)
    end = time.monotonic() + args.duration
    t0 = time.monotonic()
    with open(args.out, "w", buffering=1) as out:
        while time.monotonic() < end:
            tick = time.monotonic()
            got = {}
            for u in socks:
                try:
                    u.send(b"hello\n")
                except OSError:
                    pass
            while len(got) < len(socks):
                left = tick + args.interval - time.monotonic()
                if left <= 0:
                    break
                for key, _ in sel.select(left):
                    try:
                        got[key.fileobj] = key.fileobj.recv(256).decode(
                            errors="replace").strip()
                    except OSError:
                        pass
            t = tick - t0
            out.write("".join(f"{t:.2f} {sp} {got.get(u, '-')}\n"
                              for u, sp in socks.items()))
            left = tick + args.interval - time.monotonic()
            if left > 0:
                time.sleep(left)
    return 0


def main():
    p = argparse.ArgumentParser(description="maglev connection-table test peer")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--ready", required=True)
    s.add_argument("--ports", type=parse_ports, required=True)
    s.add_argument("netns", nargs="+")
    h = sub.add_parser("hold")
    h.add_argument("--client-ns", required=True)
    h.add_argument("--fwd-ns", required=True)
    h.add_argument("--map", required=True)
    h.add_argument("--maglevctl", default="maglevctl")
    h.add_argument("--timeout", type=float, default=15.0)
    h.add_argument("--drop-wait", type=float, default=3.0)
    for a in ("src", "dst"):
        h.add_argument(a)
    h.add_argument("port", type=int)
    h.add_argument("sports")
    f = sub.add_parser("synflood")
    f.add_argument("--client-ns", required=True)
    f.add_argument("--fwd-ns", required=True)
    f.add_argument("--dst", required=True)
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--count", type=int, required=True)
    f.add_argument("--batch", type=int, default=100)
    f.add_argument("--net", default="198.18.0.0/15")
    f.add_argument("--out", required=True)
    u = sub.add_parser("udp")
    u.add_argument("--client-ns", required=True)
    u.add_argument("--interval", type=float, default=0.5)
    u.add_argument("--duration", type=float, required=True)
    u.add_argument("--out", required=True)
    for a in ("src", "dst"):
        u.add_argument(a)
    u.add_argument("port", type=int)
    u.add_argument("sports")
    st = sub.add_parser("stats")
    st.add_argument("--fwd-ns", required=True)
    args = p.parse_args()
    if args.cmd == "server":
        server(args)
        return 0
    if args.cmd == "hold":
        return Holder(args).run()
    return {"synflood": synflood, "udp": udp, "stats": stats_cmd}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
