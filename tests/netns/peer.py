#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Traffic and checks for the maglev netns scenarios (tests/netns/lib.sh).
# One process does what would otherwise take hundreds: under TCG every exec
# costs about half a second, so this switches namespaces itself (setns) and
# talks generic netlink directly.
#
#   peer.py server --ready FILE --ports P,... NETNS=NAME...
#       TCP and UDP, IPv4 and IPv6, on every port P in every NETNS: a TCP
#       connection gets "NAME\n" once the client's first line arrived, then
#       the server closes; a UDP datagram gets "NAME\n" back from the
#       address it was sent to (a VIP on lo: direct server return). FILE is
#       created once every socket is bound.
#   peer.py flows --client-ns C --fwd-ns F --map ADDR=NAME,... PROTO SRC DST
#           PORT SPORTS [--expect-all N,...] [--expect-none N,...]
#           [--maglevctl PATH --sample K] [--out FILE]
#       From namespace C, one connection (TCP) or request (UDP) from
#       SRC:sport to DST:PORT for each sport in SPORTS ("2000-2199,3000").
#       Then, in F, asks the kernel (MAGLEV_CMD_LOOKUP) which backend each
#       flow should reach and compares with the name that answered; K flows
#       are also looked up with `maglevctl -j lookup`, which must agree.
#       Prints a line per backend and each mismatch; exits 1 on any
#       mismatch, unanswered flow, backend of --expect-all without flows or
#       of --expect-none with flows. With --unmatched, flows that match no
#       service must be answered by NAME (F routes them there).
#   peer.py lookups --ns F PROTO SRC DST PORT SPORTS
#       Prints "sport reason backend slot" per flow (kernel lookup).
#   peer.py account --fwd-ns F --maglevctl PATH [--devs D,...] PROTO VIP:PORT
#           NETNS=ADDR,...
#       The service's packet and byte counters (`maglevctl -j show`) per
#       backend ADDR equal what the GRE devices D (gre4,gre6) of the backend's
#       NETNS decapsulated, and the service's totals are their sum.
#
# Standard library only. Netlink numbers come from include/uapi/linux/maglev.h.
import argparse
import concurrent.futures
import ctypes
import ipaddress
import json
import os
import re
import selectors
import socket
import struct
import subprocess
import sys

IP_PKTINFO = 8  # <linux/in.h>; the socket module lacks it
CLONE_NEWNET = 0x40000000
HERE = os.path.dirname(os.path.abspath(__file__))
UAPI = os.path.join(HERE, "..", "..", "include", "uapi", "linux", "maglev.h")

_libc = ctypes.CDLL(None, use_errno=True)


def setns(name):
    """Move the calling thread into /run/netns/NAME (or back, name None)."""
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY) if name else _home
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns {name or 'home'}: {os.strerror(e)}")
    finally:
        if name:
            os.close(fd)


_home = os.open("/proc/self/ns/net", os.O_RDONLY)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def parse_ports(spec):
    ports = []
    for part in spec.split(","):
        if "-" in part:
            lo, hi = part.split("-", 1)
            ports.extend(range(int(lo), int(hi) + 1))
        elif part:
            ports.append(int(part))
    return ports


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def norm(addr):
    return str(ipaddress.ip_address(addr))


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
                t.listen(1024)
                t.setblocking(False)
                sel.register(t, selectors.EVENT_READ, ("listen", reply))

                u = socket.socket(fam, socket.SOCK_DGRAM)
                if fam == socket.AF_INET6:
                    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
                else:
                    u.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
                u.bind((any_addr, port))
                u.setblocking(False)
                sel.register(u, selectors.EVENT_READ, ("udp", reply))
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
                except BlockingIOError:
                    continue
                c.setblocking(False)
                bufs[c] = b""
                sel.register(c, selectors.EVENT_READ, ("conn", reply))
            elif kind == "conn":
                try:
                    data = s.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                bufs[s] += data
                if data and b"\n" not in bufs[s]:
                    continue
                if data:
                    try:
                        s.send(reply)
                    except OSError:
                        pass
                sel.unregister(s)
                del bufs[s]
                s.close()
            else:
                try:
                    _, anc, _, peer = s.recvmsg(4096, 256)
                except BlockingIOError:
                    continue
                cmsg = []
                for level, ctype, cdata in anc:
                    if level == socket.IPPROTO_IP and ctype == IP_PKTINFO:
                        # struct in_pktinfo: ifindex, spec_dst, addr
                        cmsg = [(socket.IPPROTO_IP, IP_PKTINFO,
                                 struct.pack("=i4s4s", 0, cdata[8:12], bytes(4)))]
                    elif level == socket.IPPROTO_IPV6 and ctype == socket.IPV6_PKTINFO:
                        # struct in6_pktinfo: addr, ifindex
                        cmsg = [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO,
                                 cdata[:16] + struct.pack("=i", 0))]
                try:
                    s.sendmsg([reply], cmsg, 0, peer)
                except OSError as e:
                    print(f"server: udp reply to {peer}: {e}", file=sys.stderr)


