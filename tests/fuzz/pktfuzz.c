// SPDX-License-Identifier: GPL-2.0
/*
 * pktfuzz: malformed, truncated and well-formed IPv4/IPv6 packets at a
 * maglev VIP, as Ethernet frames on an AF_PACKET socket.
 *
 *   pktfuzz --iface IF --dmac MAC --vip4 A --vip6 A --port P
 *           [--count N] [--seed S] [--good-every K] [--json FILE]
 *   pktfuzz --iface IF --dmac MAC --vip4 A --vip6 A --port P --flood SECS
 *   (both: [--rate PPS], at most PPS frames a second; default: no limit)
 *
 * Every frame is addressed to DMAC (the forwarder's interface, so that it
 * arrives as PACKET_HOST) and its IP destination is a VIP. Sources are
 * drawn from 198.18.0.0/15 and 2001:db8:ff::/64, which the forwarder does
 * not route, so that nothing a backend answers comes back to the VIP.
 *
 * Fuzz mode sends COUNT frames: every K-th one a well-formed UDP or TCP
 * packet to VIP:PORT, the others drawn (deterministically, from SEED) from
 * the classes below; their destination ports are PORT, 0 or 10000-65535,
 * never another service of the scenarios. Each frame sent is also run
 * through a model of what the receiving kernel does with it before
 * PREROUTING (ip_rcv_core(), ip6_rcv_core() with ipv6_parse_hopopts(),
 * Linux 6.1 to 6.12) and of what maglev's hook then does (parse.c,
 * hook.c): the summary says how many frames must have been dropped before
 * the hook ("pre"), counted by maglev as fragments ("frag") or malformed
 * ("malformed"), matched a service ("service": forwarded or dropped with a
 * reason) or passed the hook uncounted ("pass": other protocols, other
 * ports, SCTP). The model assumes TCP and UDP services on VIP4:PORT and
 * [VIP6]:PORT, no SCTP service, no port-0 service and the sysctls'
 * defaults. "maybe" counts frames whose fate the model cannot tell (a
 * CALIPSO hop-by-hop option): dropped before the hook or counted in the
 * bucket named. --json FILE writes the counts per class and per outcome.
 *
 * Flood mode sends well-formed UDP packets to both VIPs, from many source
 * addresses and ports, for SECS seconds (0: until SIGINT/SIGTERM), and stops
 * quietly when the interface disappears (its namespace was deleted).
 *
 * Build: cc -O2 -Wall -Wextra -o pktfuzz pktfuzz.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX	1514
#define IP_MAX		(FRAME_MAX - 14)
#define BATCH		64

#define P_HOP		0
#define P_ICMP		1
#define P_TCP		6
#define P_UDP		17
#define P_ROUTING	43
#define P_FRAGMENT	44
#define P_GRE		47
#define P_ESP		50
#define P_AUTH		51
#define P_ICMPV6	58
#define P_NONE		59
#define P_DEST		60
#define P_SCTP		132

/* ------------------------------------------------------------ outcomes */

enum outcome { O_PRE, O_FRAG, O_MALF, O_SVC, O_PASS, O_N };
static const char *const outcome_name[O_N] = {
	"pre", "frag", "malformed", "service", "pass"
};

struct verdict {
	int fam;	/* 4 or 6: the ethertype's family */
	int out;	/* enum outcome */
	bool maybe;	/* O_PRE or @out, the model cannot tell */
};

struct cfg {
	uint8_t vip4[4];
	uint8_t vip6[16];
	uint16_t port;
};

static struct cfg cfg;

/* ------------------------------------------------------------ random */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for fuzzing; n > 0. */
static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(rnd64() % n);
}

static bool coin(unsigned int percent)
{
	return rnd(100) < percent;
}

static void rnd_bytes(uint8_t *p, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)rnd64();
}

/* ------------------------------------------------------------ checksums */

