// SPDX-License-Identifier: GPL-2.0
/* hv_netvsc: SR-IOV.  Beside a synthetic NIC the host may expose a PCI
 * virtual function with the same MAC (Azure's accelerated networking).
 * A netdev notifier finds it, by the serial the host announced (the name
 * of the VF's PCI slot) or else by MAC, and enslaves it: its frames arrive
 * on our device through a receive handler, ours leave through it while it
 * is up with carrier, and the host is told to send to it (SWITCH_DATA_PATH)
 * while it is running.  When it goes, everything falls back to the
 * synthetic channel, which stays open all along.
 *
 * Locking: everything here runs under RTNL except the receive handler and
 * the transmit path, which see the VF under RCU, and the host's association,
 * which the primary queue's NAPI records.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

#include "nvsc.h"

/* Our devices, for the notifier to find a VF's owner; under RTNL */
static LIST_HEAD(nvsc_devs);

/* Whether @dev may be a VF: an Ethernet PCI function, not one of ours */
static bool nvsc_vf_candidate(const struct net_device *dev)
{
	return !nvsc_is_ours(dev) && dev->type == ARPHRD_ETHER &&
	       dev->addr_len == ETH_ALEN && !is_vlan_dev(dev) &&
	       !netif_is_bond_master(dev) && dev->dev.parent &&
	       dev_is_pci(dev->dev.parent);
}

/* The device @vf belongs to: the one whose host announced the serial its
 * PCI slot is named after, with the same MAC; else, as the host may not
 * have announced it yet or gave a serial that names no slot, the one with
 * its MAC (a VF cannot have the MAC of another NIC's synthetic device on
 * Hyper-V).  Early in registration @vf has no permanent address yet, so
 * its current one counts too.
 */
static struct nvsc_priv *nvsc_vf_owner(const struct net_device *vf)
{
	struct pci_dev *pdev = to_pci_dev(vf->dev.parent);
	struct nvsc_priv *priv;
	u32 serial;

	ASSERT_RTNL();
	if (pdev->slot && !kstrtou32(pci_slot_name(pdev->slot), 10, &serial))
		list_for_each_entry(priv, &nvsc_devs, node)
			if (READ_ONCE(priv->vf_alloc) &&
			    READ_ONCE(priv->vf_serial) == serial &&
			    ether_addr_equal(vf->perm_addr,
					     priv->ndev->perm_addr))
				return priv;
	list_for_each_entry(priv, &nvsc_devs, node)
		if (ether_addr_equal(vf->perm_addr, priv->ndev->perm_addr) ||
		    ether_addr_equal(vf->dev_addr, priv->ndev->perm_addr))
			return priv;
	return NULL;
}

/* The device that has enslaved @vf, if any */
static struct nvsc_priv *nvsc_vf_master(const struct net_device *vf)
{
	struct nvsc_priv *priv;

	ASSERT_RTNL();
	list_for_each_entry(priv, &nvsc_devs, node)
		if (rtnl_dereference(priv->vf) == vf)
			return priv;
	return NULL;
}

/* The VF's receive handler: its frames are ours */
static rx_handler_result_t nvsc_vf_rx(struct sk_buff **pskb)
{
	struct sk_buff *skb = skb_share_check(*pskb, GFP_ATOMIC);
	struct net_device *ndev;
	struct nvsc_vf_stats *st;

	if (!skb)
		return RX_HANDLER_CONSUMED;
	*pskb = skb;
	ndev = rcu_dereference(skb->dev->rx_handler_data);
	skb->dev = ndev;
	st = this_cpu_ptr(((struct nvsc_priv *)netdev_priv(ndev))->vf_stats);
	u64_stats_update_begin(&st->syncp);
	st->rx_packets++;
	st->rx_bytes += skb->len;
	u64_stats_update_end(&st->syncp);
	return RX_HANDLER_ANOTHER;
}

/**
 * nvsc_vf_xmit() - send a frame through the VF
 * @priv: our device
 * @vf: its VF
 * @skb: the frame
 *
 * Context: our ndo_start_xmit, under rcu_read_lock_bh().
 * Return: NETDEV_TX_OK; a frame the VF refused is counted as dropped.
 */
netdev_tx_t nvsc_vf_xmit(struct nvsc_priv *priv, struct net_device *vf,
			 struct sk_buff *skb)
{
	struct nvsc_vf_stats *st = this_cpu_ptr(priv->vf_stats);
	unsigned int len = skb->len;
	int ret;