# ---------------------------------------------------------------- client

def one_flow(proto, src, dst, port, sport, timeout):
    fam = family(dst)
    if proto == "tcp":
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.settimeout(timeout)
            s.bind((src, sport))
            s.connect((dst, port))
            s.sendall(b"hello\n")
            data = b""
            while True:
                d = s.recv(256)
                if not d:
                    break
                data += d
            return data.decode(errors="replace").strip() or "-(empty)"
        except OSError as e:
            return f"-({e})"
        finally:
            s.close()
    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        s.bind((src, sport))
        s.connect((dst, port))
        s.settimeout(timeout / 3)
        for _ in range(3):
            s.send(b"hello\n")
            try:
                return s.recv(256).decode(errors="replace").strip() or "-(empty)"
            except socket.timeout:
                continue
        return "-(timeout)"
    except OSError as e:
        return f"-({e})"
    finally:
        s.close()


def run_flows(ns, proto, src, dst, port, sports, parallel, timeout):
    # Worker threads are created in the namespace the main thread is in.
    setns(ns)
    try:
        with concurrent.futures.ThreadPoolExecutor(parallel) as ex:
            futs = [ex.submit(one_flow, proto, src, dst, port, sp, timeout)
                    for sp in sports]
            return [f.result() for f in futs]
    finally:
        setns(None)


# ---------------------------------------------------------------- netlink

def uapi_enums():
    """name -> value for every enumerator in maglev.h."""
    text = open(UAPI).read()
    vals = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\}", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        n = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, expr = (x.strip() for x in item.split("=", 1))
                try:
                    n = eval(expr.replace("U", ""), {}, dict(vals))
                except Exception:
                    continue
            else:
                name = item
            vals[name] = n
            n += 1
    return vals


NLA_F_NESTED = 0x8000


def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    pad = (-len(payload)) % 4
    return hdr + payload + b"\0" * pad


def nla_parse(buf):
    out = {}
    off = 0
    while off + 4 <= len(buf):
        ln, atype = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        out[atype & 0x3fff] = buf[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


class Genl:
    def __init__(self, ns=None):
        if ns:
            setns(ns)
        try:
            self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        finally:
            if ns:
                setns(None)
        self.sk.bind((0, 0))
        self.seq = 0
        ctrl = self.request(0x10, 3, 1, nla(2, b"maglev\0"))  # GETFAMILY, NAME
        self.family = struct.unpack("=H", ctrl[1][:2])[0]    # FAMILY_ID

    def _send(self, ftype, cmd, version, attrs, flags):
        self.seq += 1
        msg = struct.pack("=BBH", cmd, version, 0) + attrs
        self.sk.send(struct.pack("=IHHII", 16 + len(msg), ftype, flags, self.seq, 0) + msg)

    def _replies(self):
        """(type, body) of each reply to the last request; raises the
        errno of an NLMSG_ERROR."""
        while True:
            data = self.sk.recv(1 << 20)
            off = 0
            while off < len(data):
                ln, mtype, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                body = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if seq != self.seq:
                    continue
                if mtype == 2:  # NLMSG_ERROR
                    err = struct.unpack_from("=i", body)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err))
                    continue
                yield mtype, body

    def request(self, ftype, cmd, version, attrs):
        """The first reply's top-level attributes."""
        self._send(ftype, cmd, version, attrs, 1)  # NLM_F_REQUEST
        for _, body in self._replies():
            return nla_parse(body[4:])

    def dump(self, cmd, attrs=b"", version=1):
        """Every message of a dump of our family, as parsed top-level
        attributes."""
        self._send(self.family, cmd, version, attrs, 0x301)  # REQUEST|DUMP
        out = []
        for mtype, body in self._replies():
            if mtype == 3:  # NLMSG_DONE
                return out
            out.append(nla_parse(body[4:]))


