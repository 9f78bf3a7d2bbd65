/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maglevd: the Maglev controller.  One file (maglevd.conf.5) becomes a
 * running forwarder: the namespace settings and services are applied with
 * libmaglev (tools/lib), backends are health checked and set up or down,
 * and each VIP is announced through BIRD by a tun device held up or down.
 *
 * Files: conf.c (the grammar, no side effects), probe.c (health checks),
 * kernel.c (netlink: apply, reconcile, drift), announce.c (tun devices),
 * metrics.c (the HTTP /metrics endpoint), main.c (the event loop,
 * signals, reload, status socket, sd_notify).
 */
#ifndef MAGLEVD_H
#define MAGLEVD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "libmaglev.h"

/* ------------------------------------------------------------------ */
/* conf.c                                                              */

enum chk_type { CHK_TCP, CHK_HTTP, CHK_UDP, CHK_DNS, CHK_EXEC };
#define MAGLEVD_NCHK (CHK_EXEC + 1)
enum chk_mode { MODE_AUTO, MODE_DIRECT, MODE_TUNNEL };

struct check_def {
	char *name;
	int line;
	enum chk_type type;
	uint16_t port;		/* 0: the service's port */
	char *path, *host, *expect, *command, *send, *query;
	uint16_t status_lo, status_hi;
	uint16_t qtype;
	uint32_t interval_ms, fast_ms, timeout_ms;
	unsigned int rise, fall;
	enum chk_mode mode;
	char *sig;		/* every parameter, to match probes on reload */
};

struct conf_backend {
	struct mg_addr addr;
	uint32_t weight;
	bool admin_down;
	int line;
};

struct conf_service {
	struct mg_service svc;	/* key and settings, no backends */
	struct conf_backend *be;
	size_t nbe;
	struct check_def **chk;
	size_t nchk;
	unsigned int quorum;
	bool announce;
	char dev[16];		/* tun device announcing the VIP */
	char *ksig;		/* what the kernel holds: settings, backends */
	int line;
};

struct conf {
	char *file;
	struct mg_config ns;	/* namespace settings (ns.has: which) */
	char *ns_sig;
	bool has_probe_mark;
	uint32_t probe_mark, probe_mask;
	char *status_path;
	bool has_metrics;	/* metrics-listen: the HTTP /metrics socket */
	struct mg_addr metrics_addr;
	uint16_t metrics_port;
	uint32_t drain_ms, warmup_ms, health_ms;
	unsigned int max_exec;
	struct check_def *chk;
	size_t nchk;
	struct conf_service *svc;
	size_t nsvc;
	/* token storage the strings and origins point into */
	char *text;
	struct tok *toks;
	size_t ntoks;
};

#define MAGLEVD_CONF "/etc/maglev/maglevd.conf"
#define MAGLEVD_SOCK "/run/maglevd.sock"

/* Parse FILE (or the text buf when not NULL); on error NULL and err holds
 * "FILE:LINE:COL: message naming the word". */
struct conf *conf_load(const char *file, const char *buf, char *err,
		       size_t errlen);
