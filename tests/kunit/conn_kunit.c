// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "maglev_conn": the connection table (module/conn.c and
 * module/conn_sweep.c).
 */
#include "conn.c"
#include "conn_sweep.c"

#include <kunit/test.h>
#include <linux/delay.h>

/* The packet path's context: BHs disabled, under RCU. */
static struct maglev_conn *test_insert_svc(struct maglev_conn_table *t,
					   const struct maglev_flow *key,
					   u32 svc_id, u32 be_id,
					   enum maglev_conn_state state,
					   enum maglev_conn_res *res)
{
	struct maglev_conn *c;

	local_bh_disable();
	rcu_read_lock();
	c = maglev_conn_insert(t, key, svc_id, be_id, state, res);
	rcu_read_unlock();
	local_bh_enable();
	return c;
}

/* An entry of service 1, unconfirmed as the packet path creates it. */
static struct maglev_conn *test_insert(struct maglev_conn_table *t,
				       const struct maglev_flow *key,
				       u32 be_id, enum maglev_conn_state state,
				       enum maglev_conn_res *res)
{
	return test_insert_svc(t, key, 1, be_id, state, res);
}

/* As if the flow had proven itself: confirmed, with its state's timeout. */
static void test_confirm(struct maglev_conn_table *t, struct maglev_conn *c)
{
	c->flags |= MAGLEV_CONN_F_CONFIRMED;
	c->expires = jiffies + t->timeout[c->state];
}

static struct maglev_conn *test_lookup(struct maglev_conn_table *t,
				       const struct maglev_flow *key)
{
	struct maglev_conn *c;

	local_bh_disable();
	rcu_read_lock();
	c = maglev_conn_lookup(t, key);
	rcu_read_unlock();
	local_bh_enable();
	return c;
}

/* Inserts must succeed; returns the entry, confirmed, of service @svc_id. */
static struct maglev_conn *test_add_svc(struct kunit *test,
					struct maglev_conn_table *t,
					const struct maglev_flow *key,
					u32 svc_id, u32 be_id,
					enum maglev_conn_state state)
{
	enum maglev_conn_res res;
	struct maglev_conn *c;

	c = test_insert_svc(t, key, svc_id, be_id, state, &res);
	KUNIT_ASSERT_EQ(test, res, MAGLEV_CONN_ADDED);
	KUNIT_ASSERT_NOT_NULL(test, c);
	test_confirm(t, c);
	return c;
}

static struct maglev_conn *test_add(struct kunit *test,
				    struct maglev_conn_table *t,
				    const struct maglev_flow *key, u32 be_id,
				    enum maglev_conn_state state)
{
	return test_add_svc(test, t, key, 1, be_id, state);
}

/* A table destroyed by the case's exit, and without its expiry work. */
static struct maglev_conn_table *test_table(struct kunit *test, u32 max)
{
	struct maglev_conn_table *t = maglev_conn_table_create(&init_net, max);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	cancel_delayed_work_sync(&t->gc);
	test->priv = t;
	return t;
}

/* TCP 10.1.x.y:sport -> 192.0.2.1:dport. */
static struct maglev_flow test_flow4(u32 client, u16 sport, u16 dport)
{
	struct maglev_flow f = {
		.family = AF_INET,
		.proto = IPPROTO_TCP,
		.sport = htons(sport),
		.dport = htons(dport),
	};

	f.saddr.v4 = htonl(0x0a010000 + client);
	f.daddr.v4 = htonl(0xc0000201);
	return f;
}

/* TCP 2001:db8::x:sport -> 2001:db8:1::1:dport. */
static struct maglev_flow test_flow6(u32 client, u16 sport, u16 dport)
{
	struct maglev_flow f = {
		.family = AF_INET6,
		.proto = IPPROTO_TCP,
		.sport = htons(sport),
		.dport = htons(dport),
	};

	f.saddr.v6.s6_addr32[0] = htonl(0x20010db8);
	f.saddr.v6.s6_addr32[3] = htonl(client);
	f.daddr.v6.s6_addr32[0] = htonl(0x20010db8);
	f.daddr.v6.s6_addr32[1] = htonl(0x00010000);
	f.daddr.v6.s6_addr32[3] = htonl(1);
	return f;
}

static u32 test_bucket(const struct maglev_conn_table *t,
		       const struct maglev_flow *key)
{
	return maglev_conn_hash(t, key) & t->mask;
}

/* A flow not yet used whose bucket is @b. */
static struct maglev_flow test_flow_in(struct kunit *test,
				       const struct maglev_conn_table *t,
				       u32 b, u16 *sport)
{
	struct maglev_flow f;

	for (; *sport < 65535; ++*sport) {
		f = test_flow4(1, *sport, 80);
		if (test_bucket(t, &f) == b) {
			++*sport;
			return f;
		}
	}
	KUNIT_FAIL(test, "no flow hashes to bucket %u", b);
	return f;
}

static void test_stats(const struct maglev_conn_table *t,
		       struct maglev_conn_stats *st)
{
	maglev_conn_stats_read(t, st);
}

