// SPDX-License-Identifier: GPL-2.0
/*
 * maglevctl: service, backend, show, stats, lookup, table, config, flush.
 * Each command parses all of its words first (exit 2 on a bad one), then
 * talks to the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "maglevctl.h"

/* Send a request that expects only an ack; report and free. */
static int simple(struct mg_ctl *c, struct mg_req *r)
{
	int err = ctl_transact(c, r, NULL, NULL);
	int ret = err ? report_error(c, r, err) : EXIT_OK;

	req_free(r);
	ctl_close(c);
	return ret;
}

static int start(struct mg_ctl *c, struct mg_req *r, uint8_t cmd, int flags)
{
	ctl_open(c);
	if (req_init(r, c->family, cmd, flags, 0) < 0) {
		fprintf(stderr, "maglevctl: out of memory\n");
		ctl_close(c);
		return -1;
	}
	return 0;
}

static int no_args(int argc, char **argv)
{
	if (argc > 0) {
		mg_seterr("unexpected \"%s\"", argv[0]);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading services and the config                                     */

/*
 * One service (key given) or all of them; exits on errors.  Both are dumps:
 * the kernel answers SERVICE_GET only as a dump, filtered to one service
 * when the request carries a key (and then -ENOENT if there is none).  The
 * key is checked here too, should a kernel ignore the filter.
 */
static int fetch_services(struct mg_ctl *c, const struct mg_service *key,
			  struct mg_service **out, size_t *n)
{
	struct mg_svc_list l = { 0 };
	struct mg_req r;
	size_t k = 0;
	int err;

	if (req_init(&r, c->family, MAGLEV_CMD_SERVICE_GET, NLM_F_DUMP, 0) < 0)
		return -ENOMEM;
	if (key) {
		put_service(&r, key, PUT_KEY);
		r.fallback = &key->o_key;	/* the only word sent */
	}
	err = ctl_transact(c, &r, services_reply, &l);
	if (err) {
		int ret = report_error(c, &r, err);

		req_free(&r);
		services_free(l.v, l.n);
		ctl_close(c);
		exit(ret);
	}
	req_free(&r);
	if (key) {
		for (size_t i = 0; i < l.n; i++) {
			if (service_key_cmp(&l.v[i], key))
				service_free(&l.v[i]);
			else
				l.v[k++] = l.v[i];
		}
		l.n = k;
	}
	services_sort(l.v, l.n);
	*out = l.v;
	*n = l.n;
	return 0;
}

int get_services(struct mg_ctl *c, struct mg_service **out, size_t *n)
{
	return fetch_services(c, NULL, out, n);
}

static int on_config(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)nlh;
	if (tb[MAGLEV_A_CONFIG] && decode_config(tb[MAGLEV_A_CONFIG], arg) < 0)
		return -EPROTO;
	return 0;
}

int get_config(struct mg_ctl *c, struct mg_config *cfg)
{
	struct mg_req r;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	if (req_init(&r, c->family, MAGLEV_CMD_CONFIG_GET, 0, 0) < 0)
		return -ENOMEM;
	err = ctl_transact(c, &r, on_config, cfg);
	if (err) {
		int ret = report_error(c, &r, err);

		req_free(&r);
		ctl_close(c);
		exit(ret);
	}
	req_free(&r);
	return 0;
}

/* ------------------------------------------------------------------ */
/* service                                                             */

static int service_add(int argc, char **argv)
{
	struct mg_service s;
	struct mg_ctl c;
	struct mg_req r;

	if (parse_service_args(argc, argv, SVC_ADD, 0, &s) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_SERVICE_NEW, 0) < 0)
		return EXIT_KERNEL;
	put_service(&r, &s, PUT_SETTINGS);
	return simple(&c, &r);
}

static int service_set(int argc, char **argv)
{
	struct mg_service s;
	struct mg_ctl c;
	struct mg_req r;

	/* gre-key/gre-csum: FLAGS with FLAGS_MASK, which the kernel applies
	 * to the current flags atomically (no read-modify-write here). */
	if (parse_service_args(argc, argv, SVC_SET, 0, &s) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_SERVICE_SET, 0) < 0)
		return EXIT_KERNEL;
	put_service(&r, &s, PUT_SETTINGS);
	return simple(&c, &r);
}