void conf_free(struct conf *c);
/* The tunnelled probe's mark for backend id (see maglevd.conf.5). */
uint32_t probe_mark_for(uint32_t mark, uint32_t mask, uint32_t id);
/* The default tun device name of a VIP: "mgv" and hex digits. */
void default_dev(const struct mg_addr *vip, char out[16]);
/* The check mode in effect (auto resolved). */
enum chk_mode check_mode(const struct conf *c, const struct check_def *d);
const char *chk_type_name(enum chk_type t);
/* "tcp 10.0.0.100:80" */
const char *svc_name(const struct mg_service *s, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Runtime state                                                       */

struct daemon;

/* What owns an epoll registration. */
struct watch {
	int fd;
	void (*fn)(struct daemon *d, struct watch *w, uint32_t events);
};

struct probe {
	struct watch w;
	const struct check_def *chk;
	char *key;		/* chk->sig + target: identical probes share */
	struct mg_addr addr;	/* where it connects */
	uint16_t port;
	bool tunnel;
	uint32_t mark;		/* SO_MARK (tunnel) */
	bool mark_known;	/* tunnel: the backend's id is known */
	struct mg_addr be_addr;	/* for exec's environment */
	struct mg_addr vip;
	uint16_t svc_port;
	/* state */
	bool up;		/* the verdict */
	bool settled;		/* a verdict since start (warm-up) */
	unsigned int ok_run, fail_run;
	bool running;
	uint64_t next_ms, deadline_ms;
	pid_t pid;		/* exec */
	bool killed;
	uint16_t dns_id;
	char *buf;
	size_t blen;
	bool sent;
	char last[96];		/* last result, for logs and status */
	uint64_t since_ms;	/* of the verdict */
	unsigned long probes, failures;
	bool used;		/* reload bookkeeping */
};

struct rt_backend {
	const struct conf_backend *cb;
	struct probe **pr;
	size_t npr;
	bool healthy;
	bool health_known;
	uint8_t kstate;		/* what we last wrote / read */
	bool kknown;
	uint32_t id;
	bool has_id;
	uint64_t since_ms;
};

struct rt_service {
	const struct conf_service *cs;
	struct rt_backend *be;
	size_t nbe;
	bool exists;		/* in the kernel */
	bool mismatch;		/* settings or backends differ from the file */
};

struct vip {
	struct mg_addr addr;
	char dev[16];
	int fd;
	bool up;
	bool used;
};

struct mclient;

struct daemon {
	struct conf *conf;
	const char *conf_path;
	int epfd;
	struct watch sig, timer, listen;
	struct mg_ctl ctl;
	bool ctl_open;
	bool ns_stale;		/* (re)opened: the namespace settings go first */
	bool healthy;		/* forwarder health */
	char unhealthy_why[256];
	bool warm;
	bool stopping;
	uint64_t start_ms, stop_at_ms, next_health_ms, next_watchdog_ms;
	uint64_t watchdog_us;
	struct rt_service *svc;
	size_t nsvc;
	struct probe **pr;
	size_t npr;
	struct vip *vips;
	size_t nvips;
	unsigned int exec_running;
	bool dirty;		/* re-evaluate backends and VIPs */
	const char *svc_drift;	/* the last drift seen, "" if none */
	bool foreground_stderr;
	struct watch metrics;	/* metrics-listen, fd -1 if off */
	struct mclient *mcl;	/* its connections */
	uint64_t reloads;
	uint64_t probe_count[MAGLEVD_NCHK][2];	/* by type; [1]: success */
};

uint64_t now_ms(void);
void logmsg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int watch_add(struct daemon *d, struct watch *w, uint32_t events);
void watch_mod(struct daemon *d, struct watch *w, uint32_t events);
void watch_del(struct daemon *d, struct watch *w);

/* probe.c */
void probe_start(struct daemon *d, struct probe *p, uint64_t now);
void probe_timeout(struct daemon *d, struct probe *p, uint64_t now);
void probe_reaped(struct daemon *d, pid_t pid, int status);
void probe_stop(struct daemon *d, struct probe *p);
uint32_t probe_interval(const struct probe *p);

/* kernel.c */
int kernel_open(struct daemon *d);
int kernel_ns_apply(struct daemon *d, const struct conf *old);
int kernel_service_replace(struct daemon *d, struct rt_service *s);
int kernel_service_del(struct daemon *d, const struct mg_service *s);
int kernel_backend_state(struct daemon *d, struct rt_service *s,
			 struct rt_backend *b, uint8_t state);
/* Read the kernel: existence, ids, states; forwarder health; drift. */
void kernel_check(struct daemon *d);

/* Namespace counters and every service, sorted (for /metrics). */
int kernel_read_stats(struct daemon *d, struct mg_stats *st,
		      struct mg_service **svc, size_t *nsvc);

/* metrics.c */
int metrics_open(struct daemon *d);
void metrics_close(struct daemon *d);
/* After a reload: reopen if metrics-listen changed. */
int metrics_reload(struct daemon *d, const struct conf *old);
/* Drops connections past their deadline; returns min(next, deadlines). */
uint64_t metrics_tick(struct daemon *d, uint64_t now, uint64_t next);

/* announce.c */
int vip_open(struct vip *v);
void vip_set(struct vip *v, bool up);
void vip_close(struct vip *v);

#endif
