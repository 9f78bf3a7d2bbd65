// SPDX-License-Identifier: GPL-2.0
/*
 * libmaglev: objects as text and as JSON (the schema is in maglevctl.8).
 */
#include <string.h>

#include "libmaglev.h"

struct mg_opts opts;

static double share(uint32_t slots, uint32_t table_size)
{
	return table_size ? (double)slots / table_size : 0.0;
}

/*
 * A service's settings in the grammar of "service add": with all, every
 * setting; otherwise only the ones the service has.
 */
void fmt_service_settings(char *buf, size_t len, const struct mg_service *s,
			  bool all)
{
	size_t n = 0;

	buf[0] = '\0';
#define APPEND(...) do { \
		int k_ = snprintf(buf + n, len - n, __VA_ARGS__); \
		if (k_ > 0) \
			n += (size_t)k_ < len - n ? (size_t)k_ : len - n - 1; \
	} while (0)
	if (s->has & SVC_HAS_TABLE_SIZE)
		APPEND(" table-size %u", s->table_size);
	if (s->has & SVC_HAS_HASH)
		APPEND(" hash %s", hash_name(s->hash));
	if (s->has & SVC_HAS_FLAGS) {
		if (s->flags & MAGLEV_SVC_F_GRE_KEY)
			APPEND(" gre-key %u", s->gre_key);
		else if (all)
			APPEND(" gre-key none");
		if (all || (s->flags & MAGLEV_SVC_F_GRE_CSUM))
			APPEND(" gre-csum %s",
			       s->flags & MAGLEV_SVC_F_GRE_CSUM ? "on" : "off");
	}
#undef APPEND
}

static int addr_width(const struct mg_service *s)
{
	char a[ADDR_STRLEN];
	int w = 7;	/* "backend" */

	for (size_t i = 0; i < s->nbe; i++) {
		int l = (int)strlen(fmt_addr(&s->be[i].addr, a, sizeof(a)));

		if (l > w)
			w = l;
	}
	return w;
}

void print_service_text(FILE *f, const struct mg_service *s)
{
	char ep[EP_STRLEN], a[ADDR_STRLEN], set[256];
	int w = addr_width(s);

	fmt_service_settings(set, sizeof(set), s, true);
	fprintf(f, "service %s %s%s\n", proto_name(s->proto),
		fmt_endpoint(&s->vip, s->port, ep, sizeof(ep)), set);
	if (opts.stats)
		fprintf(f, "  packets %llu bytes %llu\n",
			(unsigned long long)s->packets,
			(unsigned long long)s->bytes);
	if (!s->nbe) {
		fprintf(f, "  (no backends)\n");
		return;
	}
	fprintf(f, "  %-*s %6s %-5s %8s %7s", w, "backend", "weight", "state",
		"slots", "share");
	if (opts.stats)
		fprintf(f, " %10s %14s %16s", "id", "packets", "bytes");
	fputc('\n', f);
	for (size_t i = 0; i < s->nbe; i++) {
		const struct mg_backend *b = &s->be[i];

		fprintf(f, "  %-*s %6u %-5s %8u %6.2f%%", w,
			fmt_addr(&b->addr, a, sizeof(a)), b->weight,
			state_name(b->state), b->slots,
			100.0 * share(b->slots, s->table_size));
		if (opts.stats)
			fprintf(f, " %10u %14llu %16llu", b->id,
				(unsigned long long)b->packets,
				(unsigned long long)b->bytes);
		fputc('\n', f);
	}
}

void json_service_key(struct json *j, const struct mg_service *s)
{
	char a[ADDR_STRLEN];

	json_kstr(j, "proto", proto_name(s->proto));
	json_kstr(j, "vip", fmt_addr(&s->vip, a, sizeof(a)));
	json_ku64(j, "port", s->port);
}

void json_backend(struct json *j, const struct mg_backend *b,
		  uint32_t table_size, bool full)
{
	char a[ADDR_STRLEN];

	json_obj_begin(j);
	json_kstr(j, "addr", fmt_addr(&b->addr, a, sizeof(a)));
	if (b->has & BE_HAS_ID)
		json_ku64(j, "id", b->id);
	if (full || (b->has & BE_HAS_WEIGHT))
		json_ku64(j, "weight", b->weight);
	if (full || (b->has & BE_HAS_STATE))
		json_kstr(j, "state", state_name(b->state));
	if (full || (b->has & BE_HAS_SLOTS)) {
		json_ku64(j, "slots", b->slots);
		json_key(j, "share");
		json_fixed4(j, share(b->slots, table_size));
	}
	if (full || (b->has & BE_HAS_STATS)) {
		json_ku64(j, "packets", b->packets);
		json_ku64(j, "bytes", b->bytes);
	}
	json_obj_end(j);
}

