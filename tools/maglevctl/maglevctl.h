/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maglevctl: configure the maglev forwarder over generic netlink.
 *
 * The objects, parsers, netlink code and printers are libmaglev's
 * (tools/lib); cmds.c and save.c implement the commands, main.c
 * dispatches them.
 */
#ifndef MAGLEVCTL_H
#define MAGLEVCTL_H

#include "libmaglev.h"

/* ------------------------------------------------------------------ */
/* Commands (cmds.c, save.c). argv starts after the command word. */

int cmd_service(int argc, char **argv);
int cmd_backend(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_conn(int argc, char **argv);

/* Table-driven dispatch (main.c). */
struct mg_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;	/* after "maglevctl " */
	const char *help;	/* one line */
	bool group;		/* has its own table: it handles "help" */
};

int dispatch(const struct mg_cmd *tab, const char *level, int argc,
	     char **argv, const char *dflt);
void print_cmd_help(FILE *f, const struct mg_cmd *c);
int usage_error(void);		/* prints mg_err, returns EXIT_USAGE */

/* Dumps every service, sorted; the caller frees with services_free. */
int get_services(struct mg_ctl *c, struct mg_service **out, size_t *n);
int get_config(struct mg_ctl *c, struct mg_config *cfg);

#endif
