// SPDX-License-Identifier: GPL-2.0
/*
 * maglevctl unit tests: parsers, restore input, JSON writer, request
 * encoding (nesting flags, attribute -> word map) and extack parsing.  No
 * kernel needed.  Ends with "N passed, N failed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "maglevctl.h"

static int passed, failed;

#define CHECK(cond) do { \
		if (cond) { \
			passed++; \
		} else { \
			failed++; \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

#define CHECK_STR(a, b) do { \
		const char *a_ = (a), *b_ = (b); \
		if (a_ && b_ && !strcmp(a_, b_)) { \
			passed++; \
		} else { \
			failed++; \
			fprintf(stderr, "FAIL %s:%d: %s\n  got:      \"%s\"\n  expected: \"%s\"\n", \
				__FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
		} \
	} while (0)

/* Split a command line into words (in a static buffer). */
static int words(const char *line, char **w)
{
	static char buf[1024];
	int n = 0;
	char *p;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok(buf, " "); p; p = strtok(NULL, " "))
		w[n++] = p;
	w[n] = NULL;
	return n;
}

static void test_numbers(void)
{
	uint64_t v;

	CHECK(parse_uint("0", "x", 10, false, NULL, &v) == 0 && v == 0);
	CHECK(parse_uint("65535", "weight", 65535, false, NULL, &v) == 0 &&
	      v == 65535);
	CHECK(parse_uint("65536", "port", 65535, false, NULL, &v) < 0);
	CHECK_STR(mg_err, "invalid port \"65536\" (expected 0..65535)");
	CHECK(parse_uint("abc", "weight", UINT32_MAX, false, "0..65535", &v) < 0);
	CHECK_STR(mg_err, "invalid weight \"abc\" (expected 0..65535)");
	CHECK(parse_uint("", "x", 10, false, NULL, &v) < 0);
	CHECK(parse_uint("-1", "x", 10, false, NULL, &v) < 0);
	CHECK(parse_uint("+1", "x", 10, false, NULL, &v) < 0);
	CHECK(parse_uint(" 1", "x", 10, false, NULL, &v) < 0);
	CHECK(parse_uint("1 ", "x", 10, false, NULL, &v) < 0);
	CHECK(parse_uint("0x10", "x", 100, false, NULL, &v) < 0);
	CHECK(parse_uint("0x10", "x", 100, true, NULL, &v) == 0 && v == 16);
	CHECK(parse_uint("0x", "x", 100, true, NULL, &v) < 0);
	CHECK(parse_uint("0xffffffff", "x", UINT32_MAX, true, NULL, &v) == 0 &&
	      v == UINT32_MAX);
	CHECK(parse_uint("4294967296", "x", UINT32_MAX, false, NULL, &v) < 0);
	CHECK(parse_uint("18446744073709551615", "x", UINT64_MAX, false, NULL,
			 &v) == 0 && v == UINT64_MAX);
	CHECK(parse_uint("18446744073709551616", "x", UINT64_MAX, false, NULL,
			 &v) < 0);
	CHECK(parse_uint("007", "x", 10, false, NULL, &v) == 0 && v == 7);
}

static void test_words(void)
{
	struct mg_addr a;
	uint16_t port;
	uint8_t u8;
	bool on;
	char buf[EP_STRLEN];

	CHECK(parse_proto("tcp", &u8) == 0 && u8 == IPPROTO_TCP);
	CHECK(parse_proto("udp", &u8) == 0 && u8 == IPPROTO_UDP);
	CHECK(parse_proto("sctp", &u8) == 0 && u8 == IPPROTO_SCTP);
	CHECK(parse_proto("TCP", &u8) < 0);
	CHECK_STR(mg_err, "invalid protocol \"TCP\" (expected tcp, udp or sctp)");
	CHECK(parse_hash("src-dst", &u8) == 0 && u8 == MAGLEV_HASH_SRC_DST);
	CHECK(parse_hash("no-sport", &u8) == 0 && u8 == MAGLEV_HASH_NO_SPORT);
	CHECK(parse_hash("5tuple", &u8) == 0 && u8 == MAGLEV_HASH_5TUPLE);
	CHECK(parse_hash("dst", &u8) < 0);
	CHECK_STR(hash_name(MAGLEV_HASH_SRC), "src");
	CHECK(parse_state("down", &u8) == 0 && u8 == MAGLEV_BE_STATE_DOWN);
	CHECK(parse_state("Up", &u8) < 0);
	CHECK(parse_onoff("on", "gre-csum", &on) == 0 && on);
	CHECK(parse_onoff("yes", "gre-csum", &on) < 0);
	CHECK_STR(mg_err, "invalid gre-csum \"yes\" (expected on or off)");

	CHECK(parse_endpoint("10.0.0.100:80", "service", &a, &port) == 0 &&
	      a.family == AF_INET && port == 80 &&
	      a.u.v4.s_addr == htonl(0x0a000064));
	CHECK_STR(fmt_endpoint(&a, port, buf, sizeof(buf)), "10.0.0.100:80");
	CHECK(parse_endpoint("[2001:db8::1]:443", "service", &a, &port) == 0 &&
	      a.family == AF_INET6 && port == 443);
	CHECK_STR(fmt_endpoint(&a, port, buf, sizeof(buf)), "[2001:db8::1]:443");
	CHECK(parse_endpoint("10.0.0.1:0", "service", &a, &port) == 0 &&
	      port == 0);
	CHECK(parse_endpoint("10.0.0.1", "service", &a, &port) < 0);
	CHECK_STR(mg_err, "invalid service \"10.0.0.1\" (expected ADDR:PORT or [ADDR6]:PORT)");
	CHECK(parse_endpoint("10.0.0.1:", "service", &a, &port) < 0);
	CHECK(parse_endpoint("10.0.0.1:70000", "service", &a, &port) < 0);
	CHECK_STR(mg_err, "invalid port \"70000\" in service \"10.0.0.1:70000\" (expected 0..65535)");
	CHECK(parse_endpoint("2001:db8::1:80", "service", &a, &port) < 0);
	CHECK(parse_endpoint("[2001:db8::1]80", "service", &a, &port) < 0);
	CHECK(parse_endpoint("[10.0.0.1]:80", "service", &a, &port) < 0);
	CHECK(parse_endpoint("10.0.0.256:80", "service", &a, &port) < 0);
	CHECK(parse_endpoint("host:80", "service", &a, &port) < 0);

	CHECK(parse_addr("192.0.2.11", "backend", 0, &a) == 0 &&
	      a.family == AF_INET);
	CHECK(parse_addr("2001:db8::2", "backend", 0, &a) == 0 &&
	      a.family == AF_INET6);
	CHECK(parse_addr("[2001:db8::2]", "backend", 0, &a) == 0 &&
	      a.family == AF_INET6);
	CHECK(parse_addr("192.0.2.11:80", "backend", 0, &a) < 0);
	CHECK_STR(mg_err, "invalid backend \"192.0.2.11:80\" (expected an IPv4 or IPv6 address)");
	CHECK(parse_addr("2001:db8::2", "source", AF_INET, &a) < 0);
	CHECK(parse_addr("192.0.2.1", "source6", AF_INET6, &a) < 0);
}

