// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: a fuzzer for the "maglev" generic netlink family
 * (include/uapi/linux/maglev.h). See README.md in this directory.
 *
 *   nlfuzz --mode invalid [--count N] [--seed S]
 *	For every command, a valid request (as maglevctl sends it) with
 *	exactly one thing broken; a change must be refused, and its error
 *	must carry an extended ack message.
 *   nlfuzz --mode random [--count N] [--seed S]
 *	Random and mutated requests; any answer goes, the kernel must live.
 *   nlfuzz --unpriv [--count N] [--seed S]
 *	Drops to uid/gid 65534 without capabilities: every request must fail
 *	with EPERM and joining the "config" group must fail.
 *   nlfuzz --table-small --service PROTO VIP:PORT [--print-slots]
 *	Dumps a lookup table reading with a 4096-byte buffer: every slot
 *	must arrive exactly once, in order.
 *
 * Requests go out with send() on a raw netlink socket, so that malformed
 * ones really reach the kernel; libnl only resolves the family. Everything
 * is deterministic from --seed (given the same configuration to start
 * from).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/maglev.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define EXIT_FAILED	1
#define EXIT_SETUP	2

#define MAX_NODES	24000
#define ARENA_SIZE	(1u << 20)
#define MAX_MSG		(256u * 1024)
#define SEND_BUF	(8u * 1024 * 1024)
#define RECV_SLOTS	32
#define RECV_SIZE	(64u * 1024)
#define BATCH_MAX	256
#define RECV_TIMEOUT_S	180
#define PRINT_MAX	40
#define MSG_HEX_MAX	768

/* ------------------------------------------------------------------ */
/* Utilities                                                           */

static bool verbose;
static bool no_extack;		/* do not ask for extended acks */
static bool dry_run;		/* build requests, send nothing */

static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("nlfuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_SETUP);
}

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void hexdump(FILE *f, const uint8_t *p, size_t len)
{
	size_t i, n = len > MSG_HEX_MAX ? MSG_HEX_MAX : len;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%02x%s", i % 32 == 0 ? "    " : "", p[i],
			i % 32 == 31 || i + 1 == n ? "\n" : "");
	if (n < len)
		fprintf(f, "    ... (%zu more bytes)\n", len - n);
}

/* ------------------------------------------------------------------ */
/* Commands and kinds of breakage                                      */

#define BIT(n) (1u << (n))

struct cmdinfo {
	const char *name;
	bool read;		/* may succeed whatever it carries */
	bool dump;		/* sent as a dump */
	bool doit, dumpit;	/* what the family implements */
	uint32_t top;		/* top-level attributes it takes */
};

static const struct cmdinfo cmds[MAGLEV_CMD_MAX + 1] = {
	[MAGLEV_CMD_UNSPEC] = { "UNKNOWN_CMD", false, false, false, false, 0 },
	[MAGLEV_CMD_SERVICE_NEW] = { "SERVICE_NEW", false, false, true, false,
				     BIT(MAGLEV_A_SERVICE) },
	[MAGLEV_CMD_SERVICE_SET] = { "SERVICE_SET", false, false, true, false,
				     BIT(MAGLEV_A_SERVICE) },
	[MAGLEV_CMD_SERVICE_DEL] = { "SERVICE_DEL", false, false, true, false,
				     BIT(MAGLEV_A_SERVICE) },
	[MAGLEV_CMD_SERVICE_GET] = { "SERVICE_GET", true, true, true, true,
				     BIT(MAGLEV_A_SERVICE) },
	[MAGLEV_CMD_SERVICE_REPLACE] = { "SERVICE_REPLACE", false, false, true, false,
					 BIT(MAGLEV_A_SERVICE) },
	[MAGLEV_CMD_BACKEND_NEW] = { "BACKEND_NEW", false, false, true, false,
				     BIT(MAGLEV_A_SERVICE) | BIT(MAGLEV_A_BACKEND) },
	[MAGLEV_CMD_BACKEND_SET] = { "BACKEND_SET", false, false, true, false,
				     BIT(MAGLEV_A_SERVICE) | BIT(MAGLEV_A_BACKEND) },
	[MAGLEV_CMD_BACKEND_DEL] = { "BACKEND_DEL", false, false, true, false,
				     BIT(MAGLEV_A_SERVICE) | BIT(MAGLEV_A_BACKEND) },
	[MAGLEV_CMD_TABLE_GET] = { "TABLE_GET", true, true, false, true,
				   BIT(MAGLEV_A_SERVICE) },
	[MAGLEV_CMD_LOOKUP] = { "LOOKUP", true, false, true, false, BIT(MAGLEV_A_FLOW) },
	[MAGLEV_CMD_CONFIG_GET] = { "CONFIG_GET", true, false, true, false, 0 },
	[MAGLEV_CMD_CONFIG_SET] = { "CONFIG_SET", false, false, true, false,
				    BIT(MAGLEV_A_CONFIG) },
	[MAGLEV_CMD_STATS_GET] = { "STATS_GET", true, false, true, false, 0 },
	[MAGLEV_CMD_STATS_ZERO] = { "STATS_ZERO", false, false, true, false, 0 },
	[MAGLEV_CMD_FLUSH] = { "FLUSH", false, false, true, false, 0 },
	[MAGLEV_CMD_CONN_GET] = { "CONN_GET", true, true, false, true,
				  BIT(MAGLEV_A_SERVICE) | BIT(MAGLEV_A_BACKEND) },
	[MAGLEV_CMD_CONN_FLUSH] = { "CONN_FLUSH", false, false, true, false,
				    BIT(MAGLEV_A_SERVICE) | BIT(MAGLEV_A_BACKEND) },
};

enum kind {
	K_VALID,
	K_ATTR_LEN,		/* a fixed-size attribute of another length */
	K_NESTED_FLAG,		/* nest without NLA_F_NESTED, leaf with it */
	K_UNKNOWN_TOP,		/* a top-level attribute the command does not take */
	K_UNKNOWN_NESTED,	/* an unknown or reply-only attribute in a nest */
	K_ARRAY_ENTRY,		/* a BACKENDS entry that is not MAGLEV_A_BACKEND */
	K_MISSING,		/* a required attribute left out */
	K_RANGE,		/* a value out of range */
	K_NOT_NEST,		/* a nest whose payload is no attributes */
	K_TRUNC,		/* 1-7 bytes of a truncated nlattr after the attributes */
	K_BEYOND,		/* nla_len past the end of its parent */
	K_CUT,			/* the message ends inside its last attribute */
	K_BOTH_ADDR,		/* an IPv4 and an IPv6 address */
	K_FLOW_FAMILY,		/* a flow from IPv4 to IPv6 */
	K_HUGE_LIST,		/* max_backends + 1 backends, 65 pool members */
	K_DEEP,			/* thousands of nested nests */
	K_HUGE_NEST,		/* thousands of attributes, the last one bad */
	K_RESERVED,		/* genlmsghdr.reserved != 0 */
	K_NLFLAGS,		/* reserved or ambiguous nlmsg_flags */
	K_DUMP_FLAG,		/* NLM_F_DUMP on a do-only op, or missing on a dump */
	K_SHORT,		/* nlmsg_len shorter than the genl header */
	K_BAD_CMD,		/* command number the family does not have */
	K_POOL_DUP,		/* a forwarder pool member twice */
	K_RANDOM,		/* random mode */
	K_MAX
};

static const char *const kind_names[K_MAX] = {
	"valid", "attr-len", "nested-flag", "unknown-top", "unknown-nested",
	"array-entry-type", "missing", "range", "not-a-nest", "trunc-hdr",
	"len-beyond", "cut", "both-addr", "flow-family", "huge-list", "deep-nest",
	"huge-nest", "genl-reserved", "nlmsg-flags", "dump-flag", "short-hdr",
	"bad-cmd", "pool-dup", "random",
};

/* The genetlink core refuses these before the family sees them, without
 * an extended ack message (as it does EPERM). */
static bool kind_wants_extack(int k)
{
	return k != K_DUMP_FLAG && k != K_SHORT && k != K_BAD_CMD;
}

/* ------------------------------------------------------------------ */
/* Attribute trees                                                     */

enum tag {
	T_LEAF,
	T_ROOT,
	T_SVC,		/* MAGLEV_A_SERVICE: MAGLEV_SVC_A_* */
	T_BE,		/* MAGLEV_A_BACKEND: MAGLEV_BE_A_* */
	T_BELIST,	/* MAGLEV_SVC_A_BACKENDS: MAGLEV_A_BACKEND entries */
	T_CFG,		/* MAGLEV_A_CONFIG: MAGLEV_CFG_A_* */
	T_TMO,		/* MAGLEV_CFG_A_TIMEOUTS */
	T_FLOW,		/* MAGLEV_A_FLOW: MAGLEV_FLOW_A_* */
	T_POOL,		/* MAGLEV_CFG_A_POOL: MAGLEV_POOL_A_ADDR4/6 entries */
	T_RAW,		/* a nest of anything (random mode) */
};

/* What a leaf holds, for the range checks. */
enum vtag {
	V_NONE, V_U8, V_U16, V_U32, V_PROTO, V_ADDR4, V_ADDR6, V_PORT, V_TSIZE,
	V_HASH, V_FLAGS, V_WEIGHT, V_STATE, V_SEED, V_CONNMAX, V_NODEST,
	V_TIMEOUT, V_ICMP, V_FRAGMAX, V_FRAGHOLD, V_HOLDBYTES, V_FRAGTMO,
};

static const uint8_t vtag_len[] = {
	[V_NONE] = 0, [V_U8] = 1, [V_U16] = 2, [V_U32] = 4, [V_PROTO] = 1,
	[V_ADDR4] = 4, [V_ADDR6] = 16, [V_PORT] = 2, [V_TSIZE] = 4, [V_HASH] = 1,
	[V_FLAGS] = 4, [V_WEIGHT] = 4, [V_STATE] = 1, [V_SEED] = 16,
	[V_CONNMAX] = 4, [V_NODEST] = 1, [V_TIMEOUT] = 4, [V_ICMP] = 1,
	[V_FRAGMAX] = 4, [V_FRAGHOLD] = 4, [V_HOLDBYTES] = 4, [V_FRAGTMO] = 4,
};

struct node {
	uint16_t type;		/* nla_type, NLA_F_* included */
	uint8_t tag;		/* enum tag */
	uint8_t vtag;		/* enum vtag (leaves) */
	bool req;		/* the command needs it */
	bool dead;		/* left out */
	uint16_t alt;		/* address leaves: the other family's type */
	uint32_t len;		/* leaf payload length */
	uint32_t doff;		/* leaf payload, in arena */
	int parent, child, last, next;
	uint8_t ntail;		/* bytes after a nest's attributes */
	uint8_t tail[8];
	uint32_t off, end;	/* where serialization put it */
};

static struct node nd[MAX_NODES];
static int nn;
static uint8_t arena[ARENA_SIZE];
static uint32_t arena_len;

static uint32_t arena_put(const void *data, uint32_t len)
{
	uint32_t off = arena_len;

	if (len > ARENA_SIZE - arena_len)
		fatal("internal: attribute arena full");
	if (data)
		memcpy(arena + off, data, len);
	else
		memset(arena + off, 0, len);
	arena_len += len;
	return off;
}

static int new_node(int parent, uint16_t type, uint8_t tag)
{
	struct node *n;

	if (nn >= MAX_NODES)
		fatal("internal: too many attributes");
	n = &nd[nn];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->tag = tag;
	n->parent = parent;
	n->child = -1;
	n->last = -1;
	n->next = -1;
	if (parent >= 0) {
		if (nd[parent].last >= 0)
			nd[nd[parent].last].next = nn;
		else
			nd[parent].child = nn;
		nd[parent].last = nn;
	}
	return nn++;
}

static void tree_reset(void)
{
	nn = 0;
	arena_len = 0;
	new_node(-1, 0, T_ROOT);
}

static int leaf(int parent, uint16_t type, uint8_t vtag, const void *data,
		uint32_t len)
{
	int i = new_node(parent, type, T_LEAF);

	nd[i].vtag = vtag;
	nd[i].len = len;
	nd[i].doff = arena_put(data, len);
	return i;
}

static void set_leaf(int i, const void *data, uint32_t len)
{
	nd[i].len = len;
	nd[i].doff = arena_put(data, len);
}

static int leaf_u8(int p, uint16_t type, uint8_t vtag, uint8_t v)
{
	return leaf(p, type, vtag, &v, 1);
}

static int leaf_u16(int p, uint16_t type, uint8_t vtag, uint16_t v)
{
	return leaf(p, type, vtag, &v, 2);
}

static int leaf_u32(int p, uint16_t type, uint8_t vtag, uint32_t v)
{
	return leaf(p, type, vtag, &v, 4);
}

static int nest(int parent, uint16_t type, uint8_t tag)
{
	return new_node(parent, type | NLA_F_NESTED, tag);
}

