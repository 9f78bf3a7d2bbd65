// SPDX-License-Identifier: GPL-2.0
/*
 * maglevd: talking to the kernel through libmaglev.  Writes are whole
 * services (MAGLEV_CMD_SERVICE_REPLACE: atomic, backends that stay keep
 * their counters) when the file changes, and single backend states
 * (MAGLEV_CMD_BACKEND_SET) when health changes.  kernel_check() reads
 * everything back each health interval: forwarder health, backend ids for
 * tunnelled probes, and drift (changes made beside us with maglevctl).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>

#include "maglevd.h"

int kernel_open(struct daemon *d)
{
	int err;

	if (d->ctl_open)
		return 0;
	err = ctl_try_open(&d->ctl);
	if (err < 0) {
		snprintf(d->unhealthy_why, sizeof(d->unhealthy_why), "%s",
			 d->ctl.last.msg);
		return err;
	}
	d->ctl_open = true;
	d->ns_stale = true;
	return 0;
}

static void kernel_lost(struct daemon *d)
{
	if (d->ctl_open)
		ctl_close(&d->ctl);
	d->ctl_open = false;
}

/* Runs r; on a kernel error logs it (naming the file's word) and returns
 * the negative errno. */
static int run(struct daemon *d, struct mg_req *r, mg_reply_fn fn, void *arg)
{
	int err;

	if (r->err) {
		req_free(r);
		return -EMSGSIZE;
	}
	err = ctl_transact(&d->ctl, r, fn, arg);
	if (err) {
		report_file = d->conf->file;
		report_error(&d->ctl, r, err);
		if (err == -EIO || err == -ENOENT)
			kernel_lost(d);
	}
	req_free(r);
	return err;
}

static int on_config(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)nlh;
	if (tb[MAGLEV_A_CONFIG] && decode_config(tb[MAGLEV_A_CONFIG], arg) < 0)
		return -EPROTO;
	return 0;
}

static int get_config(struct daemon *d, struct mg_config *k)
{
	struct mg_req r;

	memset(k, 0, sizeof(*k));
	if (kernel_open(d) < 0)
		return -ENOENT;
	if (req_init(&r, d->ctl.family, MAGLEV_CMD_CONFIG_GET, 0, 0) < 0)
		return -ENOMEM;
	return run(d, &r, on_config, k);
}

/* Which configured namespace settings the kernel does not have. */
static unsigned int ns_differs(const struct mg_config *w,
			       const struct mg_config *k)
{
	unsigned int diff = 0;

	if ((w->has & CFG_HAS_SEED) && memcmp(w->seed, k->seed, 16))
		diff |= CFG_HAS_SEED;
	if ((w->has & CFG_HAS_SOURCE4) && addr_cmp(&w->source4, &k->source4))
		diff |= CFG_HAS_SOURCE4;
	if ((w->has & CFG_HAS_SOURCE6) && addr_cmp(&w->source6, &k->source6))
		diff |= CFG_HAS_SOURCE6;
	if ((w->has & CFG_HAS_TTL) && w->ttl != k->ttl)
		diff |= CFG_HAS_TTL;
	if ((w->has & CFG_HAS_TABLE_SIZE) && w->table_size != k->table_size)
		diff |= CFG_HAS_TABLE_SIZE;
	if ((w->has & CFG_HAS_HASH) && w->hash != k->hash)
		diff |= CFG_HAS_HASH;
	if ((w->has & CFG_HAS_CONN_MAX) && w->conn_max != k->conn_max)
		diff |= CFG_HAS_CONN_MAX;
	if ((w->has & CFG_HAS_EXPIRE_NODEST) &&
	    w->expire_nodest != k->expire_nodest)
		diff |= CFG_HAS_EXPIRE_NODEST;
	for (int t = 1; t < MG_NTIMEOUTS; t++)
		if ((w->timeout_has & (1U << t)) && w->timeout[t] != k->timeout[t])
			diff |= CFG_HAS_TIMEOUTS;
	if ((w->has & CFG_HAS_PROBE) &&
	    (!(k->has & CFG_HAS_PROBE) || w->probe_mark != k->probe_mark ||
	     w->probe_mask != k->probe_mask))
		diff |= CFG_HAS_PROBE;
	return diff;
}