static void maglev_conn_test_sizes(struct kunit *test)
{
	/* What SLUB allocates without debugging: 8-byte aligned objects. */
	KUNIT_EXPECT_EQ(test, ALIGN(MAGLEV_CONN_SIZE4, 8), 64);
	KUNIT_EXPECT_EQ(test, ALIGN(MAGLEV_CONN_SIZE6, 8), 88);
	KUNIT_EXPECT_EQ(test, kmem_cache_size(maglev_conn_cache4),
			MAGLEV_CONN_SIZE4);
	KUNIT_EXPECT_EQ(test, kmem_cache_size(maglev_conn_cache6),
			MAGLEV_CONN_SIZE6);
	kunit_info(test, "entry: IPv4 %zu (slot %zu), IPv6 %zu (slot %zu) bytes\n",
		   MAGLEV_CONN_SIZE4, ALIGN(MAGLEV_CONN_SIZE4, 8),
		   MAGLEV_CONN_SIZE6, ALIGN(MAGLEV_CONN_SIZE6, 8));
}

static void maglev_conn_test_insert_lookup(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 1024);
	struct maglev_flow f4 = test_flow4(1, 1000, 80);
	struct maglev_flow f6 = test_flow6(1, 1000, 80);
	struct maglev_flow other = test_flow4(1, 1001, 80);
	struct maglev_conn *c4, *c6, *c;
	struct maglev_conn_info info;
	struct maglev_conn_stats st;
	enum maglev_conn_res res;

	c4 = test_add(test, t, &f4, 7, MAGLEV_CONN_S_TCP_SYN);
	c6 = test_add(test, t, &f6, 8, MAGLEV_CONN_S_TCP_EST);
	KUNIT_EXPECT_PTR_EQ(test, test_lookup(t, &f4), c4);
	KUNIT_EXPECT_PTR_EQ(test, test_lookup(t, &f6), c6);
	KUNIT_EXPECT_EQ(test, maglev_conn_be_id(c4), 7);
	KUNIT_EXPECT_EQ(test, maglev_conn_be_id(c6), 8);
	KUNIT_EXPECT_NULL(test, test_lookup(t, &other));
	/* Same addresses and ports, other protocol or family: other flows. */
	other = f4;
	other.proto = IPPROTO_UDP;
	KUNIT_EXPECT_NULL(test, test_lookup(t, &other));
	other = f6;
	other.saddr.v6.s6_addr32[3] ^= htonl(1);
	KUNIT_EXPECT_NULL(test, test_lookup(t, &other));

	/* tcp_flags is not part of the key. */
	other = f4;
	other.tcp_flags = TCPHDR_ACK;
	c = test_insert(t, &other, 9, MAGLEV_CONN_S_TCP_EST, &res);
	KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_EXISTS);
	KUNIT_EXPECT_PTR_EQ(test, c, c4);
	KUNIT_EXPECT_EQ(test, maglev_conn_be_id(c4), 7);

	maglev_conn_set_backend(c4, 3, 10);
	maglev_conn_get_info(c4, &info);
	KUNIT_EXPECT_EQ(test, info.svc_id, 3);
	KUNIT_EXPECT_TRUE(test, info.confirmed);
	KUNIT_EXPECT_EQ(test, info.flow.family, AF_INET);
	KUNIT_EXPECT_EQ(test, info.flow.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, info.flow.saddr.v4, f4.saddr.v4);
	KUNIT_EXPECT_EQ(test, info.flow.daddr.v4, f4.daddr.v4);
	KUNIT_EXPECT_EQ(test, info.flow.sport, f4.sport);
	KUNIT_EXPECT_EQ(test, info.flow.dport, f4.dport);
	KUNIT_EXPECT_EQ(test, info.be_id, 10);
	KUNIT_EXPECT_EQ(test, info.state, MAGLEV_CONN_S_TCP_SYN);
	KUNIT_EXPECT_GT(test, info.expires_ms, 59000);
	KUNIT_EXPECT_LE(test, info.expires_ms, 60000);
	maglev_conn_get_info(c6, &info);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&info.flow.saddr.v6,
						&f6.saddr.v6));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&info.flow.daddr.v6,
						&f6.daddr.v6));

	test_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 2);
	KUNIT_EXPECT_EQ(test, st.max, 1024);
	KUNIT_EXPECT_EQ(test, st.buckets, 512);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_INSERTS], 2);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_HITS], 2);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_MISSES], 3);
	maglev_conn_stats_zero(t);
	test_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_INSERTS], 0);
	KUNIT_EXPECT_EQ(test, st.entries, 2);
}

