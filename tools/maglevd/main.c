// SPDX-License-Identifier: GPL-2.0
/*
 * maglevd: the event loop.  One epoll set: a signalfd (SIGHUP reload,
 * SIGTERM/SIGINT stop, SIGCHLD exec probes), one timerfd armed for the
 * earliest deadline (probe starts and timeouts, the forwarder health check,
 * the end of warm-up or of the drain delay, the watchdog), the status
 * socket, and the probes' sockets.  No threads.  Read it from run().
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "maglevd.h"

static bool journal;		/* stderr is the journal: <N> prefixes */
static bool stamps;		/* -t: wall-clock seconds on each line */

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void logmsg(int prio, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (journal) {
		fprintf(stderr, "<%d>%s\n", prio, msg);
	} else if (stamps) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "maglevd: [%lld.%03ld] %s\n", (long long)ts.tv_sec,
			ts.tv_nsec / 1000000, msg);
	} else
		fprintf(stderr, "maglevd: %s\n", msg);
}

int watch_add(struct daemon *d, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

void watch_mod(struct daemon *d, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	epoll_ctl(d->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void watch_del(struct daemon *d, struct watch *w)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

/* ------------------------------------------------------------------ */
/* sd_notify, by hand                                                  */

static void notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   len) < 0)
		(void)0;
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Runtime from a configuration                                        */

static char *probe_key(const struct conf *c, const struct conf_service *s,
		       const struct conf_backend *b, const struct check_def *k,
		       struct probe *tmpl)
{
	char a[ADDR_STRLEN], v[ADDR_STRLEN], *key;
	enum chk_mode m = check_mode(c, k);

	memset(tmpl, 0, sizeof(*tmpl));
	tmpl->chk = k;
	tmpl->be_addr = b->addr;
	tmpl->vip = s->svc.vip;
	tmpl->svc_port = s->svc.port;
	tmpl->port = k->port ? k->port : s->svc.port;
	tmpl->tunnel = m == MODE_TUNNEL;
	tmpl->addr = tmpl->tunnel ? s->svc.vip : b->addr;
	fmt_addr(&b->addr, a, sizeof(a));
	fmt_addr(&s->svc.vip, v, sizeof(v));
	/* a direct probe is the same whatever service asks for it; an exec
	 * one sees the service in its environment, a tunnelled one goes
	 * through the service */
	if (asprintf(&key, "%s|%s|%s|%u|%u|%s", k->sig,
		     k->type == CHK_EXEC ? "E" : tmpl->tunnel ? "T" : "D", a,
		     tmpl->port,
		     k->type == CHK_EXEC || tmpl->tunnel ? s->svc.port : 0,
		     k->type == CHK_EXEC || tmpl->tunnel ? v : "") < 0)
		return NULL;
	return key;
}

static struct probe *find_probe(struct probe **v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && !strcmp(v[i]->key, key))
			return v[i];
	return NULL;
}

static struct rt_backend *find_be(struct rt_service *v, size_t n,
				  const struct mg_service *key,
				  const struct mg_addr *a, struct rt_service **svc)
{
	for (size_t i = 0; i < n; i++) {
		if (service_key_cmp(&v[i].cs->svc, key))
			continue;
		if (svc)
			*svc = &v[i];
		for (size_t j = 0; j < v[i].nbe; j++)
			if (!addr_cmp(&v[i].be[j].cb->addr, a))
				return &v[i].be[j];
		return NULL;
	}
	if (svc)
		*svc = NULL;
	return NULL;
}

/*
 * Builds d's services, probes and VIPs for conf from the old ones: a probe
 * with the same key (check parameters and target) moves over with its
 * state; a backend that stays keeps its kernel state and id; a new probe
 * of a backend that stays starts from the backend's health, one of a new
 * backend starts down.
 */