/* Sets the namespace settings the file gives, if the kernel differs. */
int kernel_ns_apply(struct daemon *d, const struct conf *old)
{
	struct mg_config k;
	struct mg_req r;
	int err;

	(void)old;
	if (!d->conf->ns.has)
		return 0;
	err = get_config(d, &k);
	if (err)
		return err;
	if (!ns_differs(&d->conf->ns, &k))
		return 0;
	if (req_init(&r, d->ctl.family, MAGLEV_CMD_CONFIG_SET, 0, 0) < 0)
		return -ENOMEM;
	put_config(&r, &d->conf->ns);
	err = run(d, &r, NULL, NULL);
	if (!err)
		logmsg(LOG_NOTICE, "namespace settings applied from %s",
		       d->conf->file);
	return err;
}

static uint8_t want_state(const struct rt_backend *b)
{
	return !b->cb->admin_down && b->healthy ? MAGLEV_BE_STATE_UP :
	       MAGLEV_BE_STATE_DOWN;
}

int kernel_service_replace(struct daemon *d, struct rt_service *s)
{
	struct mg_service svc = s->cs->svc;
	struct mg_req r;
	char name[80];
	int err;

	if (kernel_open(d) < 0)
		return -ENOENT;
	svc.be = calloc(s->nbe ? s->nbe : 1, sizeof(*svc.be));
	if (!svc.be)
		return -ENOMEM;
	svc.nbe = svc.cap = s->nbe;
	for (size_t i = 0; i < s->nbe; i++) {
		struct mg_backend *b = &svc.be[i];

		b->addr = s->be[i].cb->addr;
		b->weight = s->be[i].cb->weight;
		b->state = s->be[i].kknown ? s->be[i].kstate : want_state(&s->be[i]);
		b->has = BE_HAS_WEIGHT | BE_HAS_STATE;
	}
	err = req_init(&r, d->ctl.family, MAGLEV_CMD_SERVICE_REPLACE, 0,
		       128 + 64 * s->nbe);
	if (err < 0) {
		free(svc.be);
		return err;
	}
	put_service(&r, &svc, PUT_REPLACE);
	err = run(d, &r, NULL, NULL);
	if (!err) {
		s->exists = true;
		for (size_t i = 0; i < s->nbe; i++) {
			s->be[i].kstate = svc.be[i].state;
			s->be[i].kknown = true;
		}
		logmsg(LOG_NOTICE, "service %s: applied (%zu backends)",
		       svc_name(&svc, name, sizeof(name)), s->nbe);
	}
	free(svc.be);
	return err;
}

int kernel_service_del(struct daemon *d, const struct mg_service *s)
{
	struct mg_req r;
	char name[80];
	int err;

	if (kernel_open(d) < 0)
		return -ENOENT;
	if (req_init(&r, d->ctl.family, MAGLEV_CMD_SERVICE_DEL, 0, 0) < 0)
		return -ENOMEM;
	put_service(&r, s, PUT_KEY);
	err = run(d, &r, NULL, NULL);
	if (!err || err == -ENOENT)
		logmsg(LOG_NOTICE, "service %s: removed",
		       svc_name(s, name, sizeof(name)));
	return err;
}

int kernel_backend_state(struct daemon *d, struct rt_service *s,
			 struct rt_backend *b, uint8_t state)
{
	struct mg_backend kb = { .addr = b->cb->addr, .state = state,
				 .has = BE_HAS_STATE };
	struct mg_req r;
	int err;

	if (kernel_open(d) < 0)
		return -ENOENT;
	if (req_init(&r, d->ctl.family, MAGLEV_CMD_BACKEND_SET, 0, 0) < 0)
		return -ENOMEM;
	put_service(&r, &s->cs->svc, PUT_KEY);
	put_backend(&r, MAGLEV_A_BACKEND, &kb, false);
	err = run(d, &r, NULL, NULL);
	if (!err) {
		b->kstate = state;
		b->kknown = true;
	}
	return err;
}

int kernel_read_stats(struct daemon *d, struct mg_stats *st,
		      struct mg_service **svc, size_t *nsvc)
{
	struct mg_svc_list l = { 0 };
	struct mg_req r;
	int err;

