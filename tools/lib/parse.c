// SPDX-License-Identifier: GPL-2.0
/*
 * libmaglev: words -> objects.  Pure functions (no netlink): test.c runs
 * them.  Only syntax is checked here; ranges that the protocol leaves to
 * the kernel (prime table sizes, weight <= MAGLEV_WEIGHT_MAX, ...) are the
 * kernel's to refuse, so its extended ack is what the user sees.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "libmaglev.h"

char mg_err[512];

int mg_seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mg_err, sizeof(mg_err), fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Words                                                               */

/*
 * A decimal number (or 0x-prefixed hexadecimal when allow_hex) in 0..max:
 * no sign, no spaces, nothing after it.  expected is what the message
 * says was expected (NULL: "0..max").
 */
int parse_uint(const char *word, const char *what, uint64_t max,
	       bool allow_hex, const char *expected, uint64_t *out)
{
	const char *p = word;
	uint64_t v = 0;
	int base = 10;
	char range[48];

	if (!expected) {
		snprintf(range, sizeof(range), "0..%llu",
			 (unsigned long long)max);
		expected = range;
	}
	if (allow_hex && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		goto bad;
	for (; *p; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned int)(tolower((unsigned char)*p) - 'a' + 10);
		else
			goto bad;
		if (v > (max - d) / base)
			goto bad;
		v = v * base + d;
	}
	*out = v;
	return 0;
bad:
	return mg_seterr("invalid %s \"%s\" (expected %s)", what, word,
			 expected);
}

static const char *const proto_names[][2] = {
	{ "tcp", "6" }, { "udp", "17" }, { "sctp", "132" },
};