static int service_del(int argc, char **argv)
{
	struct mg_service s;
	struct mg_ctl c;
	struct mg_req r;

	if (parse_service_args(argc, argv, SVC_DEL, 0, &s) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_SERVICE_DEL, 0) < 0)
		return EXIT_KERNEL;
	put_service(&r, &s, PUT_KEY);
	return simple(&c, &r);
}

static int service_show(int argc, char **argv)
{
	struct mg_service key, *v;
	struct mg_ctl c;
	struct json j;
	size_t n;

	if (parse_service_args(argc, argv, SVC_SHOW, 0, &key) < 0)
		return usage_error();
	ctl_open(&c);
	fetch_services(&c, argc ? &key : NULL, &v, &n);
	ctl_close(&c);
	if (opts.json) {
		json_init(&j, stdout, opts.pretty);
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++)
			json_service(&j, &v[i], true);
		json_arr_end(&j);
		json_done(&j);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (i)
				putchar('\n');
			print_service_text(stdout, &v[i]);
		}
	}
	services_free(v, n);
	return EXIT_OK;
}

static const struct mg_cmd service_cmds[] = {
	{ "add", service_add,
	  "service add PROTO VIP:PORT [table-size P] [hash H] [gre-key K] [gre-csum on|off]",
	  "create a service with no backends (H: 5tuple, src, src-dst, no-sport)", false },
	{ "set", service_set,
	  "service set PROTO VIP:PORT [table-size P] [hash H] [gre-key K|none] [gre-csum on|off]",
	  "change the given settings of a service", false },
	{ "del", service_del, "service del PROTO VIP:PORT",
	  "delete a service and its backends", false },
	{ "show", service_show, "service show [PROTO VIP:PORT]",
	  "every service (or one) with its backends", false },
	{ NULL, NULL, NULL, NULL, false },
};

int cmd_service(int argc, char **argv)
{
	return dispatch(service_cmds, "service", argc, argv, "show");
}

int cmd_show(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "help")) {
		print_cmd_help(stdout, &service_cmds[3]);
		return EXIT_OK;
	}
	return service_show(argc, argv);
}

/* ------------------------------------------------------------------ */
/* backend                                                             */

static int backend_cmd(int argc, char **argv, enum be_mode mode, uint8_t cmd)
{
	struct mg_service s;
	struct mg_backend b;
	struct mg_ctl c;
	struct mg_req r;

	if (parse_backend_args(argc, argv, mode, 0, &s, &b) < 0)
		return usage_error();
	if (start(&c, &r, cmd, 0) < 0)
		return EXIT_KERNEL;
	put_service(&r, &s, PUT_KEY);
	put_backend(&r, MAGLEV_A_BACKEND, &b, mode == BE_DEL);
	return simple(&c, &r);
}

static int backend_add(int argc, char **argv)
{
	return backend_cmd(argc, argv, BE_ADD, MAGLEV_CMD_BACKEND_NEW);
}

static int backend_set(int argc, char **argv)
{
	return backend_cmd(argc, argv, BE_SET, MAGLEV_CMD_BACKEND_SET);
}

static int backend_del(int argc, char **argv)
{
	return backend_cmd(argc, argv, BE_DEL, MAGLEV_CMD_BACKEND_DEL);
}

static const struct mg_cmd backend_cmds[] = {
	{ "add", backend_add,
	  "backend add PROTO VIP:PORT ADDR [weight W] [state up|down]",
	  "add a backend (weight 1 and up unless given; weight 0 drains)", false },
	{ "set", backend_set,
	  "backend set PROTO VIP:PORT ADDR [weight W] [state up|down]",
	  "change a backend's weight or state", false },
	{ "del", backend_del, "backend del PROTO VIP:PORT ADDR",
	  "remove a backend", false },
	{ NULL, NULL, NULL, NULL, false },
};

int cmd_backend(int argc, char **argv)
{
	return dispatch(backend_cmds, "backend", argc, argv, NULL);
}

/* ------------------------------------------------------------------ */
/* stats                                                               */

