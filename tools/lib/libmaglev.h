/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmaglev: the netlink and parsing code shared by maglevctl and maglevd
 * (tools/lib/libmaglev.a; never copied into a program).
 *
 * Layout: parse.c turns words into the structures below (no netlink, unit
 * tested by tools/maglevctl/test.c), nl.c talks to the kernel (requests,
 * replies, extack), json.c writes JSON, print.c prints objects as text or
 * JSON.
 */
#ifndef LIBMAGLEV_H
#define LIBMAGLEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include <linux/maglev.h>

#define MAGLEVCTL_VERSION "0.1"

/* Program name that prefixes messages (nl.c; "maglevctl" by default). */
extern const char *mg_prog;

/* Exit codes (documented in maglevctl.8). */
enum {
	EXIT_OK = 0,
	EXIT_KERNEL = 1,	/* the kernel refused the request */
	EXIT_USAGE = 2,		/* usage or parse error */
	EXIT_NOFAMILY = 3,	/* no "maglev" generic netlink family */
	EXIT_PERM = 4,		/* EPERM/EACCES: needs CAP_NET_ADMIN */
};

/* ------------------------------------------------------------------ */
/* Objects                                                             */

/* An address; family 0 means "none" (absent or cleared). */
struct mg_addr {
	uint8_t family;		/* 0, AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/*
 * Where a value came from on the command line or in a restore file, so a
 * kernel error pointing at an attribute (NLMSGERR_ATTR_OFFS) can name the
 * word that produced it.  kw is the option keyword ("weight") or NULL for a
 * positional word; line is 0 on the command line.
 */
struct origin {
	const char *kw;
	const char *word;
	int line;
};

#define MG_NSTATS (MAGLEV_STATS_A_MAX + 1)

/* Backend "has" bits. */
enum {
	BE_HAS_WEIGHT = 1 << 0,
	BE_HAS_STATE = 1 << 1,
	BE_HAS_SLOTS = 1 << 2,
	BE_HAS_INDEX = 1 << 3,
	BE_HAS_STATS = 1 << 4,
	BE_HAS_ID = 1 << 5,
};

struct mg_backend {
	struct mg_addr addr;
	uint32_t weight;
	uint8_t state;
	uint32_t slots;
	uint32_t index;
	uint32_t id;		/* MAGLEV_BE_A_ID: names it in probe marks */
	uint64_t packets, bytes;
	unsigned int has;
	struct origin o_addr, o_weight, o_state;
};

/* Service "has" bits. */
enum {
	SVC_HAS_TABLE_SIZE = 1 << 0,
	SVC_HAS_HASH = 1 << 1,
	SVC_HAS_FLAGS = 1 << 2,
	SVC_HAS_GRE_KEY = 1 << 3,
	SVC_HAS_STATS = 1 << 4,
	SVC_HAS_BACKENDS = 1 << 5,
	SVC_HAS_FLAGS_MASK = 1 << 6,	/* set: change only flags_mask's bits */
};

/* What a command line says about a GRE setting. */
enum { OPT_KEEP, OPT_ON, OPT_OFF };

struct mg_service {
	uint8_t proto;
	struct mg_addr vip;
	uint16_t port;
	uint32_t table_size;
	uint8_t hash;
	uint32_t flags;		/* MAGLEV_SVC_F_* */
	uint32_t flags_mask;	/* the flags "service set" changes */
	uint32_t gre_key;
	uint64_t packets, bytes;
	unsigned int has;
	/* set by the parser: which GRE settings the user gave */
	int gre_key_op, gre_csum_op;
	struct mg_backend *be;
	size_t nbe, cap;
	int line;		/* restore: line of "service add" */
	struct origin o_proto, o_key, o_table_size, o_hash, o_gre_key,
		o_gre_csum;
};

/* Config "has" bits. */
enum {
	CFG_HAS_SEED = 1 << 0,
	CFG_HAS_SOURCE4 = 1 << 1,
	CFG_HAS_SOURCE6 = 1 << 2,
	CFG_HAS_TTL = 1 << 3,
	CFG_HAS_TABLE_SIZE = 1 << 4,
	CFG_HAS_HASH = 1 << 5,
	CFG_HAS_MAX_SERVICES = 1 << 6,
	CFG_HAS_MAX_BACKENDS = 1 << 7,
	CFG_HAS_MAX_TABLE_SIZE = 1 << 8,
	CFG_HAS_CONN_MAX = 1 << 9,
	CFG_HAS_EXPIRE_NODEST = 1 << 10,
	CFG_HAS_TIMEOUTS = 1 << 11,	/* some of timeout[] (timeout_has) */
	CFG_HAS_PROBE_MARK = 1 << 12,
	CFG_HAS_PROBE_MASK = 1 << 13,
	CFG_HAS_ICMP = 1 << 14,
	CFG_HAS_POOL = 1 << 15,		/* pool[] (npool 0: none) */
	CFG_HAS_FRAG_MAX = 1 << 16,
	CFG_HAS_FRAG_HOLD = 1 << 17,
	CFG_HAS_FRAG_HOLD_BYTES = 1 << 18,
	CFG_HAS_FRAG_TIMEOUT = 1 << 19,
	/* both probe settings (maglevd sets and compares them together) */
	CFG_HAS_PROBE = CFG_HAS_PROBE_MARK | CFG_HAS_PROBE_MASK,
};

/* What "config set" can set (and "save" saves). */
#define CFG_SETTABLE (CFG_HAS_SEED | CFG_HAS_SOURCE4 | CFG_HAS_SOURCE6 | \
		      CFG_HAS_TTL | CFG_HAS_TABLE_SIZE | CFG_HAS_HASH | \
		      CFG_HAS_CONN_MAX | CFG_HAS_EXPIRE_NODEST | \
		      CFG_HAS_TIMEOUTS | CFG_HAS_PROBE_MARK | \
		      CFG_HAS_PROBE_MASK | CFG_HAS_ICMP | CFG_HAS_POOL | \
		      CFG_HAS_FRAG_MAX | CFG_HAS_FRAG_HOLD | \
		      CFG_HAS_FRAG_HOLD_BYTES | CFG_HAS_FRAG_TIMEOUT)