static int build(struct daemon *d, struct conf *conf, struct rt_service *osvc,
		 size_t onsvc, struct probe **opr, size_t onpr, struct vip *ovip,
		 size_t onvip)
{
	size_t npr = 0, cappr = 16;
	struct probe **pr = calloc(cappr, sizeof(*pr));
	struct rt_service *svc = calloc(conf->nsvc + 1, sizeof(*svc));
	struct vip *vips = calloc(conf->nsvc + 1, sizeof(*vips));
	size_t nvips = 0;

	if (!pr || !svc || !vips)
		goto nomem;
	for (size_t i = 0; i < conf->nsvc; i++) {
		const struct conf_service *cs = &conf->svc[i];
		struct rt_service *s = &svc[i];
		struct rt_service *os = NULL;

		s->cs = cs;
		s->be = calloc(cs->nbe + 1, sizeof(*s->be));
		if (!s->be)
			goto nomem;
		s->nbe = cs->nbe;
		find_be(osvc, onsvc, &cs->svc, &cs->svc.vip, &os);
		if (os)
			s->exists = os->exists;
		for (size_t j = 0; j < cs->nbe; j++) {
			struct rt_backend *b = &s->be[j];
			struct rt_backend *ob = find_be(osvc, onsvc, &cs->svc,
							&cs->be[j].addr, NULL);

			b->cb = &cs->be[j];
			b->since_ms = now_ms();
			if (ob) {
				b->healthy = ob->healthy;
				b->health_known = ob->health_known;
				b->kstate = ob->kstate;
				b->kknown = ob->kknown;
				b->id = ob->id;
				b->has_id = ob->has_id;
				b->since_ms = ob->since_ms;
			}
			b->pr = calloc(cs->nchk + 1, sizeof(*b->pr));
			if (!b->pr)
				goto nomem;
			for (size_t k = 0; k < cs->nchk; k++) {
				struct probe tmpl, *p;
				char *key = probe_key(conf, cs, b->cb, cs->chk[k],
						      &tmpl);

				if (!key)
					goto nomem;
				p = find_probe(pr, npr, key);
				if (p) {
					free(key);
				} else if ((p = find_probe(opr, onpr, key))) {
					free(key);
					for (size_t n = 0; n < onpr; n++)
						if (opr[n] == p)
							opr[n] = NULL;
					p->chk = cs->chk[k];
				} else {
					p = malloc(sizeof(*p));
					if (!p) {
						free(key);
						goto nomem;
					}
					*p = tmpl;
					p->key = key;
					p->w.fd = -1;
					p->up = ob && ob->healthy;
					p->next_ms = now_ms() +
						(uint64_t)(random() % (p->chk->fast_ms < 1000 ?
								       p->chk->fast_ms : 1000));
				}
				if (npr == cappr) {
					struct probe **n = realloc(pr, 2 * cappr * sizeof(*n));

					if (!n)
						goto nomem;
					pr = n;
					cappr *= 2;
				}
				pr[npr++] = p;
				b->pr[b->npr++] = p;
			}
		}
		if (!cs->announce)
			continue;
		{
			size_t v;

			for (v = 0; v < nvips; v++)
				if (!addr_cmp(&vips[v].addr, &cs->svc.vip))
					break;
			if (v < nvips)
				continue;
			vips[nvips].addr = cs->svc.vip;
			memcpy(vips[nvips].dev, cs->dev, sizeof(cs->dev));
			vips[nvips].fd = -1;
			for (size_t o = 0; o < onvip; o++) {
				if (ovip[o].fd >= 0 && !strcmp(ovip[o].dev, cs->dev) &&
				    !addr_cmp(&ovip[o].addr, &cs->svc.vip)) {
					vips[nvips] = ovip[o];
					ovip[o].fd = -1;
				}
			}
			nvips++;
		}
	}
	/* dedup left shared probes listed several times: keep one entry */
	{
		size_t k = 0;

		for (size_t i = 0; i < npr; i++) {
			bool dup = false;

			for (size_t j = 0; j < k && !dup; j++)
				dup = pr[j] == pr[i];
			if (!dup)
				pr[k++] = pr[i];
		}
		npr = k;
	}
	d->svc = svc;
	d->nsvc = conf->nsvc;
	d->pr = pr;
	d->npr = npr;
	d->vips = vips;
	d->nvips = nvips;
	return 0;
nomem:
	logmsg(LOG_ERR, "out of memory");
	exit(1);
}