def kernel_lookups(ns, proto, src, dst, port, sports):
    """[(reason, backend address or None, slot)] per sport."""
    e = uapi_enums()
    g = Genl(ns)
    pnum = {"tcp": 6, "udp": 17, "sctp": 132}[proto]
    v6 = ":" in dst
    sa = ipaddress.ip_address(src).packed
    da = ipaddress.ip_address(dst).packed
    reasons = {v: k.removeprefix("MAGLEV_REASON_").lower().replace("_", "-")
               for k, v in e.items() if k.startswith("MAGLEV_REASON_")}
    out = []
    for sp in sports:
        flow = (nla(e["MAGLEV_FLOW_A_PROTO"], struct.pack("=B", pnum)) +
                nla(e["MAGLEV_FLOW_A_SADDR6" if v6 else "MAGLEV_FLOW_A_SADDR4"], sa) +
                nla(e["MAGLEV_FLOW_A_DADDR6" if v6 else "MAGLEV_FLOW_A_DADDR4"], da) +
                nla(e["MAGLEV_FLOW_A_SPORT"], struct.pack("=H", sp)) +
                nla(e["MAGLEV_FLOW_A_DPORT"], struct.pack("=H", port)))
        r = g.request(g.family, e["MAGLEV_CMD_LOOKUP"], 1,
                      nla(e["MAGLEV_A_FLOW"] | NLA_F_NESTED, flow))
        lk = nla_parse(r.get(e["MAGLEV_A_LOOKUP"], b""))
        reason = reasons.get(lk.get(e["MAGLEV_LOOKUP_A_REASON"], b"\xff")[0], "?")
        slot = lk.get(e["MAGLEV_LOOKUP_A_SLOT"])
        slot = struct.unpack("=I", slot)[0] if slot else None
        addr = None
        if e["MAGLEV_A_BACKEND"] in r:
            be = nla_parse(r[e["MAGLEV_A_BACKEND"]])
            raw = be.get(e["MAGLEV_BE_A_ADDR4"]) or be.get(e["MAGLEV_BE_A_ADDR6"])
            addr = str(ipaddress.ip_address(raw)) if raw else None
        out.append((reason, addr, slot))
    return out


# ---------------------------------------------------------------- checks

def maglevctl_lookup(ns, maglevctl, proto, src, sport, dst, port):
    setns(ns)
    try:
        r = subprocess.run([maglevctl, "-j", "lookup", proto, endpoint(src, sport),
                            endpoint(dst, port)], capture_output=True, text=True)
    finally:
        setns(None)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return json.loads(r.stdout), ""