int parse_proto(const char *word, uint8_t *proto)
{
	if (!strcmp(word, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(word, "udp"))
		*proto = IPPROTO_UDP;
	else if (!strcmp(word, "sctp"))
		*proto = IPPROTO_SCTP;
	else
		return mg_seterr("invalid protocol \"%s\" (expected tcp, udp or sctp)",
				 word);
	return 0;
}

const char *proto_name(uint8_t proto)
{
	static char buf[8];

	switch (proto) {
	case IPPROTO_TCP:
		return proto_names[0][0];
	case IPPROTO_UDP:
		return proto_names[1][0];
	case IPPROTO_SCTP:
		return proto_names[2][0];
	}
	snprintf(buf, sizeof(buf), "%u", proto);
	return buf;
}

static const char *const hash_names[] = {
	[MAGLEV_HASH_5TUPLE] = "5tuple",
	[MAGLEV_HASH_SRC] = "src",
	[MAGLEV_HASH_SRC_DST] = "src-dst",
	[MAGLEV_HASH_NO_SPORT] = "no-sport",
};

int parse_hash(const char *word, uint8_t *hash)
{
	for (unsigned int i = 0; i < sizeof(hash_names) / sizeof(hash_names[0]); i++) {
		if (!strcmp(word, hash_names[i])) {
			*hash = (uint8_t)i;
			return 0;
		}
	}
	return mg_seterr("invalid hash \"%s\" (expected 5tuple, src, src-dst or no-sport)",
			 word);
}

const char *hash_name(uint8_t hash)
{
	static char buf[8];

	if (hash < sizeof(hash_names) / sizeof(hash_names[0]))
		return hash_names[hash];
	snprintf(buf, sizeof(buf), "%u", hash);
	return buf;
}

int parse_state(const char *word, uint8_t *state)
{
	if (!strcmp(word, "up"))
		*state = MAGLEV_BE_STATE_UP;
	else if (!strcmp(word, "down"))
		*state = MAGLEV_BE_STATE_DOWN;
	else
		return mg_seterr("invalid state \"%s\" (expected up or down)",
				 word);
	return 0;
}

const char *state_name(uint8_t state)
{
	static char buf[8];

	if (state == MAGLEV_BE_STATE_UP)
		return "up";
	if (state == MAGLEV_BE_STATE_DOWN)
		return "down";
	snprintf(buf, sizeof(buf), "%u", state);
	return buf;
}

const char *reason_name(uint8_t reason)
{
	static char buf[8];

	switch (reason) {
	case MAGLEV_REASON_NO_SERVICE:
		return "no-service";
	case MAGLEV_REASON_TABLE:
		return "table";
	case MAGLEV_REASON_NO_BACKEND:
		return "no-backend";
	case MAGLEV_REASON_CONN:
		return "conn";
	case MAGLEV_REASON_NODEST_DROP:
		return "nodest-drop";
	}
	snprintf(buf, sizeof(buf), "%u", reason);
	return buf;
}

const char *nodest_name(uint8_t v)
{
	static char buf[8];

	if (v == MAGLEV_EXPIRE_NODEST_DROP)
		return "drop";
	if (v == MAGLEV_EXPIRE_NODEST_REHASH)
		return "rehash";
	snprintf(buf, sizeof(buf), "%u", v);
	return buf;
}

/* Connection states and their timeouts, by MAGLEV_TIMEOUT_A_*. */
static const char *const timeout_names[][3] = {
	[MAGLEV_TIMEOUT_A_TCP_SYN] = { "tcp-syn", "timeout-tcp-syn", "tcp_syn" },
	[MAGLEV_TIMEOUT_A_TCP_EST] = { "tcp-est", "timeout-tcp-est", "tcp_est" },
	[MAGLEV_TIMEOUT_A_TCP_FIN] = { "tcp-fin", "timeout-tcp-fin", "tcp_fin" },
	[MAGLEV_TIMEOUT_A_TCP_CLOSE] = { "tcp-close", "timeout-tcp-close", "tcp_close" },
	[MAGLEV_TIMEOUT_A_UDP] = { "udp", "timeout-udp", "udp" },
	[MAGLEV_TIMEOUT_A_SCTP] = { "sctp", "timeout-sctp", "sctp" },
};
#define N_TIMEOUT_NAMES ((int)(sizeof(timeout_names) / sizeof(timeout_names[0])))

const char *conn_state_name(uint8_t state)
{
	static char buf[8];

	if (state < N_TIMEOUT_NAMES && timeout_names[state][0])
		return timeout_names[state][0];
	snprintf(buf, sizeof(buf), "%u", state);
	return buf;
}

const char *timeout_kw(int t)
{
	return t > 0 && t < N_TIMEOUT_NAMES ? timeout_names[t][1] : NULL;
}

const char *timeout_json(int t)
{
	return t > 0 && t < N_TIMEOUT_NAMES ? timeout_names[t][2] : NULL;
}

int parse_onoff(const char *word, const char *what, bool *on)
{
	if (!strcmp(word, "on"))
		*on = true;
	else if (!strcmp(word, "off"))
		*on = false;
	else
		return mg_seterr("invalid %s \"%s\" (expected on or off)",
				 what, word);
	return 0;
}

/* An address, optionally in brackets; family 0 accepts either. */
int parse_addr(const char *word, const char *what, int family,
	       struct mg_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 2];
	const char *s = word;
	size_t len = strlen(word);
	const char *expected = family == AF_INET ? "an IPv4 address" :
			       family == AF_INET6 ? "an IPv6 address" :
			       "an IPv4 or IPv6 address";

	memset(a, 0, sizeof(*a));
	if (len >= 2 && word[0] == '[' && word[len - 1] == ']') {
		if (len - 2 >= sizeof(buf))
			goto bad;
		memcpy(buf, word + 1, len - 2);
		buf[len - 2] = '\0';
		s = buf;
		if (family != AF_INET && inet_pton(AF_INET6, s, &a->u.v6) == 1) {
			a->family = AF_INET6;
			return 0;
		}
		goto bad;
	}
	if (family != AF_INET6 && inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (family != AF_INET && inet_pton(AF_INET6, s, &a->u.v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
bad:
	return mg_seterr("invalid %s \"%s\" (expected %s)", what, word,
			 expected);
}

/* ADDR4:PORT or [ADDR6]:PORT. */
int parse_endpoint(const char *word, const char *what, struct mg_addr *a,
		   uint16_t *port)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *p;
	uint64_t v;
	size_t hlen;

	memset(a, 0, sizeof(*a));
	if (word[0] == '[') {
		p = strchr(word, ']');
		if (!p || p[1] != ':')
			goto bad;
		colon = p + 1;
		hlen = (size_t)(p - word - 1);
		if (hlen >= sizeof(host))
			goto bad;
		memcpy(host, word + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, &a->u.v6) != 1)
			goto bad;
		a->family = AF_INET6;
	} else {
		colon = strchr(word, ':');
		if (!colon || strchr(colon + 1, ':'))
			goto bad;
		hlen = (size_t)(colon - word);
		if (hlen >= sizeof(host))
			goto bad;
		memcpy(host, word, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET, host, &a->u.v4) != 1)
			goto bad;
		a->family = AF_INET;
	}
	if (parse_uint(colon + 1, "port", 65535, false, NULL, &v) < 0)
		return mg_seterr("invalid port \"%s\" in %s \"%s\" (expected 0..65535)",
				 colon + 1, what, word);
	*port = (uint16_t)v;
	return 0;
bad:
	return mg_seterr("invalid %s \"%s\" (expected ADDR:PORT or [ADDR6]:PORT)",
			 what, word);
}

