// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "maglev_icmp": the packet embedded in an ICMP error and the
 * flow it belongs to (module/icmp.c).
 */
#include "icmp.c"

#include <kunit/test.h>
#include <linux/sctp.h>
#include <linux/udp.h>
#include <net/tcp.h>

/*
 * icmp.c's packet path calls into hook.c, which this module does not
 * build (lookup.c comes with lookup_kunit.c); the parsing tested here
 * never reaches it.
 */
const struct maglev_be_conf *maglev_follow(const struct maglev_svc_conf *conf,
					   const struct maglev_ns_conf *nc,
					   u32 be_id, u8 tcp_flags, u8 *reason)
{
	return NULL;
}

#define T_MAX	256
#define T_SPORT	80		/* the VIP's port: the embedded source */
#define T_DPORT	40000		/* the client's port */

static const __be32 t_vip4 = cpu_to_be32(0x0a000064);	/* 10.0.0.100 */
static const __be32 t_cli4 = cpu_to_be32(0x0a000102);	/* 10.0.1.2 */
static const struct in6_addr t_vip6 = {
	{ { 0xfd, 0x00, 0x01, 0x00, [14] = 0x01, [15] = 0x00 } }
};

static const struct in6_addr t_cli6 = {
	{ { 0xfd, 0x00, 0x00, 0x01, [15] = 2 } }
};

/* An embedded packet under construction, from its IP header on. */
struct t_pkt {
	u8 b[T_MAX];
	unsigned int len;
};

static void *t_put(struct kunit *test, struct t_pkt *p, unsigned int n)
{
	void *at = p->b + p->len;

	KUNIT_ASSERT_LE(test, p->len + n, (unsigned int)T_MAX);
	memset(at, 0, n);
	p->len += n;
	return at;
}

/* An IPv4 header from the VIP with @optlen bytes of NOP options. */
static void t_ip4(struct kunit *test, struct t_pkt *p, u8 proto,
		  unsigned int optlen, __be16 frag_off)
{
	struct iphdr *iph = t_put(test, p, sizeof(*iph));

	iph->version = 4;
	iph->ihl = (sizeof(*iph) + optlen) / 4;
	iph->tot_len = htons(1500);	/* what was sent, not what is quoted */
	iph->ttl = 64;
	iph->protocol = proto;
	iph->frag_off = frag_off;
	iph->saddr = t_vip4;
	iph->daddr = t_cli4;
	memset(t_put(test, p, optlen), IPOPT_NOOP, optlen);
}

static void t_ip6(struct kunit *test, struct t_pkt *p, u8 nexthdr)
{
	struct ipv6hdr *ip6h = t_put(test, p, sizeof(*ip6h));

	ip6h->version = 6;
	ip6h->payload_len = htons(1460);
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ip6h->saddr = t_vip6;
	ip6h->daddr = t_cli6;
}

/* A generic extension header of 8 * (1 + @len8) bytes. */
static void t_ext(struct kunit *test, struct t_pkt *p, u8 nexthdr, u8 len8)
{
	struct ipv6_opt_hdr *h = t_put(test, p, 8 * (1 + len8));

	h->nexthdr = nexthdr;
	h->hdrlen = len8;
	((u8 *)h)[2] = IPV6_TLV_PADN;
	((u8 *)h)[3] = 8 * (1 + len8) - 4;
}

static void t_frag6(struct kunit *test, struct t_pkt *p, u8 nexthdr,
		    u16 offset, bool more)
{
	struct frag_hdr *fh = t_put(test, p, sizeof(*fh));

	fh->nexthdr = nexthdr;
	fh->frag_off = htons(offset << 3 | (more ? IP6_MF : 0));
	fh->identification = htonl(1);
}

/* The 8 bytes of L4 header a router quotes: ports first. */
static void t_l4(struct kunit *test, struct t_pkt *p)
{
	__be16 *ports = t_put(test, p, 8);

	ports[0] = htons(T_SPORT);
	ports[1] = htons(T_DPORT);
}

/* Parse the first @len bytes of @p, placed after @pad bytes of padding. */
static enum maglev_icmp_inner t_parse(struct kunit *test,
				      const struct t_pkt *p, unsigned int len,
				      unsigned int pad, u8 family,
				      struct maglev_flow *inner)
{
	enum maglev_icmp_inner r;
	struct sk_buff *skb;