#define MG_NTIMEOUTS (MAGLEV_TIMEOUT_A_MAX + 1)

struct mg_config {
	uint8_t seed[16];
	struct mg_addr source4, source6;	/* family 0 = none */
	uint8_t ttl;
	uint32_t table_size;
	uint8_t hash;
	uint32_t max_services, max_backends, max_table_size;
	uint32_t conn_max;
	uint8_t expire_nodest;
	uint8_t icmp;			/* MAGLEV_CFG_A_ICMP: 0 off, 1 on */
	uint32_t timeout[MG_NTIMEOUTS];	/* by MAGLEV_TIMEOUT_A_* */
	unsigned int timeout_has;	/* 1 << MAGLEV_TIMEOUT_A_* */
	uint32_t probe_mark, probe_mask;	/* mask 0: probes off */
	struct mg_addr pool[MAGLEV_POOL_MAX_MEMBERS];	/* forwarder pool */
	unsigned int npool;
	uint32_t frag_max, frag_hold, frag_hold_bytes, frag_timeout;
	unsigned int has;
	struct origin o_seed, o_source4, o_source6, o_ttl, o_table_size,
		o_hash, o_conn_max, o_expire_nodest, o_icmp,
		o_timeout[MG_NTIMEOUTS], o_probe_mark, o_probe_mask,
		o_pool, o_frag_max, o_frag_hold, o_frag_hold_bytes,
		o_frag_timeout;
};

#define MG_NCONNSTATS (MAGLEV_CONN_STATS_A_MAX + 1)

/* A MAGLEV_A_CONN_STATS nest: ENTRIES and LIMIT are u32, the rest u64. */
struct mg_conn_stats {
	uint64_t v[MG_NCONNSTATS];
	bool present;
};


struct mg_flow {
	uint8_t proto;
	struct mg_addr saddr, daddr;
	uint16_t sport, dport;
	struct origin o_proto, o_src, o_dst;
};

/* A connection table entry (CONN_GET). */
struct mg_conn {
	struct mg_flow flow;
	struct mg_addr backend;		/* family 0: none */
	uint8_t state;			/* MAGLEV_TIMEOUT_A_* */
	uint32_t expires_ms;
	bool has_state, has_expires;
	bool unconfirmed;		/* one-way so far: evictable */
};

/* What `restore` read: the whole input, before anything is applied. */
struct mg_restore {
	struct mg_config cfg;
	bool has_cfg;
	struct mg_service *svc;
	size_t nsvc, cap;
	char **bufs;		/* line buffers the origins point into */
	size_t nbufs;
};

/* ------------------------------------------------------------------ */
/* parse.c: words -> objects.  On error these return -1 and leave a
 * message naming the bad word in mg_err (without "maglevctl: "). */

extern char mg_err[512];
int mg_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int parse_uint(const char *word, const char *what, uint64_t max,
	       bool allow_hex, const char *expected, uint64_t *out);
int parse_proto(const char *word, uint8_t *proto);
int parse_hash(const char *word, uint8_t *hash);
int parse_state(const char *word, uint8_t *state);
int parse_onoff(const char *word, const char *what, bool *on);
int parse_addr(const char *word, const char *what, int family,
	       struct mg_addr *a);
int parse_endpoint(const char *word, const char *what, struct mg_addr *a,
		   uint16_t *port);