static uint32_t sum16(const uint8_t *p, int n, uint32_t s)
{
	int i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		s += (uint32_t)p[i] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ------------------------------------------------------------ the model */

/* The L4 part of maglev_parse_l4() and the service match. */
static int model_l4(const uint8_t *p, int len, int off, int proto, bool vip)
{
	switch (proto) {
	case P_TCP:
		if (off + 20 > len)
			return O_MALF;
		if ((p[off + 12] >> 4) < 5 || off + (p[off + 12] >> 4) * 4 > len)
			return O_MALF;
		break;
	case P_UDP:
		if (off + 8 > len)
			return O_MALF;
		break;
	case P_SCTP:
		if (off + 12 > len)
			return O_MALF;
		return O_PASS;	/* no SCTP service */
	default:
		return O_PASS;
	}
	return vip && get16(p + off + 2) == cfg.port ? O_SVC : O_PASS;
}

/* ip_rcv_core(), then maglev_parse_ipv4(). */
static int model4(const uint8_t *p, int n)
{
	int ihl, tot;

	if (n < 20)
		return O_PRE;
	ihl = p[0] & 15;
	if (ihl < 5 || p[0] >> 4 != 4)
		return O_PRE;
	if (ihl * 4 > n)
		return O_PRE;
	if (fold(sum16(p, ihl * 4, 0)) != 0)
		return O_PRE;
	tot = get16(p + 2);
	if (n < tot || tot < ihl * 4)
		return O_PRE;
	/* The skb is trimmed to tot_len. */
	if (get16(p + 6) & 0x3fff)	/* IP_MF | IP_OFFSET */
		return O_FRAG;
	return model_l4(p, tot, ihl * 4, p[9], !memcmp(p + 16, cfg.vip4, 4));
}

enum { HBH_OK, HBH_DROP, HBH_MAYBE };

/* ipv6_parse_hopopts() and ip6_parse_tlv() with the default sysctls. */
static int model_hbh(const uint8_t *p, int len)
{
	int extlen, off, left, count = 0, pad = 0, r = HBH_OK;

	if (len < 48)
		return HBH_DROP;
	extlen = (p[41] + 1) * 8;
	if (40 + extlen > len)
		return HBH_DROP;
	off = 42;
	left = extlen - 2;
	while (left > 0) {
		int t = p[off], optlen;

		if (t == 0) {	/* Pad1 */
			if (++pad > 7)
				return HBH_DROP;
			off++;
			left--;
			continue;
		}
		if (left < 2)
			return HBH_DROP;
		optlen = p[off + 1] + 2;
		if (optlen > left)
			return HBH_DROP;
		if (t == 1) {	/* PadN: at most 7 bytes of zeroes */
			pad += optlen;
			if (pad > 7)
				return HBH_DROP;
			for (int i = 2; i < optlen; i++)
				if (p[off + i])
					return HBH_DROP;
		} else {
			if (++count > 8)	/* max_hbh_opts_cnt */
				return HBH_DROP;
			switch (t) {
			case 0x05:	/* router alert */
				if (p[off + 1] != 2)
					return HBH_DROP;
				break;
			case 0x31:	/* IOAM: ignored unless ioam6_enabled */
				if (off & 3)
					return HBH_DROP;
				break;
			case 0xc2:	/* jumbo: never valid below 64 KiB */
				return HBH_DROP;
			case 0x07:	/* CALIPSO: depends on NetLabel */
				if (p[off + 1] < 8 || p[off + 6] * 4 + 8 > p[off + 1])
					return HBH_DROP;
				r = HBH_MAYBE;
				break;
			default:	/* unknown: the action bits */
				if (t & 0xc0)
					return HBH_DROP;
				break;
			}
			pad = 0;
		}
		off += optlen;
		left -= optlen;
	}
	return r;
}

/* ipv6_skip_exthdr(): the offset of the upper-layer header, or -1. */
static int skip_exthdr(const uint8_t *p, int len, int start, int *nhp,
		       uint16_t *frag)
{
	int nh = *nhp, hdrlen;

	*frag = 0;
	while (nh == P_HOP || nh == P_ROUTING || nh == P_FRAGMENT ||
	       nh == P_AUTH || nh == P_NONE || nh == P_DEST) {
		if (nh == P_NONE || start + 2 > len)
			return -1;
		if (nh == P_FRAGMENT) {
			if (start + 4 > len)
				return -1;
			*frag = get16(p + start + 2);
			if (*frag & ~7)
				break;
			hdrlen = 8;
		} else if (nh == P_AUTH) {
			hdrlen = (p[start + 1] + 2) << 2;
		} else {
			hdrlen = (p[start + 1] + 1) << 3;
		}
		nh = p[start];
		start += hdrlen;
	}
	*nhp = nh;
	return start;
}

static bool v6_loopback(const uint8_t *a)
{
	static const uint8_t lo[16] = { [15] = 1 };

	return !memcmp(a, lo, 16);
}

/* ip6_rcv_core(), then maglev_parse_ipv6(). */
static int model6(const uint8_t *p, int n, bool *maybe)
{
	int len = n, plen, nh, off;
	uint16_t frag;

	if (n < 40 || p[0] >> 4 != 6)
		return O_PRE;
	if (v6_loopback(p + 8) || v6_loopback(p + 24))
		return O_PRE;
	if (p[24] == 0xff && (p[25] & 15) <= 1)
		return O_PRE;
	if (p[8] == 0xff)
		return O_PRE;
	plen = get16(p + 4);
	nh = p[6];
	if (plen || nh != P_HOP) {
		if (plen + 40 > n)
			return O_PRE;
		len = plen + 40;
	}
	if (nh == P_HOP) {
		int r = model_hbh(p, len);

		if (r == HBH_DROP)
			return O_PRE;
		*maybe = r == HBH_MAYBE;
	}
	if (nh == P_NONE)
		return O_PASS;
	off = skip_exthdr(p, len, 40, &nh, &frag);
	if (off < 0)
		return O_MALF;
	if (frag & 0xfff9)	/* IP6_OFFSET | IP6_MF */
		return O_FRAG;
	return model_l4(p, len, off, nh, !memcmp(p + 24, cfg.vip6, 16));
}

static struct verdict model(const uint8_t *frame, int n)
{
	struct verdict v = { 0, O_PASS, false };
	uint16_t et = get16(frame + 12);

	if (et == ETH_P_IP) {
		v.fam = 4;
		v.out = model4(frame + 14, n - 14);
	} else if (et == ETH_P_IPV6) {
		v.fam = 6;
		v.out = model6(frame + 14, n - 14, &v.maybe);
	}
	return v;
}

/* ------------------------------------------------------------ builders */

struct pkt {
	uint8_t f[FRAME_MAX];	/* the frame */
	uint8_t *ip;		/* f + 14 */
	int len;		/* IP length */
	int fam;
};

static uint8_t smac[6], dmac[6];

static void eth(struct pkt *k, int fam)
{
	memcpy(k->f, dmac, 6);
	memcpy(k->f + 6, smac, 6);
	put16(k->f + 12, fam == 4 ? ETH_P_IP : ETH_P_IPV6);
	k->ip = k->f + 14;
	k->fam = fam;
}

static void src4(uint8_t *a)
{
	uint32_t r = rnd(1 << 17);

	a[0] = 198;
	a[1] = 18 + (r >> 16);
	a[2] = (r >> 8) & 0xff;
	a[3] = r & 0xff;
}

static void src6(uint8_t *a)
{
	static const uint8_t pfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xff, 0, 0 };

	memcpy(a, pfx, 8);
	rnd_bytes(a + 8, 8);
}

/* An IPv4 header of IHL words (options zeroed = EOL) for PLEN bytes. */
static uint8_t *ip4(struct pkt *k, int ihl, int proto, int plen, uint16_t frag)
{
	uint8_t *h;

	eth(k, 4);
	h = k->ip;
	memset(h, 0, ihl * 4);
	h[0] = 0x40 | ihl;
	h[1] = coin(10) ? (uint8_t)rnd(256) : 0;
	put16(h + 2, ihl * 4 + plen);
	put16(h + 4, (uint16_t)rnd(65536));
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	src4(h + 12);
	memcpy(h + 16, cfg.vip4, 4);
	k->len = ihl * 4 + plen;
	return h + ihl * 4;
}

static void ip4_csum(struct pkt *k)
{
	int hl = (k->ip[0] & 15) * 4;

	if (hl > k->len)
		hl = k->len;
	put16(k->ip + 10, 0);
	put16(k->ip + 10, fold(sum16(k->ip, hl, 0)));
}

static uint8_t *ip6(struct pkt *k, int nh, int plen)
{
	uint8_t *h;

	eth(k, 6);
	h = k->ip;
	memset(h, 0, 40);
	h[0] = 0x60;
	if (coin(10))
		h[1] = (uint8_t)rnd(256);
	put16(h + 4, plen);
	h[6] = nh;
	h[7] = 64;
	src6(h + 8);
	memcpy(h + 24, cfg.vip6, 16);
	k->len = 40 + plen;
	return h + 40;
}

