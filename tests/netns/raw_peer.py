#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Raw traffic, sniffing and netlink listening for the maglev regression
# scenarios (tests/netns/37-*, 41-*, 51-*, 61-*, 87-*). Standard library
# only (no scapy); namespaces are entered with setns (peer.py) and the
# netlink helpers come from peer.py and conn_peer.py.
#
#   raw_peer.py udpflood --client-ns C --src IP --dst VIP --ports P-Q
#           --sports S-T --rate PPS [--cpu N]
#       UDP datagrams (raw socket, IP_HDRINCL) from IP:sport to VIP:port,
#       cycling through every (port, sport), PPS per second, until killed;
#       --cpu pins the sender (and so the forwarder's softirq work for its
#       packets) to one CPU.
#   raw_peer.py sniff NETNS=NAME...
#       An AF_PACKET socket on eth0 of every NETNS. Reads commands on stdin,
#       answers each with one line (for bash's coproc):
#         count N SKIP TIMEOUT   drop what is queued, skip SKIP GRE packets
#                                per namespace, then count the outer IPv4
#                                sources of the next N (or until TIMEOUT
#                                seconds): "ok NAME:SRC=K,SRC=K NAME:..."
#         quit
#   raw_peer.py spoof --client-ns C --fwd-ns F --dst VIP --tcp-port P
#           --udp-port Q --count N [--batch B] [--net CIDR] --out FILE
#       N TCP ACKs without SYN and N UDP datagrams, interleaved, each from
#       its own random source address in CIDR and random port (one packet
#       per flow), in batches of B: the next batch once F counted this
#       one's connection-table misses. Polls F's connection statistics;
#       writes a JSON report (sent, the highest entries seen, the limit,
#       the statistics before and after).
#   raw_peer.py l2send --ns C --dev DEV --frames MAC/PORT/N[,...] --src IP
#           --dst IP --sport S [--fwd-ns F --wait-port P NETNS...]
#       From DEV, N Ethernet frames to MAC (ff:ff:ff:ff:ff:ff: broadcast),
#       each an IPv4 or IPv6 UDP datagram from IP:S to IP:PORT (AF_PACKET),
#       then the next N frames..., all from one CPU (so they arrive in
#       order). With --fwd-ns, then waits (10 s at most) until F's services
#       on port P forwarded the last group's N packets (and the NETNS
#       received at least as many) and prints how much
#       F's forwarded packets, those of its services on the first group's
#       port and the GRE rx packets of every NETNS grew.
#   raw_peer.py counters --fwd-ns F NETNS...
#       Prints "P S R": the packets maglev forwarded in F (namespace
#       total), the sum of its services' packets, and the packets the GRE
#       devices (gre4, gre6) of every NETNS received.
#   raw_peer.py monitor --ns F --out FILE --ready FILE
#       Joins the "config" multicast group of the maglev family in F and
#       writes one JSON object per notification: cmd, service (key) and
#       backend (addr, weight, state) as the kernel sent them.
#   raw_peer.py lookups --ns F --src IP --dst VIP --nflows N --port P
#           --nports K --sport S
#       Kernel lookup (UDP) of flow i = IP:(S+i) -> VIP:(P + i % K):
#       prints "port sport backend" per flow.
#   raw_peer.py probe --client-ns C --src IP --dst VIP --nflows N --port P
#           --nports K --sport S --out FILE --stop FILE
#       The same flows, one connected UDP socket each: in rounds, every
#       flow sends a datagram and reads the name of the backend that
#       answers; one JSON line per round (start, end, answers) until FILE
#       --stop exists.
import argparse
import ipaddress
import json
import os
import random
import select
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer  # noqa: E402
import conn_peer  # noqa: E402
from peer import setns, parse_ports  # noqa: E402

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2

csum = conn_peer.csum


def ipv4_header(src, dst, proto, payload_len):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len,
                     random.getrandbits(16), 0x4000, 64, proto, 0, src, dst)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]


def l4_csum(src, dst, proto, seg):
    if len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), proto)
    return csum(pseudo + seg) or 0xffff