/* Up to 32 hex digits, big-endian, zero-padded on the left; or "random". */
int parse_seed(const char *word, uint8_t seed[16])
{
	const char *p = word;
	size_t n;

	memset(seed, 0, 16);
	if (!strcmp(word, "random")) {
		size_t got = 0;

		while (got < 16) {
			ssize_t r = getrandom(seed + got, 16 - got, 0);

			if (r < 0) {
				if (errno == EINTR)
					continue;
				return mg_seterr("getrandom: %s", strerror(errno));
			}
			got += (size_t)r;
		}
		return 0;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	n = strlen(p);
	if (n == 0 || n > 32)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		char c = p[n - 1 - i];
		unsigned int d;

		if (!isxdigit((unsigned char)c))
			goto bad;
		d = isdigit((unsigned char)c) ? (unsigned int)(c - '0') :
		    (unsigned int)(tolower((unsigned char)c) - 'a' + 10);
		seed[15 - i / 2] |= (uint8_t)(i % 2 ? d << 4 : d);
	}
	return 0;
bad:
	memset(seed, 0, 16);
	return mg_seterr("invalid seed \"%s\" (expected up to 32 hex digits or random)",
			 word);
}

const char *fmt_seed(const uint8_t seed[16], char buf[33])
{
	for (int i = 0; i < 16; i++)
		snprintf(buf + 2 * i, 3, "%02x", seed[i]);
	return buf;
}

const char *fmt_addr(const struct mg_addr *a, char *buf, size_t len)
{
	if (a->family == AF_INET)
		inet_ntop(AF_INET, &a->u.v4, buf, (socklen_t)len);
	else if (a->family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.v6, buf, (socklen_t)len);
	else
		snprintf(buf, len, "none");
	return buf;
}

const char *fmt_endpoint(const struct mg_addr *a, uint16_t port, char *buf,
			 size_t len)
{
	char ab[ADDR_STRLEN];

	fmt_addr(a, ab, sizeof(ab));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ab, port);
	else
		snprintf(buf, len, "%s:%u", ab, port);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Objects                                                             */

int addr_cmp(const struct mg_addr *a, const struct mg_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == AF_INET)
		return memcmp(&a->u.v4, &b->u.v4, 4);
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, 16);
	return 0;
}

int service_key_cmp(const struct mg_service *a, const struct mg_service *b)
{
	int c;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	c = addr_cmp(&a->vip, &b->vip);
	if (c)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

static int be_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct mg_backend *)a)->addr,
			&((const struct mg_backend *)b)->addr);
}

void service_sort_backends(struct mg_service *s)
{
	if (s->nbe > 1)
		qsort(s->be, s->nbe, sizeof(*s->be), be_cmp);
}

struct mg_backend *service_add_backend(struct mg_service *s)
{
	if (s->nbe == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct mg_backend *be = realloc(s->be, cap * sizeof(*be));

		if (!be)
			return NULL;
		s->be = be;
		s->cap = cap;
	}
	memset(&s->be[s->nbe], 0, sizeof(s->be[0]));
	return &s->be[s->nbe++];
}

void service_free(struct mg_service *s)
{
	free(s->be);
	s->be = NULL;
	s->nbe = s->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Command arguments                                                   */

static void set_origin(struct origin *o, const char *kw, const char *word,
		       int line)
{
	o->kw = kw;
	o->word = word;
	o->line = line;
}

#define CONFIG_KWS "seed, source, source6, ttl, table-size, hash, conn-max, " \
	"expire-nodest, icmp, probe-mark, pool, frag-max, frag-hold, " \
	"frag-hold-bytes, frag-timeout or timeout-STATE"

/* Options seen so far, to refuse one given twice. */
struct seen {
	const char *kw[32];
	int n;
};

static int seen_once(struct seen *s, const char *kw)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->kw[i], kw))
			return mg_seterr("option \"%s\" given twice", kw);
	if (s->n < 32)
		s->kw[s->n++] = kw;
	return 0;
}

/* PROTO VIP:PORT: the service key. */
static int parse_key(int argc, char **argv, int line, struct mg_service *s)
{
	if (argc < 1)
		return mg_seterr("missing protocol (expected tcp, udp or sctp)");
	if (parse_proto(argv[0], &s->proto) < 0)
		return -1;
	set_origin(&s->o_proto, NULL, argv[0], line);
	if (argc < 2)
		return mg_seterr("missing service address after \"%s\" (expected VIP:PORT or [VIP6]:PORT)",
				 argv[0]);
	if (parse_endpoint(argv[1], "service", &s->vip, &s->port) < 0)
		return -1;
	set_origin(&s->o_key, NULL, argv[1], line);
	return 0;
}

int parse_service_args(int argc, char **argv, enum svc_mode mode, int line,
		       struct mg_service *s)
{
	struct seen seen = { .n = 0 };
	uint64_t v;
	bool on = false;
	int i;