def flows(args):
    names = {}
    for item in filter(None, args.map.split(",")):
        a, n = item.split("=", 1)
        names[norm(a)] = n
    sports = parse_ports(args.sports)
    flow = f"{args.proto} {endpoint(args.src, '%d')} -> {endpoint(args.dst, args.port)}"
    bad = 0
    # Predict first: what the kernel and maglevctl say before the traffic.
    want = kernel_lookups(args.fwd_ns, args.proto, args.src, args.dst, args.port, sports)
    step = max(1, len(sports) // args.sample) if args.sample else 0
    checked = 0
    for i in range(0, len(sports), step) if step else []:
        if checked >= args.sample:
            break
        checked += 1
        sp = sports[i]
        js, err = maglevctl_lookup(args.fwd_ns, args.maglevctl, args.proto,
                                   args.src, sp, args.dst, args.port)
        reason, addr, slot = want[i]
        if js is None:
            print(f"  maglevctl lookup {flow % sp} failed: {err}")
            bad += 1
            continue
        jaddr = (js.get("backend") or {}).get("addr")
        if (jaddr and norm(jaddr)) != addr or js.get("slot") != slot or js.get("reason") != reason:
            print(f"  maglevctl lookup {flow % sp}: {json.dumps(js)}; kernel says "
                  f"reason {reason} backend {addr} slot {slot}")
            bad += 1
    got = run_flows(args.client_ns, args.proto, args.src, args.dst, args.port,
                    sports, args.parallel, args.timeout)
    if args.out:
        with open(args.out, "w") as f:
            for sp, g in zip(sports, got):
                f.write(f"{sp} {g}\n")
    got_per, want_per = {}, {}
    for sp, g, (reason, addr, slot) in zip(sports, got, want):
        w = names.get(addr, addr) if addr else f"-({reason})"
        if reason == "no-service" and args.unmatched:
            w = args.unmatched
        gk = "-" if g.startswith("-") else g
        wk = "-" if w.startswith("-") else w
        got_per[gk] = got_per.get(gk, 0) + 1
        want_per[wk] = want_per.get(wk, 0) + 1
        if gk != wk:
            bad += 1
            if bad <= 10:
                print(f"  {flow % sp}: answered by {g}, lookup said {w} (slot {slot})")
    for n in sorted(set(got_per) | set(want_per)):
        print(f"  {n:<10} flows {got_per.get(n, 0):4}   lookup predicts {want_per.get(n, 0):4}")
    fail = bad > 0 or not sports
    for n in filter(None, args.expect_all.split(",")):
        if got_per.get(n, 0) == 0:
            print(f"  no flow reached {n}")
            fail = True
    for n in filter(None, args.expect_none.split(",")):
        if got_per.get(n, 0) or want_per.get(n, 0):
            print(f"  {n} got flows")
            fail = True
    if bad:
        print(f"  {bad} of {len(sports)} flows (+{checked} maglevctl lookups) disagree")
    return 1 if fail else 0


def lookups(args):
    for sp, (reason, addr, slot) in zip(parse_ports(args.sports),
                                        kernel_lookups(args.ns, args.proto, args.src,
                                                       args.dst, args.port,
                                                       parse_ports(args.sports))):
        print(sp, reason, addr or "-", "-" if slot is None else slot)
    return 0


def dev_counters(ns, devs):
    setns(ns)
    try:
        lines = open("/proc/thread-self/net/dev").read().splitlines()[2:]
    finally:
        setns(None)
    pkts = byts = 0
    for line in lines:
        name, rest = line.split(":", 1)
        if name.strip() in devs:
            f = rest.split()
            byts += int(f[0])
            pkts += int(f[1])
    return pkts, byts


def account(args):
    setns(args.fwd_ns)
    try:
        r = subprocess.run([args.maglevctl, "-j", "show", args.proto, args.svc],
                           capture_output=True, text=True)
    finally:
        setns(None)
    if r.returncode != 0:
        print(f"  maglevctl -j show {args.proto} {args.svc}: {r.stderr.strip()}")
        return 1
    svc = json.loads(r.stdout)
    if isinstance(svc, list):
        svc = svc[0]
    rx = {}
    for item in args.netns:
        ns, addrs = item.split("=", 1)
        c = dev_counters(ns, args.devs.split(","))
        for a in addrs.split(","):
            rx[norm(a)] = c
    bad = 0
    sp = sb = 0
    for be in svc["backends"]:
        a = norm(be["addr"])
        p, b = rx.get(a, (None, None))
        sp += be["packets"]
        sb += be["bytes"]
        ok = (p, b) == (be["packets"], be["bytes"])
        print(f"  {a:<14} maglev {be['packets']:5} pkts {be['bytes']:7} bytes;"
              f" backend decapsulated {p} pkts {b} bytes{'' if ok else '  <- differs'}")
        bad += not ok
    if (sp, sb) != (svc["packets"], svc["bytes"]):
        print(f"  service counters {svc['packets']} pkts {svc['bytes']} bytes"
              f" != sum of its backends {sp} pkts {sb} bytes")
        bad += 1
    if sp == 0:
        print("  no packet counted")
        bad += 1
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description="maglev netns test peer")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--ready", required=True)
    s.add_argument("--ports", type=parse_ports, required=True)
    s.add_argument("netns", nargs="+")
    c = sub.add_parser("flows")
    c.add_argument("--client-ns", required=True)
    c.add_argument("--fwd-ns", required=True)
    c.add_argument("--map", required=True)
    c.add_argument("--expect-all", default="")
    c.add_argument("--expect-none", default="")
    c.add_argument("--unmatched", default="",
                   help="who answers flows of no service (plain routing)")
    c.add_argument("--maglevctl", default="")
    c.add_argument("--sample", type=int, default=0)
    c.add_argument("--parallel", type=int, default=16)
    c.add_argument("--timeout", type=float, default=8.0)
    c.add_argument("--out", default="")
    for a in ("proto", "src", "dst"):
        c.add_argument(a)
    c.add_argument("port", type=int)
    c.add_argument("sports")
    lk = sub.add_parser("lookups")
    lk.add_argument("--ns", required=True)
    for a in ("proto", "src", "dst"):
        lk.add_argument(a)
    lk.add_argument("port", type=int)
    lk.add_argument("sports")
    a = sub.add_parser("account")
    a.add_argument("--fwd-ns", required=True)
    a.add_argument("--maglevctl", required=True)
    a.add_argument("--devs", default="gre4,gre6")
    a.add_argument("proto")
    a.add_argument("svc")
    a.add_argument("netns", nargs="+")
    args = p.parse_args()
    if args.cmd == "server":
        server(args)
        return 0
    return {"flows": flows, "lookups": lookups, "account": account}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