static bool is_nest(int i)
{
	return nd[i].tag != T_LEAF && nd[i].tag != T_ROOT;
}

static int cand[MAX_NODES];
static bool live[MAX_NODES];

/*
 * The live nodes (not the root) that @pred accepts, in cand[]. A parent
 * always comes before its attributes in nd[].
 */
static int collect(bool (*pred)(int))
{
	int i, n = 0;

	live[0] = true;
	for (i = 1; i < nn; i++) {
		live[i] = !nd[i].dead && live[nd[i].parent];
		if (live[i] && pred(i))
			cand[n++] = i;
	}
	return n;
}

static int pick(bool (*pred)(int))
{
	int n = collect(pred);

	return n ? cand[below((uint32_t)n)] : -1;
}

static uint8_t *ser_buf;
static uint32_t ser_cap;

static uint32_t ser(int i, uint32_t pos)
{
	struct node *n = &nd[i];
	uint32_t start = pos, len;
	struct nlattr *nla;
	int c;

	if (pos + NLA_HDRLEN + 8 > ser_cap)
		fatal("internal: message too long");
	n->off = pos;
	pos += NLA_HDRLEN;
	if (n->tag == T_LEAF) {
		if (pos + n->len + 4 > ser_cap)
			fatal("internal: message too long");
		memcpy(ser_buf + pos, arena + n->doff, n->len);
		pos += n->len;
	} else {
		for (c = n->child; c >= 0; c = nd[c].next)
			if (!nd[c].dead)
				pos = ser(c, pos);
		if (pos + 8 + 4 > ser_cap)
			fatal("internal: message too long");
		memcpy(ser_buf + pos, n->tail, n->ntail);
		pos += n->ntail;
	}
	n->end = pos;
	len = pos - start;
	nla = (struct nlattr *)(ser_buf + start);
	/* Builders keep attributes below 64 KiB; beyond, it wraps. */
	nla->nla_len = (uint16_t)len;
	nla->nla_type = n->type;
	while (pos & 3)
		ser_buf[pos++] = 0;
	return pos;
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */

struct fmsg {
	uint16_t flags;
	uint16_t nltype;
	uint8_t cmd;
	uint8_t version;
	uint16_t reserved;
	int cmd_idx;		/* the command the request is built as */
	int kind;
	bool change;		/* must not succeed (invalid mode) */
	bool want_extack;
	int beyond;		/* node whose nla_len points past its parent */
	uint32_t beyond_k;
	bool cut;
	int shorthdr;		/* > 0: nlmsg_len = NLMSG_HDRLEN + shorthdr - 1 */
	int flips;		/* random bit flips after the netlink header */
	bool lie;		/* a random nlmsg_len */
	bool rand_bytes;	/* a payload of random bytes, no tree */
	uint32_t rand_len;
};

static int family_id;
static uint32_t max_backends = 4096;

static void msg_init(struct fmsg *m, int cmd_idx)
{
	memset(m, 0, sizeof(*m));
	m->nltype = (uint16_t)family_id;
	m->version = MAGLEV_GENL_VERSION;
	m->cmd = (uint8_t)cmd_idx;
	m->cmd_idx = cmd_idx;
	m->flags = NLM_F_REQUEST | NLM_F_ACK;
	if (cmd_idx > 0 && cmds[cmd_idx].dump)
		m->flags |= NLM_F_DUMP;
	m->change = cmd_idx == 0 || !cmds[cmd_idx].read;
	m->beyond = -1;
	tree_reset();
}

/*
 * Serialize @m at @b (room for @cap bytes) with sequence number @seq.
 * Returns the number of bytes to send.
 */
static uint32_t ser_msg(struct fmsg *m, uint8_t *b, uint32_t cap, uint32_t seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)b;
	struct genlmsghdr *g = (struct genlmsghdr *)(b + NLMSG_HDRLEN);
	uint32_t pos = NLMSG_HDRLEN + GENL_HDRLEN, total;
	int c, last = -1;

	ser_buf = b;
	ser_cap = cap;
	if (m->rand_bytes) {
		if (pos + m->rand_len > cap)
			fatal("internal: message too long");
		rnd_bytes(b + pos, m->rand_len);
		pos += m->rand_len;
	} else {
		for (c = nd[0].child; c >= 0; c = nd[c].next) {
			if (nd[c].dead)
				continue;
			pos = ser(c, pos);
			last = c;
		}
		memcpy(b + pos, nd[0].tail, nd[0].ntail);
		pos += nd[0].ntail;
	}
	nd[0].end = pos;
	total = pos;
	nlh->nlmsg_type = m->nltype;
	nlh->nlmsg_flags = m->flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	g->cmd = m->cmd;
	g->version = m->version;
	g->reserved = m->reserved;

	if (m->beyond > 0) {
		struct node *x = &nd[m->beyond];
		uint32_t pend = nd[x->parent].end, l = pend - x->off + m->beyond_k;

		((struct nlattr *)(b + x->off))->nla_len = (uint16_t)(l > 0xffff ? 0xffff : l);
	}
	if (m->cut && last > 0) {
		uint32_t span = nd[last].end - nd[last].off;

		total = nd[last].off + 1 + below(span - 1);
	}
	if (m->shorthdr)
		total = NLMSG_HDRLEN + (uint32_t)m->shorthdr - 1;
	for (c = 0; c < m->flips && total > NLMSG_HDRLEN; c++) {
		uint32_t at = NLMSG_HDRLEN + below(total - NLMSG_HDRLEN);

		b[at] ^= (uint8_t)(1u << below(8));
	}
	nlh->nlmsg_len = total;
	if (m->lie) {
		switch (below(4)) {
		case 0:
			nlh->nlmsg_len = below(NLMSG_HDRLEN);
			break;
		case 1:
			nlh->nlmsg_len = total + 1 + below(64);
			break;
		case 2:
			nlh->nlmsg_len = (uint32_t)rnd();
			break;
		default:
			nlh->nlmsg_len = total > NLMSG_HDRLEN ?
				NLMSG_HDRLEN + below(total - NLMSG_HDRLEN) : total;
			break;
		}
	}
	return total;
}

/* ------------------------------------------------------------------ */
/* What requests are about                                             */

struct svcdef {
	uint8_t proto;
	int fam;
	uint8_t addr[16];
	uint16_t port;
	uint32_t table_size;
	uint8_t hash;
};

struct bedef {
	int fam;
	uint8_t addr[16];
	uint32_t weight;
	uint8_t state;
};

/*
 * Scratch services (documentation addresses), created by invalid mode and
 * restored after anything changed them; [1] is the IPv6 one.
 */
static struct svcdef scratch[2], fresh[2];
static struct bedef scratch_be[2][3], new_be[2];

static void addr_parse(int fam, const char *s, uint8_t *out)
{
	memset(out, 0, 16);
	if (inet_pton(fam, s, out) != 1)
		fatal("internal: bad address %s", s);
}

static void defs_init(void)
{
	static const char *const v4be[3] = {
		"198.51.100.11", "198.51.100.12", "2001:db8::13"
	};
	static const char *const v6be[3] = {
		"2001:db8::11", "198.51.100.12", "2001:db8::13"
	};
	int v, i;

	scratch[0] = (struct svcdef){ IPPROTO_TCP, AF_INET, {0}, 7, 7, 0 };
	addr_parse(AF_INET, "198.51.100.7", scratch[0].addr);
	scratch[1] = (struct svcdef){ IPPROTO_UDP, AF_INET6, {0}, 7, 13, 1 };
	addr_parse(AF_INET6, "2001:db8::7", scratch[1].addr);
	fresh[0] = (struct svcdef){ IPPROTO_TCP, AF_INET, {0}, 8, 7, 2 };
	addr_parse(AF_INET, "198.51.100.8", fresh[0].addr);
	fresh[1] = (struct svcdef){ IPPROTO_SCTP, AF_INET6, {0}, 8, 11, 3 };
	addr_parse(AF_INET6, "2001:db8::8", fresh[1].addr);
	for (v = 0; v < 2; v++) {
		for (i = 0; i < 3; i++) {
			const char *s = v ? v6be[i] : v4be[i];
			struct bedef *b = &scratch_be[v][i];

			b->fam = strchr(s, ':') ? AF_INET6 : AF_INET;
			addr_parse(b->fam, s, b->addr);
			b->weight = (uint32_t)i + 1;
			b->state = MAGLEV_BE_STATE_UP;
		}
		new_be[v].fam = v ? AF_INET6 : AF_INET;
		addr_parse(new_be[v].fam, v ? "2001:db8::14" : "198.51.100.14",
			   new_be[v].addr);
		new_be[v].weight = 1;
		new_be[v].state = MAGLEV_BE_STATE_UP;
	}
}

/* The namespace settings, from CONFIG_GET, for a CONFIG_SET that changes
 * nothing. */
struct mgconf {
	bool ok;
	bool has_seed;
	uint8_t seed[16];
	uint8_t source4[4];
	uint8_t source6[16];
	uint8_t ttl, default_hash, expire_nodest;
	uint32_t default_table_size, conn_max;
	uint32_t timeouts[MAGLEV_TIMEOUT_A_MAX + 1];
	uint8_t icmp;
	uint32_t probe_mark, probe_mask;
	uint32_t frag_max, frag_hold, frag_hold_bytes, frag_timeout;
	uint32_t npool;
	uint8_t pool_fam[MAGLEV_POOL_MAX_MEMBERS];
	uint8_t pool[MAGLEV_POOL_MAX_MEMBERS][16];
};

static struct mgconf conf0;

static int put_addr(int p, uint16_t t4, uint16_t t6, int fam, const uint8_t *a)
{
	int i = fam == AF_INET ? leaf(p, t4, V_ADDR4, a, 4) : leaf(p, t6, V_ADDR6, a, 16);

	nd[i].alt = fam == AF_INET ? t6 : t4;
	nd[i].req = true;
	return i;
}

static void put_key(int p, const struct svcdef *s)
{
	nd[leaf_u8(p, MAGLEV_SVC_A_PROTO, V_PROTO, s->proto)].req = true;
	put_addr(p, MAGLEV_SVC_A_ADDR4, MAGLEV_SVC_A_ADDR6, s->fam, s->addr);
	nd[leaf_u16(p, MAGLEV_SVC_A_PORT, V_PORT, s->port)].req = true;
}

static int put_be(int p, const struct bedef *b, bool settings)
{
	int n = nest(p, MAGLEV_A_BACKEND, T_BE);

	put_addr(n, MAGLEV_BE_A_ADDR4, MAGLEV_BE_A_ADDR6, b->fam, b->addr);
	if (settings) {
		leaf_u32(n, MAGLEV_BE_A_WEIGHT, V_WEIGHT, b->weight);
		leaf_u8(n, MAGLEV_BE_A_STATE, V_STATE, b->state);
	}
	return n;
}

/* A whole service definition: key, settings, backends. */
static int put_service_full(int p, const struct svcdef *s, const struct bedef *be,
			    int nbe)
{
	int sn = nest(p, MAGLEV_A_SERVICE, T_SVC), list, i;

	nd[sn].req = true;
	put_key(sn, s);
	leaf_u32(sn, MAGLEV_SVC_A_TABLE_SIZE, V_TSIZE, s->table_size);
	leaf_u8(sn, MAGLEV_SVC_A_HASH, V_HASH, s->hash);
	leaf_u32(sn, MAGLEV_SVC_A_FLAGS, V_FLAGS, 0);
	list = nest(sn, MAGLEV_SVC_A_BACKENDS, T_BELIST);
	for (i = 0; i < nbe; i++)
		put_be(list, &be[i], true);
	return sn;
}

static int put_service_key(int p, const struct svcdef *s, bool req)
{
	int sn = nest(p, MAGLEV_A_SERVICE, T_SVC);

	nd[sn].req = req;
	put_key(sn, s);
	return sn;
}

