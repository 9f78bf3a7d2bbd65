// SPDX-License-Identifier: GPL-2.0
/*
 * libmaglev: generic netlink plumbing with libnl-3: the socket, requests
 * that remember which word produced each attribute, replies, and the
 * kernel's extended ack.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "libmaglev.h"

/* Program name in messages; maglevd sets its own. */
const char *mg_prog = "maglevctl";

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

const char *report_file = "<stdin>";

/* ------------------------------------------------------------------ */
/* Socket                                                              */

/*
 * Open the socket and resolve the family.  Returns 0, or a negative errno
 * with a message in c->last.msg (maglevd retries; maglevctl exits).
 */
int ctl_try_open(struct mg_ctl *c)
{
	int one = 1, fd, err;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk) {
		snprintf(c->last.msg, sizeof(c->last.msg), "out of memory");
		return -ENOMEM;
	}
	err = genl_connect(c->sk);
	if (err < 0) {
		snprintf(c->last.msg, sizeof(c->last.msg),
			 "cannot open a generic netlink socket: %s",
			 nl_geterror(err));
		nl_socket_free(c->sk);
		c->sk = NULL;
		return -EIO;
	}
	fd = nl_socket_get_fd(c->sk);
	/* Error messages and the offset of the attribute at fault; old
	 * kernels refuse the options, which only costs the details. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Do not echo whole (maybe large) requests back in errors. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	/* Resolving by name makes the kernel load the module
	 * (MODULE_ALIAS_GENL_FAMILY) when it can. */
	c->family = genl_ctrl_resolve(c->sk, MAGLEV_GENL_NAME);
	if (c->family < 0) {
		snprintf(c->last.msg, sizeof(c->last.msg),
			 "generic netlink family \"%s\" not found (is the maglev module loaded?)",
			 MAGLEV_GENL_NAME);
		nl_socket_free(c->sk);
		c->sk = NULL;
		return -ENOENT;
	}
	return 0;
}

int ctl_open(struct mg_ctl *c)
{
	int err = ctl_try_open(c);

	if (err < 0) {
		fprintf(stderr, "%s: %s\n", mg_prog, c->last.msg);
		exit(err == -ENOMEM ? EXIT_KERNEL : EXIT_NOFAMILY);
	}
	return 0;
}

