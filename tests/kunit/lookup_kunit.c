// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "maglev_lookup": the namespace's service set (module/lookup.c):
 * exact and port-0 matches, the VIP index and its per-VIP protocols, which
 * fragments are matched by.
 */
#include "lookup.c"

#include <kunit/test.h>
#include <linux/inet.h>

#define T_SVCS	8

struct t_svcs {
	struct list_head list;
	struct maglev_service svc[T_SVCS];
	unsigned int n;
};

static void t_add(struct t_svcs *s, u8 family, const char *addr, u8 proto,
		  u16 port)
{
	struct maglev_service *svc = &s->svc[s->n++];

	memset(&svc->key, 0, sizeof(svc->key));
	svc->key.family = family;
	svc->key.proto = proto;
	svc->key.port = htons(port);
	if (family == AF_INET)
		svc->key.addr.v4 = in_aton(addr);
	else
		in6_pton(addr, -1, svc->key.addr.v6.s6_addr, -1, NULL);
	list_add_tail(&svc->node, &s->list);
}

static struct t_svcs *t_new(struct kunit *test)
{
	struct t_svcs *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	INIT_LIST_HEAD(&s->list);
	return s;
}

static struct maglev_svc_set *t_build(struct kunit *test, struct t_svcs *s,
				      const struct maglev_service *skip)
{
	struct maglev_svc_set *set;

	set = maglev_svc_set_build(&s->list, s->n, skip);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, set);
	return set;
}

static void t_free(struct maglev_svc_set *set)
{
	kfree(set);
}

static struct maglev_flow t_flow(u8 family, const char *daddr, u8 proto,
				 u16 dport)
{
	struct maglev_flow f = { .family = family, .proto = proto,
				 .sport = htons(40000), .dport = htons(dport) };

	if (family == AF_INET)
		f.daddr.v4 = in_aton(daddr);
	else
		in6_pton(daddr, -1, f.daddr.v6.s6_addr, -1, NULL);
	return f;
}

static union maglev_addr t_addr(u8 family, const char *a)
{
	union maglev_addr r;

	memset(&r, 0, sizeof(r));
	if (family == AF_INET)
		r.v4 = in_aton(a);
	else
		in6_pton(a, -1, r.v6.s6_addr, -1, NULL);
	return r;
}

static void maglev_lookup_test_match(struct kunit *test)
{
	struct t_svcs *s = t_new(test);
	struct maglev_svc_set *set;
	struct maglev_flow f;

	t_add(s, AF_INET, "10.0.0.100", IPPROTO_TCP, 80);
	t_add(s, AF_INET, "10.0.0.100", IPPROTO_TCP, 0);
	t_add(s, AF_INET6, "fd00::100", IPPROTO_UDP, 53);
	set = t_build(test, s, NULL);

	f = t_flow(AF_INET, "10.0.0.100", IPPROTO_TCP, 80);
	KUNIT_EXPECT_PTR_EQ(test, maglev_svc_match(set, &f), &s->svc[0]);
	/* another port: the port-0 service */
	f = t_flow(AF_INET, "10.0.0.100", IPPROTO_TCP, 443);
	KUNIT_EXPECT_PTR_EQ(test, maglev_svc_match(set, &f), &s->svc[1]);
	f = t_flow(AF_INET, "10.0.0.100", IPPROTO_UDP, 80);
	KUNIT_EXPECT_NULL(test, maglev_svc_match(set, &f));
	f = t_flow(AF_INET6, "fd00::100", IPPROTO_UDP, 53);
	KUNIT_EXPECT_PTR_EQ(test, maglev_svc_match(set, &f), &s->svc[2]);
	f = t_flow(AF_INET6, "fd00::100", IPPROTO_UDP, 54);
	KUNIT_EXPECT_NULL(test, maglev_svc_match(set, &f));
	t_free(set);

	/* Without the port-0 service (being deleted), 443 matches nothing. */
	set = t_build(test, s, &s->svc[1]);
	f = t_flow(AF_INET, "10.0.0.100", IPPROTO_TCP, 443);
	KUNIT_EXPECT_NULL(test, maglev_svc_match(set, &f));
	t_free(set);
}

static void maglev_lookup_test_vip_proto(struct kunit *test)
{
	struct t_svcs *s = t_new(test);
	union maglev_addr v4 = t_addr(AF_INET, "10.0.0.100");
	union maglev_addr v6 = t_addr(AF_INET6, "fd00::100");
	union maglev_addr other = t_addr(AF_INET, "10.0.0.101");
	struct maglev_svc_set *set;

	t_add(s, AF_INET, "10.0.0.100", IPPROTO_TCP, 80);
	t_add(s, AF_INET6, "fd00::100", IPPROTO_SCTP, 0);
	set = t_build(test, s, NULL);
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip(set, AF_INET, &v4));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip(set, AF_INET, &other));
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_TCP));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_UDP));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_GRE));
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET6, &v6, IPPROTO_SCTP));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET6, &v6, IPPROTO_TCP));
	/* The same first four bytes in the other family are another VIP. */
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET6, &v4, IPPROTO_TCP));
	t_free(set);

	/* A second service on the VIP adds its protocol to the VIP's entry. */
	t_add(s, AF_INET, "10.0.0.100", IPPROTO_UDP, 53);
	set = t_build(test, s, NULL);
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_UDP));
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_TCP));
	t_free(set);

	/* ... and leaving the first one out keeps only the second's. */
	set = t_build(test, s, &s->svc[0]);
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_UDP));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_TCP));
	t_free(set);
}

/* Many VIPs sharing probes: every one found, with its own protocols. */
static void maglev_lookup_test_many(struct kunit *test)
{
	struct t_svcs *s = t_new(test);
	struct maglev_svc_set *set;
	union maglev_addr a;
	char buf[16];
	unsigned int i;

	for (i = 0; i < T_SVCS; i++) {
		snprintf(buf, sizeof(buf), "10.0.0.%u", 1 + i / 2);
		t_add(s, AF_INET, buf, i % 2 ? IPPROTO_UDP : IPPROTO_TCP, 1000 + i);
	}
	set = t_build(test, s, NULL);
	for (i = 0; i < T_SVCS / 2; i++) {
		snprintf(buf, sizeof(buf), "10.0.0.%u", 1 + i);
		a = t_addr(AF_INET, buf);
		KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &a, IPPROTO_TCP));
		KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &a, IPPROTO_UDP));
		KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET, &a, IPPROTO_SCTP));
	}
	a = t_addr(AF_INET, "10.0.0.200");
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip(set, AF_INET, &a));
	t_free(set);
}

static void maglev_lookup_test_empty(struct kunit *test)
{
	struct t_svcs *s = t_new(test);

	t_add(s, AF_INET, "10.0.0.100", IPPROTO_TCP, 80);
	/* the only service left out: no set at all */
	KUNIT_EXPECT_NULL(test, maglev_svc_set_build(&s->list, s->n, &s->svc[0]));
}

static struct kunit_case maglev_lookup_cases[] = {
	KUNIT_CASE(maglev_lookup_test_match),
	KUNIT_CASE(maglev_lookup_test_vip_proto),
	KUNIT_CASE(maglev_lookup_test_many),
	KUNIT_CASE(maglev_lookup_test_empty),
	{}
};

static struct kunit_suite maglev_lookup_suite = {
	.name = "maglev_lookup",
	.test_cases = maglev_lookup_cases,
};

kunit_test_suite(maglev_lookup_suite);