static void put_config(int p, const struct mgconf *c)
{
	int cn = nest(p, MAGLEV_A_CONFIG, T_CFG), tn, i;

	nd[cn].req = true;
	if (c->has_seed)
		leaf(cn, MAGLEV_CFG_A_SEED, V_SEED, c->seed, 16);
	leaf(cn, MAGLEV_CFG_A_SOURCE4, V_ADDR4, c->source4, 4);
	leaf(cn, MAGLEV_CFG_A_SOURCE6, V_ADDR6, c->source6, 16);
	leaf_u8(cn, MAGLEV_CFG_A_TTL, V_U8, c->ttl);
	leaf_u32(cn, MAGLEV_CFG_A_DEFAULT_TABLE_SIZE, V_TSIZE, c->default_table_size);
	leaf_u8(cn, MAGLEV_CFG_A_DEFAULT_HASH, V_HASH, c->default_hash);
	leaf_u32(cn, MAGLEV_CFG_A_CONN_MAX, V_CONNMAX, c->conn_max);
	leaf_u8(cn, MAGLEV_CFG_A_EXPIRE_NODEST, V_NODEST, c->expire_nodest);
	tn = nest(cn, MAGLEV_CFG_A_TIMEOUTS, T_TMO);
	for (i = MAGLEV_TIMEOUT_A_TCP_SYN; i <= MAGLEV_TIMEOUT_A_MAX; i++)
		leaf_u32(tn, (uint16_t)i, V_TIMEOUT, c->timeouts[i]);
	leaf_u8(cn, MAGLEV_CFG_A_ICMP, V_ICMP, c->icmp);
	leaf_u32(cn, MAGLEV_CFG_A_PROBE_MARK, V_U32, c->probe_mark);
	leaf_u32(cn, MAGLEV_CFG_A_PROBE_MASK, V_U32, c->probe_mask);
	leaf_u32(cn, MAGLEV_CFG_A_FRAG_MAX, V_FRAGMAX, c->frag_max);
	leaf_u32(cn, MAGLEV_CFG_A_FRAG_HOLD, V_FRAGHOLD, c->frag_hold);
	leaf_u32(cn, MAGLEV_CFG_A_FRAG_HOLD_BYTES, V_HOLDBYTES, c->frag_hold_bytes);
	leaf_u32(cn, MAGLEV_CFG_A_FRAG_TIMEOUT, V_FRAGTMO, c->frag_timeout);
	/* The pool as it is (an empty nest clears it: no change either). */
	tn = nest(cn, MAGLEV_CFG_A_POOL, T_POOL);
	for (i = 0; i < (int)c->npool; i++)
		if (c->pool_fam[i] == AF_INET)
			leaf(tn, MAGLEV_POOL_A_ADDR4, V_ADDR4, c->pool[i], 4);
		else
			leaf(tn, MAGLEV_POOL_A_ADDR6, V_ADDR6, c->pool[i], 16);
}