static void free_rt(struct daemon *d, struct rt_service *svc, size_t nsvc,
		    struct probe **pr, size_t npr, struct vip *vips,
		    size_t nvips)
{
	for (size_t i = 0; i < nsvc; i++) {
		for (size_t j = 0; j < svc[i].nbe; j++)
			free(svc[i].be[j].pr);
		free(svc[i].be);
	}
	free(svc);
	for (size_t i = 0; i < npr; i++) {
		if (!pr[i])
			continue;
		probe_stop(d, pr[i]);
		free(pr[i]->key);
		free(pr[i]);
	}
	free(pr);
	for (size_t i = 0; i < nvips; i++)
		vip_close(&vips[i]);
	free(vips);
}

/* ------------------------------------------------------------------ */
/* Decisions                                                           */

static unsigned int usable(const struct rt_service *s)
{
	unsigned int n = 0;

	for (size_t j = 0; j < s->nbe; j++)
		if (s->be[j].healthy && !s->be[j].cb->admin_down &&
		    s->be[j].cb->weight > 0)
			n++;
	return n;
}

static const char *why_down(const struct rt_backend *b)
{
	for (size_t i = 0; i < b->npr; i++)
		if (!b->pr[i]->up)
			return b->pr[i]->last;
	return "";
}

static void evaluate(struct daemon *d)
{
	char name[80], a[ADDR_STRLEN];

	d->dirty = false;
	for (size_t i = 0; i < d->nsvc; i++) {
		struct rt_service *s = &d->svc[i];

		svc_name(&s->cs->svc, name, sizeof(name));
		for (size_t j = 0; j < s->nbe; j++) {
			struct rt_backend *b = &s->be[j];
			bool h = true, logged = false;
			uint8_t want;

			for (size_t k = 0; k < b->npr; k++)
				h = h && b->pr[k]->up;
			if (h != b->healthy || !b->health_known) {
				logged = d->warm && b->health_known;
				if (logged)
					logmsg(LOG_NOTICE, "%s backend %s: %s -> %s%s%s",
					       name, fmt_addr(&b->cb->addr, a, sizeof(a)),
					       b->healthy ? "up" : "down",
					       h ? "up" : "down", h ? "" : ": ",
					       h ? "" : why_down(b));
				if (d->warm)
					b->health_known = true;
				b->healthy = h;
				b->since_ms = now_ms();
			}
			if (!d->warm || !s->exists || !d->ctl_open)
				continue;
			want = !b->cb->admin_down && b->healthy ?
			       MAGLEV_BE_STATE_UP : MAGLEV_BE_STATE_DOWN;
			if (b->kknown && b->kstate == want)
				continue;
			/* a first verdict (warm-up, a new backend) or drift */
			if (!logged)
				logmsg(LOG_NOTICE, "%s backend %s: set %s%s%s", name,
				       fmt_addr(&b->cb->addr, a, sizeof(a)),
				       state_name(want),
				       b->cb->admin_down ? " (admin down)" :
				       b->healthy ? "" : ": ",
				       b->cb->admin_down || b->healthy ? "" : why_down(b));
			kernel_backend_state(d, s, b, want);
		}
	}
	for (size_t v = 0; v < d->nvips; v++) {
		struct vip *vp = &d->vips[v];
		bool up = d->healthy && d->warm && !d->stopping;
		char why[160] = "";

		if (!d->warm)
			snprintf(why, sizeof(why), "warming up");
		else if (d->stopping)
			snprintf(why, sizeof(why), "stopping");
		else if (!d->healthy)
			snprintf(why, sizeof(why), "forwarder unhealthy");
		for (size_t i = 0; up && i < d->nsvc; i++) {
			struct rt_service *s = &d->svc[i];
			unsigned int n;

			if (!s->cs->announce || addr_cmp(&s->cs->svc.vip, &vp->addr))
				continue;
			n = usable(s);
			if (n < s->cs->quorum || !s->exists) {
				up = false;
				snprintf(why, sizeof(why), "%s has %u usable backends, quorum %u",
					 svc_name(&s->cs->svc, name, sizeof(name)),
					 n, s->cs->quorum);
			}
		}
		if (vp->fd < 0 && vip_open(vp) < 0)
			continue;
		if (up != vp->up) {
			vip_set(vp, up);
			logmsg(LOG_NOTICE, "VIP %s %s (%s)%s%s",
			       fmt_addr(&vp->addr, a, sizeof(a)),
			       up ? "announced" : "withdrawn", vp->dev,
			       up ? "" : ": ", why);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Status socket: one JSON document per connection                     */

static void status_json(struct daemon *d, FILE *f)
{
	struct json j;
	char buf[128];
	uint64_t now = now_ms();

	json_init(&j, f, true);
	json_obj_begin(&j);
	json_kstr(&j, "config", d->conf->file);
	json_kbool(&j, "healthy", d->healthy);
	if (!d->healthy)
		json_kstr(&j, "unhealthy", d->unhealthy_why);
	json_kbool(&j, "warm", d->warm);
	json_kbool(&j, "stopping", d->stopping);
	json_ku64(&j, "uptime_ms", now - d->start_ms);
	json_kstr(&j, "drift", d->svc_drift ? d->svc_drift : "");
	json_ku64(&j, "probes", d->npr);
	json_key(&j, "vips");
	json_arr_begin(&j);
	for (size_t v = 0; v < d->nvips; v++) {
		json_obj_begin(&j);
		json_kstr(&j, "vip", fmt_addr(&d->vips[v].addr, buf, sizeof(buf)));
		json_kstr(&j, "device", d->vips[v].dev);
		json_kbool(&j, "announced", d->vips[v].up);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "services");
	json_arr_begin(&j);
	for (size_t i = 0; i < d->nsvc; i++) {
		struct rt_service *s = &d->svc[i];

		json_obj_begin(&j);
		json_kstr(&j, "service", svc_name(&s->cs->svc, buf, sizeof(buf)));
		json_kbool(&j, "in_kernel", s->exists);
		json_ku64(&j, "quorum", s->cs->quorum);
		json_ku64(&j, "usable", usable(s));
		json_kbool(&j, "announce", s->cs->announce);
		json_key(&j, "backends");
		json_arr_begin(&j);
		for (size_t k = 0; k < s->nbe; k++) {
			struct rt_backend *b = &s->be[k];

			json_obj_begin(&j);
			json_kstr(&j, "addr", fmt_addr(&b->cb->addr, buf, sizeof(buf)));
			json_ku64(&j, "weight", b->cb->weight);
			json_kstr(&j, "admin", b->cb->admin_down ? "down" : "up");
			json_kstr(&j, "health", b->healthy ? "up" : "down");
			json_ku64(&j, "since_ms", now - b->since_ms);
			if (b->kknown)
				json_kstr(&j, "kernel", state_name(b->kstate));
			else
				json_knull(&j, "kernel");
			if (b->has_id)
				json_ku64(&j, "id", b->id);
			json_key(&j, "checks");
			json_arr_begin(&j);
			for (size_t n = 0; n < b->npr; n++) {
				struct probe *p = b->pr[n];

				json_obj_begin(&j);
				json_kstr(&j, "check", p->chk->name);
				json_kstr(&j, "type", chk_type_name(p->chk->type));
				json_kstr(&j, "mode", p->tunnel ? "tunnel" : "direct");
				if (p->tunnel && p->mark_known)
					json_ku64(&j, "mark", p->mark);
				json_kstr(&j, "state", p->up ? "up" : "down");
				json_kbool(&j, "settled", p->settled);
				json_kstr(&j, "last", p->last);
				json_ku64(&j, "probes", p->probes);
				json_ku64(&j, "failures", p->failures);
				json_obj_end(&j);
			}
			json_arr_end(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_done(&j);
}

static void on_listen(struct daemon *d, struct watch *w, uint32_t events)
{
	struct timeval tv = { .tv_sec = 1 };
	char *doc = NULL;
	size_t len = 0, off = 0;
	FILE *f;
	int c;

	(void)events;
	c = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return;
	/* a slow reader costs the loop at most a second */
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	f = open_memstream(&doc, &len);
	if (f) {
		status_json(d, f);
		fclose(f);
		while (off < len) {
			ssize_t n = send(c, doc + off, len - off, MSG_NOSIGNAL);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		free(doc);
	}
	close(c);
}

static int listen_status(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = d->conf->status_path;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		logmsg(LOG_ERR, "status socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	d->listen.fd = fd;
	d->listen.fn = on_listen;
	return watch_add(d, &d->listen, EPOLLIN);
}

/* ------------------------------------------------------------------ */
/* Reload                                                              */

static void reload(struct daemon *d)
{
	char err[768];
	struct conf *nc = conf_load(d->conf_path, NULL, err, sizeof(err)), *oc;
	struct rt_service *osvc = d->svc;
	struct probe **opr = d->pr;
	struct vip *ovip = d->vips;
	size_t onsvc = d->nsvc, onpr = d->npr, onvip = d->nvips;
	unsigned int added = 0, removed = 0, changed = 0;

	if (!nc) {
		logmsg(LOG_ERR, "reload refused, nothing changed: %s", err);
		return;
	}
	notify("RELOADING=1");
	oc = d->conf;
	build(d, nc, osvc, onsvc, opr, onpr, ovip, onvip);
	d->conf = nc;
	if (strcmp(nc->ns_sig, oc->ns_sig))
		kernel_ns_apply(d, oc);
	for (size_t i = 0; i < onsvc; i++) {
		struct rt_service *ns = NULL;

		find_be(d->svc, d->nsvc, &osvc[i].cs->svc, &osvc[i].cs->svc.vip, &ns);
		if (!ns) {
			kernel_service_del(d, &osvc[i].cs->svc);
			removed++;
		}
	}
	for (size_t i = 0; i < d->nsvc; i++) {
		struct rt_service *s = &d->svc[i], *os = NULL;

		find_be(osvc, onsvc, &s->cs->svc, &s->cs->svc.vip, &os);
		if (os && os->exists && !strcmp(os->cs->ksig, s->cs->ksig))
			continue;
		if (os)
			changed++;
		else
			added++;
		kernel_service_replace(d, s);
	}
	free_rt(d, osvc, onsvc, opr, onpr, ovip, onvip);
	metrics_reload(d, oc);
	conf_free(oc);
	d->reloads++;
	kernel_check(d);
	d->dirty = true;
	logmsg(LOG_NOTICE, "reloaded %s: %u services added, %u changed, %u removed",
	       nc->file, added, changed, removed);
	notify("READY=1");
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */

static bool exiting;

static void stop(struct daemon *d, const char *why)
{
	if (d->stopping) {
		logmsg(LOG_NOTICE, "second %s: exiting now", why);
		exiting = true;
		return;
	}
	d->stopping = true;
	notify("STOPPING=1");
	logmsg(LOG_NOTICE, "%s: withdrawing every VIP, exiting in %ums (kernel configuration left in place)",
	       why, d->conf->drain_ms);
	/* Counted from the log line, so that the line's promise holds. */
	d->stop_at_ms = now_ms() + d->conf->drain_ms;
	evaluate(d);
}

static void on_signal(struct daemon *d, struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			if (!d->stopping)
				reload(d);
			break;
		case SIGTERM:
		case SIGINT:
			stop(d, si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		case SIGCHLD:
			for (;;) {
				int status;
				pid_t pid = waitpid(-1, &status, WNOHANG);

				if (pid <= 0)
					break;
				probe_reaped(d, pid, status);
			}
			break;
		}
	}
}

static void on_timer(struct daemon *d, struct watch *w, uint32_t events)
{
	uint64_t n;

	(void)d;
	(void)events;
	if (read(w->fd, &n, sizeof(n)) < 0)
		(void)0;
}

static void tick(struct daemon *d)
{
	uint64_t now = now_ms(), next = now + 60000;
	bool settled = true;

	for (size_t i = 0; i < d->npr; i++) {
		struct probe *p = d->pr[i];

		if (p->running && now >= p->deadline_ms)
			probe_timeout(d, p, now);
		else if (!p->running && now >= p->next_ms && !d->stopping)
			probe_start(d, p, now);
		if (p->running && p->deadline_ms < next)
			next = p->deadline_ms;
		if (!p->running && p->next_ms < next)
			next = p->next_ms;
		settled = settled && p->settled;
	}
	if (now >= d->next_health_ms) {
		kernel_check(d);
		d->next_health_ms = now + d->conf->health_ms;
	}
	if (d->next_health_ms < next)
		next = d->next_health_ms;
	if (!d->warm) {
		if (settled || now >= d->start_ms + d->conf->warmup_ms) {
			unsigned int up = 0, all = 0;

			/* the line comes before what warm-up allows */
			d->warm = true;
			/* from the probes: evaluate() has not yet seen a
			 * verdict given in this tick */
			for (size_t i = 0; i < d->nsvc; i++)
				for (size_t j = 0; j < d->svc[i].nbe; j++) {
					const struct rt_backend *b = &d->svc[i].be[j];
					bool h = true;

					for (size_t k = 0; k < b->npr; k++)
						h = h && b->pr[k]->up;
					all++;
					up += h;
				}
			logmsg(LOG_NOTICE, "warm-up done in %llums%s: %u of %u backends up",
			       (unsigned long long)(now - d->start_ms),
			       settled ? "" : " (timeout: unsettled probes kept their seed)",
			       up, all);
			evaluate(d);
			notify("READY=1");
		} else if (d->start_ms + d->conf->warmup_ms < next) {
			next = d->start_ms + d->conf->warmup_ms;
		}
	}
	if (d->dirty)
		evaluate(d);
	next = metrics_tick(d, now, next);
	if (d->watchdog_us) {
		if (now >= d->next_watchdog_ms) {
			notify("WATCHDOG=1");
			d->next_watchdog_ms = now + d->watchdog_us / 2000;
		}
		if (d->next_watchdog_ms < next)
			next = d->next_watchdog_ms;
	}
	if (d->stopping) {
		if (now >= d->stop_at_ms)
			exiting = true;
		else if (d->stop_at_ms < next)
			next = d->stop_at_ms;
	}
	{
		struct itimerspec its = { 0 };

		its.it_value.tv_sec = (time_t)(next / 1000);
		its.it_value.tv_nsec = (long)(next % 1000) * 1000000 + 1;
		timerfd_settime(d->timer.fd, TFD_TIMER_ABSTIME, &its, NULL);
	}
}

static int run(const char *path)
{
	static struct daemon dd;
	struct daemon *d = &dd;
	char err[768];
	sigset_t mask;
	const char *wd = getenv("WATCHDOG_USEC");

	d->conf_path = path;
	d->conf = conf_load(path, NULL, err, sizeof(err));
	if (!d->conf) {
		logmsg(LOG_ERR, "%s", err);
		return 2;
	}
	report_file = d->conf->file;
	srandom((unsigned int)(getpid() ^ now_ms()));
	d->start_ms = now_ms();
	if (wd)
		d->watchdog_us = strtoull(wd, NULL, 10);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sig.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->sig.fn = on_signal;
	d->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->timer.fn = on_timer;
	if (d->epfd < 0 || d->sig.fd < 0 || d->timer.fd < 0 ||
	    watch_add(d, &d->sig, EPOLLIN) < 0 ||
	    watch_add(d, &d->timer, EPOLLIN) < 0) {
		logmsg(LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		return 1;
	}
	if (listen_status(d) < 0 || metrics_open(d) < 0)
		return 1;

	build(d, d->conf, NULL, 0, NULL, 0, NULL, 0);
	logmsg(LOG_NOTICE, "started with %s: %zu services, %zu probes, %zu VIPs",
	       d->conf->file, d->nsvc, d->npr, d->nvips);
	/* The namespace settings, then what the kernel has: existing
	 * backends keep their state until warm-up gives a verdict, missing
	 * services are created with every backend down (nothing flaps). */
	kernel_check(d);	/* opens, applies the namespace settings */
	for (size_t i = 0; i < d->nsvc; i++) {
		struct rt_service *s = &d->svc[i];

		if (s->exists && s->mismatch)
			kernel_service_replace(d, s);
		for (size_t j = 0; j < s->nbe; j++) {
			struct rt_backend *b = &s->be[j];
			bool up = b->kknown && b->kstate == MAGLEV_BE_STATE_UP;

			for (size_t k = 0; k < b->npr; k++)
				b->pr[k]->up = b->pr[k]->up || up;
			b->healthy = up;
		}
	}
	for (size_t v = 0; v < d->nvips; v++)
		vip_open(&d->vips[v]);
	d->next_health_ms = now_ms() + d->conf->health_ms;

	while (!exiting) {
		struct epoll_event ev[64];
		int n;

		tick(d);
		if (exiting)
			break;
		n = epoll_wait(d->epfd, ev, 64, -1);
		for (int i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;

			w->fn(d, w, ev[i].events);
		}
	}
	logmsg(LOG_NOTICE, "exiting");
	metrics_close(d);
	free(d->mcl);
	unlink(d->conf->status_path);
	free_rt(d, d->svc, d->nsvc, d->pr, d->npr, d->vips, d->nvips);
	conf_free(d->conf);
	if (d->ctl_open)
		ctl_close(&d->ctl);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static int status(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[8192];
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "maglevd: cannot connect to %s: %s (is maglevd running?)\n",
			sock, strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 1;
	close(fd);
	return n < 0 ? 1 : 0;
}

/* The BIRD static protocol that announces the VIPs of a file. */
static int print_bird(const struct conf *c)
{
	char a[ADDR_STRLEN];
	int fam;

	for (fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0) {
		bool any = false;

		for (size_t i = 0; i < c->nsvc; i++) {
			const struct conf_service *s = &c->svc[i];
			bool dup = false;

			if (!s->announce || s->svc.vip.family != fam)
				continue;
			for (size_t j = 0; j < i; j++)
				dup = dup || (c->svc[j].announce &&
					      !addr_cmp(&c->svc[j].svc.vip, &s->svc.vip));
			if (dup)
				continue;
			if (!any)
				printf("protocol static maglev_vips%s {\n\t%s;\n",
				       fam == AF_INET ? "4" : "6",
				       fam == AF_INET ? "ipv4" : "ipv6");
			any = true;
			printf("\troute %s/%d via \"%s\";\n",
			       fmt_addr(&s->svc.vip, a, sizeof(a)),
			       fam == AF_INET ? 32 : 128, s->dev);
		}
		if (any)
			printf("}\n");
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: maglevd [-t] [-c FILE]            run (default " MAGLEVD_CONF ");\n"
		"                                         -t: epoch time on log lines\n"
		"       maglevd --check-config [FILE]     validate FILE, touch nothing\n"
		"       maglevd --bird [FILE]             print the BIRD static routes of FILE's VIPs\n"
		"       maglevd status [-c FILE | -S SOCKET]  print the running daemon's state (JSON)\n"
		"       maglevd --version | --help\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "bird", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "timestamps", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = MAGLEVD_CONF, *sock = NULL;
	bool check = false, bird = false;
	char err[768];
	int o;

	mg_prog = "maglevd";
	journal = getenv("JOURNAL_STREAM") != NULL;
	while ((o = getopt_long(argc, argv, "+c:S:th", lo, NULL)) != -1) {
		switch (o) {
		case 'c':
			path = optarg;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'b':
			bird = true;
			break;
		case 't':
			stamps = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("maglevd %s\n", MAGLEVCTL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "status")) {
		optind++;
		while ((o = getopt_long(argc, argv, "c:S:", lo, NULL)) != -1) {
			if (o == 'c')
				path = optarg;
			else if (o == 'S')
				sock = optarg;
			else
				return 2;
		}
		if (!sock) {
			struct conf *c = conf_load(path, NULL, err, sizeof(err));

			sock = c ? strdup(c->status_path) : MAGLEVD_SOCK;
			conf_free(c);
		}
		return status(sock);
	}
	if ((check || bird) && optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (check || bird) {
		struct conf *c = conf_load(path, NULL, err, sizeof(err));
		size_t nbe = 0;

		if (!c) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		if (bird) {
			print_bird(c);
		} else {
			for (size_t i = 0; i < c->nsvc; i++)
				nbe += c->svc[i].nbe;
			printf("%s: OK (%zu services, %zu backends, %zu checks)\n",
			       c->file, c->nsvc, nbe, c->nchk);
		}
		conf_free(c);
		return 0;
	}
	return run(path);
}