static uint16_t port_choice(void)
{
	switch (rnd(8)) {
	case 0:
		return 0;
	case 1:	/* not the scenarios' other services (below 10000) */
		return (uint16_t)(10000 + rnd(55536));
	default:
		return cfg.port;
	}
}

static uint16_t sport_choice(void)
{
	return coin(5) ? 0 : (uint16_t)(1024 + rnd(64512));
}

/* L4 checksum over the pseudo-header of K's family; CSUM_OFF in L4. */
static void l4_csum(struct pkt *k, uint8_t *l4, int l4len, int proto, int csum_off)
{
	uint32_t s;

	if (csum_off + 2 > l4len)
		return;
	put16(l4 + csum_off, 0);
	if (proto == P_ICMP) {
		s = 0;		/* no pseudo-header */
	} else if (k->fam == 4) {
		s = sum16(k->ip + 12, 8, 0) + proto + l4len;
	} else {
		s = sum16(k->ip + 8, 32, 0) + proto;
		s += (uint32_t)(l4len >> 16) + (l4len & 0xffff);
	}
	s = sum16(l4, l4len, s);
	put16(l4 + csum_off, fold(s) ?: 0xffff);
}

static void tcp_hdr(uint8_t *t, int doff, uint8_t flags)
{
	put16(t, sport_choice());
	put16(t + 2, port_choice());
	put16(t + 4, (uint16_t)rnd(65536));
	put16(t + 6, (uint16_t)rnd(65536));
	put16(t + 8, (uint16_t)rnd(65536));
	put16(t + 10, (uint16_t)rnd(65536));
	t[12] = (uint8_t)(doff << 4);
	t[13] = flags;
	put16(t + 14, 64240);
	put16(t + 16, (uint16_t)rnd(65536));
	put16(t + 18, 0);
}

static void udp_hdr(uint8_t *u, int len)
{
	put16(u, sport_choice());
	put16(u + 2, port_choice());
	put16(u + 4, len);
	put16(u + 6, (uint16_t)rnd(65536));
}

/* ------------------------------------------------------------ classes */

typedef void (*gen_fn)(struct pkt *k);

static int pick_fam(void)
{
	return coin(50) ? 4 : 6;
}

static uint8_t *ip_any(struct pkt *k, int fam, int proto, int plen)
{
	return fam == 4 ? ip4(k, 5, proto, plen, coin(50) ? 0x4000 : 0) :
			  ip6(k, proto, plen);
}

static void finish(struct pkt *k)
{
	if (k->fam == 4)
		ip4_csum(k);
}

/* Well-formed UDP or TCP at VIP:PORT (every k-th packet). */
static void gen_good(struct pkt *k)
{
	static unsigned int n;
	int fam = (n & 1) ? 6 : 4, tcp = (n >> 1) & 1;
	uint8_t *l4;

	n++;
	if (tcp) {
		l4 = ip_any(k, fam, P_TCP, 20);
		tcp_hdr(l4, 5, coin(50) ? 0x02 : 0x10);
		put16(l4, (uint16_t)(1024 + rnd(64512)));
		put16(l4 + 2, cfg.port);
		finish(k);
		l4_csum(k, l4, 20, P_TCP, 16);
	} else {
		int plen = 8 + (int)rnd(64);

		l4 = ip_any(k, fam, P_UDP, plen);
		udp_hdr(l4, plen);
		put16(l4, (uint16_t)(1024 + rnd(64512)));
		put16(l4 + 2, cfg.port);
		rnd_bytes(l4 + 8, plen - 8);
		finish(k);
		l4_csum(k, l4, plen, P_UDP, 6);
	}
}

/* Less than an IPv4/IPv6 header. */
static void gen_ip_short(struct pkt *k)
{
	int fam = pick_fam();

	eth(k, fam);
	k->len = (int)rnd(fam == 4 ? 20 : 40);
	rnd_bytes(k->ip, k->len);
	if (k->len)
		k->ip[0] = (uint8_t)((fam == 4 ? 0x40 : 0x60) | (k->ip[0] & 15));
}

/* A wrong version number for the ethertype. */
static void gen_ip_badver(struct pkt *k)
{
	uint8_t *l4;

	if (coin(50)) {
		l4 = ip4(k, 5, P_UDP, 8, 0);
		udp_hdr(l4, 8);
		k->ip[0] = (uint8_t)((rnd(16) << 4) | 5);
		if (k->ip[0] >> 4 == 4)
			k->ip[0] = 0x65;
		finish(k);
	} else {
		l4 = ip6(k, P_UDP, 8);
		udp_hdr(l4, 8);
		k->ip[0] = (uint8_t)(rnd(16) << 4);
		if (k->ip[0] >> 4 == 6)
			k->ip[0] = 0x40;
	}
}

/* IHL below 5. */
static void gen_ip4_ihl_small(struct pkt *k)
{
	uint8_t *l4 = ip4(k, 5, P_UDP, 8, 0);

	udp_hdr(l4, 8);
	k->ip[0] = 0x40 | rnd(5);
	finish(k);
}

/* IHL beyond the frame or beyond tot_len. */
static void gen_ip4_ihl_big(struct pkt *k)
{
	uint8_t *l4 = ip4(k, 5, P_TCP, 20, 0);

	tcp_hdr(l4, 5, 0x02);
	k->len = 20 + (int)rnd(40);
	k->ip[0] = (uint8_t)(0x40 | (6 + rnd(10)));
	if (coin(50))
		put16(k->ip + 2, (uint16_t)k->len);
	finish(k);
}

/* tot_len smaller than the frame (trimmed), or than the header. */
static void gen_ip4_totlen_small(struct pkt *k)
{
	int plen = 8 + (int)rnd(80);
	uint8_t *l4 = ip4(k, 5, coin(50) ? P_UDP : P_TCP, plen, 0);

	if (k->ip[9] == P_UDP)
		udp_hdr(l4, plen);
	else
		tcp_hdr(l4, 5, 0x10);
	rnd_bytes(l4 + 8, plen - 8 > 12 ? 12 : plen - 8);
	put16(k->ip + 2, (uint16_t)rnd(20 + plen));
	finish(k);
}

/* tot_len larger than the frame. */
static void gen_ip4_totlen_big(struct pkt *k)
{
	int plen = (int)rnd(60);
	uint8_t *l4 = ip4(k, 5, P_UDP, plen, 0);

	if (plen >= 8)
		udp_hdr(l4, plen);
	put16(k->ip + 2, (uint16_t)(20 + plen + 1 + rnd(65515 - plen)));
	finish(k);
}