static void test_seed(void)
{
	uint8_t s[16], z[16] = { 0 };
	char buf[33];

	CHECK(parse_seed("1", s) == 0);
	CHECK_STR(fmt_seed(s, buf), "00000000000000000000000000000001");
	CHECK(parse_seed("0xABC", s) == 0);
	CHECK_STR(fmt_seed(s, buf), "00000000000000000000000000000abc");
	CHECK(parse_seed("000102030405060708090a0b0c0d0e0f", s) == 0 &&
	      s[0] == 0 && s[1] == 1 && s[15] == 15);
	CHECK(parse_seed("f00102030405060708090a0b0c0d0e0f", s) == 0 &&
	      s[0] == 0xf0);
	CHECK(parse_seed("100102030405060708090a0b0c0d0e0f0", s) < 0);
	CHECK(parse_seed("", s) < 0);
	CHECK(parse_seed("0x", s) < 0);
	CHECK(parse_seed("12g", s) < 0);
	CHECK_STR(mg_err, "invalid seed \"12g\" (expected up to 32 hex digits or random)");
	CHECK(parse_seed("random", s) == 0 && memcmp(s, z, 16));
}

static void test_commands(void)
{
	struct mg_service s;
	struct mg_backend b;
	struct mg_config c;
	struct mg_flow f;
	char *w[64];
	int n;

	n = words("tcp 10.0.0.100:80 table-size 251 hash src gre-key 0x2a gre-csum on", w);
	CHECK(parse_service_args(n, w, SVC_ADD, 0, &s) == 0);
	CHECK(s.proto == IPPROTO_TCP && s.port == 80 && s.table_size == 251 &&
	      s.hash == MAGLEV_HASH_SRC && s.gre_key == 42);
	CHECK(s.has == (SVC_HAS_TABLE_SIZE | SVC_HAS_HASH | SVC_HAS_FLAGS |
			SVC_HAS_GRE_KEY));
	CHECK(s.flags == (MAGLEV_SVC_F_GRE_KEY | MAGLEV_SVC_F_GRE_CSUM));
	CHECK_STR(s.o_table_size.kw, "table-size");
	CHECK_STR(s.o_table_size.word, "251");

	n = words("tcp 10.0.0.100:80", w);
	CHECK(parse_service_args(n, w, SVC_ADD, 0, &s) == 0 && s.has == 0);
	CHECK(parse_service_args(n, w, SVC_SET, 0, &s) < 0);
	CHECK_STR(mg_err, "nothing to change (expected table-size, hash, gre-key or gre-csum)");
	n = words("tcp 10.0.0.100:80 gre-key none", w);
	CHECK(parse_service_args(n, w, SVC_SET, 0, &s) == 0 &&
	      s.gre_key_op == OPT_OFF);
	/* set: only the bits given change, atomically in the kernel */
	CHECK(s.has == (SVC_HAS_FLAGS | SVC_HAS_FLAGS_MASK) && s.flags == 0 &&
	      s.flags_mask == MAGLEV_SVC_F_GRE_KEY);
	n = words("tcp 10.0.0.100:80 gre-csum on", w);
	CHECK(parse_service_args(n, w, SVC_SET, 0, &s) == 0 &&
	      s.has == (SVC_HAS_FLAGS | SVC_HAS_FLAGS_MASK) &&
	      s.flags == MAGLEV_SVC_F_GRE_CSUM &&
	      s.flags_mask == MAGLEV_SVC_F_GRE_CSUM);
	{
		struct nlattr *at[MAGLEV_A_MAX + 1], *as[MAGLEV_SVC_A_MAX + 1];
		struct mg_req rq;

		CHECK(req_init(&rq, 0x20, MAGLEV_CMD_SERVICE_SET, 0, 0) == 0);
		put_service(&rq, &s, PUT_SETTINGS);
		CHECK(genlmsg_parse(nlmsg_hdr(rq.msg), 0, at, MAGLEV_A_MAX,
				    NULL) == 0 && at[MAGLEV_A_SERVICE]);
		CHECK(nla_parse_nested(as, MAGLEV_SVC_A_MAX,
				       at[MAGLEV_A_SERVICE], NULL) == 0);
		CHECK(as[MAGLEV_SVC_A_FLAGS] &&
		      nla_get_u32(as[MAGLEV_SVC_A_FLAGS]) == MAGLEV_SVC_F_GRE_CSUM);
		CHECK(as[MAGLEV_SVC_A_FLAGS_MASK] &&
		      nla_get_u32(as[MAGLEV_SVC_A_FLAGS_MASK]) ==
		      MAGLEV_SVC_F_GRE_CSUM);
		CHECK(!as[MAGLEV_SVC_A_GRE_KEY]);
		req_free(&rq);
	}
	n = words("tcp 10.0.0.100:80 gre-csum on", w);
	CHECK(parse_service_args(n, w, SVC_ADD, 0, &s) == 0 &&
	      s.has == SVC_HAS_FLAGS && s.flags == MAGLEV_SVC_F_GRE_CSUM);
	n = words("tcp 10.0.0.100:80 hash src hash dst", w);
	CHECK(parse_service_args(n, w, SVC_ADD, 0, &s) < 0);
	CHECK_STR(mg_err, "option \"hash\" given twice");
	n = words("tcp 10.0.0.100:80 table-size", w);
	CHECK(parse_service_args(n, w, SVC_ADD, 0, &s) < 0);
	CHECK_STR(mg_err, "missing value after \"table-size\"");
	n = words("tcp 10.0.0.100:80 weight 3", w);
	CHECK(parse_service_args(n, w, SVC_ADD, 0, &s) < 0);
	CHECK_STR(mg_err, "unknown service option \"weight\" (expected table-size, hash, gre-key or gre-csum)");
	n = words("tcp 10.0.0.100:80 extra", w);
	CHECK(parse_service_args(n, w, SVC_DEL, 0, &s) < 0);
	CHECK_STR(mg_err, "unexpected \"extra\" after the service");
	n = words("tcp", w);
	CHECK(parse_service_args(n, w, SVC_DEL, 0, &s) < 0);
	CHECK_STR(mg_err, "missing service address after \"tcp\" (expected VIP:PORT or [VIP6]:PORT)");
	CHECK(parse_service_args(0, w, SVC_SHOW, 0, &s) == 0);
	CHECK(parse_service_args(0, w, SVC_DEL, 0, &s) < 0);
	CHECK_STR(mg_err, "missing protocol (expected tcp, udp or sctp)");

	n = words("udp [2001:db8::1]:53 2001:db8::2 weight 0 state down", w);
	CHECK(parse_backend_args(n, w, BE_ADD, 0, &s, &b) == 0);
	CHECK(s.proto == IPPROTO_UDP && s.vip.family == AF_INET6 &&
	      b.addr.family == AF_INET6 && b.weight == 0 &&
	      b.state == MAGLEV_BE_STATE_DOWN &&
	      b.has == (BE_HAS_WEIGHT | BE_HAS_STATE));
	n = words("tcp 10.0.0.100:80 192.0.2.11 weight abc", w);
	CHECK(parse_backend_args(n, w, BE_ADD, 0, &s, &b) < 0);
	CHECK_STR(mg_err, "invalid weight \"abc\" (expected 0..65535)");
	n = words("tcp 10.0.0.100:80 192.0.2.11", w);
	CHECK(parse_backend_args(n, w, BE_SET, 0, &s, &b) < 0);
	CHECK(parse_backend_args(n, w, BE_DEL, 0, &s, &b) == 0);
	n = words("tcp 10.0.0.100:80 192.0.2.11 weight 2", w);
	CHECK(parse_backend_args(n, w, BE_DEL, 0, &s, &b) < 0);
	n = words("tcp 10.0.0.100:80", w);
	CHECK(parse_backend_args(n, w, BE_ADD, 0, &s, &b) < 0);
	CHECK_STR(mg_err, "missing backend address after \"10.0.0.100:80\"");

	n = words("seed 2a source 192.0.2.1 source6 none ttl 64 table-size 251 hash no-sport", w);
	CHECK(parse_config_args(n, w, 0, &c) == 0);
	CHECK(c.seed[15] == 0x2a && c.source4.family == AF_INET &&
	      c.source6.family == 0 && c.ttl == 64 && c.table_size == 251 &&
	      c.hash == MAGLEV_HASH_NO_SPORT);
	CHECK(c.has == (CFG_HAS_SEED | CFG_HAS_SOURCE4 | CFG_HAS_SOURCE6 |
			CFG_HAS_TTL | CFG_HAS_TABLE_SIZE | CFG_HAS_HASH));
	n = words("ttl 256", w);
	CHECK(parse_config_args(n, w, 0, &c) < 0);
	CHECK_STR(mg_err, "invalid ttl \"256\" (expected 0..255, 0 = the route's default)");
	n = words("source6 192.0.2.1", w);
	CHECK(parse_config_args(n, w, 0, &c) < 0);
	CHECK_STR(mg_err, "invalid source6 \"192.0.2.1\" (expected an IPv6 address or none)");
	CHECK(parse_config_args(0, w, 0, &c) < 0);

	n = words("tcp 198.51.100.7:4242 10.0.0.100:80", w);
	CHECK(parse_lookup_args(n, w, &f) == 0 && f.sport == 4242 &&
	      f.dport == 80 && f.saddr.family == AF_INET);
	n = words("tcp 198.51.100.7 10.0.0.100:80", w);
	CHECK(parse_lookup_args(n, w, &f) < 0);
	CHECK_STR(mg_err, "invalid client \"198.51.100.7\" (expected ADDR:PORT or [ADDR6]:PORT)");
}