/* Build the request maglevctl would send for @cmd, about scratch[@v]. */
static void skeleton(struct fmsg *m, int cmd, int v)
{
	const struct svcdef *s = &scratch[v];
	int fn, bn;

	msg_init(m, cmd);
	switch (cmd) {
	case MAGLEV_CMD_SERVICE_NEW:
		put_service_full(0, &fresh[v], scratch_be[v], 3);
		break;
	case MAGLEV_CMD_SERVICE_REPLACE:
		put_service_full(0, s, scratch_be[v], 3);
		break;
	case MAGLEV_CMD_SERVICE_SET: {
		int sn = put_service_key(0, s, true);

		leaf_u32(sn, MAGLEV_SVC_A_TABLE_SIZE, V_TSIZE, s->table_size);
		leaf_u8(sn, MAGLEV_SVC_A_HASH, V_HASH, s->hash);
		leaf_u32(sn, MAGLEV_SVC_A_FLAGS, V_FLAGS, 0);
		break;
	}
	case MAGLEV_CMD_SERVICE_DEL:
	case MAGLEV_CMD_TABLE_GET:
		put_service_key(0, s, true);
		break;
	case MAGLEV_CMD_SERVICE_GET:
		put_service_key(0, s, false);
		break;
	case MAGLEV_CMD_BACKEND_NEW:
		put_service_key(0, s, true);
		nd[put_be(0, &new_be[v], true)].req = true;
		break;
	case MAGLEV_CMD_BACKEND_SET:
		put_service_key(0, s, true);
		nd[put_be(0, &scratch_be[v][0], true)].req = true;
		break;
	case MAGLEV_CMD_BACKEND_DEL:
		put_service_key(0, s, true);
		nd[put_be(0, &scratch_be[v][1], false)].req = true;
		break;
	case MAGLEV_CMD_CONN_GET:
	case MAGLEV_CMD_CONN_FLUSH:
		/* The backend needs its service. */
		put_service_key(0, s, true);
		bn = put_be(0, &scratch_be[v][0], false);
		nd[bn].req = false;
		break;
	case MAGLEV_CMD_LOOKUP: {
		uint8_t src[16];

		fn = nest(0, MAGLEV_A_FLOW, T_FLOW);
		nd[fn].req = true;
		nd[leaf_u8(fn, MAGLEV_FLOW_A_PROTO, V_PROTO, s->proto)].req = true;
		addr_parse(s->fam, s->fam == AF_INET ? "192.0.2.1" : "2001:db8:1::1", src);
		put_addr(fn, MAGLEV_FLOW_A_SADDR4, MAGLEV_FLOW_A_SADDR6, s->fam, src);
		put_addr(fn, MAGLEV_FLOW_A_DADDR4, MAGLEV_FLOW_A_DADDR6, s->fam, s->addr);
		nd[leaf_u16(fn, MAGLEV_FLOW_A_SPORT, V_PORT, 40000)].req = true;
		nd[leaf_u16(fn, MAGLEV_FLOW_A_DPORT, V_PORT, s->port)].req = true;
		break;
	}
	case MAGLEV_CMD_CONFIG_SET:
		put_config(0, &conf0);
		break;
	default:	/* CONFIG_GET, STATS_GET, STATS_ZERO, FLUSH */
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Breaking things, one at a time                                      */

static int cur_cmd;

static bool p_fixed_leaf(int i)
{
	return nd[i].tag == T_LEAF && nd[i].vtag != V_NONE;
}

static bool p_any_leaf(int i)
{
	return nd[i].tag == T_LEAF;
}

static bool p_nest(int i)
{
	return is_nest(i);
}

static bool p_policy_nest(int i)
{
	switch (nd[i].tag) {
	case T_SVC: case T_BE: case T_CFG: case T_TMO: case T_FLOW: case T_POOL:
		return true;
	}
	return false;
}

static bool p_belist(int i)
{
	return nd[i].tag == T_BELIST;
}

/* A list with a bound: backends, or the forwarder pool. */
static bool p_list(int i)
{
	return nd[i].tag == T_BELIST || nd[i].tag == T_POOL;
}

static bool p_pool(int i)
{
	return nd[i].tag == T_POOL;
}

static bool p_req(int i)
{
	return nd[i].req;
}

static bool p_range(int i)
{
	switch (nd[i].vtag) {
	case V_PROTO: case V_TSIZE: case V_HASH: case V_FLAGS: case V_WEIGHT:
	case V_STATE: case V_CONNMAX: case V_NODEST: case V_TIMEOUT:
	case V_ICMP: case V_FRAGMAX: case V_FRAGHOLD: case V_HOLDBYTES:
	case V_FRAGTMO:
		return nd[i].tag == T_LEAF;
	}
	return false;
}

static bool p_addr(int i)
{
	return nd[i].tag == T_LEAF && nd[i].alt && nd[nd[i].parent].tag != T_CFG;
}

static bool p_flow_addr(int i)
{
	return p_addr(i) && nd[nd[i].parent].tag == T_FLOW;
}

static bool p_any(int i)
{
	(void)i;
	return true;
}

static bool p_nest_or_leaf(int i)
{
	return nd[i].tag == T_LEAF || is_nest(i);
}

static uint16_t rnd_type_above(uint16_t max)
{
	if (chance(50))
		return (uint16_t)(max + 1 + below(8));
	return (uint16_t)(max + 1 + below(NLA_TYPE_MASK - max));
}

/* An attribute type nothing in nest @tag's policy takes. */
static uint16_t unknown_type(int tag)
{
	static const uint16_t svc[] = { 0, MAGLEV_SVC_A_PAD, MAGLEV_SVC_A_STATS };
	static const uint16_t be[] = { 0, MAGLEV_BE_A_PAD, MAGLEV_BE_A_SLOTS,
				       MAGLEV_BE_A_INDEX, MAGLEV_BE_A_STATS };
	static const uint16_t cfg[] = { 0, MAGLEV_CFG_A_PAD, MAGLEV_CFG_A_MAX_SERVICES,
					MAGLEV_CFG_A_MAX_BACKENDS,
					MAGLEV_CFG_A_MAX_TABLE_SIZE };
	uint32_t top = cur_cmd > 0 ? cmds[cur_cmd].top : 0;
	uint16_t t;

	switch (tag) {
	case T_SVC:
		return chance(50) ? svc[below(3)] : rnd_type_above(MAGLEV_SVC_A_MAX);
	case T_BE:
		return chance(50) ? be[below(5)] : rnd_type_above(MAGLEV_BE_A_MAX);
	case T_CFG:
		return chance(50) ? cfg[below(5)] : rnd_type_above(MAGLEV_CFG_A_MAX);
	case T_TMO:
		return chance(30) ? 0 : rnd_type_above(MAGLEV_TIMEOUT_A_MAX);
	case T_FLOW:
		return chance(30) ? 0 : rnd_type_above(MAGLEV_FLOW_A_MAX);
	case T_POOL:
		return chance(30) ? 0 : rnd_type_above(MAGLEV_POOL_A_MAX);
	case T_BELIST:
		do
			t = (uint16_t)below(24);
		while (t == MAGLEV_A_BACKEND);
		return t;
	default:	/* top level */
		if (chance(40))
			return rnd_type_above(MAGLEV_A_MAX);
		do
			t = (uint16_t)below(MAGLEV_A_MAX + 1);
		while (top & BIT(t));
		return t;
	}
}

static void add_junk_attr(int p, uint16_t type)
{
	uint8_t buf[16];
	uint32_t len = below(17);

	rnd_bytes(buf, len);
	if (chance(25)) {
		int n = nest(p, type, T_RAW);

		leaf(n, (uint16_t)below(16), V_NONE, buf, len);
	} else {
		leaf(p, type, V_NONE, buf, len);
	}
}

/* 1-8 bytes that do not parse as attributes. */
static void junk_tail(struct node *n)
{
	uint16_t l;

	switch (below(3)) {
	case 0:		/* a truncated header */
		n->ntail = (uint8_t)(1 + below(3));
		rnd_bytes(n->tail, n->ntail);
		break;
	case 1:		/* nla_len below the header size */
		n->ntail = (uint8_t)(4 + below(5));
		rnd_bytes(n->tail, n->ntail);
		l = (uint16_t)below(4);
		memcpy(n->tail, &l, 2);
		break;
	default:	/* nla_len past the end */
		n->ntail = (uint8_t)(4 + below(5));
		rnd_bytes(n->tail, n->ntail);
		l = (uint16_t)(n->ntail + 1 + below(200));
		memcpy(n->tail, &l, 2);
		break;
	}
}

static uint32_t range_u32(int vtag)
{
	static const uint32_t tsize[] = {
		0, 1, 2, 3, 4, 5, 6, 8, 9, 15, 65536, 65535, 1048576, 1048575,
		1048583, 2000003, 0x7fffffff, 0xffffffff, 4097 * 4099,
	};
	uint32_t v;

	switch (vtag) {
	case V_TSIZE:
		if (chance(70))
			return tsize[below(sizeof(tsize) / sizeof(tsize[0]))];
		/* an odd composite in range: p * q */
		v = (uint32_t)(3 + 2 * below(500));
		return v * (uint32_t)(3 + 2 * below(300));
	case V_FLAGS:
		/* some bit no flag uses */
		return (uint32_t)rnd() | (1u << (2 + below(30)));
	case V_WEIGHT:
		return MAGLEV_WEIGHT_MAX + 1 + below(0xffffffffu - MAGLEV_WEIGHT_MAX);
	case V_CONNMAX:
		return chance(50) ? 0xffffffffu : 16777217u + below(0x7fffffff);
	case V_TIMEOUT:
		return chance(50) ? 0 : MAGLEV_TIMEOUT_MAX + 1 + below(0x7fffffff);
	case V_FRAGMAX:		/* 1..65536 */
		return chance(50) ? 0 : 65537 + below(0x7fffffff);
	case V_FRAGHOLD:	/* 0..1024 */
		return 1025 + below(chance(50) ? 8 : 0x7fffffff);
	case V_HOLDBYTES:	/* 0..256 MiB */
		return (256u << 20) + 1 + below(0x7fffffff);
	case V_FRAGTMO:		/* 10..60000 ms */
		return chance(50) ? below(10) : 60001 + below(0x7fffffff);
	}
	return 0;
}

static uint8_t range_u8(int vtag)
{
	static const uint8_t protos[] = { 0, 1, 2, 4, 41, 47, 50, 58, 136, 255 };

	switch (vtag) {
	case V_PROTO:
		return chance(60) ? protos[below(sizeof(protos))] :
			(uint8_t)(133 + below(123));
	case V_HASH:
		return (uint8_t)(MAGLEV_HASH_MAX + 1 + below(255 - MAGLEV_HASH_MAX));
	case V_STATE:
		return (uint8_t)(MAGLEV_BE_STATE_MAX + 1 + below(255 - MAGLEV_BE_STATE_MAX));
	case V_NODEST:
		return (uint8_t)(MAGLEV_EXPIRE_NODEST_MAX + 1 +
				 below(255 - MAGLEV_EXPIRE_NODEST_MAX));
	case V_ICMP:
		return (uint8_t)(2 + below(254));
	}
	return 0;
}

/* Size of the subtree at @i once serialized (upper bound). */
static uint32_t tree_size(int i)
{
	uint32_t s = NLA_HDRLEN + 8;
	int c;

	if (nd[i].tag == T_LEAF)
		return NLA_HDRLEN + NLA_ALIGN(nd[i].len);
	for (c = nd[i].child; c >= 0; c = nd[c].next)
		if (!nd[c].dead)
			s += tree_size(c);
	return s;
}

/*
 * Bytes a nest @p can still take before the nla_len of its top-level
 * ancestor (the largest) wraps.
 */
static uint32_t room(int p)
{
	uint32_t used;
	int i = p;

	if (p == 0)
		return 64000;
	while (nd[i].parent > 0)
		i = nd[i].parent;
	used = tree_size(i);
	return used >= 60000 ? 0 : 60000 - used;
}

static uint32_t subtree_nodes(int i)
{
	uint32_t n = 1;
	int c;

	for (c = nd[i].child; c >= 0; c = nd[c].next)
		if (!nd[c].dead)
			n += subtree_nodes(c);
	return n;
}

/* A copy of the subtree @src, appended to @parent's attributes. */
static int copy_subtree(int src, int parent)
{
	int n = new_node(parent, nd[src].type, nd[src].tag), c;

	nd[n].vtag = nd[src].vtag;
	nd[n].alt = nd[src].alt;
	nd[n].len = nd[src].len;
	nd[n].doff = nd[src].doff;
	for (c = nd[src].child; c >= 0; c = nd[c].next)
		if (!nd[c].dead)
			copy_subtree(c, n);
	return n;
}

static int deep_chain(int p, uint32_t depth)
{
	int n = p;
	uint32_t d;

	for (d = 0; d < depth; d++) {
		uint16_t t = (uint16_t)(chance(80) ? below(12) : rnd());

		n = nest(n, t & NLA_TYPE_MASK, T_RAW);
	}
	/* Innermost: something no policy takes. */
	leaf(n, (uint16_t)(0x3000 + below(0x1000)), V_NONE, "\xde\xad\xbe\xef", 4);
	return n;
}

/* Apply breakage @k to the request in nd[]/@m; false if it does not fit. */
static bool apply(struct fmsg *m, int k)
{
	int i, p, n;
	uint32_t v;

	switch (k) {
	case K_VALID:
		return true;
	case K_ATTR_LEN: {
		uint8_t buf[24];
		uint32_t len;

		i = pick(p_fixed_leaf);
		if (i < 0)
			return false;
		do
			len = below(21);
		while (len == vtag_len[nd[i].vtag]);
		rnd_bytes(buf, len);
		set_leaf(i, buf, len);
		return true;
	}
	case K_NESTED_FLAG:
		i = pick(p_nest_or_leaf);
		if (i < 0)
			return false;
		nd[i].type ^= NLA_F_NESTED;
		return true;
	case K_UNKNOWN_TOP:
		add_junk_attr(0, unknown_type(T_ROOT));
		return true;
	case K_UNKNOWN_NESTED:
		i = pick(p_policy_nest);
		if (i < 0)
			return false;
		add_junk_attr(i, unknown_type(nd[i].tag));
		return true;
	case K_ARRAY_ENTRY: {
		struct bedef b = { AF_INET, { 198, 51, 100, 99 }, 1, 1 };

		i = pick(p_belist);
		if (i < 0)
			return false;
		/* an entry of the list, or a new one, gets another type */
		for (p = nd[i].child; p >= 0; p = nd[p].next)
			if (!nd[p].dead && chance(40))
				break;
		if (p < 0)
			p = put_be(i, &b, true);
		nd[p].type = (uint16_t)(NLA_F_NESTED | unknown_type(T_BELIST));
		return true;
	}
	case K_MISSING:
		i = pick(p_req);
		if (i < 0)
			return false;
		nd[i].dead = true;
		return true;
	case K_RANGE:
		i = pick(p_range);
		if (i < 0)
			return false;
		if (vtag_len[nd[i].vtag] == 1) {
			uint8_t b = range_u8(nd[i].vtag);

			set_leaf(i, &b, 1);
		} else {
			v = range_u32(nd[i].vtag);
			set_leaf(i, &v, 4);
		}
		return true;
	case K_NOT_NEST:
		i = pick(p_nest);
		if (i < 0)
			return false;
		for (p = nd[i].child; p >= 0; p = nd[p].next)
			nd[p].dead = true;
		junk_tail(&nd[i]);
		return true;
	case K_TRUNC:
		n = collect(p_nest);
		p = chance(30) || !n ? 0 : cand[below((uint32_t)n)];
		junk_tail(&nd[p]);
		return true;
	case K_BEYOND:
		i = pick(p_any);
		if (i < 0)
			return false;
		m->beyond = i;
		m->beyond_k = chance(50) ? 1 + below(8) : 1 + below(4000);
		return true;
	case K_CUT:
		for (p = nd[0].child; p >= 0; p = nd[p].next)
			if (!nd[p].dead)
				break;
		if (p < 0)
			return false;
		m->cut = true;
		return true;
	case K_BOTH_ADDR: {
		uint8_t a[16];

		i = pick(p_addr);
		if (i < 0)
			return false;
		rnd_bytes(a, sizeof(a));
		n = leaf(nd[i].parent, nd[i].alt, nd[i].vtag == V_ADDR4 ? V_ADDR6 : V_ADDR4,
			 a, nd[i].vtag == V_ADDR4 ? 16 : 4);
		nd[n].alt = nd[i].type;
		return true;
	}
	case K_FLOW_FAMILY: {
		uint8_t a[16];
		uint16_t t;

		n = collect(p_flow_addr);
		if (n < 2)
			return false;
		i = cand[below((uint32_t)n)];
		rnd_bytes(a, sizeof(a));
		t = nd[i].type;
		nd[i].type = nd[i].alt;
		nd[i].alt = t;
		nd[i].vtag = nd[i].vtag == V_ADDR4 ? V_ADDR6 : V_ADDR4;
		set_leaf(i, a, vtag_len[nd[i].vtag]);
		return true;
	}
	case K_HUGE_LIST: {
		uint32_t want = max_backends + 1, j;

		i = pick(p_list);
		if (i >= 0 && nd[i].tag == T_POOL) {
			/* MAGLEV_POOL_MAX_MEMBERS + 1 distinct members */
			for (p = nd[i].child; p >= 0; p = nd[p].next)
				nd[p].dead = true;
			for (j = 0; j <= MAGLEV_POOL_MAX_MEMBERS; j++) {
				uint8_t a[4] = { 10, 129, (uint8_t)(j >> 8), (uint8_t)j };

				leaf(i, MAGLEV_POOL_A_ADDR4, V_ADDR4, a, 4);
			}
			return true;
		}
		if (i < 0 || NLA_HDRLEN + 12ull * want > 65000 - 200)
			return false;
		for (p = nd[i].child; p >= 0; p = nd[p].next)
			nd[p].dead = true;
		for (j = 0; j < want; j++) {
			struct bedef b = { AF_INET, { 10, 128 | (uint8_t)(j >> 16),
						      (uint8_t)(j >> 8), (uint8_t)j }, 1, 1 };

			n = nest(i, MAGLEV_A_BACKEND, T_BE);
			leaf(n, MAGLEV_BE_A_ADDR4, V_ADDR4, b.addr, 4);
		}
		return true;
	}
	case K_POOL_DUP: {
		uint8_t a[16];

		i = pick(p_pool);
		if (i < 0)
			return false;
		/* a member given twice: an existing one, or a new one */
		for (p = nd[i].child; p >= 0; p = nd[p].next)
			if (!nd[p].dead && nd[p].tag == T_LEAF && chance(50))
				break;
		if (p < 0) {
			int fam6 = chance(50);

			rnd_bytes(a, sizeof(a));
			p = leaf(i, fam6 ? MAGLEV_POOL_A_ADDR6 : MAGLEV_POOL_A_ADDR4,
				 fam6 ? V_ADDR6 : V_ADDR4, a, fam6 ? 16 : 4);
		}
		n = leaf(i, nd[p].type, nd[p].vtag, NULL, nd[p].len);
		nd[n].doff = nd[p].doff;
		return true;
	}
	case K_DEEP:
		n = collect(p_nest);
		p = chance(30) || !n ? 0 : cand[below((uint32_t)n)];
		v = 2 + below(chance(50) ? 30 : 4000);
		if (room(p) < 4 * v + 64)
			v = room(p) > 72 ? (room(p) - 64) / 4 : 0;
		if (v < 2)
			return false;
		deep_chain(p, v);
		return true;
	case K_HUGE_NEST: {
		uint32_t cnt, j, r, sz;
		int tmpl = -1;

		n = collect(p_nest);
		p = chance(20) || !n ? 0 : cand[below((uint32_t)n)];
		r = room(p);
		if (r < 2000)
			return false;
		if (nd[p].tag == T_BELIST) {
			struct bedef b = { AF_INET, { 10, 129, 0, 0 }, 1, 1 };

			/* nest, ADDR4, WEIGHT, STATE: 28 bytes */
			cnt = (r - 200) / 28;
			if (cnt >= max_backends)
				cnt = max_backends - 1;
			for (j = 0; j < cnt; j++) {
				b.addr[2] = (uint8_t)(j >> 8);
				b.addr[3] = (uint8_t)j;
				put_be(p, &b, true);
			}
			b.weight = range_u32(V_WEIGHT);
			put_be(p, &b, true);
			return true;
		}
		/*
		 * Copies of one of its attributes (all checked before the
		 * bad one), or where it has none, of an unknown one.
		 */
		j = 0;
		for (i = nd[p].child; i >= 0; i = nd[i].next)
			if (!nd[i].dead && below(++j) == 0)
				tmpl = i;
		sz = tmpl >= 0 ? tree_size(tmpl) : 24;
		cnt = (r - 200) / sz;
		if (tmpl >= 0 && cnt > (MAX_NODES - (uint32_t)nn - 64) / subtree_nodes(tmpl))
			cnt = (MAX_NODES - (uint32_t)nn - 64) / subtree_nodes(tmpl);
		if (cnt > (tmpl >= 0 ? 8000u : 2000u))
			cnt = tmpl >= 0 ? 8000 : 2000;
		cnt = cnt / 2 + below(cnt / 2 + 1);
		for (j = 0; j < cnt; j++) {
			if (tmpl >= 0)
				copy_subtree(tmpl, p);
			else
				add_junk_attr(p, unknown_type(nd[p].tag));
		}
		/* and then one that is wrong */
		add_junk_attr(p, unknown_type(nd[p].tag));
		return true;
	}
	case K_RESERVED:
		m->reserved = (uint16_t)(1 + below(0xfffe));
		return true;
	case K_NLFLAGS: {
		static const uint16_t extra[] = {
			NLM_F_MULTI, NLM_F_DUMP_INTR, NLM_F_DUMP_FILTERED, 0x40, 0x80,
			NLM_F_ATOMIC, 0x800, 0x1000, 0x2000, 0x4000, 0x8000,
		};

		if (!(m->flags & NLM_F_DUMP) && chance(30))
			m->flags |= chance(50) ? NLM_F_ROOT : NLM_F_MATCH;
		else
			m->flags |= extra[below(sizeof(extra) / sizeof(extra[0]))];
		return true;
	}
	case K_DUMP_FLAG:
		if (cur_cmd <= 0)
			return false;
		if (m->flags & NLM_F_DUMP)
			m->flags &= (uint16_t)~NLM_F_DUMP;
		else
			m->flags |= NLM_F_DUMP;
		/* Only what the family does not implement. */
		if (m->flags & NLM_F_DUMP ? cmds[cur_cmd].dumpit :
		    cmds[cur_cmd].doit && cur_cmd != MAGLEV_CMD_SERVICE_GET)
			return false;
		return true;
	case K_SHORT:
		m->shorthdr = 1 + (int)below(GENL_HDRLEN);
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* The socket                                                          */

static int sock = -1;
static uint32_t seq_next = 1;
static uint32_t send_limit = 200000;

static int sock_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	int one = 1, size = 8 << 20, fd, got;
	socklen_t l = sizeof(got);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		fatal("socket(NETLINK_GENERIC): %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fatal("bind: %s", strerror(errno));
	if (!no_extack &&
	    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0)
		fatal("NETLINK_EXT_ACK: %s", strerror(errno));
	/* Errors do not echo the (maybe huge) request back. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &got, &l) == 0 && got > 4096)
		send_limit = (uint32_t)got - 1024;
	if (send_limit > 1u << 20)
		send_limit = 1u << 20;
	return fd;
}

static void resolve_family(int *grp)
{
	struct nl_sock *nsk = nl_socket_alloc();
	int err;

	if (!nsk)
		fatal("out of memory");
	err = genl_connect(nsk);
	if (err < 0)
		fatal("genl_connect: %s", nl_geterror(err));
	family_id = genl_ctrl_resolve(nsk, MAGLEV_GENL_NAME);
	if (family_id < 0)
		fatal("generic netlink family \"%s\" not found (is maglev loaded?)",
		      MAGLEV_GENL_NAME);
	if (grp)
		*grp = genl_ctrl_resolve_grp(nsk, MAGLEV_GENL_NAME, MAGLEV_MCGRP_CONFIG);
	nl_socket_free(nsk);
}

/* Does the error/done message @nlh carry NLMSGERR_ATTR_MSG? */
static bool has_extack_msg(const struct nlmsghdr *nlh, uint32_t tlv_off,
			   const char **msg)
{
	const struct nlattr *a;
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || tlv_off > nlh->nlmsg_len)
		return false;
	a = (const struct nlattr *)((const uint8_t *)nlh + tlv_off);
	rem = (int)(nlh->nlmsg_len - tlv_off);
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			if (msg)
				*msg = (const char *)a + NLA_HDRLEN;
			return true;
		}
		rem -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
	return false;
}

/*
 * Terminal message? Sets *err (a positive errno or 0) and *extack.
 * Returns false for data messages.
 */
static bool reply_status(const struct nlmsghdr *nlh, int *err, bool *extack,
			 const char **msg)
{
	uint32_t off;

	if (msg)
		*msg = NULL;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
			*err = EPROTO;
			*extack = false;
			return true;
		}
		*err = -e->error;
		off = NLMSG_HDRLEN + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
		*extack = has_extack_msg(nlh, off, msg);
		return true;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		int v = 0;

		if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
			memcpy(&v, NLMSG_DATA(nlh), sizeof(v));
		*err = -v;
		*extack = has_extack_msg(nlh, NLMSG_HDRLEN + sizeof(int), msg);
		return true;
	}
	return false;
}

static uint8_t rbuf[RECV_SLOTS][RECV_SIZE];

typedef void (*nlmsg_fn)(const struct nlmsghdr *nlh, void *arg);

/*
 * Receive up to RECV_SLOTS datagrams, hand each message to @fn. Returns
 * how many datagrams arrived: 0 only without @block, when none waited.
 */
static int recv_batch(bool block, nlmsg_fn fn, void *arg)
{
	struct mmsghdr mm[RECV_SLOTS];
	struct iovec iov[RECV_SLOTS];
	int i, n;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < RECV_SLOTS; i++) {
		iov[i].iov_base = rbuf[i];
		iov[i].iov_len = RECV_SIZE;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(sock, mm, RECV_SLOTS, block ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno == EINTR)
			return recv_batch(block, fn, arg);
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (!block)
				return 0;
			fprintf(stdout, "nlfuzz: FAIL: no answer from the kernel in %d s\n",
				RECV_TIMEOUT_S);
			return -1;
		}
		if (errno == ENOBUFS)
			fatal("receive queue overrun (ENOBUFS): lower --batch");
		fatal("recvmmsg: %s", strerror(errno));
	}
	for (i = 0; i < n; i++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf[i];
		int len = (int)mm[i].msg_len;

		if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
			fatal("a reply did not fit %u bytes", RECV_SIZE);
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len))
			fn(nlh, arg);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* One request at a time                                               */

