// SPDX-License-Identifier: GPL-2.0
/*
 * maglevd: health probes.  Every probe is a non-blocking socket in the
 * daemon's one epoll loop (exec probes: a child process, reaped through
 * signalfd's SIGCHLD), with a deadline the loop's timer enforces.  A
 * probe's verdict changes after `rise` successes or `fall` failures in a
 * row; while a change is pending it runs every fast-interval.
 *
 * Tunnel mode: the socket carries SO_MARK = (probe-mark & mask) | id and
 * connects to the VIP, so the forwarder's module encapsulates it to the
 * backend with that id, along the clients' GRE path.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "maglevd.h"

#define HTTP_BUF 16384

uint32_t probe_interval(const struct probe *p)
{
	bool pending = (p->up && p->fail_run) || (!p->up && p->ok_run);

	return !p->settled || pending ? p->chk->fast_ms : p->chk->interval_ms;
}

static void close_sock(struct daemon *d, struct probe *p)
{
	if (p->w.fd >= 0) {
		watch_del(d, &p->w);
		close(p->w.fd);
		p->w.fd = -1;
	}
	free(p->buf);
	p->buf = NULL;
	p->blen = 0;
	p->sent = false;
}

static void result(struct daemon *d, struct probe *p, bool ok,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void result(struct daemon *d, struct probe *p, bool ok,
		   const char *fmt, ...)
{
	uint64_t now = now_ms(), started = p->deadline_ms - p->chk->timeout_ms;
	va_list ap;

	close_sock(d, p);
	p->running = false;
	va_start(ap, fmt);
	vsnprintf(p->last, sizeof(p->last), fmt, ap);
	va_end(ap);
	p->probes++;
	d->probe_count[p->chk->type][ok]++;
	if (ok) {
		p->ok_run++;
		p->fail_run = 0;
	} else {
		p->failures++;
		p->fail_run++;
		p->ok_run = 0;
	}
	if (p->up && !ok && p->fail_run >= p->chk->fall) {
		p->up = false;
		p->settled = true;
		p->since_ms = now;
		d->dirty = true;
	} else if (!p->up && ok && p->ok_run >= p->chk->rise) {
		p->up = true;
		p->settled = true;
		p->since_ms = now;
		d->dirty = true;
	} else if (p->up == ok && !p->settled) {
		p->settled = true;
		d->dirty = true;
	}
	/* the next start counts from this one's start, so detection takes
	 * at most interval + fall x timeout (fast-interval defaults to it) */
	p->next_ms = started + probe_interval(p);
	if (p->next_ms < now)
		p->next_ms = now;
}

static socklen_t sockaddr_of(const struct mg_addr *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a->u.v6;
		s6->sin6_port = htons(port);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = a->u.v4;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
}

static size_t dns_query(const struct probe *p, unsigned char *q, size_t max)
{
	const char *name = p->chk->query;
	size_t n = 12;

	memset(q, 0, 12);
	q[0] = (unsigned char)(p->dns_id >> 8);
	q[1] = (unsigned char)p->dns_id;
	q[2] = 0x01;		/* RD */
	q[5] = 1;		/* QDCOUNT */
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		if (l == 0 || l > 63 || n + l + 6 > max)
			return 0;
		q[n++] = (unsigned char)l;
		memcpy(q + n, name, l);
		n += l;
		name += l;
		if (*name == '.')
			name++;
	}
	q[n++] = 0;
	q[n++] = (unsigned char)(p->chk->qtype >> 8);
	q[n++] = (unsigned char)p->chk->qtype;
	q[n++] = 0;
	q[n++] = 1;		/* IN */
	return n;
}