def udp_packet(src, dst, sport, dport, payload=b"x\n", l3=True):
    """An IPv4/IPv6 UDP datagram; src and dst are packed addresses."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    udp = udp[:6] + struct.pack("!H", l4_csum(src, dst, socket.IPPROTO_UDP, udp)) + udp[8:]
    if not l3:
        return udp
    if len(src) == 4:
        return ipv4_header(src, dst, socket.IPPROTO_UDP, len(udp)) + udp
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(udp), socket.IPPROTO_UDP, 64, src, dst)
    return ip6 + udp


def tcp_ack_packet(src, dst, sport, dport, seq, ack):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, 0x10, 64240, 0, 0)
    tcp = tcp[:16] + struct.pack("!H", l4_csum(src, dst, socket.IPPROTO_TCP, tcp)) + tcp[18:]
    return ipv4_header(src, dst, socket.IPPROTO_TCP, len(tcp)) + tcp


def raw_socket(ns):
    setns(ns)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    finally:
        setns(None)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    return s


# ---------------------------------------------------------------- udpflood

def udpflood(args):
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    s = raw_socket(args.client_ns)
    src = ipaddress.ip_address(args.src).packed
    dst = ipaddress.ip_address(args.dst).packed
    pkts = [udp_packet(src, dst, sp, p) for sp in parse_ports(args.sports)
            for p in parse_ports(args.ports)]
    random.Random(args.cpu or 0).shuffle(pkts)
    burst = max(1, args.rate // 100)
    i = 0
    t = time.monotonic()
    while True:
        for _ in range(burst):
            try:
                s.sendto(pkts[i], (args.dst, 0))
            except OSError:
                pass
            i = (i + 1) % len(pkts)
        t += burst / args.rate
        left = t - time.monotonic()
        if left > 0:
            time.sleep(left)
        elif left < -1:
            t = time.monotonic()  # fell behind: do not burst to catch up


# ---------------------------------------------------------------- sniff

def sniff(args):
    socks = {}
    for item in args.netns:
        ns, name = item.split("=", 1)
        setns(ns)
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.bind(("eth0", ETH_P_IP))
        finally:
            setns(None)
        s.setblocking(False)
        socks[s] = name
    print("ok sniffing", flush=True)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        if w[0] == "quit":
            print("ok bye", flush=True)
            break
        if w[0] != "count" or len(w) != 4:
            print(f"fail unknown command {line.strip()}", flush=True)
            continue
        n, skip, timeout = int(w[1]), int(w[2]), float(w[3])
        for s in socks:  # what arrived before the command does not count
            while True:
                try:
                    s.recv(65535)
                except BlockingIOError:
                    break
        seen = {s: 0 for s in socks}
        srcs = {s: {} for s in socks}
        end = time.monotonic() + timeout
        while any(seen[s] < skip + n for s in socks):
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select(list(socks), [], [], left)
            for s in r:
                while seen[s] < skip + n:
                    try:
                        data, addr = s.recvfrom(65535)
                    except BlockingIOError:
                        break
                    if addr[2] == PACKET_OUTGOING or len(data) < 34 or data[23] != 47:
                        continue
                    seen[s] += 1
                    if seen[s] > skip:
                        a = socket.inet_ntoa(data[26:30])
                        srcs[s][a] = srcs[s].get(a, 0) + 1
        out = " ".join(f"{socks[s]}:" + (",".join(f"{a}={k}" for a, k in sorted(srcs[s].items()))
                                         or "-") for s in socks)
        print(f"ok {out}", flush=True)
    return 0


# ---------------------------------------------------------------- spoof

def spoof(args):
    e = peer.uapi_enums()
    g = peer.Genl(args.fwd_ns)
    s = raw_socket(args.client_ns)
    net = ipaddress.ip_network(args.net)
    dst = ipaddress.ip_address(args.dst).packed
    rnd = random.Random(args.count)
    before = conn_peer.conn_stats(g, e)
    hi, polls, over = before["entries"], 0, []
    sent = errors = 0
    start = time.monotonic()
    total = 2 * args.count
    for i in range(total):
        src = (net.network_address + rnd.randrange(1, net.num_addresses - 1)).packed
        sport = rnd.randrange(1024, 65535)
        if i % 2:
            pkt = udp_packet(src, dst, sport, args.udp_port)
        else:
            pkt = tcp_ack_packet(src, dst, sport, args.tcp_port, rnd.getrandbits(32),
                                 rnd.getrandbits(32))
        try:
            s.sendto(pkt, (args.dst, 0))
            sent += 1
        except OSError:
            errors += 1
        if (i + 1) % args.batch == 0 or i + 1 == total:
            # Self-clocked: the next batch once the forwarder saw this one.
            wait_end = time.monotonic() + 5
            while True:
                st = conn_peer.conn_stats(g, e)
                polls += 1
                hi = max(hi, st["entries"])
                if st["entries"] > st["limit"]:
                    over.append(st)
                if st["misses"] - before["misses"] >= sent or time.monotonic() > wait_end:
                    break
                time.sleep(0.01)
    elapsed = time.monotonic() - start
    after = conn_peer.conn_stats(g, e)
    hi = max(hi, after["entries"])
    rep = {"sent": sent, "send_errors": errors, "seconds": round(elapsed, 2),
           "polls": polls, "max_entries_seen": hi, "over_limit": over[:5],
           "before": before, "after": after}
    with open(args.out, "w") as f:
        json.dump(rep, f)
    return 0


# ---------------------------------------------------------------- l2send

def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def l2send(args):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # keep the frames in order
    setns(args.ns)
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((args.dev, 0))
    finally:
        setns(None)
    own = s.getsockname()[4]
    src = ipaddress.ip_address(args.src).packed
    dst = ipaddress.ip_address(args.dst).packed
    etype = ETH_P_IP if len(src) == 4 else ETH_P_IPV6
    groups = [(mac, int(port), int(n)) for mac, port, n in
              (g.split("/") for g in args.frames.split(","))]
    c0 = read_counters(args.fwd_ns, args.netns) if args.fwd_ns else None
    for mac, port, n in groups:
        frame = (mac_bytes(mac) + own + struct.pack("!H", etype) +
                 udp_packet(src, dst, args.sport, port, b"l2\n"))
        for _ in range(n):
            s.send(frame)
    if not c0:
        return 0
    end = time.monotonic() + 10
    while True:
        c1 = read_counters(args.fwd_ns, args.netns)
        n = groups[-1][2]
        if ((c1[1].get(args.wait_port, 0) - c0[1].get(args.wait_port, 0) >= n and
             c1[2] - c0[2] >= n) or time.monotonic() > end):
            break
        time.sleep(0.05)
    p = groups[0][1]
    print(c1[0] - c0[0], c1[1].get(p, 0) - c0[1].get(p, 0), c1[2] - c0[2])
    return 0


def read_counters(fwd_ns, netns):
    """(forwarded packets, {service port: packets}, GRE rx of netns)"""
    e = peer.uapi_enums()
    g = peer.Genl(fwd_ns)
    m = conn_peer.conn_stats(g, e)["packets"]
    svc = {}
    for msg in conn_peer.genl_dump(g, e["MAGLEV_CMD_SERVICE_GET"]):
        sa = peer.nla_parse(msg.get(e["MAGLEV_A_SERVICE"], b""))
        port = struct.unpack("=H", sa[e["MAGLEV_SVC_A_PORT"]][:2])[0]
        st = peer.nla_parse(sa.get(e["MAGLEV_SVC_A_STATS"], b""))
        raw = st.get(e["MAGLEV_STATS_A_PACKETS"])
        svc[port] = svc.get(port, 0) + (struct.unpack("=Q", raw)[0] if raw else 0)
    g.sk.close()
    rx = sum(peer.dev_counters(ns, ["gre4", "gre6"])[0] for ns in netns)
    return m, svc, rx


def counters(args):
    m, svc, rx = read_counters(args.fwd_ns, args.netns)
    print(m, sum(svc.values()), rx)
    return 0


# ---------------------------------------------------------------- monitor

def family_groups(sk):
    """(family id, {group name: id}) of "maglev", on a bound netlink socket."""
    msg = (struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) +
           peer.nla(CTRL_ATTR_FAMILY_NAME, b"maglev\0"))
    sk.send(struct.pack("=IHHII", 16 + len(msg), 0x10, 1, 1, 0) + msg)
    while True:
        data = sk.recv(65536)
        ln, mtype = struct.unpack_from("=IH", data)
        if mtype == 2:
            err = struct.unpack_from("=i", data, 16)[0]
            if err:
                raise OSError(-err, os.strerror(-err))
            continue
        attrs = peer.nla_parse(data[20:ln])
        fam = struct.unpack("=H", attrs[CTRL_ATTR_FAMILY_ID][:2])[0]
        groups = {}
        raw = attrs.get(CTRL_ATTR_MCAST_GROUPS, b"")
        for g in peer.nla_parse(raw).values():
            ga = peer.nla_parse(g)
            name = ga[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()
            groups[name] = struct.unpack("=I", ga[CTRL_ATTR_MCAST_GRP_ID][:4])[0]
        return fam, groups


def monitor(args):
    e = peer.uapi_enums()
    names = {v: k[len("MAGLEV_CMD_"):].lower() for k, v in e.items()
             if k.startswith("MAGLEV_CMD_") and k != "MAGLEV_CMD_MAX"}
    setns(args.ns)
    try:
        sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    finally:
        setns(None)
    sk.bind((0, 0))
    fam, groups = family_groups(sk)
    sk.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, groups["config"])
    open(args.ready, "w").close()
    with open(args.out, "w", buffering=1) as out:
        while True:
            data = sk.recv(65536)
            off = 0
            while off + 16 <= len(data):
                ln, mtype = struct.unpack_from("=IH", data, off)
                body = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if mtype != fam:
                    continue
                ev = {"cmd": names.get(body[0], body[0])}
                top = peer.nla_parse(body[4:])
                if e["MAGLEV_A_SERVICE"] in top:
                    sa = peer.nla_parse(top[e["MAGLEV_A_SERVICE"]])
                    svc = {}
                    for k in ("ADDR4", "ADDR6"):
                        if e[f"MAGLEV_SVC_A_{k}"] in sa:
                            svc["vip"] = str(ipaddress.ip_address(sa[e[f"MAGLEV_SVC_A_{k}"]]))
                    if e["MAGLEV_SVC_A_PORT"] in sa:
                        svc["port"] = struct.unpack("=H", sa[e["MAGLEV_SVC_A_PORT"]][:2])[0]
                    ev["service"] = svc
                if e["MAGLEV_A_BACKEND"] in top:
                    ba = peer.nla_parse(top[e["MAGLEV_A_BACKEND"]])
                    be = {}
                    for k in ("ADDR4", "ADDR6"):
                        if e[f"MAGLEV_BE_A_{k}"] in ba:
                            be["addr"] = str(ipaddress.ip_address(ba[e[f"MAGLEV_BE_A_{k}"]]))
                    if e["MAGLEV_BE_A_WEIGHT"] in ba:
                        be["weight"] = struct.unpack("=I", ba[e["MAGLEV_BE_A_WEIGHT"]][:4])[0]
                    if e["MAGLEV_BE_A_STATE"] in ba:
                        st = ba[e["MAGLEV_BE_A_STATE"]][0]
                        be["state"] = {e["MAGLEV_BE_STATE_UP"]: "up",
                                       e["MAGLEV_BE_STATE_DOWN"]: "down"}.get(st, st)
                    ev["backend"] = be
                out.write(json.dumps(ev) + "\n")


# ---------------------------------------------------------------- lookups, probe

def flow_list(args):
    """[(port, sport)]: flow i goes to port + i % nports from sport + i."""
    return [(args.port + i % args.nports, args.sport + i) for i in range(args.nflows)]


def lookups(args):
    flows = flow_list(args)
    by_port = {}
    for p, sp in flows:
        by_port.setdefault(p, []).append(sp)
    ans = {}
    for p, sps in by_port.items():
        for sp, (reason, addr, _) in zip(sps, peer.kernel_lookups(args.ns, "udp", args.src,
                                                                  args.dst, p, sps)):
            ans[(p, sp)] = addr if reason == "table" else f"-({reason})"
    for p, sp in flows:
        print(p, sp, ans[(p, sp)])
    return 0


def probe(args):
    flows = flow_list(args)
    socks = []
    setns(args.client_ns)
    try:
        for p, sp in flows:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind((args.src, sp))
            u.connect((args.dst, p))
            u.setblocking(False)
            socks.append(u)
    finally:
        setns(None)
    idx = {u.fileno(): i for i, u in enumerate(socks)}
    poller = select.epoll()
    for u in socks:
        poller.register(u.fileno(), select.EPOLLIN)
    rnd = 0
    with open(args.out, "w", buffering=1) as out:
        while not os.path.exists(args.stop):
            for u in socks:  # late answers of the last round do not count
                while True:
                    try:
                        u.recv(256)
                    except (BlockingIOError, ConnectionRefusedError):
                        break
            t0 = time.time()
            for u in socks:
                try:
                    u.send(b"probe\n")
                except OSError:
                    pass
            ans = ["-"] * len(socks)
            left_n = len(socks)
            end = time.monotonic() + args.timeout
            while left_n:
                left = end - time.monotonic()
                if left <= 0:
                    break
                for fd, _ in poller.poll(left):
                    i = idx[fd]
                    try:
                        a = socks[i].recv(256).decode(errors="replace").strip()
                    except OSError:
                        continue
                    if ans[i] == "-":
                        left_n -= 1
                    ans[i] = a
            out.write(json.dumps({"round": rnd, "t0": t0, "t1": time.time(),
                                  "ans": ans}) + "\n")
            rnd += 1
    return 0


def main():
    p = argparse.ArgumentParser(description="maglev raw-socket test peer")
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("udpflood")
    f.add_argument("--client-ns", required=True)
    f.add_argument("--src", required=True)
    f.add_argument("--dst", required=True)
    f.add_argument("--ports", required=True)
    f.add_argument("--sports", required=True)
    f.add_argument("--rate", type=int, default=1000)
    f.add_argument("--cpu", type=int)
    s = sub.add_parser("sniff")
    s.add_argument("netns", nargs="+")
    sp = sub.add_parser("spoof")
    sp.add_argument("--client-ns", required=True)
    sp.add_argument("--fwd-ns", required=True)
    sp.add_argument("--dst", required=True)
    sp.add_argument("--tcp-port", type=int, required=True)
    sp.add_argument("--udp-port", type=int, required=True)
    sp.add_argument("--count", type=int, required=True)
    sp.add_argument("--batch", type=int, default=200)
    sp.add_argument("--net", default="198.18.0.0/15")
    sp.add_argument("--out", required=True)
    l2 = sub.add_parser("l2send")
    l2.add_argument("--ns", required=True)
    l2.add_argument("--dev", required=True)
    l2.add_argument("--frames", required=True)
    l2.add_argument("--src", required=True)
    l2.add_argument("--dst", required=True)
    l2.add_argument("--sport", type=int, required=True)
    l2.add_argument("--fwd-ns")
    l2.add_argument("--wait-port", type=int, default=0)
    l2.add_argument("netns", nargs="*")
    c = sub.add_parser("counters")
    c.add_argument("--fwd-ns", required=True)
    c.add_argument("netns", nargs="*")
    m = sub.add_parser("monitor")
    m.add_argument("--ns", required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--ready", required=True)
    for name in ("lookups", "probe"):
        x = sub.add_parser(name)
        x.add_argument("--ns" if name == "lookups" else "--client-ns", required=True)
        x.add_argument("--src", required=True)
        x.add_argument("--dst", required=True)
        x.add_argument("--nflows", type=int, required=True)
        x.add_argument("--port", type=int, required=True)
        x.add_argument("--nports", type=int, required=True)
        x.add_argument("--sport", type=int, required=True)
        if name == "probe":
            x.add_argument("--out", required=True)
            x.add_argument("--stop", required=True)
            x.add_argument("--timeout", type=float, default=1.0)
    args = p.parse_args()
    return {"udpflood": udpflood, "sniff": sniff, "spoof": spoof, "l2send": l2send,
            "counters": counters,
            "monitor": monitor, "lookups": lookups, "probe": probe}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