	skb = alloc_skb(pad + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, skb);
	memset(skb_put(skb, pad), 0xee, pad);
	skb_put_data(skb, p->b, len);
	skb_reset_network_header(skb);
	r = maglev_icmp_parse_inner(skb, pad, family, inner);
	kfree_skb(skb);
	return r;
}

/* Every proper prefix is MALFORMED, the whole packet @want. */
static void t_truncations(struct kunit *test, const struct t_pkt *p,
			  u8 family, enum maglev_icmp_inner want)
{
	struct maglev_flow inner;
	unsigned int len;

	for (len = 0; len < p->len; len++)
		KUNIT_EXPECT_EQ_MSG(test,
				    t_parse(test, p, len, 8, family, &inner),
				    MAGLEV_ICMP_INNER_MALFORMED,
				    "truncated at %u of %u", len, p->len);
	KUNIT_EXPECT_EQ(test, t_parse(test, p, p->len, 8, family, &inner),
			want);
}

static void t_expect_flow4(struct kunit *test, const struct maglev_flow *f,
			   u8 proto)
{
	KUNIT_EXPECT_EQ(test, f->family, AF_INET);
	KUNIT_EXPECT_EQ(test, f->proto, proto);
	KUNIT_EXPECT_EQ(test, f->saddr.v4, t_vip4);
	KUNIT_EXPECT_EQ(test, f->daddr.v4, t_cli4);
	KUNIT_EXPECT_EQ(test, ntohs(f->sport), T_SPORT);
	KUNIT_EXPECT_EQ(test, ntohs(f->dport), T_DPORT);
	KUNIT_EXPECT_EQ(test, f->tcp_flags, 0);
}

static void t_expect_flow6(struct kunit *test, const struct maglev_flow *f,
			   u8 proto)
{
	KUNIT_EXPECT_EQ(test, f->family, AF_INET6);
	KUNIT_EXPECT_EQ(test, f->proto, proto);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&f->saddr.v6, &t_vip6));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&f->daddr.v6, &t_cli6));
	KUNIT_EXPECT_EQ(test, ntohs(f->sport), T_SPORT);
	KUNIT_EXPECT_EQ(test, ntohs(f->dport), T_DPORT);
}

static const u8 t_protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP };

/* Every option length, every L4 protocol, truncated at every byte. */
static void maglev_icmp_test_ipv4(struct kunit *test)
{
	struct maglev_flow inner;
	unsigned int opt, i;

	for (i = 0; i < ARRAY_SIZE(t_protos); i++) {
		for (opt = 0; opt <= 40; opt += 4) {
			struct t_pkt p = { .len = 0 };

			t_ip4(test, &p, t_protos[i], opt, htons(IP_DF));
			t_l4(test, &p);
			t_truncations(test, &p, AF_INET, MAGLEV_ICMP_INNER_OK);
			t_parse(test, &p, p.len, 0, AF_INET, &inner);
			t_expect_flow4(test, &inner, t_protos[i]);
		}
	}
}

/* Only 8 bytes of TCP are quoted: enough, and the flags are not read. */
static void maglev_icmp_test_ipv4_8_bytes(struct kunit *test)
{
	struct t_pkt p = { .len = 0 };
	struct maglev_flow inner;
	struct tcphdr *th;

	t_ip4(test, &p, IPPROTO_TCP, 0, 0);
	th = t_put(test, &p, sizeof(*th));
	th->source = htons(T_SPORT);
	th->dest = htons(T_DPORT);
	th->doff = 15;		/* options that are not quoted */
	th->syn = 1;
	th->ack = 1;
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_OK);
	t_expect_flow4(test, &inner, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, 28, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_OK);
	t_expect_flow4(test, &inner, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, 27, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_MALFORMED);
}

static void maglev_icmp_test_ipv4_fragments(struct kunit *test)
{
	struct maglev_flow inner;
	struct t_pkt p = { .len = 0 };

	/* A first fragment quotes its L4 header: a flow like any other. */
	t_ip4(test, &p, IPPROTO_UDP, 0, htons(IP_MF));
	t_l4(test, &p);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_OK);
	t_expect_flow4(test, &inner, IPPROTO_UDP);

	/* A later one has no ports, with or without MF. */
	p.len = 0;
	t_ip4(test, &p, IPPROTO_UDP, 0, htons(185));
	t_l4(test, &p);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_FRAG);
	KUNIT_EXPECT_EQ(test, inner.saddr.v4, t_vip4);
	p.len = 0;
	t_ip4(test, &p, IPPROTO_UDP, 0, htons(IP_MF | 1));
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_FRAG);
}