	memset(s, 0, sizeof(*s));
	s->line = line;
	if (mode == SVC_SHOW && argc == 0)
		return 0;
	if (parse_key(argc, argv, line, s) < 0)
		return -1;
	if (mode == SVC_DEL || mode == SVC_SHOW) {
		if (argc > 2)
			return mg_seterr("unexpected \"%s\" after the service",
					 argv[2]);
		return 0;
	}
	for (i = 2; i < argc; i += 2) {
		const char *kw = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(kw, "table-size") && strcmp(kw, "hash") &&
		    strcmp(kw, "gre-key") && strcmp(kw, "gre-csum"))
			return mg_seterr("unknown service option \"%s\" (expected table-size, hash, gre-key or gre-csum)",
					 kw);
		if (i + 1 >= argc)
			return mg_seterr("missing value after \"%s\"", kw);
		if (seen_once(&seen, kw) < 0)
			return -1;
		if (!strcmp(kw, "table-size")) {
			if (parse_uint(val, "table-size", UINT32_MAX, false,
				       "a prime number", &v) < 0)
				return -1;
			s->table_size = (uint32_t)v;
			s->has |= SVC_HAS_TABLE_SIZE;
			set_origin(&s->o_table_size, kw, val, line);
		} else if (!strcmp(kw, "hash")) {
			if (parse_hash(val, &s->hash) < 0)
				return -1;
			s->has |= SVC_HAS_HASH;
			set_origin(&s->o_hash, kw, val, line);
		} else if (!strcmp(kw, "gre-key")) {
			if (!strcmp(val, "none")) {
				s->gre_key_op = OPT_OFF;
			} else {
				if (parse_uint(val, "gre-key", UINT32_MAX, true,
					       "0..4294967295, 0xHEX or none",
					       &v) < 0)
					return -1;
				s->gre_key = (uint32_t)v;
				s->gre_key_op = OPT_ON;
			}
			set_origin(&s->o_gre_key, kw, val, line);
		} else {
			if (parse_onoff(val, "gre-csum", &on) < 0)
				return -1;
			s->gre_csum_op = on ? OPT_ON : OPT_OFF;
			set_origin(&s->o_gre_csum, kw, val, line);
		}
	}
	if (mode == SVC_SET && argc == 2)
		return mg_seterr("nothing to change (expected table-size, hash, gre-key or gre-csum)");
	/* For set, FLAGS_MASK names the bits given: the kernel changes only
	 * those, atomically; add sets them all. */
	if (s->gre_key_op || s->gre_csum_op) {
		s->has |= SVC_HAS_FLAGS;
		if (s->gre_key_op == OPT_ON) {
			s->flags |= MAGLEV_SVC_F_GRE_KEY;
			s->has |= SVC_HAS_GRE_KEY;
		}
		if (s->gre_csum_op == OPT_ON)
			s->flags |= MAGLEV_SVC_F_GRE_CSUM;
		if (s->gre_key_op)
			s->flags_mask |= MAGLEV_SVC_F_GRE_KEY;
		if (s->gre_csum_op)
			s->flags_mask |= MAGLEV_SVC_F_GRE_CSUM;
		if (mode == SVC_SET)
			s->has |= SVC_HAS_FLAGS_MASK;
	}
	return 0;
}

int parse_backend_args(int argc, char **argv, enum be_mode mode, int line,
		       struct mg_service *s, struct mg_backend *b)
{
	struct seen seen = { .n = 0 };
	uint64_t v;
	int i;

	memset(s, 0, sizeof(*s));
	memset(b, 0, sizeof(*b));
	s->line = line;
	if (parse_key(argc, argv, line, s) < 0)
		return -1;
	if (argc < 3)
		return mg_seterr("missing backend address after \"%s\"",
				 argv[1]);
	if (parse_addr(argv[2], "backend", 0, &b->addr) < 0)
		return -1;
	set_origin(&b->o_addr, NULL, argv[2], line);
	if (mode == BE_DEL) {
		if (argc > 3)
			return mg_seterr("unexpected \"%s\" after the backend",
					 argv[3]);
		return 0;
	}
	for (i = 3; i < argc; i += 2) {
		const char *kw = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(kw, "weight") && strcmp(kw, "state"))
			return mg_seterr("unknown backend option \"%s\" (expected weight or state)",
					 kw);
		if (i + 1 >= argc)
			return mg_seterr("missing value after \"%s\"", kw);
		if (seen_once(&seen, kw) < 0)
			return -1;
		if (!strcmp(kw, "weight")) {
			char exp[32];

			snprintf(exp, sizeof(exp), "0..%u", MAGLEV_WEIGHT_MAX);
			if (parse_uint(val, "weight", UINT32_MAX, false, exp,
				       &v) < 0)
				return -1;
			b->weight = (uint32_t)v;
			b->has |= BE_HAS_WEIGHT;
			set_origin(&b->o_weight, kw, val, line);
		} else {
			if (parse_state(val, &b->state) < 0)
				return -1;
			b->has |= BE_HAS_STATE;
			set_origin(&b->o_state, kw, val, line);
		}
	}
	if (mode == BE_SET && argc == 3)
		return mg_seterr("nothing to change (expected weight or state)");
	return 0;
}

/*
 * probe-mark VALUE[/MASK] (as ip rule's fwmark; hex with 0x) or off. Without
 * MASK only the mark is set: the kernel keeps its mask.
 */
