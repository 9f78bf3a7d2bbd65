// SPDX-License-Identifier: GPL-2.0
/*
 * maglevctl: save, restore and monitor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "maglevctl.h"

/* ------------------------------------------------------------------ */
/* save                                                                */

static void print_backend_line(FILE *f, const struct mg_service *s,
			       const struct mg_backend *b, const char *verb)
{
	char ep[EP_STRLEN], a[ADDR_STRLEN];

	fprintf(f, "backend %s %s %s %s", verb, proto_name(s->proto),
		fmt_endpoint(&s->vip, s->port, ep, sizeof(ep)),
		fmt_addr(&b->addr, a, sizeof(a)));
	if (b->has & BE_HAS_WEIGHT)
		fprintf(f, " weight %u", b->weight);
	if (b->has & BE_HAS_STATE)
		fprintf(f, " state %s", state_name(b->state));
	fputc('\n', f);
}

int cmd_save(int argc, char **argv)
{
	char line[512], ep[EP_STRLEN];
	struct mg_service *v;
	struct mg_config cfg;
	struct mg_ctl c;
	size_t n;

	if (argc > 0) {
		mg_seterr("unexpected \"%s\"", argv[0]);
		return usage_error();
	}
	ctl_open(&c);
	get_config(&c, &cfg);
	get_services(&c, &v, &n);
	ctl_close(&c);

	if (!(cfg.has & CFG_HAS_SEED))
		fprintf(stderr, "maglevctl: warning: the seed is shown only with CAP_NET_ADMIN: saved without it\n");
	/* only what "config set" can set */
	cfg.has &= CFG_SETTABLE;
	/* an absent source is "none": restoring it clears the source */
	cfg.has |= CFG_HAS_SOURCE4 | CFG_HAS_SOURCE6;
	fmt_config_line(line, sizeof(line), &cfg);
	printf("config set%s\n", line);
	for (size_t i = 0; i < n; i++) {
		const struct mg_service *s = &v[i];

		fmt_service_settings(line, sizeof(line), s, false);
		printf("service add %s %s%s\n", proto_name(s->proto),
		       fmt_endpoint(&s->vip, s->port, ep, sizeof(ep)), line);
		for (size_t k = 0; k < s->nbe; k++)
			print_backend_line(stdout, s, &s->be[k], "add");
	}
	services_free(v, n);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "maglevctl: write error: %s\n", strerror(errno));
		return EXIT_KERNEL;
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* restore                                                             */

static int apply(struct mg_ctl *c, struct mg_req *r)
{
	int err = ctl_transact(c, r, NULL, NULL);
	int ret = err ? report_error(c, r, err) : EXIT_OK;

	req_free(r);
	return ret;
}