/* A wrong IPv4 header checksum. */
static void gen_ip4_badcsum(struct pkt *k)
{
	uint8_t *l4 = ip4(k, 5, P_UDP, 16, 0);

	udp_hdr(l4, 16);
	finish(k);
	put16(k->ip + 10, get16(k->ip + 10) ^ (uint16_t)(1 + rnd(65535)));
}

/* Well-formed IPv4 options, then TCP or UDP. */
static void gen_ip4_opts(struct pkt *k)
{
	int ihl = 6 + (int)rnd(10), o = 20, end, proto = coin(50) ? P_TCP : P_UDP;
	uint8_t *h, *l4;

	l4 = ip4(k, ihl, proto, proto == P_TCP ? 20 : 12, 0);
	h = k->ip;
	end = ihl * 4;
	while (o < end) {
		int left = end - o;

		switch (rnd(6)) {
		case 0:		/* NOP */
			h[o++] = 1;
			break;
		case 1:		/* router alert */
			if (left < 4)
				goto nop;
			h[o] = 0x94;
			h[o + 1] = 4;
			o += 4;
			break;
		case 2:		/* record route */
		case 3: {	/* timestamp */
			int l = 3 + 4 * (int)rnd((left - 3) / 4 + 1);

			if (left < 7)
				goto nop;
			if (l > left)
				l = left;
			h[o] = rnd(2) ? 7 : 0x44;
			h[o + 1] = (uint8_t)l;
			h[o + 2] = h[o] == 7 ? 4 : 5;
			if (h[o] == 0x44 && l > 3)
				h[o + 3] = 0;
			o += l;
			break;
		}
		case 4:		/* EOL: the rest stays zero */
			o = end;
			break;
		default:	/* security-ish unknown option with length */
			if (left < 3)
				goto nop;
			h[o] = 0x88 + (uint8_t)rnd(4);
			h[o + 1] = (uint8_t)(2 + rnd(left - 1));
			o += h[o + 1];
			break;
nop:
			h[o++] = 1;
		}
	}
	if (proto == P_TCP)
		tcp_hdr(l4, 5, 0x02);
	else
		udp_hdr(l4, 12);
	finish(k);
	l4_csum(k, l4, k->len - ihl * 4, proto, proto == P_TCP ? 16 : 6);
}

/* Random bytes as IPv4 options (the kernel looks at them after the hook). */
static void gen_ip4_opts_garbage(struct pkt *k)
{
	int ihl = 6 + (int)rnd(10);
	uint8_t *l4 = ip4(k, ihl, coin(50) ? P_TCP : P_UDP, 20, 0);

	rnd_bytes(k->ip + 20, ihl * 4 - 20);
	if (k->ip[9] == P_TCP)
		tcp_hdr(l4, 5, (uint8_t)rnd(256));
	else
		udp_hdr(l4, 20);
	finish(k);
}

/* IPv4 fragments: first, middle, last, overlapping, past 64 KiB, tiny. */
static void gen_ip4_frag(struct pkt *k)
{
	int kind = (int)rnd(6), plen = 8 + 8 * (int)rnd(20), proto;
	uint16_t frag;
	uint8_t *l4;

	switch (kind) {
	case 0:	/* first */
		frag = 0x2000;
		break;
	case 1:	/* middle */
		frag = 0x2000 | (uint16_t)(1 + rnd(100));
		break;
	case 2:	/* last */
		frag = (uint16_t)(1 + rnd(100));
		break;
	case 3:	/* overlapping: an offset inside a first fragment's data */
		frag = 0x2000 | (uint16_t)(1 + rnd(2));
		break;
	case 4:	/* offset * 8 + length beyond 65535 */
		frag = (uint16_t)(rnd(2) ? 0x2000 : 0) | (uint16_t)(8180 + rnd(12));
		break;
	default: /* first fragment with a truncated L4 header, DF too */
		frag = 0x2000 | (coin(50) ? 0x4000 : 0);
		plen = (int)rnd(8);
		break;
	}
	proto = rnd(3) ? (coin(50) ? P_UDP : P_TCP) : P_ICMP;
	l4 = ip4(k, 5, proto, plen, frag);
	rnd_bytes(l4, plen);
	if (plen >= 4)
		put16(l4 + 2, cfg.port);
	finish(k);
}

/* IPv4 with more than 1480 bytes (DF): does not fit the tunnel. */
static void gen_big(struct pkt *k)
{
	int fam = pick_fam(), plen = fam == 4 ? 1400 + (int)rnd(81) : 1400 + (int)rnd(61);
	uint8_t *l4 = ip_any(k, fam, P_UDP, plen);

	if (fam == 4)
		put16(k->ip + 6, 0x4000);
	udp_hdr(l4, plen);
	put16(l4 + 2, cfg.port);
	memset(l4 + 8, 0xa5, plen - 8);
	finish(k);
	l4_csum(k, l4, plen, P_UDP, 6);
}

/* L4 headers truncated at every length below their size. */
static void gen_l4_trunc(struct pkt *k)
{
	static const struct { int proto, size; } l4s[] = {
		{ P_TCP, 20 }, { P_UDP, 8 }, { P_SCTP, 12 }, { P_ICMP, 8 },
		{ P_ICMPV6, 8 }, { P_GRE, 4 },
	};
	static unsigned int next[2][6];
	int fam = pick_fam(), i = (int)rnd(6), n;
	uint8_t *l4, full[20];

	if (fam == 4 && l4s[i].proto == P_ICMPV6)
		i = 3;
	if (fam == 6 && l4s[i].proto == P_ICMP)
		i = 4;
	n = (int)(next[fam == 6][i]++ % (unsigned int)l4s[i].size);
	l4 = ip_any(k, fam, l4s[i].proto, n);
	rnd_bytes(full, sizeof(full));
	put16(full + 2, cfg.port);
	memcpy(l4, full, n);
	finish(k);
}

/* TCP data offset below 5 or beyond the packet. */
static void gen_tcp_doff(struct pkt *k)
{
	int fam = pick_fam(), extra = 4 * (int)rnd(4), doff;
	uint8_t *l4 = ip_any(k, fam, P_TCP, 20 + extra);

	doff = coin(50) ? (int)rnd(5) : 6 + extra / 4 + (int)rnd(10 - extra / 4);
	tcp_hdr(l4, doff > 15 ? 15 : doff, (uint8_t)rnd(256));
	rnd_bytes(l4 + 20, extra);
	finish(k);
}