/*
 * full: every key of the documented schema (show); otherwise only what the
 * message carried (monitor: a deletion has the key only).
 */
void json_service(struct json *j, const struct mg_service *s, bool full)
{
	json_obj_begin(j);
	json_service_key(j, s);
	if (full || (s->has & SVC_HAS_TABLE_SIZE))
		json_ku64(j, "table_size", s->table_size);
	if (full || (s->has & SVC_HAS_HASH))
		json_kstr(j, "hash", hash_name(s->hash));
	if (full || (s->has & SVC_HAS_FLAGS)) {
		if (s->flags & MAGLEV_SVC_F_GRE_KEY)
			json_ku64(j, "gre_key", s->gre_key);
		else
			json_knull(j, "gre_key");
		json_kbool(j, "gre_csum", s->flags & MAGLEV_SVC_F_GRE_CSUM);
	}
	if (full || (s->has & SVC_HAS_BACKENDS)) {
		json_key(j, "backends");
		json_arr_begin(j);
		for (size_t i = 0; i < s->nbe; i++)
			json_backend(j, &s->be[i], s->table_size, full);
		json_arr_end(j);
	}
	if (full || (s->has & SVC_HAS_STATS)) {
		json_ku64(j, "packets", s->packets);
		json_ku64(j, "bytes", s->bytes);
	}
	json_obj_end(j);
}

/* The settable part of a config in the grammar of "config set". */
void fmt_config_line(char *buf, size_t len, const struct mg_config *c)
{
	char seed[33], s4[ADDR_STRLEN], s6[ADDR_STRLEN];
	size_t n = 0;

	buf[0] = '\0';
#define APPEND(...) do { \
		int k_ = snprintf(buf + n, len - n, __VA_ARGS__); \
		if (k_ > 0) \
			n += (size_t)k_ < len - n ? (size_t)k_ : len - n - 1; \
	} while (0)
	if (c->has & CFG_HAS_SEED)
		APPEND(" seed %s", fmt_seed(c->seed, seed));
	if (c->has & CFG_HAS_SOURCE4)
		APPEND(" source %s", fmt_addr(&c->source4, s4, sizeof(s4)));
	if (c->has & CFG_HAS_SOURCE6)
		APPEND(" source6 %s", fmt_addr(&c->source6, s6, sizeof(s6)));
	if (c->has & CFG_HAS_TTL)
		APPEND(" ttl %u", c->ttl);
	if (c->has & CFG_HAS_TABLE_SIZE)
		APPEND(" table-size %u", c->table_size);
	if (c->has & CFG_HAS_HASH)
		APPEND(" hash %s", hash_name(c->hash));
	if (c->has & CFG_HAS_CONN_MAX)
		APPEND(" conn-max %u", c->conn_max);
	if (c->has & CFG_HAS_EXPIRE_NODEST)
		APPEND(" expire-nodest %s", nodest_name(c->expire_nodest));
	if ((c->has & CFG_HAS_PROBE_MASK) && !c->probe_mask)
		APPEND(" probe-mark off");
	else if (c->has & CFG_HAS_PROBE_MASK)
		APPEND(" probe-mark %#x/%#x", c->probe_mark, c->probe_mask);
	else if (c->has & CFG_HAS_PROBE_MARK)
		APPEND(" probe-mark %#x", c->probe_mark);
	if (c->has & CFG_HAS_ICMP)
		APPEND(" icmp %s", c->icmp ? "on" : "off");
	for (int t = 1; t < MG_NTIMEOUTS; t++)
		if ((c->has & CFG_HAS_TIMEOUTS) && (c->timeout_has & (1U << t)) &&
		    timeout_kw(t))
			APPEND(" %s %u", timeout_kw(t), c->timeout[t]);
	if (c->has & CFG_HAS_FRAG_MAX)
		APPEND(" frag-max %u", c->frag_max);
	if (c->has & CFG_HAS_FRAG_HOLD)
		APPEND(" frag-hold %u", c->frag_hold);
	if (c->has & CFG_HAS_FRAG_HOLD_BYTES)
		APPEND(" frag-hold-bytes %u", c->frag_hold_bytes);
	if (c->has & CFG_HAS_FRAG_TIMEOUT)
		APPEND(" frag-timeout %u", c->frag_timeout);
	if (c->has & CFG_HAS_POOL) {
		APPEND(" pool");
		if (!c->npool)
			APPEND(" none");
		for (unsigned int i = 0; i < c->npool; i++)
			APPEND(" %s", fmt_addr(&c->pool[i], s4, sizeof(s4)));
	}
