// SPDX-License-Identifier: GPL-2.0
/*
 * maglevd: the HTTP /metrics endpoint (metrics-listen, maglevd.conf.5).
 * The kernel's counters, services and backends in the Prometheus text
 * format, written by prom_write() like `maglevctl stats --prometheus`,
 * followed by maglevd's own gauges and counters.
 *
 * It lives in the event loop and never blocks it: a non-blocking listening
 * socket, at most METRICS_CLIENTS connections at a time (one more is
 * answered 503 and closed), a request read into a bounded buffer, the
 * answer built in memory and sent without blocking (EPOLLOUT for the
 * rest), and every connection closed METRICS_TIMEOUT_MS after it was
 * accepted, whatever its state.  HTTP/1.0: one request per connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "maglevd.h"

#define METRICS_CLIENTS 16
#define METRICS_REQ_MAX 2048		/* request line and headers */
#define METRICS_TIMEOUT_MS 5000		/* a connection's whole life */
#define METRICS_OUT_MAX (16u << 20)	/* an answer larger is a 500 */

struct mclient {
	struct watch w;			/* first: the epoll cookie */
	char req[METRICS_REQ_MAX];
	size_t rlen;
	char *out;
	size_t olen, off;
	uint64_t deadline_ms;
};

static const char *const result_names[2] = { "failure", "success" };

static void client_close(struct daemon *d, struct mclient *m)
{
	if (m->w.fd < 0)
		return;
	watch_del(d, &m->w);
	close(m->w.fd);
	m->w.fd = -1;
	free(m->out);
	m->out = NULL;
	m->olen = m->off = m->rlen = 0;
}

/* maglevd's own families, after the kernel's. */
static void write_own(struct daemon *d, FILE *f, bool kernel_ok)
{
	char a[ADDR_STRLEN];

	prom_header(f, "maglevd_kernel_read_ok", "gauge",
		    "1 if this scrape read the kernel's counters and services");
	fprintf(f, "maglevd_kernel_read_ok %d\n", kernel_ok);
	prom_header(f, "maglevd_forwarder_healthy", "gauge",
		    "1 if the last forwarder health check passed");
	fprintf(f, "maglevd_forwarder_healthy %d\n", d->healthy);
	prom_header(f, "maglevd_warm", "gauge",
		    "1 once warm-up is over (backend states and VIPs are written)");
	fprintf(f, "maglevd_warm %d\n", d->warm);
	prom_header(f, "maglevd_reloads_total", "counter",
		    "Configuration reloads done (SIGHUP)");
	fprintf(f, "maglevd_reloads_total %llu\n",
		(unsigned long long)d->reloads);
	prom_header(f, "maglevd_probes_total", "counter",
		    "Health check probes finished, by check type and result");
	for (int t = 0; t < MAGLEVD_NCHK; t++)
		for (int r = 0; r < 2; r++)
			fprintf(f, "maglevd_probes_total{type=\"%s\",result=\"%s\"} %llu\n",
				chk_type_name((enum chk_type)t), result_names[r],
				(unsigned long long)d->probe_count[t][r]);
	prom_header(f, "maglevd_backend_healthy", "gauge",
		    "1 if every health check of the backend passes");
	for (size_t i = 0; i < d->nsvc; i++)
		for (size_t j = 0; j < d->svc[i].nbe; j++) {
			const struct rt_backend *b = &d->svc[i].be[j];

			fputs("maglevd_backend_healthy", f);
			prom_labels(f, &d->svc[i].cs->svc, &b->cb->addr);
			fprintf(f, " %d\n", b->healthy);
		}
	prom_header(f, "maglevd_vip_announced", "gauge",
		    "1 if the VIP's tun device is up (announced through BIRD)");
	for (size_t v = 0; v < d->nvips; v++) {
		fputs("maglevd_vip_announced{vip=\"", f);
		prom_label_value(f, fmt_addr(&d->vips[v].addr, a, sizeof(a)));
		fputs("\",device=\"", f);
		prom_label_value(f, d->vips[v].dev);
		fprintf(f, "\"} %d\n", d->vips[v].up);
	}
}

