#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Fragmented UDP for the maglev fragment scenarios (tests/netns/5[2-9]-frag-*).
# Standard library only: fragments are built by hand (IPv4, and IPv6 with a
# fragment header) and sent through raw sockets with the IP header
# included; namespaces and lookups come from peer.py.
#
#   frag_peer.py send --client-ns C --fwd-ns F --map ADDR=NAME,... --src IP
#           --dst VIP --port P --sports S [--size N] [--order ORDER]
#           [--via NETNS] [--out FILE]
#       One UDP datagram of N bytes (default 4000) per source port, from
#       IP:sport to VIP:P, and waits for the answer of the backend that
#       received it whole (peer.py server answers its name). ORDER:
#         kernel   a connected UDP socket: the kernel fragments it
#         reverse  hand-made fragments of 1200 bytes, last fragment first
#         nofirst  the same without the first fragment: no answer expected
#         split    the first fragment through the default route, the
#                  others (in order) through device --split-dev
#       Then asks F's kernel (MAGLEV_CMD_LOOKUP) which backend each flow
#       must reach and compares. Exits 1 on any mismatch or missing answer
#       (or, for nofirst, any answer).
#   frag_peer.py flood --client-ns C --src IP --dst VIP --count N [--pace K]
#       N later fragments (offset 8, MF set) of N distinct datagrams to VIP,
#       UDP, whose first fragment never comes (10 ms pause every K).
import argparse
import concurrent.futures
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer  # noqa: E402

FRAG = 1200  # fragment payload bytes, a multiple of 8 (fits MTU 1400)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp(src, dst, sport, dport, payload):
    """A UDP header and payload with its checksum."""
    v6 = ":" in dst
    sa = socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, src)
    da = socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, dst)
    length = 8 + len(payload)
    if v6:
        pseudo = sa + da + struct.pack("!I3xB", length, 17)
    else:
        pseudo = sa + da + struct.pack("!xBH", 17, length)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = csum(pseudo + hdr + payload) or 0xffff
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def fragments(src, dst, ident, l4):
    """[(offset, packet bytes)] of the IPv4 or IPv6 datagram carrying l4."""
    out = []
    v6 = ":" in dst
    for off in range(0, len(l4), FRAG):
        chunk = l4[off:off + FRAG]
        more = off + FRAG < len(l4)
        if v6:
            fh = struct.pack("!BBHI", 17, 0, off | (1 if more else 0), ident)
            hdr = struct.pack("!IHBB", 6 << 28, len(fh) + len(chunk), 44, 64)
            pkt = (hdr + socket.inet_pton(socket.AF_INET6, src) +
                   socket.inet_pton(socket.AF_INET6, dst) + fh + chunk)
        else:
            fo = (off >> 3) | (0x2000 if more else 0)
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk),
                              ident & 0xffff, fo, 64, 17, 0,
                              socket.inet_aton(src), socket.inet_aton(dst))
            hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            pkt = hdr + chunk
        out.append((off, pkt))
    return out


def raw_socket(dst):
    if ":" in dst:
        # IPPROTO_RAW on an IPv6 raw socket includes the header.
        return socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)


def send_one(args, sport, payload):
    fam = peer.family(args.dst)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        s.bind((args.src, sport))
        s.connect((args.dst, args.port))
        s.settimeout(args.timeout)
        tries = {"kernel": 3, "reverse": 2, "nofirst": 1, "split": 2}[args.order]
        if args.order == "nofirst":
            s.settimeout(1.0)
        for _ in range(tries):
            if args.order == "kernel":
                try:
                    s.send(payload)
                except OSError:
                    # an ICMP error (too big) reported late: try again
                    continue
            else:
                frags = fragments(args.src, args.dst,
                                  random.randrange(1, 1 << 31),
                                  udp(args.src, args.dst, sport, args.port,
                                      payload))
                if args.order == "nofirst":
                    frags = frags[1:]
                r = raw_socket(args.dst)
                if args.order == "split":
                    r.sendto(frags[0][1], (args.dst, 0))
                    r.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                                 args.split_dev.encode())
                    for _, pkt in frags[1:]:
                        r.sendto(pkt, (args.dst, 0))
                else:
                    for _, pkt in reversed(frags):
                        r.sendto(pkt, (args.dst, 0))
                r.close()
            try:
                return s.recv(256).decode(errors="replace").strip() or "-(empty)"
            except socket.timeout:
                continue
        return "-(timeout)"
    except OSError as e:
        return f"-({e})"
    finally:
        s.close()


def send(args):
    names = {}
    for item in args.map.split(","):
        a, n = item.split("=", 1)
        names[peer.norm(a)] = n
    sports = peer.parse_ports(args.sports)
    payload = bytes(random.randrange(256) for _ in range(args.size))
    # Worker threads are created in the namespace the main thread is in.
    peer.setns(args.client_ns)
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            futs = [ex.submit(send_one, args, sp, payload) for sp in sports]
            got = [f.result() for f in futs]
    finally:
        peer.setns(None)
    bad = 0
    if args.order == "nofirst":
        for sp, g in zip(sports, got):
            if not g.startswith("-"):
                print(f"sport {sp}: answered by {g} without a first fragment")
                bad += 1
        print(f"{len(sports)} datagrams without their first fragment, {bad} answered")
        return 1 if bad else 0
    want = peer.kernel_lookups(args.fwd_ns, "udp", args.src, args.dst,
                               args.port, sports)
    per = {}
    for sp, g, (reason, addr, _) in zip(sports, got, want):
        w = names.get(peer.norm(addr)) if addr else None
        if g != w:
            print(f"sport {sp}: answered by {g}, lookup says {w} ({reason})")
            bad += 1
        else:
            per[g] = per.get(g, 0) + 1
    for n in sorted(per):
        print(f"{n}: {per[n]} datagrams of {args.size} bytes")
    return 1 if bad else 0


def flood(args):
    peer.setns(args.client_ns)
    try:
        r = raw_socket(args.dst)
        base = random.randrange(1, 1 << 30)
        for i in range(args.count):
            # a later fragment (offset 8 bytes) of datagram base + i
            chunk = bytes(64)
            if ":" in args.dst:
                fh = struct.pack("!BBHI", 17, 0, 8 | 1, base + i)
                hdr = struct.pack("!IHBB", 6 << 28, len(fh) + len(chunk), 44, 64)
                pkt = (hdr + socket.inet_pton(socket.AF_INET6, args.src) +
                       socket.inet_pton(socket.AF_INET6, args.dst) + fh + chunk)
            else:
                hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk),
                                  (base + i) & 0xffff, 1 | 0x2000, 64, 17, 0,
                                  socket.inet_aton(args.src),
                                  socket.inet_aton(args.dst))
                pkt = hdr + chunk
            r.sendto(pkt, (args.dst, 0))
            if args.pace and i % args.pace == args.pace - 1:
                time.sleep(0.01)
        r.close()
    finally:
        peer.setns(None)
    print(f"sent {args.count} unmatched fragments")
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("send")
    p.add_argument("--client-ns", required=True)
    p.add_argument("--fwd-ns", required=True)
    p.add_argument("--map", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--sports", required=True)
    p.add_argument("--size", type=int, default=4000)
    p.add_argument("--order", default="kernel",
                   choices=("kernel", "reverse", "nofirst", "split"))
    p.add_argument("--split-dev")
    p.add_argument("--timeout", type=float, default=3.0)
    p = sub.add_parser("flood")
    p.add_argument("--client-ns", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--pace", type=int, default=0,
                   help="sleep 10 ms after every PACE packets")
    args = ap.parse_args()
    return {"send": send, "flood": flood}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
