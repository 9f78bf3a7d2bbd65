/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU 64-bit counters.
 */
#ifndef _MAGLEV_STATS_H
#define _MAGLEV_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/maglev.h>

/* Counter indices: MAGLEV_STATS_A_* minus MAGLEV_STATS_A_PACKETS. */
enum maglev_ctr {
	MAGLEV_CTR_PACKETS,
	MAGLEV_CTR_BYTES,
	MAGLEV_CTR_FRAGMENTS,
	MAGLEV_CTR_MALFORMED,
	MAGLEV_CTR_NO_BACKEND,
	MAGLEV_CTR_NO_ROUTE,
	MAGLEV_CTR_TOO_BIG,
	MAGLEV_CTR_ENCAP,
	MAGLEV_CTR_XMIT,
	MAGLEV_CTR_NODEST,
	MAGLEV_CTR_ICMP_FWD_CONN,
	MAGLEV_CTR_ICMP_FWD_TABLE,
	MAGLEV_CTR_ICMP_DROP_FRAG,
	MAGLEV_CTR_ICMP_DROP_CSUM,
	MAGLEV_CTR_ICMP_DROP_SOURCE,
	MAGLEV_CTR_ICMP_DROP_NO_SERVICE,
	MAGLEV_CTR_ICMP_DROP_INNER_FRAG,
	MAGLEV_CTR_ICMP_DROP_MALFORMED,
	MAGLEV_CTR_ICMP_ECHO,
	MAGLEV_CTR_ICMP_PMTU,
	MAGLEV_CTR_FRAG_FIRST,
	MAGLEV_CTR_FRAG_FOLLOWED,
	MAGLEV_CTR_FRAG_HELD,
	MAGLEV_CTR_FRAG_FLUSHED,
	MAGLEV_CTR_FRAG_EXPIRED,
	MAGLEV_CTR_FRAG_POISONED,
	MAGLEV_CTR_FRAG_TABLE_FULL,
	MAGLEV_CTR_FRAG_DROP,
	MAGLEV_CTR_FRAG_REDIRECT_OUT,
	MAGLEV_CTR_FRAG_REDIRECT_IN,
	MAGLEV_CTR_PROBE_PACKETS,
	MAGLEV_CTR_PROBE_BYTES,
	MAGLEV_CTR_PROBE_DROP_NO_BACKEND,
	MAGLEV_CTR_MAX,
};

/* Services and backends count packets and bytes only. */
#define MAGLEV_CTR_PKT_MAX (MAGLEV_CTR_BYTES + 1)

struct maglev_stats_pcpu {
	struct u64_stats_sync syncp;
	u64_stats_t ctr[];
};

/**
 * struct maglev_stats - a set of per-CPU counters
 * @pcpu: the counters, written by the packet path
 * @base: values at the last zeroing, subtracted when read (config mutex)
 * @n: number of counters
 */
struct maglev_stats {
	struct maglev_stats_pcpu __percpu *pcpu;
	u64 base[MAGLEV_CTR_MAX];
	unsigned int n;
};

int maglev_stats_init(struct maglev_stats *s, unsigned int n);
void maglev_stats_free(struct maglev_stats *s);
void maglev_stats_read(const struct maglev_stats *s, u64 *val);
void maglev_stats_zero(struct maglev_stats *s);
int maglev_stats_put(struct sk_buff *msg, int attrtype,
		     const struct maglev_stats *s);

/**
 * maglev_stats_add - add to one counter (packet path, BHs disabled)
 * @s: counters
 * @ctr: which
 * @val: how much
 */
static inline void maglev_stats_add(struct maglev_stats *s,
				    enum maglev_ctr ctr, u64 val)
{
	struct maglev_stats_pcpu *p = this_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->ctr[ctr], val);
	u64_stats_update_end(&p->syncp);
}

/**
 * maglev_stats_pkt - count one packet of @len bytes
 * @s: counters with at least MAGLEV_CTR_PKT_MAX entries
 * @len: bytes
 */
static inline void maglev_stats_pkt(struct maglev_stats *s, unsigned int len)
{
	struct maglev_stats_pcpu *p = this_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_inc(&p->ctr[MAGLEV_CTR_PACKETS]);
	u64_stats_add(&p->ctr[MAGLEV_CTR_BYTES], len);
	u64_stats_update_end(&p->syncp);
}

#endif /* _MAGLEV_STATS_H */