static FILE *text(const char *s)
{
	return fmemopen((void *)s, strlen(s), "r");
}

static void test_restore(void)
{
	struct mg_restore r;
	FILE *f;

	f = text("# saved\n"
		 "config set seed 0123456789abcdef0123456789abcdef source none ttl 64\n"
		 "\n"
		 "service add tcp 10.0.0.100:80 table-size 251 hash src gre-key 7\n"
		 "backend add tcp 10.0.0.100:80 192.0.2.11 weight 1 state up  # one\n"
		 "backend add tcp 10.0.0.100:80 2001:db8::2 weight 2\n"
		 "service add udp [2001:db8::1]:53\n"
		 "config set hash src-dst\n");
	CHECK(parse_restore(f, "<stdin>", &r) == 0);
	fclose(f);
	CHECK(r.has_cfg && r.cfg.ttl == 64 && r.cfg.hash == MAGLEV_HASH_SRC_DST &&
	      r.cfg.seed[0] == 0x01 && r.cfg.seed[15] == 0xef &&
	      (r.cfg.has & CFG_HAS_SOURCE4) && !(r.cfg.has & CFG_HAS_SOURCE6));
	CHECK(r.nsvc == 2);
	if (r.nsvc == 2) {
		CHECK(r.svc[0].nbe == 2 && r.svc[0].line == 4);
		CHECK(r.svc[0].flags == MAGLEV_SVC_F_GRE_KEY &&
		      r.svc[0].gre_key == 7);
		CHECK(r.svc[1].nbe == 0 && r.svc[1].flags == 0 &&
		      (r.svc[1].has & SVC_HAS_FLAGS) &&
		      (r.svc[1].has & SVC_HAS_BACKENDS));
		CHECK(r.svc[0].be[1].o_weight.line == 6);
		CHECK_STR(r.svc[0].be[1].o_weight.word, "2");
	}
	restore_free(&r);

	f = text("service add tcp 10.0.0.100:80\n"
		 "backend add tcp 10.0.0.100:80 192.0.2.11 weight x\n");
	CHECK(parse_restore(f, "<stdin>", &r) < 0);
	fclose(f);
	CHECK_STR(mg_err, "<stdin>:2: invalid weight \"x\" (expected 0..65535)");

	f = text("backend add tcp 10.0.0.100:80 192.0.2.11\n");
	CHECK(parse_restore(f, "f.conf", &r) < 0);
	fclose(f);
	CHECK_STR(mg_err, "f.conf:1: backend for service tcp 10.0.0.100:80, which no earlier \"service add\" line adds");

	f = text("service add tcp 10.0.0.100:80\n\nservice add tcp 10.0.0.100:80\n");
	CHECK(parse_restore(f, "<stdin>", &r) < 0);
	fclose(f);
	CHECK_STR(mg_err, "<stdin>:3: service tcp 10.0.0.100:80 already added on line 1");

	f = text("service add tcp 10.0.0.100:80\n"
		 "backend add tcp 10.0.0.100:80 192.0.2.11\n"
		 "backend add tcp 10.0.0.100:80 192.0.2.11\n");
	CHECK(parse_restore(f, "<stdin>", &r) < 0);
	fclose(f);
	CHECK_STR(mg_err, "<stdin>:3: backend 192.0.2.11 added twice to service tcp 10.0.0.100:80");

	f = text("service del tcp 10.0.0.100:80\n");
	CHECK(parse_restore(f, "<stdin>", &r) < 0);
	fclose(f);
	CHECK_STR(mg_err, "<stdin>:1: unexpected \"service del\" (expected config set, service add or backend add)");

	f = text("");
	CHECK(parse_restore(f, "<stdin>", &r) == 0 && r.nsvc == 0 && !r.has_cfg);
	fclose(f);
	restore_free(&r);
}