void ctl_close(struct mg_ctl *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

int ctl_mcast_group(struct mg_ctl *c, const char *group)
{
	int grp = genl_ctrl_resolve_grp(c->sk, MAGLEV_GENL_NAME, group);

	if (grp < 0) {
		fprintf(stderr, "%s: multicast group \"%s\" of family \"%s\" not found: %s\n", mg_prog,
			group, MAGLEV_GENL_NAME, nl_geterror(grp));
		return -1;
	}
	grp = nl_socket_add_membership(c->sk, grp);
	if (grp < 0) {
		fprintf(stderr, "%s: cannot join group \"%s\": %s\n", mg_prog,
			group, nl_geterror(grp));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

int req_init(struct mg_req *r, int family, uint8_t cmd, int flags,
	     size_t size)
{
	memset(r, 0, sizeof(*r));
	r->msg = nlmsg_alloc_size(size < 4096 ? 4096 : size);
	if (!r->msg)
		return -ENOMEM;
	if (!genlmsg_put(r->msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, MAGLEV_GENL_VERSION)) {
		nlmsg_free(r->msg);
		r->msg = NULL;
		return -ENOMEM;
	}
	return 0;
}

void req_free(struct mg_req *r)
{
	if (r->msg)
		nlmsg_free(r->msg);
	free(r->map);
	memset(r, 0, sizeof(*r));
}

static uint32_t req_offset(struct mg_req *r)
{
	struct nlmsghdr *nlh = nlmsg_hdr(r->msg);

	return (uint32_t)((char *)nlmsg_tail(nlh) - (char *)nlh);
}

static void req_remember(struct mg_req *r, uint32_t off,
			 const struct origin *o)
{
	if (!o || !o->word)
		return;
	if (r->nmap == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct req_map *m = realloc(r->map, cap * sizeof(*m));

		if (!m)
			return;	/* only costs the word in an error */
		r->map = m;
		r->cap = cap;
	}
	r->map[r->nmap].off = off;
	r->map[r->nmap].o = o;
	r->nmap++;
}

void req_put(struct mg_req *r, int type, const void *data, size_t len,
	     const struct origin *o)
{
	uint32_t off;

	if (r->err)
		return;
	off = req_offset(r);
	if (nla_put(r->msg, type, (int)len, data) < 0) {
		r->err = -EMSGSIZE;
		return;
	}
	req_remember(r, off, o);
}

void req_put_u8(struct mg_req *r, int type, uint8_t v,
		const struct origin *o)
{
	req_put(r, type, &v, sizeof(v), o);
}

void req_put_u16(struct mg_req *r, int type, uint16_t v,
		 const struct origin *o)
{
	req_put(r, type, &v, sizeof(v), o);
}

void req_put_u32(struct mg_req *r, int type, uint32_t v,
		 const struct origin *o)
{
	req_put(r, type, &v, sizeof(v), o);
}

struct nlattr *req_nest(struct mg_req *r, int type, const struct origin *o)
{
	struct nlattr *nest;
	uint32_t off;

	if (r->err)
		return NULL;
	off = req_offset(r);
	nest = nla_nest_start(r->msg, type);
	if (!nest) {
		r->err = -EMSGSIZE;
		return NULL;
	}
	/* libnl >= 3.5 sets it already; the kernel's strict validation
	 * wants it, so make sure whatever the library version. */
	nest->nla_type |= NLA_F_NESTED;
	req_remember(r, off, o);
	return nest;
}

void req_nest_end(struct mg_req *r, struct nlattr *nest)
{
	/* keep empty nests: an empty BACKENDS means "no backends" */
	if (nest && !r->err)
		nla_nest_end_keep_empty(r->msg, nest);
}

const struct origin *req_origin(const struct mg_req *r, uint32_t off)
{
	for (size_t i = 0; r && i < r->nmap; i++)
		if (r->map[i].off == off)
			return r->map[i].o;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Encoders                                                            */

static void put_addr(struct mg_req *r, int type4, int type6,
		     const struct mg_addr *a, const struct origin *o)
{
	if (a->family == AF_INET6)
		req_put(r, type6, &a->u.v6, 16, o);
	else
		req_put(r, type4, &a->u.v4, 4, o);
}

void put_service_key(struct mg_req *r, const struct mg_service *s)
{
	req_put_u8(r, MAGLEV_SVC_A_PROTO, s->proto, &s->o_proto);
	put_addr(r, MAGLEV_SVC_A_ADDR4, MAGLEV_SVC_A_ADDR6, &s->vip,
		 &s->o_key);
	req_put_u16(r, MAGLEV_SVC_A_PORT, s->port, &s->o_key);
}

void put_service(struct mg_req *r, const struct mg_service *s,
		 enum put_mode mode)
{
	struct nlattr *nest = req_nest(r, MAGLEV_A_SERVICE, &s->o_key);
	const struct origin *of;

	put_service_key(r, s);
	if (mode != PUT_KEY) {
		if (s->has & SVC_HAS_TABLE_SIZE)
			req_put_u32(r, MAGLEV_SVC_A_TABLE_SIZE, s->table_size,
				    &s->o_table_size);
		if (s->has & SVC_HAS_HASH)
			req_put_u8(r, MAGLEV_SVC_A_HASH, s->hash, &s->o_hash);
		of = s->o_gre_key.word ? &s->o_gre_key : &s->o_gre_csum;
		if (s->has & SVC_HAS_FLAGS)
			req_put_u32(r, MAGLEV_SVC_A_FLAGS, s->flags, of);
		if (s->has & SVC_HAS_FLAGS_MASK)
			req_put_u32(r, MAGLEV_SVC_A_FLAGS_MASK, s->flags_mask,
				    of);
		if (s->has & SVC_HAS_GRE_KEY)
			req_put_u32(r, MAGLEV_SVC_A_GRE_KEY, s->gre_key,
				    &s->o_gre_key);
	}
	if (mode == PUT_REPLACE) {
		struct nlattr *bes = req_nest(r, MAGLEV_SVC_A_BACKENDS,
					      &s->o_key);

		for (size_t i = 0; i < s->nbe; i++)
			put_backend(r, MAGLEV_A_BACKEND, &s->be[i], false);
		req_nest_end(r, bes);
	}
	req_nest_end(r, nest);
}

void put_backend(struct mg_req *r, int type, const struct mg_backend *b,
		 bool key_only)
{
	struct nlattr *nest = req_nest(r, type, &b->o_addr);

	put_addr(r, MAGLEV_BE_A_ADDR4, MAGLEV_BE_A_ADDR6, &b->addr,
		 &b->o_addr);
	if (!key_only) {
		if (b->has & BE_HAS_WEIGHT)
			req_put_u32(r, MAGLEV_BE_A_WEIGHT, b->weight,
				    &b->o_weight);
		if (b->has & BE_HAS_STATE)
			req_put_u8(r, MAGLEV_BE_A_STATE, b->state,
				   &b->o_state);
	}
	req_nest_end(r, nest);
}

void put_config(struct mg_req *r, const struct mg_config *c)
{
	struct nlattr *nest = req_nest(r, MAGLEV_A_CONFIG, NULL);
	static const uint8_t zero[16];

	if (c->has & CFG_HAS_SEED)
		req_put(r, MAGLEV_CFG_A_SEED, c->seed, 16, &c->o_seed);
	/* "none" is an all-zero address */
	if (c->has & CFG_HAS_SOURCE4)
		req_put(r, MAGLEV_CFG_A_SOURCE4,
			c->source4.family ? (const void *)&c->source4.u.v4 : zero,
			4, &c->o_source4);
	if (c->has & CFG_HAS_SOURCE6)
		req_put(r, MAGLEV_CFG_A_SOURCE6,
			c->source6.family ? (const void *)&c->source6.u.v6 : zero,
			16, &c->o_source6);
	if (c->has & CFG_HAS_TTL)
		req_put_u8(r, MAGLEV_CFG_A_TTL, c->ttl, &c->o_ttl);
	if (c->has & CFG_HAS_TABLE_SIZE)
		req_put_u32(r, MAGLEV_CFG_A_DEFAULT_TABLE_SIZE, c->table_size,
			    &c->o_table_size);
	if (c->has & CFG_HAS_HASH)
		req_put_u8(r, MAGLEV_CFG_A_DEFAULT_HASH, c->hash, &c->o_hash);
	if (c->has & CFG_HAS_CONN_MAX)
		req_put_u32(r, MAGLEV_CFG_A_CONN_MAX, c->conn_max,
			    &c->o_conn_max);
	if (c->has & CFG_HAS_EXPIRE_NODEST)
		req_put_u8(r, MAGLEV_CFG_A_EXPIRE_NODEST, c->expire_nodest,
			   &c->o_expire_nodest);
	if (c->has & CFG_HAS_PROBE_MARK)
		req_put_u32(r, MAGLEV_CFG_A_PROBE_MARK, c->probe_mark,
			    &c->o_probe_mark);
	if (c->has & CFG_HAS_PROBE_MASK)
		req_put_u32(r, MAGLEV_CFG_A_PROBE_MASK, c->probe_mask,
			    &c->o_probe_mask);
	if (c->has & CFG_HAS_ICMP)
		req_put_u8(r, MAGLEV_CFG_A_ICMP, c->icmp, &c->o_icmp);
	if (c->has & CFG_HAS_FRAG_MAX)
		req_put_u32(r, MAGLEV_CFG_A_FRAG_MAX, c->frag_max,
			    &c->o_frag_max);
	if (c->has & CFG_HAS_FRAG_HOLD)
		req_put_u32(r, MAGLEV_CFG_A_FRAG_HOLD, c->frag_hold,
			    &c->o_frag_hold);
	if (c->has & CFG_HAS_FRAG_HOLD_BYTES)
		req_put_u32(r, MAGLEV_CFG_A_FRAG_HOLD_BYTES, c->frag_hold_bytes,
			    &c->o_frag_hold_bytes);
	if (c->has & CFG_HAS_FRAG_TIMEOUT)
		req_put_u32(r, MAGLEV_CFG_A_FRAG_TIMEOUT, c->frag_timeout,
			    &c->o_frag_timeout);
	if (c->has & CFG_HAS_POOL) {
		struct nlattr *pn = req_nest(r, MAGLEV_CFG_A_POOL, &c->o_pool);

		for (unsigned int i = 0; i < c->npool; i++) {
			if (c->pool[i].family == AF_INET)
				req_put(r, MAGLEV_POOL_A_ADDR4, &c->pool[i].u.v4,
					4, &c->o_pool);
			else
				req_put(r, MAGLEV_POOL_A_ADDR6, &c->pool[i].u.v6,
					16, &c->o_pool);
		}
		req_nest_end(r, pn);
	}
	if ((c->has & CFG_HAS_TIMEOUTS) && c->timeout_has) {
		struct nlattr *to = req_nest(r, MAGLEV_CFG_A_TIMEOUTS, NULL);

		for (int t = 1; t < MG_NTIMEOUTS; t++)
			if (c->timeout_has & (1U << t))
				req_put_u32(r, t, c->timeout[t], &c->o_timeout[t]);
		req_nest_end(r, to);
	}
	req_nest_end(r, nest);
}

void put_flow(struct mg_req *r, const struct mg_flow *f)
{
	struct nlattr *nest = req_nest(r, MAGLEV_A_FLOW, NULL);

	req_put_u8(r, MAGLEV_FLOW_A_PROTO, f->proto, &f->o_proto);
	put_addr(r, MAGLEV_FLOW_A_SADDR4, MAGLEV_FLOW_A_SADDR6, &f->saddr,
		 &f->o_src);
	put_addr(r, MAGLEV_FLOW_A_DADDR4, MAGLEV_FLOW_A_DADDR6, &f->daddr,
		 &f->o_dst);
	req_put_u16(r, MAGLEV_FLOW_A_SPORT, f->sport, &f->o_src);
	req_put_u16(r, MAGLEV_FLOW_A_DPORT, f->dport, &f->o_dst);
	req_nest_end(r, nest);
}

/* ------------------------------------------------------------------ */
/* Decoders                                                            */

static struct nla_policy top_policy[MAGLEV_A_MAX + 1] = {
	[MAGLEV_A_SERVICE] = { .type = NLA_NESTED },
	[MAGLEV_A_BACKEND] = { .type = NLA_NESTED },
	[MAGLEV_A_BACKENDS] = { .type = NLA_NESTED },
	[MAGLEV_A_CONFIG] = { .type = NLA_NESTED },
	[MAGLEV_A_STATS] = { .type = NLA_NESTED },
	[MAGLEV_A_FLOW] = { .type = NLA_NESTED },
	[MAGLEV_A_LOOKUP] = { .type = NLA_NESTED },
	[MAGLEV_A_TABLE_START] = { .type = NLA_U32 },
	[MAGLEV_A_TABLE_SLOTS] = { .type = NLA_UNSPEC },
	[MAGLEV_A_CONN] = { .type = NLA_NESTED },
	[MAGLEV_A_CONN_STATS] = { .type = NLA_NESTED },
};

static struct nla_policy svc_policy[MAGLEV_SVC_A_MAX + 1] = {
	[MAGLEV_SVC_A_PROTO] = { .type = NLA_U8 },
	[MAGLEV_SVC_A_ADDR4] = { .type = NLA_U32 },
	[MAGLEV_SVC_A_ADDR6] = { .minlen = 16 },
	[MAGLEV_SVC_A_PORT] = { .type = NLA_U16 },
	[MAGLEV_SVC_A_TABLE_SIZE] = { .type = NLA_U32 },
	[MAGLEV_SVC_A_HASH] = { .type = NLA_U8 },
	[MAGLEV_SVC_A_FLAGS] = { .type = NLA_U32 },
	[MAGLEV_SVC_A_GRE_KEY] = { .type = NLA_U32 },
	[MAGLEV_SVC_A_BACKENDS] = { .type = NLA_NESTED },
	[MAGLEV_SVC_A_STATS] = { .type = NLA_NESTED },
};

static struct nla_policy be_policy[MAGLEV_BE_A_MAX + 1] = {
	[MAGLEV_BE_A_ADDR4] = { .type = NLA_U32 },
	[MAGLEV_BE_A_ADDR6] = { .minlen = 16 },
	[MAGLEV_BE_A_WEIGHT] = { .type = NLA_U32 },
	[MAGLEV_BE_A_STATE] = { .type = NLA_U8 },
	[MAGLEV_BE_A_SLOTS] = { .type = NLA_U32 },
	[MAGLEV_BE_A_INDEX] = { .type = NLA_U32 },
	[MAGLEV_BE_A_STATS] = { .type = NLA_NESTED },
	[MAGLEV_BE_A_ID] = { .type = NLA_U32 },
};

static struct nla_policy cfg_policy[MAGLEV_CFG_A_MAX + 1] = {
	[MAGLEV_CFG_A_SEED] = { .minlen = 16 },
	[MAGLEV_CFG_A_SOURCE4] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_SOURCE6] = { .minlen = 16 },
	[MAGLEV_CFG_A_TTL] = { .type = NLA_U8 },
	[MAGLEV_CFG_A_DEFAULT_TABLE_SIZE] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_DEFAULT_HASH] = { .type = NLA_U8 },
	[MAGLEV_CFG_A_MAX_SERVICES] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_MAX_BACKENDS] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_MAX_TABLE_SIZE] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_CONN_MAX] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_EXPIRE_NODEST] = { .type = NLA_U8 },
	[MAGLEV_CFG_A_TIMEOUTS] = { .type = NLA_NESTED },
	[MAGLEV_CFG_A_PROBE_MARK] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_PROBE_MASK] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_ICMP] = { .type = NLA_U8 },
	[MAGLEV_CFG_A_POOL] = { .type = NLA_NESTED },
	[MAGLEV_CFG_A_FRAG_MAX] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_FRAG_HOLD] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_FRAG_HOLD_BYTES] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_FRAG_TIMEOUT] = { .type = NLA_U32 },
};