static int parse_probe_mark(const char *val, struct mg_config *c)
{
	const char *exp = "VALUE[/MASK] or off, e.g. 0x4d470000/0xffff0000";
	char buf[64], *slash;
	uint64_t v;

	if (!strcmp(val, "off")) {
		c->probe_mark = c->probe_mask = 0;
		c->has |= CFG_HAS_PROBE_MARK | CFG_HAS_PROBE_MASK;
		return 0;
	}
	if (strlen(val) >= sizeof(buf))
		return mg_seterr("invalid probe-mark \"%s\" (expected %s)", val,
				 exp);
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (parse_uint(buf, "probe-mark", UINT32_MAX, true, exp, &v) < 0)
		return -1;
	c->probe_mark = (uint32_t)v;
	c->has |= CFG_HAS_PROBE_MARK;
	if (!slash)
		return 0;
	if (parse_uint(slash + 1, "probe-mark mask", UINT32_MAX, true, exp,
		       &v) < 0)
		return -1;
	c->probe_mask = (uint32_t)v;
	c->has |= CFG_HAS_PROBE_MASK;
	return 0;
}

int parse_config_args(int argc, char **argv, int line, struct mg_config *c)
{
	struct seen seen = { .n = 0 };
	uint64_t v;
	int i;

	memset(c, 0, sizeof(*c));
	if (argc == 0)
		return mg_seterr("nothing to set (expected " CONFIG_KWS ")");
	for (i = 0; i < argc; i += 2) {
		const char *kw = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int t;

		/* "timeout STATE SECONDS" is "timeout-STATE SECONDS" */
		if (!strcmp(kw, "timeout")) {
			if (!val)
				return mg_seterr("missing connection state after \"timeout\" (expected tcp-syn, tcp-est, tcp-fin, tcp-close, udp or sctp)");
			for (t = 1; t < N_TIMEOUT_NAMES; t++)
				if (!strcmp(val, timeout_names[t][0]))
					break;
			if (t == N_TIMEOUT_NAMES)
				return mg_seterr("unknown connection state \"%s\" (expected tcp-syn, tcp-est, tcp-fin, tcp-close, udp or sctp)",
						 val);
			kw = timeout_names[t][1];
			i++;
			val = i + 1 < argc ? argv[i + 1] : NULL;
		}
		/* "pool ADDR..." or "pool none": every address that follows */
		if (!strcmp(kw, "pool")) {
			if (seen_once(&seen, kw) < 0)
				return -1;
			if (!val)
				return mg_seterr("missing value after \"pool\" (expected addresses or none)");
			c->npool = 0;
			c->has |= CFG_HAS_POOL;
			set_origin(&c->o_pool, kw, val, line);
			if (!strcmp(val, "none"))
				continue;
			while (i + 1 < argc) {
				struct mg_addr a;

				if (parse_addr(argv[i + 1], "pool", 0, &a) < 0) {
					if (c->npool)
						break;
					return -1;
				}
				if (c->npool == MAGLEV_POOL_MAX_MEMBERS)
					return mg_seterr("too many pool members (at most %u)",
							 MAGLEV_POOL_MAX_MEMBERS);
				c->pool[c->npool++] = a;
				i++;
			}
			i--;
			continue;
		}
		if (!strcmp(kw, "frag-max") || !strcmp(kw, "frag-hold") ||
		    !strcmp(kw, "frag-hold-bytes") ||
		    !strcmp(kw, "frag-timeout")) {
			if (!val)
				return mg_seterr("missing value after \"%s\"", kw);
			if (seen_once(&seen, kw) < 0)
				return -1;
			if (parse_uint(val, kw, UINT32_MAX, false,
				       !strcmp(kw, "frag-timeout") ?
				       "milliseconds" : "a number", &v) < 0)
				return -1;
			if (!strcmp(kw, "frag-max")) {
				c->frag_max = (uint32_t)v;
				c->has |= CFG_HAS_FRAG_MAX;
				set_origin(&c->o_frag_max, kw, val, line);
			} else if (!strcmp(kw, "frag-hold")) {
				c->frag_hold = (uint32_t)v;
				c->has |= CFG_HAS_FRAG_HOLD;
				set_origin(&c->o_frag_hold, kw, val, line);
			} else if (!strcmp(kw, "frag-hold-bytes")) {
				c->frag_hold_bytes = (uint32_t)v;
				c->has |= CFG_HAS_FRAG_HOLD_BYTES;
				set_origin(&c->o_frag_hold_bytes, kw, val,
					   line);
			} else {
				c->frag_timeout = (uint32_t)v;
				c->has |= CFG_HAS_FRAG_TIMEOUT;
				set_origin(&c->o_frag_timeout, kw, val, line);
			}
			continue;
		}
		for (t = 1; t < N_TIMEOUT_NAMES; t++)
			if (!strcmp(kw, timeout_names[t][1]))
				break;
		if (strcmp(kw, "seed") && strcmp(kw, "source") &&
		    strcmp(kw, "source6") && strcmp(kw, "ttl") &&
		    strcmp(kw, "table-size") && strcmp(kw, "hash") &&
		    strcmp(kw, "conn-max") && strcmp(kw, "expire-nodest") &&
		    strcmp(kw, "probe-mark") && strcmp(kw, "icmp") &&
		    t == N_TIMEOUT_NAMES)
			return mg_seterr("unknown config option \"%s\" (expected " CONFIG_KWS ")",
					 kw);
		if (i + 1 >= argc)
			return mg_seterr("missing value after \"%s\"", kw);
		if (seen_once(&seen, kw) < 0)
			return -1;
		if (t < N_TIMEOUT_NAMES) {
			char exp[48];

			snprintf(exp, sizeof(exp), "seconds, 1..%u",
				 MAGLEV_TIMEOUT_MAX);
			if (parse_uint(val, kw, UINT32_MAX, false, exp, &v) < 0)
				return -1;
			c->timeout[t] = (uint32_t)v;
			c->timeout_has |= 1U << t;
			c->has |= CFG_HAS_TIMEOUTS;
			set_origin(&c->o_timeout[t], kw, val, line);
		} else if (!strcmp(kw, "conn-max")) {
			if (parse_uint(val, kw, UINT32_MAX, false,
				       "a number of entries", &v) < 0)
				return -1;
			c->conn_max = (uint32_t)v;
			c->has |= CFG_HAS_CONN_MAX;
			set_origin(&c->o_conn_max, kw, val, line);
		} else if (!strcmp(kw, "probe-mark")) {
			if (parse_probe_mark(val, c) < 0)
				return -1;
			set_origin(&c->o_probe_mark, kw, val, line);
			set_origin(&c->o_probe_mask, kw, val, line);
		} else if (!strcmp(kw, "expire-nodest")) {
			if (!strcmp(val, "drop"))
				c->expire_nodest = MAGLEV_EXPIRE_NODEST_DROP;
			else if (!strcmp(val, "rehash"))
				c->expire_nodest = MAGLEV_EXPIRE_NODEST_REHASH;
			else
				return mg_seterr("invalid expire-nodest \"%s\" (expected drop or rehash)",
						 val);
			c->has |= CFG_HAS_EXPIRE_NODEST;
			set_origin(&c->o_expire_nodest, kw, val, line);
		} else if (!strcmp(kw, "icmp")) {
			if (!strcmp(val, "on"))
				c->icmp = 1;
			else if (!strcmp(val, "off"))
				c->icmp = 0;
			else
				return mg_seterr("invalid icmp \"%s\" (expected on or off)",
						 val);
			c->has |= CFG_HAS_ICMP;
			set_origin(&c->o_icmp, kw, val, line);
		} else if (!strcmp(kw, "seed")) {
			if (parse_seed(val, c->seed) < 0)
				return -1;
			c->has |= CFG_HAS_SEED;
			set_origin(&c->o_seed, kw, val, line);
		} else if (!strcmp(kw, "source") || !strcmp(kw, "source6")) {
			bool six = kw[6] == '6';
			struct mg_addr *a = six ? &c->source6 : &c->source4;

			if (strcmp(val, "none")) {
				if (parse_addr(val, kw, six ? AF_INET6 : AF_INET,
					       a) < 0) {
					/* mention the other way out */
					size_t n = strlen(mg_err);

					if (n > 0 && mg_err[n - 1] == ')')
						snprintf(mg_err + n - 1,
							 sizeof(mg_err) - n + 1,
							 " or none)");
					return -1;
				}
			} else {
				memset(a, 0, sizeof(*a));
			}
			c->has |= six ? CFG_HAS_SOURCE6 : CFG_HAS_SOURCE4;
			set_origin(six ? &c->o_source6 : &c->o_source4, kw,
				   val, line);
		} else if (!strcmp(kw, "ttl")) {
			if (parse_uint(val, "ttl", 255, false,
				       "0..255, 0 = the route's default",
				       &v) < 0)
				return -1;
			c->ttl = (uint8_t)v;
			c->has |= CFG_HAS_TTL;
			set_origin(&c->o_ttl, kw, val, line);
		} else if (!strcmp(kw, "table-size")) {
			if (parse_uint(val, "table-size", UINT32_MAX, false,
				       "a prime number", &v) < 0)
				return -1;
			c->table_size = (uint32_t)v;
			c->has |= CFG_HAS_TABLE_SIZE;
			set_origin(&c->o_table_size, kw, val, line);
		} else {
			if (parse_hash(val, &c->hash) < 0)
				return -1;
			c->has |= CFG_HAS_HASH;
			set_origin(&c->o_hash, kw, val, line);
		}
	}
	return 0;
}