/* save's lines read back by restore give the same objects */
static void test_save_format(void)
{
	struct mg_service s = { 0 };
	struct mg_restore r;
	char set[256], line[512], ep[EP_STRLEN];
	FILE *f;

	parse_endpoint("[2001:db8::1]:80", "service", &s.vip, &s.port);
	s.proto = IPPROTO_SCTP;
	s.table_size = 65537;
	s.hash = MAGLEV_HASH_NO_SPORT;
	s.flags = MAGLEV_SVC_F_GRE_CSUM;
	s.has = SVC_HAS_TABLE_SIZE | SVC_HAS_HASH | SVC_HAS_FLAGS;
	fmt_service_settings(set, sizeof(set), &s, false);
	CHECK_STR(set, " table-size 65537 hash no-sport gre-csum on");
	fmt_service_settings(set, sizeof(set), &s, true);
	CHECK_STR(set, " table-size 65537 hash no-sport gre-key none gre-csum on");
	fmt_service_settings(set, sizeof(set), &s, false);
	snprintf(line, sizeof(line), "service add %s %s%s\n", proto_name(s.proto),
		 fmt_endpoint(&s.vip, s.port, ep, sizeof(ep)), set);
	f = text(line);
	CHECK(parse_restore(f, "<stdin>", &r) == 0 && r.nsvc == 1);
	fclose(f);
	if (r.nsvc == 1) {
		CHECK(!service_key_cmp(&r.svc[0], &s));
		CHECK(r.svc[0].table_size == s.table_size &&
		      r.svc[0].hash == s.hash && r.svc[0].flags == s.flags);
	}
	restore_free(&r);

	{
		struct mg_config c = { 0 };
		char cl[512];

		parse_seed("abc", c.seed);
		c.ttl = 3;
		c.table_size = 251;
		c.hash = MAGLEV_HASH_SRC;
		c.has = CFG_HAS_SEED | CFG_HAS_SOURCE4 | CFG_HAS_SOURCE6 |
			CFG_HAS_TTL | CFG_HAS_TABLE_SIZE | CFG_HAS_HASH;
		fmt_config_line(cl, sizeof(cl), &c);
		CHECK_STR(cl, " seed 00000000000000000000000000000abc source none source6 none ttl 3 table-size 251 hash src");
	}
}

static char *json_of(void (*fn)(struct json *), bool pretty)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;

	json_init(&j, f, pretty);
	fn(&j);
	json_done(&j);
	fclose(f);
	return buf;
}

static void j_escape(struct json *j)
{
	json_obj_begin(j);
	json_kstr(j, "s", "a\"b\\c\nd\te\x01\x7f/é");
	json_key(j, "a");
	json_arr_begin(j);
	json_u64(j, 1);
	json_null(j);
	json_bool(j, true);
	json_fixed4(j, 1.0 / 3);
	json_arr_end(j);
	json_key(j, "e");
	json_arr_begin(j);
	json_arr_end(j);
	json_key(j, "o");
	json_obj_begin(j);
	json_obj_end(j);
	json_obj_end(j);
}

static void j_service(struct json *j)
{
	struct mg_service s = { 0 };
	struct mg_backend b = { 0 };

	parse_endpoint("10.0.0.100:80", "service", &s.vip, &s.port);
	s.proto = IPPROTO_TCP;
	s.table_size = 65537;
	s.has = SVC_HAS_TABLE_SIZE | SVC_HAS_HASH | SVC_HAS_FLAGS;
	parse_addr("192.0.2.11", "backend", 0, &b.addr);
	b.weight = 1;
	b.state = MAGLEV_BE_STATE_UP;
	b.slots = 21846;
	s.be = &b;
	s.nbe = 1;
	json_arr_begin(j);
	json_service(j, &s, true);
	json_arr_end(j);
}

static void test_json(void)
{
	CHECK_STR(json_of(j_escape, false),
		  "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f/é\",\"a\":[1,null,true,0.3333],\"e\":[],\"o\":{}}\n");
	CHECK_STR(json_of(j_escape, true),
		  "{\n  \"s\": \"a\\\"b\\\\c\\nd\\te\\u0001\\u007f/é\",\n  \"a\": [\n    1,\n    null,\n    true,\n    0.3333\n  ],\n  \"e\": [],\n  \"o\": {}\n}\n");
	CHECK_STR(json_of(j_service, false),
		  "[{\"proto\":\"tcp\",\"vip\":\"10.0.0.100\",\"port\":80,\"table_size\":65537,\"hash\":\"5tuple\",\"gre_key\":null,\"gre_csum\":false,\"backends\":[{\"addr\":\"192.0.2.11\",\"weight\":1,\"state\":\"up\",\"slots\":21846,\"share\":0.3333,\"packets\":0,\"bytes\":0}],\"packets\":0,\"bytes\":0}]\n");
}