	skb->dev = vf;
	ret = dev_queue_xmit(skb);
	u64_stats_update_begin(&st->syncp);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN)) {
		st->tx_packets++;
		st->tx_bytes += len;
	} else {
		st->tx_dropped++;
	}
	u64_stats_update_end(&st->syncp);
	return NETDEV_TX_OK;
}

/* Ask the host to send to the VF or not.  A host that does not complete
 * the request is taken to have switched (it got the request); one that
 * could not be sent leaves the path as it was.  RTNL held.
 */
static void nvsc_vf_path(struct nvsc_priv *priv, bool vf)
{
	int ret;

	if (!vf)
		WRITE_ONCE(priv->vf_tx, false);
	if (vf == priv->vf_path || !priv->chan)
		return;
	ret = nvsc_chan_switch_path(priv->chan, vf);
	if (ret && ret != -ETIMEDOUT) {
		netdev_err(priv->ndev, "cannot switch the data path to the %s: %d\n",
			   vf ? "VF" : "synthetic NIC", ret);
		return;
	}
	priv->vf_path = vf;
	netdev_info(priv->ndev, "data path: %s\n", vf ? "VF" : "synthetic");
}

/* Where frames go: the host is asked to send to the VF while it runs with
 * carrier and the host has announced it (a VF that has no link yet would
 * lose what the host sends it: an offered VF takes a second or two); ours
 * go out through it from the same moment, checked again by xmit, which
 * reads the carrier itself.  RTNL held.
 */
static void nvsc_vf_update(struct nvsc_priv *priv)
{
	struct net_device *vf = rtnl_dereference(priv->vf);
	bool want = vf && netif_running(vf) && netif_carrier_ok(vf) &&
		    priv->chan;

	if (want && !READ_ONCE(priv->vf_alloc)) {
		/* The association comes later and calls us again */
		atomic64_inc(&priv->vf_no_assoc);
		if (net_ratelimit())
			netdev_info(priv->ndev, "VF %s is up before the host announced it: synthetic path until it does\n",
				    vf->name);
		want = false;
	}
	nvsc_vf_path(priv, want);
	WRITE_ONCE(priv->vf_tx, priv->vf_path && vf && netif_running(vf));
}

/* The offloads a user switches on us, and the VF's that follow: the VF
 * may checksum with other bits than ours (HW_CSUM for IP_CSUM and
 * IPV6_CSUM).  Ours that the user cannot change are not here.
 */
static const struct {
	netdev_features_t ours;
	netdev_features_t vf;
} nvsc_vf_feature_map[] = {
	{ NETIF_F_SG, NETIF_F_SG },
	{ NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM, NETIF_F_CSUM_MASK },
	{ NETIF_F_TSO, NETIF_F_TSO },
	{ NETIF_F_TSO6, NETIF_F_TSO6 },
	{ NETIF_F_RXCSUM, NETIF_F_RXCSUM },
	{ NETIF_F_RXHASH, NETIF_F_RXHASH },
	{ NETIF_F_GRO, NETIF_F_GRO },
};

/* Switch the VF's offloads of @which (ours) as @features has ours.  The
 * VF's others, and what its user set there, stay.  RTNL held.
 */
static void nvsc_vf_take_features(struct net_device *vf,
				  netdev_features_t features,
				  netdev_features_t which)
{
	netdev_features_t want = vf->wanted_features;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(nvsc_vf_feature_map); i++) {
		netdev_features_t ours = nvsc_vf_feature_map[i].ours;
		netdev_features_t bits = nvsc_vf_feature_map[i].vf &
					 vf->hw_features;

		if (!(which & ours))
			continue;
		/* One way of checksumming: HW_CSUM where the VF has it */
		if (bits & NETIF_F_HW_CSUM)
			bits = NETIF_F_HW_CSUM;
		if (features & ours)
			want |= bits;
		else
			want &= ~bits;
	}
	if (want == vf->wanted_features)
		return;
	vf->wanted_features = want;
	netdev_update_features(vf);
}

/* Give the VF our MTU, offloads, receive flags and address lists, and
 * open it if we are up.  RTNL held.
 */