int parse_lookup_args(int argc, char **argv, struct mg_flow *f)
{
	memset(f, 0, sizeof(*f));
	if (argc < 1)
		return mg_seterr("missing protocol (expected tcp, udp or sctp)");
	if (parse_proto(argv[0], &f->proto) < 0)
		return -1;
	set_origin(&f->o_proto, NULL, argv[0], 0);
	if (argc < 2)
		return mg_seterr("missing client address after \"%s\" (expected SADDR:SPORT)",
				 argv[0]);
	if (parse_endpoint(argv[1], "client", &f->saddr, &f->sport) < 0)
		return -1;
	set_origin(&f->o_src, NULL, argv[1], 0);
	if (argc < 3)
		return mg_seterr("missing service address after \"%s\" (expected VIP:PORT)",
				 argv[1]);
	if (parse_endpoint(argv[2], "service", &f->daddr, &f->dport) < 0)
		return -1;
	set_origin(&f->o_dst, NULL, argv[2], 0);
	if (argc > 3)
		return mg_seterr("unexpected \"%s\" after the service", argv[3]);
	return 0;
}

int parse_conn_args(int argc, char **argv, struct mg_service *s,
		    struct mg_backend *b, int *level)
{
	memset(s, 0, sizeof(*s));
	memset(b, 0, sizeof(*b));
	*level = 0;
	if (argc == 0)
		return 0;
	if (parse_key(argc, argv, 0, s) < 0)
		return -1;
	*level = 1;
	if (argc == 2)
		return 0;
	if (parse_addr(argv[2], "backend", 0, &b->addr) < 0)
		return -1;
	set_origin(&b->o_addr, NULL, argv[2], 0);
	*level = 2;
	if (argc > 3)
		return mg_seterr("unexpected \"%s\" after the backend", argv[3]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* restore input                                                       */

/* Split buf in place into words; '#' at the start of a word begins a
 * comment.  Returns the number of words (at most max). */
static int split_words(char *buf, char **w, int max)
{
	int n = 0;
	char *p = buf;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -1;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		       *p != '\n')
			p++;
		if (!*p)
			break;
		*p++ = '\0';
	}
	return n;
}