/* Complete TCP, UDP or SCTP headers with bad checksums, odd flags, zero
 * ports, options and lengths.
 */
static void gen_l4_bad(struct pkt *k)
{
	int fam = pick_fam(), proto, plen;
	uint8_t *l4;

	switch (rnd(3)) {
	case 0:
		proto = P_TCP;
		plen = 20 + 4 * (int)rnd(11) + (int)rnd(40);
		l4 = ip_any(k, fam, proto, plen);
		rnd_bytes(l4, plen);
		tcp_hdr(l4, 5 + (plen - 20) / 4 > 15 ? 15 : 5 + (int)rnd((plen - 20) / 4 + 1),
			(uint8_t)rnd(256));
		break;
	case 1:
		proto = P_UDP;
		plen = 8 + (int)rnd(64);
		l4 = ip_any(k, fam, proto, plen);
		rnd_bytes(l4, plen);
		udp_hdr(l4, coin(50) ? (int)rnd(65536) : plen);
		break;
	default:
		proto = P_SCTP;
		plen = 12 + (int)rnd(40);
		l4 = ip_any(k, fam, proto, plen);
		rnd_bytes(l4, plen);
		put16(l4, sport_choice());
		put16(l4 + 2, port_choice());
		break;
	}
	finish(k);
	if (coin(30))
		l4_csum(k, l4, plen, proto, proto == P_TCP ? 16 : proto == P_UDP ? 6 : 8);
}

/* ICMP / ICMPv6 errors quoting a packet from the VIP:PORT, whole or cut. */
static void gen_icmp_err(struct pkt *k)
{
	int fam = pick_fam(), q = fam == 4 ? 28 + (int)rnd(20) : 48 + (int)rnd(20);
	int cut = coin(50) ? (int)rnd(q + 1) : q;
	uint8_t *l4 = ip_any(k, fam, fam == 4 ? P_ICMP : P_ICMPV6, 8 + cut);
	uint8_t in[80];

	memset(in, 0, sizeof(in));
	if (fam == 4) {
		static const uint8_t ty[][2] = { {3, 3}, {3, 4}, {11, 0}, {12, 0}, {3, 1}, {5, 1} };
		int t = (int)rnd(6);

		l4[0] = ty[t][0];
		l4[1] = ty[t][1];
		put16(l4 + 6, 1400);
		in[0] = 0x45;
		put16(in + 2, (uint16_t)q);
		in[8] = 1;
		in[9] = coin(50) ? P_TCP : P_UDP;
		memcpy(in + 12, cfg.vip4, 4);
		src4(in + 16);
		put16(in + 20, cfg.port);
		put16(in + 22, (uint16_t)rnd(65536));
		put16(in + 10, fold(sum16(in, 20, 0)));
	} else {
		static const uint8_t ty[][2] = { {1, 4}, {2, 0}, {3, 0}, {4, 0}, {1, 0}, {137, 0} };
		int t = (int)rnd(6);

		l4[0] = ty[t][0];
		l4[1] = ty[t][1];
		put16(l4 + 6, 1280);
		in[0] = 0x60;
		put16(in + 4, (uint16_t)(q - 40));
		in[6] = coin(50) ? P_TCP : P_UDP;
		in[7] = 1;
		memcpy(in + 8, cfg.vip6, 16);
		src6(in + 24);
		put16(in + 40, cfg.port);
		put16(in + 42, (uint16_t)rnd(65536));
	}
	rnd_bytes(in + (fam == 4 ? 24 : 44), 16);
	memcpy(l4 + 8, in, cut);
	finish(k);
	if (coin(70))
		l4_csum(k, l4, 8 + cut, fam == 4 ? P_ICMP : P_ICMPV6, 2);
}

/* GRE with various flags and an inner packet; unknown protocols. */
static void gen_gre_unknown(struct pkt *k)
{
	int fam = pick_fam(), plen = (int)rnd(64), proto;
	uint8_t *l4;

	if (coin(50)) {
		proto = P_GRE;
		plen += 4;
	} else {
		do
			proto = (int)rnd(256);
		while (proto == P_TCP || proto == P_UDP || proto == P_SCTP ||
		       proto == P_HOP || proto == P_ROUTING || proto == P_FRAGMENT ||
		       proto == P_AUTH || proto == P_DEST);
	}
	l4 = ip_any(k, fam, proto, plen);
	rnd_bytes(l4, plen);
	if (proto == P_GRE) {
		l4[0] &= 0xb0;	/* C, K, S in any combination, version 0 */
		l4[1] = 0;
		put16(l4 + 2, coin(50) ? ETH_P_IP : ETH_P_IPV6);
	}
	finish(k);
}

/* Valid options filling an option header's LEN - 2 bytes: skippable
 * unknown options (0x1e) and short pads, never two pads in a row.
 */
static void tlvs(uint8_t *h, int len)
{
	int o = 2, left = len - 2;
	bool lastpad = false;

	while (left > 0) {
		if (left >= 3 && (lastpad || coin(60))) {
			int d = (int)rnd((unsigned int)(left - 2 < 20 ? left - 2 : 20) + 1);

			h[o] = 0x1e;
			h[o + 1] = (uint8_t)d;
			rnd_bytes(h + o + 2, d);
			o += d + 2;
			left -= d + 2;
			lastpad = false;
		} else {
			int n = lastpad ? left : 1 + (int)rnd(5);

			if (n > left)
				n = left;
			if (n == 1) {
				h[o] = 0;
			} else {
				h[o] = 1;
				h[o + 1] = (uint8_t)(n - 2);
				memset(h + o + 2, 0, n - 2);
			}
			o += n;
			left -= n;
			lastpad = true;
		}
	}
}

/* The size of an extension header of TYPE with length field HLEN. */
static int ext6_len(int type, int hlen)
{
	if (type == P_FRAGMENT)
		return 8;
	return type == P_AUTH ? (hlen + 2) * 4 : (hlen + 1) * 8;
}

