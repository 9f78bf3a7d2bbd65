// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "maglev_parse": packet header parsing (module/parse.c).
 */
#include "parse.c"

#include <kunit/test.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/tcp.h>

#define TEST_MAX	256

/* A packet under construction: bytes from the network header on. */
struct test_pkt {
	u8 b[TEST_MAX];
	unsigned int len;
};

static void *test_put(struct kunit *test, struct test_pkt *p, unsigned int n)
{
	void *at = p->b + p->len;

	KUNIT_ASSERT_LE(test, p->len + n, (unsigned int)TEST_MAX);
	memset(at, 0, n);
	p->len += n;
	return at;
}

static const __be32 test_src4 = cpu_to_be32(0xc0000201);	/* 192.0.2.1 */
static const __be32 test_dst4 = cpu_to_be32(0xc6336401);	/* 198.51.100.1 */
static const struct in6_addr test_src6 = {
	{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }
};

static const struct in6_addr test_dst6 = {
	{ { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 2 } }
};

#define TEST_SPORT	12345
#define TEST_DPORT	443

/* IPv4 header with @optlen bytes of options (NOPs); tot_len set later. */
static struct iphdr *test_ip4(struct kunit *test, struct test_pkt *p,
			      u8 proto, unsigned int optlen, __be16 frag_off)
{
	struct iphdr *iph = test_put(test, p, sizeof(*iph));

	iph->version = 4;
	iph->ihl = (sizeof(*iph) + optlen) / 4;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->frag_off = frag_off;
	iph->saddr = test_src4;
	iph->daddr = test_dst4;
	memset(test_put(test, p, optlen), IPOPT_NOOP, optlen);
	return iph;
}

static struct ipv6hdr *test_ip6(struct kunit *test, struct test_pkt *p,
				u8 nexthdr)
{
	struct ipv6hdr *ip6h = test_put(test, p, sizeof(*ip6h));

	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ip6h->saddr = test_src6;
	ip6h->daddr = test_dst6;
	return ip6h;
}

/* A generic extension header (HBH, routing, dest opts) of 8 * (1 + @len8). */
static void test_ext(struct kunit *test, struct test_pkt *p, u8 nexthdr,
		     u8 len8)
{
	struct ipv6_opt_hdr *h = test_put(test, p, 8 * (1 + len8));

	h->nexthdr = nexthdr;
	h->hdrlen = len8;
	/* Options area: PadN covering the rest (contents are not parsed). */
	((u8 *)h)[2] = IPV6_TLV_PADN;
	((u8 *)h)[3] = 8 * (1 + len8) - 4;
}

static void test_frag6(struct kunit *test, struct test_pkt *p, u8 nexthdr,
		       u16 offset, bool more)
{
	struct frag_hdr *fh = test_put(test, p, sizeof(*fh));

	fh->nexthdr = nexthdr;
	fh->frag_off = htons(offset << 3 | (more ? IP6_MF : 0));
	fh->identification = htonl(0x12345678);
}

/* L4 headers; return the length written. */
static unsigned int test_l4(struct kunit *test, struct test_pkt *p, u8 proto,
			    u8 tcp_flags)
{
	switch (proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = test_put(test, p, sizeof(*th));

		th->source = htons(TEST_SPORT);
		th->dest = htons(TEST_DPORT);
		th->doff = 5;
		((u8 *)th)[13] = tcp_flags;
		return sizeof(*th);
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = test_put(test, p, sizeof(*uh));

		uh->source = htons(TEST_SPORT);
		uh->dest = htons(TEST_DPORT);
		uh->len = htons(sizeof(*uh));
		return sizeof(*uh);
	}
	case IPPROTO_SCTP: {
		struct sctphdr *sh = test_put(test, p, sizeof(*sh));

		sh->source = htons(TEST_SPORT);
		sh->dest = htons(TEST_DPORT);
		sh->vtag = htonl(1);
		return sizeof(*sh);
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		struct icmphdr *ih = test_put(test, p, sizeof(*ih));

		ih->type = proto == IPPROTO_ICMP ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
		return sizeof(*ih);
	}
	}
	return 0;
}