static void nvsc_vf_setup(struct nvsc_priv *priv, struct net_device *vf)
{
	struct net_device *ndev = priv->ndev;
	int ret;

	if (vf->mtu != ndev->mtu) {
		ret = dev_set_mtu(vf, ndev->mtu);
		if (ret)
			netdev_warn(ndev, "VF %s refuses MTU %u: %d\n",
				    vf->name, ndev->mtu, ret);
	}
	nvsc_vf_take_features(vf, ndev->features, ~(netdev_features_t)0);
	if (ndev->flags & IFF_PROMISC)
		dev_set_promiscuity(vf, 1);
	if (ndev->flags & IFF_ALLMULTI)
		dev_set_allmulti(vf, 1);
	netif_addr_lock_bh(ndev);
	dev_uc_sync(vf, ndev);
	dev_mc_sync(vf, ndev);
	netif_addr_unlock_bh(ndev);
	if (netif_running(ndev)) {
		ret = dev_open(vf, NULL);
		if (ret)
			netdev_warn(ndev, "cannot open VF %s: %d\n", vf->name,
				    ret);
	}
}

/* Setup of a VF just enslaved, a VF to bring into our namespace, and the
 * data path after an association or a new channel: RTNL is needed, and
 * the notifier and the NAPI that ask for this do not hold it or cannot
 * call into the VF from where they are.
 */
void nvsc_vf_work(struct work_struct *w)
{
	struct nvsc_priv *priv = container_of(to_delayed_work(w),
					      struct nvsc_priv, vf_work);
	struct net_device *ndev = priv->ndev;
	struct net_device *vf;
	int ret;

	/* Removal cancels this work under RTNL: wait without holding up */
	if (!rtnl_trylock()) {
		schedule_delayed_work(&priv->vf_work, HZ / 50);
		return;
	}
	vf = rtnl_dereference(priv->vf);
	if (vf && !net_eq(dev_net(vf), dev_net(ndev))) {
		/* We moved: the VF follows, and is enslaved again there */
		ret = dev_change_net_namespace(vf, dev_net(ndev), "eth%d");
		if (ret)
			netdev_err(ndev, "cannot bring VF %s into our namespace: %d\n",
				   vf->name, ret);
	} else if (vf && priv->vf_fresh) {
		priv->vf_fresh = false;
		nvsc_vf_setup(priv, vf);
	}
	nvsc_vf_update(priv);
	rtnl_unlock();
}

/* Enslave @vf.  RTNL held. */
static int nvsc_vf_join(struct nvsc_priv *priv, struct net_device *vf)
{
	struct net_device *ndev = priv->ndev;
	int ret;

	ret = netdev_rx_handler_register(vf, nvsc_vf_rx, ndev);
	if (ret) {
		netdev_err(ndev, "VF %s has a receive handler already: %d\n",
			   vf->name, ret);
		return ret;
	}
	ret = netdev_master_upper_dev_link(vf, ndev, NULL, NULL, NULL);
	if (ret) {
		netdev_err(ndev, "cannot be the master of VF %s: %d\n",
			   vf->name, ret);
		netdev_rx_handler_unregister(vf);
		return ret;
	}
	/* No addresses of its own (also set before it registered) */
	vf->flags |= IFF_SLAVE;
	dev_hold(vf);
	rcu_assign_pointer(priv->vf, vf);
	if (ndev->needed_headroom < vf->needed_headroom)
		ndev->needed_headroom = vf->needed_headroom;
	/* Our sends may go through it: no larger than it takes */
	netif_set_tso_max_size(ndev, min(priv->tso_max, vf->tso_max_size));
	netif_set_tso_max_segs(ndev, min_t(u32, GSO_MAX_SEGS,
					   vf->tso_max_segs));
	/* Opening it from its own registration would recurse: later */
	priv->vf_fresh = true;
	schedule_delayed_work(&priv->vf_work, 0);
	netdev_info(ndev, "VF %s enslaved\n", vf->name);
	return 0;
}

/* Let @vf go, the data path back on the synthetic NIC first.  RTNL held. */
static void nvsc_vf_leave(struct nvsc_priv *priv, struct net_device *vf)
{
	struct net_device *ndev = priv->ndev;

	WRITE_ONCE(priv->vf_tx, false);
	RCU_INIT_POINTER(priv->vf, NULL);
	nvsc_vf_update(priv);
	/* Waits for the receive handler and for senders under RCU */
	netdev_rx_handler_unregister(vf);
	netdev_upper_dev_unlink(vf, ndev);
	dev_uc_unsync(vf, ndev);
	dev_mc_unsync(vf, ndev);
	if (!priv->vf_fresh) {
		if (ndev->flags & IFF_PROMISC)
			dev_set_promiscuity(vf, -1);
		if (ndev->flags & IFF_ALLMULTI)
			dev_set_allmulti(vf, -1);
	}
	priv->vf_fresh = false;
	ndev->needed_headroom = priv->headroom;
	netif_set_tso_max_size(ndev, priv->tso_max);
	netif_set_tso_max_segs(ndev, GSO_MAX_SEGS);
	dev_put(vf);
	netdev_info(ndev, "VF %s released\n", vf->name);
}