/* An IPv6 extension header of TYPE at H; returns its size. */
static int ext6(uint8_t *h, int type, int next, int hlen)
{
	int len = ext6_len(type, hlen);

	memset(h, 0, len);
	h[0] = next;
	h[1] = hlen;
	switch (type) {
	case P_HOP:
	case P_DEST:
		tlvs(h, len);
		break;
	case P_ROUTING:
		h[2] = (uint8_t)(coin(50) ? rnd(5) : rnd(256));	/* type */
		h[3] = (uint8_t)rnd(4);				/* segments left */
		rnd_bytes(h + 4, len - 4);
		break;
	case P_FRAGMENT: {
		/* first, middle, last or atomic */
		static const uint16_t fo[] = { 0x0001, 0x0101, 0x0100, 0x0000 };

		h[1] = 0;
		put16(h + 2, fo[rnd(4)]);
		rnd_bytes(h + 4, 4);
		break;
	}
	case P_AUTH:
		rnd_bytes(h + 2, len - 2);
		break;
	}
	return len;
}

/* IPv6 payload length larger or smaller than the frame. */
static void gen_ip6_plen(struct pkt *k)
{
	int plen = 8 + (int)rnd(60);
	uint8_t *l4 = ip6(k, coin(50) ? P_UDP : P_TCP, plen);

	rnd_bytes(l4, plen);
	put16(l4 + 2, cfg.port);
	if (k->ip[6] == P_TCP && plen >= 20)
		l4[12] = 0x50;
	if (coin(50))
		put16(k->ip + 4, (uint16_t)(plen + 1 + rnd(65535 - plen)));
	else
		put16(k->ip + 4, (uint16_t)rnd(plen));
}

static void l4_tail6(struct pkt *k, uint8_t *p, int proto)
{
	int n = proto == P_TCP ? 20 : proto == P_UDP ? 8 : 12;

	if (proto == P_TCP)
		tcp_hdr(p, 5, 0x02);
	else if (proto == P_UDP)
		udp_hdr(p, 8);
	else
		rnd_bytes(p, n);
	k->len += n;
}

/* Chains of IPv6 extension headers, short and long, valid and not. */
static void gen_ip6_ext(struct pkt *k)
{
	static const int types[] = { P_HOP, P_ROUTING, P_DEST, P_FRAGMENT, P_AUTH };
	int n = coin(70) ? 1 + (int)rnd(3) : 4 + (int)rnd(40), i, proto;
	int kinds[64], hlens[64], offs[64], o = 0;
	uint8_t *h;

	proto = rnd(4) ? (coin(50) ? P_UDP : P_TCP) : (coin(50) ? P_SCTP : P_NONE);
	h = ip6(k, 0, 0);
	/* Choose the chain; stop where it would not fit. */
	for (i = 0; i < n; i++) {
		kinds[i] = types[rnd(5)];
		/* Hop-by-hop first, as RFC 8200 says (mostly). */
		if (kinds[i] == P_HOP && i && rnd(4))
			kinds[i] = P_DEST;
		hlens[i] = kinds[i] == P_AUTH ? 1 + (int)rnd(4) : (int)rnd(3);
		if (40 + o + ext6_len(kinds[i], hlens[i]) + 20 > IP_MAX)
			break;
		offs[i] = o;
		o += ext6_len(kinds[i], hlens[i]);
	}
	n = i;
	k->ip[6] = n ? kinds[0] : proto;
	for (i = 0; i < n; i++)
		ext6(h + offs[i], kinds[i], i + 1 < n ? kinds[i + 1] : proto, hlens[i]);
	k->len = 40 + o;
	if (proto != P_NONE)
		l4_tail6(k, h + o, proto);
	/* Sometimes a garbage length somewhere in the chain. */
	if (n && coin(30))
		h[offs[rnd(n)] + 1] = (uint8_t)rnd(256);
	if (coin(15))	/* truncate somewhere */
		k->len = 40 + (int)rnd((unsigned int)(k->len - 40) + 1);
	put16(k->ip + 4, (uint16_t)(k->len - 40));
}

/* Hop-by-hop headers of random TLVs (most are dropped before the hook). */
static void gen_ip6_hbh_garbage(struct pkt *k)
{
	int hlen = (int)rnd(4), len = (hlen + 1) * 8, proto = coin(50) ? P_UDP : P_TCP;
	uint8_t *h = ip6(k, P_HOP, 0);
	int o = 2;

	k->len = 40;
	h[0] = proto;
	h[1] = hlen;
	while (o < len) {
		int t, l;

		switch (rnd(5)) {
		case 0:
			t = 0;
			break;
		case 1:
			t = 1;
			break;
		case 2:
			t = (int)rnd(64);	/* skippable */
			break;
		default:
			t = (int)rnd(256);
			break;
		}
		/* Options with their own parsers: not these. */
		if (t == 0x05 || t == 0x07 || t == 0x31 || t == 0xc2)
			t = 0x1e;
		h[o] = (uint8_t)t;
		if (t == 0) {
			o++;
			continue;
		}
		if (o + 1 >= len)
			break;
		l = coin(80) ? (int)rnd((unsigned int)(len - o - 1)) : (int)rnd(256);
		h[o + 1] = (uint8_t)l;
		if (t == 1 && coin(80))
			memset(h + o + 2, 0, (size_t)(l < len - o - 2 ? l : len - o - 2));
		else if (o + 2 < len)
			rnd_bytes(h + o + 2, l < len - o - 2 ? l : len - o - 2);
		o += 2 + l;
	}
	k->len += len;
	l4_tail6(k, h + len, proto);
	put16(h + len + 2, cfg.port);
	put16(k->ip + 4, (uint16_t)(k->len - 40));
	/* Payload length 0: the jumbo case (no jumbo option here). */
	if (coin(5))
		put16(k->ip + 4, 0);
}

/* IPv6 fragments through a fragment header, first to last and beyond. */
static void gen_ip6_frag(struct pkt *k)
{
	int plen = 8 + 8 * (int)rnd(20), proto = coin(50) ? P_UDP : P_TCP;
	uint8_t *h = ip6(k, P_FRAGMENT, 8 + plen);
	uint16_t fo;

	switch (rnd(5)) {
	case 0:	/* first */
		fo = 0x0001;
		break;
	case 1:	/* middle */
		fo = (uint16_t)((1 + rnd(100)) << 3 | 1);
		break;
	case 2:	/* last */
		fo = (uint16_t)((1 + rnd(100)) << 3);
		break;
	case 3:	/* past 64 KiB */
		fo = (uint16_t)((8180 + rnd(12)) << 3 | rnd(2));
		break;
	default: /* first with a truncated L4 header */
		fo = 0x0001;
		plen = (int)rnd(8);
		put16(k->ip + 4, (uint16_t)(8 + plen));
		k->len = 48 + plen;
		break;
	}
	h[0] = proto;
	h[1] = 0;
	put16(h + 2, fo);
	put16(h + 4, (uint16_t)rnd(65536));
	put16(h + 6, (uint16_t)rnd(65536));
	rnd_bytes(h + 8, plen);
	if (plen >= 4)
		put16(h + 10, cfg.port);
}

