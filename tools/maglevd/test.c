// SPDX-License-Identifier: GPL-2.0
/*
 * maglevd: unit tests of the configuration parser (no kernel, no network).
 * Every error path must name "t.conf:LINE:COL:" and the word at fault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "maglevd.h"

static int fails, runs;

#define OKCONF \
	"namespace {\n" \
	"	seed 0123456789abcdef0123456789abcdef;\n" \
	"	table-size 1021; timeout tcp-est 600;\n" \
	"}\n" \
	"daemon { status-socket /run/x.sock; drain-delay 2s; metrics-listen [::1]:9586; }\n" \
	"check web {\n" \
	"	type http; path \"/health\"; status 200-299; expect \"OK\";\n" \
	"	interval 1s; timeout 500ms; rise 2; fall 3;\n" \
	"}\n" \
	"check dns { type dns; query example.com; qtype AAAA; }\n" \
	"check script { type exec; command \"true\"; }  # comment\n" \
	"service tcp 10.0.0.100:80 {\n" \
	"	check web script;\n" \
	"	quorum 2; hash src; table-size 251;\n" \
	"	backend 10.0.2.11;\n" \
	"	backend 10.0.2.12 weight 2;\n" \
	"	backend fd00:2::13 weight 0 down;\n" \
	"}\n" \
	"service udp [fd00:100::100]:53 { check dns; backend 10.0.2.11; announce off; }\n"

static void ok(void)
{
	char err[512] = "";
	struct conf *c = conf_load("t.conf", OKCONF, err, sizeof(err));

	runs++;
	if (!c) {
		printf("FAIL: valid configuration refused: %s\n", err);
		fails++;
		return;
	}
#define EXPECT(cond) do { runs++; if (!(cond)) { \
	printf("FAIL: %s\n", #cond); fails++; } } while (0)
	EXPECT(c->nsvc == 2 && c->nchk == 3);
	EXPECT(c->ns.has & CFG_HAS_SEED);
	EXPECT(c->ns.table_size == 1021 && c->ns.o_table_size.line == 3);
	EXPECT(c->ns.timeout[MAGLEV_TIMEOUT_A_TCP_EST] == 600);
	EXPECT(!strcmp(c->status_path, "/run/x.sock") && c->drain_ms == 2000);
	EXPECT(c->has_metrics && c->metrics_port == 9586 &&
	       c->metrics_addr.family == AF_INET6);
	EXPECT(c->chk[0].type == CHK_HTTP && !strcmp(c->chk[0].path, "/health"));
	EXPECT(c->chk[0].status_lo == 200 && c->chk[0].status_hi == 299);
	EXPECT(c->chk[0].interval_ms == 1000 && c->chk[0].timeout_ms == 500);
	EXPECT(c->chk[0].fast_ms == 500);
	EXPECT(c->chk[1].qtype == 28);
	EXPECT(c->svc[0].nbe == 3 && c->svc[0].quorum == 2 &&
	       c->svc[0].nchk == 2);
	EXPECT(c->svc[0].svc.table_size == 251 &&
	       c->svc[0].svc.o_table_size.line == 14);
	EXPECT(c->svc[0].be[1].weight == 2 && c->svc[0].be[2].admin_down &&
	       c->svc[0].be[2].weight == 0);
	EXPECT(!strcmp(c->svc[0].dev, "mgv0a000064"));
	EXPECT(!c->svc[1].announce && c->svc[1].svc.vip.family == AF_INET6);
	EXPECT(check_mode(c, &c->chk[0]) == MODE_DIRECT);
	conf_free(c);
}

/* text must fail with an error starting with "t.conf:LINE:" and
 * containing word. */
