// SPDX-License-Identifier: GPL-2.0
/*
 * maglev_inject: the benchmark's second packet source. pktgen's
 * netif_receive mode keeps a reference on every skb it injects, so ip_rcv()
 * clones it and each forwarding path then reallocates the header before
 * writing it, a cost NIC traffic does not have (tests/bench/FINDINGS.md).
 * This module hands netif_receive_skb() fresh skbs that nobody else holds.
 *
 * Per network namespace, /proc/net/maglev_inject takes one line
 *	DEV FAMILY SRC DST DPORT SPORT_MIN SPORT_MAX NSRC COUNT [PROTO]
 * and injects COUNT 60-byte (IPv4) or 80-byte (IPv6) UDP frames (PROTO 17,
 * the default) or TCP SYNs (PROTO 6: 54 or 74 bytes) into DEV as
 * received with DEV's MAC as destination: packet i comes from SRC + i % NSRC
 * (last 32 bits), source port SPORT_MIN + i % (SPORT_MAX - SPORT_MIN), like
 * pktgen's sequential ranges. Reading the file gives the last run's packets,
 * nanoseconds, drops and packets per second (of the last write to finish).
 * Concurrent writes inject in parallel, each on its writer's CPU. Building
 * each skb is timed too, as pktgen's fill is. A benchmark tool, not for
 * production.
 */
#include <linux/etherdevice.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/net_namespace.h>

struct inj_req {
	char dev[IFNAMSIZ];
	u32 family;
	struct in6_addr src, dst;	/* IPv4: s6_addr32[3] */
	u32 dport, smin, smax, nsrc, count, proto;
};

static DEFINE_MUTEX(inj_lock);
static u64 inj_packets, inj_ns, inj_drops;

static struct sk_buff *inj_build(struct net_device *dev,
				 const struct inj_req *r, u32 i)
{
	unsigned int l3 = r->family == 4 ? sizeof(struct iphdr)
					 : sizeof(struct ipv6hdr);
	unsigned int len = l3 + (r->proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
				       sizeof(struct udphdr) + 18);
	__be32 src = htonl(ntohl(r->src.s6_addr32[3]) + i % r->nsrc);
	__be16 sport = htons(r->smin + (r->smax > r->smin ?
					i % (r->smax - r->smin) : 0));
	struct sk_buff *skb;
	struct tcphdr *th;
	struct udphdr *uh;
	struct ethhdr *eth;

	skb = netdev_alloc_skb_ip_align(dev, ETH_HLEN + len);
	if (!skb)
		return NULL;
	eth = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	eth_zero_addr(eth->h_source);
	eth->h_source[0] = 0x02;
	eth->h_source[5] = 0x01;
	if (r->family == 4) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		eth->h_proto = htons(ETH_P_IP);
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(len);
		iph->ttl = 64;
		iph->protocol = r->proto;
		iph->saddr = src;
		iph->daddr = r->dst.s6_addr32[3];
		ip_send_check(iph);
	} else {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		eth->h_proto = htons(ETH_P_IPV6);
		ip6h->version = 6;
		ip6h->payload_len = htons(len - l3);
		ip6h->nexthdr = r->proto;
		ip6h->hop_limit = 64;
		ip6h->saddr = r->src;
		ip6h->saddr.s6_addr32[3] = src;
		ip6h->daddr = r->dst;
	}
	if (r->proto == IPPROTO_TCP) {
		/* a SYN; no checksum: forwarding does not verify it */
		th = skb_put_zero(skb, sizeof(*th));
		th->source = sport;
		th->dest = htons(r->dport);
		th->seq = htonl(i);
		th->doff = sizeof(*th) / 4;
		th->syn = 1;
		th->window = htons(64240);
	} else {
		uh = skb_put_zero(skb, sizeof(*uh) + 18);
		uh->source = sport;
		uh->dest = htons(r->dport);
		uh->len = htons(len - l3);
	}
	skb->protocol = eth_type_trans(skb, dev);
	return skb;
}

static int inj_parse_addr(const char *s, u32 family, struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == 4)
		return in4_pton(s, -1, (u8 *)&a->s6_addr32[3], -1, NULL);
	return in6_pton(s, -1, a->s6_addr, -1, NULL);
}

static int inj_write(struct file *file, char *buf, size_t size)
{
	struct net *net = ((struct seq_file *)file->private_data)->private;
	char src[64], dst[64];
	struct net_device *dev;
	struct sk_buff *skb;
	struct inj_req r;
	u64 t0, drops = 0;
	u32 i;

	r.proto = IPPROTO_UDP;
	if (sscanf(buf, "%15s %u %63s %63s %u %u %u %u %u %u", r.dev, &r.family,
		   src, dst, &r.dport, &r.smin, &r.smax, &r.nsrc,
		   &r.count, &r.proto) < 9 || (r.family != 4 && r.family != 6) ||
	    (r.proto != IPPROTO_UDP && r.proto != IPPROTO_TCP) ||
	    !inj_parse_addr(src, r.family, &r.src) ||
	    !inj_parse_addr(dst, r.family, &r.dst) || !r.nsrc ||
	    r.smin > 65535 || r.smax > 65536 || r.dport > 65535)
		return -EINVAL;
	dev = dev_get_by_name(net, r.dev);
	if (!dev)
		return -ENODEV;
	/* Writers inject in parallel (one per CPU, pinned by the caller). */
	t0 = ktime_get_ns();
	for (i = 0; i < r.count; i++) {
		skb = inj_build(dev, &r, i);
		if (!skb) {
			drops++;
			continue;
		}
		local_bh_disable();
		if (netif_receive_skb(skb) == NET_RX_DROP)
			drops++;
		local_bh_enable();
		if (!(i & 1023))
			cond_resched();
	}
	t0 = ktime_get_ns() - t0;
	mutex_lock(&inj_lock);
	inj_ns = t0;
	inj_packets = r.count;
	inj_drops = drops;
	mutex_unlock(&inj_lock);
	dev_put(dev);
	return 0;
}

static int inj_show(struct seq_file *seq, void *v)
{
	mutex_lock(&inj_lock);
	seq_printf(seq, "packets %llu ns %llu drops %llu pps %llu\n",
		   inj_packets, inj_ns, inj_drops,
		   inj_ns ? div64_u64(inj_packets * NSEC_PER_SEC, inj_ns) : 0);
	mutex_unlock(&inj_lock);
	return 0;
}

static int __net_init inj_net_init(struct net *net)
{
	if (!proc_create_net_single_write("maglev_inject", 0600, net->proc_net,
					  inj_show, inj_write, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit inj_net_exit(struct net *net)
{
	remove_proc_entry("maglev_inject", net->proc_net);
}

static struct pernet_operations inj_net_ops = {
	.init = inj_net_init,
	.exit = inj_net_exit,
};

static int __init inj_init(void)
{
	return register_pernet_subsys(&inj_net_ops);
}

static void __exit inj_exit(void)
{
	unregister_pernet_subsys(&inj_net_ops);
}

module_init(inj_init);
module_exit(inj_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("maglev benchmark: inject unshared UDP frames or TCP SYNs");