/* A possible VF registered (or came into a namespace) */
static void nvsc_vf_registered(struct net_device *vf)
{
	struct nvsc_priv *priv = nvsc_vf_owner(vf);
	int ret;

	if (!priv || rtnl_dereference(priv->vf))
		return;
	if (!net_eq(dev_net(vf), dev_net(priv->ndev))) {
		/* It is enslaved when it registers again over there */
		ret = dev_change_net_namespace(vf, dev_net(priv->ndev),
					       "eth%d");
		if (ret)
			netdev_err(priv->ndev, "cannot bring VF %s into our namespace: %d\n",
				   vf->name, ret);
		return;
	}
	nvsc_vf_join(priv, vf);
}

static int nvsc_vf_event(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct nvsc_priv *priv;

	if (nvsc_is_ours(dev)) {
		/* We came into another namespace: our VF follows */
		if (event == NETDEV_REGISTER) {
			priv = netdev_priv(dev);
			schedule_delayed_work(&priv->vf_work, 0);
		}
		return NOTIFY_DONE;
	}
	if (!nvsc_vf_candidate(dev))
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_POST_INIT:
		/* Before it can open: no IPv6 address of its own */
		if (nvsc_vf_owner(dev))
			dev->flags |= IFF_SLAVE;
		break;
	case NETDEV_REGISTER:
		nvsc_vf_registered(dev);
		break;
	case NETDEV_UNREGISTER:
		priv = nvsc_vf_master(dev);
		if (priv)
			nvsc_vf_leave(priv, dev);
		break;
	case NETDEV_GOING_DOWN:
		/* Still running: the host leaves it before it stops */
		priv = nvsc_vf_master(dev);
		if (priv)
			nvsc_vf_path(priv, false);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		priv = nvsc_vf_master(dev);
		if (priv)
			nvsc_vf_update(priv);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block nvsc_vf_notifier = {
	.notifier_call = nvsc_vf_event,
};

/**
 * nvsc_vf_assoc() - the host announced or withdrew a VF
 * @ctx: our device
 * @allocated: whether the VF is there
 * @serial: the name of its PCI slot
 *
 * Context: the primary queue's NAPI.  Acting on it needs RTNL: the work.
 * A withdrawn VF is left at once, before the host takes it away.
 */
void nvsc_vf_assoc(void *ctx, bool allocated, u32 serial)
{
	struct nvsc_priv *priv = ctx;

	WRITE_ONCE(priv->vf_serial, serial);
	WRITE_ONCE(priv->vf_alloc, allocated);
	dev_info_ratelimited(&priv->hdev->device, "the host %s VF %u\n",
			     allocated ? "offers" : "withdraws", serial);
	schedule_delayed_work(&priv->vf_work, 0);
}

/**
 * nvsc_vf_open() - we came up: so does the VF
 * @priv: our device
 *
 * Context: ndo_open, RTNL held.
 */
void nvsc_vf_open(struct nvsc_priv *priv)
{
	struct net_device *vf = rtnl_dereference(priv->vf);
	int ret;

	if (!vf || priv->vf_fresh)
		return;
	ret = dev_open(vf, NULL);
	if (ret)
		netdev_warn(priv->ndev, "cannot open VF %s: %d\n", vf->name,
			    ret);
	nvsc_vf_update(priv);
}

/**
 * nvsc_vf_close() - we go down: so does the VF
 * @priv: our device
 *
 * Context: ndo_stop, RTNL held.
 */
void nvsc_vf_close(struct nvsc_priv *priv)
{
	struct net_device *vf = rtnl_dereference(priv->vf);

	if (vf)
		dev_close(vf);
}

/**
 * nvsc_vf_rx_flags() - promiscuous or all-multicast changed: the VF too
 * @priv: our device
 * @change: the IFF_PROMISC and IFF_ALLMULTI bits that changed
 *
 * Context: ndo_change_rx_flags, RTNL held.
 */
void nvsc_vf_rx_flags(struct nvsc_priv *priv, int change)
{
	struct net_device *vf = rtnl_dereference(priv->vf);
	struct net_device *ndev = priv->ndev;

	if (!vf || priv->vf_fresh)
		return;
	if (change & IFF_PROMISC)
		dev_set_promiscuity(vf, ndev->flags & IFF_PROMISC ? 1 : -1);
	if (change & IFF_ALLMULTI)
		dev_set_allmulti(vf, ndev->flags & IFF_ALLMULTI ? 1 : -1);
}

/**
 * nvsc_vf_rx_mode() - our address lists changed: the VF's follow
 * @priv: our device
 *
 * Context: ndo_set_rx_mode, our address lock held.
 */
void nvsc_vf_rx_mode(struct nvsc_priv *priv)
{
	struct net_device *vf;

	rcu_read_lock();
	vf = rcu_dereference(priv->vf);
	if (vf) {
		dev_uc_sync(vf, priv->ndev);
		dev_mc_sync(vf, priv->ndev);
	}
	rcu_read_unlock();
}

/**
 * nvsc_vf_features() - the user switched our offloads: the VF's follow
 * @priv: our device
 * @features: our features from now on
 *
 * Context: ndo_set_features, once ours took them; RTNL held.
 */
void nvsc_vf_features(struct nvsc_priv *priv, netdev_features_t features)
{
	struct net_device *vf = rtnl_dereference(priv->vf);

	if (vf && !priv->vf_fresh)
		nvsc_vf_take_features(vf, features,
				      features ^ priv->ndev->features);
}

/**
 * nvsc_vf_mtu() - give the VF a new MTU, before we take it
 * @priv: our device
 * @mtu: the MTU
 *
 * Context: ndo_change_mtu, RTNL held.
 * Return: 0, or what the VF said; nothing changed then.
 */
int nvsc_vf_mtu(struct nvsc_priv *priv, int mtu)
{
	struct net_device *vf = rtnl_dereference(priv->vf);

	return vf ? dev_set_mtu(vf, mtu) : 0;
}

/**
 * nvsc_vf_get_stats() - the VF path's counters, summed over the CPUs
 * @priv: our device
 * @tot: filled in
 */
void nvsc_vf_get_stats(struct nvsc_priv *priv, struct nvsc_vf_stats *tot)
{
	int cpu;

	memset(tot, 0, sizeof(*tot));
	for_each_possible_cpu(cpu) {
		const struct nvsc_vf_stats *st = per_cpu_ptr(priv->vf_stats,
							     cpu);
		u64 rp, rb, tp, tb, td;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			rp = st->rx_packets;
			rb = st->rx_bytes;
			tp = st->tx_packets;
			tb = st->tx_bytes;
			td = st->tx_dropped;
		} while (u64_stats_fetch_retry(&st->syncp, start));
		tot->rx_packets += rp;
		tot->rx_bytes += rb;
		tot->tx_packets += tp;
		tot->tx_bytes += tb;
		tot->tx_dropped += td;
	}
}