int parse_seed(const char *word, uint8_t seed[16]);

enum svc_mode { SVC_ADD, SVC_SET, SVC_DEL, SVC_SHOW };
enum be_mode { BE_ADD, BE_SET, BE_DEL };

/* argv starts at PROTO.  line is 0 on the command line. */
int parse_service_args(int argc, char **argv, enum svc_mode mode, int line,
		       struct mg_service *s);
int parse_backend_args(int argc, char **argv, enum be_mode mode, int line,
		       struct mg_service *s, struct mg_backend *b);
/* argv starts after "config set". */
int parse_config_args(int argc, char **argv, int line, struct mg_config *c);
/* argv starts at PROTO. */
int parse_lookup_args(int argc, char **argv, struct mg_flow *f);
/* [PROTO VIP:PORT [ADDR]]: *level is 0 (all), 1 (service) or 2 (backend). */
int parse_conn_args(int argc, char **argv, struct mg_service *s,
		    struct mg_backend *b, int *level);

/* Read a whole save file; on error mg_err has "NAME:LINE: ...". */
int parse_restore(FILE *in, const char *name, struct mg_restore *r);
void restore_free(struct mg_restore *r);

struct mg_backend *service_add_backend(struct mg_service *s);
void service_free(struct mg_service *s);
int addr_cmp(const struct mg_addr *a, const struct mg_addr *b);
int service_key_cmp(const struct mg_service *a, const struct mg_service *b);
void service_sort_backends(struct mg_service *s);

/* Names. */
const char *proto_name(uint8_t proto);
const char *hash_name(uint8_t hash);
const char *state_name(uint8_t state);
const char *reason_name(uint8_t reason);
const char *nodest_name(uint8_t v);
const char *conn_state_name(uint8_t state);
/* "timeout-tcp-syn" for MAGLEV_TIMEOUT_A_TCP_SYN, NULL if unknown */
const char *timeout_kw(int t);
const char *timeout_json(int t);
const char *fmt_addr(const struct mg_addr *a, char *buf, size_t len);
const char *fmt_endpoint(const struct mg_addr *a, uint16_t port, char *buf,
			 size_t len);
const char *fmt_seed(const uint8_t seed[16], char buf[33]);
#define ADDR_STRLEN 48
#define EP_STRLEN 56

/* ------------------------------------------------------------------ */
/* json.c */

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool after_key;
	unsigned char first[64];
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
void json_fixed4(struct json *j, double v);
void json_done(struct json *j);	/* final newline */
void json_kstr(struct json *j, const char *key, const char *s);
void json_ku64(struct json *j, const char *key, uint64_t v);
void json_kbool(struct json *j, const char *key, bool v);
void json_knull(struct json *j, const char *key);

/* ------------------------------------------------------------------ */
/* nl.c */

struct nl_sock;
struct nl_msg;
struct nlattr;
struct nlmsghdr;

/* A kernel error as reported by an NLMSG_ERROR or NLMSG_DONE. */
struct mg_nlerr {
	int err;		/* negative errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	bool has_miss_nest;
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST */
};

struct req_map {
	uint32_t off;
	const struct origin *o;
};

/* A request being built: the message and where each attribute came from. */
struct mg_req {
	struct nl_msg *msg;
	struct req_map *map;
	size_t nmap, cap;
	int err;		/* sticky: an attribute did not fit */
	/* named in errors the kernel does not point at any attribute in */
	const struct origin *fallback;
};

struct mg_ctl {
	struct nl_sock *sk;
	int family;
	struct mg_nlerr last;	/* the last kernel error */
	char warning[256];	/* extack message on success */
};

/* Called for each reply message with its top-level attributes (tb has
 * MAGLEV_A_MAX + 1 entries).  Return 0, or a negative errno to stop. */
typedef int (*mg_reply_fn)(struct nlmsghdr *nlh, struct nlattr **tb,
			   void *arg);

int ctl_open(struct mg_ctl *c);	/* exits with EXIT_NOFAMILY on failure */
int ctl_try_open(struct mg_ctl *c);	/* -errno, c->last.msg says why */
void ctl_close(struct mg_ctl *c);
int ctl_mcast_group(struct mg_ctl *c, const char *group);

int req_init(struct mg_req *r, int family, uint8_t cmd, int flags,
	     size_t size);
void req_free(struct mg_req *r);
void req_put(struct mg_req *r, int type, const void *data, size_t len,
	     const struct origin *o);
void req_put_u8(struct mg_req *r, int type, uint8_t v,
		const struct origin *o);
void req_put_u16(struct mg_req *r, int type, uint16_t v,
		 const struct origin *o);
void req_put_u32(struct mg_req *r, int type, uint32_t v,
		 const struct origin *o);
