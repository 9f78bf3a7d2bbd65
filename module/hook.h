/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet path: netfilter PREROUTING hooks.
 */
#ifndef _MAGLEV_HOOK_H
#define _MAGLEV_HOOK_H

struct net;

int maglev_hooks_register(struct net *net);
void maglev_hooks_unregister(struct net *net);

#endif /* _MAGLEV_HOOK_H */