struct xact_state {
	uint32_t seq;
	bool done;
	int err;
	bool extack;
	char msg[160];
	nlmsg_fn data;
	void *arg;
};

static void xact_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct xact_state *x = arg;
	const char *msg;

	if (nlh->nlmsg_seq != x->seq || x->done)
		return;
	if (reply_status(nlh, &x->err, &x->extack, &msg)) {
		x->done = true;
		if (msg)
			snprintf(x->msg, sizeof(x->msg), "%s", msg);
		return;
	}
	if (x->data)
		x->data(nlh, x->arg);
}

static uint8_t xbuf[MAX_MSG];

/* Send @m alone and wait for its answer; returns 0 or a positive errno. */
static int xact(struct fmsg *m, nlmsg_fn data, void *arg, char *emsg, size_t emsz)
{
	struct xact_state x = { .data = data, .arg = arg };
	uint32_t len;

	x.seq = seq_next++;
	len = ser_msg(m, xbuf, sizeof(xbuf), x.seq);
	if (send(sock, xbuf, len, 0) < 0)
		fatal("send: %s", strerror(errno));
	while (!x.done)
		if (recv_batch(true, xact_msg, &x) < 0)
			exit(EXIT_FAILED);
	/* a dump that ended, a late ack: let nothing linger */
	while (recv_batch(false, xact_msg, &x) > 0)
		;
	if (emsg && emsz)
		snprintf(emsg, emsz, "%s", x.msg);
	return x.err;
}

static const struct nlattr *attr_find(const void *p, int len, int type)
{
	const struct nlattr *a = p;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

#define ATTR_DATA(a) ((const uint8_t *)(a) + NLA_HDRLEN)
#define ATTR_LEN(a) ((int)(a)->nla_len - NLA_HDRLEN)

static const struct nlattr *genl_attr(const struct nlmsghdr *nlh, int type)
{
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	if (len < 0)
		return NULL;
	return attr_find((const uint8_t *)nlh + NLMSG_HDRLEN + GENL_HDRLEN, len, type);
}

static bool nest_u32(const struct nlattr *n, int type, uint32_t *v)
{
	const struct nlattr *a = attr_find(ATTR_DATA(n), ATTR_LEN(n), type);

	if (!a || ATTR_LEN(a) < 4)
		return false;
	memcpy(v, ATTR_DATA(a), 4);
	return true;
}

static bool nest_u8(const struct nlattr *n, int type, uint8_t *v)
{
	const struct nlattr *a = attr_find(ATTR_DATA(n), ATTR_LEN(n), type);

	if (!a || ATTR_LEN(a) < 1)
		return false;
	*v = *ATTR_DATA(a);
	return true;
}

static bool nest_bytes(const struct nlattr *n, int type, void *v, int len)
{
	const struct nlattr *a = attr_find(ATTR_DATA(n), ATTR_LEN(n), type);

	if (!a || ATTR_LEN(a) != len)
		return false;
	memcpy(v, ATTR_DATA(a), (size_t)len);
	return true;
}

static void config_msg(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *c = genl_attr(nlh, MAGLEV_A_CONFIG), *t;
	struct mgconf *cf = arg;
	int i;

	if (!c)
		return;
	cf->ok = true;
	cf->has_seed = nest_bytes(c, MAGLEV_CFG_A_SEED, cf->seed, 16);
	nest_bytes(c, MAGLEV_CFG_A_SOURCE4, cf->source4, 4);
	nest_bytes(c, MAGLEV_CFG_A_SOURCE6, cf->source6, 16);
	nest_u8(c, MAGLEV_CFG_A_TTL, &cf->ttl);
	nest_u32(c, MAGLEV_CFG_A_DEFAULT_TABLE_SIZE, &cf->default_table_size);
	nest_u8(c, MAGLEV_CFG_A_DEFAULT_HASH, &cf->default_hash);
	nest_u32(c, MAGLEV_CFG_A_MAX_BACKENDS, &max_backends);
	nest_u32(c, MAGLEV_CFG_A_CONN_MAX, &cf->conn_max);
	nest_u8(c, MAGLEV_CFG_A_EXPIRE_NODEST, &cf->expire_nodest);
	t = attr_find(ATTR_DATA(c), ATTR_LEN(c), MAGLEV_CFG_A_TIMEOUTS);
	for (i = MAGLEV_TIMEOUT_A_TCP_SYN; t && i <= MAGLEV_TIMEOUT_A_MAX; i++)
		nest_u32(t, i, &cf->timeouts[i]);
	nest_u8(c, MAGLEV_CFG_A_ICMP, &cf->icmp);
	nest_u32(c, MAGLEV_CFG_A_PROBE_MARK, &cf->probe_mark);
	nest_u32(c, MAGLEV_CFG_A_PROBE_MASK, &cf->probe_mask);
	nest_u32(c, MAGLEV_CFG_A_FRAG_MAX, &cf->frag_max);
	nest_u32(c, MAGLEV_CFG_A_FRAG_HOLD, &cf->frag_hold);
	nest_u32(c, MAGLEV_CFG_A_FRAG_HOLD_BYTES, &cf->frag_hold_bytes);
	nest_u32(c, MAGLEV_CFG_A_FRAG_TIMEOUT, &cf->frag_timeout);
	t = attr_find(ATTR_DATA(c), ATTR_LEN(c), MAGLEV_CFG_A_POOL);
	cf->npool = 0;
	if (t) {
		const struct nlattr *a = (const struct nlattr *)ATTR_DATA(t);
		int rem = ATTR_LEN(t);

		while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		       a->nla_len <= rem &&
		       cf->npool < MAGLEV_POOL_MAX_MEMBERS) {
			int ty = a->nla_type & NLA_TYPE_MASK;
			int len = ATTR_LEN(a);

			if ((ty == MAGLEV_POOL_A_ADDR4 && len == 4) ||
			    (ty == MAGLEV_POOL_A_ADDR6 && len == 16)) {
				cf->pool_fam[cf->npool] =
					ty == MAGLEV_POOL_A_ADDR4 ? AF_INET : AF_INET6;
				memcpy(cf->pool[cf->npool++], ATTR_DATA(a), len);
			}
			rem -= NLA_ALIGN(a->nla_len);
			a = (const struct nlattr *)((const uint8_t *)a +
						    NLA_ALIGN(a->nla_len));
		}
	}
}

static void config_defaults(struct mgconf *c)
{
	static const uint32_t to[] = { 0, 60, 900, 120, 10, 300, 900 };

	memset(c, 0, sizeof(*c));
	c->default_table_size = MAGLEV_TABLE_SIZE_DEFAULT;
	c->conn_max = 65536;
	c->expire_nodest = MAGLEV_EXPIRE_NODEST_REHASH;
	memcpy(c->timeouts, to, sizeof(to));
	c->icmp = 1;
	c->frag_max = 4096;
	c->frag_hold = 64;
	c->frag_hold_bytes = 4u << 20;
	c->frag_timeout = 200;
}

static int config_read(struct mgconf *c)
{
	struct fmsg m;
	int err;

	config_defaults(c);
	msg_init(&m, MAGLEV_CMD_CONFIG_GET);
	err = xact(&m, config_msg, c, NULL, 0);
	if (!err && !c->ok)
		err = EPROTO;
	return err;
}

/* Service keys, from a SERVICE_GET dump. */
struct skey {
	uint8_t proto;
	uint8_t fam;
	uint16_t port;
	uint8_t addr[16];
};

struct keylist {
	struct skey k[2048];
	int n;
};

static bool key_from_nest(const struct nlattr *s, struct skey *k)
{
	memset(k, 0, sizeof(*k));
	if (!nest_u8(s, MAGLEV_SVC_A_PROTO, &k->proto))
		return false;
	{
		const struct nlattr *p = attr_find(ATTR_DATA(s), ATTR_LEN(s), MAGLEV_SVC_A_PORT);

		if (!p || ATTR_LEN(p) < 2)
			return false;
		memcpy(&k->port, ATTR_DATA(p), 2);
	}
	if (nest_bytes(s, MAGLEV_SVC_A_ADDR4, k->addr, 4))
		k->fam = AF_INET;
	else if (nest_bytes(s, MAGLEV_SVC_A_ADDR6, k->addr, 16))
		k->fam = AF_INET6;
	else
		return false;
	return true;
}

static bool key_in(const struct keylist *l, const struct skey *k)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!memcmp(&l->k[i], k, sizeof(*k)))
			return true;
	return false;
}

static void svc_key_msg(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *s = genl_attr(nlh, MAGLEV_A_SERVICE);
	struct keylist *l = arg;
	struct skey k;

	if (!s || !key_from_nest(s, &k) || key_in(l, &k))
		return;
	if (l->n < (int)(sizeof(l->k) / sizeof(l->k[0])))
		l->k[l->n++] = k;
}

static int services_list(struct keylist *l)
{
	struct fmsg m;

	l->n = 0;
	msg_init(&m, MAGLEV_CMD_SERVICE_GET);
	m.flags = NLM_F_REQUEST | NLM_F_DUMP;
	return xact(&m, svc_key_msg, l, NULL, 0);
}

static int service_del_key(const struct skey *k)
{
	struct svcdef s = { .proto = k->proto, .fam = k->fam, .port = k->port };
	struct fmsg m;

	memcpy(s.addr, k->addr, 16);
	msg_init(&m, MAGLEV_CMD_SERVICE_DEL);
	put_service_key(0, &s, true);
	return xact(&m, NULL, NULL, NULL, 0);
}

static struct keylist keep;	/* the services there before us */