/* Walk a request the way the kernel would. */
static void test_encoding(void)
{
	static char *argv1[] = { "tcp", "10.0.0.100:80", "table-size", "251" };
	struct mg_service s;
	struct mg_backend *b;
	struct mg_req r;
	struct nlmsghdr *nlh;
	struct nlattr *tb[MAGLEV_A_MAX + 1], *st[MAGLEV_SVC_A_MAX + 1];
	struct nlattr *pos, *bt[MAGLEV_BE_A_MAX + 1];
	const struct origin *o;
	uint32_t off;
	int rem, count = 0;

	CHECK(parse_service_args(4, argv1, SVC_ADD, 0, &s) == 0);
	s.has |= SVC_HAS_BACKENDS | SVC_HAS_FLAGS;
	b = service_add_backend(&s);
	parse_addr("192.0.2.11", "backend", 0, &b->addr);
	b->weight = 5;
	b->has = BE_HAS_WEIGHT;
	b = service_add_backend(&s);
	parse_addr("2001:db8::2", "backend", 0, &b->addr);

	CHECK(req_init(&r, 0x20, MAGLEV_CMD_SERVICE_REPLACE, 0, 0) == 0);
	put_service(&r, &s, PUT_REPLACE);
	CHECK(r.err == 0);
	nlh = nlmsg_hdr(r.msg);
	CHECK(genlmsg_parse(nlh, 0, tb, MAGLEV_A_MAX, NULL) == 0);
	CHECK(tb[MAGLEV_A_SERVICE] &&
	      (tb[MAGLEV_A_SERVICE]->nla_type & NLA_F_NESTED));
	CHECK(nla_parse_nested(st, MAGLEV_SVC_A_MAX, tb[MAGLEV_A_SERVICE],
			       NULL) == 0);
	CHECK(st[MAGLEV_SVC_A_PROTO] &&
	      nla_get_u8(st[MAGLEV_SVC_A_PROTO]) == IPPROTO_TCP);
	CHECK(st[MAGLEV_SVC_A_ADDR4] && nla_len(st[MAGLEV_SVC_A_ADDR4]) == 4 &&
	      !st[MAGLEV_SVC_A_ADDR6]);
	CHECK(st[MAGLEV_SVC_A_PORT] && nla_len(st[MAGLEV_SVC_A_PORT]) == 2 &&
	      nla_get_u16(st[MAGLEV_SVC_A_PORT]) == 80);
	CHECK(st[MAGLEV_SVC_A_TABLE_SIZE] &&
	      nla_get_u32(st[MAGLEV_SVC_A_TABLE_SIZE]) == 251);
	CHECK(st[MAGLEV_SVC_A_FLAGS] && nla_get_u32(st[MAGLEV_SVC_A_FLAGS]) == 0);
	CHECK(!st[MAGLEV_SVC_A_HASH] && !st[MAGLEV_SVC_A_GRE_KEY]);
	CHECK(st[MAGLEV_SVC_A_BACKENDS] &&
	      (st[MAGLEV_SVC_A_BACKENDS]->nla_type & NLA_F_NESTED));
	if (st[MAGLEV_SVC_A_BACKENDS]) {
		nla_for_each_nested(pos, st[MAGLEV_SVC_A_BACKENDS], rem) {
			CHECK(nla_type(pos) == MAGLEV_A_BACKEND &&
			      (pos->nla_type & NLA_F_NESTED));
			CHECK(nla_parse_nested(bt, MAGLEV_BE_A_MAX, pos, NULL) == 0);
			if (count == 0)
				CHECK(bt[MAGLEV_BE_A_ADDR4] && bt[MAGLEV_BE_A_WEIGHT] &&
				      nla_get_u32(bt[MAGLEV_BE_A_WEIGHT]) == 5 &&
				      !bt[MAGLEV_BE_A_STATE]);
			else
				CHECK(bt[MAGLEV_BE_A_ADDR6] &&
				      nla_len(bt[MAGLEV_BE_A_ADDR6]) == 16 &&
				      !bt[MAGLEV_BE_A_WEIGHT]);
			count++;
		}
	}
	CHECK(count == 2);

	/* the kernel's NLMSGERR_ATTR_OFFS for TABLE_SIZE names "251" */
	off = (uint32_t)((char *)st[MAGLEV_SVC_A_TABLE_SIZE] - (char *)nlh);
	o = req_origin(&r, off);
	CHECK(o && o->kw && !strcmp(o->kw, "table-size") && !strcmp(o->word, "251"));
	off = (uint32_t)((char *)tb[MAGLEV_A_SERVICE] - (char *)nlh);
	o = req_origin(&r, off);
	CHECK(o && !o->kw && !strcmp(o->word, "10.0.0.100:80"));
	CHECK(req_origin(&r, 3) == NULL);
	req_free(&r);

	/* an empty backend list is sent as an empty nest, not dropped */
	s.nbe = 0;
	CHECK(req_init(&r, 0x20, MAGLEV_CMD_SERVICE_REPLACE, 0, 0) == 0);
	put_service(&r, &s, PUT_REPLACE);
	nlh = nlmsg_hdr(r.msg);
	CHECK(genlmsg_parse(nlh, 0, tb, MAGLEV_A_MAX, NULL) == 0 &&
	      nla_parse_nested(st, MAGLEV_SVC_A_MAX, tb[MAGLEV_A_SERVICE],
			       NULL) == 0);
	CHECK(st[MAGLEV_SVC_A_BACKENDS] && nla_len(st[MAGLEV_SVC_A_BACKENDS]) == 0);
	req_free(&r);
	service_free(&s);

	/* a large replace fits (4096 backends) */
	memset(&s, 0, sizeof(s));
	parse_endpoint("10.0.0.1:80", "service", &s.vip, &s.port);
	for (int i = 0; i < 4096; i++) {
		b = service_add_backend(&s);
		b->addr.family = AF_INET6;
		b->addr.u.v6.s6_addr[15] = (uint8_t)i;
		b->weight = 1;
		b->state = 1;
		b->has = BE_HAS_WEIGHT | BE_HAS_STATE;
	}
	CHECK(req_init(&r, 0x20, MAGLEV_CMD_SERVICE_REPLACE, 0,
		       1024 + 64 * s.nbe) == 0);
	put_service(&r, &s, PUT_REPLACE);
	CHECK(r.err == 0);
	req_free(&r);
	service_free(&s);
}

/* Synthetic NLMSG_ERROR / NLMSG_DONE messages with extack TLVs. */
static size_t put_tlv(char *p, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };

	memcpy(p, &a, sizeof(a));
	memcpy(p + NLA_HDRLEN, data, len);
	return NLA_ALIGN(NLA_HDRLEN + len);
}