static char *metrics_body(struct daemon *d, size_t *len)
{
	struct mg_service *svc = NULL;
	struct mg_stats st;
	char *body = NULL;
	size_t nsvc = 0;
	bool kernel_ok;
	FILE *f;

	kernel_ok = kernel_read_stats(d, &st, &svc, &nsvc) == 0;
	f = open_memstream(&body, len);
	if (!f) {
		services_free(svc, nsvc);
		return NULL;
	}
	if (kernel_ok)
		prom_write(f, st.v, &st.cs, svc, nsvc);
	services_free(svc, nsvc);
	write_own(d, f, kernel_ok);
	if (fclose(f) != 0) {
		free(body);
		return NULL;
	}
	return body;
}

/* Builds m->out for the request line in m->req. */
static void answer(struct daemon *d, struct mclient *m)
{
	static const char ctype[] = "text/plain; version=0.0.4; charset=utf-8";
	const char *status = "200 OK", *extra = "", *msg = NULL;
	char method[16] = "", target[256] = "", *q, *body = NULL;
	size_t blen = 0;
	bool head;
	int n;

	if (sscanf(m->req, "%15s %255s", method, target) != 2) {
		status = "400 Bad Request";
		msg = "bad request\n";
	} else if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		status = "405 Method Not Allowed";
		extra = "Allow: GET, HEAD\r\n";
		msg = "only GET and HEAD\n";
	} else {
		q = strchr(target, '?');
		if (q)
			*q = '\0';
		if (strcmp(target, "/metrics")) {
			status = "404 Not Found";
			msg = "not found: try /metrics\n";
		}
	}
	if (!msg) {
		body = metrics_body(d, &blen);
		if (!body || blen > METRICS_OUT_MAX) {
			free(body);
			body = NULL;
			status = "500 Internal Server Error";
			msg = "out of memory\n";
		}
	}
	if (msg) {
		body = strdup(msg);
		blen = body ? strlen(body) : 0;
	}
	head = !strcmp(method, "HEAD");
	n = asprintf(&m->out,
		     "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "%sConnection: close\r\n\r\n%.*s", status,
		     msg ? "text/plain; charset=utf-8" : ctype, blen, extra,
		     head ? 0 : (int)blen, body ? body : "");
	free(body);
	if (n < 0) {
		m->out = NULL;
		return;
	}
	m->olen = (size_t)n;
	m->off = 0;
}

/* Sends what the socket takes; closes when done or on error. */
static void flush(struct daemon *d, struct mclient *m)
{
	while (m->off < m->olen) {
		ssize_t n = send(m->w.fd, m->out + m->off, m->olen - m->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			watch_mod(d, &m->w, EPOLLOUT);
			return;
		}
		if (n <= 0)
			break;
		m->off += (size_t)n;
	}
	client_close(d, m);
}

static void on_client(struct daemon *d, struct watch *w, uint32_t events)
{
	struct mclient *m = (struct mclient *)w;
	bool eof = false;

	if (m->out) {
		flush(d, m);
		return;
	}
	if (events & EPOLLERR) {
		client_close(d, m);
		return;
	}
	for (;;) {
		ssize_t n = recv(w->fd, m->req + m->rlen,
				 sizeof(m->req) - 1 - m->rlen, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			client_close(d, m);
			return;
		}
		if (n == 0) {
			eof = true;
			break;
		}
		m->rlen += (size_t)n;
		m->req[m->rlen] = '\0';
		if (m->rlen == sizeof(m->req) - 1)
			break;
	}
	m->req[m->rlen] = '\0';
	/* the headers' end; or EOF, or a full buffer: answer what we have */
	if (!strstr(m->req, "\r\n\r\n") && !strstr(m->req, "\n\n") && !eof &&
	    m->rlen < sizeof(m->req) - 1)
		return;
	if (eof && !m->rlen) {
		client_close(d, m);
		return;
	}
	answer(d, m);
	if (!m->out) {
		client_close(d, m);
		return;
	}
	flush(d, m);
}