static void maglev_conn_test_states(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 1024);
	struct maglev_flow f = test_flow4(1, 1000, 80);
	struct maglev_conn *c;

	f.tcp_flags = TCPHDR_SYN;
	KUNIT_EXPECT_EQ(test, maglev_conn_state_new(&f), MAGLEV_CONN_S_TCP_SYN);
	f.tcp_flags = TCPHDR_SYN | TCPHDR_ACK;
	KUNIT_EXPECT_EQ(test, maglev_conn_state_new(&f), MAGLEV_CONN_S_TCP_EST);
	f.tcp_flags = TCPHDR_ACK | TCPHDR_PSH;
	KUNIT_EXPECT_EQ(test, maglev_conn_state_new(&f), MAGLEV_CONN_S_TCP_EST);
	f.tcp_flags = TCPHDR_FIN | TCPHDR_ACK;
	KUNIT_EXPECT_EQ(test, maglev_conn_state_new(&f), MAGLEV_CONN_S_TCP_FIN);
	f.tcp_flags = TCPHDR_RST;
	KUNIT_EXPECT_EQ(test, maglev_conn_state_new(&f), MAGLEV_CONN_S_TCP_CLOSE);
	f.proto = IPPROTO_UDP;
	KUNIT_EXPECT_EQ(test, maglev_conn_state_new(&f), MAGLEV_CONN_S_UDP);
	f.proto = IPPROTO_SCTP;
	KUNIT_EXPECT_EQ(test, maglev_conn_state_new(&f), MAGLEV_CONN_S_SCTP);

	f.proto = IPPROTO_TCP;
	c = test_add(test, t, &f, 1, MAGLEV_CONN_S_TCP_SYN);
	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, maglev_conn_update(t, c, TCPHDR_SYN));
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_TCP_SYN);
	maglev_conn_update(t, c, TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_TCP_EST);
	/* A retransmitted SYN does not reopen an established flow. */
	KUNIT_EXPECT_FALSE(test, maglev_conn_update(t, c, TCPHDR_SYN));
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_TCP_EST);
	maglev_conn_update(t, c, TCPHDR_FIN | TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_TCP_FIN);
	/* The ACK of the server's FIN keeps it closing. */
	maglev_conn_update(t, c, TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_TCP_FIN);
	maglev_conn_update(t, c, TCPHDR_RST);
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_TCP_CLOSE);
	maglev_conn_update(t, c, TCPHDR_FIN);
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_TCP_CLOSE);
	/* Tuple reuse. */
	KUNIT_EXPECT_TRUE(test, maglev_conn_update(t, c, TCPHDR_SYN));
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_TCP_SYN);
	rcu_read_unlock();

	/* Other protocols keep their state whatever the flags byte says. */
	f = test_flow4(2, 1000, 53);
	f.proto = IPPROTO_UDP;
	c = test_add(test, t, &f, 1, MAGLEV_CONN_S_UDP);
	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, maglev_conn_update(t, c, TCPHDR_RST));
	KUNIT_EXPECT_EQ(test, maglev_conn_state(c), MAGLEV_CONN_S_UDP);
	rcu_read_unlock();
}

static void maglev_conn_test_timeouts(struct kunit *test)
{
	static const unsigned int want[__MAGLEV_CONN_S_MAX] = {
		60, 900, 120, 10, 300, 900
	};
	struct maglev_conn_table *t = test_table(test, 1024);
	struct maglev_conn *c[__MAGLEV_CONN_S_MAX];
	struct maglev_conn_stats st;
	struct maglev_flow f;
	unsigned long old;
	unsigned int s;

	for (s = 0; s < __MAGLEV_CONN_S_MAX; s++) {
		KUNIT_EXPECT_EQ(test, maglev_conn_get_timeout(t, s), want[s]);
		/* Distinct values, to see which one each entry got. */
		KUNIT_ASSERT_EQ(test, maglev_conn_set_timeout(t, s, 100 + s), 0);
		f = test_flow4(s, 1000, 80);
		c[s] = test_add(test, t, &f, s, s);
		KUNIT_EXPECT_LE(test, c[s]->expires - jiffies, (100 + s) * HZ);
		KUNIT_EXPECT_GT(test, c[s]->expires - jiffies,
				(100 + s) * HZ - HZ / 2);
	}
	KUNIT_EXPECT_EQ(test, maglev_conn_set_timeout(t, __MAGLEV_CONN_S_MAX, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, maglev_conn_get_timeout(t, __MAGLEV_CONN_S_MAX), 0);
	KUNIT_EXPECT_EQ(test, maglev_conn_set_timeout(t, 0, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, maglev_conn_set_timeout(t, 0,
						      MAGLEV_CONN_TIMEOUT_MAX + 1),
			-ERANGE);

	/* A state change moves the expiry to the new state's timeout. */
	rcu_read_lock();
	c[MAGLEV_CONN_S_TCP_SYN]->flags = 0;
	maglev_conn_update(t, c[MAGLEV_CONN_S_TCP_SYN], TCPHDR_ACK);
	KUNIT_EXPECT_GT(test, c[MAGLEV_CONN_S_TCP_SYN]->expires - jiffies,
			(100 + MAGLEV_CONN_S_TCP_EST) * HZ - HZ / 2);
	/* Refreshes closer than MAGLEV_CONN_REFRESH are not written... */
	old = c[MAGLEV_CONN_S_UDP]->expires;
	maglev_conn_update(t, c[MAGLEV_CONN_S_UDP], 0);
	KUNIT_EXPECT_EQ(test, c[MAGLEV_CONN_S_UDP]->expires, old);
	/* ...others are. */
	c[MAGLEV_CONN_S_UDP]->expires -= 2 * MAGLEV_CONN_REFRESH;
	maglev_conn_update(t, c[MAGLEV_CONN_S_UDP], 0);
	KUNIT_EXPECT_GE(test, c[MAGLEV_CONN_S_UDP]->expires, old);
	rcu_read_unlock();

	/* Expired entries are misses; an insert replaces them. */
	for (s = 0; s < __MAGLEV_CONN_S_MAX; s++)
		c[s]->expires = jiffies - 1;
	f = test_flow4(MAGLEV_CONN_S_TCP_EST, 1000, 80);
	KUNIT_EXPECT_NULL(test, test_lookup(t, &f));
	test_add(test, t, &f, 42, MAGLEV_CONN_S_TCP_EST);
	KUNIT_EXPECT_EQ(test, maglev_conn_be_id(test_lookup(t, &f)), 42);
	test_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, __MAGLEV_CONN_S_MAX);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_EXPIRES], 1);

	/* The expiry work removes the others. */
	KUNIT_EXPECT_EQ(test, maglev_conn_gc_run(t, t->mask + 1),
			__MAGLEV_CONN_S_MAX - 1);
	test_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 1);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_EXPIRES],
			__MAGLEV_CONN_S_MAX);
	KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &f));
}