/* HTTP: the status line, and the body's substring when asked. */
static void http_eval(struct daemon *d, struct probe *p, bool eof)
{
	const struct check_def *c = p->chk;
	unsigned int code = 0;
	char *body;

	p->buf[p->blen] = '\0';
	if (!strchr(p->buf, '\n')) {
		if (eof)
			result(d, p, false, "no HTTP status line");
		return;
	}
	if (sscanf(p->buf, "HTTP/%*u.%*u %3u", &code) != 1) {
		result(d, p, false, "not an HTTP response");
		return;
	}
	if (code < c->status_lo || code > c->status_hi) {
		result(d, p, false, "HTTP status %u", code);
		return;
	}
	if (!c->expect) {
		result(d, p, true, "HTTP status %u", code);
		return;
	}
	body = strstr(p->buf, "\r\n\r\n");
	if (body && strstr(body + 4, c->expect)) {
		result(d, p, true, "HTTP status %u, body matches", code);
		return;
	}
	if (eof)
		result(d, p, false, "HTTP status %u, body lacks \"%s\"", code,
		       c->expect);
}

static void on_sock(struct daemon *d, struct watch *w, uint32_t events)
{
	struct probe *p = (struct probe *)w;
	const struct check_def *c = p->chk;
	int err = 0;
	socklen_t el = sizeof(err);
	ssize_t n;

	(void)events;
	if (!p->running)
		return;
	if (c->type == CHK_TCP || c->type == CHK_HTTP) {
		if (!p->sent) {
			if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				err = errno;
			if (err) {
				result(d, p, false, "connect: %s", strerror(err));
				return;
			}
			if (c->type == CHK_TCP) {
				result(d, p, true, "connected");
				return;
			}
			{
				char req[1024], host[ADDR_STRLEN + 8];
				int len;

				if (c->host)
					snprintf(host, sizeof(host), "%s", c->host);
				else
					fmt_endpoint(&p->addr, p->port, host,
						     sizeof(host));
				len = snprintf(req, sizeof(req),
					       "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: maglevd\r\nAccept: */*\r\nConnection: close\r\n\r\n",
					       c->path, host);
				if (len < 0 || (size_t)len >= sizeof(req) ||
				    send(w->fd, req, (size_t)len, MSG_NOSIGNAL) != len) {
					result(d, p, false, "cannot send the request: %s",
					       strerror(errno));
					return;
				}
			}
			p->sent = true;
			p->buf = malloc(HTTP_BUF + 1);
			if (!p->buf) {
				result(d, p, false, "out of memory");
				return;
			}
			watch_mod(d, w, EPOLLIN);
			return;
		}
		n = recv(w->fd, p->buf + p->blen, HTTP_BUF - p->blen, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			result(d, p, false, "receive: %s", strerror(errno));
			return;
		}
		p->blen += (size_t)n;
		http_eval(d, p, n == 0 || p->blen == HTTP_BUF);
		return;
	}
	/* udp and dns */
	{
		unsigned char buf[4096];

		n = recv(w->fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			result(d, p, false, "%s", errno == ECONNREFUSED ?
			       "port unreachable" : strerror(errno));
			return;
		}
		if (c->type == CHK_UDP) {
			buf[n] = '\0';
			if (c->expect && !memmem(buf, (size_t)n, c->expect,
						 strlen(c->expect)))
				result(d, p, false, "reply lacks \"%s\"", c->expect);
			else
				result(d, p, true, "reply of %zd bytes", n);
			return;
		}
		if (n < 12 || buf[0] != (p->dns_id >> 8) ||
		    buf[1] != (p->dns_id & 0xff) || !(buf[2] & 0x80))
			return;	/* not our answer: keep waiting */
		if (buf[3] & 0x0f)
			result(d, p, false, "DNS rcode %u", buf[3] & 0x0f);
		else if (!buf[6] && !buf[7])
			result(d, p, false, "DNS answer empty");
		else
			result(d, p, true, "DNS answer");
	}
}