/* Fix the length fields once the packet is complete. */
static void test_finish(struct test_pkt *p)
{
	if (p->b[0] >> 4 == 4)
		((struct iphdr *)p->b)->tot_len = htons(p->len);
	else
		((struct ipv6hdr *)p->b)->payload_len =
			htons(p->len - sizeof(struct ipv6hdr));
}

/*
 * An skb holding the first @len bytes of @p behind @mac bytes of link-layer
 * header: @lin of them in the linear area, the rest in a page fragment
 * (@lin >= @len: all linear). skb->data is at the network header when
 * @mac is 0, before it otherwise. The caller frees it.
 */
static struct sk_buff *test_skb(struct kunit *test, const struct test_pkt *p,
				unsigned int len, unsigned int lin,
				unsigned int mac)
{
	struct sk_buff *skb;

	KUNIT_ASSERT_LE(test, len, p->len);
	lin = min(lin, len);
	skb = alloc_skb(mac + lin + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	memset(skb_put(skb, mac), 0xee, mac);
	skb_put_data(skb, p->b, lin);
	skb_set_network_header(skb, mac);
	if (lin < len) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page), p->b + lin, len - lin);
		skb_add_rx_frag(skb, 0, page, 0, len - lin, PAGE_SIZE);
		KUNIT_ASSERT_TRUE(test, skb_is_nonlinear(skb));
	}
	KUNIT_ASSERT_EQ(test, skb->len, mac + len);
	return skb;
}

static enum maglev_parse test_parse(const struct sk_buff *skb,
				    struct maglev_flow *flow)
{
	u8 version;

	/* skb_network_header() may be in the frag: read it properly. */
	if (skb_copy_bits(skb, skb_network_offset(skb), &version, 1))
		version = 0;
	if (version >> 4 == 6)
		return maglev_parse_ipv6(skb, flow);
	return maglev_parse_ipv4(skb, flow);
}

typedef enum maglev_parse (*test_parse_fn)(const struct sk_buff *skb,
					   struct maglev_flow *flow);

/*
 * Parse the first @len bytes of @p, @lin of them linear, behind @mac bytes
 * of link-layer header, with @fn (NULL: by the IP version).
 */
static enum maglev_parse test_run_at(struct kunit *test,
				     const struct test_pkt *p,
				     unsigned int len, unsigned int lin,
				     unsigned int mac, test_parse_fn fn,
				     struct maglev_flow *flow)
{
	struct sk_buff *skb = test_skb(test, p, len, lin, mac);
	enum maglev_parse ret;

	ret = fn ? fn(skb, flow) : test_parse(skb, flow);
	/* Parsing never changes the skb. */
	KUNIT_EXPECT_EQ(test, skb->len, mac + len);
	KUNIT_EXPECT_EQ(test, skb_headlen(skb), mac + min(lin, len));
	KUNIT_EXPECT_EQ(test, skb_network_offset(skb), (int)mac);
	kfree_skb(skb);
	return ret;
}

static enum maglev_parse test_run(struct kunit *test, const struct test_pkt *p,
				  unsigned int len, unsigned int lin,
				  struct maglev_flow *flow)
{
	return test_run_at(test, p, len, lin, 0, NULL, flow);
}

static void test_expect_ok(struct kunit *test, const struct maglev_flow *f,
			   u8 family, u8 proto, u8 tcp_flags)
{
	KUNIT_EXPECT_EQ(test, f->family, family);
	KUNIT_EXPECT_EQ(test, f->proto, proto);
	KUNIT_EXPECT_EQ(test, ntohs(f->sport), TEST_SPORT);
	KUNIT_EXPECT_EQ(test, ntohs(f->dport), TEST_DPORT);
	KUNIT_EXPECT_EQ(test, f->tcp_flags, tcp_flags);
	if (family == AF_INET) {
		KUNIT_EXPECT_EQ(test, f->saddr.v4, test_src4);
		KUNIT_EXPECT_EQ(test, f->daddr.v4, test_dst4);
	} else {
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&f->saddr.v6,
							&test_src6));
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&f->daddr.v6,
							&test_dst6));
	}
}