static void maglev_icmp_test_ipv4_bad(struct kunit *test)
{
	struct maglev_flow inner;
	struct t_pkt p = { .len = 0 };
	struct iphdr *iph;

	t_ip4(test, &p, IPPROTO_UDP, 0, 0);
	t_l4(test, &p);
	iph = (struct iphdr *)p.b;
	iph->ihl = 4;
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_MALFORMED);
	iph->ihl = 5;
	iph->version = 6;	/* an ICMPv4 error quotes IPv4 */
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_MALFORMED);
	iph->version = 4;
	iph->ihl = 15;		/* options longer than what is quoted */
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_MALFORMED);
}

static void maglev_icmp_test_other(struct kunit *test)
{
	struct maglev_flow inner;
	struct t_pkt p = { .len = 0 };

	/* GRE: what our own encapsulated packets are. */
	t_ip4(test, &p, IPPROTO_GRE, 0, 0);
	t_put(test, &p, 4);
	t_truncations(test, &p, AF_INET, MAGLEV_ICMP_INNER_GRE);
	p.len = 0;
	t_ip6(test, &p, IPPROTO_GRE);
	t_put(test, &p, 4);
	t_truncations(test, &p, AF_INET6, MAGLEV_ICMP_INNER_GRE);

	/* Other protocols need no L4 bytes. */
	p.len = 0;
	t_ip4(test, &p, IPPROTO_ICMP, 0, 0);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_OTHER);
	KUNIT_EXPECT_EQ(test, inner.proto, IPPROTO_ICMP);
	p.len = 0;
	t_ip6(test, &p, NEXTHDR_NONE);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET6, &inner),
			MAGLEV_ICMP_INNER_OTHER);
	p.len = 0;
	t_ip6(test, &p, IPPROTO_ICMPV6);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET6, &inner),
			MAGLEV_ICMP_INNER_OTHER);
	/* An IPv6 header in an ICMPv4 error, and the reverse. */
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_MALFORMED);
	p.len = 0;
	t_ip4(test, &p, IPPROTO_UDP, 0, 0);
	t_l4(test, &p);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET6, &inner),
			MAGLEV_ICMP_INNER_MALFORMED);
}

static void maglev_icmp_test_ipv6(struct kunit *test)
{
	struct maglev_flow inner;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t_protos); i++) {
		struct t_pkt p = { .len = 0 };

		t_ip6(test, &p, t_protos[i]);
		t_l4(test, &p);
		t_truncations(test, &p, AF_INET6, MAGLEV_ICMP_INNER_OK);
		t_parse(test, &p, p.len, 0, AF_INET6, &inner);
		t_expect_flow6(test, &inner, t_protos[i]);
	}
}

/* Hop-by-hop, routing and destination options, then a first fragment. */
static void maglev_icmp_test_ipv6_exthdrs(struct kunit *test)
{
	struct maglev_flow inner;
	struct t_pkt p = { .len = 0 };

	t_ip6(test, &p, NEXTHDR_HOP);
	t_ext(test, &p, NEXTHDR_ROUTING, 0);
	t_ext(test, &p, NEXTHDR_DEST, 1);
	t_ext(test, &p, NEXTHDR_FRAGMENT, 2);
	t_frag6(test, &p, IPPROTO_TCP, 0, true);
	t_l4(test, &p);
	t_truncations(test, &p, AF_INET6, MAGLEV_ICMP_INNER_OK);
	t_parse(test, &p, p.len, 0, AF_INET6, &inner);
	t_expect_flow6(test, &inner, IPPROTO_TCP);
}

static void maglev_icmp_test_ipv6_fragments(struct kunit *test)
{
	struct maglev_flow inner;
	struct t_pkt p = { .len = 0 };

	t_ip6(test, &p, NEXTHDR_DEST);
	t_ext(test, &p, NEXTHDR_FRAGMENT, 0);
	t_frag6(test, &p, IPPROTO_UDP, 181, true);
	t_l4(test, &p);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET6, &inner),
			MAGLEV_ICMP_INNER_FRAG);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&inner.saddr.v6, &t_vip6));

	/* Atomic fragment (offset 0, no M): the whole packet. */
	p.len = 0;
	t_ip6(test, &p, NEXTHDR_FRAGMENT);
	t_frag6(test, &p, IPPROTO_UDP, 0, false);
	t_l4(test, &p);
	KUNIT_EXPECT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET6, &inner),
			MAGLEV_ICMP_INNER_OK);
	t_expect_flow6(test, &inner, IPPROTO_UDP);
}

