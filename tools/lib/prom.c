// SPDX-License-Identifier: GPL-2.0
/*
 * libmaglev: the namespace counters, the connection table, the services and
 * their backends in the Prometheus text exposition format (version 0.0.4):
 * what `maglevctl stats --prometheus` prints, and what maglevd serves at
 * /metrics.
 *
 * Metric families (the list is in maglevctl.8, PROMETHEUS):
 *   maglev_packets_total, maglev_bytes_total      forwarded
 *   maglev_dropped_packets_total{reason}          the drop_* counters
 *   maglev_icmp_dropped_packets_total{reason}     the icmp_drop_* counters
 *   maglev_NAME_total                             every other counter, NAME
 *                                                 its JSON name (stat_name)
 *   maglev_conn_entries, maglev_conn_limit        gauges
 *   maglev_conn_NAME_total                        the other table counters
 *   maglev_service_{packets,bytes}_total{proto,vip,port}
 *   maglev_service_table_size, maglev_service_backends     gauges
 *   maglev_backend_{packets,bytes}_total{proto,vip,port,backend}
 *   maglev_backend_weight, _slots, _up (1 up, 0 down)      gauges
 * Counters are printed generically from the names tables, so new ones
 * (uapi) appear without a change here.
 */
#include <string.h>

#include "libmaglev.h"

#define PROM_NAME_LEN 128