static struct nla_policy stats_policy[MAGLEV_STATS_A_MAX + 1];

int parse_top(struct nlmsghdr *nlh, struct nlattr **tb)
{
	return genlmsg_parse(nlh, 0, tb, MAGLEV_A_MAX, top_policy) < 0 ?
	       -EINVAL : 0;
}

static void get_addr(struct nlattr *a4, struct nlattr *a6, struct mg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (a4) {
		a->family = AF_INET;
		memcpy(&a->u.v4, nla_data(a4), 4);
	} else if (a6) {
		a->family = AF_INET6;
		memcpy(&a->u.v6, nla_data(a6), 16);
	}
}

int decode_stats(struct nlattr *nest, uint64_t v[MG_NSTATS])
{
	struct nlattr *tb[MAGLEV_STATS_A_MAX + 1];

	memset(v, 0, MG_NSTATS * sizeof(v[0]));
	for (int i = MAGLEV_STATS_A_PACKETS; i <= MAGLEV_STATS_A_MAX; i++)
		stats_policy[i].type = NLA_U64;
	if (nla_parse_nested(tb, MAGLEV_STATS_A_MAX, nest, stats_policy) < 0)
		return -EINVAL;
	for (int i = MAGLEV_STATS_A_PACKETS; i <= MAGLEV_STATS_A_MAX; i++)
		if (tb[i])
			v[i] = nla_get_u64(tb[i]);
	return 0;
}