/* A real (tiny) timeout and the real expiry work. */
static void maglev_conn_test_expiry_work(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 256);
	struct maglev_flow f = test_flow4(1, 1000, 80);
	unsigned long end;

	KUNIT_ASSERT_EQ(test, maglev_conn_set_timeout(t, MAGLEV_CONN_S_UDP, 1),
			0);
	f.proto = IPPROTO_UDP;
	test_add(test, t, &f, 1, MAGLEV_CONN_S_UDP);
	KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &f));
	queue_delayed_work(system_power_efficient_wq, &t->gc, 0);
	/* 1 s timeout, a sweep of 1/8 of the buckets each second: <= 10 s. */
	end = jiffies + 12 * HZ;
	while (atomic_read(&t->count) && time_before(jiffies, end))
		msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 0);
	KUNIT_EXPECT_NULL(test, test_lookup(t, &f));
}

static void maglev_conn_test_gc_budget(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 1024);
	u32 nb = t->mask + 1, b, i, left, removed, *per_bucket;
	struct maglev_conn *c;
	struct maglev_flow f;

	per_bucket = kunit_kcalloc(test, nb, sizeof(*per_bucket), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, per_bucket);
	for (i = 0; i < 1000; i++) {
		f = test_flow4(i, 1000, 80);
		c = test_add(test, t, &f, i, MAGLEV_CONN_S_TCP_EST);
		per_bucket[test_bucket(t, &f)]++;
		/* Every other one expired. */
		if (i & 1)
			c->expires = jiffies - 1;
		else
			per_bucket[test_bucket(t, &f)] += 1000;
	}
	left = 1000;
	for (b = 0; b < nb; b += 16) {
		u32 want = 0;

		for (i = b; i < b + 16; i++)
			want += per_bucket[i] % 1000 - per_bucket[i] / 1000;
		KUNIT_EXPECT_EQ(test, t->gc_next, b);
		removed = maglev_conn_gc_run(t, 16);
		KUNIT_EXPECT_EQ(test, removed, want);
		left -= removed;
		KUNIT_EXPECT_EQ(test, atomic_read(&t->count), left);
	}
	KUNIT_EXPECT_EQ(test, t->gc_next, 0);
	KUNIT_EXPECT_EQ(test, left, 500);
	/* A run never scans more than the table. */
	KUNIT_EXPECT_EQ(test, maglev_conn_gc_run(t, 10 * nb), 0);
	KUNIT_EXPECT_EQ(test, t->gc_next, 0);
	KUNIT_EXPECT_EQ(test, t->gc_buckets, nb >> MAGLEV_CONN_GC_SHIFT);
}

static void maglev_conn_test_full(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 8);
	enum maglev_conn_res res;
	struct maglev_conn_stats st;
	struct maglev_flow f;
	u32 i;

	for (i = 0; i < 8; i++) {
		f = test_flow4(i, 1000, 80);
		test_add(test, t, &f, i, MAGLEV_CONN_S_TCP_EST);
	}
	for (i = 8; i < 100; i++) {
		f = test_flow4(i, 1000, 80);
		KUNIT_EXPECT_NULL(test, test_insert(t, &f, i,
						    MAGLEV_CONN_S_TCP_SYN,
						    &res));
		KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_FULL);
		KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 8);
	}
	test_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 8);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_INSERTS], 8);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_FULL], 92);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_EVICTIONS], 0);
	/* Established flows all survived. */
	for (i = 0; i < 8; i++) {
		f = test_flow4(i, 1000, 80);
		KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &f));
	}

	/* Lowering the maximum evicts nothing; raising it admits again. */
	KUNIT_EXPECT_EQ(test, maglev_conn_set_max(t, 4), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 8);
	KUNIT_EXPECT_EQ(test, maglev_conn_set_max(t, MAGLEV_CONN_MAX_LIMIT + 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, maglev_conn_set_max(t, 9), 0);
	f = test_flow4(200, 1000, 80);
	test_add(test, t, &f, 1, MAGLEV_CONN_S_TCP_EST);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 9);
	/* Max 0: nothing new. */
	KUNIT_EXPECT_EQ(test, maglev_conn_set_max(t, 0), 0);
	f = test_flow4(201, 1000, 80);
	KUNIT_EXPECT_NULL(test, test_insert(t, &f, 1, MAGLEV_CONN_S_TCP_EST,
					    &res));
	KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_FULL);
}