int cmd_restore(int argc, char **argv)
{
	const char *file = NULL;
	bool flush = false;
	struct mg_restore rs;
	struct mg_ctl c;
	struct mg_req r;
	FILE *in = stdin;
	int ret = EXIT_OK;
	size_t done = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--flush") || !strcmp(argv[i], "-f")) {
			flush = true;
		} else if (!file && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
			file = argv[i];
		} else {
			mg_seterr("unexpected \"%s\" (expected --flush or FILE)",
				  argv[i]);
			return usage_error();
		}
	}
	if (file && strcmp(file, "-")) {
		in = fopen(file, "r");
		if (!in) {
			fprintf(stderr, "maglevctl: %s: %s\n", file,
				strerror(errno));
			return EXIT_USAGE;
		}
		report_file = file;
	}
	/* the whole input first: nothing changes if any of it is wrong */
	if (parse_restore(in, report_file, &rs) < 0) {
		if (in != stdin)
			fclose(in);
		fprintf(stderr, "maglevctl: %s\n", mg_err);
		return EXIT_USAGE;
	}
	if (in != stdin)
		fclose(in);

	ctl_open(&c);
	if (rs.has_cfg) {
		if (req_init(&r, c.family, MAGLEV_CMD_CONFIG_SET, 0, 0) < 0)
			goto nomem;
		put_config(&r, &rs.cfg);
		ret = apply(&c, &r);
		if (ret)
			goto out;
	}

	/* A replace states every setting: fill what the file leaves out
	 * with the namespace's defaults, as "service add" would. */
	for (size_t i = 0; i < rs.nsvc; i++) {
		struct mg_service *s = &rs.svc[i];
		struct mg_config cfg;

		if ((s->has & (SVC_HAS_TABLE_SIZE | SVC_HAS_HASH)) ==
		    (SVC_HAS_TABLE_SIZE | SVC_HAS_HASH))
			continue;
		get_config(&c, &cfg);
		for (size_t k = i; k < rs.nsvc; k++) {
			s = &rs.svc[k];
			if (!(s->has & SVC_HAS_TABLE_SIZE) &&
			    (cfg.has & CFG_HAS_TABLE_SIZE)) {
				s->table_size = cfg.table_size;
				s->has |= SVC_HAS_TABLE_SIZE;
			}
			if (!(s->has & SVC_HAS_HASH) && (cfg.has & CFG_HAS_HASH)) {
				s->hash = cfg.hash;
				s->has |= SVC_HAS_HASH;
			}
		}
		break;
	}

	if (flush) {
		struct mg_service *v;
		size_t n;

		get_services(&c, &v, &n);
		for (size_t i = 0; i < n && !ret; i++) {
			bool keep = false;

			for (size_t k = 0; k < rs.nsvc && !keep; k++)
				keep = !service_key_cmp(&v[i], &rs.svc[k]);
			if (keep)
				continue;
			if (req_init(&r, c.family, MAGLEV_CMD_SERVICE_DEL, 0,
				     0) < 0) {
				services_free(v, n);
				goto nomem;
			}
			put_service(&r, &v[i], PUT_KEY);
			ret = apply(&c, &r);
		}
		services_free(v, n);
		if (ret)
			goto out;
	}

	for (size_t i = 0; i < rs.nsvc; i++) {
		struct mg_service *s = &rs.svc[i];

		if (req_init(&r, c.family, MAGLEV_CMD_SERVICE_REPLACE, 0,
			     1024 + 64 * s->nbe) < 0)
			goto nomem;
		put_service(&r, s, PUT_REPLACE);
		ret = apply(&c, &r);
		if (ret) {
			fprintf(stderr, "maglevctl: restore stopped at %s line %d: %zu of %zu services applied\n",
				report_file, s->line, done, rs.nsvc);
			goto out;
		}
		done++;
	}
out:
	ctl_close(&c);
	restore_free(&rs);
	return ret;
nomem:
	fprintf(stderr, "maglevctl: out of memory\n");
	ret = EXIT_KERNEL;
	goto out;
}

/* ------------------------------------------------------------------ */
/* monitor                                                             */