int decode_backend(struct nlattr *nest, struct mg_backend *b)
{
	struct nlattr *tb[MAGLEV_BE_A_MAX + 1];
	uint64_t st[MG_NSTATS];

	memset(b, 0, sizeof(*b));
	if (nla_parse_nested(tb, MAGLEV_BE_A_MAX, nest, be_policy) < 0)
		return -EINVAL;
	get_addr(tb[MAGLEV_BE_A_ADDR4], tb[MAGLEV_BE_A_ADDR6], &b->addr);
	if (tb[MAGLEV_BE_A_WEIGHT]) {
		b->weight = nla_get_u32(tb[MAGLEV_BE_A_WEIGHT]);
		b->has |= BE_HAS_WEIGHT;
	}
	if (tb[MAGLEV_BE_A_STATE]) {
		b->state = nla_get_u8(tb[MAGLEV_BE_A_STATE]);
		b->has |= BE_HAS_STATE;
	}
	if (tb[MAGLEV_BE_A_SLOTS]) {
		b->slots = nla_get_u32(tb[MAGLEV_BE_A_SLOTS]);
		b->has |= BE_HAS_SLOTS;
	}
	if (tb[MAGLEV_BE_A_INDEX]) {
		b->index = nla_get_u32(tb[MAGLEV_BE_A_INDEX]);
		b->has |= BE_HAS_INDEX;
	}
	if (tb[MAGLEV_BE_A_ID]) {
		b->id = nla_get_u32(tb[MAGLEV_BE_A_ID]);
		b->has |= BE_HAS_ID;
	}
	if (tb[MAGLEV_BE_A_STATS]) {
		if (decode_stats(tb[MAGLEV_BE_A_STATS], st) < 0)
			return -EINVAL;
		b->packets = st[MAGLEV_STATS_A_PACKETS];
		b->bytes = st[MAGLEV_STATS_A_BYTES];
		b->has |= BE_HAS_STATS;
	}
	return 0;
}

/* A nest of MAGLEV_A_BACKEND nests (the entries' type is not checked). */
int decode_backends(struct nlattr *nest, struct mg_service *s)
{
	struct nlattr *pos;
	int rem;

	s->has |= SVC_HAS_BACKENDS;
	nla_for_each_nested(pos, nest, rem) {
		struct mg_backend *b = service_add_backend(s);

		if (!b)
			return -ENOMEM;
		if (decode_backend(pos, b) < 0)
			return -EINVAL;
	}
	return 0;
}