static void on_accept(struct daemon *d, struct watch *w, uint32_t events)
{
	static const char busy[] = "HTTP/1.0 503 Service Unavailable\r\n"
		"Content-Type: text/plain\r\nContent-Length: 5\r\n"
		"Connection: close\r\n\r\nbusy\n";
	struct mclient *m = NULL;
	int c;

	(void)events;
	/* a bounded number per wake-up: the loop has other work */
	for (int k = 0; k < METRICS_CLIENTS; k++) {
		c = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return;
		m = NULL;
		for (size_t i = 0; i < METRICS_CLIENTS && !m; i++)
			if (d->mcl[i].w.fd < 0)
				m = &d->mcl[i];
		if (!m) {
			if (send(c, busy, sizeof(busy) - 1,
				 MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				(void)0;
			close(c);
			continue;
		}
		m->w.fd = c;
		m->w.fn = on_client;
		m->rlen = 0;
		m->deadline_ms = now_ms() + METRICS_TIMEOUT_MS;
		if (watch_add(d, &m->w, EPOLLIN) < 0) {
			close(c);
			m->w.fd = -1;
		}
	}
}

int metrics_open(struct daemon *d)
{
	const struct conf *c = d->conf;
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	char a[ADDR_STRLEN];
	int fd, one = 1;

	d->metrics.fd = -1;
	if (!c->has_metrics)
		return 0;
	if (!d->mcl) {
		d->mcl = calloc(METRICS_CLIENTS, sizeof(*d->mcl));
		if (!d->mcl)
			return -1;
		for (size_t i = 0; i < METRICS_CLIENTS; i++)
			d->mcl[i].w.fd = -1;
	}
	if (c->metrics_addr.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = c->metrics_addr.u.v6;
		s6->sin6_port = htons(c->metrics_port);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = c->metrics_addr.u.v4;
		s4->sin_port = htons(c->metrics_port);
		len = sizeof(*s4);
	}
	fd = socket(c->metrics_addr.family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (c->metrics_addr.family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, METRICS_CLIENTS) < 0) {
		logmsg(LOG_ERR, "metrics-listen %s%s%s:%u: %s",
		       c->metrics_addr.family == AF_INET6 ? "[" : "",
		       fmt_addr(&c->metrics_addr, a, sizeof(a)),
		       c->metrics_addr.family == AF_INET6 ? "]" : "",
		       c->metrics_port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	d->metrics.fd = fd;
	d->metrics.fn = on_accept;
	if (watch_add(d, &d->metrics, EPOLLIN) < 0) {
		close(fd);
		d->metrics.fd = -1;
		return -1;
	}
	return 0;
}

void metrics_close(struct daemon *d)
{
	for (size_t i = 0; d->mcl && i < METRICS_CLIENTS; i++)
		client_close(d, &d->mcl[i]);
	if (d->metrics.fd >= 0) {
		watch_del(d, &d->metrics);
		close(d->metrics.fd);
		d->metrics.fd = -1;
	}
}

int metrics_reload(struct daemon *d, const struct conf *old)
{
	const struct conf *c = d->conf;

	if (c->has_metrics == old->has_metrics &&
	    (!c->has_metrics || (c->metrics_port == old->metrics_port &&
				 !addr_cmp(&c->metrics_addr, &old->metrics_addr))))
		return 0;
	metrics_close(d);
	return metrics_open(d);
}

uint64_t metrics_tick(struct daemon *d, uint64_t now, uint64_t next)
{
	for (size_t i = 0; d->mcl && i < METRICS_CLIENTS; i++) {
		struct mclient *m = &d->mcl[i];

		if (m->w.fd < 0)
			continue;
		if (now >= m->deadline_ms)
			client_close(d, m);	/* too slow: dropped */
		else if (m->deadline_ms < next)
			next = m->deadline_ms;
	}
	return next;
}