#undef APPEND
}

void print_config_text(FILE *f, const struct mg_config *c)
{
	char seed[33], a[ADDR_STRLEN];

	fprintf(f, "%-17s %s\n", "seed", c->has & CFG_HAS_SEED ?
		fmt_seed(c->seed, seed) : "(hidden: needs CAP_NET_ADMIN)");
	fprintf(f, "%-17s %s\n", "source", fmt_addr(&c->source4, a, sizeof(a)));
	fprintf(f, "%-17s %s\n", "source6", fmt_addr(&c->source6, a, sizeof(a)));
	fprintf(f, "%-17s %u%s\n", "ttl", c->ttl,
		c->ttl ? "" : " (route default)");
	fprintf(f, "%-17s %u\n", "table-size", c->table_size);
	fprintf(f, "%-17s %s\n", "hash", hash_name(c->hash));
	fprintf(f, "%-17s %u\n", "max-services", c->max_services);
	fprintf(f, "%-17s %u\n", "max-backends", c->max_backends);
	fprintf(f, "%-17s %u\n", "max-table-size", c->max_table_size);
	if (c->has & CFG_HAS_CONN_MAX)
		fprintf(f, "%-17s %u\n", "conn-max", c->conn_max);
	if (c->has & CFG_HAS_EXPIRE_NODEST)
		fprintf(f, "%-17s %s\n", "expire-nodest",
			nodest_name(c->expire_nodest));
	if ((c->has & CFG_HAS_PROBE_MASK) && c->probe_mask)
		fprintf(f, "%-17s %#x/%#x\n", "probe-mark", c->probe_mark,
			c->probe_mask);
	else if (c->has & CFG_HAS_PROBE_MASK)
		fprintf(f, "%-17s off\n", "probe-mark");
	if (c->has & CFG_HAS_ICMP)
		fprintf(f, "%-17s %s\n", "icmp", c->icmp ? "on" : "off");
	for (int t = 1; t < MG_NTIMEOUTS; t++)
		if ((c->timeout_has & (1U << t)) && timeout_kw(t))
			fprintf(f, "%-17s %u\n", timeout_kw(t), c->timeout[t]);
	if (c->has & CFG_HAS_FRAG_MAX)
		fprintf(f, "%-17s %u\n", "frag-max", c->frag_max);
	if (c->has & CFG_HAS_FRAG_HOLD)
		fprintf(f, "%-17s %u\n", "frag-hold", c->frag_hold);
	if (c->has & CFG_HAS_FRAG_HOLD_BYTES)
		fprintf(f, "%-17s %u\n", "frag-hold-bytes", c->frag_hold_bytes);
	if (c->has & CFG_HAS_FRAG_TIMEOUT)
		fprintf(f, "%-17s %u\n", "frag-timeout", c->frag_timeout);
	if (c->has & CFG_HAS_POOL) {
		fprintf(f, "%-17s", "pool");
		if (!c->npool)
			fprintf(f, " none");
		for (unsigned int i = 0; i < c->npool; i++)
			fprintf(f, " %s", fmt_addr(&c->pool[i], a, sizeof(a)));
		fprintf(f, "\n");
	}
}

static void json_addr_or_null(struct json *j, const char *key,
			      const struct mg_addr *a)
{
	char buf[ADDR_STRLEN];

	if (a->family)
		json_kstr(j, key, fmt_addr(a, buf, sizeof(buf)));
	else
		json_knull(j, key);
}

