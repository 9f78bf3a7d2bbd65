/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "maglev" generic netlink family.
 */
#ifndef _MAGLEV_NETLINK_H
#define _MAGLEV_NETLINK_H

int maglev_nl_init(void);
void maglev_nl_exit(void);

#endif /* _MAGLEV_NETLINK_H */