static int stats_show(int argc, char **argv)
{
	struct mg_stats v = { 0 };
	struct mg_service *svc = NULL;
	bool prom = false;
	struct mg_ctl c;
	struct mg_req r;
	struct json j;
	size_t n = 0;
	int err;

	if (argc > 0 && !strcmp(argv[0], "--prometheus")) {
		prom = true;
		argc--;
		argv++;
	}
	if (no_args(argc, argv) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_STATS_GET, 0) < 0)
		return EXIT_KERNEL;
	err = ctl_transact(&c, &r, stats_reply, &v);
	if (err) {
		err = report_error(&c, &r, err);
		req_free(&r);
		ctl_close(&c);
		return err;
	}
	req_free(&r);
	if (prom) {
		get_services(&c, &svc, &n);	/* exits on errors */
		ctl_close(&c);
		prom_write(stdout, v.v, &v.cs, svc, n);
		services_free(svc, n);
		return EXIT_OK;
	}
	ctl_close(&c);
	if (opts.json) {
		json_init(&j, stdout, opts.pretty);
		json_stats(&j, v.v, &v.cs);
		json_done(&j);
	} else {
		print_stats_text(stdout, v.v, &v.cs);
	}
	return EXIT_OK;
}

static int stats_zero(int argc, char **argv)
{
	struct mg_ctl c;
	struct mg_req r;

	if (no_args(argc, argv) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_STATS_ZERO, 0) < 0)
		return EXIT_KERNEL;
	return simple(&c, &r);
}

static const struct mg_cmd stats_cmds[] = {
	{ "show", stats_show, "stats [show] [--prometheus]",
	  "namespace counters: forwarded packets and bytes, passed fragments and malformed packets, drops by reason, connection table; --prometheus: those and every service's and backend's, in the Prometheus text format", false },
	{ "zero", stats_zero, "stats zero",
	  "zero the namespace, service and backend counters", false },
	{ NULL, NULL, NULL, NULL, false },
};

int cmd_stats(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "--prometheus"))
		return stats_show(argc, argv);
	return dispatch(stats_cmds, "stats", argc, argv, "show");
}

/* ------------------------------------------------------------------ */
/* lookup                                                              */

struct lookup_reply {
	bool has_reason, has_hash, has_slot, has_svc, has_be;
	uint8_t reason;
	uint32_t hash, slot;
	struct mg_service svc;
	struct mg_backend be;
};

static int on_lookup(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	static struct nla_policy pol[MAGLEV_LOOKUP_A_MAX + 1] = {
		[MAGLEV_LOOKUP_A_REASON] = { .type = NLA_U8 },
		[MAGLEV_LOOKUP_A_HASH] = { .type = NLA_U32 },
		[MAGLEV_LOOKUP_A_SLOT] = { .type = NLA_U32 },
	};
	struct nlattr *lt[MAGLEV_LOOKUP_A_MAX + 1];
	struct lookup_reply *l = arg;

	(void)nlh;
	if (tb[MAGLEV_A_LOOKUP]) {
		if (nla_parse_nested(lt, MAGLEV_LOOKUP_A_MAX,
				     tb[MAGLEV_A_LOOKUP], pol) < 0)
			return -EPROTO;
		if (lt[MAGLEV_LOOKUP_A_REASON]) {
			l->reason = nla_get_u8(lt[MAGLEV_LOOKUP_A_REASON]);
			l->has_reason = true;
		}
		if (lt[MAGLEV_LOOKUP_A_HASH]) {
			l->hash = nla_get_u32(lt[MAGLEV_LOOKUP_A_HASH]);
			l->has_hash = true;
		}
		if (lt[MAGLEV_LOOKUP_A_SLOT]) {
			l->slot = nla_get_u32(lt[MAGLEV_LOOKUP_A_SLOT]);
			l->has_slot = true;
		}
	}
	if (tb[MAGLEV_A_SERVICE]) {
		service_free(&l->svc);
		if (decode_service(tb[MAGLEV_A_SERVICE], &l->svc) < 0)
			return -EPROTO;
		l->has_svc = true;
	}
	if (tb[MAGLEV_A_BACKEND]) {
		if (decode_backend(tb[MAGLEV_A_BACKEND], &l->be) < 0)
			return -EPROTO;
		l->has_be = true;
	}
	return 0;
}