static const u8 test_protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP };

/*
 * Check a complete packet parses OK, and every truncation of it parses
 * MALFORMED, linear and with the tail in a page fragment.
 */
static void test_full_and_truncated(struct kunit *test,
				    const struct test_pkt *p, u8 family,
				    u8 proto, u8 tcp_flags)
{
	struct maglev_flow f;
	unsigned int len;

	KUNIT_ASSERT_EQ(test, test_run(test, p, p->len, ~0U, &f),
			MAGLEV_PARSE_OK);
	test_expect_ok(test, &f, family, proto, tcp_flags);

	for (len = 0; len < p->len; len++) {
		KUNIT_EXPECT_EQ_MSG(test, test_run(test, p, len, ~0U, &f),
				    MAGLEV_PARSE_MALFORMED, "len %u of %u",
				    len, p->len);
		KUNIT_EXPECT_EQ_MSG(test, test_run(test, p, len, len / 2, &f),
				    MAGLEV_PARSE_MALFORMED, "len %u of %u",
				    len, p->len);
	}
}

static void maglev_parse_test_ipv4(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_protos); i++) {
		struct test_pkt p = {};
		u8 proto = test_protos[i];
		u8 flags = proto == IPPROTO_TCP ? TCPHDR_SYN : 0;

		test_ip4(test, &p, proto, 0, 0);
		test_l4(test, &p, proto, flags);
		test_finish(&p);
		test_full_and_truncated(test, &p, AF_INET, proto, flags);
	}
}

static void maglev_parse_test_ipv6(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_protos); i++) {
		struct test_pkt p = {};
		u8 proto = test_protos[i];
		u8 flags = proto == IPPROTO_TCP ? TCPHDR_SYN : 0;

		test_ip6(test, &p, proto);
		test_l4(test, &p, proto, flags);
		test_finish(&p);
		test_full_and_truncated(test, &p, AF_INET6, proto, flags);
	}
}

/* With payload after the L4 header, odd total lengths. */
static void maglev_parse_test_payload(struct kunit *test)
{
	unsigned int i, extra;

	for (i = 0; i < ARRAY_SIZE(test_protos); i++) {
		for (extra = 1; extra < 8; extra += 2) {
			struct test_pkt p4 = {}, p6 = {};
			struct maglev_flow f;
			u8 proto = test_protos[i];

			test_ip4(test, &p4, proto, 0, 0);
			test_l4(test, &p4, proto, 0);
			memset(test_put(test, &p4, extra), 0xab, extra);
			test_finish(&p4);
			KUNIT_EXPECT_EQ(test, test_run(test, &p4, p4.len, ~0U,
						       &f), MAGLEV_PARSE_OK);
			test_expect_ok(test, &f, AF_INET, proto, 0);

			test_ip6(test, &p6, proto);
			test_l4(test, &p6, proto, 0);
			memset(test_put(test, &p6, extra), 0xab, extra);
			test_finish(&p6);
			KUNIT_EXPECT_EQ(test, test_run(test, &p6, p6.len, ~0U,
						       &f), MAGLEV_PARSE_OK);
			test_expect_ok(test, &f, AF_INET6, proto, 0);
		}
	}
}

/* ihl = 15: 40 bytes of options before the L4 header. */
static void maglev_parse_test_ipv4_options(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_protos); i++) {
		struct test_pkt p = {};
		u8 proto = test_protos[i];

		KUNIT_EXPECT_EQ(test, (int)test_ip4(test, &p, proto, 40, 0)->ihl,
				15);
		test_l4(test, &p, proto, 0);
		test_finish(&p);
		test_full_and_truncated(test, &p, AF_INET, proto, 0);
	}
}