struct nlattr *req_nest(struct mg_req *r, int type, const struct origin *o);
void req_nest_end(struct mg_req *r, struct nlattr *nest);
const struct origin *req_origin(const struct mg_req *r, uint32_t off);

/* Encoders (into the request being built). */
void put_service_key(struct mg_req *r, const struct mg_service *s);
enum put_mode { PUT_KEY, PUT_SETTINGS, PUT_REPLACE };
void put_service(struct mg_req *r, const struct mg_service *s,
		 enum put_mode mode);
void put_backend(struct mg_req *r, int type, const struct mg_backend *b,
		 bool key_only);
void put_config(struct mg_req *r, const struct mg_config *c);
void put_flow(struct mg_req *r, const struct mg_flow *f);

/* Decoders (from replies).  Return 0 or -EINVAL. */
int decode_service(struct nlattr *nest, struct mg_service *s);
int decode_backend(struct nlattr *nest, struct mg_backend *b);
int decode_backends(struct nlattr *nest, struct mg_service *s);
int decode_config(struct nlattr *nest, struct mg_config *c);
int decode_stats(struct nlattr *nest, uint64_t v[MG_NSTATS]);
int decode_conn_stats(struct nlattr *nest, struct mg_conn_stats *cs);
int decode_conn(struct nlattr *nest, struct mg_conn *c);
int parse_top(struct nlmsghdr *nlh, struct nlattr **tb);

/* Send r and read replies until the ack or the end of the dump.
 * Returns 0 or a negative errno; kernel errors are in c->last. */
int ctl_transact(struct mg_ctl *c, struct mg_req *r, mg_reply_fn fn,
		 void *arg);
/*
 * Gathering replies, shared by maglevctl and maglevd.  services_reply is
 * the mg_reply_fn of a MAGLEV_CMD_SERVICE_GET dump: it appends to a struct
 * mg_svc_list (zeroed first), joining a service whose backends span
 * several messages; services_sort orders the services and their backends;
 * services_free frees the array.  stats_reply fills a struct mg_stats
 * (zeroed first) from MAGLEV_CMD_STATS_GET.
 */
struct mg_svc_list {
	struct mg_service *v;
	size_t n, cap;
};

struct mg_stats {
	uint64_t v[MG_NSTATS];
	struct mg_conn_stats cs;
};

int services_reply(struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
void services_sort(struct mg_service *v, size_t n);
void services_free(struct mg_service *v, size_t n);
int stats_reply(struct nlmsghdr *nlh, struct nlattr **tb, void *arg);

/* Fill e from an NLMSG_ERROR or NLMSG_DONE message. */
void parse_nlerr(const struct nlmsghdr *nlh, struct mg_nlerr *e);

/* File name in messages about restore lines ("<stdin>" by default). */
extern const char *report_file;

/* Print "maglevctl: [FILE:LINE: ][kw word: ]msg" and return the exit code. */
int report_error(const struct mg_ctl *c, const struct mg_req *r, int err);

/* ------------------------------------------------------------------ */
/* print.c */

struct mg_opts {
	bool json, stats, pretty;
};

extern struct mg_opts opts;

void print_service_text(FILE *f, const struct mg_service *s);
void json_service(struct json *j, const struct mg_service *s, bool full);
void json_backend(struct json *j, const struct mg_backend *b,
		  uint32_t table_size, bool full);
void json_service_key(struct json *j, const struct mg_service *s);
void print_config_text(FILE *f, const struct mg_config *c);
void json_config(struct json *j, const struct mg_config *c);
void print_stats_text(FILE *f, const uint64_t v[MG_NSTATS],
		      const struct mg_conn_stats *cs);
void json_stats(struct json *j, const uint64_t v[MG_NSTATS],
		const struct mg_conn_stats *cs);
void fmt_service_settings(char *buf, size_t len, const struct mg_service *s,
			  bool all);
/* A MAGLEV_STATS_A_* / MAGLEV_CONN_STATS_A_* counter's name in the text
 * ("drop-no-backend") or JSON ("drop_no_backend") output; NULL if none. */
const char *stat_name(int attr, bool json);
const char *conn_stat_name(int attr, bool json);

/* ------------------------------------------------------------------ */
/* prom.c: the Prometheus text exposition format (maglevctl.8, PROMETHEUS) */

void prom_label_value(FILE *f, const char *v);
void prom_header(FILE *f, const char *name, const char *type,
		 const char *help);
void prom_labels(FILE *f, const struct mg_service *s, const struct mg_addr *be);
void prom_write(FILE *f, const uint64_t v[MG_NSTATS],
		const struct mg_conn_stats *cs, const struct mg_service *svc,
		size_t nsvc);
void fmt_config_line(char *buf, size_t len, const struct mg_config *c);

#endif