static void test_extack(void)
{
	uint32_t buf32[256] = { 0 };
	char *buf = (char *)buf32;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = (struct nlmsgerr *)(buf + NLMSG_HDRLEN);
	struct mg_nlerr out;
	const char msg[] = "table size must be a prime";
	uint32_t offs = 36, miss = 4;
	size_t off;
	int err = -ENOENT;

	/* uncapped: the request (header + 12 bytes) is echoed first */
	e->error = -EINVAL;
	e->msg.nlmsg_len = NLMSG_HDRLEN + 12;
	off = NLMSG_HDRLEN + sizeof(*e) + 12;
	off += put_tlv(buf + off, NLMSGERR_ATTR_MSG, msg, sizeof(msg));
	off += put_tlv(buf + off, NLMSGERR_ATTR_OFFS, &offs, 4);
	nlh->nlmsg_len = (uint32_t)off;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	parse_nlerr(nlh, &out);
	CHECK(out.err == -EINVAL);
	CHECK_STR(out.msg, msg);
	CHECK(out.has_offs && out.offs == 36 && !out.has_miss);

	/* capped */
	memset(buf32, 0, sizeof(buf32));
	e->error = -EINVAL;
	e->msg.nlmsg_len = 400;
	off = NLMSG_HDRLEN + sizeof(*e);
	off += put_tlv(buf + off, NLMSGERR_ATTR_MISS_TYPE, &miss, 4);
	off += put_tlv(buf + off, NLMSGERR_ATTR_MISS_NEST, &offs, 4);
	nlh->nlmsg_len = (uint32_t)off;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS | NLM_F_CAPPED;
	parse_nlerr(nlh, &out);
	CHECK(out.err == -EINVAL && !out.msg[0] && out.has_miss &&
	      out.miss_type == 4 && out.has_miss_nest && out.miss_nest == 36);

	/* no TLVs flag: nothing but the error */
	nlh->nlmsg_flags = NLM_F_CAPPED;
	parse_nlerr(nlh, &out);
	CHECK(out.err == -EINVAL && !out.has_miss);

	/* a dump's NLMSG_DONE with an error and a message */
	memset(buf32, 0, sizeof(buf32));
	memcpy(buf + NLMSG_HDRLEN, &err, sizeof(err));
	off = NLMSG_HDRLEN + sizeof(int);
	off += put_tlv(buf + off, NLMSGERR_ATTR_MSG, "no such service", 16);
	nlh->nlmsg_len = (uint32_t)off;
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	parse_nlerr(nlh, &out);
	CHECK(out.err == -ENOENT);
	CHECK_STR(out.msg, "no such service");

	/* a truncated TLV is ignored */
	nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + sizeof(int) + 6);
	parse_nlerr(nlh, &out);
	CHECK(out.err == -ENOENT && !out.msg[0]);
}

/* probe-mark VALUE[/MASK] | off, and BE_A_ID in replies */
static void test_probe(void)
{
	struct nlattr *tb[MAGLEV_A_MAX + 1], *ct[MAGLEV_CFG_A_MAX + 1];
	struct mg_backend b;
	struct mg_config c;
	struct mg_req q;
	char line[256], *w[8];
	struct nl_msg *m;
	struct nlattr *nest;
	int n;

	n = words("probe-mark 0x4d470000/0xffff0000", w);
	CHECK(parse_config_args(n, w, 0, &c) == 0);
	CHECK(c.probe_mark == 0x4d470000 && c.probe_mask == 0xffff0000 &&
	      c.has == (CFG_HAS_PROBE_MARK | CFG_HAS_PROBE_MASK));
	fmt_config_line(line, sizeof(line), &c);
	CHECK_STR(line, " probe-mark 0x4d470000/0xffff0000");
	CHECK(req_init(&q, 0x20, MAGLEV_CMD_CONFIG_SET, 0, 0) == 0);
	put_config(&q, &c);
	CHECK(genlmsg_parse(nlmsg_hdr(q.msg), 0, tb, MAGLEV_A_MAX, NULL) == 0 &&
	      tb[MAGLEV_A_CONFIG] &&
	      nla_parse_nested(ct, MAGLEV_CFG_A_MAX, tb[MAGLEV_A_CONFIG], NULL) == 0);
	CHECK(ct[MAGLEV_CFG_A_PROBE_MARK] &&
	      nla_get_u32(ct[MAGLEV_CFG_A_PROBE_MARK]) == 0x4d470000 &&
	      ct[MAGLEV_CFG_A_PROBE_MASK] &&
	      nla_get_u32(ct[MAGLEV_CFG_A_PROBE_MASK]) == 0xffff0000);
	req_free(&q);

	n = words("probe-mark 4096", w);
	CHECK(parse_config_args(n, w, 0, &c) == 0);
	CHECK(c.probe_mark == 4096 && c.has == CFG_HAS_PROBE_MARK);
	fmt_config_line(line, sizeof(line), &c);
	CHECK_STR(line, " probe-mark 0x1000");
	n = words("probe-mark off", w);
	CHECK(parse_config_args(n, w, 0, &c) == 0);
	CHECK(!c.probe_mark && !c.probe_mask &&
	      c.has == (CFG_HAS_PROBE_MARK | CFG_HAS_PROBE_MASK));
	fmt_config_line(line, sizeof(line), &c);
	CHECK_STR(line, " probe-mark off");
	n = words("probe-mark 0x10/zz", w);
	CHECK(parse_config_args(n, w, 0, &c) < 0);
	CHECK_STR(mg_err, "invalid probe-mark mask \"zz\" (expected VALUE[/MASK] or off, e.g. 0x4d470000/0xffff0000)");
	n = words("probe-mark 0x100000000", w);
	CHECK(parse_config_args(n, w, 0, &c) < 0);

	m = nlmsg_alloc();
	nest = nla_nest_start(m, MAGLEV_A_BACKEND);
	nla_put_u32(m, MAGLEV_BE_A_ADDR4, 0x0100000a);
	nla_put_u32(m, MAGLEV_BE_A_ID, 42);
	nla_nest_end(m, nest);
	CHECK(decode_backend(nest, &b) == 0 && b.id == 42 && (b.has & BE_HAS_ID));
	nlmsg_free(m);
}