static void maglev_conn_test_evict(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 4);
	struct maglev_conn *est, *syn, *syn2, *fin, *c;
	struct maglev_flow fe, fs, fs2, ff, f;
	enum maglev_conn_res res;
	struct maglev_conn_stats st;
	u16 sport = 1;

	/* Four entries in bucket 0: established, two half-open, closing. */
	fe = test_flow_in(test, t, 0, &sport);
	fs = test_flow_in(test, t, 0, &sport);
	fs2 = test_flow_in(test, t, 0, &sport);
	ff = test_flow_in(test, t, 0, &sport);
	est = test_add(test, t, &fe, 1, MAGLEV_CONN_S_TCP_EST);
	syn = test_add(test, t, &fs, 2, MAGLEV_CONN_S_TCP_SYN);
	syn2 = test_add(test, t, &fs2, 3, MAGLEV_CONN_S_TCP_SYN);
	fin = test_add(test, t, &ff, 4, MAGLEV_CONN_S_TCP_FIN);
	/* The established one expires first, yet is never chosen. */
	est->expires = jiffies + 10 * HZ;
	syn->expires = jiffies + 30 * HZ;
	syn2->expires = jiffies + 20 * HZ;
	fin->expires = jiffies + 40 * HZ;

	/* Full: the evictable entry closest to expiring goes. */
	f = test_flow_in(test, t, 0, &sport);
	c = test_insert(t, &f, 5, MAGLEV_CONN_S_TCP_SYN, &res);
	KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_ADDED);
	KUNIT_EXPECT_NOT_NULL(test, c);
	KUNIT_EXPECT_NULL(test, test_lookup(t, &fs2));
	KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &fe));
	KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &fs));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 4);
	c->expires = jiffies + 50 * HZ;

	/* An expired entry goes before a live half-open one. */
	fin->expires = jiffies - 1;
	f = test_flow_in(test, t, 0, &sport);
	test_add(test, t, &f, 6, MAGLEV_CONN_S_TCP_EST);
	KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &fs));
	KUNIT_EXPECT_NULL(test, test_lookup(t, &ff));

	/* est, syn, the new SYN, a new established: the SYNs go in turn. */
	f = test_flow_in(test, t, 0, &sport);
	test_add(test, t, &f, 7, MAGLEV_CONN_S_TCP_EST);
	f = test_flow_in(test, t, 0, &sport);
	test_add(test, t, &f, 8, MAGLEV_CONN_S_TCP_EST);
	/* Only established entries left: full. */
	f = test_flow_in(test, t, 0, &sport);
	KUNIT_EXPECT_NULL(test, test_insert(t, &f, 9, MAGLEV_CONN_S_TCP_SYN,
					    &res));
	KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_FULL);
	KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &fe));

	test_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 4);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_EVICTIONS], 3);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_EXPIRES], 1);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_FULL], 1);
}

static void maglev_conn_test_keyed_hash(struct kunit *test)
{
	struct maglev_conn_table *a = test_table(test, 1 << 16);
	struct maglev_conn_table *b = maglev_conn_table_create(&init_net,
							       1 << 16);
	struct maglev_flow f;
	u32 i, same = 0, n = 1000;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_EXPECT_NE(test, memcmp(&a->secret, &b->secret,
				     sizeof(a->secret)), 0);
	for (i = 0; i < n; i++) {
		f = test_flow4(i, 1000 + i, 80);
		same += test_bucket(a, &f) == test_bucket(b, &f);
		f = test_flow6(i, 1000 + i, 80);
		same += test_bucket(a, &f) == test_bucket(b, &f);
	}
	/* 32768 buckets: by chance about 2n / 32768 agree. */
	KUNIT_EXPECT_LT_MSG(test, same, 10U, "%u of %u flows kept their bucket",
			    same, 2 * n);

	/* The layout is a function of the secret alone. */
	b->secret = a->secret;
	for (i = 0; i < n; i++) {
		f = test_flow4(i, 1000 + i, 80);
		KUNIT_EXPECT_EQ(test, test_bucket(a, &f), test_bucket(b, &f));
	}
	maglev_conn_table_destroy(b);
}

/* @a with one field of the bucket hash's input (@k: 0..4) changed. */
static struct maglev_flow test_variant(struct maglev_flow a, int k)
{
	switch (k) {
	case 0:
		a.sport = htons(ntohs(a.sport) + 1);
		break;
	case 1:
		a.dport = htons(ntohs(a.dport) + 1);
		break;
	case 2:
		a.proto = IPPROTO_UDP;
		break;
	case 3:
		if (a.family == AF_INET)
			a.saddr.v4 ^= htonl(1);
		else
			a.saddr.v6.s6_addr32[0] ^= htonl(1);
		break;
	default:
		if (a.family == AF_INET)
			a.daddr.v4 ^= htonl(1);
		else
			a.daddr.v6.s6_addr32[2] ^= htonl(1);
	}
	return a;
}