void json_config(struct json *j, const struct mg_config *c)
{
	char seed[33];

	json_obj_begin(j);
	/* null: not shown without CAP_NET_ADMIN */
	if (c->has & CFG_HAS_SEED)
		json_kstr(j, "seed", fmt_seed(c->seed, seed));
	else
		json_knull(j, "seed");
	/* an absent source is "none" */
	json_addr_or_null(j, "source", &c->source4);
	json_addr_or_null(j, "source6", &c->source6);
	if (c->has & CFG_HAS_TTL)
		json_ku64(j, "ttl", c->ttl);
	if (c->has & CFG_HAS_TABLE_SIZE)
		json_ku64(j, "table_size", c->table_size);
	if (c->has & CFG_HAS_HASH)
		json_kstr(j, "hash", hash_name(c->hash));
	if (c->has & CFG_HAS_MAX_SERVICES)
		json_ku64(j, "max_services", c->max_services);
	if (c->has & CFG_HAS_MAX_BACKENDS)
		json_ku64(j, "max_backends", c->max_backends);
	if (c->has & CFG_HAS_MAX_TABLE_SIZE)
		json_ku64(j, "max_table_size", c->max_table_size);
	if (c->has & CFG_HAS_CONN_MAX)
		json_ku64(j, "conn_max", c->conn_max);
	if (c->has & CFG_HAS_EXPIRE_NODEST)
		json_kstr(j, "expire_nodest", nodest_name(c->expire_nodest));
	if (c->has & CFG_HAS_PROBE_MARK)
		json_ku64(j, "probe_mark", c->probe_mark);
	if (c->has & CFG_HAS_PROBE_MASK)
		json_ku64(j, "probe_mask", c->probe_mask);
	if (c->has & CFG_HAS_ICMP)
		json_kbool(j, "icmp", c->icmp);
	if (c->has & CFG_HAS_TIMEOUTS) {
		json_key(j, "timeouts");
		json_obj_begin(j);
		for (int t = 1; t < MG_NTIMEOUTS; t++)
			if ((c->timeout_has & (1U << t)) && timeout_json(t))
				json_ku64(j, timeout_json(t), c->timeout[t]);
		json_obj_end(j);
	}
	if (c->has & CFG_HAS_FRAG_MAX)
		json_ku64(j, "frag_max", c->frag_max);
	if (c->has & CFG_HAS_FRAG_HOLD)
		json_ku64(j, "frag_hold", c->frag_hold);
	if (c->has & CFG_HAS_FRAG_HOLD_BYTES)
		json_ku64(j, "frag_hold_bytes", c->frag_hold_bytes);
	if (c->has & CFG_HAS_FRAG_TIMEOUT)
		json_ku64(j, "frag_timeout", c->frag_timeout);
	if (c->has & CFG_HAS_POOL) {
		char buf[ADDR_STRLEN];

		json_key(j, "pool");
		json_arr_begin(j);
		for (unsigned int i = 0; i < c->npool; i++)
			json_str(j, fmt_addr(&c->pool[i], buf, sizeof(buf)));
		json_arr_end(j);
	}
	json_obj_end(j);
}

/* Indexed by MAGLEV_STATS_A_*: text and JSON names; unknown ones skipped. */
static const char *const stat_names[MG_NSTATS][2] = {
	[MAGLEV_STATS_A_PACKETS] = { "packets", "packets" },
	[MAGLEV_STATS_A_BYTES] = { "bytes", "bytes" },
	[MAGLEV_STATS_A_FRAGMENTS] = { "fragments", "fragments" },
	[MAGLEV_STATS_A_MALFORMED] = { "malformed", "malformed" },
	[MAGLEV_STATS_A_DROP_NO_BACKEND] = { "drop-no-backend", "drop_no_backend" },
	[MAGLEV_STATS_A_DROP_NO_ROUTE] = { "drop-no-route", "drop_no_route" },
	[MAGLEV_STATS_A_DROP_TOO_BIG] = { "drop-too-big", "drop_too_big" },
	[MAGLEV_STATS_A_DROP_ENCAP] = { "drop-encap", "drop_encap" },
	[MAGLEV_STATS_A_DROP_XMIT] = { "drop-xmit", "drop_xmit" },
	[MAGLEV_STATS_A_DROP_NODEST] = { "drop-nodest", "drop_nodest" },
	[MAGLEV_STATS_A_ICMP_FWD_CONN] = { "icmp-fwd-conn", "icmp_fwd_conn" },
	[MAGLEV_STATS_A_ICMP_FWD_TABLE] = { "icmp-fwd-table", "icmp_fwd_table" },
	[MAGLEV_STATS_A_ICMP_DROP_FRAG] = { "icmp-drop-frag", "icmp_drop_frag" },
	[MAGLEV_STATS_A_ICMP_DROP_CSUM] = { "icmp-drop-csum", "icmp_drop_csum" },
	[MAGLEV_STATS_A_ICMP_DROP_SOURCE] = { "icmp-drop-source", "icmp_drop_source" },
	[MAGLEV_STATS_A_ICMP_DROP_NO_SERVICE] = { "icmp-drop-no-service", "icmp_drop_no_service" },
	[MAGLEV_STATS_A_ICMP_DROP_INNER_FRAG] = { "icmp-drop-inner-frag", "icmp_drop_inner_frag" },
	[MAGLEV_STATS_A_ICMP_DROP_MALFORMED] = { "icmp-drop-malformed", "icmp_drop_malformed" },
	[MAGLEV_STATS_A_ICMP_ECHO] = { "icmp-echo", "icmp_echo" },
	[MAGLEV_STATS_A_ICMP_PMTU] = { "icmp-pmtu", "icmp_pmtu" },
	[MAGLEV_STATS_A_FRAG_FIRST] = { "frag-first", "frag_first" },
	[MAGLEV_STATS_A_FRAG_FOLLOWED] = { "frag-followed", "frag_followed" },
	[MAGLEV_STATS_A_FRAG_HELD] = { "frag-held", "frag_held" },
	[MAGLEV_STATS_A_FRAG_FLUSHED] = { "frag-flushed", "frag_flushed" },
	[MAGLEV_STATS_A_FRAG_EXPIRED] = { "frag-expired", "frag_expired" },
	[MAGLEV_STATS_A_FRAG_POISONED] = { "frag-poisoned", "frag_poisoned" },
	[MAGLEV_STATS_A_FRAG_TABLE_FULL] = { "frag-table-full", "frag_table_full" },
	[MAGLEV_STATS_A_FRAG_DROP] = { "frag-drop", "frag_drop" },
	[MAGLEV_STATS_A_FRAG_REDIRECT_OUT] = { "frag-redirect-out", "frag_redirect_out" },
	[MAGLEV_STATS_A_FRAG_REDIRECT_IN] = { "frag-redirect-in", "frag_redirect_in" },
	[MAGLEV_STATS_A_PROBE_PACKETS] = { "probe-packets", "probe_packets" },
	[MAGLEV_STATS_A_PROBE_BYTES] = { "probe-bytes", "probe_bytes" },
	[MAGLEV_STATS_A_PROBE_DROP_NO_BACKEND] = { "probe-drop-no-backend", "probe_drop_no_backend" },
};