static const char *const event_names[][2] = {
	[MAGLEV_CMD_SERVICE_NEW] = { "service add", "service_add" },
	[MAGLEV_CMD_SERVICE_SET] = { "service set", "service_set" },
	[MAGLEV_CMD_SERVICE_DEL] = { "service del", "service_del" },
	[MAGLEV_CMD_SERVICE_REPLACE] = { "service replace", "service_replace" },
	[MAGLEV_CMD_BACKEND_NEW] = { "backend add", "backend_add" },
	[MAGLEV_CMD_BACKEND_SET] = { "backend set", "backend_set" },
	[MAGLEV_CMD_BACKEND_DEL] = { "backend del", "backend_del" },
	[MAGLEV_CMD_CONFIG_SET] = { "config set", "config_set" },
	[MAGLEV_CMD_STATS_ZERO] = { "stats zero", "stats_zero" },
	[MAGLEV_CMD_FLUSH] = { "flush", "flush" },
	[MAGLEV_CMD_CONN_FLUSH] = { "conn flush", "conn_flush" },
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[MAGLEV_A_MAX + 1];
	char ev[32], line[512], ep[EP_STRLEN], a[ADDR_STRLEN];
	const char *name = NULL, *jname = NULL;
	struct mg_service s = { 0 };
	struct mg_backend b = { 0 };
	struct mg_config cfg = { 0 };
	bool has_s = false, has_b = false, has_c = false;

	(void)arg;
	if (parse_top(nlh, tb) < 0) {
		fprintf(stderr, "maglevctl: malformed event\n");
		return NL_SKIP;
	}
	if (gh->cmd < sizeof(event_names) / sizeof(event_names[0]) &&
	    event_names[gh->cmd][0]) {
		name = event_names[gh->cmd][0];
		jname = event_names[gh->cmd][1];
	} else {
		snprintf(ev, sizeof(ev), "event %u", gh->cmd);
		name = jname = ev;
	}
	if (tb[MAGLEV_A_SERVICE] &&
	    decode_service(tb[MAGLEV_A_SERVICE], &s) == 0)
		has_s = true;
	if (tb[MAGLEV_A_BACKEND] &&
	    decode_backend(tb[MAGLEV_A_BACKEND], &b) == 0)
		has_b = true;
	/* a deletion names the object: print it as "... del" takes it;
	 * JSON keeps the deleted backend's last weight and state */
	if (gh->cmd == MAGLEV_CMD_BACKEND_DEL && !opts.json)
		b.has = 0;
	if (gh->cmd == MAGLEV_CMD_SERVICE_DEL) {
		service_free(&s);
		s.has = 0;
	}
	if (tb[MAGLEV_A_CONFIG] && decode_config(tb[MAGLEV_A_CONFIG], &cfg) == 0)
		has_c = true;
	service_sort_backends(&s);

	if (opts.json) {
		struct json j;

		json_init(&j, stdout, false);
		json_obj_begin(&j);
		json_kstr(&j, "event", jname);
		if (has_s) {
			json_key(&j, "service");
			json_service(&j, &s, false);
		}
		if (has_b) {
			json_key(&j, "backend");
			json_backend(&j, &b, s.table_size, false);
		}
		if (has_c) {
			json_key(&j, "config");
			json_config(&j, &cfg);
		}
		json_obj_end(&j);
		json_done(&j);
	} else {
		fputs(name, stdout);
		if (has_s) {
			fmt_service_settings(line, sizeof(line), &s,
					     gh->cmd != MAGLEV_CMD_SERVICE_SET);
			printf(" %s %s%s", proto_name(s.proto),
			       fmt_endpoint(&s.vip, s.port, ep, sizeof(ep)),
			       has_b ? "" : line);
			if (!has_b && (s.has & SVC_HAS_BACKENDS)) {
				printf(" backends");
				for (size_t i = 0; i < s.nbe; i++)
					printf("%s%s", i ? "," : " ",
					       fmt_addr(&s.be[i].addr, a,
							sizeof(a)));
				if (!s.nbe)
					printf(" none");
			}
		}
		if (has_b) {
			printf(" %s", fmt_addr(&b.addr, a, sizeof(a)));
			if (b.has & BE_HAS_WEIGHT)
				printf(" weight %u", b.weight);
			if (b.has & BE_HAS_STATE)
				printf(" state %s", state_name(b.state));
		}
		if (has_c) {
			fmt_config_line(line, sizeof(line), &cfg);
			fputs(line, stdout);
		}
		putchar('\n');
	}
	fflush(stdout);
	service_free(&s);
	return NL_OK;
}

int cmd_monitor(int argc, char **argv)
{
	struct mg_ctl c;
	int err;

	if (argc > 0) {
		mg_seterr("unexpected \"%s\"", argv[0]);
		return usage_error();
	}
	ctl_open(&c);
	if (ctl_mcast_group(&c, MAGLEV_MCGRP_CONFIG) < 0) {
		ctl_close(&c);
		return EXIT_NOFAMILY;
	}
	nl_socket_disable_seq_check(c.sk);
	nl_socket_modify_cb(c.sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	for (;;) {
		err = nl_recvmsgs_default(c.sk);
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the socket overflowed */
			fprintf(stderr, "maglevctl: events lost (receive buffer overrun)\n");
			continue;
		}
		if (err < 0 && err != -NLE_INTR && err != -NLE_AGAIN) {
			fprintf(stderr, "maglevctl: monitor: %s\n",
				nl_geterror(err));
			break;
		}
	}
	ctl_close(&c);
	return EXIT_KERNEL;
}
