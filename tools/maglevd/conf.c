// SPDX-License-Identifier: GPL-2.0
/*
 * maglevd: the configuration file (maglevd.conf.5).  A hand-written
 * recursive-descent parser: words, "strings", { } blocks, statements ending
 * in ';', '#' comments.  It touches nothing: --check-config and SIGHUP run
 * it whole before anything is applied.  Every error names FILE:LINE:COL
 * and the word at fault.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "maglevd.h"

enum tok_kind { T_WORD, T_LBRACE, T_RBRACE, T_SEMI, T_END };

struct tok {
	enum tok_kind kind;
	char *s;
	int line, col;
};

struct parser {
	struct conf *c;
	size_t pos;
	char *err;
	size_t errlen;
};

#define MAXW 32

static int perr(struct parser *p, const struct tok *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, const struct tok *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d:%d: %s", p->c->file, t->line,
		 t->col, msg);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Tokens                                                              */

static int push_tok(struct conf *c, size_t *cap, enum tok_kind k, char *s,
		    int line, int col)
{
	if (c->ntoks == *cap) {
		size_t n = *cap ? 2 * *cap : 256;
		struct tok *t = realloc(c->toks, n * sizeof(*t));

		if (!t)
			return -1;
		c->toks = t;
		*cap = n;
	}
	c->toks[c->ntoks++] = (struct tok){ k, s, line, col };
	return 0;
}

/* Splits c->text in place: words and strings end with a NUL written over
 * the character after them, so a separator is remembered first. */
static int tokenize(struct parser *p)
{
	struct conf *c = p->c;
	char *s = c->text, *out;
	int line = 1, col = 1;
	size_t cap = 0;
	static char lb[] = "{", rb[] = "}", semi[] = ";", end[] = "";

	while (*s) {
		char ch = *s;

		if (ch == '\n') {
			line++;
			col = 1;
			s++;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r') {
			s++;
			col++;
			continue;
		}
		if (ch == '#') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (ch == '{' || ch == '}' || ch == ';') {
			if (push_tok(c, &cap, ch == '{' ? T_LBRACE :
				     ch == '}' ? T_RBRACE : T_SEMI,
				     ch == '{' ? lb : ch == '}' ? rb : semi,
				     line, col) < 0)
				return -1;
			s++;
			col++;
			continue;
		}
		if (ch == '"') {
			int l0 = line, c0 = col;
			char *start = s + 1;

			out = start;
			s++;
			col++;
			while (*s && *s != '"' && *s != '\n') {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\')) {
					s++;
					col++;
				}
				*out++ = *s++;
				col++;
			}
			if (*s != '"') {
				struct tok t = { T_WORD, start, l0, c0 };

				return perr(p, &t, "unterminated string (a \" is missing on this line)");
			}
			*out = '\0';
			s++;
			col++;
			if (push_tok(c, &cap, T_WORD, start, l0, c0) < 0)
				return -1;
			continue;
		}
		{
			char *start = s;
			int c0 = col;
			char sep;

			while (*s && !strchr(" \t\r\n{};#\"", *s)) {
				s++;
				col++;
			}
			sep = *s;
			if (push_tok(c, &cap, T_WORD, start, line, c0) < 0)
				return -1;
			if (sep == '\0')
				break;
			/* keep the separator as its own token before ending
			 * the word */
			if (sep == '{' || sep == '}' || sep == ';') {
				*s = '\0';
				if (push_tok(c, &cap, sep == '{' ? T_LBRACE :
					     sep == '}' ? T_RBRACE : T_SEMI,
					     sep == '{' ? lb : sep == '}' ? rb :
					     semi, line, col) < 0)
					return -1;
				s++;
				col++;
			} else if (sep == '\n') {
				*s = '\0';
				s++;
				line++;
				col = 1;
			} else if (sep == '#') {
				*s = '\0';
				s++;
				while (*s && *s != '\n')
					s++;
			} else if (sep == '"') {
				struct tok t = { T_WORD, start, line, c0 };

				*s = '\0';
				return perr(p, &t, "\"%s\": a string must be a word of its own",
					    start);
			} else {
				*s = '\0';
				s++;
				col++;
			}
		}
	}
	return push_tok(c, &cap, T_END, end, line, col);
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */

struct stmt {
	struct tok *w[MAXW];
	int n;
	bool block;		/* ended with '{' */
	struct tok *end;
};

/* Reads "WORD... ;" or "WORD... {"; returns 1 at a '}' (not consumed past),
 * 0 for a statement, -1 on error. */