static const char *const conn_stat_names[MG_NCONNSTATS][2] = {
	[MAGLEV_CONN_STATS_A_ENTRIES] = { "conn-entries", "entries" },
	[MAGLEV_CONN_STATS_A_LIMIT] = { "conn-limit", "limit" },
	[MAGLEV_CONN_STATS_A_INSERTS] = { "conn-inserts", "inserts" },
	[MAGLEV_CONN_STATS_A_HITS] = { "conn-hits", "hits" },
	[MAGLEV_CONN_STATS_A_MISSES] = { "conn-misses", "misses" },
	[MAGLEV_CONN_STATS_A_EXPIRIES] = { "conn-expiries", "expiries" },
	[MAGLEV_CONN_STATS_A_EVICTIONS] = { "conn-evictions", "evictions" },
	[MAGLEV_CONN_STATS_A_FULL] = { "conn-full", "full" },
	[MAGLEV_CONN_STATS_A_NOMEM] = { "conn-nomem", "nomem" },
};

const char *stat_name(int attr, bool json)
{
	return attr > 0 && attr < MG_NSTATS ? stat_names[attr][json] : NULL;
}

const char *conn_stat_name(int attr, bool json)
{
	return attr > 0 && attr < MG_NCONNSTATS ? conn_stat_names[attr][json] :
		NULL;
}

void print_stats_text(FILE *f, const uint64_t v[MG_NSTATS],
		      const struct mg_conn_stats *cs)
{
	for (int i = MAGLEV_STATS_A_PACKETS; i < MG_NSTATS; i++)
		if (stat_names[i][0])
			fprintf(f, "%-20s %llu\n", stat_names[i][0],
				(unsigned long long)v[i]);
	if (!cs || !cs->present)
		return;
	for (int i = MAGLEV_CONN_STATS_A_ENTRIES; i < MG_NCONNSTATS; i++)
		if (conn_stat_names[i][0])
			fprintf(f, "%-20s %llu\n", conn_stat_names[i][0],
				(unsigned long long)cs->v[i]);
}

void json_stats(struct json *j, const uint64_t v[MG_NSTATS],
		const struct mg_conn_stats *cs)
{
	json_obj_begin(j);
	for (int i = MAGLEV_STATS_A_PACKETS; i < MG_NSTATS; i++)
		if (stat_names[i][1])
			json_ku64(j, stat_names[i][1], v[i]);
	if (cs && cs->present) {
		json_key(j, "conn");
		json_obj_begin(j);
		for (int i = MAGLEV_CONN_STATS_A_ENTRIES; i < MG_NCONNSTATS; i++)
			if (conn_stat_names[i][1])
				json_ku64(j, conn_stat_names[i][1], cs->v[i]);
		json_obj_end(j);
	}
	json_obj_end(j);
}