static void test_conn_config(void)
{
	struct mg_config c, m;
	struct mg_service s;
	struct mg_backend b;
	struct mg_restore r;
	struct mg_req q;
	struct nlattr *tb[MAGLEV_A_MAX + 1], *ct[MAGLEV_CFG_A_MAX + 1];
	struct nlattr *to[MG_NTIMEOUTS];
	char line[512], *w[64], buf[2048];
	uint64_t v[MG_NSTATS] = { 0 };
	struct mg_conn_stats cs = { .present = true };
	int n, level;
	FILE *f;

	n = words("conn-max 1000 expire-nodest drop timeout-tcp-est 60 timeout-udp 30", w);
	CHECK(parse_config_args(n, w, 0, &c) == 0);
	CHECK(c.conn_max == 1000 && c.expire_nodest == MAGLEV_EXPIRE_NODEST_DROP &&
	      c.timeout[MAGLEV_TIMEOUT_A_TCP_EST] == 60 &&
	      c.timeout[MAGLEV_TIMEOUT_A_UDP] == 30 &&
	      c.timeout_has == ((1U << MAGLEV_TIMEOUT_A_TCP_EST) |
				(1U << MAGLEV_TIMEOUT_A_UDP)));
	CHECK(c.has == (CFG_HAS_CONN_MAX | CFG_HAS_EXPIRE_NODEST | CFG_HAS_TIMEOUTS));
	fmt_config_line(line, sizeof(line), &c);
	CHECK_STR(line, " conn-max 1000 expire-nodest drop timeout-tcp-est 60 timeout-udp 30");
	n = words("expire-nodest maybe", w);
	CHECK(parse_config_args(n, w, 0, &m) < 0);
	CHECK_STR(mg_err, "invalid expire-nodest \"maybe\" (expected drop or rehash)");
	n = words("icmp off", w);
	CHECK(parse_config_args(n, w, 0, &m) == 0);
	CHECK(m.has == CFG_HAS_ICMP && m.icmp == 0);
	fmt_config_line(line, sizeof(line), &m);
	CHECK_STR(line, " icmp off");
	n = words("icmp maybe", w);
	CHECK(parse_config_args(n, w, 0, &m) < 0);
	CHECK_STR(mg_err, "invalid icmp \"maybe\" (expected on or off)");
	n = words("timeout-tcp-est x", w);
	CHECK(parse_config_args(n, w, 0, &m) < 0);
	CHECK_STR(mg_err, "invalid timeout-tcp-est \"x\" (expected seconds, 1..604800)");
	n = words("timeout-icmp 3", w);
	CHECK(parse_config_args(n, w, 0, &m) < 0);
	CHECK_STR(mg_err, "unknown config option \"timeout-icmp\" (expected seed, source, source6, ttl, table-size, hash, conn-max, expire-nodest, icmp, probe-mark, pool, frag-max, frag-hold, frag-hold-bytes, frag-timeout or timeout-STATE)");
	/* the pool takes every address that follows; none clears it */
	n = words("pool 10.0.3.1 fd00:3::2 10.0.3.3 frag-max 5 frag-timeout 300", w);
	CHECK(parse_config_args(n, w, 0, &m) == 0);
	CHECK(m.npool == 3 && m.pool[1].family == AF_INET6 &&
	      m.frag_max == 5 && m.frag_timeout == 300 &&
	      m.has == (CFG_HAS_POOL | CFG_HAS_FRAG_MAX | CFG_HAS_FRAG_TIMEOUT));
	fmt_config_line(line, sizeof(line), &m);
	CHECK_STR(line, " frag-max 5 frag-timeout 300 pool 10.0.3.1 fd00:3::2 10.0.3.3");
	n = words("pool none ttl 3", w);
	CHECK(parse_config_args(n, w, 0, &m) == 0);
	CHECK(m.npool == 0 && (m.has & CFG_HAS_POOL) && m.ttl == 3);
	n = words("pool bogus", w);
	CHECK(parse_config_args(n, w, 0, &m) < 0);
	CHECK_STR(conn_state_name(MAGLEV_TIMEOUT_A_TCP_CLOSE), "tcp-close");
	CHECK_STR(reason_name(MAGLEV_REASON_CONN), "conn");
	CHECK_STR(reason_name(MAGLEV_REASON_NODEST_DROP), "nodest-drop");

	/* TIMEOUTS is a nest of u32 by MAGLEV_TIMEOUT_A_* */
	CHECK(req_init(&q, 0x20, MAGLEV_CMD_CONFIG_SET, 0, 0) == 0);
	put_config(&q, &c);
	CHECK(genlmsg_parse(nlmsg_hdr(q.msg), 0, tb, MAGLEV_A_MAX, NULL) == 0 &&
	      tb[MAGLEV_A_CONFIG] &&
	      nla_parse_nested(ct, MAGLEV_CFG_A_MAX, tb[MAGLEV_A_CONFIG], NULL) == 0);
	CHECK(ct[MAGLEV_CFG_A_CONN_MAX] && nla_get_u32(ct[MAGLEV_CFG_A_CONN_MAX]) == 1000);
	CHECK(ct[MAGLEV_CFG_A_EXPIRE_NODEST] && nla_len(ct[MAGLEV_CFG_A_EXPIRE_NODEST]) == 1);
	CHECK(ct[MAGLEV_CFG_A_TIMEOUTS] &&
	      (ct[MAGLEV_CFG_A_TIMEOUTS]->nla_type & NLA_F_NESTED) &&
	      nla_parse_nested(to, MAGLEV_TIMEOUT_A_MAX, ct[MAGLEV_CFG_A_TIMEOUTS],
			       NULL) == 0 &&
	      to[MAGLEV_TIMEOUT_A_UDP] && nla_get_u32(to[MAGLEV_TIMEOUT_A_UDP]) == 30 &&
	      !to[MAGLEV_TIMEOUT_A_TCP_SYN]);
	CHECK(!ct[MAGLEV_CFG_A_SEED] && !ct[MAGLEV_CFG_A_TTL]);
	req_free(&q);

	/* several config set lines merge, timeouts included */
	f = text("config set timeout-udp 5 conn-max 7\nconfig set timeout-sctp 9 timeout-udp 6\n");
	CHECK(parse_restore(f, "<stdin>", &r) == 0);
	fclose(f);
	CHECK(r.cfg.timeout[MAGLEV_TIMEOUT_A_UDP] == 6 &&
	      r.cfg.timeout[MAGLEV_TIMEOUT_A_SCTP] == 9 && r.cfg.conn_max == 7);
	restore_free(&r);

	n = words("", w);
	CHECK(parse_conn_args(n, w, &s, &b, &level) == 0 && level == 0);
	n = words("tcp 10.0.0.1:80", w);
	CHECK(parse_conn_args(n, w, &s, &b, &level) == 0 && level == 1);
	n = words("tcp 10.0.0.1:80 2001:db8::1", w);
	CHECK(parse_conn_args(n, w, &s, &b, &level) == 0 && level == 2 &&
	      b.addr.family == AF_INET6);
	n = words("tcp 10.0.0.1:80 2001:db8::1 x", w);
	CHECK(parse_conn_args(n, w, &s, &b, &level) < 0);

	/* every counter has a name, new ones included */
	v[MAGLEV_STATS_A_DROP_NODEST] = 3;
	cs.v[MAGLEV_CONN_STATS_A_FULL] = 4;
	f = fmemopen(buf, sizeof(buf), "w");
	print_stats_text(f, v, &cs);
	fclose(f);
	CHECK(strstr(buf, "drop-nodest          3\n") && strstr(buf, "conn-full            4\n"));
}