/* A well-formed packet with a few bytes changed, perhaps cut short. */
static void gen_mutate(struct pkt *k);

struct cls {
	const char *name;
	gen_fn gen;
	unsigned long sent;
};

static struct cls classes[] = {
	{ "ip_short", gen_ip_short, 0 },
	{ "ip_badver", gen_ip_badver, 0 },
	{ "ip4_ihl_small", gen_ip4_ihl_small, 0 },
	{ "ip4_ihl_big", gen_ip4_ihl_big, 0 },
	{ "ip4_totlen_small", gen_ip4_totlen_small, 0 },
	{ "ip4_totlen_big", gen_ip4_totlen_big, 0 },
	{ "ip4_badcsum", gen_ip4_badcsum, 0 },
	{ "ip4_opts", gen_ip4_opts, 0 },
	{ "ip4_opts_garbage", gen_ip4_opts_garbage, 0 },
	{ "ip4_frag", gen_ip4_frag, 0 },
	{ "ip6_plen", gen_ip6_plen, 0 },
	{ "ip6_ext", gen_ip6_ext, 0 },
	{ "ip6_hbh_garbage", gen_ip6_hbh_garbage, 0 },
	{ "ip6_frag", gen_ip6_frag, 0 },
	{ "l4_trunc", gen_l4_trunc, 0 },
	{ "tcp_doff", gen_tcp_doff, 0 },
	{ "l4_bad", gen_l4_bad, 0 },
	{ "icmp_err", gen_icmp_err, 0 },
	{ "gre_unknown", gen_gre_unknown, 0 },
	{ "big", gen_big, 0 },
	{ "mutate", gen_mutate, 0 },
};

#define NCLASSES ((int)(sizeof(classes) / sizeof(classes[0])))
#define C_MUTATE (NCLASSES - 1)

static void gen_mutate(struct pkt *k)
{
	int n = 1 + (int)rnd(4), fam;

	if (coin(30))
		gen_good(k);
	else
		classes[rnd(C_MUTATE)].gen(k);
	fam = k->fam;
	for (int i = 0; i < n && k->len > 0; i++) {
		int at = (int)rnd((unsigned int)k->len);

		/* Keep the addresses: the model's service match needs them. */
		if (fam == 4 && at >= 12 && at < 20)
			continue;
		if (fam == 6 && at >= 8 && at < 40)
			continue;
		k->ip[at] ^= (uint8_t)(1 + rnd(255));
	}
	if (coin(20))
		k->len = (int)rnd((unsigned int)k->len + 1);
	if (fam == 4 && k->len >= 20 && coin(60))
		ip4_csum(k);
}

/* ------------------------------------------------------------ sending */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct sender {
	int fd;
	struct sockaddr_ll sll;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct pkt pkts[BATCH];
	struct verdict v[BATCH];
	int cls[BATCH];
	int n;
	int batch;	/* frames per sendmmsg() */
	double rate;	/* frames per second, 0: as fast as possible */
	double t0;	/* when sending started */
	unsigned long sent, errors, retries;
	bool gone;	/* the interface disappeared */
};

/*
 * Send the batch; returns how many of its first frames were sent (the
 * rest could not be: a frame the kernel refuses is skipped and counted).
 * Calls DONE for each frame sent.
 */
static void flush_batch(struct sender *s, void (*done)(struct sender *, int))
{
	int i = 0;

	/* Pacing: this batch goes out when the rate says the ones before
	 * it are due. (The debug kernel's RCU callbacks, kmemleak and debug
	 * objects fall behind an unpaced flood until the OOM killer runs.)
	 */
	if (s->rate > 0) {
		double due = s->t0 + s->sent / s->rate, t = now();

		if (due > t) {
			struct timespec ts = {
				.tv_sec = (time_t)(due - t),
				.tv_nsec = (long)((due - t - (time_t)(due - t)) * 1e9),
			};

			nanosleep(&ts, NULL);
		}
	}

	while (i < s->n && !s->gone) {
		int r = sendmmsg(s->fd, s->msgs + i, (unsigned int)(s->n - i), 0);

		if (r > 0) {
			for (int j = i; j < i + r; j++)
				done(s, j);
			i += r;
			continue;
		}
		switch (errno) {
		case EINTR:
			if (stop)
				return;
			continue;
		case ENOBUFS:
		case EAGAIN:
			s->retries++;
			sched_yield();
			continue;
		case ENXIO:
		case ENODEV:
		case ENETDOWN:
			s->gone = true;
			return;
		default:
			s->errors++;
			i++;	/* skip the frame the kernel refused */
		}
	}
	s->n = 0;
}

static void add_frame(struct sender *s, int cls)
{
	struct pkt *k = &s->pkts[s->n];

	s->iov[s->n].iov_base = k->f;
	s->iov[s->n].iov_len = (size_t)(14 + k->len);
	s->cls[s->n] = cls;
	s->n++;
}

static unsigned long expect[2][O_N], maybe[2][O_N], good_sent;

static void fuzz_done(struct sender *s, int j)
{
	struct verdict *v = &s->v[j];
	int f = v->fam == 6;

	s->sent++;
	if (s->cls[j] < 0)
		good_sent++;
	else
		classes[s->cls[j]].sent++;
	if (v->maybe)
		maybe[f][v->out]++;
	else
		expect[f][v->out]++;
}

static void flood_done(struct sender *s, int j)
{
	(void)j;
	s->sent++;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pktfuzz --iface IF --dmac MAC --vip4 A --vip6 A --port P\n"
		"               [--count N] [--seed S] [--good-every K] [--json FILE]\n"
		"               [--flood SECS] [--rate PPS]\n");
}