static struct maglev_conn *test_find(struct maglev_conn_table *t,
				     const struct maglev_flow *key)
{
	struct maglev_conn *c;

	rcu_read_lock();
	c = maglev_conn_find(t, key);
	rcu_read_unlock();
	return c;
}

/*
 * The packet path hands a miss's bucket to the insert (lookup_at, then
 * insert_at): the bucket is the flow's own, and lookups of other flows in
 * between (another packet on this CPU) do not change where it goes.
 */
static void maglev_conn_test_miss_bucket(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 1024);
	enum maglev_conn_res res;
	struct maglev_conn *c, *cv;
	struct maglev_flow a, v;
	u32 client = 1, ba, bv;
	int fam, k;

	for (fam = 0; fam < 2; fam++) {
		for (k = 0; k < 5; k++) {
			do {
				client++;
				a = fam ? test_flow6(client, 2000 + client, 80) :
					  test_flow4(client, 2000 + client, 80);
				v = test_variant(a, k);
			} while (test_bucket(t, &v) == test_bucket(t, &a));
			local_bh_disable();
			rcu_read_lock();
			KUNIT_EXPECT_NULL(test, maglev_conn_lookup_at(t, &a, &ba));
			KUNIT_EXPECT_NULL(test, maglev_conn_lookup_at(t, &v, &bv));
			KUNIT_EXPECT_EQ(test, ba, test_bucket(t, &a));
			KUNIT_EXPECT_EQ(test, bv, test_bucket(t, &v));
			cv = maglev_conn_insert_at(t, &v, bv, 1, 1,
						   MAGLEV_CONN_S_TCP_SYN, &res);
			KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_ADDED);
			c = maglev_conn_insert_at(t, &a, ba, 1, 1,
						  MAGLEV_CONN_S_TCP_SYN, &res);
			KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_ADDED);
			rcu_read_unlock();
			local_bh_enable();
			KUNIT_EXPECT_PTR_EQ_MSG(test, test_find(t, &v), cv,
						"family %d field %d", fam, k);
			KUNIT_EXPECT_PTR_EQ_MSG(test, test_find(t, &a), c,
						"family %d field %d", fam, k);
		}
	}
}

static void maglev_conn_test_flush(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 4096);
	u32 ids3[] = { 3 }, ids[] = { 9, 5, 7 };
	struct maglev_flow f;
	u32 i;

	/* 100 each, services 1..4: TCP :80 and :443 of one VIP, UDP :80,
	 * IPv6 TCP :80; backend ids 0..9.
	 */
	for (i = 0; i < 100; i++) {
		f = test_flow4(i, 1000, 80);
		test_add_svc(test, t, &f, 1, i % 10, MAGLEV_CONN_S_TCP_EST);
		f = test_flow4(i, 1000, 443);
		test_add_svc(test, t, &f, 2, i % 10, MAGLEV_CONN_S_TCP_EST);
		f = test_flow4(i, 1000, 80);
		f.proto = IPPROTO_UDP;
		test_add_svc(test, t, &f, 3, i % 10, MAGLEV_CONN_S_UDP);
		f = test_flow6(i, 1000, 80);
		test_add_svc(test, t, &f, 4, i % 10, MAGLEV_CONN_S_TCP_EST);
	}
	/* The same ids again, any order: one sweep for several backends. */
	KUNIT_EXPECT_EQ(test, maglev_conn_flush_backends(t, ids3, 1), 40);
	KUNIT_EXPECT_EQ(test, maglev_conn_flush_backends(t, ids3, 1), 0);
	KUNIT_EXPECT_EQ(test, maglev_conn_flush_backends(t, ids, 3), 120);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 240);
	/* By service id: the VIP's :80 service leaves its :443 flows. */
	KUNIT_EXPECT_EQ(test, maglev_conn_flush_service(t, 4), 60);
	KUNIT_EXPECT_EQ(test, maglev_conn_flush_service(t, 1), 60);
	f = test_flow4(1, 1000, 443);
	KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &f));
	KUNIT_EXPECT_EQ(test, maglev_conn_flush_service(t, 2), 60);
	KUNIT_EXPECT_NULL(test, test_lookup(t, &f));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 60);
	f = test_flow4(1, 1000, 80);
	f.proto = IPPROTO_UDP;
	KUNIT_EXPECT_NOT_NULL(test, test_lookup(t, &f));
	KUNIT_EXPECT_EQ(test, maglev_conn_flush(t), 60);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 0);
	KUNIT_EXPECT_NULL(test, test_lookup(t, &f));
}