int cmd_lookup(int argc, char **argv)
{
	struct lookup_reply l = { 0 };
	char ep[EP_STRLEN], a[ADDR_STRLEN];
	struct mg_flow f;
	struct mg_ctl c;
	struct mg_req r;
	struct json j;
	int err;

	if (parse_lookup_args(argc, argv, &f) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_LOOKUP, 0) < 0)
		return EXIT_KERNEL;
	put_flow(&r, &f);
	err = ctl_transact(&c, &r, on_lookup, &l);
	if (err) {
		err = report_error(&c, &r, err);
		req_free(&r);
		ctl_close(&c);
		service_free(&l.svc);
		return err;
	}
	req_free(&r);
	ctl_close(&c);

	if (opts.json) {
		json_init(&j, stdout, opts.pretty);
		json_obj_begin(&j);
		if (l.has_reason)
			json_kstr(&j, "reason", reason_name(l.reason));
		else
			json_knull(&j, "reason");
		json_key(&j, "service");
		if (l.has_svc) {
			json_obj_begin(&j);
			json_service_key(&j, &l.svc);
			json_obj_end(&j);
		} else {
			json_null(&j);
		}
		json_key(&j, "backend");
		if (l.has_be) {
			json_obj_begin(&j);
			json_kstr(&j, "addr", fmt_addr(&l.be.addr, a, sizeof(a)));
			if (l.be.has & BE_HAS_WEIGHT)
				json_ku64(&j, "weight", l.be.weight);
			if (l.be.has & BE_HAS_STATE)
				json_kstr(&j, "state", state_name(l.be.state));
			json_obj_end(&j);
		} else {
			json_null(&j);
		}
		if (l.has_hash)
			json_ku64(&j, "hash", l.hash);
		else
			json_knull(&j, "hash");
		if (l.has_slot)
			json_ku64(&j, "slot", l.slot);
		else
			json_knull(&j, "slot");
		json_obj_end(&j);
		json_done(&j);
	} else {
		printf("%-8s %s\n", "reason",
		       l.has_reason ? reason_name(l.reason) : "-");
		if (l.has_svc)
			printf("%-8s %s %s\n", "service", proto_name(l.svc.proto),
			       fmt_endpoint(&l.svc.vip, l.svc.port, ep,
					    sizeof(ep)));
		else
			printf("%-8s -\n", "service");
		if (l.has_be) {
			printf("%-8s %s", "backend",
			       fmt_addr(&l.be.addr, a, sizeof(a)));
			if (l.be.has & BE_HAS_WEIGHT)
				printf(" weight %u", l.be.weight);
			if (l.be.has & BE_HAS_STATE)
				printf(" state %s", state_name(l.be.state));
			putchar('\n');
		} else {
			printf("%-8s -\n", "backend");
		}
		if (l.has_hash)
			printf("%-8s 0x%08x\n", "hash", l.hash);
		else
			printf("%-8s -\n", "hash");
		if (l.has_slot)
			printf("%-8s %u\n", "slot", l.slot);
		else
			printf("%-8s -\n", "slot");
	}
	service_free(&l.svc);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* table                                                               */

struct table_reply {
	struct mg_service svc;	/* key, TABLE_SIZE and the index map */
	bool has_svc;
	uint16_t *slots;
	uint32_t size;
	uint64_t got;		/* slots received */
	bool out_of_order;
};

static int on_table(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct table_reply *t = arg;
	uint32_t start, n;

	(void)nlh;
	if (tb[MAGLEV_A_SERVICE] && !t->has_svc) {
		if (decode_service(tb[MAGLEV_A_SERVICE], &t->svc) < 0)
			return -EPROTO;
		t->has_svc = true;
		t->size = t->svc.table_size;
		if (t->size > 64u * 1024 * 1024)
			return -EPROTO;
		t->slots = malloc((t->size ? t->size : 1) * sizeof(uint16_t));
		if (!t->slots)
			return -ENOMEM;
		for (uint32_t i = 0; i < t->size; i++)
			t->slots[i] = MAGLEV_SLOT_EMPTY;
	}
	if (tb[MAGLEV_A_BACKENDS]) {
		struct mg_service tmp = { 0 };

		if (decode_backends(tb[MAGLEV_A_BACKENDS], &tmp) < 0) {
			service_free(&tmp);
			return -EPROTO;
		}
		/* the index map may take several messages */
		for (size_t i = 0; i < tmp.nbe; i++) {
			struct mg_backend *b = service_add_backend(&t->svc);

			if (!b) {
				service_free(&tmp);
				return -ENOMEM;
			}
			*b = tmp.be[i];
		}
		service_free(&tmp);
	}
	if (tb[MAGLEV_A_TABLE_SLOTS]) {
		if (!t->slots || !tb[MAGLEV_A_TABLE_START])
			return -EPROTO;
		start = nla_get_u32(tb[MAGLEV_A_TABLE_START]);
		n = (uint32_t)nla_len(tb[MAGLEV_A_TABLE_SLOTS]) / 2;
		if (start > t->size || n > t->size - start)
			return -EPROTO;
		if (start != t->got)
			t->out_of_order = true;
		memcpy(t->slots + start, nla_data(tb[MAGLEV_A_TABLE_SLOTS]),
		       (size_t)n * 2);
		t->got += n;
	}
	return 0;
}