static void print_json(FILE *f, double secs, const struct sender *s)
{
	fprintf(f, "{\"sent\": %lu, \"good\": %lu, \"send_errors\": %lu, "
		"\"retries\": %lu, \"seconds\": %.3f,\n \"classes\": {",
		s->sent, good_sent, s->errors, s->retries, secs);
	for (int c = 0; c < NCLASSES; c++)
		fprintf(f, "%s\"%s\": %lu", c ? ", " : "", classes[c].name, classes[c].sent);
	fprintf(f, "},\n \"expect\": {");
	for (int fam = 0; fam < 2; fam++)
		for (int o = 0; o < O_N; o++)
			fprintf(f, "%s\"%s%d\": %lu", fam || o ? ", " : "",
				outcome_name[o], fam ? 6 : 4, expect[fam][o]);
	fprintf(f, "},\n \"maybe\": {");
	for (int fam = 0; fam < 2; fam++)
		for (int o = 0; o < O_N; o++)
			fprintf(f, "%s\"%s%d\": %lu", fam || o ? ", " : "",
				outcome_name[o], fam ? 6 : 4, maybe[fam][o]);
	fprintf(f, "}}\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "dmac", required_argument, NULL, 'd' },
		{ "vip4", required_argument, NULL, '4' },
		{ "vip6", required_argument, NULL, '6' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "good-every", required_argument, NULL, 'k' },
		{ "json", required_argument, NULL, 'j' },
		{ "flood", required_argument, NULL, 'f' },
		{ "rate", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *iface = NULL, *json = NULL;
	unsigned long count = 100000, every = 10, seed = 1;
	double flood = -1, t0, secs;
	bool have_dmac = false, have4 = false, have6 = false, have_port = false;
	static struct sender s;
	struct ifreq ifr;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			iface = optarg;
			break;
		case 'd':
			if (parse_mac(optarg, dmac)) {
				fprintf(stderr, "pktfuzz: bad MAC %s\n", optarg);
				return 2;
			}
			have_dmac = true;
			break;
		case '4':
			have4 = inet_pton(AF_INET, optarg, cfg.vip4) == 1;
			break;
		case '6':
			have6 = inet_pton(AF_INET6, optarg, cfg.vip6) == 1;
			break;
		case 'p':
			cfg.port = (uint16_t)strtoul(optarg, NULL, 0);
			have_port = true;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			every = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			json = optarg;
			break;
		case 'f':
			flood = strtod(optarg, NULL);
			break;
		case 'r':
			s.rate = strtod(optarg, NULL);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!iface || !have_dmac || !have4 || !have6 || !have_port) {
		usage(stderr);
		return 2;
	}
	rng_state = seed;

	s.fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: receive nothing */
	if (s.fd < 0) {
		perror("pktfuzz: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(s.fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("pktfuzz: SIOCGIFHWADDR");
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	s.sll.sll_family = AF_PACKET;
	s.sll.sll_ifindex = (int)if_nametoindex(iface);
	s.sll.sll_halen = 6;
	memcpy(s.sll.sll_addr, dmac, 6);
	if (!s.sll.sll_ifindex) {
		perror("pktfuzz: if_nametoindex");
		return 1;
	}
	for (int i = 0; i < BATCH; i++) {
		s.iov[i].iov_base = s.pkts[i].f;
		s.msgs[i].msg_hdr.msg_iov = &s.iov[i];
		s.msgs[i].msg_hdr.msg_iovlen = 1;
		s.msgs[i].msg_hdr.msg_name = &s.sll;
		s.msgs[i].msg_hdr.msg_namelen = sizeof(s.sll);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	/* Paced: batches of about 10 ms of frames. */
	s.batch = BATCH;
	if (s.rate > 0 && s.rate < BATCH * 100)
		s.batch = s.rate >= 200 ? (int)(s.rate / 100) : 1;
	t0 = now();
	s.t0 = t0;

	if (flood >= 0) {
		double end = flood > 0 ? t0 + flood : 0;
		unsigned long i = 0;

		while (!stop && !s.gone && (!end || (i & 1023) || now() < end)) {
			struct pkt *k = &s.pkts[s.n];
			int plen = 8 + (int)rnd(32);
			uint8_t *l4 = ip_any(k, (i++ & 1) ? 6 : 4, P_UDP, plen);

			udp_hdr(l4, plen);
			put16(l4, (uint16_t)(1024 + rnd(64512)));
			put16(l4 + 2, cfg.port);
			memset(l4 + 8, 0x5a, plen - 8);
			finish(k);
			l4_csum(k, l4, plen, P_UDP, 6);
			add_frame(&s, 0);
			if (s.n == s.batch)
				flush_batch(&s, flood_done);
		}
		if (!s.gone)
			flush_batch(&s, flood_done);
		secs = now() - t0;
		printf("pktfuzz: flood sent %lu in %.1f s (%.0f/s), %lu errors%s\n",
		       s.sent, secs, s.sent / (secs > 0 ? secs : 1), s.errors,
		       s.gone ? ", interface gone" : "");
		return 0;
	}

	for (unsigned long i = 0; i < count && !stop && !s.gone; i++) {
		struct pkt *k = &s.pkts[s.n];
		int cls;

		memset(k->f, 0, sizeof(k->f));
		if (every && i % every == 0) {
			cls = -1;
			gen_good(k);
		} else {
			cls = (int)rnd(NCLASSES);
			classes[cls].gen(k);
		}
		if (k->len < 0)
			k->len = 0;
		if (k->len > IP_MAX)
			k->len = IP_MAX;
		s.v[s.n] = model(k->f, 14 + k->len);
		add_frame(&s, cls);
		if (s.n == s.batch)
			flush_batch(&s, fuzz_done);
	}
	if (!s.gone)
		flush_batch(&s, fuzz_done);
	secs = now() - t0;

	printf("pktfuzz: sent %lu of %lu frames in %.1f s (%.0f/s), %lu refused, "
	       "%lu retries; good %lu;", s.sent, count, secs, s.sent / (secs > 0 ? secs : 1),
	       s.errors, s.retries, good_sent);
	for (int i = 0; i < NCLASSES; i++)
		printf(" %s %lu", classes[i].name, classes[i].sent);
	printf("\npktfuzz: expect");
	for (int fam = 0; fam < 2; fam++)
		for (int o = 0; o < O_N; o++)
			printf(" %s%d %lu", outcome_name[o], fam ? 6 : 4, expect[fam][o]);
	for (int fam = 0; fam < 2; fam++)
		for (int o = 0; o < O_N; o++)
			if (maybe[fam][o])
				printf(" maybe-%s%d %lu", outcome_name[o], fam ? 6 : 4,
				       maybe[fam][o]);
	printf("\n");
	if (json) {
		FILE *f = fopen(json, "w");

		if (!f) {
			perror(json);
			return 1;
		}
		print_json(f, secs, &s);
		fclose(f);
	}
	if (s.gone) {
		fprintf(stderr, "pktfuzz: %s disappeared\n", iface);
		return 1;
	}
	return 0;
}
