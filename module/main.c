// SPDX-License-Identifier: GPL-2.0
/*
 * maglev: a Maglev load-balancer forwarder (Eisenbud et al., NSDI 2016).
 * Module init and exit, and per-namespace setup.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <uapi/linux/maglev.h>

#include "conn.h"
#include "frag_path.h"
#include "hook.h"
#include "netlink.h"
#include "service.h"

unsigned int maglev_net_id __read_mostly;

static int __net_init maglev_pernet_init(struct net *net)
{
	struct maglev_net *mn = maglev_pernet(net);
	int err;

	err = maglev_net_init(mn, net);
	if (err)
		return err;
	err = maglev_frag_net_init(mn);
	if (err)
		goto net_exit;
	err = maglev_hooks_register(net);
	if (err)
		goto frag_exit;
	return 0;

frag_exit:
	maglev_frag_net_exit(mn);
net_exit:
	maglev_net_exit(mn);
	return err;
}

/*
 * Detach the packet path first: nf_unregister_net_hooks() does not wait for
 * packets already inside maglev_hook(). The netns core (and
 * unregister_pernet_subsys() at module unload) waits for a grace period
 * between .pre_exit and .exit, so by maglev_pernet_exit() no CPU can still
 * read this namespace's state or insert a connection entry.
 */
static void __net_exit maglev_pernet_pre_exit(struct net *net)
{
	maglev_hooks_unregister(net);
}

static void __net_exit maglev_pernet_exit(struct net *net)
{
	maglev_frag_net_exit(maglev_pernet(net));
	maglev_net_exit(maglev_pernet(net));
}

static struct pernet_operations maglev_pernet_ops = {
	.init = maglev_pernet_init,
	.pre_exit = maglev_pernet_pre_exit,
	.exit = maglev_pernet_exit,
	.id = &maglev_net_id,
	.size = sizeof(struct maglev_net),
};

static int __init maglev_init(void)
{
	int err;

	if (maglev_max_backends >= MAGLEV_SLOT_EMPTY) {
		pr_err("max_backends must be below %u\n", MAGLEV_SLOT_EMPTY);
		return -EINVAL;
	}
	err = maglev_conn_init();
	if (err)
		return err;
	err = register_pernet_subsys(&maglev_pernet_ops);
	if (err)
		goto conn_exit;
	err = maglev_nl_init();
	if (err)
		goto unregister_pernet;
	return 0;

unregister_pernet:
	unregister_pernet_subsys(&maglev_pernet_ops);
	rcu_barrier();
conn_exit:
	maglev_conn_exit();
	return err;
}

static void __exit maglev_exit(void)
{
	maglev_nl_exit();
	unregister_pernet_subsys(&maglev_pernet_ops);
	/* Configurations, tables and entries are freed by RCU callbacks in
	 * this module: one barrier for all of them.
	 */
	rcu_barrier();
	maglev_conn_exit();
}

module_init(maglev_init);
module_exit(maglev_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Maglev load-balancer forwarder");
MODULE_AUTHOR("The maglev authors");
MODULE_ALIAS_GENL_FAMILY(MAGLEV_GENL_NAME);