/**
 * nvsc_vf_probe() - a new device of ours: look for its VF
 * @priv: the device, registered
 *
 * A VF whose driver came first is enslaved now.
 *
 * Context: probe; takes RTNL.
 */
void nvsc_vf_probe(struct nvsc_priv *priv)
{
	struct net_device *dev, *found = NULL;
	struct net *net;

	rtnl_lock();
	list_add(&priv->node, &nvsc_devs);
	/* The namespaces are walked under RCU, the VF enslaved outside */
	rcu_read_lock();
	for_each_net_rcu(net) {
		for_each_netdev_rcu(net, dev) {
			if (nvsc_vf_candidate(dev) &&
			    nvsc_vf_owner(dev) == priv) {
				found = dev;
				dev_hold(found);
				goto found;
			}
		}
	}
found:
	rcu_read_unlock();
	if (found) {
		if (found->reg_state == NETREG_REGISTERED)
			nvsc_vf_registered(found);
		dev_put(found);
	}
	rtnl_unlock();
}

/**
 * nvsc_vf_remove() - our device goes: let its VF go first
 * @priv: the device, still registered
 *
 * Context: remove; takes RTNL.
 */
void nvsc_vf_remove(struct nvsc_priv *priv)
{
	struct net_device *vf;

	rtnl_lock();
	vf = rtnl_dereference(priv->vf);
	if (vf)
		nvsc_vf_leave(priv, vf);
	list_del(&priv->node);
	rtnl_unlock();
	cancel_delayed_work_sync(&priv->vf_work);
}

/**
 * nvsc_vf_init() - watch for VFs (module load)
 *
 * Return: 0 or -errno.
 */
int nvsc_vf_init(void)
{
	return register_netdevice_notifier(&nvsc_vf_notifier);
}

/**
 * nvsc_vf_exit() - stop watching (module unload, no device left)
 */
void nvsc_vf_exit(void)
{
	unregister_netdevice_notifier(&nvsc_vf_notifier);
}
