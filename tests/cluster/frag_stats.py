#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# frag_stats.py BEFORE AFTER: BEFORE and AFTER are the three forwarders'
# `maglevctl -j stats` documents, concatenated. Prints each forwarder's
# fragment counters over the interval; exits 0 if F1 and another
# forwarder redirected fragments (so they were split), some were redirected, every redirect was received,
# none was dropped, and 40 datagrams were recorded (tests/cluster/40-*).
import json
import sys


def docs(s):
    dec, i, out = json.JSONDecoder(), 0, []
    s = s.strip()
    while i < len(s):
        d, i = dec.raw_decode(s, i)
        out.append(d)
        while i < len(s) and s[i].isspace():
            i += 1
    return out


a, b = docs(sys.argv[1]), docs(sys.argv[2])
keys = ("frag_first", "frag_followed", "frag_redirect_out",
        "frag_redirect_in", "frag_drop", "frag_expired")
diff = [{k: y.get(k, 0) - x.get(k, 0) for k in keys} for x, y in zip(a, b)]
for i, d in enumerate(diff, 1):
    print(f"F{i}", " ".join(f"{k}={v}" for k, v in d.items()))


def tot(k):
    return sum(d[k] for d in diff)


# R sends every later fragment to F1: F2 and F3 get first fragments only,
# so what they redirect are first fragments of datagrams they do not own;
# F1 redirects the later fragments of datagrams F2 or F3 own.
spread = diff[0]["frag_redirect_out"] > 0 and any(d["frag_redirect_out"] for d in diff[1:])
ok = (spread and tot("frag_redirect_out") > 0
      and tot("frag_redirect_out") == tot("frag_redirect_in")
      and tot("frag_drop") == 0 and tot("frag_first") == 40)
sys.exit(0 if ok else 1)