/* Put the scratch services back as they were, delete ones we made. */
static int scratch_restore(bool delete_others)
{
	static struct keylist now;
	struct fmsg m;
	char emsg[160];
	int v, i, err, ret = 0;

	if (delete_others && !services_list(&now))
		for (i = 0; i < now.n; i++)
			if (!key_in(&keep, &now.k[i]))
				service_del_key(&now.k[i]);
	for (v = 0; v < 2; v++) {
		msg_init(&m, MAGLEV_CMD_SERVICE_REPLACE);
		put_service_full(0, &scratch[v], scratch_be[v], 3);
		err = xact(&m, NULL, NULL, emsg, sizeof(emsg));
		if (err) {
			printf("nlfuzz: cannot set up the scratch service: %s%s%s\n",
			       strerror(err), *emsg ? ": " : "", emsg);
			ret = err;
		}
	}
	return ret;
}

static void scratch_remove(void)
{
	struct skey k;
	int v;

	for (v = 0; v < 2; v++) {
		memset(&k, 0, sizeof(k));
		k.proto = scratch[v].proto;
		k.fam = (uint8_t)scratch[v].fam;
		k.port = scratch[v].port;
		memcpy(k.addr, scratch[v].addr, 16);
		if (!key_in(&keep, &k))
			service_del_key(&k);
	}
}