	memset(st, 0, sizeof(*st));
	*svc = NULL;
	*nsvc = 0;
	if (kernel_open(d) < 0)
		return -ENOENT;
	if (req_init(&r, d->ctl.family, MAGLEV_CMD_STATS_GET, 0, 0) < 0)
		return -ENOMEM;
	err = run(d, &r, stats_reply, st);
	if (err)
		return err;
	if (req_init(&r, d->ctl.family, MAGLEV_CMD_SERVICE_GET, NLM_F_DUMP, 0) < 0)
		return -ENOMEM;
	err = run(d, &r, services_reply, &l);
	if (err) {
		services_free(l.v, l.n);
		return err;
	}
	services_sort(l.v, l.n);
	*svc = l.v;
	*nsvc = l.n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading back                                                        */

struct readback {
	struct daemon *d;
	bool *seen;		/* per rt_service */
	char extra[256];	/* a kernel service not in the file */
	/* per backend: seen in the kernel (flat, by service then backend) */
	bool **be_seen;
	char drift[1024];
};

static void note(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 3 >= len)
		return;
	if (n)
		buf[n++] = ';', buf[n++] = ' ', buf[n] = '\0';
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static int on_service(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct readback *rb = arg;
	struct daemon *d = rb->d;
	struct mg_service ks;
	char a[ADDR_STRLEN];
	size_t i;

	(void)nlh;
	if (!tb[MAGLEV_A_SERVICE])
		return 0;
	if (decode_service(tb[MAGLEV_A_SERVICE], &ks) < 0)
		return -EPROTO;
	for (i = 0; i < d->nsvc; i++)
		if (!service_key_cmp(&d->svc[i].cs->svc, &ks))
			break;
	if (i == d->nsvc) {
		if (!rb->extra[0])
			svc_name(&ks, rb->extra, sizeof(rb->extra));
		service_free(&ks);
		return 0;
	}
	if (!rb->seen[i]) {
		const struct mg_service *w = &d->svc[i].cs->svc;

		rb->seen[i] = true;
		d->svc[i].mismatch =
			((w->has & SVC_HAS_TABLE_SIZE) && w->table_size != ks.table_size) ||
			((w->has & SVC_HAS_HASH) && w->hash != ks.hash) ||
			(w->flags != (ks.flags & __MAGLEV_SVC_F_ALL)) ||
			((w->has & SVC_HAS_GRE_KEY) && w->gre_key != ks.gre_key);
	}
	/* a service's backends may span several messages: each adds up */
	for (size_t j = 0; j < ks.nbe; j++) {
		struct mg_backend *kb = &ks.be[j];
		struct rt_service *s = &d->svc[i];
		size_t k;

		for (k = 0; k < s->nbe; k++)
			if (!addr_cmp(&s->be[k].cb->addr, &kb->addr))
				break;
		if (k == s->nbe) {
			s->mismatch = true;
			note(rb->drift, sizeof(rb->drift),
			     "%s has backend %s not in the file",
			     svc_name(&ks, a, sizeof(a)),
			     fmt_addr(&kb->addr, a, sizeof(a)));
			continue;
		}
		rb->be_seen[i][k] = true;
		if (kb->has & BE_HAS_ID) {
			s->be[k].id = kb->id;
			s->be[k].has_id = true;
		}
		if (kb->weight != s->be[k].cb->weight)
			s->mismatch = true;
		if (kb->weight != s->be[k].cb->weight)
			note(rb->drift, sizeof(rb->drift),
			     "backend %s weight %u, file says %u",
			     fmt_addr(&kb->addr, a, sizeof(a)), kb->weight,
			     s->be[k].cb->weight);
		if (s->be[k].kknown && kb->state != s->be[k].kstate)
			note(rb->drift, sizeof(rb->drift),
			     "backend %s state %s, maglevd set %s",
			     fmt_addr(&kb->addr, a, sizeof(a)),
			     state_name(kb->state),
			     state_name(s->be[k].kstate));
		if (!s->be[k].kknown) {
			/* first read after start: the kernel's state is ours */
			s->be[k].kstate = kb->state;
			s->be[k].kknown = true;
		}
	}
	service_free(&ks);
	return 0;
}

static void set_health(struct daemon *d, bool ok, const char *why)
{
	if (ok != d->healthy || (!ok && strcmp(why, d->unhealthy_why))) {
		if (ok)
			logmsg(LOG_NOTICE, "forwarder healthy");
		else
			logmsg(LOG_WARNING, "forwarder unhealthy: %s", why);
		d->dirty = true;
	}
	d->healthy = ok;
	if (!ok && why != d->unhealthy_why)
		snprintf(d->unhealthy_why, sizeof(d->unhealthy_why), "%s", why);
}

void kernel_check(struct daemon *d)
{
	struct readback rb = { .d = d };
	struct mg_config k;
	struct mg_req r;
	char why[256] = "";
	int err;

	/* a module (re)loaded under us has a random seed: the file's
	 * namespace settings go first, whichever call (re)opened the
	 * connection (the module may appear between two of them) */
	if (kernel_open(d) == 0 && d->ns_stale && kernel_ns_apply(d, NULL) == 0)
		d->ns_stale = false;
	if (get_config(d, &k) < 0) {
		set_health(d, false, d->ctl_open ? "the module does not answer" :
			   d->unhealthy_why[0] ? d->unhealthy_why :
			   "no maglev module");
		kernel_lost(d);
		for (size_t i = 0; i < d->nsvc; i++) {
			d->svc[i].exists = false;
			for (size_t j = 0; j < d->svc[i].nbe; j++)
				d->svc[i].be[j].kknown = false;
		}
		return;
	}
	if ((d->conf->ns.has & CFG_HAS_SEED) &&
	    memcmp(d->conf->ns.seed, k.seed, 16))
		snprintf(why, sizeof(why), "the kernel's seed differs from %s",
			 d->conf->file);

	rb.seen = calloc(d->nsvc + 1, sizeof(*rb.seen));
	rb.be_seen = calloc(d->nsvc + 1, sizeof(*rb.be_seen));
	if (!rb.seen || !rb.be_seen)
		goto out;
	for (size_t i = 0; i < d->nsvc; i++) {
		rb.be_seen[i] = calloc(d->svc[i].nbe + 1, sizeof(bool));
		if (!rb.be_seen[i])
			goto out;
	}
	if (req_init(&r, d->ctl.family, MAGLEV_CMD_SERVICE_GET, NLM_F_DUMP, 0) < 0)
		goto out;
	err = run(d, &r, on_service, &rb);
	if (err) {
		set_health(d, false, "cannot read the services");
		goto out;
	}
	for (size_t i = 0; i < d->nsvc; i++) {
		struct rt_service *s = &d->svc[i];
		char name[80], drift[1024] = "";

		svc_name(&s->cs->svc, name, sizeof(name));
		if (!rb.seen[i]) {
			/* gone (a module reload, a flush): put it back with
			 * the states maglevd knows */
			if (s->exists || !why[0])
				logmsg(LOG_WARNING, "service %s: missing from the kernel, recreating",
				       name);
			s->exists = false;
			for (size_t j = 0; j < s->nbe; j++)
				s->be[j].kknown = false;
			if (kernel_service_replace(d, s) < 0 && !why[0])
				snprintf(why, sizeof(why), "service %s missing",
					 name);
			continue;
		}
		s->exists = true;
		for (size_t j = 0; j < s->nbe; j++) {
			char a[ADDR_STRLEN];

			if (!rb.be_seen[i][j])
				s->mismatch = true;
			if (!rb.be_seen[i][j])
				note(drift, sizeof(drift), "backend %s missing",
				     fmt_addr(&s->be[j].cb->addr, a, sizeof(a)));
		}
		(void)drift;
		if (drift[0])
			note(rb.drift, sizeof(rb.drift), "%s: %s", name, drift);
		/* tunnelled probes learn their backend's id */
		for (size_t j = 0; j < s->nbe; j++) {
			struct rt_backend *b = &s->be[j];

			for (size_t n = 0; n < b->npr; n++) {
				struct probe *p = b->pr[n];

				if (!p->tunnel || !b->has_id)
					continue;
				p->mark = probe_mark_for(d->conf->probe_mark,
							 d->conf->probe_mask,
							 b->id);
				p->mark_known = true;
			}
		}
	}
	if (rb.extra[0])
		note(rb.drift, sizeof(rb.drift),
		     "service %s is not in the file (left alone)", rb.extra);
	{
		static char last[1024];

		if (strcmp(last, rb.drift)) {
			if (rb.drift[0])
				logmsg(LOG_WARNING, "drift from %s: %s", d->conf->file,
				       rb.drift);
			else if (last[0])
				logmsg(LOG_NOTICE, "drift resolved");
			snprintf(last, sizeof(last), "%s", rb.drift);
		}
		d->svc_drift = last;
	}
	set_health(d, !why[0], why);
out:
	for (size_t i = 0; rb.be_seen && i < d->nsvc; i++)
		free(rb.be_seen[i]);
	free(rb.be_seen);
	free(rb.seen);
}