/* Hop-by-hop, destination options, routing, destination options. */
static void maglev_parse_test_ipv6_exthdrs(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_protos); i++) {
		struct test_pkt p = {};
		u8 proto = test_protos[i];

		test_ip6(test, &p, NEXTHDR_HOP);
		test_ext(test, &p, NEXTHDR_DEST, 0);
		test_ext(test, &p, NEXTHDR_ROUTING, 1);
		test_ext(test, &p, NEXTHDR_DEST, 2);
		test_ext(test, &p, proto, 0);
		test_l4(test, &p, proto, TCPHDR_ACK);
		test_finish(&p);
		test_full_and_truncated(test, &p, AF_INET6, proto,
					proto == IPPROTO_TCP ? TCPHDR_ACK : 0);
	}
}

static void maglev_parse_test_ipv4_fragments(struct kunit *test)
{
	static const u16 frag_offs[] = {
		IP_MF,			/* first fragment */
		IP_MF | 185,		/* middle */
		185,			/* last */
		IP_DF | 1,		/* nonsense, still not a whole packet */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(frag_offs); i++) {
		struct test_pkt p = {};
		struct maglev_flow f;

		test_ip4(test, &p, IPPROTO_TCP, 0, htons(frag_offs[i]));
		test_l4(test, &p, IPPROTO_TCP, TCPHDR_SYN);
		test_finish(&p);
		KUNIT_EXPECT_EQ_MSG(test, test_run(test, &p, p.len, ~0U, &f),
				    MAGLEV_PARSE_FRAGMENT, "frag_off %#x",
				    frag_offs[i]);
		KUNIT_EXPECT_EQ(test, f.family, AF_INET);
		KUNIT_EXPECT_EQ(test, f.daddr.v4, test_dst4);
		/* A later fragment has no L4 header: nothing else is read. */
		KUNIT_EXPECT_EQ(test, test_run(test, &p, sizeof(struct iphdr),
					       ~0U, &f),
				MAGLEV_PARSE_FRAGMENT);
	}

	/* DF alone is a whole packet. */
	{
		struct test_pkt p = {};
		struct maglev_flow f;

		test_ip4(test, &p, IPPROTO_UDP, 0, htons(IP_DF));
		test_l4(test, &p, IPPROTO_UDP, 0);
		test_finish(&p);
		KUNIT_EXPECT_EQ(test, test_run(test, &p, p.len, ~0U, &f),
				MAGLEV_PARSE_OK);
		test_expect_ok(test, &f, AF_INET, IPPROTO_UDP, 0);
	}
}

static void maglev_parse_test_ipv6_fragments(struct kunit *test)
{
	static const struct {
		u16 offset;
		bool more;
		bool hbh;
		enum maglev_parse want;
	} cases[] = {
		{ 0, true, false, MAGLEV_PARSE_FRAGMENT },	/* first */
		{ 0, true, true, MAGLEV_PARSE_FRAGMENT },
		{ 100, true, false, MAGLEV_PARSE_FRAGMENT },	/* middle */
		{ 100, false, true, MAGLEV_PARSE_FRAGMENT },	/* last */
		{ 0, false, false, MAGLEV_PARSE_OK },		/* atomic */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct test_pkt p = {};
		struct maglev_flow f;
		enum maglev_parse ret;

		if (cases[i].hbh) {
			test_ip6(test, &p, NEXTHDR_HOP);
			test_ext(test, &p, NEXTHDR_FRAGMENT, 0);
		} else {
			test_ip6(test, &p, NEXTHDR_FRAGMENT);
		}
		test_frag6(test, &p, IPPROTO_TCP, cases[i].offset,
			   cases[i].more);
		test_l4(test, &p, IPPROTO_TCP, TCPHDR_SYN);
		test_finish(&p);
		ret = test_run(test, &p, p.len, ~0U, &f);
		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].want, "case %u", i);
		KUNIT_EXPECT_EQ(test, f.family, AF_INET6);
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&f.daddr.v6,
							&test_dst6));
		if (ret == MAGLEV_PARSE_OK)
			test_expect_ok(test, &f, AF_INET6, IPPROTO_TCP,
				       TCPHDR_SYN);
		if (cases[i].offset) {
			/* No L4 header needed for a later fragment. */
			KUNIT_EXPECT_EQ(test, test_run(test, &p,
						       p.len - sizeof(struct tcphdr),
						       ~0U, &f),
					MAGLEV_PARSE_FRAGMENT);
		}
	}
}