static int config_write(const struct mgconf *c)
{
	struct fmsg m;

	msg_init(&m, MAGLEV_CMD_CONFIG_SET);
	put_config(0, c);
	return xact(&m, NULL, NULL, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */

enum { ST_SENT, ST_DATA, ST_DONE };

struct pend {
	uint32_t seq;
	uint32_t off, len;	/* the bytes sent, in sendbuf */
	int cmd_idx;
	int kind;
	bool change, want_extack, alone;
	uint8_t st;
	int err;
	bool extack;
	char emsg[100];		/* the extended ack message */
};

static uint8_t *sendbuf;
static uint32_t sendlen;
static struct pend pend[BATCH_MAX];
static int npend;
static uint32_t sentinel_seq;
static bool sentinel_seen;

static void batch_msg(const struct nlmsghdr *nlh, void *arg)
{
	const char *msg;
	struct pend *p;
	int64_t idx;

	(void)arg;
	if (nlh->nlmsg_seq == sentinel_seq) {
		if (nlh->nlmsg_type == NLMSG_ERROR)
			sentinel_seen = true;
		return;
	}
	if (!npend)
		return;
	idx = (int64_t)nlh->nlmsg_seq - pend[0].seq;
	if (idx < 0 || idx >= npend)
		return;		/* from an earlier batch */
	p = &pend[idx];
	if (p->st == ST_DONE)
		return;
	if (reply_status(nlh, &p->err, &p->extack, &msg)) {
		p->st = ST_DONE;
		if (msg)
			snprintf(p->emsg, sizeof(p->emsg), "%s", msg);
	} else {
		p->st = ST_DATA;
	}
}

static void send_bytes(const uint8_t *b, uint32_t len)
{
	while (send(sock, b, len, 0) < 0) {
		if (errno == EINTR)
			continue;
		fatal("send of %u bytes: %s", len, strerror(errno));
	}
}

/* Send the batch, then read until every answer is in. */
static int batch_run(void)
{
	struct nlmsghdr noop = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	int i = 0, j;

	if (dry_run) {
		for (i = 0; i < npend; i++) {
			pend[i].st = ST_DONE;
			pend[i].err = EPERM;
		}
		return 0;
	}
	while (i < npend) {
		if (pend[i].alone) {
			send_bytes(sendbuf + pend[i].off, pend[i].len);
			i++;
			continue;
		}
		for (j = i + 1; j < npend && !pend[j].alone &&
		     pend[j].off + pend[j].len - pend[i].off <= send_limit; j++)
			;
		send_bytes(sendbuf + pend[i].off, pend[j - 1].off + pend[j - 1].len - pend[i].off);
		i = j;
	}
	sentinel_seq = seq_next++;
	noop.nlmsg_seq = sentinel_seq;
	sentinel_seen = false;
	send_bytes((const uint8_t *)&noop, sizeof(noop));
	while (!sentinel_seen)
		if (recv_batch(true, batch_msg, NULL) < 0)
			return -1;
	/* dumps go on as we read */
	while (recv_batch(false, batch_msg, NULL) > 0)
		;
	return 0;
}

static void batch_reset(void)
{
	npend = 0;
	sendlen = 0;
}

/* Serialize @m into the batch. */
static struct pend *batch_add(struct fmsg *m)
{
	struct pend *p = &pend[npend++];
	uint32_t len;

	sendlen = NLMSG_ALIGN(sendlen);
	if (sendlen + MAX_MSG > SEND_BUF)
		fatal("internal: batch buffer full");
	memset(p, 0, sizeof(*p));
	p->seq = seq_next++;
	p->off = sendlen;
	len = ser_msg(m, sendbuf + sendlen, MAX_MSG, p->seq);
	p->len = len;
	p->cmd_idx = m->cmd_idx;
	p->kind = m->kind;
	p->change = m->change;
	p->want_extack = m->want_extack;
	/* Messages whose length lies go alone: they end a send's parsing. */
	p->alone = m->lie || len > send_limit / 2;
	sendlen += len;
	while (sendlen & 3)
		sendbuf[sendlen++] = 0;
	return p;
}

static bool batch_full(uint32_t max)
{
	return (uint32_t)npend >= max || sendlen > SEND_BUF / 2;
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

struct stats {
	uint64_t sent, accepted, rejected, missing_extack, unexpected, noreply;
	uint32_t unexp[MAGLEV_CMD_MAX + 1][K_MAX];
	uint32_t noext[MAGLEV_CMD_MAX + 1][K_MAX];
	uint32_t printed;
};

static struct stats st;

static const char *cmd_name(int idx)
{
	return idx > 0 && idx <= MAGLEV_CMD_MAX ? cmds[idx].name : "UNKNOWN_CMD";
}

static void report_msg(const char *what, const struct pend *p)
{
	if (st.printed >= PRINT_MAX)
		return;
	if (++st.printed == PRINT_MAX)
		printf("nlfuzz: (printing no more messages)\n");
	printf("nlfuzz: %s: %s %s seq %u, %u bytes:\n", what, cmd_name(p->cmd_idx),
	       kind_names[p->kind], p->seq, p->len);
	hexdump(stdout, sendbuf + p->off, p->len);
}

enum mode { M_INVALID, M_RANDOM, M_UNPRIV };

/* Account for the batch; true if something changed the configuration. */
static bool batch_account(enum mode mode)
{
	bool changed = false;
	int i;

	for (i = 0; i < npend; i++) {
		struct pend *p = &pend[i];
		bool ok = p->st != ST_DONE || p->err == 0;
		char what[96];

		st.sent++;
		if (mode == M_RANDOM) {
			if (ok)
				st.accepted++;
			else
				st.rejected++;
			continue;
		}
		if (p->st == ST_SENT) {
			st.noreply++;
			st.unexpected++;
			st.unexp[p->cmd_idx][p->kind]++;
			report_msg("NO ANSWER", p);
			continue;
		}
		if (ok)
			st.accepted++;
		else
			st.rejected++;
		if (mode == M_UNPRIV) {
			if (p->st == ST_DONE && p->err == EPERM)
				continue;
			st.unexpected++;
			if (!st.unexp[p->cmd_idx][p->kind]++) {
				snprintf(what, sizeof(what), "NOT EPERM (%s)",
					 ok ? "accepted" : strerror(p->err));
				report_msg(what, p);
			}
			continue;
		}
		if (ok && p->change) {
			st.unexpected++;
			changed = true;
			if (!st.unexp[p->cmd_idx][p->kind]++)
				report_msg("UNEXPECTED ACCEPT", p);
		} else if (!ok && p->change && p->want_extack && !p->extack && !no_extack) {
			st.missing_extack++;
			if (!st.noext[p->cmd_idx][p->kind]++) {
				snprintf(what, sizeof(what), "NO EXTACK MESSAGE (%s)",
					 strerror(p->err));
				report_msg(what, p);
			}
		}
		if (verbose) {
			printf("nlfuzz: %s %s: %s%s%s\n", cmd_name(p->cmd_idx),
			       kind_names[p->kind], ok ? "accepted" : strerror(p->err),
			       p->emsg[0] ? ": " : "", p->emsg);
			hexdump(stdout, sendbuf + p->off, p->len);
		}
	}
	return changed;
}

static void print_tables(void)
{
	int c, k;

	for (c = 0; c <= MAGLEV_CMD_MAX; c++)
		for (k = 0; k < K_MAX; k++) {
			if (st.unexp[c][k])
				printf("nlfuzz:   unexpected %-15s %-16s %u\n", cmd_name(c),
				       kind_names[k], st.unexp[c][k]);
			if (st.noext[c][k])
				printf("nlfuzz:   no-extack  %-15s %-16s %u\n", cmd_name(c),
				       kind_names[k], st.noext[c][k]);
		}
}

static void print_summary(const char *mode, double t)
{
	printf("nlfuzz: mode %s sent %llu accepted %llu rejected %llu missing-extack %llu unexpected-accept %llu\n",
	       mode, (unsigned long long)st.sent, (unsigned long long)st.accepted,
	       (unsigned long long)st.rejected, (unsigned long long)st.missing_extack,
	       (unsigned long long)st.unexpected);
	printf("nlfuzz: mode %s elapsed %.1f s rate %.0f messages/s\n", mode, t,
	       t > 0 ? (double)st.sent / t : 0.0);
}

/* ------------------------------------------------------------------ */
/* Invalid and unprivileged modes                                      */

/*
 * Breakages within the attributes; the kernel checks permissions before
 * them, so the unprivileged mode uses these only.
 */
static const int attr_kinds[] = {
	K_ATTR_LEN, K_NESTED_FLAG, K_UNKNOWN_TOP, K_UNKNOWN_NESTED, K_ARRAY_ENTRY,
	K_MISSING, K_RANGE, K_NOT_NEST, K_TRUNC, K_BEYOND, K_CUT, K_BOTH_ADDR,
	K_FLOW_FAMILY, K_HUGE_LIST, K_DEEP, K_HUGE_NEST, K_POOL_DUP,
};

/*
 * The genetlink core checks these before permissions (6.12 also looks
 * the operation up by do/dump before them).
 */
static const int header_kinds[] = { K_RESERVED, K_NLFLAGS, K_DUMP_FLAG, K_SHORT };

/* Build request number @i of invalid (or, @unpriv, unprivileged) mode. */
static void build_invalid(struct fmsg *m, uint64_t i, bool unpriv)
{
	const uint32_t nattr = sizeof(attr_kinds) / sizeof(attr_kinds[0]);
	const uint32_t nhdr = sizeof(header_kinds) / sizeof(header_kinds[0]);
	int cmd = (int)(i % (MAGLEV_CMD_MAX + (unpriv ? 0 : 1))) + 1;
	int v = (int)below(2), tries, k;

	if (cmd > MAGLEV_CMD_MAX) {
		/* a command number the family does not have */
		int as = 1 + (int)below(MAGLEV_CMD_MAX);

		skeleton(m, as, v);
		m->cmd = chance(30) ? 0 :
			(uint8_t)(MAGLEV_CMD_MAX + 1 + below(255 - MAGLEV_CMD_MAX));
		m->cmd_idx = 0;
		m->kind = K_BAD_CMD;
		m->change = true;
		m->want_extack = false;
		return;
	}
	cur_cmd = cmd;
	for (tries = 0; tries < 100; tries++) {
		skeleton(m, cmd, v);
		if (unpriv && chance(40))
			k = K_VALID;
		else if (!unpriv && below(nattr + nhdr) >= nattr)
			k = header_kinds[below(nhdr)];
		else
			k = attr_kinds[below(nattr)];
		/* the big ones cost the most (under TCG): rarely */
		if ((k == K_HUGE_NEST || k == K_HUGE_LIST || k == K_DEEP) && !chance(10))
			continue;
		if (apply(m, k)) {
			m->kind = k;
			m->want_extack = kind_wants_extack(k);
			return;
		}
	}
	skeleton(m, cmd, v);
	m->kind = unpriv ? K_VALID : K_RESERVED;
	apply(m, m->kind);
	m->want_extack = kind_wants_extack(m->kind);
}

/* Every skeleton must work, or the rejections prove nothing. */
static int preflight(void)
{
	static const int order[] = {
		MAGLEV_CMD_SERVICE_SET, MAGLEV_CMD_SERVICE_REPLACE, MAGLEV_CMD_SERVICE_GET,
		MAGLEV_CMD_TABLE_GET, MAGLEV_CMD_BACKEND_SET, MAGLEV_CMD_BACKEND_NEW,
		MAGLEV_CMD_BACKEND_DEL, MAGLEV_CMD_SERVICE_NEW, MAGLEV_CMD_LOOKUP,
		MAGLEV_CMD_CONFIG_GET, MAGLEV_CMD_CONFIG_SET, MAGLEV_CMD_STATS_GET,
		MAGLEV_CMD_CONN_GET, MAGLEV_CMD_CONN_FLUSH, MAGLEV_CMD_SERVICE_DEL,
	};
	struct fmsg m;
	char emsg[160];
	int v, i, err, bad = 0;

	for (v = 0; v < 2; v++) {
		for (i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++) {
			skeleton(&m, order[i], v);
			err = xact(&m, NULL, NULL, emsg, sizeof(emsg));
			if (err) {
				printf("nlfuzz: the valid %s request fails: %s%s%s\n",
				       cmds[order[i]].name, strerror(err), *emsg ? ": " : "", emsg);
				bad++;
			}
		}
	}
	/* Undo NEW; the scratch services get their backends back below. */
	for (v = 0; v < 2; v++) {
		struct skey k = { fresh[v].proto, (uint8_t)fresh[v].fam, fresh[v].port, {0} };

		memcpy(k.addr, fresh[v].addr, 16);
		if (!key_in(&keep, &k))
			service_del_key(&k);
	}
	scratch_restore(false);
	return bad;
}

static int run_checked(enum mode mode, uint64_t count, uint32_t batch)
{
	struct fmsg m;
	uint64_t i;
	double t0;
	bool changed;
	int err;

	if (mode == M_INVALID && !dry_run) {
		err = config_read(&conf0);
		if (err)
			fatal("CONFIG_GET fails: %s", strerror(err));
		err = services_list(&keep);
		if (err)
			fatal("SERVICE_GET dump fails: %s", strerror(err));
		if (scratch_restore(false))
			fatal("cannot create the scratch services");
		if (preflight())
			fatal("valid requests fail: cannot tell rejections apart");
	}
	t0 = now_s();
	batch_reset();
	for (i = 0; i < count; i++) {
		build_invalid(&m, i, mode == M_UNPRIV);
		batch_add(&m);
		/* A dump ends the batch: a second one would only get EBUSY. */
		if (!(m.flags & NLM_F_DUMP) && !batch_full(batch) && i + 1 < count)
			continue;
		if (batch_run() < 0) {
			int j;

			for (j = 0; j < npend; j++)
				if (pend[j].st != ST_DONE)
					report_msg("NO ANSWER", &pend[j]);
			exit(EXIT_FAILED);
		}
		changed = batch_account(mode);
		batch_reset();
		if (changed && mode == M_INVALID) {
			scratch_restore(true);
			if (conf0.ok)
				config_write(&conf0);
		}
	}
	t0 = now_s() - t0;
	if (mode == M_INVALID && !dry_run) {
		scratch_remove();
		if (st.unexpected)
			config_write(&conf0);
	}
	print_tables();
	print_summary(mode == M_UNPRIV ? "unpriv" : "invalid", t0);
	return st.unexpected || st.missing_extack ? EXIT_FAILED : 0;
}

static bool caps_empty(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	bool empty = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			empty = strtoull(line + 7, NULL, 16) == 0;
	fclose(f);
	return empty;
}

static int run_unpriv(uint64_t count, uint32_t batch)
{
	uid_t r, e, s;
	int grp = -1, ret;

	resolve_family(&grp);
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		fatal("cannot drop privileges: %s", strerror(errno));
	if (getresuid(&r, &e, &s) < 0 || r != 65534 || e != 65534 || s != 65534 ||
	    !caps_empty())
		fatal("privileges still there after dropping them");
	config_defaults(&conf0);
	sock = sock_open();
	if (grp < 0) {
		printf("nlfuzz: FAIL: multicast group \"%s\" not found\n", MAGLEV_MCGRP_CONFIG);
		st.unexpected++;
	} else if (setsockopt(sock, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			      sizeof(grp)) == 0) {
		printf("nlfuzz: FAIL: joined multicast group \"%s\" without CAP_NET_ADMIN\n",
		       MAGLEV_MCGRP_CONFIG);
		st.unexpected++;
	} else if (errno != EPERM) {
		printf("nlfuzz: joining \"%s\" failed with %s, not EPERM\n",
		       MAGLEV_MCGRP_CONFIG, strerror(errno));
		st.unexpected++;
	}
	ret = run_checked(M_UNPRIV, count, batch);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Random mode                                                         */

static void rand_tree(int p, int depth)
{
	uint32_t n = below(depth ? 5 : 8), i;
	uint8_t buf[64];

	for (i = 0; i < n; i++) {
		uint16_t t = (uint16_t)(chance(85) ? below(16) : rnd());
		uint32_t len;

		if (depth < 5 && chance(25)) {
			int c = new_node(p, chance(90) ? (t | NLA_F_NESTED) : t, T_RAW);

			rand_tree(c, depth + 1);
			continue;
		}
		switch (below(4)) {
		case 0:
			len = 1u << below(5);
			break;
		case 1:
			len = below(64);
			break;
		default:
			len = chance(50) ? 4 : 1 + below(3);
			break;
		}
		rnd_bytes(buf, len);
		leaf(p, t & (uint16_t)~(chance(90) ? NLA_F_NESTED : 0), V_NONE, buf, len);
	}
}

static uint32_t interesting_u32(void)
{
	static const uint32_t v[] = {
		0, 1, 2, 6, 7, 11, 13, 251, 1021, 4093, 65535, 65536, 65537, 0x7fffffff,
		0x80000000, 0xffffffff, 1048573, 16777216, 604800, 604801,
	};

	return v[below(sizeof(v) / sizeof(v[0]))];
}

/* One random change to the tree. */
static void mutate_tree(struct fmsg *m)
{
	uint8_t buf[32];
	int i, k = (int)below(10);

	switch (k) {
	case 0: case 1: case 2: case 3:	/* any of the breakages */
		do
			k = attr_kinds[below(sizeof(attr_kinds) / sizeof(attr_kinds[0]))];
		while ((k == K_HUGE_NEST || k == K_HUGE_LIST || k == K_DEEP) && !chance(10));
		apply(m, k);
		break;
	case 4:	/* new value for a leaf */
		i = pick(p_any_leaf);
		if (i < 0)
			break;
		if (nd[i].len == 4 && chance(60)) {
			uint32_t v = interesting_u32();

			set_leaf(i, &v, 4);
		} else if (nd[i].len <= sizeof(buf)) {
			memcpy(buf, arena + nd[i].doff, nd[i].len);
			if (nd[i].len)
				buf[below(nd[i].len)] ^= (uint8_t)(1u << below(8));
			set_leaf(i, buf, nd[i].len);
		}
		break;
	case 5:	/* duplicate */
		i = pick(p_any_leaf);
		if (i >= 0)
			leaf(nd[i].parent, nd[i].type, nd[i].vtag, arena + nd[i].doff, nd[i].len);
		break;
	case 6:	/* drop */
		i = pick(p_any);
		if (i >= 0)
			nd[i].dead = true;
		break;
	case 7:	/* retype */
		i = pick(p_any);
		if (i >= 0)
			nd[i].type = (uint16_t)((nd[i].type & ~NLA_TYPE_MASK) |
						(chance(80) ? below(16) : below(NLA_TYPE_MASK)));
		break;
	case 8:	/* a random subtree somewhere */
		i = pick(p_nest);
		rand_tree(i < 0 || chance(30) ? 0 : i, 1);
		break;
	default: /* header */
		switch (below(5)) {
		case 0:
			m->flags = (uint16_t)rnd();
			break;
		case 1:
			m->flags ^= NLM_F_DUMP;
			break;
		case 2:
			m->reserved = (uint16_t)rnd();
			break;
		case 3:
			m->version = (uint8_t)rnd();
			break;
		default:
			m->cmd = (uint8_t)(chance(50) ? below(MAGLEV_CMD_MAX + 4) : rnd());
			break;
		}
		break;
	}
}

static void build_random(struct fmsg *m)
{
	int cmd = 1 + (int)below(MAGLEV_CMD_MAX), r = (int)below(100), n;

	cur_cmd = cmd;
	skeleton(m, cmd, (int)below(2));
	if (r < 50) {
		for (n = 1 + (int)below(4); n > 0; n--)
			mutate_tree(m);
	} else if (r < 70) {
		m->flips = 1 + (int)below(8);
	} else if (r < 90) {
		tree_reset();
		m->cmd = (uint8_t)(chance(80) ? below(MAGLEV_CMD_MAX + 3) : rnd());
		rand_tree(0, 0);
	} else {
		tree_reset();
		m->rand_bytes = true;
		m->rand_len = below(chance(80) ? 128 : 2048);
		m->cmd = (uint8_t)(chance(80) ? below(MAGLEV_CMD_MAX + 3) : rnd());
	}
	if (chance(10))
		m->flags = (uint16_t)(rnd() | (chance(90) ? NLM_F_REQUEST : 0));
	if (chance(5))
		m->reserved = (uint16_t)rnd();
	if (chance(5))
		m->version = (uint8_t)rnd();
	if (chance(3))
		m->lie = true;
	m->kind = K_RANDOM;
	m->cmd_idx = m->cmd <= MAGLEV_CMD_MAX ? m->cmd : 0;
}

/* Back to a known state: nothing but the scratch services, small tables. */
static void random_reset(void)
{
	struct mgconf c = conf0;
	struct fmsg m;
	char emsg[160];
	int err;

	msg_init(&m, MAGLEV_CMD_FLUSH);
	err = xact(&m, NULL, NULL, emsg, sizeof(emsg));
	if (err)
		printf("nlfuzz: FLUSH fails: %s %s\n", strerror(err), emsg);
	c.default_table_size = 251;
	config_write(&c);
	scratch_restore(false);
}

static int run_random(uint64_t count, uint32_t batch)
{
	struct mgconf c;
	struct fmsg m;
	uint64_t i, since = 0;
	double t0;
	int err;

	if (dry_run) {
		config_defaults(&conf0);
	} else {
		err = config_read(&conf0);
		if (err)
			fatal("CONFIG_GET fails: %s", strerror(err));
		random_reset();
	}
	t0 = now_s();
	batch_reset();
	for (i = 0; i < count; i++) {
		build_random(&m);
		batch_add(&m);
		if (!batch_full(batch) && i + 1 < count)
			continue;
		if (batch_run() < 0) {
			int j;

			for (j = 0; j < npend; j++)
				report_msg("IN THE BATCH THAT HUNG", &pend[j]);
			exit(EXIT_FAILED);
		}
		batch_account(M_RANDOM);
		since += (uint64_t)npend;
		batch_reset();
		if (since >= 256 && !dry_run) {
			random_reset();
			since = 0;
		}
	}
	t0 = now_s() - t0;
	if (dry_run) {
		print_summary("random", t0);
		return 0;
	}
	/* The module must still answer, and work. */
	err = config_read(&c);
	if (err)
		printf("nlfuzz: FAIL: CONFIG_GET after the random requests: %s\n", strerror(err));
	if (!err) {
		random_reset();
		err = scratch_restore(false);
	}
	msg_init(&m, MAGLEV_CMD_FLUSH);
	xact(&m, NULL, NULL, NULL, 0);
	config_write(&conf0);
	print_summary("random", t0);
	return err ? EXIT_FAILED : 0;
}

/* ------------------------------------------------------------------ */
/* A table read 4 KiB at a time                                       */

struct table_rd {
	uint32_t m;		/* table size, 0 until known */
	uint32_t next;		/* next slot expected */
	uint16_t *slots;
	uint8_t *seen;
	char *names[65536];	/* index -> address */
	uint32_t nbe, msgs, maxlen, dup, gap, bad;
	uint64_t got;
	int err;
	bool done;
	char emsg[160];
	char why[200];
};

static void why(struct table_rd *t, const char *fmt, ...)
{
	va_list ap;

	if (t->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
}

static void table_backends(struct table_rd *t, const struct nlattr *list)
{
	const struct nlattr *b = (const struct nlattr *)ATTR_DATA(list);
	int rem = ATTR_LEN(list);

	while (rem >= NLA_HDRLEN && b->nla_len >= NLA_HDRLEN && b->nla_len <= rem) {
		uint8_t a[16];
		uint32_t idx;
		char s[INET6_ADDRSTRLEN];

		if (nest_u32(b, MAGLEV_BE_A_INDEX, &idx) && idx < 65536) {
			if (nest_bytes(b, MAGLEV_BE_A_ADDR4, a, 4))
				inet_ntop(AF_INET, a, s, sizeof(s));
			else if (nest_bytes(b, MAGLEV_BE_A_ADDR6, a, 16))
				inet_ntop(AF_INET6, a, s, sizeof(s));
			else
				snprintf(s, sizeof(s), "?");
			if (!t->names[idx]) {
				t->names[idx] = strdup(s);
				t->nbe++;
			}
		}
		rem -= NLA_ALIGN(b->nla_len);
		b = (const struct nlattr *)((const uint8_t *)b + NLA_ALIGN(b->nla_len));
	}
}

static void table_msg(const struct nlmsghdr *nlh, struct table_rd *t)
{
	const struct nlattr *svc, *start, *slots;
	const char *msg;
	uint32_t m = 0, s, k, j;
	bool ext;

	if (reply_status(nlh, &t->err, &ext, &msg)) {
		t->done = true;
		if (msg)
			snprintf(t->emsg, sizeof(t->emsg), "%s", msg);
		return;
	}
	if (nlh->nlmsg_type != family_id)
		return;
	t->msgs++;
	if (nlh->nlmsg_len > t->maxlen)
		t->maxlen = nlh->nlmsg_len;
	svc = genl_attr(nlh, MAGLEV_A_SERVICE);
	if (!svc || !nest_u32(svc, MAGLEV_SVC_A_TABLE_SIZE, &m) || !m) {
		why(t, "message %u has no service table size", t->msgs);
		return;
	}
	if (!t->m) {
		if (m > MAGLEV_TABLE_SIZE_MAX) {
			why(t, "table size %u", m);
			return;
		}
		t->m = m;
		t->slots = calloc(m, sizeof(*t->slots));
		t->seen = calloc(m, 1);
		if (!t->slots || !t->seen)
			fatal("out of memory");
	} else if (m != t->m) {
		why(t, "table size %u, then %u", t->m, m);
		return;
	}
	if (genl_attr(nlh, MAGLEV_A_BACKENDS))
		table_backends(t, genl_attr(nlh, MAGLEV_A_BACKENDS));
	start = genl_attr(nlh, MAGLEV_A_TABLE_START);
	slots = genl_attr(nlh, MAGLEV_A_TABLE_SLOTS);
	if (!slots && !start)
		return;
	if (!slots || !start || ATTR_LEN(start) != 4 || ATTR_LEN(slots) % 2) {
		why(t, "message %u: TABLE_START and TABLE_SLOTS do not go together", t->msgs);
		t->bad++;
		return;
	}
	memcpy(&s, ATTR_DATA(start), 4);
	k = (uint32_t)ATTR_LEN(slots) / 2;
	if (s != t->next) {
		why(t, "message %u starts at slot %u, expected %u", t->msgs, s, t->next);
		t->gap++;
	}
	for (j = 0; j < k; j++) {
		uint16_t v;

		if (s + j >= t->m) {
			why(t, "slot %u beyond the table size %u", s + j, t->m);
			t->bad++;
			break;
		}
		memcpy(&v, ATTR_DATA(slots) + 2 * j, 2);
		if (t->seen[s + j]++)
			t->dup++;
		t->slots[s + j] = v;
		t->got++;
	}
	t->next = s + k;
}

static int parse_endpoint(const char *proto, const char *ep, struct svcdef *s)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	char *end;
	unsigned long port;
	size_t hl;

	memset(s, 0, sizeof(*s));
	if (!strcmp(proto, "tcp"))
		s->proto = IPPROTO_TCP;
	else if (!strcmp(proto, "udp"))
		s->proto = IPPROTO_UDP;
	else if (!strcmp(proto, "sctp"))
		s->proto = IPPROTO_SCTP;
	else
		return -1;
	colon = strrchr(ep, ':');
	if (!colon)
		return -1;
	hl = (size_t)(colon - ep);
	if (ep[0] == '[') {
		if (hl < 3 || ep[hl - 1] != ']')
			return -1;
		ep++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, ep, hl);
	host[hl] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || port > 65535 || end == colon + 1)
		return -1;
	s->port = (uint16_t)port;
	if (inet_pton(AF_INET, host, s->addr) == 1)
		s->fam = AF_INET;
	else if (inet_pton(AF_INET6, host, s->addr) == 1)
		s->fam = AF_INET6;
	else
		return -1;
	return 0;
}

static struct table_rd trd;

static int run_table_small(const char *proto, const char *ep, const char *slots_file)
{
	static uint8_t buf[4096];
	struct table_rd *t = &trd;
	struct svcdef s;
	struct fmsg m;
	uint32_t seq, len, i, empty = 0, unknown = 0;
	bool ok;

	if (parse_endpoint(proto, ep, &s) < 0)
		fatal("bad service \"%s %s\" (want tcp|udp|sctp VIP:PORT)", proto, ep);
	resolve_family(NULL);
	sock = sock_open();
	msg_init(&m, MAGLEV_CMD_TABLE_GET);
	m.flags = NLM_F_REQUEST | NLM_F_DUMP;
	put_service_key(0, &s, true);
	seq = seq_next++;
	len = ser_msg(&m, xbuf, sizeof(xbuf), seq);
	send_bytes(xbuf, len);
	while (!t->done) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		ssize_t n = recvmsg(sock, &mh, 0);
		int rem;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			printf("nlfuzz: table-small: recvmsg: %s\n", strerror(errno));
			return EXIT_FAILED;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			printf("nlfuzz: table-small: FAIL: a reply of more than %zu bytes (truncated by recvmsg)\n",
			       sizeof(buf));
			return EXIT_FAILED;
		}
		rem = (int)n;
		for (; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem))
			if (nlh->nlmsg_seq == seq && !t->done)
				table_msg(nlh, t);
	}
	if (t->err) {
		printf("nlfuzz: table-small: FAIL: the dump failed: %s%s%s\n", strerror(t->err),
		       t->emsg[0] ? ": " : "", t->emsg);
		return EXIT_FAILED;
	}
	if (!t->m)
		why(t, "no message with the table size");
	for (i = 0; i < t->m; i++) {
		if (!t->seen[i]) {
			why(t, "slot %u missing", i);
			continue;
		}
		if (t->slots[i] == MAGLEV_SLOT_EMPTY)
			empty++;
		else if (!t->names[t->slots[i]])
			unknown++;
	}
	if (unknown)
		why(t, "%u slots name a backend index the dump did not map", unknown);
	if (t->dup)
		why(t, "%u slots sent more than once", t->dup);
	ok = !t->why[0] && t->got == t->m;
	printf("nlfuzz: table-small %s %s: table size %u, %llu slots in %u messages (largest %u bytes), %u backends, %u empty: %s%s\n",
	       proto, ep, t->m, (unsigned long long)t->got, t->msgs, t->maxlen, t->nbe, empty,
	       ok ? "OK" : "FAIL: ", ok ? "" : (t->why[0] ? t->why : "slots missing"));
	if (slots_file) {
		FILE *f = fopen(slots_file, "w");

		if (!f)
			fatal("%s: %s", slots_file, strerror(errno));
		for (i = 0; i < t->m; i++) {
			if (!t->seen[i] || t->slots[i] == MAGLEV_SLOT_EMPTY)
				fprintf(f, "%u -\n", i);
			else if (t->names[t->slots[i]])
				fprintf(f, "%u %s\n", i, t->names[t->slots[i]]);
			else
				fprintf(f, "%u #%u\n", i, t->slots[i]);
		}
		if (fclose(f))
			fatal("%s: %s", slots_file, strerror(errno));
	}
	return ok ? 0 : EXIT_FAILED;
}