int decode_service(struct nlattr *nest, struct mg_service *s)
{
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	uint64_t st[MG_NSTATS];

	memset(s, 0, sizeof(*s));
	if (nla_parse_nested(tb, MAGLEV_SVC_A_MAX, nest, svc_policy) < 0)
		return -EINVAL;
	if (tb[MAGLEV_SVC_A_PROTO])
		s->proto = nla_get_u8(tb[MAGLEV_SVC_A_PROTO]);
	get_addr(tb[MAGLEV_SVC_A_ADDR4], tb[MAGLEV_SVC_A_ADDR6], &s->vip);
	if (tb[MAGLEV_SVC_A_PORT])
		s->port = nla_get_u16(tb[MAGLEV_SVC_A_PORT]);
	if (tb[MAGLEV_SVC_A_TABLE_SIZE]) {
		s->table_size = nla_get_u32(tb[MAGLEV_SVC_A_TABLE_SIZE]);
		s->has |= SVC_HAS_TABLE_SIZE;
	}
	if (tb[MAGLEV_SVC_A_HASH]) {
		s->hash = nla_get_u8(tb[MAGLEV_SVC_A_HASH]);
		s->has |= SVC_HAS_HASH;
	}
	if (tb[MAGLEV_SVC_A_FLAGS]) {
		s->flags = nla_get_u32(tb[MAGLEV_SVC_A_FLAGS]);
		s->has |= SVC_HAS_FLAGS;
	}
	if (tb[MAGLEV_SVC_A_GRE_KEY]) {
		s->gre_key = nla_get_u32(tb[MAGLEV_SVC_A_GRE_KEY]);
		s->has |= SVC_HAS_GRE_KEY;
	}
	if (tb[MAGLEV_SVC_A_STATS]) {
		if (decode_stats(tb[MAGLEV_SVC_A_STATS], st) < 0)
			return -EINVAL;
		s->packets = st[MAGLEV_STATS_A_PACKETS];
		s->bytes = st[MAGLEV_STATS_A_BYTES];
		s->has |= SVC_HAS_STATS;
	}
	if (tb[MAGLEV_SVC_A_BACKENDS]) {
		int err = decode_backends(tb[MAGLEV_SVC_A_BACKENDS], s);

		if (err < 0) {
			service_free(s);
			return err;
		}
	}
	return 0;
}