static void maglev_parse_test_other(struct kunit *test)
{
	static const u8 protos4[] = { IPPROTO_ICMP, IPPROTO_GRE, IPPROTO_ESP,
				      IPPROTO_IPIP, 255 };
	static const u8 protos6[] = { IPPROTO_ICMPV6, IPPROTO_GRE,
				      IPPROTO_ESP, NEXTHDR_NONE, 255 };
	struct maglev_flow f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(protos4); i++) {
		struct test_pkt p = {};

		test_ip4(test, &p, protos4[i], 0, 0);
		test_l4(test, &p, protos4[i], 0);
		test_finish(&p);
		KUNIT_EXPECT_EQ(test, test_run(test, &p, p.len, ~0U, &f),
				MAGLEV_PARSE_OTHER);
		KUNIT_EXPECT_EQ(test, f.proto, protos4[i]);
		KUNIT_EXPECT_EQ(test, f.daddr.v4, test_dst4);
		KUNIT_EXPECT_EQ(test, f.sport, 0);
	}
	for (i = 0; i < ARRAY_SIZE(protos6); i++) {
		struct test_pkt p = {};

		test_ip6(test, &p, protos6[i]);
		test_l4(test, &p, protos6[i], 0);
		test_finish(&p);
		KUNIT_EXPECT_EQ(test, test_run(test, &p, p.len, ~0U, &f),
				MAGLEV_PARSE_OTHER);
		KUNIT_EXPECT_EQ(test, f.proto, protos6[i]);
	}
	/* ICMPv6 behind extension headers. */
	{
		struct test_pkt p = {};

		test_ip6(test, &p, NEXTHDR_HOP);
		test_ext(test, &p, IPPROTO_ICMPV6, 0);
		test_l4(test, &p, IPPROTO_ICMPV6, 0);
		test_finish(&p);
		KUNIT_EXPECT_EQ(test, test_run(test, &p, p.len, ~0U, &f),
				MAGLEV_PARSE_OTHER);
		KUNIT_EXPECT_EQ(test, f.proto, IPPROTO_ICMPV6);
	}
}

static void maglev_parse_test_tcp_flags(struct kunit *test)
{
	static const u8 flags[] = {
		TCPHDR_SYN, TCPHDR_SYN | TCPHDR_ACK, TCPHDR_ACK,
		TCPHDR_FIN | TCPHDR_ACK | TCPHDR_PSH, TCPHDR_RST,
		TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, 0xff, 0,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		struct test_pkt p4 = {}, p6 = {};
		struct maglev_flow f;

		test_ip4(test, &p4, IPPROTO_TCP, 0, 0);
		test_l4(test, &p4, IPPROTO_TCP, flags[i]);
		test_finish(&p4);
		KUNIT_EXPECT_EQ(test, test_run(test, &p4, p4.len, ~0U, &f),
				MAGLEV_PARSE_OK);
		KUNIT_EXPECT_EQ(test, f.tcp_flags, flags[i]);

		test_ip6(test, &p6, IPPROTO_TCP);
		test_l4(test, &p6, IPPROTO_TCP, flags[i]);
		test_finish(&p6);
		KUNIT_EXPECT_EQ(test, test_run(test, &p6, p6.len, ~0U, &f),
				MAGLEV_PARSE_OK);
		KUNIT_EXPECT_EQ(test, f.tcp_flags, flags[i]);
	}
}