static int read_stmt(struct parser *p, struct stmt *st, bool in_block)
{
	struct tok *t;

	st->n = 0;
	st->block = false;
	for (;;) {
		t = &p->c->toks[p->pos];
		switch (t->kind) {
		case T_WORD:
			if (st->n == MAXW)
				return perr(p, t, "\"%s\": too many words in one statement (a ';' is missing?)",
					    t->s);
			st->w[st->n++] = t;
			p->pos++;
			break;
		case T_SEMI:
			p->pos++;
			if (st->n == 0)
				continue;	/* stray ';' */
			st->end = t;
			return 0;
		case T_LBRACE:
			if (st->n == 0)
				return perr(p, t, "\"{\" without a statement before it");
			p->pos++;
			st->block = true;
			st->end = t;
			return 0;
		case T_RBRACE:
			if (st->n)
				return perr(p, st->w[st->n - 1], "\"%s\": missing ';' after it",
					    st->w[st->n - 1]->s);
			if (!in_block)
				return perr(p, t, "\"}\" without a block to close");
			p->pos++;
			return 1;
		case T_END:
			if (st->n)
				return perr(p, st->w[st->n - 1], "\"%s\": missing ';' at the end of the file",
					    st->w[st->n - 1]->s);
			if (in_block)
				return perr(p, t, "end of file inside a block (a \"}\" is missing)");
			return 2;
		}
	}
}

static int want_args(struct parser *p, struct stmt *st, int min, int max,
		     const char *what)
{
	if (st->block)
		return perr(p, st->w[0], "\"%s\" takes no block", st->w[0]->s);
	if (st->n - 1 < min)
		return perr(p, st->w[st->n - 1], "\"%s\": missing %s after it",
			    st->w[st->n - 1]->s, what);
	if (st->n - 1 > max)
		return perr(p, st->w[max + 1], "\"%s\": unexpected word (expected %s)",
			    st->w[max + 1]->s, max ? "';' after the value" : "';'");
	return 0;
}

/* A duration: N (seconds), Nms, Ns or Nm; 0 < value <= max_ms. */
static int parse_dur(struct parser *p, struct tok *t, uint32_t min_ms,
		     uint32_t max_ms, uint32_t *out)
{
	char *end;
	unsigned long long v, mul = 1000;

	errno = 0;
	if (t->s[0] < '0' || t->s[0] > '9')
		goto bad;
	v = strtoull(t->s, &end, 10);
	if (errno)
		goto bad;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "s") || !*end)
		mul = 1000;
	else if (!strcmp(end, "m"))
		mul = 60000;
	else
		goto bad;
	if (v > max_ms || v * mul > max_ms || v * mul < min_ms)
		return perr(p, t, "\"%s\": out of range (%ums to %us)", t->s,
			    min_ms, max_ms / 1000);
	*out = (uint32_t)(v * mul);
	return 0;
bad:
	return perr(p, t, "\"%s\": invalid duration (expected 500ms, 2s, 2 or 1m)",
		    t->s);
}

static int parse_num(struct parser *p, struct tok *t, uint64_t min,
		     uint64_t max, bool hex, uint64_t *out)
{
	if (parse_uint(t->s, "number", max, hex, NULL, out) < 0 || *out < min)
		return perr(p, t, "\"%s\": invalid number (expected %llu..%llu)",
			    t->s, (unsigned long long)min,
			    (unsigned long long)max);
	return 0;
}

/* Keywords seen in one block. */
struct seenkw {
	const char *kw[32];
	int n;
};

static int once(struct parser *p, struct seenkw *s, struct tok *t)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->kw[i], t->s))
			return perr(p, t, "\"%s\" given twice in this block",
				    t->s);
	if (s->n < 32)
		s->kw[s->n++] = t->s;
	return 0;
}