int cmd_table(int argc, char **argv)
{
	struct table_reply t = { 0 };
	char a[ADDR_STRLEN], ep[EP_STRLEN];
	const char **names = NULL;
	uint32_t *count = NULL, empty = 0;
	struct mg_service key;
	struct mg_ctl c;
	struct mg_req r;
	struct json j;
	int err, w = 7, ret = EXIT_OK;

	if (parse_service_args(argc, argv, SVC_DEL, 0, &key) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_TABLE_GET, NLM_F_DUMP) < 0)
		return EXIT_KERNEL;
	put_service(&r, &key, PUT_KEY);
	r.fallback = &key.o_key;
	err = ctl_transact(&c, &r, on_table, &t);
	if (err) {
		ret = report_error(&c, &r, err);
		goto out;
	}
	if (!t.has_svc || t.got != t.size) {
		fprintf(stderr, "maglevctl: incomplete table from the kernel (%llu of %u slots)\n",
			(unsigned long long)t.got, t.size);
		ret = EXIT_KERNEL;
		goto out;
	}
	if (t.out_of_order)
		fprintf(stderr, "maglevctl: warning: table slots arrived out of order\n");

	/* index -> backend, and each backend's share counted from the table */
	names = calloc(65536, sizeof(*names));
	count = calloc(t.svc.nbe + 1, sizeof(*count));
	if (!names || !count) {
		fprintf(stderr, "maglevctl: out of memory\n");
		ret = EXIT_KERNEL;
		goto out;
	}
	service_sort_backends(&t.svc);
	for (size_t i = 0; i < t.svc.nbe; i++) {
		char *s;

		fmt_addr(&t.svc.be[i].addr, a, sizeof(a));
		s = strdup(a);
		if (!s)
			continue;
		if ((int)strlen(s) > w)
			w = (int)strlen(s);
		if (t.svc.be[i].index < MAGLEV_SLOT_EMPTY &&
		    !names[t.svc.be[i].index])
			names[t.svc.be[i].index] = s;
		else
			free(s);
	}
	for (uint32_t i = 0; i < t.size; i++) {
		size_t k;

		if (t.slots[i] == MAGLEV_SLOT_EMPTY) {
			empty++;
			continue;
		}
		for (k = 0; k < t.svc.nbe; k++)
			if (t.svc.be[k].index == t.slots[i])
				break;
		count[k]++;	/* k == nbe: an index with no backend */
	}

	if (opts.json) {
		json_init(&j, stdout, opts.pretty);
		json_obj_begin(&j);
		json_service_key(&j, &key);
		json_ku64(&j, "table_size", t.size);
		json_key(&j, "backends");
		json_arr_begin(&j);
		for (size_t i = 0; i < t.svc.nbe; i++) {
			json_obj_begin(&j);
			json_kstr(&j, "addr",
				  fmt_addr(&t.svc.be[i].addr, a, sizeof(a)));
			json_ku64(&j, "index", t.svc.be[i].index);
			json_ku64(&j, "slots", count[i]);
			json_key(&j, "share");
			json_fixed4(&j, t.size ? (double)count[i] / t.size : 0);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_ku64(&j, "empty", empty);
		json_key(&j, "slots");
		json_arr_begin(&j);
		for (uint32_t i = 0; i < t.size; i++) {
			if (t.slots[i] == MAGLEV_SLOT_EMPTY)
				json_null(&j);
			else if (names[t.slots[i]])
				json_str(&j, names[t.slots[i]]);
			else
				json_u64(&j, t.slots[i]);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		json_done(&j);
	} else {
		printf("# service %s %s table-size %u\n", proto_name(key.proto),
		       fmt_endpoint(&key.vip, key.port, ep, sizeof(ep)),
		       t.size);
		printf("# %-*s %8s %7s\n", w, "backend", "slots", "share");
		for (size_t i = 0; i < t.svc.nbe; i++)
			printf("# %-*s %8u %6.2f%%\n", w,
			       fmt_addr(&t.svc.be[i].addr, a, sizeof(a)),
			       count[i], t.size ? 100.0 * count[i] / t.size : 0);
		if (empty)
			printf("# %-*s %8u %6.2f%%\n", w, "(empty)", empty,
			       100.0 * empty / t.size);
		if (count[t.svc.nbe])
			printf("# %-*s %8u\n", w, "(unknown)", count[t.svc.nbe]);
		for (uint32_t i = 0; i < t.size; i++) {
			if (t.slots[i] == MAGLEV_SLOT_EMPTY)
				printf("%u -\n", i);
			else if (names[t.slots[i]])
				printf("%u %s\n", i, names[t.slots[i]]);
			else
				printf("%u #%u\n", i, t.slots[i]);
		}
	}
out:
	if (names)
		for (size_t i = 0; i < 65536; i++)
			free((void *)names[i]);
	free(names);
	free(count);
	free(t.slots);
	service_free(&t.svc);
	req_free(&r);
	ctl_close(&c);
	return ret;
}

/* ------------------------------------------------------------------ */
/* config, flush                                                       */

static int config_show(int argc, char **argv)
{
	struct mg_config cfg;
	struct mg_ctl c;
	struct json j;

	if (no_args(argc, argv) < 0)
		return usage_error();
	ctl_open(&c);
	get_config(&c, &cfg);
	ctl_close(&c);
	if (opts.json) {
		json_init(&j, stdout, opts.pretty);
		json_config(&j, &cfg);
		json_done(&j);
	} else {
		print_config_text(stdout, &cfg);
	}
	return EXIT_OK;
}

static int config_set(int argc, char **argv)
{
	struct mg_config cfg;
	struct mg_ctl c;
	struct mg_req r;

	if (parse_config_args(argc, argv, 0, &cfg) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_CONFIG_SET, 0) < 0)
		return EXIT_KERNEL;
	put_config(&r, &cfg);
	return simple(&c, &r);
}