/* The TCP data offset must be sane and its options present. */
static void maglev_parse_test_tcp_doff(struct kunit *test)
{
	unsigned int doff;

	for (doff = 0; doff < 16; doff++) {
		struct test_pkt p = {};
		struct maglev_flow f;
		struct tcphdr *th;
		enum maglev_parse want;

		test_ip4(test, &p, IPPROTO_TCP, 0, 0);
		th = (struct tcphdr *)(p.b + p.len);
		test_l4(test, &p, IPPROTO_TCP, TCPHDR_SYN);
		th->doff = doff;
		test_finish(&p);
		want = doff < 5 ? MAGLEV_PARSE_MALFORMED :
		       doff == 5 ? MAGLEV_PARSE_OK : MAGLEV_PARSE_MALFORMED;
		KUNIT_EXPECT_EQ_MSG(test, test_run(test, &p, p.len, ~0U, &f),
				    want, "doff %u without options", doff);
		if (doff > 5) {
			/* Now with the options present (NOPs). */
			memset(test_put(test, &p, (doff - 5) * 4), TCPOPT_NOP,
			       (doff - 5) * 4);
			test_finish(&p);
			KUNIT_EXPECT_EQ_MSG(test,
					    test_run(test, &p, p.len, ~0U, &f),
					    MAGLEV_PARSE_OK, "doff %u", doff);
			test_expect_ok(test, &f, AF_INET, IPPROTO_TCP,
				       TCPHDR_SYN);
			KUNIT_EXPECT_EQ(test, test_run(test, &p, p.len - 1,
						       ~0U, &f),
					MAGLEV_PARSE_MALFORMED);
		}
	}
}

static void maglev_parse_test_bad_ip(struct kunit *test)
{
	struct maglev_flow f;
	unsigned int ihl;

	for (ihl = 0; ihl < 5; ihl++) {
		struct test_pkt p = {};

		test_ip4(test, &p, IPPROTO_UDP, 0, 0)->ihl = ihl;
		test_l4(test, &p, IPPROTO_UDP, 0);
		test_finish(&p);
		KUNIT_EXPECT_EQ(test, test_run_at(test, &p, p.len, ~0U, 0,
						  maglev_parse_ipv4, &f),
				MAGLEV_PARSE_MALFORMED);
	}
	{
		struct test_pkt p = {};

		test_ip6(test, &p, IPPROTO_UDP);
		test_l4(test, &p, IPPROTO_UDP, 0);
		test_finish(&p);
		/* An IPv6 packet handed to the IPv4 parser and vice versa. */
		KUNIT_EXPECT_EQ(test, test_run_at(test, &p, p.len, ~0U, 0,
						  maglev_parse_ipv4, &f),
				MAGLEV_PARSE_MALFORMED);
	}
	{
		struct test_pkt p = {};

		test_ip4(test, &p, IPPROTO_UDP, 0, 0);
		test_l4(test, &p, IPPROTO_UDP, 0);
		test_finish(&p);
		KUNIT_EXPECT_EQ(test, test_run_at(test, &p, p.len, ~0U, 0,
						  maglev_parse_ipv6, &f),
				MAGLEV_PARSE_MALFORMED);
	}
	/* An extension header running past the end. */
	{
		struct test_pkt p = {};
		struct ipv6_opt_hdr *hbh;

		test_ip6(test, &p, NEXTHDR_HOP);
		hbh = (struct ipv6_opt_hdr *)(p.b + p.len);
		test_ext(test, &p, IPPROTO_UDP, 0);
		test_l4(test, &p, IPPROTO_UDP, 0);
		hbh->hdrlen = 200;
		test_finish(&p);
		KUNIT_EXPECT_EQ(test, test_run(test, &p, p.len, ~0U, &f),
				MAGLEV_PARSE_MALFORMED);
	}
}