static void bad(const char *text, int line, const char *word)
{
	char err[512] = "", want[32];
	struct conf *c = conf_load("t.conf", text, err, sizeof(err));

	runs++;
	snprintf(want, sizeof(want), "t.conf:%d:", line);
	if (c) {
		printf("FAIL: accepted: %s\n", text);
		conf_free(c);
		fails++;
	} else if (strncmp(err, want, strlen(want)) || !strstr(err, word)) {
		printf("FAIL: for %s\n  got  \"%s\"\n  want \"%s...\" naming \"%s\"\n",
		       text, err, want, word);
		fails++;
	}
}

static void marks(void)
{
	runs++;
	if (probe_mark_for(0x4d470000, 0xffff0000, 7) != 0x4d470007 ||
	    probe_mark_for(0x4d470000, 0xffff0000, 0x12345) != 0x4d472345 ||
	    probe_mark_for(0xff, 0xf0, 3) != 0xf3 ||
	    probe_mark_for(0x80000000, 0x80000000, 0x7fffffff) != 0xffffffff) {
		printf("FAIL: probe_mark_for\n");
		fails++;
	}
}

int main(void)
{
	const char *svc = "service tcp 10.0.0.1:80 {\n";

	ok();
	marks();
	/* tokens and statements */
	bad("namespace {\n seed \"abc\n}\n", 2, "unterminated");
	bad("namespace {\n seed 1\n}\n", 2, "\"1\": missing ';'");
	bad("namespace { seed 1;\n", 2, "\"}\" is missing");
	bad("}\n", 1, "\"}\" without");
	bad("\n{\n", 2, "\"{\" without");
	bad("frobnicate;\n", 1, "\"frobnicate\"");
	bad("daemon {\n drain-delay 2s\n", 2, "\"2s\": missing ';' at the end");
	bad("daemon { status-socket foo\"bar\"; }", 1, "foo");
	/* namespace */
	bad("namespace {\n seed xyz;\n}\n", 2, "\"xyz\"");
	bad("namespace {\n colour red;\n}\n", 2, "\"colour\"");
	bad("namespace {\n ttl 300;\n}\n", 2, "\"300\"");
	bad("namespace {\n ttl 3;\n ttl 4;\n}\n", 3, "\"ttl\" given twice");
	bad("namespace {\n ttl;\n}\n", 2, "\"ttl\": missing");
	bad("namespace {\n timeout tcp-bogus 5;\n}\n", 2, "tcp-bogus");
	bad("namespace {\n probe-mark 0x10 bits 0xf0;\n}\n", 2, "\"bits\"");
	bad("namespace {\n probe-mark 0x10 mask 0xffffffff;\n}\n", 2, "0xffffffff");
	bad("namespace {\n probe-mark zz mask 0xff00;\n}\n", 2, "\"zz\"");
	bad("namespace { }\nnamespace { }\n", 2, "\"namespace\"");
	bad("namespace extra {\n}\n", 1, "\"extra\"");
	/* daemon */
	bad("daemon {\n status-socket run.sock;\n}\n", 2, "\"run.sock\"");
	bad("daemon {\n drain-delay 5x;\n}\n", 2, "\"5x\"");
	bad("daemon {\n warmup-timeout 7200s;\n}\n", 2, "\"7200s\"");
	bad("daemon {\n max-exec 0;\n}\n", 2, "\"0\"");
	bad("daemon {\n loglevel 3;\n}\n", 2, "\"loglevel\"");
	bad("daemon {\n drain-delay 1s 2s;\n}\n", 2, "\"2s\"");
	bad("daemon {\n metrics-listen 9586;\n}\n", 2, "\"9586\"");
	bad("daemon {\n metrics-listen 127.0.0.1:0;\n}\n", 2, "\"127.0.0.1:0\"");
	bad("daemon {\n metrics-listen localhost:9586;\n}\n", 2, "\"localhost:9586\"");
	bad("daemon {\n metrics-listen 127.0.0.1:70000;\n}\n", 2, "70000");
	bad("daemon {\n metrics-listen ::1:9586;\n}\n", 2, "\"::1:9586\"");
	bad("daemon { metrics-listen off;\n metrics-listen 127.0.0.1:1; }\n", 2,
	    "\"metrics-listen\" given twice");
	{
		char err[256];
		struct conf *c = conf_load("t.conf",
			"daemon { metrics-listen 127.0.0.1:9586; }\n", err, sizeof(err));
		struct conf *o = conf_load("t.conf", "daemon { metrics-listen off; }\n",
					   err, sizeof(err));
		struct conf *n = conf_load("t.conf", "daemon { }\n", err, sizeof(err));

		runs++;
		if (!c || !o || !n || !c->has_metrics || c->metrics_port != 9586 ||
		    c->metrics_addr.family != AF_INET ||
		    c->metrics_addr.u.v4.s_addr != htonl(0x7f000001) ||
		    o->has_metrics || n->has_metrics) {
			printf("FAIL: metrics-listen: %s\n", err);
			fails++;
		}
		conf_free(c);
		conf_free(o);
		conf_free(n);
	}
	/* checks */
	bad("check a {\n}\n", 1, "\"a\": check without a type");
	bad("check a {\n type ping;\n}\n", 2, "\"ping\"");
	bad("check a { type tcp; }\ncheck a { type tcp; }\n", 2, "\"a\": check defined twice");
	bad("check {\n}\n", 1, "\"check\"");
	bad("check a {\n type http;\n path health;\n}\n", 3, "\"health\"");
	bad("check a {\n type http;\n status 200-100;\n}\n", 3, "\"200-100\"");
	bad("check a {\n type http;\n status 99;\n}\n", 3, "\"99\"");
	bad("check a {\n type tcp;\n port 70000;\n}\n", 3, "\"70000\"");
	bad("check a {\n type tcp;\n rise 0;\n}\n", 3, "\"0\"");
	bad("check a {\n type tcp;\n fall 101;\n}\n", 3, "\"101\"");
	bad("check a {\n type tcp;\n interval 10ms;\n}\n", 3, "\"10ms\"");
	bad("check a {\n type tcp;\n timeout fast;\n}\n", 3, "\"fast\"");
	bad("check a {\n type tcp;\n mode sideways;\n}\n", 3, "\"sideways\"");
	bad("check a {\n type tcp;\n qtype MX;\n}\n", 3, "\"MX\"");
	bad("check a {\n type dns;\n query a..b;\n}\n", 3, "\"a..b\"");
	bad("check a {\n type tcp;\n colour red;\n}\n", 3, "\"colour\"");
	bad("check a {\n type tcp;\n expect \"\";\n}\n", 3, "expect");
	bad("check a {\n type tcp; interval 1s; timeout 2s;\n}\n", 1, "\"a\": timeout");
	bad("check a { type exec; }\n", 1, "\"a\": an exec check needs");
	bad("check a { type dns; }\n", 1, "\"a\": a dns check needs");
	bad("check a { type exec; command x; mode tunnel; }\n", 1, "\"a\": an exec");
	/* services */
	bad("service tcp 10.0.0.1 {\n}\n", 1, "\"10.0.0.1\"");
	bad("service icmp 10.0.0.1:80 {\n}\n", 1, "\"icmp\"");
	bad("service tcp 10.0.0.1:80;\n", 1, "\"10.0.0.1:80\"");
	bad("service tcp 10.0.0.1:80 { }\nservice tcp 10.0.0.1:80 { }\n", 2,
	    "service defined twice");
	{
		char t[256];

		snprintf(t, sizeof(t), "%s backend 10.0.2.300;\n}\n", svc);
		bad(t, 2, "\"10.0.2.300\"");
		snprintf(t, sizeof(t), "%s backend 10.0.2.3;\n backend 10.0.2.3;\n}\n", svc);
		bad(t, 3, "\"10.0.2.3\": backend listed twice");
		snprintf(t, sizeof(t), "%s backend 10.0.2.3 weight 70000;\n}\n", svc);
		bad(t, 2, "\"70000\"");
		snprintf(t, sizeof(t), "%s backend 10.0.2.3 weight;\n}\n", svc);
		bad(t, 2, "\"weight\"");
		snprintf(t, sizeof(t), "%s backend 10.0.2.3 drained;\n}\n", svc);
		bad(t, 2, "\"drained\"");
		snprintf(t, sizeof(t), "%s backend;\n}\n", svc);
		bad(t, 2, "\"backend\"");
		snprintf(t, sizeof(t), "%s check nope;\n}\n", svc);
		bad(t, 2, "\"nope\": no such check");
		snprintf(t, sizeof(t), "%s table-size abc;\n}\n", svc);
		bad(t, 2, "\"abc\"");
		snprintf(t, sizeof(t), "%s hash md5;\n}\n", svc);
		bad(t, 2, "\"md5\"");
		snprintf(t, sizeof(t), "%s quorum 2;\n backend 10.0.2.3;\n}\n", svc);
		bad(t, 1, "quorum 2");
		snprintf(t, sizeof(t), "%s quorum -1;\n}\n", svc);
		bad(t, 2, "\"-1\"");
		snprintf(t, sizeof(t), "%s announce maybe;\n}\n", svc);
		bad(t, 2, "\"maybe\"");
		snprintf(t, sizeof(t), "%s device this-name-is-too-long;\n}\n", svc);
		bad(t, 2, "\"this-name-is-too-long\"");
		snprintf(t, sizeof(t), "%s weight 3;\n}\n", svc);
		bad(t, 2, "\"weight\": unknown service setting");
		snprintf(t, sizeof(t), "%s quorum 1;\n quorum 1;\n}\n", svc);
		bad(t, 3, "\"quorum\" given twice");
	}
	bad("check t { type tcp; mode tunnel; }\nservice tcp 10.0.0.1:80 {\n check t;\n}\n",
	    2, "\"t\": mode tunnel needs");
	bad("namespace { probe-mark 0x100 mask 0xff00; }\ncheck t { type dns; query x; }\n"
	    "service tcp 10.0.0.1:80 {\n check t;\n}\n", 3, "\"t\": a tunnelled dns");
	bad("namespace { probe-mark 0x100 mask 0xff00; }\ncheck t { type tcp; port 81; }\n"
	    "service tcp 10.0.0.1:80 {\n check t;\n}\n", 3, "not 81");
	bad("check t { type tcp; }\nservice tcp 10.0.0.1:0 {\n check t;\n}\n", 2,
	    "\"t\": service tcp 10.0.0.1:0 has port 0");
	bad("service tcp 10.0.0.1:80 { device a; }\nservice tcp 10.0.0.1:81 {\n device b;\n}\n",
	    2, "\"b\": the VIP");
	bad("service tcp 10.0.0.1:80 { device a; }\nservice tcp 10.0.0.2:80 {\n device a;\n}\n",
	    2, "\"a\": device already");
	{
		char err[256];

		runs++;
		if (conf_load("/nonexistent/maglevd.conf", NULL, err, sizeof(err)) ||
		    !strstr(err, "/nonexistent/maglevd.conf: No such file")) {
			printf("FAIL: missing file: %s\n", err);
			fails++;
		}
	}
	/* a tunnel configuration */
	{
		char err[256];
		struct conf *c = conf_load("t.conf",
			"namespace { probe-mark 0x4d470000 mask 0xffff0000; }\n"
			"check t { type tcp; }\n"
			"service tcp 10.0.0.1:80 { check t; backend 10.0.2.1; }\n",
			err, sizeof(err));

		runs++;
		if (!c || check_mode(c, &c->chk[0]) != MODE_TUNNEL ||
		    c->probe_mark != 0x4d470000 || c->probe_mask != 0xffff0000) {
			printf("FAIL: tunnel configuration: %s\n", c ? "wrong values" : err);
			fails++;
		}
		conf_free(c);
	}
	printf("maglevd parser: %d tests, %d failed\n", runs, fails);
	return fails ? 1 : 0;
}