static void merge_config(struct mg_config *dst, const struct mg_config *src)
{
	if (src->has & CFG_HAS_SEED) {
		memcpy(dst->seed, src->seed, 16);
		dst->o_seed = src->o_seed;
	}
	if (src->has & CFG_HAS_SOURCE4) {
		dst->source4 = src->source4;
		dst->o_source4 = src->o_source4;
	}
	if (src->has & CFG_HAS_SOURCE6) {
		dst->source6 = src->source6;
		dst->o_source6 = src->o_source6;
	}
	if (src->has & CFG_HAS_TTL) {
		dst->ttl = src->ttl;
		dst->o_ttl = src->o_ttl;
	}
	if (src->has & CFG_HAS_TABLE_SIZE) {
		dst->table_size = src->table_size;
		dst->o_table_size = src->o_table_size;
	}
	if (src->has & CFG_HAS_HASH) {
		dst->hash = src->hash;
		dst->o_hash = src->o_hash;
	}
	if (src->has & CFG_HAS_CONN_MAX) {
		dst->conn_max = src->conn_max;
		dst->o_conn_max = src->o_conn_max;
	}
	if (src->has & CFG_HAS_EXPIRE_NODEST) {
		dst->expire_nodest = src->expire_nodest;
		dst->o_expire_nodest = src->o_expire_nodest;
	}
	if (src->has & CFG_HAS_PROBE_MARK) {
		dst->probe_mark = src->probe_mark;
		dst->o_probe_mark = src->o_probe_mark;
	}
	if (src->has & CFG_HAS_PROBE_MASK) {
		dst->probe_mask = src->probe_mask;
		dst->o_probe_mask = src->o_probe_mask;
	}
	if (src->has & CFG_HAS_ICMP) {
		dst->icmp = src->icmp;
		dst->o_icmp = src->o_icmp;
	}
	if (src->has & CFG_HAS_POOL) {
		memcpy(dst->pool, src->pool, sizeof(dst->pool));
		dst->npool = src->npool;
		dst->o_pool = src->o_pool;
	}
	if (src->has & CFG_HAS_FRAG_MAX) {
		dst->frag_max = src->frag_max;
		dst->o_frag_max = src->o_frag_max;
	}
	if (src->has & CFG_HAS_FRAG_HOLD) {
		dst->frag_hold = src->frag_hold;
		dst->o_frag_hold = src->o_frag_hold;
	}
	if (src->has & CFG_HAS_FRAG_HOLD_BYTES) {
		dst->frag_hold_bytes = src->frag_hold_bytes;
		dst->o_frag_hold_bytes = src->o_frag_hold_bytes;
	}
	if (src->has & CFG_HAS_FRAG_TIMEOUT) {
		dst->frag_timeout = src->frag_timeout;
		dst->o_frag_timeout = src->o_frag_timeout;
	}
	for (int t = 0; t < MG_NTIMEOUTS; t++) {
		if (src->timeout_has & (1U << t)) {
			dst->timeout[t] = src->timeout[t];
			dst->o_timeout[t] = src->o_timeout[t];
		}
	}
	dst->timeout_has |= src->timeout_has;
	dst->has |= src->has;
}