/* Entries start unconfirmed: short-lived and evictable until proven. */
static void maglev_conn_test_unconfirmed(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 4);
	struct maglev_conn *c, *e[4];
	struct maglev_flow f, fb[4];
	enum maglev_conn_res res;
	struct maglev_conn_stats st;
	u16 sport = 1;
	int i;

	/* UDP: 60 s (the half-open timeout), 300 s from its second packet. */
	f = test_flow4(1, 1000, 53);
	f.proto = IPPROTO_UDP;
	c = test_insert(t, &f, 1, MAGLEV_CONN_S_UDP, &res);
	KUNIT_ASSERT_EQ(test, res, MAGLEV_CONN_ADDED);
	KUNIT_EXPECT_FALSE(test, c->flags & MAGLEV_CONN_F_CONFIRMED);
	KUNIT_EXPECT_LE(test, c->expires - jiffies, 60 * HZ);
	rcu_read_lock();
	maglev_conn_update(t, c, 0);
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, c->flags & MAGLEV_CONN_F_CONFIRMED);
	KUNIT_EXPECT_GT(test, c->expires - jiffies, 299 * HZ);
	maglev_conn_flush(t);

	/* TCP in mid-stream: a second non-SYN packet confirms. */
	f = test_flow4(2, 1000, 80);
	c = test_insert(t, &f, 1, MAGLEV_CONN_S_TCP_EST, &res);
	KUNIT_ASSERT_EQ(test, res, MAGLEV_CONN_ADDED);
	KUNIT_EXPECT_LE(test, c->expires - jiffies, 60 * HZ);
	rcu_read_lock();
	maglev_conn_update(t, c, TCPHDR_ACK);
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, c->flags & MAGLEV_CONN_F_CONFIRMED);
	KUNIT_EXPECT_GT(test, c->expires - jiffies, 899 * HZ);

	/* TCP SYN: a retransmitted SYN does not confirm, the ACK does; a
	 * SYN reusing the closed tuple starts over.
	 */
	f = test_flow4(3, 1000, 80);
	c = test_insert(t, &f, 1, MAGLEV_CONN_S_TCP_SYN, &res);
	KUNIT_ASSERT_EQ(test, res, MAGLEV_CONN_ADDED);
	rcu_read_lock();
	maglev_conn_update(t, c, TCPHDR_SYN);
	KUNIT_EXPECT_FALSE(test, c->flags & MAGLEV_CONN_F_CONFIRMED);
	maglev_conn_update(t, c, TCPHDR_ACK);
	KUNIT_EXPECT_TRUE(test, c->flags & MAGLEV_CONN_F_CONFIRMED);
	maglev_conn_update(t, c, TCPHDR_RST);
	KUNIT_EXPECT_TRUE(test, maglev_conn_update(t, c, TCPHDR_SYN));
	KUNIT_EXPECT_FALSE(test, c->flags & MAGLEV_CONN_F_CONFIRMED);
	rcu_read_unlock();
	maglev_conn_flush(t);

	/* A full bucket of one-packet flows (a spoofed flood) admits a new
	 * flow by evicting one; once they are confirmed, it does not.
	 */
	for (i = 0; i < 4; i++) {
		fb[i] = test_flow_in(test, t, 0, &sport);
		e[i] = test_insert(t, &fb[i], 1, MAGLEV_CONN_S_TCP_EST, &res);
		KUNIT_ASSERT_EQ(test, res, MAGLEV_CONN_ADDED);
	}
	f = test_flow_in(test, t, 0, &sport);
	KUNIT_EXPECT_NOT_NULL(test, test_insert(t, &f, 2, MAGLEV_CONN_S_TCP_EST,
						&res));
	KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_ADDED);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 4);
	test_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.ctr[MAGLEV_CONN_CTR_EVICTIONS], 1);
	maglev_conn_flush(t);
	for (i = 0; i < 4; i++) {
		e[i] = test_insert(t, &fb[i], 1, MAGLEV_CONN_S_TCP_EST, &res);
		KUNIT_ASSERT_EQ(test, res, MAGLEV_CONN_ADDED);
		rcu_read_lock();
		maglev_conn_update(t, e[i], TCPHDR_ACK);
		rcu_read_unlock();
	}
	KUNIT_EXPECT_NULL(test, test_insert(t, &f, 2, MAGLEV_CONN_S_TCP_EST,
					    &res));
	KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_FULL);
	maglev_conn_flush(t);

	/* A flow whose own bucket has nothing to evict takes the place of an
	 * unconfirmed entry a few buckets on, not of one further away.
	 */
	for (i = 0; i < 3; i++)
		e[i] = test_add(test, t, &fb[i], 1, MAGLEV_CONN_S_TCP_EST);
	fb[3] = test_flow_in(test, t, MAGLEV_CONN_EVICT_SCAN + 1, &sport);
	e[3] = test_insert(t, &fb[3], 1, MAGLEV_CONN_S_UDP, &res);
	KUNIT_ASSERT_EQ(test, res, MAGLEV_CONN_ADDED);
	KUNIT_EXPECT_NULL(test, test_insert(t, &f, 2, MAGLEV_CONN_S_TCP_EST,
					    &res));
	KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_FULL);
	maglev_conn_flush_backends(t, (u32[]){ 1 }, 1);
	for (i = 0; i < 3; i++)
		e[i] = test_add(test, t, &fb[i], 1, MAGLEV_CONN_S_TCP_EST);
	fb[3] = test_flow_in(test, t, MAGLEV_CONN_EVICT_SCAN, &sport);
	e[3] = test_insert(t, &fb[3], 1, MAGLEV_CONN_S_UDP, &res);
	KUNIT_ASSERT_EQ(test, res, MAGLEV_CONN_ADDED);
	KUNIT_EXPECT_NOT_NULL(test, test_insert(t, &f, 2, MAGLEV_CONN_S_TCP_EST,
						&res));
	KUNIT_EXPECT_EQ(test, res, MAGLEV_CONN_ADDED);
	KUNIT_EXPECT_NULL(test, test_lookup(t, &fb[3]));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 4);
}