int decode_config(struct nlattr *nest, struct mg_config *c)
{
	struct nlattr *tb[MAGLEV_CFG_A_MAX + 1];
	static const uint8_t zero[16];

	memset(c, 0, sizeof(*c));
	if (nla_parse_nested(tb, MAGLEV_CFG_A_MAX, nest, cfg_policy) < 0)
		return -EINVAL;
	if (tb[MAGLEV_CFG_A_SEED]) {
		memcpy(c->seed, nla_data(tb[MAGLEV_CFG_A_SEED]), 16);
		c->has |= CFG_HAS_SEED;
	}
	if (tb[MAGLEV_CFG_A_SOURCE4]) {
		c->has |= CFG_HAS_SOURCE4;
		if (memcmp(nla_data(tb[MAGLEV_CFG_A_SOURCE4]), zero, 4))
			get_addr(tb[MAGLEV_CFG_A_SOURCE4], NULL, &c->source4);
	}
	if (tb[MAGLEV_CFG_A_SOURCE6]) {
		c->has |= CFG_HAS_SOURCE6;
		if (memcmp(nla_data(tb[MAGLEV_CFG_A_SOURCE6]), zero, 16))
			get_addr(NULL, tb[MAGLEV_CFG_A_SOURCE6], &c->source6);
	}
	if (tb[MAGLEV_CFG_A_TTL]) {
		c->ttl = nla_get_u8(tb[MAGLEV_CFG_A_TTL]);
		c->has |= CFG_HAS_TTL;
	}
	if (tb[MAGLEV_CFG_A_DEFAULT_TABLE_SIZE]) {
		c->table_size = nla_get_u32(tb[MAGLEV_CFG_A_DEFAULT_TABLE_SIZE]);
		c->has |= CFG_HAS_TABLE_SIZE;
	}
	if (tb[MAGLEV_CFG_A_DEFAULT_HASH]) {
		c->hash = nla_get_u8(tb[MAGLEV_CFG_A_DEFAULT_HASH]);
		c->has |= CFG_HAS_HASH;
	}
	if (tb[MAGLEV_CFG_A_MAX_SERVICES]) {
		c->max_services = nla_get_u32(tb[MAGLEV_CFG_A_MAX_SERVICES]);
		c->has |= CFG_HAS_MAX_SERVICES;
	}
	if (tb[MAGLEV_CFG_A_MAX_BACKENDS]) {
		c->max_backends = nla_get_u32(tb[MAGLEV_CFG_A_MAX_BACKENDS]);
		c->has |= CFG_HAS_MAX_BACKENDS;
	}
	if (tb[MAGLEV_CFG_A_MAX_TABLE_SIZE]) {
		c->max_table_size = nla_get_u32(tb[MAGLEV_CFG_A_MAX_TABLE_SIZE]);
		c->has |= CFG_HAS_MAX_TABLE_SIZE;
	}
	if (tb[MAGLEV_CFG_A_CONN_MAX]) {
		c->conn_max = nla_get_u32(tb[MAGLEV_CFG_A_CONN_MAX]);
		c->has |= CFG_HAS_CONN_MAX;
	}
	if (tb[MAGLEV_CFG_A_EXPIRE_NODEST]) {
		c->expire_nodest = nla_get_u8(tb[MAGLEV_CFG_A_EXPIRE_NODEST]);
		c->has |= CFG_HAS_EXPIRE_NODEST;
	}
	if (tb[MAGLEV_CFG_A_PROBE_MARK]) {
		c->probe_mark = nla_get_u32(tb[MAGLEV_CFG_A_PROBE_MARK]);
		c->has |= CFG_HAS_PROBE_MARK;
	}
	if (tb[MAGLEV_CFG_A_PROBE_MASK]) {
		c->probe_mask = nla_get_u32(tb[MAGLEV_CFG_A_PROBE_MASK]);
		c->has |= CFG_HAS_PROBE_MASK;
	}
	if (tb[MAGLEV_CFG_A_ICMP]) {
		c->icmp = nla_get_u8(tb[MAGLEV_CFG_A_ICMP]);
		c->has |= CFG_HAS_ICMP;
	}
	if (tb[MAGLEV_CFG_A_FRAG_MAX]) {
		c->frag_max = nla_get_u32(tb[MAGLEV_CFG_A_FRAG_MAX]);
		c->has |= CFG_HAS_FRAG_MAX;
	}
	if (tb[MAGLEV_CFG_A_FRAG_HOLD]) {
		c->frag_hold = nla_get_u32(tb[MAGLEV_CFG_A_FRAG_HOLD]);
		c->has |= CFG_HAS_FRAG_HOLD;
	}
	if (tb[MAGLEV_CFG_A_FRAG_HOLD_BYTES]) {
		c->frag_hold_bytes = nla_get_u32(tb[MAGLEV_CFG_A_FRAG_HOLD_BYTES]);
		c->has |= CFG_HAS_FRAG_HOLD_BYTES;
	}
	if (tb[MAGLEV_CFG_A_FRAG_TIMEOUT]) {
		c->frag_timeout = nla_get_u32(tb[MAGLEV_CFG_A_FRAG_TIMEOUT]);
		c->has |= CFG_HAS_FRAG_TIMEOUT;
	}
	if (tb[MAGLEV_CFG_A_POOL]) {
		struct nlattr *a;
		int rem;

		c->npool = 0;
		nla_for_each_nested(a, tb[MAGLEV_CFG_A_POOL], rem) {
			struct mg_addr *m;

			if (c->npool == MAGLEV_POOL_MAX_MEMBERS)
				break;
			m = &c->pool[c->npool];
			memset(m, 0, sizeof(*m));
			if (nla_type(a) == MAGLEV_POOL_A_ADDR4 &&
			    nla_len(a) == 4) {
				m->family = AF_INET;
				memcpy(&m->u.v4, nla_data(a), 4);
			} else if (nla_type(a) == MAGLEV_POOL_A_ADDR6 &&
				   nla_len(a) == 16) {
				m->family = AF_INET6;
				memcpy(&m->u.v6, nla_data(a), 16);
			} else {
				continue;
			}
			c->npool++;
		}
		c->has |= CFG_HAS_POOL;
	}
	if (tb[MAGLEV_CFG_A_TIMEOUTS]) {
		struct nla_policy pol[MG_NTIMEOUTS];
		struct nlattr *to[MG_NTIMEOUTS];

		memset(pol, 0, sizeof(pol));
		for (int t = 1; t < MG_NTIMEOUTS; t++)
			pol[t].type = NLA_U32;
		if (nla_parse_nested(to, MAGLEV_TIMEOUT_A_MAX,
				     tb[MAGLEV_CFG_A_TIMEOUTS], pol) < 0)
			return -EINVAL;
		for (int t = 1; t < MG_NTIMEOUTS; t++) {
			if (to[t]) {
				c->timeout[t] = nla_get_u32(to[t]);
				c->timeout_has |= 1U << t;
			}
		}
		c->has |= CFG_HAS_TIMEOUTS;
	}
	return 0;
}

int decode_conn_stats(struct nlattr *nest, struct mg_conn_stats *cs)
{
	struct nla_policy pol[MG_NCONNSTATS];
	struct nlattr *tb[MG_NCONNSTATS];

	memset(cs, 0, sizeof(*cs));
	memset(pol, 0, sizeof(pol));
	for (int i = MAGLEV_CONN_STATS_A_ENTRIES; i < MG_NCONNSTATS; i++)
		pol[i].type = i == MAGLEV_CONN_STATS_A_ENTRIES ||
			      i == MAGLEV_CONN_STATS_A_LIMIT ? NLA_U32 : NLA_U64;
	if (nla_parse_nested(tb, MAGLEV_CONN_STATS_A_MAX, nest, pol) < 0)
		return -EINVAL;
	for (int i = MAGLEV_CONN_STATS_A_ENTRIES; i < MG_NCONNSTATS; i++) {
		if (!tb[i])
			continue;
		cs->v[i] = pol[i].type == NLA_U32 ? nla_get_u32(tb[i]) :
			   nla_get_u64(tb[i]);
	}
	cs->present = true;
	return 0;
}

static struct nla_policy flow_policy[MAGLEV_FLOW_A_MAX + 1] = {
	[MAGLEV_FLOW_A_PROTO] = { .type = NLA_U8 },
	[MAGLEV_FLOW_A_SADDR4] = { .type = NLA_U32 },
	[MAGLEV_FLOW_A_SADDR6] = { .minlen = 16 },
	[MAGLEV_FLOW_A_DADDR4] = { .type = NLA_U32 },
	[MAGLEV_FLOW_A_DADDR6] = { .minlen = 16 },
	[MAGLEV_FLOW_A_SPORT] = { .type = NLA_U16 },
	[MAGLEV_FLOW_A_DPORT] = { .type = NLA_U16 },
};

