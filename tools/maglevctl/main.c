// SPDX-License-Identifier: GPL-2.0
/*
 * maglevctl: options and table-driven command dispatch.
 */
#include <getopt.h>
#include <string.h>

#include "maglevctl.h"

static const struct mg_cmd top_cmds[] = {
	{ "service", cmd_service, "service add|set|del|show ...",
	  "manage virtual services (\"maglevctl service help\")", true },
	{ "backend", cmd_backend, "backend add|set|del ...",
	  "manage a service's backends (\"maglevctl backend help\")", true },
	{ "show", cmd_show, "show [PROTO VIP:PORT]",
	  "every service (or one) with its backends, weights, states and slots", false },
	{ "stats", cmd_stats, "stats [show|zero] [--prometheus]",
	  "namespace counters and drop reasons (--prometheus: every counter, service and backend for Prometheus); zero resets every counter", true },
	{ "lookup", cmd_lookup, "lookup PROTO SADDR:SPORT VIP:PORT",
	  "what the forwarder would do with the flow's next packet", false },
	{ "table", cmd_table, "table PROTO VIP:PORT",
	  "a service's lookup table: slots per backend, then \"slot backend\" lines", false },
	{ "conn", cmd_conn, "conn [show|flush] ...",
	  "the connection table (\"maglevctl conn help\")", true },
	{ "config", cmd_config, "config [show|set ...]",
	  "namespace settings (\"maglevctl config help\")", true },
	{ "flush", cmd_flush, "flush", "delete every service", false },
	{ "save", cmd_save, "save",
	  "print the configuration in the syntax restore reads", false },
	{ "restore", cmd_restore, "restore [--flush] [FILE]",
	  "apply a saved configuration (stdin by default), each service atomically", false },
	{ "monitor", cmd_monitor, "monitor",
	  "print configuration changes as they happen, until killed", false },
	{ NULL, NULL, NULL, NULL, false },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: maglevctl [-j] [-p] [-s] COMMAND [ARGS]\n"
		"       maglevctl COMMAND help\n"
		"\n"
		"Options:\n"
		"  -j, --json     JSON output (show, stats, lookup, table, conn, config, monitor)\n"
		"  -p, --pretty   indent the JSON (implies -j)\n"
		"  -s, --stats    show packet and byte counters (show)\n"
		"  -h, --help     this help\n"
		"  -V, --version  print the version\n"
		"\n"
		"Commands:\n");
	for (const struct mg_cmd *c = top_cmds; c->name; c++)
		fprintf(f, "  %-34s %s\n", c->synopsis, c->help);
	fprintf(f,
		"\n"
		"PROTO is tcp, udp or sctp; VIP:PORT is 10.0.0.100:80 or [2001:db8::1]:80\n"
		"(port 0: every port); a backend is a bare IPv4 or IPv6 address.\n"
		"Exit status: 0 ok, 1 the kernel refused, 2 usage error, 3 no maglev\n"
		"module, 4 permission denied.  See maglevctl(8).\n");
}

void print_cmd_help(FILE *f, const struct mg_cmd *c)
{
	fprintf(f, "Usage: maglevctl %s\n  %s\n", c->synopsis, c->help);
}

int usage_error(void)
{
	fprintf(stderr, "maglevctl: %s\n", mg_err);
	return EXIT_USAGE;
}

/*
 * Run the command argv[0] of tab; level names the table in messages
 * ("service"), dflt is the command run when there is none (NULL: error).
 * "help" anywhere a command or its first argument is expected prints help.
 */
int dispatch(const struct mg_cmd *tab, const char *level, int argc,
	     char **argv, const char *dflt)
{
	const char *name = argc > 0 ? argv[0] : dflt;
	const struct mg_cmd *c;
	char names[256];
	size_t n = 0;

	if (name && !strcmp(name, "help")) {
		if (level) {
			fprintf(stdout, "Usage:\n");
			for (c = tab; c->name; c++)
				fprintf(stdout, "  maglevctl %s\n      %s\n",
					c->synopsis, c->help);
		} else {
			usage(stdout);
		}
		return EXIT_OK;
	}
	names[0] = '\0';
	for (c = tab; c->name; c++) {
		if (name && !strcmp(c->name, name))
			break;
		if (n < sizeof(names)) {
			int k = snprintf(names + n, sizeof(names) - n, "%s%s",
					 c == tab ? "" : ", ", c->name);

			if (k > 0)
				n += (size_t)k;
		}
	}
	if (!name) {
		mg_seterr("missing %s command (expected %s or help)", level,
			  names);
		return usage_error();
	}
	if (!c->name) {
		if (level)
			mg_seterr("unknown %s command \"%s\" (expected %s or help)",
				  level, name, names);
		else
			mg_seterr("unknown command \"%s\" (try \"maglevctl help\")",
				  name);
		return usage_error();
	}
	if (!c->group && argc > 1 && !strcmp(argv[1], "help")) {
		print_cmd_help(stdout, c);
		return EXIT_OK;
	}
	return c->fn(argc > 0 ? argc - 1 : 0, argc > 0 ? argv + 1 : argv);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "+jpshV", lopts, NULL)) != -1) {
		switch (o) {
		case 'j':
			opts.json = true;
			break;
		case 'p':
			opts.json = opts.pretty = true;
			break;
		case 's':
			opts.stats = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("maglevctl %s (protocol version %d)\n",
			       MAGLEVCTL_VERSION, MAGLEV_GENL_VERSION);
			return EXIT_OK;
		default:
			if (optopt)
				mg_seterr("unknown option \"-%c\" (try \"maglevctl help\")",
					  optopt);
			else
				mg_seterr("unknown option \"%s\" (try \"maglevctl help\")",
					  argv[optind - 1]);
			return usage_error();
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return dispatch(top_cmds, NULL, argc - optind, argv + optind, NULL);
}