/* Prometheus text: label escaping, families, one header each. */
static char *prom_text(const uint64_t *v, const struct mg_conn_stats *cs,
		       const struct mg_service *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	prom_write(f, v, cs, s, n);
	fclose(f);
	return buf;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	size_t k = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, prefix, k))
			n++;
		if (!strchr(p, '\n'))
			break;
	}
	return n;
}

static void test_prometheus(void)
{
	uint64_t v[MG_NSTATS] = { 0 };
	struct mg_conn_stats cs = { .present = true };
	struct mg_service s;
	struct mg_backend *b;
	char *buf = NULL, *t;
	size_t len = 0;
	FILE *f;
	int ndrop = 0;

	f = open_memstream(&buf, &len);
	prom_label_value(f, "a\\b\"c\nd");
	fclose(f);
	CHECK_STR(buf, "a\\\\b\\\"c\\nd");
	free(buf);

	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	parse_addr("2001:db8::1", "vip", 0, &s.vip);
	s.port = 443;
	s.table_size = 251;
	s.packets = 7;
	s.bytes = 700;
	b = service_add_backend(&s);
	parse_addr("192.0.2.11", "backend", 0, &b->addr);
	b->weight = 3;
	b->slots = 251;
	b->state = MAGLEV_BE_STATE_UP;
	b->packets = 5;
	b = service_add_backend(&s);
	parse_addr("192.0.2.12", "backend", 0, &b->addr);
	b->state = MAGLEV_BE_STATE_DOWN;
	v[MAGLEV_STATS_A_PACKETS] = 12;
	v[MAGLEV_STATS_A_DROP_NO_BACKEND] = 3;
	cs.v[MAGLEV_CONN_STATS_A_ENTRIES] = 4;
	cs.v[MAGLEV_CONN_STATS_A_LIMIT] = 1000;

	t = prom_text(v, &cs, &s, 1);
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(strstr(t, "\nmaglev_packets_total 12\n") != NULL);
	CHECK(strstr(t, "\nmaglev_dropped_packets_total{reason=\"no_backend\"} 3\n") != NULL);
	CHECK(strstr(t, "\nmaglev_dropped_packets_total{reason=\"nodest\"} 0\n") != NULL);
	CHECK(strstr(t, "\nmaglev_icmp_dropped_packets_total{reason=\"csum\"} 0\n") != NULL);
	CHECK(strstr(t, "\nmaglev_frag_drop_total 0\n") != NULL);
	CHECK(strstr(t, "\nmaglev_conn_entries 4\n") != NULL);
	CHECK(strstr(t, "\nmaglev_conn_limit 1000\n") != NULL);
	CHECK(strstr(t, "# TYPE maglev_conn_limit gauge\n") != NULL);
	CHECK(strstr(t, "# TYPE maglev_conn_hits_total counter\n") != NULL);
	CHECK(strstr(t, "\nmaglev_service_packets_total{proto=\"tcp\",vip=\"2001:db8::1\",port=\"443\"} 7\n") != NULL);
	CHECK(strstr(t, "\nmaglev_service_table_size{proto=\"tcp\",vip=\"2001:db8::1\",port=\"443\"} 251\n") != NULL);
	CHECK(strstr(t, "\nmaglev_backend_slots{proto=\"tcp\",vip=\"2001:db8::1\",port=\"443\",backend=\"192.0.2.11\"} 251\n") != NULL);
	CHECK(strstr(t, "\nmaglev_backend_up{proto=\"tcp\",vip=\"2001:db8::1\",port=\"443\",backend=\"192.0.2.12\"} 0\n") != NULL);
	CHECK(strstr(t, "\nmaglev_backend_weight{proto=\"tcp\",vip=\"2001:db8::1\",port=\"443\",backend=\"192.0.2.11\"} 3\n") != NULL);
	/* every family has one HELP and one TYPE line, before its samples */
	CHECK(count_lines(t, "# TYPE maglev_dropped_packets_total ") == 1);
	CHECK(count_lines(t, "# HELP maglev_dropped_packets_total ") == 1);
	for (int i = 1; i < MG_NSTATS; i++) {
		const char *name = stat_name(i, true);

		if (name && !strncmp(name, "drop_", 5))
			ndrop++;
	}
	CHECK(ndrop >= 6 && count_lines(t, "maglev_dropped_packets_total{") == ndrop);
	/* every counter in the names table is printed, reserved ones too */
	CHECK(strstr(t, "\nmaglev_frag_redirect_in_total 0\n") != NULL);
	CHECK(strstr(t, "\nmaglev_icmp_pmtu_total 0\n") != NULL);
	/* counters end in _total; gauges do not */
	for (const char *p = strstr(t, "# TYPE "); p; p = strstr(p + 1, "# TYPE ")) {
		const char *sp = strchr(p + 7, ' ');
		bool counter = sp && !strncmp(sp, " counter\n", 9);
		bool total = sp && sp - p - 7 > 6 && !strncmp(sp - 6, "_total", 6);

		CHECK(counter == total);
	}
	free(t);

	/* no connection statistics, no services: still well formed */
	t = prom_text(v, NULL, NULL, 0);
	CHECK(t && !strstr(t, "maglev_conn_") &&
	      strstr(t, "# TYPE maglev_backend_up gauge\n") &&
	      !strstr(t, "maglev_backend_up{"));
	free(t);
	service_free(&s);
}

int main(void)
{
	test_numbers();
	test_words();
	test_seed();
	test_commands();
	test_restore();
	test_save_format();
	test_json();
	test_encoding();
	test_extack();
	test_conn_config();
	test_prometheus();
	test_probe();
	printf("maglevctl: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