/* Non-linear skbs (data in a page fragment) parse like linear ones. */
static void maglev_parse_test_nonlinear(struct kunit *test)
{
	struct test_pkt pkts[4] = {};
	unsigned int i, lin;

	test_ip4(test, &pkts[0], IPPROTO_TCP, 0, 0);
	test_l4(test, &pkts[0], IPPROTO_TCP, TCPHDR_SYN | TCPHDR_ACK);
	test_ip4(test, &pkts[1], IPPROTO_UDP, 12, 0);
	test_l4(test, &pkts[1], IPPROTO_UDP, 0);
	test_ip6(test, &pkts[2], IPPROTO_SCTP);
	test_l4(test, &pkts[2], IPPROTO_SCTP, 0);
	test_ip6(test, &pkts[3], NEXTHDR_HOP);
	test_ext(test, &pkts[3], NEXTHDR_ROUTING, 1);
	test_ext(test, &pkts[3], IPPROTO_TCP, 0);
	test_l4(test, &pkts[3], IPPROTO_TCP, TCPHDR_SYN | TCPHDR_ACK);

	for (i = 0; i < ARRAY_SIZE(pkts); i++) {
		struct test_pkt *p = &pkts[i];
		struct maglev_flow want, f;
		enum maglev_parse ret;

		memset(test_put(test, p, 33), 0x5a, 33);	/* payload */
		test_finish(p);
		KUNIT_ASSERT_EQ(test, test_run(test, p, p->len, ~0U, &want),
				MAGLEV_PARSE_OK);
		for (lin = 0; lin < p->len; lin++) {
			ret = test_run(test, p, p->len, lin, &f);
			KUNIT_EXPECT_EQ_MSG(test, ret, MAGLEV_PARSE_OK,
					    "pkt %u split at %u", i, lin);
			KUNIT_EXPECT_EQ_MSG(test, memcmp(&f, &want, sizeof(f)),
					    0, "pkt %u split at %u", i, lin);
		}
	}
}

/* The network header need not be at skb->data. */
static void maglev_parse_test_offset(struct kunit *test)
{
	struct test_pkt p4 = {}, p6 = {};
	struct maglev_flow f;

	test_ip4(test, &p4, IPPROTO_UDP, 0, 0);
	test_l4(test, &p4, IPPROTO_UDP, 0);
	test_finish(&p4);
	KUNIT_EXPECT_EQ(test, test_run_at(test, &p4, p4.len, ~0U, ETH_HLEN,
					  maglev_parse_ipv4, &f),
			MAGLEV_PARSE_OK);
	test_expect_ok(test, &f, AF_INET, IPPROTO_UDP, 0);
	KUNIT_EXPECT_EQ(test, test_run_at(test, &p4, p4.len - 1, ~0U, ETH_HLEN,
					  maglev_parse_ipv4, &f),
			MAGLEV_PARSE_MALFORMED);

	test_ip6(test, &p6, IPPROTO_TCP);
	test_l4(test, &p6, IPPROTO_TCP, TCPHDR_FIN);
	test_finish(&p6);
	KUNIT_EXPECT_EQ(test, test_run_at(test, &p6, p6.len, 10, ETH_HLEN,
					  maglev_parse_ipv6, &f),
			MAGLEV_PARSE_OK);
	test_expect_ok(test, &f, AF_INET6, IPPROTO_TCP, TCPHDR_FIN);
}

static struct kunit_case maglev_parse_cases[] = {
	KUNIT_CASE(maglev_parse_test_ipv4),
	KUNIT_CASE(maglev_parse_test_ipv6),
	KUNIT_CASE(maglev_parse_test_payload),
	KUNIT_CASE(maglev_parse_test_ipv4_options),
	KUNIT_CASE(maglev_parse_test_ipv6_exthdrs),
	KUNIT_CASE(maglev_parse_test_ipv4_fragments),
	KUNIT_CASE(maglev_parse_test_ipv6_fragments),
	KUNIT_CASE(maglev_parse_test_other),
	KUNIT_CASE(maglev_parse_test_tcp_flags),
	KUNIT_CASE(maglev_parse_test_tcp_doff),
	KUNIT_CASE(maglev_parse_test_bad_ip),
	KUNIT_CASE(maglev_parse_test_nonlinear),
	KUNIT_CASE(maglev_parse_test_offset),
	{}
};

static struct kunit_suite maglev_parse_suite = {
	.name = "maglev_parse",
	.test_cases = maglev_parse_cases,
};

kunit_test_suites(&maglev_parse_suite);