int decode_conn(struct nlattr *nest, struct mg_conn *c)
{
	static struct nla_policy pol[MAGLEV_CONN_A_MAX + 1] = {
		[MAGLEV_CONN_A_FLOW] = { .type = NLA_NESTED },
		[MAGLEV_CONN_A_BACKEND] = { .type = NLA_NESTED },
		[MAGLEV_CONN_A_STATE] = { .type = NLA_U8 },
		[MAGLEV_CONN_A_EXPIRES] = { .type = NLA_U32 },
		[MAGLEV_CONN_A_UNCONFIRMED] = { .type = NLA_FLAG },
	};
	struct nlattr *tb[MAGLEV_CONN_A_MAX + 1];
	struct nlattr *ft[MAGLEV_FLOW_A_MAX + 1];
	struct mg_backend b;

	memset(c, 0, sizeof(*c));
	if (nla_parse_nested(tb, MAGLEV_CONN_A_MAX, nest, pol) < 0)
		return -EINVAL;
	if (tb[MAGLEV_CONN_A_FLOW]) {
		if (nla_parse_nested(ft, MAGLEV_FLOW_A_MAX,
				     tb[MAGLEV_CONN_A_FLOW], flow_policy) < 0)
			return -EINVAL;
		if (ft[MAGLEV_FLOW_A_PROTO])
			c->flow.proto = nla_get_u8(ft[MAGLEV_FLOW_A_PROTO]);
		get_addr(ft[MAGLEV_FLOW_A_SADDR4], ft[MAGLEV_FLOW_A_SADDR6],
			 &c->flow.saddr);
		get_addr(ft[MAGLEV_FLOW_A_DADDR4], ft[MAGLEV_FLOW_A_DADDR6],
			 &c->flow.daddr);
		if (ft[MAGLEV_FLOW_A_SPORT])
			c->flow.sport = nla_get_u16(ft[MAGLEV_FLOW_A_SPORT]);
		if (ft[MAGLEV_FLOW_A_DPORT])
			c->flow.dport = nla_get_u16(ft[MAGLEV_FLOW_A_DPORT]);
	}
	if (tb[MAGLEV_CONN_A_BACKEND]) {
		if (decode_backend(tb[MAGLEV_CONN_A_BACKEND], &b) < 0)
			return -EINVAL;
		c->backend = b.addr;
	}
	if (tb[MAGLEV_CONN_A_STATE]) {
		c->state = nla_get_u8(tb[MAGLEV_CONN_A_STATE]);
		c->has_state = true;
	}
	if (tb[MAGLEV_CONN_A_EXPIRES]) {
		c->expires_ms = nla_get_u32(tb[MAGLEV_CONN_A_EXPIRES]);
		c->has_expires = true;
	}
	c->unconfirmed = tb[MAGLEV_CONN_A_UNCONFIRMED] != NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Transactions and errors                                             */

void parse_nlerr(const struct nlmsghdr *nlh, struct mg_nlerr *e)
{
	const struct nlattr *a;
	uint32_t off, len = nlh->nlmsg_len;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *ne = NLMSG_DATA(nlh);

		if (len < NLMSG_HDRLEN + sizeof(*ne))
			return;
		e->err = ne->error;
		off = NLMSG_HDRLEN + sizeof(*ne);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += NLMSG_ALIGN(ne->msg.nlmsg_len) - NLMSG_HDRLEN;
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		if (len < NLMSG_HDRLEN + sizeof(int))
			return;
		memcpy(&e->err, NLMSG_DATA(nlh), sizeof(int));
		off = NLMSG_HDRLEN + sizeof(int);
	} else {
		return;
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* walk the TLVs by hand: the kernel's attribute numbering is not
	 * libnl's policy business */
	while (off + NLA_HDRLEN <= len) {
		uint32_t alen, plen;

		a = (const struct nlattr *)((const char *)nlh + off);
		alen = a->nla_len;
		if (alen < NLA_HDRLEN || off + alen > len)
			break;
		plen = alen - NLA_HDRLEN;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG: {
			size_t n = plen < sizeof(e->msg) - 1 ? plen :
				   sizeof(e->msg) - 1;

			memcpy(e->msg, (const char *)a + NLA_HDRLEN, n);
			e->msg[n] = '\0';
			/* NL_SET_ERR_MSG_MOD's "maglev: " says nothing here */
			if (!strncmp(e->msg, MAGLEV_GENL_NAME ": ",
				     strlen(MAGLEV_GENL_NAME ": ")))
				memmove(e->msg, e->msg + strlen(MAGLEV_GENL_NAME ": "),
					strlen(e->msg) - strlen(MAGLEV_GENL_NAME ": ") + 1);
			n = strlen(e->msg);
			while (n > 0 && (e->msg[n - 1] == '\n' ||
					 e->msg[n - 1] == ' '))
				e->msg[--n] = '\0';
			break;
		}
		case NLMSGERR_ATTR_OFFS:
			if (plen >= 4) {
				memcpy(&e->offs, (const char *)a + NLA_HDRLEN, 4);
				e->has_offs = true;
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (plen >= 4) {
				memcpy(&e->miss_type,
				       (const char *)a + NLA_HDRLEN, 4);
				e->has_miss = true;
			}
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			if (plen >= 4) {
				memcpy(&e->miss_nest,
				       (const char *)a + NLA_HDRLEN, 4);
				e->has_miss_nest = true;
			}
			break;
		}
		off += NLA_ALIGN(alen);
	}
}

struct txn {
	struct mg_ctl *c;
	mg_reply_fn fn;
	void *arg;
	int err;
	bool done;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct txn *t = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[MAGLEV_A_MAX + 1];
	int err;

	if (parse_top(nlh, tb) < 0) {
		snprintf(t->c->last.msg, sizeof(t->c->last.msg),
			 "malformed reply from the kernel");
		t->err = -EPROTO;
		return NL_STOP;
	}
	if (!t->fn)
		return NL_OK;
	err = t->fn(nlh, tb, t->arg);
	if (err < 0) {
		t->err = err;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct txn *t = arg;
	struct mg_nlerr e;

	parse_nlerr(nlmsg_hdr(msg), &e);
	if (e.err < 0) {
		t->c->last = e;
		t->err = e.err;
	}
	t->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct txn *t = arg;
	struct mg_nlerr e;

	parse_nlerr(nlmsg_hdr(msg), &e);
	if (e.msg[0])
		snprintf(t->c->warning, sizeof(t->c->warning), "%s", e.msg);
	t->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *nlerr,
		    void *arg)
{
	struct txn *t = arg;
	/* libnl hands us the payload; the header is just before it */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((char *)nlerr - NLMSG_HDRLEN);

	(void)nla;
	parse_nlerr(nlh, &t->c->last);
	t->c->last.err = nlerr->error;
	t->err = nlerr->error < 0 ? nlerr->error : -EPROTO;
	t->done = true;
	return NL_STOP;
}

int ctl_transact(struct mg_ctl *c, struct mg_req *r, mg_reply_fn fn,
		 void *arg)
{
	struct txn t = { .c = c, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int err;

	memset(&c->last, 0, sizeof(c->last));
	c->warning[0] = '\0';
	if (r->err) {
		snprintf(c->last.msg, sizeof(c->last.msg),
			 "request too large");
		return r->err;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &t);

	err = nl_send_auto(c->sk, r->msg);
	if (err < 0) {
		snprintf(c->last.msg, sizeof(c->last.msg), "send: %s",
			 nl_geterror(err));
		t.err = -EIO;
	}
	while (!t.err && !t.done) {
		err = nl_recvmsgs(c->sk, cb);
		if (err < 0 && !t.err) {
			snprintf(c->last.msg, sizeof(c->last.msg), "receive: %s",
				 nl_geterror(err));
			t.err = -EIO;
		}
	}
	nl_cb_put(cb);
	if (!t.err && c->warning[0])
		fprintf(stderr, "%s: warning: %s\n", mg_prog, c->warning);
	return t.err;
}

int report_error(const struct mg_ctl *c, const struct mg_req *r, int err)
{
	const struct origin *o = NULL;
	const struct mg_nlerr *e = c ? &c->last : NULL;
	char where[256] = "", what[320];

	if (e && e->has_offs)
		o = req_origin(r, e->offs);
	if (!o && e && e->has_miss_nest)
		o = req_origin(r, e->miss_nest);
	if (!o && r && e && e->err && !e->has_offs && !e->has_miss)
		o = r->fallback;
	if (o) {
		int n = 0;

		if (o->line)
			n = snprintf(where, sizeof(where), "%s:%d: ",
				     report_file, o->line);
		if (n >= 0 && (size_t)n < sizeof(where))
			snprintf(where + n, sizeof(where) - (size_t)n,
				 "%s%s%s: ", o->kw ? o->kw : "",
				 o->kw ? " " : "", o->word);
	}
	if (e && e->msg[0])
		snprintf(what, sizeof(what), "%s", e->msg);
	else if (e && e->has_miss)
		snprintf(what, sizeof(what), "%s (missing attribute %u)",
			 strerror(-err), e->miss_type);
	else
		snprintf(what, sizeof(what), "%s", strerror(-err));
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "%s: %s%s (CAP_NET_ADMIN needed)\n", mg_prog,
			where, what);
		return EXIT_PERM;
	}
	fprintf(stderr, "%s: %s%s\n", mg_prog, where, what);
	return EXIT_KERNEL;
}

/* ------------------------------------------------------------------ */
/* Gathering replies (maglevctl and maglevd)                           */

int services_reply(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct mg_svc_list *l = arg;

	(void)nlh;
	if (!tb[MAGLEV_A_SERVICE])
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct mg_service *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (decode_service(tb[MAGLEV_A_SERVICE], &l->v[l->n]) < 0)
		return -EPROTO;
	/*
	 * A service whose backends do not fit one message goes on in the
	 * next one, with its key repeated: append to the previous entry.
	 */
	if (l->n > 0 && !service_key_cmp(&l->v[l->n - 1], &l->v[l->n])) {
		struct mg_service *prev = &l->v[l->n - 1], *cur = &l->v[l->n];

		for (size_t i = 0; i < cur->nbe; i++) {
			struct mg_backend *b = service_add_backend(prev);

			if (!b) {
				service_free(cur);
				return -ENOMEM;
			}
			*b = cur->be[i];
		}
		service_free(cur);
		return 0;
	}
	l->n++;
	return 0;
}

static int svc_cmp(const void *a, const void *b)
{
	return service_key_cmp(a, b);
}

void services_sort(struct mg_service *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), svc_cmp);
	for (size_t i = 0; i < n; i++)
		service_sort_backends(&v[i]);
}

void services_free(struct mg_service *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		service_free(&v[i]);
	free(v);
}

int stats_reply(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct mg_stats *s = arg;

	(void)nlh;
	if (tb[MAGLEV_A_STATS] && decode_stats(tb[MAGLEV_A_STATS], s->v) < 0)
		return -EPROTO;
	if (tb[MAGLEV_A_CONN_STATS] &&
	    decode_conn_stats(tb[MAGLEV_A_CONN_STATS], &s->cs) < 0)
		return -EPROTO;
	return 0;
}