/* A label value: backslash, double quote and newline escaped. */
void prom_label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* HELP text: backslash and newline escaped. */
static void help_text(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* The "# HELP" and "# TYPE" lines of family @name. */
void prom_header(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s ", name);
	help_text(f, help);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* Counters that share a family, told apart by a "reason" label. */
static const char *const groups[][3] = {
	{ "drop_", "maglev_dropped_packets_total",
	  "Packets dropped, by reason (maglevctl stats drop-*)" },
	{ "icmp_drop_", "maglev_icmp_dropped_packets_total",
	  "ICMP errors to a VIP dropped, by reason (maglevctl stats icmp-drop-*)" },
};

/*
 * The family of namespace counter @attr: its name in @fam, the group
 * (index in groups[]) or -1, and in *reason the label value.
 */
static int stat_family(int attr, char *fam, size_t len, const char **reason)
{
	const char *json = stat_name(attr, true);

	*reason = NULL;
	fam[0] = '\0';
	if (!json)
		return -1;
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		size_t n = strlen(groups[g][0]);

		if (!strncmp(json, groups[g][0], n)) {
			snprintf(fam, len, "%s", groups[g][1]);
			*reason = json + n;
			return (int)g;
		}
	}
	snprintf(fam, len, "maglev_%s_total", json);
	return -1;
}

static void write_stats(FILE *f, const uint64_t v[MG_NSTATS])
{
	char fam[PROM_NAME_LEN], other[PROM_NAME_LEN], help[160];
	const char *reason;

	for (int i = 1; i < MG_NSTATS; i++) {
		int g = stat_family(i, fam, sizeof(fam), &reason);
		bool seen = false;

		if (!fam[0])
			continue;
		/* every sample of a family follows its one header */
		for (int k = 1; k < i && !seen; k++) {
			stat_family(k, other, sizeof(other), &reason);
			seen = !strcmp(fam, other);
		}
		if (seen)
			continue;
		if (g >= 0) {
			prom_header(f, fam, "counter", groups[g][2]);
		} else {
			snprintf(help, sizeof(help),
				 "Namespace counter %s (maglevctl stats)",
				 stat_name(i, false));
			prom_header(f, fam, "counter", help);
		}
		for (int k = i; k < MG_NSTATS; k++) {
			stat_family(k, other, sizeof(other), &reason);
			if (strcmp(fam, other))
				continue;
			fputs(fam, f);
			if (reason) {
				fputs("{reason=\"", f);
				prom_label_value(f, reason);
				fputs("\"}", f);
			}
			fprintf(f, " %llu\n", (unsigned long long)v[k]);
		}
	}
}

static void write_conn_stats(FILE *f, const struct mg_conn_stats *cs)
{
	char fam[PROM_NAME_LEN], help[160];

	for (int i = 1; i < MG_NCONNSTATS; i++) {
		const char *json = conn_stat_name(i, true);
		bool gauge = i == MAGLEV_CONN_STATS_A_ENTRIES ||
			     i == MAGLEV_CONN_STATS_A_LIMIT;

		if (!json)
			continue;
		snprintf(fam, sizeof(fam), "maglev_conn_%s%s", json,
			 gauge ? "" : "_total");
		snprintf(help, sizeof(help),
			 "Connection table %s %s (maglevctl stats)",
			 gauge ? "gauge" : "counter", conn_stat_name(i, false));
		prom_header(f, fam, gauge ? "gauge" : "counter", help);
		fprintf(f, "%s %llu\n", fam, (unsigned long long)cs->v[i]);
	}
}

/* {proto="tcp",vip="10.0.0.1",port="80"[,backend="10.0.2.1"]} */
void prom_labels(FILE *f, const struct mg_service *s, const struct mg_addr *be)
{
	char buf[ADDR_STRLEN];

	fputs("{proto=\"", f);
	prom_label_value(f, proto_name(s->proto));
	fputs("\",vip=\"", f);
	prom_label_value(f, fmt_addr(&s->vip, buf, sizeof(buf)));
	fprintf(f, "\",port=\"%u\"", s->port);
	if (be) {
		fputs(",backend=\"", f);
		prom_label_value(f, fmt_addr(be, buf, sizeof(buf)));
		fputc('"', f);
	}
	fputc('}', f);
}

enum svc_metric { SM_PACKETS, SM_BYTES, SM_TABLE_SIZE, SM_BACKENDS, SM_N };

static const char *const svc_metrics[SM_N][3] = {
	[SM_PACKETS] = { "maglev_service_packets_total", "counter",
			 "Packets forwarded for the service" },
	[SM_BYTES] = { "maglev_service_bytes_total", "counter",
		       "Bytes forwarded for the service (inner packets)" },
	[SM_TABLE_SIZE] = { "maglev_service_table_size", "gauge",
			    "Slots of the service's Maglev lookup table (M)" },
	[SM_BACKENDS] = { "maglev_service_backends", "gauge",
			  "Backends of the service, up or down" },
};

enum be_metric { BM_PACKETS, BM_BYTES, BM_WEIGHT, BM_SLOTS, BM_UP, BM_N };

static const char *const be_metrics[BM_N][3] = {
	[BM_PACKETS] = { "maglev_backend_packets_total", "counter",
			 "Packets forwarded to the backend" },
	[BM_BYTES] = { "maglev_backend_bytes_total", "counter",
		       "Bytes forwarded to the backend (inner packets)" },
	[BM_WEIGHT] = { "maglev_backend_weight", "gauge",
			"The backend's weight" },
	[BM_SLOTS] = { "maglev_backend_slots", "gauge",
		       "Lookup table slots the backend holds" },
	[BM_UP] = { "maglev_backend_up", "gauge",
		    "1 if the backend is up, 0 if down (no slots)" },
};

static uint64_t svc_value(const struct mg_service *s, int m)
{
	switch (m) {
	case SM_PACKETS:
		return s->packets;
	case SM_BYTES:
		return s->bytes;
	case SM_TABLE_SIZE:
		return s->table_size;
	default:
		return s->nbe;
	}
}

static uint64_t be_value(const struct mg_backend *b, int m)
{
	switch (m) {
	case BM_PACKETS:
		return b->packets;
	case BM_BYTES:
		return b->bytes;
	case BM_WEIGHT:
		return b->weight;
	case BM_SLOTS:
		return b->slots;
	default:
		return b->state == MAGLEV_BE_STATE_UP;
	}
}

/**
 * prom_write - every metric in the Prometheus text format
 * @f: output
 * @v: namespace counters (MAGLEV_STATS_A_*)
 * @cs: connection table statistics, or NULL / not present
 * @svc: services with their backends and statistics
 * @nsvc: how many
 */
void prom_write(FILE *f, const uint64_t v[MG_NSTATS],
		const struct mg_conn_stats *cs, const struct mg_service *svc,
		size_t nsvc)
{
	write_stats(f, v);
	if (cs && cs->present)
		write_conn_stats(f, cs);
	for (int m = 0; m < SM_N; m++) {
		prom_header(f, svc_metrics[m][0], svc_metrics[m][1],
		       svc_metrics[m][2]);
		for (size_t i = 0; i < nsvc; i++) {
			fputs(svc_metrics[m][0], f);
			prom_labels(f, &svc[i], NULL);
			fprintf(f, " %llu\n",
				(unsigned long long)svc_value(&svc[i], m));
		}
	}
	for (int m = 0; m < BM_N; m++) {
		prom_header(f, be_metrics[m][0], be_metrics[m][1], be_metrics[m][2]);
		for (size_t i = 0; i < nsvc; i++) {
			for (size_t k = 0; k < svc[i].nbe; k++) {
				const struct mg_backend *b = &svc[i].be[k];

				fputs(be_metrics[m][0], f);
				prom_labels(f, &svc[i], &b->addr);
				fprintf(f, " %llu\n",
					(unsigned long long)be_value(b, m));
			}
		}
	}
}