static const struct mg_cmd config_cmds[] = {
	{ "show", config_show, "config [show]",
	  "the namespace's settings and bounds", false },
	{ "set", config_set,
	  "config set [seed S|random] [source ADDR|none] [source6 ADDR|none] [ttl N] [table-size P] [hash H] [conn-max N] [expire-nodest drop|rehash] [icmp on|off] [probe-mark VALUE[/MASK]|off] [timeout STATE SECONDS] [frag-max N] [frag-hold N] [frag-hold-bytes N] [frag-timeout MS] [pool ADDR...|none]",
	  "change namespace settings (a new seed rebuilds every table)", false },
	{ NULL, NULL, NULL, NULL, false },
};

int cmd_config(int argc, char **argv)
{
	return dispatch(config_cmds, "config", argc, argv, "show");
}

int cmd_flush(int argc, char **argv)
{
	struct mg_ctl c;
	struct mg_req r;

	if (no_args(argc, argv) < 0)
		return usage_error();
	if (start(&c, &r, MAGLEV_CMD_FLUSH, 0) < 0)
		return EXIT_KERNEL;
	return simple(&c, &r);
}

/* ------------------------------------------------------------------ */
/* conn                                                                */

struct conn_out {
	struct json j;
	size_t n;
};

static int on_conn(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct conn_out *o = arg;
	char s[EP_STRLEN], d[EP_STRLEN], b[ADDR_STRLEN];
	struct mg_conn e;

	(void)nlh;
	if (!tb[MAGLEV_A_CONN])
		return 0;
	if (decode_conn(tb[MAGLEV_A_CONN], &e) < 0)
		return -EPROTO;
	o->n++;
	if (opts.json) {
		json_obj_begin(&o->j);
		json_kstr(&o->j, "proto", proto_name(e.flow.proto));
		json_kstr(&o->j, "saddr", fmt_addr(&e.flow.saddr, s, sizeof(s)));
		json_ku64(&o->j, "sport", e.flow.sport);
		json_kstr(&o->j, "daddr", fmt_addr(&e.flow.daddr, d, sizeof(d)));
		json_ku64(&o->j, "dport", e.flow.dport);
		if (e.backend.family)
			json_kstr(&o->j, "backend",
				  fmt_addr(&e.backend, b, sizeof(b)));
		else
			json_knull(&o->j, "backend");
		if (e.has_state)
			json_kstr(&o->j, "state", conn_state_name(e.state));
		else
			json_knull(&o->j, "state");
		json_ku64(&o->j, "expires_ms", e.expires_ms);
		json_kbool(&o->j, "confirmed", !e.unconfirmed);
		json_obj_end(&o->j);
	} else {
		printf("%-4s %-47s %-47s %-39s %-9s %u.%03u%s\n",
		       proto_name(e.flow.proto),
		       fmt_endpoint(&e.flow.saddr, e.flow.sport, s, sizeof(s)),
		       fmt_endpoint(&e.flow.daddr, e.flow.dport, d, sizeof(d)),
		       e.backend.family ? fmt_addr(&e.backend, b, sizeof(b)) : "-",
		       e.has_state ? conn_state_name(e.state) : "-",
		       e.expires_ms / 1000, e.expires_ms % 1000,
		       e.unconfirmed ? " unconfirmed" : "");
	}
	return 0;
}