/* ------------------------------------------------------------------ */
/* Replay one message                                                  */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Send the message @hex (as printed; white space ignored) with our family
 * id and a sequence number of ours, and say what came back.
 */
static int run_replay(const char *hex)
{
	struct nlmsghdr *nlh;
	struct pend *p;
	uint32_t n = 0;
	int hi = -1;

	sendbuf = malloc(SEND_BUF);
	if (!sendbuf)
		fatal("out of memory");
	for (; *hex; hex++) {
		int v = hexval(*hex);

		if (v < 0) {
			if (*hex == ' ' || *hex == '\n' || *hex == '\t')
				continue;
			fatal("--replay: not hex: '%c'", *hex);
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= MAX_MSG)
			fatal("--replay: message too long");
		sendbuf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0 || n < NLMSG_HDRLEN)
		fatal("--replay: want at least %d whole bytes", NLMSG_HDRLEN);
	resolve_family(NULL);
	sock = sock_open();
	batch_reset();
	p = &pend[npend++];
	memset(p, 0, sizeof(*p));
	p->seq = seq_next++;
	p->len = n;
	p->alone = true;
	sendlen = n;
	nlh = (struct nlmsghdr *)sendbuf;
	nlh->nlmsg_type = (uint16_t)family_id;
	nlh->nlmsg_seq = p->seq;
	if (batch_run() < 0)
		return EXIT_FAILED;
	if (p->st == ST_SENT)
		printf("nlfuzz: replay: no answer\n");
	else if (p->st == ST_DATA || !p->err)
		printf("nlfuzz: replay: accepted\n");
	else
		printf("nlfuzz: replay: rejected: %s%s%s\n", strerror(p->err),
		       p->emsg[0] ? ": " : "", p->emsg);
	return 0;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nlfuzz --mode invalid|random [--count N] [--seed S] [--batch B]\n"
		"              [--no-extack] [-v]\n"
		"       nlfuzz --unpriv [--count N] [--seed S] [--batch B]\n"
		"       nlfuzz --table-small --service PROTO VIP:PORT [--print-slots FILE]\n"
		"       nlfuzz --replay HEX\n"
		"Run in the network namespace to test, as root. Exit status: 0 pass,\n"
		"1 the kernel misbehaved, 2 usage or setup error. See tests/fuzz/README.md.\n");
}

static uint64_t num_arg(const char *opt, const char *v)
{
	char *end;
	unsigned long long n;

	if (!v)
		fatal("%s needs a value", opt);
	errno = 0;
	/* decimal (a seed of the day may start with 0), or 0x hex */
	if (!strncmp(v, "0x", 2) || !strncmp(v, "0X", 2))
		n = strtoull(v + 2, &end, 16);
	else
		n = strtoull(v, &end, 10);
	if (errno || *end || end == v)
		fatal("%s: bad number \"%s\"", opt, v);
	return n;
}

int main(int argc, char **argv)
{
	const char *mode = NULL, *proto = NULL, *ep = NULL, *slots_file = NULL;
	uint64_t count = 1000, seed = 1;
	uint32_t batch = 0;
	bool unpriv = false, table_small = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--mode")) {
			if (!v)
				fatal("--mode needs a value");
			mode = v;
			i++;
		} else if (!strcmp(a, "--count")) {
			count = num_arg(a, v);
			i++;
		} else if (!strcmp(a, "--seed")) {
			seed = num_arg(a, v);
			i++;
		} else if (!strcmp(a, "--batch")) {
			batch = (uint32_t)num_arg(a, v);
			i++;
		} else if (!strcmp(a, "--unpriv")) {
			unpriv = true;
		} else if (!strcmp(a, "--table-small")) {
			table_small = true;
		} else if (!strcmp(a, "--service")) {
			if (i + 2 >= argc)
				fatal("--service needs PROTO VIP:PORT");
			proto = argv[i + 1];
			ep = argv[i + 2];
			i += 2;
		} else if (!strcmp(a, "--print-slots")) {
			if (!v)
				fatal("--print-slots needs a file");
			slots_file = v;
			i++;
		} else if (!strcmp(a, "--replay")) {
			if (!v)
				fatal("--replay needs a message in hex");
			return run_replay(v);
		} else if (!strcmp(a, "--dry-run")) {
			dry_run = true;
		} else if (!strcmp(a, "--no-extack")) {
			no_extack = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbose = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return EXIT_SETUP;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (table_small) {
		if (!proto)
			fatal("--table-small needs --service PROTO VIP:PORT");
		return run_table_small(proto, ep, slots_file);
	}
	if (batch > BATCH_MAX)
		batch = BATCH_MAX;
	rng_state = seed;
	defs_init();
	sendbuf = malloc(SEND_BUF);
	if (!sendbuf)
		fatal("out of memory");
	if (unpriv) {
		printf("nlfuzz: mode unpriv seed %llu count %llu\n", (unsigned long long)seed,
		       (unsigned long long)count);
		return run_unpriv(count, batch ? batch : 16);
	}
	if (!mode) {
		usage(stderr);
		return EXIT_SETUP;
	}
	printf("nlfuzz: mode %s seed %llu count %llu\n", mode, (unsigned long long)seed,
	       (unsigned long long)count);
	if (dry_run) {
		no_extack = true;
		family_id = GENL_MIN_ID;
		config_defaults(&conf0);
		if (!strcmp(mode, "random"))
			return run_random(count, batch ? batch : 32);
		return run_checked(M_INVALID, count, batch ? batch : 32);
	}
	resolve_family(NULL);
	sock = sock_open();
	if (!strcmp(mode, "invalid"))
		return run_checked(M_INVALID, count, batch ? batch : 32);
	if (!strcmp(mode, "random"))
		return run_random(count, batch ? batch : 32);
	fatal("unknown mode \"%s\" (invalid, random)", mode);
}