struct test_dump {
	u8 *seen;
	u32 calls;
	u32 in_call;
	u32 per_call;
};

static int test_dump_emit(const struct maglev_conn *c, void *arg)
{
	struct test_dump *d = arg;

	if (d->in_call == d->per_call)
		return -EMSGSIZE;
	d->in_call++;
	d->seen[maglev_conn_be_id(c)]++;
	return 0;
}

static bool test_dump_even(const struct maglev_conn *c, const void *arg)
{
	return !(maglev_conn_be_id(c) & 1);
}

/* Dumps in calls of at most @per_call entries; returns the calls made. */
static u32 test_dump_run(struct kunit *test, struct maglev_conn_table *t,
			 struct test_dump *d, u32 per_call,
			 bool (*filter)(const struct maglev_conn *c,
					const void *arg))
{
	struct maglev_conn_iter it = { };
	int err;

	d->calls = 0;
	d->per_call = per_call;
	do {
		d->in_call = 0;
		d->calls++;
		err = maglev_conn_dump(t, &it, filter, NULL, test_dump_emit, d);
		KUNIT_ASSERT_TRUE(test, !err || err == -EMSGSIZE);
		KUNIT_ASSERT_LT(test, d->calls, 10000U);
	} while (err);
	/* Done stays done. */
	KUNIT_EXPECT_EQ(test, maglev_conn_dump(t, &it, filter, NULL,
					       test_dump_emit, d), 0);
	return d->calls;
}

static void maglev_conn_test_dump(struct kunit *test)
{
	struct maglev_conn_table *t = test_table(test, 256);
	struct test_dump d = { };
	struct maglev_conn *c;
	struct maglev_flow f;
	u32 i, n = 1000, calls;

	d.seen = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d.seen);
	KUNIT_ASSERT_EQ(test, maglev_conn_set_max(t, n), 0);
	/* 128 buckets, about 8 entries each: resuming mid-bucket happens. */
	for (i = 0; i < n; i++) {
		f = i & 1 ? test_flow6(i, 1000, 80) : test_flow4(i, 1000, 80);
		c = test_add(test, t, &f, i, MAGLEV_CONN_S_TCP_EST);
		/* Expired entries are not reported. */
		if (i % 100 == 99)
			c->expires = jiffies - 1;
	}
	calls = test_dump_run(test, t, &d, 7, NULL);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, d.seen[i], i % 100 == 99 ? 0 : 1,
				    "entry %u", i);
	KUNIT_EXPECT_EQ(test, calls, DIV_ROUND_UP(n - 10, 7));

	memset(d.seen, 0, n);
	test_dump_run(test, t, &d, 1, test_dump_even);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, d.seen[i], i & 1 ? 0 : 1, "entry %u",
				    i);
}

static int maglev_conn_test_suite_init(struct kunit_suite *suite)
{
	return maglev_conn_init();
}

static void maglev_conn_test_suite_exit(struct kunit_suite *suite)
{
	/* As the module's exit does: the entries' RCU callbacks first. */
	rcu_barrier();
	maglev_conn_exit();
}

static void maglev_conn_test_exit(struct kunit *test)
{
	maglev_conn_table_destroy(test->priv);
}

static struct kunit_case maglev_conn_cases[] = {
	KUNIT_CASE(maglev_conn_test_sizes),
	KUNIT_CASE(maglev_conn_test_insert_lookup),
	KUNIT_CASE(maglev_conn_test_states),
	KUNIT_CASE(maglev_conn_test_timeouts),
	KUNIT_CASE(maglev_conn_test_expiry_work),
	KUNIT_CASE(maglev_conn_test_gc_budget),
	KUNIT_CASE(maglev_conn_test_full),
	KUNIT_CASE(maglev_conn_test_evict),
	KUNIT_CASE(maglev_conn_test_keyed_hash),
	KUNIT_CASE(maglev_conn_test_miss_bucket),
	KUNIT_CASE(maglev_conn_test_flush),
	KUNIT_CASE(maglev_conn_test_unconfirmed),
	KUNIT_CASE(maglev_conn_test_dump),
	{}
};

static struct kunit_suite maglev_conn_suite = {
	.name = "maglev_conn",
	.suite_init = maglev_conn_test_suite_init,
	.suite_exit = maglev_conn_test_suite_exit,
	.exit = maglev_conn_test_exit,
	.test_cases = maglev_conn_cases,
};

kunit_test_suites(&maglev_conn_suite);