static int conn_request(int argc, char **argv, uint8_t cmd, int flags,
			mg_reply_fn fn, void *arg, struct mg_ctl *c,
			struct mg_req *r)
{
	struct mg_service s;
	struct mg_backend b;
	int level, err, ret;

	if (parse_conn_args(argc, argv, &s, &b, &level) < 0)
		return usage_error();
	if (start(c, r, cmd, flags) < 0)
		return EXIT_KERNEL;
	if (level >= 1)
		put_service(r, &s, PUT_KEY);
	if (level >= 2)
		put_backend(r, MAGLEV_A_BACKEND, &b, true);
	if (r->err) {
		req_free(r);
		ctl_close(c);
		fprintf(stderr, "maglevctl: request too large\n");
		return EXIT_KERNEL;
	}
	/* sent here: the origins the request points at live in s and b */
	err = ctl_transact(c, r, fn, arg);
	ret = err ? report_error(c, r, err) : EXIT_OK;
	req_free(r);
	ctl_close(c);
	return ret;
}

static int conn_show(int argc, char **argv)
{
	struct conn_out o = { .n = 0 };
	struct mg_ctl c;
	struct mg_req r;
	int ret;

	if (opts.json) {
		json_init(&o.j, stdout, opts.pretty);
		json_arr_begin(&o.j);
	} else {
		printf("%-4s %-47s %-47s %-39s %-9s %s\n", "pro", "client",
		       "service", "backend", "state", "expires");
	}
	ret = conn_request(argc, argv, MAGLEV_CMD_CONN_GET, NLM_F_DUMP,
			   on_conn, &o, &c, &r);
	if (ret == EXIT_USAGE)
		return ret;
	if (opts.json) {
		/* closed even after an error: the exit status tells */
		json_arr_end(&o.j);
		json_done(&o.j);
	}
	return ret;
}

static int conn_flush(int argc, char **argv)
{
	struct mg_ctl c;
	struct mg_req r;

	return conn_request(argc, argv, MAGLEV_CMD_CONN_FLUSH, 0, NULL, NULL,
			    &c, &r);
}

static const struct mg_cmd conn_cmds[] = {
	{ "show", conn_show, "conn [show] [PROTO VIP:PORT [ADDR]]",
	  "connection table entries: every one, a service's or a backend's", false },
	{ "list", conn_show, "conn list [PROTO VIP:PORT [ADDR]]",
	  "the same as conn show", false },
	{ "stats", stats_show, "conn stats",
	  "the namespace counters, with the connection table's (as stats)", false },
	{ "flush", conn_flush, "conn flush [PROTO VIP:PORT [ADDR]]",
	  "forget connection table entries: every one, a service's or a backend's", false },
	{ NULL, NULL, NULL, NULL, false },
};

int cmd_conn(int argc, char **argv)
{
	/* "conn tcp ..." is "conn show tcp ..." */
	if (argc > 0 && strcmp(argv[0], "show") && strcmp(argv[0], "flush") &&
	    strcmp(argv[0], "list") && strcmp(argv[0], "stats") &&
	    strcmp(argv[0], "help")) {
		uint8_t p;

		if (parse_proto(argv[0], &p) == 0)
			return conn_show(argc, argv);
	}
	return dispatch(conn_cmds, "conn", argc, argv, "show");
}
