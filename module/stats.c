// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU 64-bit counters for the namespace, services and backends.
 *
 * The packet path only ever adds to its own CPU's counters. Zeroing never
 * writes to them: it records the current sums as a base that reads
 * subtract, so it cannot race with writers on other CPUs.
 */
#include <linux/slab.h>
#include <net/netlink.h>

#include "stats.h"

/**
 * maglev_stats_init - allocate zeroed counters
 * @s: the set to initialise
 * @n: number of counters, at most MAGLEV_CTR_MAX
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
int maglev_stats_init(struct maglev_stats *s, unsigned int n)
{
	struct maglev_stats_pcpu *p;
	int cpu;

	memset(s->base, 0, sizeof(s->base));
	s->n = n;
	s->pcpu = __alloc_percpu_gfp(struct_size(p, ctr, n),
				     __alignof__(struct maglev_stats_pcpu),
				     GFP_KERNEL_ACCOUNT);
	if (!s->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->pcpu, cpu)->syncp);
	return 0;
}

/**
 * maglev_stats_free - free counters
 * @s: the set; may never have been initialised successfully
 */
void maglev_stats_free(struct maglev_stats *s)
{
	free_percpu(s->pcpu);
	s->pcpu = NULL;
}

static void maglev_stats_sum(const struct maglev_stats *s, u64 *val)
{
	unsigned int i, start;
	int cpu;

	memset(val, 0, s->n * sizeof(*val));
	for_each_possible_cpu(cpu) {
		const struct maglev_stats_pcpu *p = per_cpu_ptr(s->pcpu, cpu);
		u64 v[MAGLEV_CTR_MAX];

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < s->n; i++)
				v[i] = u64_stats_read(&p->ctr[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < s->n; i++)
			val[i] += v[i];
	}
}

/**
 * maglev_stats_read - current values since the last zeroing
 * @s: counters
 * @val: out, @s->n values
 */
void maglev_stats_read(const struct maglev_stats *s, u64 *val)
{
	unsigned int i;

	maglev_stats_sum(s, val);
	for (i = 0; i < s->n; i++)
		val[i] -= s->base[i];
}

/**
 * maglev_stats_zero - make the counters read zero from now on
 * @s: counters
 *
 * Context: the caller serialises zeroing and reading (config mutex).
 */
void maglev_stats_zero(struct maglev_stats *s)
{
	maglev_stats_sum(s, s->base);
}

/**
 * maglev_stats_put - add a MAGLEV_STATS_A_* nest to a message
 * @msg: the message
 * @attrtype: the nest's attribute type
 * @s: counters
 *
 * Return: 0 or -EMSGSIZE.
 */
int maglev_stats_put(struct sk_buff *msg, int attrtype,
		     const struct maglev_stats *s)
{
	u64 val[MAGLEV_CTR_MAX];
	struct nlattr *nest;
	unsigned int i;

	maglev_stats_read(s, val);
	nest = nla_nest_start(msg, attrtype);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < s->n; i++)
		if (nla_put_u64_64bit(msg, MAGLEV_STATS_A_PACKETS + i, val[i],
				      MAGLEV_STATS_A_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;
cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}