/* Appends to a growing string (signatures). */
static int sig_add(char **sig, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sig_add(char **sig, const char *fmt, ...)
{
	char add[512], *n;
	size_t old = *sig ? strlen(*sig) : 0;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(add, sizeof(add), fmt, ap);
	va_end(ap);
	if (len < 0)
		return -1;
	n = realloc(*sig, old + (size_t)len + 1);
	if (!n)
		return -1;
	memcpy(n + old, add, (size_t)len + 1);
	*sig = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* namespace { ... }: maglevctl's "config set" words, plus probe-mark.  */

static int fix_origin(struct conf *c, struct origin *o)
{
	if (!o->word)
		return 0;
	for (size_t i = 0; i < c->ntoks; i++)
		if (c->toks[i].s == o->word) {
			o->line = c->toks[i].line;
			break;
		}
	return 0;
}

static int block_namespace(struct parser *p, struct stmt *hdr)
{
	struct conf *c = p->c;
	char *argv[64];
	int argc = 0, r;
	struct stmt st;
	struct seenkw seen = { .n = 0 };

	if (hdr->n != 1 || !hdr->block)
		return perr(p, hdr->w[hdr->n > 1 ? 1 : 0], "\"%s\": expected \"namespace {\"",
			    hdr->w[hdr->n > 1 ? 1 : 0]->s);
	while ((r = read_stmt(p, &st, true)) == 0) {
		struct tok *k = st.w[0];
		struct mg_config one;
		char *one_argv[MAXW];
		int base = 0, max = 1;

		if (once(p, &seen, k) < 0)
			return -1;
		if (!strcmp(k->s, "probe-mark")) {
			uint64_t v;

			/* probe-mark VALUE mask MASK */
			if (want_args(p, &st, 3, 3, "a mark, \"mask\" and a mask") < 0)
				return -1;
			if (parse_num(p, st.w[1], 0, UINT32_MAX, true, &v) < 0)
				return -1;
			c->probe_mark = (uint32_t)v;
			if (strcmp(st.w[2]->s, "mask"))
				return perr(p, st.w[2], "\"%s\": expected \"mask\"",
					    st.w[2]->s);
			if (parse_num(p, st.w[3], 1, UINT32_MAX, true, &v) < 0)
				return -1;
			c->probe_mask = (uint32_t)v;
			if (c->probe_mask == UINT32_MAX)
				return perr(p, st.w[3], "\"%s\": the mask must leave bits for the backend id",
					    st.w[3]->s);
			c->has_probe_mark = true;
			sig_add(&c->ns_sig, "probe-mark %s mask %s;",
				st.w[1]->s, st.w[3]->s);
			continue;
		}
		if (!strcmp(k->s, "timeout"))
			base = 1;
		/* pool ADDR...: the forwarders, as maglevctl config set takes */
		if (!strcmp(k->s, "pool"))
			max = MAXW - 1;
		if (want_args(p, &st, 1 + base, max + base, "a value") < 0)
			return -1;
		for (int i = 0; i < st.n; i++)
			one_argv[i] = st.w[i]->s;
		if (parse_config_args(st.n, one_argv, k->line, &one) < 0) {
			/* name the value unless the keyword is at fault */
			struct tok *t = strstr(mg_err, "option") ? k :
					st.w[st.n - 1];

			return perr(p, t, "%s", mg_err);
		}
		if (argc + st.n > 64)
			return perr(p, k, "too many settings");
		for (int i = 0; i < st.n; i++) {
			argv[argc++] = st.w[i]->s;
			sig_add(&c->ns_sig, "%s ", st.w[i]->s);
		}
		sig_add(&c->ns_sig, ";");
	}
	if (r < 0)
		return -1;
	if (argc) {
		if (parse_config_args(argc, argv, 0, &c->ns) < 0)
			return perr(p, hdr->w[0], "%s", mg_err);
		fix_origin(c, &c->ns.o_seed);
		fix_origin(c, &c->ns.o_source4);
		fix_origin(c, &c->ns.o_source6);
		fix_origin(c, &c->ns.o_ttl);
		fix_origin(c, &c->ns.o_table_size);
		fix_origin(c, &c->ns.o_hash);
		fix_origin(c, &c->ns.o_conn_max);
		fix_origin(c, &c->ns.o_expire_nodest);
		for (int t = 0; t < MG_NTIMEOUTS; t++)
			fix_origin(c, &c->ns.o_timeout[t]);
	}
	return 0;
}

/* daemon { ... } */
static int block_daemon(struct parser *p, struct stmt *hdr)
{
	struct conf *c = p->c;
	struct seenkw seen = { .n = 0 };
	struct stmt st;
	uint64_t v;
	int r;

	if (hdr->n != 1 || !hdr->block)
		return perr(p, hdr->w[hdr->n > 1 ? 1 : 0], "\"%s\": expected \"daemon {\"",
			    hdr->w[hdr->n > 1 ? 1 : 0]->s);
	while ((r = read_stmt(p, &st, true)) == 0) {
		struct tok *k = st.w[0];

		if (once(p, &seen, k) < 0 || want_args(p, &st, 1, 1, "a value") < 0)
			return -1;
		if (!strcmp(k->s, "status-socket")) {
			if (st.w[1]->s[0] != '/')
				return perr(p, st.w[1], "\"%s\": expected an absolute path",
					    st.w[1]->s);
			if (strlen(st.w[1]->s) >= 108)
				return perr(p, st.w[1], "\"%s\": path too long for a unix socket",
					    st.w[1]->s);
			c->status_path = st.w[1]->s;
		} else if (!strcmp(k->s, "drain-delay")) {
			if (!strcmp(st.w[1]->s, "0"))
				c->drain_ms = 0;
			else if (parse_dur(p, st.w[1], 1, 3600000, &c->drain_ms) < 0)
				return -1;
		} else if (!strcmp(k->s, "warmup-timeout")) {
			if (parse_dur(p, st.w[1], 100, 3600000, &c->warmup_ms) < 0)
				return -1;
		} else if (!strcmp(k->s, "health-interval")) {
			if (parse_dur(p, st.w[1], 100, 60000, &c->health_ms) < 0)
				return -1;
		} else if (!strcmp(k->s, "max-exec")) {
			if (parse_num(p, st.w[1], 1, 1024, false, &v) < 0)
				return -1;
			c->max_exec = (unsigned int)v;
		} else if (!strcmp(k->s, "metrics-listen")) {
			if (!strcmp(st.w[1]->s, "off")) {
				c->has_metrics = false;
				continue;
			}
			if (parse_endpoint(st.w[1]->s, "metrics-listen",
					   &c->metrics_addr, &c->metrics_port) < 0)
				return perr(p, st.w[1], "%s", mg_err);
			if (!c->metrics_port)
				return perr(p, st.w[1], "\"%s\": expected a port from 1 to 65535",
					    st.w[1]->s);
			c->has_metrics = true;
		} else {
			return perr(p, k, "\"%s\": unknown daemon setting (expected status-socket, metrics-listen, drain-delay, warmup-timeout, health-interval or max-exec)",
				    k->s);
		}
	}
	return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* check NAME { ... }                                                  */

const char *chk_type_name(enum chk_type t)
{
	static const char *const n[] = { "tcp", "http", "udp", "dns", "exec" };

	return t <= CHK_EXEC ? n[t] : "?";
}

static int block_check(struct parser *p, struct stmt *hdr)
{
	struct conf *c = p->c;
	struct check_def *d;
	struct seenkw seen = { .n = 0 };
	bool has_type = false;
	struct stmt st;
	uint64_t v;
	int r;

	if (hdr->n != 2 || !hdr->block)
		return perr(p, hdr->w[hdr->n - 1], "\"%s\": expected \"check NAME {\"",
			    hdr->w[hdr->n - 1]->s);
	for (size_t i = 0; i < c->nchk; i++)
		if (!strcmp(c->chk[i].name, hdr->w[1]->s))
			return perr(p, hdr->w[1], "\"%s\": check defined twice (first on line %d)",
				    hdr->w[1]->s, c->chk[i].line);
	d = realloc(c->chk, (c->nchk + 1) * sizeof(*d));
	if (!d)
		return perr(p, hdr->w[0], "out of memory");
	c->chk = d;
	d = &c->chk[c->nchk++];
	memset(d, 0, sizeof(*d));
	d->name = hdr->w[1]->s;
	d->line = hdr->w[0]->line;
	d->path = "/";
	d->status_lo = 200;
	d->status_hi = 399;
	d->qtype = 1;
	d->interval_ms = 2000;
	d->timeout_ms = 1000;
	d->rise = 2;
	d->fall = 3;

	while ((r = read_stmt(p, &st, true)) == 0) {
		struct tok *k = st.w[0], *a = st.n > 1 ? st.w[1] : NULL;

		if (once(p, &seen, k) < 0 || want_args(p, &st, 1, 1, "a value") < 0)
			return -1;
		if (!strcmp(k->s, "type")) {
			if (!strcmp(a->s, "tcp"))
				d->type = CHK_TCP;
			else if (!strcmp(a->s, "http"))
				d->type = CHK_HTTP;
			else if (!strcmp(a->s, "udp"))
				d->type = CHK_UDP;
			else if (!strcmp(a->s, "dns"))
				d->type = CHK_DNS;
			else if (!strcmp(a->s, "exec"))
				d->type = CHK_EXEC;
			else
				return perr(p, a, "\"%s\": unknown check type (expected tcp, http, udp, dns or exec)",
					    a->s);
			has_type = true;
		} else if (!strcmp(k->s, "port")) {
			if (parse_num(p, a, 1, 65535, false, &v) < 0)
				return -1;
			d->port = (uint16_t)v;
		} else if (!strcmp(k->s, "path")) {
			if (a->s[0] != '/' || strpbrk(a->s, " \r\n"))
				return perr(p, a, "\"%s\": expected a path starting with / and without spaces",
					    a->s);
			d->path = a->s;
		} else if (!strcmp(k->s, "host")) {
			if (!a->s[0] || strpbrk(a->s, " \r\n"))
				return perr(p, a, "\"%s\": invalid host", a->s);
			d->host = a->s;
		} else if (!strcmp(k->s, "expect")) {
			if (!a->s[0])
				return perr(p, a, "\"\": expect needs a non-empty string");
			d->expect = a->s;
		} else if (!strcmp(k->s, "send")) {
			d->send = a->s;
		} else if (!strcmp(k->s, "command")) {
			if (!a->s[0])
				return perr(p, a, "\"\": command needs a non-empty string");
			d->command = a->s;
		} else if (!strcmp(k->s, "query")) {
			size_t n = strlen(a->s);

			if (n == 0 || n > 253 || strstr(a->s, "..") || a->s[0] == '.')
				return perr(p, a, "\"%s\": invalid DNS name", a->s);
			d->query = a->s;
		} else if (!strcmp(k->s, "qtype")) {
			if (!strcmp(a->s, "A"))
				d->qtype = 1;
			else if (!strcmp(a->s, "AAAA"))
				d->qtype = 28;
			else if (!strcmp(a->s, "SOA"))
				d->qtype = 6;
			else if (!strcmp(a->s, "NS"))
				d->qtype = 2;
			else
				return perr(p, a, "\"%s\": unknown qtype (expected A, AAAA, NS or SOA)",
					    a->s);
		} else if (!strcmp(k->s, "status")) {
			char *dash = strchr(a->s, '-');
			uint64_t lo, hi;
			char tmp[16];

			if (strlen(a->s) >= sizeof(tmp))
				return perr(p, a, "\"%s\": expected a status or a range (200-399)",
					    a->s);
			snprintf(tmp, sizeof(tmp), "%s", a->s);
			if (dash)
				tmp[dash - a->s] = '\0';
			if (parse_uint(tmp, "status", 599, false, NULL, &lo) < 0 ||
			    lo < 100 ||
			    parse_uint(dash ? dash + 1 : tmp, "status", 599,
				       false, NULL, &hi) < 0 || hi < lo)
				return perr(p, a, "\"%s\": expected a status or a range within 100-599 (200-399)",
					    a->s);
			d->status_lo = (uint16_t)lo;
			d->status_hi = (uint16_t)hi;
		} else if (!strcmp(k->s, "interval")) {
			if (parse_dur(p, a, 100, 3600000, &d->interval_ms) < 0)
				return -1;
		} else if (!strcmp(k->s, "fast-interval")) {
			if (parse_dur(p, a, 100, 3600000, &d->fast_ms) < 0)
				return -1;
		} else if (!strcmp(k->s, "timeout")) {
			if (parse_dur(p, a, 10, 3600000, &d->timeout_ms) < 0)
				return -1;
		} else if (!strcmp(k->s, "rise") || !strcmp(k->s, "fall")) {
			if (parse_num(p, a, 1, 100, false, &v) < 0)
				return -1;
			if (k->s[0] == 'r')
				d->rise = (unsigned int)v;
			else
				d->fall = (unsigned int)v;
		} else if (!strcmp(k->s, "mode")) {
			if (!strcmp(a->s, "direct"))
				d->mode = MODE_DIRECT;
			else if (!strcmp(a->s, "tunnel"))
				d->mode = MODE_TUNNEL;
			else
				return perr(p, a, "\"%s\": unknown mode (expected direct or tunnel)",
					    a->s);
		} else {
			return perr(p, k, "\"%s\": unknown check setting (expected type, port, path, host, status, expect, send, query, qtype, command, interval, fast-interval, timeout, rise, fall or mode)",
				    k->s);
		}
	}
	if (r < 0)
		return -1;
	if (!has_type)
		return perr(p, hdr->w[1], "\"%s\": check without a type (add \"type tcp;\", http, udp, dns or exec)",
			    d->name);
	if (d->type == CHK_EXEC && !d->command)
		return perr(p, hdr->w[1], "\"%s\": an exec check needs \"command\"",
			    d->name);
	if (d->type == CHK_DNS && !d->query)
		return perr(p, hdr->w[1], "\"%s\": a dns check needs \"query\"",
			    d->name);
	if (d->type == CHK_EXEC && d->mode == MODE_TUNNEL)
		return perr(p, hdr->w[1], "\"%s\": an exec check cannot be tunnelled (mode direct)",
			    d->name);
	/* while a change is pending: back to back, so a dead backend is
	 * down within interval + fall x timeout */
	if (!d->fast_ms)
		d->fast_ms = d->timeout_ms < 100 ? 100 : d->timeout_ms;
	if (d->timeout_ms > d->interval_ms)
		return perr(p, hdr->w[1], "\"%s\": timeout %ums is longer than interval %ums",
			    d->name, d->timeout_ms, d->interval_ms);
	if (d->fast_ms > d->interval_ms)
		return perr(p, hdr->w[1], "\"%s\": fast-interval %ums is longer than interval %ums",
			    d->name, d->fast_ms, d->interval_ms);
	if (d->timeout_ms > d->fast_ms)
		d->fast_ms = d->timeout_ms;
	sig_add(&d->sig, "%s|%d|%u|%s|%s|%s|%s|%s|%s|%u-%u|%u|%u|%u|%u|%u|%u|%d",
		d->name, d->type, d->port, d->path, d->host ? d->host : "",
		d->expect ? d->expect : "", d->command ? d->command : "",
		d->send ? d->send : "", d->query ? d->query : "",
		d->status_lo, d->status_hi, d->qtype, d->interval_ms,
		d->fast_ms, d->timeout_ms, d->rise, d->fall, d->mode);
	return 0;
}

/* ------------------------------------------------------------------ */
/* service PROTO VIP:PORT { ... }                                      */

void default_dev(const struct mg_addr *vip, char out[16])
{
	if (vip->family == AF_INET) {
		snprintf(out, 16, "mgv%08x", ntohl(vip->u.v4.s_addr));
	} else {
		/* FNV-1a over the 16 bytes, 44 bits shown */
		uint64_t h = 0xcbf29ce484222325ULL;

		for (int i = 0; i < 16; i++) {
			h ^= vip->u.v6.s6_addr[i];
			h *= 0x100000001b3ULL;
		}
		snprintf(out, 16, "mgv6%011llx",
			 (unsigned long long)(h & 0xfffffffffffULL));
	}
}

const char *svc_name(const struct mg_service *s, char *buf, size_t len)
{
	char ep[EP_STRLEN];

	snprintf(buf, len, "%s %s", proto_name(s->proto),
		 fmt_endpoint(&s->vip, s->port, ep, sizeof(ep)));
	return buf;
}

static int block_service(struct parser *p, struct stmt *hdr)
{
	struct conf *c = p->c;
	struct conf_service *s;
	struct seenkw seen = { .n = 0 };
	char *argv[MAXW + 2];
	int argc = 2, r;
	bool has_quorum = false;
	struct stmt st;
	uint64_t v;

	if (hdr->n != 3 || !hdr->block)
		return perr(p, hdr->w[hdr->n - 1], "\"%s\": expected \"service PROTO VIP:PORT {\"",
			    hdr->w[hdr->n - 1]->s);
	s = realloc(c->svc, (c->nsvc + 1) * sizeof(*s));
	if (!s)
		return perr(p, hdr->w[0], "out of memory");
	c->svc = s;
	s = &c->svc[c->nsvc++];
	memset(s, 0, sizeof(*s));
	s->line = hdr->w[0]->line;
	s->announce = true;
	s->quorum = 1;
	argv[0] = hdr->w[1]->s;
	argv[1] = hdr->w[2]->s;
	if (parse_service_args(2, argv, SVC_ADD, s->line, &s->svc) < 0)
		return perr(p, strstr(mg_err, "protocol") ? hdr->w[1] : hdr->w[2],
			    "%s", mg_err);
	for (size_t i = 0; i + 1 < c->nsvc; i++)
		if (!service_key_cmp(&c->svc[i].svc, &s->svc))
			return perr(p, hdr->w[2], "\"%s %s\": service defined twice (first on line %d)",
				    hdr->w[1]->s, hdr->w[2]->s, c->svc[i].line);

	while ((r = read_stmt(p, &st, true)) == 0) {
		struct tok *k = st.w[0], *a = st.n > 1 ? st.w[1] : NULL;

		if (!strcmp(k->s, "backend")) {
			struct conf_backend *b;
			struct seenkw bs = { .n = 0 };

			if (st.block)
				return perr(p, k, "\"backend\" takes no block: backend ADDR [weight N] [down];");
			if (!a)
				return perr(p, k, "\"backend\": missing address after it");
			b = realloc(s->be, (s->nbe + 1) * sizeof(*b));
			if (!b)
				return perr(p, k, "out of memory");
			s->be = b;
			b = &s->be[s->nbe++];
			memset(b, 0, sizeof(*b));
			b->line = k->line;
			b->weight = MAGLEV_WEIGHT_DEFAULT;
			if (parse_addr(a->s, "backend", 0, &b->addr) < 0)
				return perr(p, a, "%s", mg_err);
			for (size_t i = 0; i + 1 < s->nbe; i++)
				if (!addr_cmp(&s->be[i].addr, &b->addr))
					return perr(p, a, "\"%s\": backend listed twice in this service (first on line %d)",
						    a->s, s->be[i].line);
			for (int i = 2; i < st.n; i++) {
				struct tok *o = st.w[i];

				if (once(p, &bs, o) < 0)
					return -1;
				if (!strcmp(o->s, "weight")) {
					if (i + 1 >= st.n)
						return perr(p, o, "\"weight\": missing value after it");
					if (parse_num(p, st.w[++i], 0, MAGLEV_WEIGHT_MAX,
						      false, &v) < 0)
						return -1;
					b->weight = (uint32_t)v;
				} else if (!strcmp(o->s, "down")) {
					b->admin_down = true;
				} else if (!strcmp(o->s, "up")) {
					b->admin_down = false;
				} else {
					return perr(p, o, "\"%s\": unknown backend option (expected weight N, up or down)",
						    o->s);
				}
			}
			continue;
		}
		if (once(p, &seen, k) < 0)
			return -1;
		if (!strcmp(k->s, "check")) {
			if (st.block || st.n < 2)
				return perr(p, k, "\"check\": expected \"check NAME [NAME...];\"");
			for (int i = 1; i < st.n; i++) {
				struct check_def *d = NULL, **n;

				for (size_t j = 0; j < c->nchk; j++)
					if (!strcmp(c->chk[j].name, st.w[i]->s))
						d = &c->chk[j];
				if (!d)
					return perr(p, st.w[i], "\"%s\": no such check (define it above with \"check %s { ... }\")",
						    st.w[i]->s, st.w[i]->s);
				n = realloc(s->chk, (s->nchk + 1) * sizeof(*n));
				if (!n)
					return perr(p, k, "out of memory");
				s->chk = n;
				s->chk[s->nchk++] = d;
			}
			continue;
		}
		if (want_args(p, &st, 1, 1, "a value") < 0)
			return -1;
		if (!strcmp(k->s, "quorum")) {
			if (parse_num(p, a, 0, MAGLEV_WEIGHT_MAX, false, &v) < 0)
				return -1;
			s->quorum = (unsigned int)v;
			has_quorum = true;
		} else if (!strcmp(k->s, "announce")) {
			bool on;

			if (parse_onoff(a->s, "announce", &on) < 0)
				return perr(p, a, "%s", mg_err);
			s->announce = on;
		} else if (!strcmp(k->s, "device")) {
			size_t n = strlen(a->s);

			if (n == 0 || n > 15 || strpbrk(a->s, "/: ") ||
			    !strcmp(a->s, ".") || !strcmp(a->s, ".."))
				return perr(p, a, "\"%s\": invalid device name (1 to 15 characters, no '/', ':' or space)",
					    a->s);
			memcpy(s->dev, a->s, n + 1);
		} else if (!strcmp(k->s, "table-size") || !strcmp(k->s, "hash") ||
			   !strcmp(k->s, "gre-key") || !strcmp(k->s, "gre-csum")) {
			char *one[4] = { argv[0], argv[1], k->s, a->s };
			struct mg_service tmp;

			if (parse_service_args(4, one, SVC_ADD, k->line, &tmp) < 0)
				return perr(p, a, "%s", mg_err);
			argv[argc++] = k->s;
			argv[argc++] = a->s;
		} else {
			return perr(p, k, "\"%s\": unknown service setting (expected backend, check, quorum, announce, device, table-size, hash, gre-key or gre-csum)",
				    k->s);
		}
	}
	if (r < 0)
		return -1;
	if (parse_service_args(argc, argv, SVC_ADD, s->line, &s->svc) < 0)
		return perr(p, hdr->w[2], "%s", mg_err);
	fix_origin(c, &s->svc.o_table_size);
	fix_origin(c, &s->svc.o_hash);
	fix_origin(c, &s->svc.o_gre_key);
	fix_origin(c, &s->svc.o_gre_csum);
	if (has_quorum && s->quorum > s->nbe)
		return perr(p, hdr->w[2], "\"%s\": quorum %u is more than its %zu backends: it could never be announced",
			    hdr->w[2]->s, s->quorum, s->nbe);
	if (!has_quorum && s->nbe == 0)
		s->quorum = 0;
	if (!s->dev[0])
		default_dev(&s->svc.vip, s->dev);
	for (int i = 2; i < argc; i++)
		sig_add(&s->ksig, "%s ", argv[i]);
	for (size_t i = 0; i < s->nbe; i++) {
		char a[ADDR_STRLEN];

		sig_add(&s->ksig, "| %s %u %d ", fmt_addr(&s->be[i].addr, a, sizeof(a)),
			s->be[i].weight, s->be[i].admin_down);
	}
	if (!s->ksig)
		sig_add(&s->ksig, "-");
	return 0;
}

enum chk_mode check_mode(const struct conf *c, const struct check_def *d)
{
	if (d->type == CHK_EXEC)
		return MODE_DIRECT;
	if (d->mode != MODE_AUTO)
		return d->mode;
	return c->has_probe_mark ? MODE_TUNNEL : MODE_DIRECT;
}

/* Cross-checks once everything is read. */
static int finish(struct parser *p)
{
	struct conf *c = p->c;
	struct tok *end = &c->toks[c->ntoks - 1];

	if (c->has_probe_mark) {
		c->ns.probe_mark = c->probe_mark;
		c->ns.probe_mask = c->probe_mask;
		c->ns.has |= CFG_HAS_PROBE;
	}
	for (size_t i = 0; i < c->nsvc; i++) {
		struct conf_service *s = &c->svc[i];
		char name[80];

		svc_name(&s->svc, name, sizeof(name));
		for (size_t j = 0; j < s->nchk; j++) {
			const struct check_def *d = s->chk[j];
			uint16_t port = d->port ? d->port : s->svc.port;
			struct tok t = { T_WORD, d->name, s->line, 1 };

			if (check_mode(c, d) != MODE_TUNNEL) {
				if (!port && d->type != CHK_EXEC)
					return perr(p, &t, "\"%s\": service %s has port 0, the check needs a \"port\"",
						    d->name, name);
				continue;
			}
			if (!c->has_probe_mark)
				return perr(p, &t, "\"%s\": mode tunnel needs \"probe-mark\" in the namespace block",
					    d->name);
			if ((d->type == CHK_TCP || d->type == CHK_HTTP) !=
			    (s->svc.proto == IPPROTO_TCP))
				return perr(p, &t, "\"%s\": a tunnelled %s check cannot test %s (protocols differ; use mode direct)",
					    d->name, chk_type_name(d->type), name);
			if (s->svc.port && d->port && d->port != s->svc.port)
				return perr(p, &t, "\"%s\": a tunnelled check goes to the service's port %u, not %u",
					    d->name, s->svc.port, d->port);
			if (!port)
				return perr(p, &t, "\"%s\": service %s has port 0, the check needs a \"port\"",
					    d->name, name);
		}
		for (size_t j = 0; j < i; j++) {
			struct conf_service *o = &c->svc[j];
			bool same_vip = !addr_cmp(&o->svc.vip, &s->svc.vip);

			if (!s->announce || !o->announce)
				continue;
			if (same_vip && strcmp(o->dev, s->dev)) {
				struct tok t = { T_WORD, s->dev, s->line, 1 };

				return perr(p, &t, "\"%s\": the VIP of %s is announced by device \"%s\" already (line %d)",
					    s->dev, name, o->dev, o->line);
			}
			if (!same_vip && !strcmp(o->dev, s->dev)) {
				struct tok t = { T_WORD, s->dev, s->line, 1 };

				return perr(p, &t, "\"%s\": device already announces another VIP (line %d)",
					    s->dev, o->line);
			}
		}
	}
	(void)end;
	return 0;
}

static int parse_all(struct parser *p)
{
	struct stmt st;
	int r;

	if (tokenize(p) < 0)
		return -1;
	while ((r = read_stmt(p, &st, false)) == 0) {
		struct tok *k = st.w[0];

		if (!strcmp(k->s, "namespace")) {
			if (p->c->ns_sig || p->c->ns.has)
				return perr(p, k, "\"namespace\": block given twice");
			r = block_namespace(p, &st);
			if (!p->c->ns_sig)
				sig_add(&p->c->ns_sig, "-");
		} else if (!strcmp(k->s, "daemon")) {
			r = block_daemon(p, &st);
		} else if (!strcmp(k->s, "check")) {
			r = block_check(p, &st);
		} else if (!strcmp(k->s, "service")) {
			r = block_service(p, &st);
		} else {
			return perr(p, k, "\"%s\": unknown statement (expected namespace, daemon, check or service)",
				    k->s);
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	return finish(p);
}

static char *read_all(const char *file, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			char *nb;

			cap = cap ? 2 * cap : 16384;
			if (cap > (16u << 20)) {
				snprintf(err, errlen, "%s: larger than 16 MiB", file);
				goto fail;
			}
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", file);
		goto fail;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "%s: a NUL byte: not a text file", file);
		goto fail;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

struct conf *conf_load(const char *file, const char *text, char *err,
		       size_t errlen)
{
	struct conf *c = calloc(1, sizeof(*c));
	struct parser p = { .c = c, .err = err, .errlen = errlen };

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->file = strdup(file);
	c->text = text ? strdup(text) : read_all(file, err, errlen);
	if (!c->file || !c->text) {
		if (c->file && text)
			snprintf(err, errlen, "out of memory");
		conf_free(c);
		return NULL;
	}
	c->status_path = MAGLEVD_SOCK;
	c->drain_ms = 0;
	c->warmup_ms = 30000;
	c->health_ms = 1000;
	c->max_exec = 32;
	if (parse_all(&p) < 0) {
		conf_free(c);
		return NULL;
	}
	if (!c->ns_sig)
		sig_add(&c->ns_sig, "-");
	return c;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nchk; i++)
		free(c->chk[i].sig);
	for (size_t i = 0; i < c->nsvc; i++) {
		free(c->svc[i].be);
		free(c->svc[i].chk);
		free(c->svc[i].ksig);
	}
	free(c->chk);
	free(c->svc);
	free(c->ns_sig);
	free(c->toks);
	free(c->text);
	free(c->file);
	free(c);
}

uint32_t probe_mark_for(uint32_t mark, uint32_t mask, uint32_t id)
{
	return (mark & mask) | (id & ~mask);
}