/* The embedded packet went VIP -> client; its flow is client -> VIP. */
static void maglev_icmp_test_reverse(struct kunit *test)
{
	struct maglev_flow inner, flow;
	struct t_pkt p = { .len = 0 };

	t_ip4(test, &p, IPPROTO_TCP, 8, htons(IP_DF));
	t_l4(test, &p);
	KUNIT_ASSERT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET, &inner),
			MAGLEV_ICMP_INNER_OK);
	memset(&flow, 0xaa, sizeof(flow));
	maglev_icmp_reverse(&inner, &flow);
	KUNIT_EXPECT_EQ(test, flow.family, AF_INET);
	KUNIT_EXPECT_EQ(test, flow.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, flow.saddr.v4, t_cli4);
	KUNIT_EXPECT_EQ(test, flow.daddr.v4, t_vip4);
	KUNIT_EXPECT_EQ(test, ntohs(flow.sport), T_DPORT);
	KUNIT_EXPECT_EQ(test, ntohs(flow.dport), T_SPORT);
	KUNIT_EXPECT_EQ(test, flow.tcp_flags, 0);

	p.len = 0;
	t_ip6(test, &p, NEXTHDR_HOP);
	t_ext(test, &p, IPPROTO_UDP, 0);
	t_l4(test, &p);
	KUNIT_ASSERT_EQ(test, t_parse(test, &p, p.len, 0, AF_INET6, &inner),
			MAGLEV_ICMP_INNER_OK);
	maglev_icmp_reverse(&inner, &flow);
	KUNIT_EXPECT_EQ(test, flow.family, AF_INET6);
	KUNIT_EXPECT_EQ(test, flow.proto, IPPROTO_UDP);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&flow.saddr.v6, &t_cli6));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&flow.daddr.v6, &t_vip6));
	KUNIT_EXPECT_EQ(test, ntohs(flow.sport), T_DPORT);
	KUNIT_EXPECT_EQ(test, ntohs(flow.dport), T_SPORT);
}

/* Fragmented skbs: the embedded header split across pages. */
static void maglev_icmp_test_nonlinear(struct kunit *test)
{
	struct t_pkt p = { .len = 0 };
	struct maglev_flow inner;
	unsigned int split;

	t_ip6(test, &p, NEXTHDR_HOP);
	t_ext(test, &p, IPPROTO_TCP, 1);
	t_l4(test, &p);
	for (split = 1; split < p.len; split++) {
		struct sk_buff *skb = alloc_skb(split, GFP_KERNEL);
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, skb);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, page);
		skb_put_data(skb, p.b, split);
		memcpy(page_address(page), p.b + split, p.len - split);
		skb_add_rx_frag(skb, 0, page, 0, p.len - split, PAGE_SIZE);
		skb_reset_network_header(skb);
		KUNIT_EXPECT_EQ_MSG(test,
				    maglev_icmp_parse_inner(skb, 0, AF_INET6,
							    &inner),
				    MAGLEV_ICMP_INNER_OK, "split at %u", split);
		t_expect_flow6(test, &inner, IPPROTO_TCP);
		kfree_skb(skb);
	}
}

static struct kunit_case maglev_icmp_cases[] = {
	KUNIT_CASE(maglev_icmp_test_ipv4),
	KUNIT_CASE(maglev_icmp_test_ipv4_8_bytes),
	KUNIT_CASE(maglev_icmp_test_ipv4_fragments),
	KUNIT_CASE(maglev_icmp_test_ipv4_bad),
	KUNIT_CASE(maglev_icmp_test_other),
	KUNIT_CASE(maglev_icmp_test_ipv6),
	KUNIT_CASE(maglev_icmp_test_ipv6_exthdrs),
	KUNIT_CASE(maglev_icmp_test_ipv6_fragments),
	KUNIT_CASE(maglev_icmp_test_reverse),
	KUNIT_CASE(maglev_icmp_test_nonlinear),
	{}
};

static struct kunit_suite maglev_icmp_suite = {
	.name = "maglev_icmp",
	.test_cases = maglev_icmp_cases,
};

kunit_test_suites(&maglev_icmp_suite);