static void start_exec(struct daemon *d, struct probe *p)
{
	char a[ADDR_STRLEN], v[ADDR_STRLEN], port[8], sport[8];
	sigset_t none;
	pid_t pid;

	if (p->pid) {		/* the last one is still being killed */
		p->running = false;
		p->next_ms = now_ms() + 100;
		return;
	}
	if (d->exec_running >= d->conf->max_exec) {
		p->running = false;
		p->next_ms = now_ms() + 100;
		return;
	}
	fmt_addr(&p->be_addr, a, sizeof(a));
	fmt_addr(&p->vip, v, sizeof(v));
	snprintf(port, sizeof(port), "%u", p->port);
	snprintf(sport, sizeof(sport), "%u", p->svc_port);
	pid = fork();
	if (pid < 0) {
		result(d, p, false, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (fd > 2)
				close(fd);
		}
		setenv("MAGLEV_BACKEND", a, 1);
		setenv("MAGLEV_VIP", v, 1);
		setenv("MAGLEV_PORT", port, 1);
		setenv("MAGLEV_SERVICE_PORT", sport, 1);
		execl("/bin/sh", "sh", "-c", p->chk->command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	p->pid = pid;
	p->killed = false;
	d->exec_running++;
}

void probe_start(struct daemon *d, struct probe *p, uint64_t now)
{
	const struct check_def *c = p->chk;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, type;

	p->running = true;
	p->deadline_ms = now + c->timeout_ms;
	if (c->type == CHK_EXEC) {
		start_exec(d, p);
		return;
	}
	if (p->tunnel && !p->mark_known) {
		/* the kernel has not told us the backend's id yet: no
		 * verdict either way */
		p->running = false;
		p->next_ms = now + c->fast_ms;
		snprintf(p->last, sizeof(p->last), "backend id not known yet");
		return;
	}
	type = c->type == CHK_TCP || c->type == CHK_HTTP ? SOCK_STREAM :
	       SOCK_DGRAM;
	fd = socket(p->addr.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		result(d, p, false, "socket: %s", strerror(errno));
		return;
	}
	p->w.fd = fd;
	if (p->tunnel && setsockopt(fd, SOL_SOCKET, SO_MARK, &p->mark,
				    sizeof(p->mark)) < 0) {
		result(d, p, false, "SO_MARK: %s", strerror(errno));
		return;
	}
	sl = sockaddr_of(&p->addr, p->port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		result(d, p, false, "connect: %s", strerror(errno));
		return;
	}
	p->w.fn = on_sock;
	if (type == SOCK_DGRAM) {
		unsigned char q[512];
		size_t len;

		if (c->type == CHK_DNS) {
			p->dns_id = (uint16_t)random();
			len = dns_query(p, q, sizeof(q));
		} else {
			len = c->send ? strlen(c->send) : 0;
			if (len > sizeof(q))
				len = sizeof(q);
			if (len)
				memcpy(q, c->send, len);
		}
		if (send(fd, q, len, 0) < 0) {
			result(d, p, false, "send: %s", errno == ECONNREFUSED ?
			       "port unreachable" : strerror(errno));
			return;
		}
		p->sent = true;
		if (watch_add(d, &p->w, EPOLLIN) < 0)
			result(d, p, false, "epoll: %s", strerror(errno));
		return;
	}
	if (watch_add(d, &p->w, EPOLLOUT) < 0)
		result(d, p, false, "epoll: %s", strerror(errno));
}

void probe_timeout(struct daemon *d, struct probe *p, uint64_t now)
{
	(void)now;
	if (p->chk->type == CHK_EXEC && p->pid && !p->killed) {
		kill(-p->pid, SIGKILL);
		p->killed = true;
	}
	if (p->chk->type == CHK_HTTP && p->buf && p->blen)
		snprintf(p->last, sizeof(p->last), "timeout in the response");
	result(d, p, false, "timeout after %ums", p->chk->timeout_ms);
}

void probe_reaped(struct daemon *d, pid_t pid, int status)
{
	for (size_t i = 0; i < d->npr; i++) {
		struct probe *p = d->pr[i];

		if (p->pid != pid)
			continue;
		p->pid = 0;
		if (d->exec_running)
			d->exec_running--;
		if (p->killed || !p->running)
			return;	/* its verdict was the timeout */
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			result(d, p, true, "exit 0");
		else if (WIFEXITED(status))
			result(d, p, false, "exit %d", WEXITSTATUS(status));
		else
			result(d, p, false, "killed by signal %d",
			       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return;
	}
}

void probe_stop(struct daemon *d, struct probe *p)
{
	close_sock(d, p);
	if (p->pid) {
		/* the SIGCHLD handler reaps it without us */
		if (!p->killed)
			kill(-p->pid, SIGKILL);
		if (d->exec_running)
			d->exec_running--;
		p->pid = 0;
	}
	p->running = false;
}