static int restore_line(struct mg_restore *r, char **w, int n, int line)
{
	struct mg_service s, *svc;
	struct mg_backend b, *nb;
	struct mg_config c;

	if (n >= 2 && !strcmp(w[0], "config") && !strcmp(w[1], "set")) {
		if (parse_config_args(n - 2, w + 2, line, &c) < 0)
			return -1;
		merge_config(&r->cfg, &c);
		r->has_cfg = true;
		return 0;
	}
	if (n >= 2 && !strcmp(w[0], "service") && !strcmp(w[1], "add")) {
		if (parse_service_args(n - 2, w + 2, SVC_ADD, line, &s) < 0)
			return -1;
		for (size_t i = 0; i < r->nsvc; i++)
			if (!service_key_cmp(&r->svc[i], &s))
				return mg_seterr("service %s %s already added on line %d",
						 w[2], w[3], r->svc[i].line);
		/* A replace states every setting: absent GRE = off. */
		s.has |= SVC_HAS_FLAGS | SVC_HAS_BACKENDS;
		s.flags = 0;
		if (s.gre_key_op == OPT_ON) {
			s.flags |= MAGLEV_SVC_F_GRE_KEY;
			s.has |= SVC_HAS_GRE_KEY;
		}
		if (s.gre_csum_op == OPT_ON)
			s.flags |= MAGLEV_SVC_F_GRE_CSUM;
		if (r->nsvc == r->cap) {
			size_t cap = r->cap ? 2 * r->cap : 16;
			struct mg_service *v = realloc(r->svc, cap * sizeof(*v));

			if (!v)
				return mg_seterr("out of memory");
			r->svc = v;
			r->cap = cap;
		}
		r->svc[r->nsvc++] = s;
		return 0;
	}
	if (n >= 2 && !strcmp(w[0], "backend") && !strcmp(w[1], "add")) {
		if (parse_backend_args(n - 2, w + 2, BE_ADD, line, &s, &b) < 0)
			return -1;
		svc = NULL;
		for (size_t i = 0; i < r->nsvc; i++)
			if (!service_key_cmp(&r->svc[i], &s))
				svc = &r->svc[i];
		if (!svc)
			return mg_seterr("backend for service %s %s, which no earlier \"service add\" line adds",
					 w[2], w[3]);
		for (size_t i = 0; i < svc->nbe; i++)
			if (!addr_cmp(&svc->be[i].addr, &b.addr))
				return mg_seterr("backend %s added twice to service %s %s",
						 w[4], w[2], w[3]);
		nb = service_add_backend(svc);
		if (!nb)
			return mg_seterr("out of memory");
		*nb = b;
		return 0;
	}
	if (n >= 2)
		return mg_seterr("unexpected \"%s %s\" (expected config set, service add or backend add)",
				 w[0], w[1]);
	return mg_seterr("unexpected \"%s\" (expected config set, service add or backend add)",
			 w[0]);
}

int parse_restore(FILE *in, const char *name, struct mg_restore *r)
{
	char *line = NULL, *w[64];
	size_t cap = 0;
	int lineno = 0, n;

	memset(r, 0, sizeof(*r));
	while (getline(&line, &cap, in) >= 0) {
		char **bufs;

		lineno++;
		n = split_words(line, w, 64);
		if (n < 0) {
			mg_seterr("%s:%d: too many words", name, lineno);
			goto err;
		}
		if (n == 0)
			continue;
		/* keep the buffer: the parsed objects point into it */
		bufs = realloc(r->bufs, (r->nbufs + 1) * sizeof(*bufs));
		if (!bufs) {
			mg_seterr("out of memory");
			goto err;
		}
		r->bufs = bufs;
		r->bufs[r->nbufs++] = line;
		if (restore_line(r, w, n, lineno) < 0) {
			char msg[sizeof(mg_err)];

			snprintf(msg, sizeof(msg), "%s", mg_err);
			mg_seterr("%s:%d: %s", name, lineno, msg);
			line = NULL;
			goto err;
		}
		line = NULL;
		cap = 0;
	}
	if (ferror(in)) {
		mg_seterr("%s: %s", name, strerror(errno));
		goto err;
	}
	free(line);
	return 0;
err:
	free(line);
	restore_free(r);
	return -1;
}

void restore_free(struct mg_restore *r)
{
	for (size_t i = 0; i < r->nsvc; i++)
		service_free(&r->svc[i]);
	free(r->svc);
	for (size_t i = 0; i < r->nbufs; i++)
		free(r->bufs[i]);
	free(r->bufs);
	memset(r, 0, sizeof(*r));
}
