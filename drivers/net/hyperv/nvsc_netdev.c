// SPDX-License-Identifier: GPL-2.0
/*
 * hv_netvsc network device: attach to and detach from the channel, the
 * net_device operations, link state and receive filters.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "nvsc.h"

static void nvsc_status(void *ctx, u32 status, const void *buf, u32 len);

const struct nvsc_chan_ops nvsc_chan_ops = {
	.kick = nvsc_kick,
	.rx = nvsc_rx,
	.tx_done = nvsc_tx_done,
	.status = nvsc_status,
	.send_table = nvsc_send_table,
	.vf_assoc = nvsc_vf_assoc,
};

/* The offloads to ask the host for, given the device features */
static void nvsc_offload_params(struct nvsc_priv *priv,
				struct ndis_offload_params *p)
{
	const struct ndis_offload_caps *c = &priv->chan->host.caps;
	u8 csum = priv->rx_csum ? NDIS_OFFLOAD_CSUM_TXRX :
		  NDIS_OFFLOAD_CSUM_TX;
	u32 tx4 = le32_to_cpu(c->ip4_tx_csum);
	u32 tx6 = le32_to_cpu(c->ip6_tx_csum);

	memset(p, 0, sizeof(*p));
	/* The IPv4 header checksum is always computed by the stack */
	p->ip4_csum = NDIS_OFFLOAD_CSUM_OFF;
	if ((tx4 & (NDIS_CSUM_TCP4 | NDIS_CSUM_TCP4_OPTS)) ==
	    (NDIS_CSUM_TCP4 | NDIS_CSUM_TCP4_OPTS)) {
		p->tcp4_csum = csum;
		if ((le32_to_cpu(c->lso4_encap) & NDIS_ENCAP_8023) &&
		    le32_to_cpu(c->lso4_max_size) >= NVSC_LSO_MIN_SIZE)
			p->lso4 = NDIS_OFFLOAD_LSO_ON;
		if (tx4 & NDIS_CSUM_UDP4)
			p->udp4_csum = csum;
	}
	if ((tx6 & (NDIS_CSUM_TCP6 | NDIS_CSUM_TCP6_OPTS | NDIS_CSUM_IP6_EXT)) ==
	    (NDIS_CSUM_TCP6 | NDIS_CSUM_TCP6_OPTS | NDIS_CSUM_IP6_EXT)) {
		p->tcp6_csum = csum;
		if ((le32_to_cpu(c->lso6_encap) & NDIS_ENCAP_8023) &&
		    le32_to_cpu(c->lso6_max_size) >= NVSC_LSO_MIN_SIZE &&
		    (le32_to_cpu(c->lso6_opts) &
		     (NDIS_LSO6_EXT_HDRS | NDIS_LSO6_TCP_OPTS)) ==
		    (NDIS_LSO6_EXT_HDRS | NDIS_LSO6_TCP_OPTS))
			p->lso6 = NDIS_OFFLOAD_LSO_ON;
		if (tx6 & NDIS_CSUM_UDP6)
			p->udp6_csum = csum;
	}
}

/**
 * nvsc_set_hw_features() - offer the offloads the host can do
 * @priv: the device, attached
 */
void nvsc_set_hw_features(struct nvsc_priv *priv)
{
	const struct ndis_offload_caps *c = &priv->chan->host.caps;
	struct net_device *ndev = priv->ndev;
	u32 tso_max = GSO_LEGACY_MAX_SIZE;
	struct ndis_offload_params p;
	netdev_features_t hw;

	nvsc_offload_params(priv, &p);
	hw = NETIF_F_SG | NETIF_F_RXCSUM | NETIF_F_RXHASH;
	if (p.tcp4_csum)
		hw |= NETIF_F_IP_CSUM;
	if (p.lso4) {
		hw |= NETIF_F_TSO;
		tso_max = min(tso_max, le32_to_cpu(c->lso4_max_size));
	}
	if (p.tcp6_csum)
		hw |= NETIF_F_IPV6_CSUM;
	if (p.lso6) {
		hw |= NETIF_F_TSO6;
		tso_max = min(tso_max, le32_to_cpu(c->lso6_max_size));
	}
	priv->udp4_csum = p.udp4_csum;
	priv->udp6_csum = p.udp6_csum;

	priv->tso_max = tso_max;
	ndev->hw_features = hw;
	ndev->features = hw | NETIF_F_HIGHDMA | NETIF_F_HW_VLAN_CTAG_TX |
			 NETIF_F_HW_VLAN_CTAG_RX;
	ndev->vlan_features = hw & ~NETIF_F_RXHASH;
	netif_set_tso_max_size(ndev, tso_max);
}

static int nvsc_apply_offloads(struct nvsc_priv *priv)
{
	struct ndis_offload_params p;

	nvsc_offload_params(priv, &p);
	return nvsc_rndis_set_offloads(priv->chan, &p);
}

/**
 * nvsc_hash_info() - the NDIS hash types for a set of rx-flow-hash levels
 * @priv: the device
 * @l4_hash: NVSC_L4_* flow types hashed on their ports
 *
 * UDP ports are asked for only where the host says it can hash them.
 *
 * Return: NDIS_HASH_* bits.
 */
u32 nvsc_hash_info(struct nvsc_priv *priv, u32 l4_hash)
{
	u32 caps = priv->chan ? priv->chan->host.rss_caps : 0;
	u32 h = NDIS_HASH_TOEPLITZ | NDIS_HASH_IPV4 | NDIS_HASH_IPV6;

	if (l4_hash & NVSC_L4_TCP4)
		h |= NDIS_HASH_TCP_IPV4;
	if (l4_hash & NVSC_L4_TCP6)
		h |= NDIS_HASH_TCP_IPV6;
	if ((l4_hash & NVSC_L4_UDP4) && (caps & NDIS_RSS_CAP_UDP4))
		h |= NDIS_HASH_UDP_IPV4;
	if ((l4_hash & NVSC_L4_UDP6) && (caps & NDIS_RSS_CAP_UDP6))
		h |= NDIS_HASH_UDP_IPV6;
	return h;
}

/**
 * nvsc_rss_apply() - give the host new RSS parameters
 * @priv: the device, attached with at least two queues
 * @rss: the parameters; kept in @priv only if the host takes them
 *
 * Context: process, RTNL held.
 * Return: 0, or -errno with the old parameters still in force.
 */
int nvsc_rss_apply(struct nvsc_priv *priv, const struct nvsc_rss *rss)
{
	int ret;

	if (!priv->chan || priv->num_queues < 2)
		return -EOPNOTSUPP;
	ret = nvsc_rndis_set_rss(priv->chan, rss);
	if (ret)
		return ret;
	if (rss != &priv->rss)
		priv->rss = *rss;
	return 0;
}

/* After an attach: fit the RSS table to the host and the queues, and give
 * the host the key, table and hash types the user chose.  With one queue
 * there is no RSS, and the user's table is kept for later as it is.
 */
static int nvsc_rss_restore(struct nvsc_priv *priv)
{
	struct nvsc_rss *rss = &priv->rss;
	u32 n = priv->num_queues, size = priv->chan->host.rss_table_size, i;
	bool fits = rss->table_size == size;

	rss->hash_info = nvsc_hash_info(priv, priv->l4_hash);
	if (n < 2)
		return 0;
	for (i = 0; fits && i < size; i++)
		fits = rss->table[i] < n;
	if (!fits && netif_is_rxfh_configured(priv->ndev))
		netdev_info(priv->ndev, "RSS table does not fit %u queues: default spread\n",
			    n);
	if (!fits || !netif_is_rxfh_configured(priv->ndev)) {
		rss->table_size = size;
		for (i = 0; i < size; i++)
			rss->table[i] = ethtool_rxfh_indir_default(i, n);
	}
	return nvsc_rss_apply(priv, rss);
}

/* The receive section size to expect at @mtu: the one the host gave at
 * that MTU before, else the current one (Hyper-V's does not change)
 */
static u32 nvsc_rsec_guess(const struct nvsc_priv *priv, u32 mtu)
{
	u32 i;

	for (i = 0; i < NVSC_RSEC_SEEN; i++)
		if (priv->rsec_seen[i].size && priv->rsec_seen[i].mtu == mtu)
			return priv->rsec_seen[i].size;
	return priv->rsec_size ? priv->rsec_size : NVSC_RECV_SECTION_DEFAULT;
}

/* Remember the section size the host gave at @mtu */
static void nvsc_rsec_learn(struct nvsc_priv *priv, u32 mtu, u32 size)
{
	u32 i;

	priv->rsec_size = size;
	for (i = 0; i < NVSC_RSEC_SEEN; i++) {
		if (priv->rsec_seen[i].mtu == mtu && priv->rsec_seen[i].size) {
			priv->rsec_seen[i].size = size;
			return;
		}
	}
	priv->rsec_seen[priv->rsec_next].mtu = mtu;
	priv->rsec_seen[priv->rsec_next].size = size;
	priv->rsec_next = (priv->rsec_next + 1) % NVSC_RSEC_SEEN;
}

/* A new channel for @mtu with the settings in @priv, buffers allocated */
static struct nvsc_chan *nvsc_chan_new(struct nvsc_priv *priv, u32 mtu)
{
	struct nvsc_chan *ch;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return NULL;
	ch->hdev = priv->hdev;
	ch->vmch = priv->hdev->channel;
	ch->ops = &nvsc_chan_ops;
	ch->ctx = priv;
	ch->err = &priv->host_err;
	ch->ring_bytes = priv->ring_bytes;
	ch->want_queues = clamp_t(u32, priv->want_queues, 1, NVSC_MAX_QUEUES);
	if (priv->rx_sections) {
		/* The host chooses the section size */
		ch->want_rsec_size = nvsc_rsec_guess(priv, mtu);
		ch->want_rbuf = min_t(u64, PAGE_ALIGN((u64)priv->rx_sections *
						      ch->want_rsec_size),
				      NVSC_RECV_BUF_MAX);
	}
	if (priv->tx_sections)
		ch->want_sbuf = PAGE_ALIGN(priv->tx_sections *
					   NVSC_SEND_SECTION_DEFAULT);
	if (nvsc_chan_prealloc(ch)) {
		kfree(ch);
		return NULL;
	}
	return ch;
}

/* Bring the host's NIC up on @ch, which becomes the device's channel */
static int nvsc_attach_chan(struct nvsc_priv *priv, struct nvsc_chan *ch,
			    u32 mtu)
{
	u32 want = ch->want_queues, i, n;
	int ret;

	/* Replies come through NAPI: it must run before the channel opens,
	 * and a subchannel's before the host offers it
	 */
	priv->chan = ch;
	WRITE_ONCE(priv->num_queues, 1);
	for (i = 0; i < want; i++)
		napi_enable(&priv->pq[i].napi);
	ret = nvsc_chan_open(ch, mtu);
	if (ret)
		goto quiesce_channel;

	ret = nvsc_apply_offloads(priv);
	if (ret) {
		netdev_err(priv->ndev, "host refused the offload parameters: %d\n",
			   ret);
		goto quiesce_channel;
	}

	nvsc_rndis_rss_caps(ch);
	n = nvsc_chan_open_queues(ch);
	/* Nothing arrives on a queue the host did not grant; one that a
	 * gap left open closes once its NAPI is off
	 */
	for (i = n; i < want; i++)
		napi_disable(&priv->pq[i].napi);
	nvsc_chan_close_queues(ch, n);
	want = n;
	WRITE_ONCE(priv->num_queues, n);
	ret = netif_set_real_num_tx_queues(priv->ndev, n);
	if (!ret)
		ret = netif_set_real_num_rx_queues(priv->ndev, n);
	if (ret)
		goto quiesce_channel;
	ret = nvsc_rss_restore(priv);
	if (ret) {
		netdev_err(priv->ndev, "host refused the RSS parameters: %d\n",
			   ret);
		goto quiesce_channel;
	}
	nvsc_rsec_learn(priv, mtu, ch->rsec_size);
	if (ch->host.link_up)
		set_bit(NVSC_LINK_HOST_UP, &priv->link_flags);
	else
		clear_bit(NVSC_LINK_HOST_UP, &priv->link_flags);
	WRITE_ONCE(priv->speed, ch->host.link_speed ? ch->host.link_speed :
		   SPEED_UNKNOWN);
	/* Up: from now on each request has a timeout of its own */
	ch->open_deadline = 0;
	/* Back on a VF's data path, once the host has announced it again */
	if (rcu_access_pointer(priv->vf))
		schedule_delayed_work(&priv->vf_work, 0);
	return 0;

quiesce_channel:
	/* Also when nvsc_chan_open() failed: NAPI may still be polling the
	 * channel, so it stops before the channel closes and its rings and
	 * buffers are freed
	 */
	nvsc_chan_quiesce(ch);
	for (i = 0; i < want; i++)
		napi_disable(&priv->pq[i].napi);
	nvsc_chan_close(ch);
	priv->chan = NULL;
	WRITE_ONCE(priv->num_queues, 0);
	kfree(ch);
	return ret;
}

/**
 * nvsc_detach() - stop the host's NIC and close the channel
 * @priv: the device, attached, its transmit queue stopped
 *
 * Context: process, RTNL held (or remove).
 */
void nvsc_detach(struct nvsc_priv *priv)
{
	struct nvsc_chan *ch = priv->chan;
	u32 i;

	if (!ch)
		return;
	nvsc_agg_drop(priv);
	nvsc_chan_quiesce(ch);
	for (i = 0; i < priv->num_queues; i++)
		napi_disable(&priv->pq[i].napi);
	nvsc_chan_close(ch);
	priv->chan = NULL;
	WRITE_ONCE(priv->num_queues, 0);
	kfree(ch);
	/* The host forgets the session: a new one announces the VF again
	 * and starts on the synthetic path.  Frames keep going out through
	 * the VF meanwhile (vf_tx), which no channel change concerns.
	 */
	WRITE_ONCE(priv->vf_alloc, false);
	priv->vf_path = false;
}

/* Stop transmitting for good, until nvsc_tx_on(): the device goes down,
 * or its channel is about to be closed.  RTNL held.
 */
static void nvsc_tx_off(struct nvsc_priv *priv)
{
	WRITE_ONCE(priv->tx_off, true);
	/* Takes each queue's lock after tx_off is set.  nvsc_tx_done()
	 * wakes a queue only under that lock and with tx_off clear: a wake
	 * either comes before the queue is stopped here, or sees tx_off.
	 */
	netif_tx_disable(priv->ndev);
	/* The queues are stopped on purpose now: the timer would take them
	 * for stuck and poll queue 0, also while a new channel is opening,
	 * its NAPI enabled and its ring not there yet
	 */
	del_timer_sync(&priv->tx_timer);
}

/* Transmit again: the channel is ready and the device up.  RTNL held. */
static void nvsc_tx_on(struct nvsc_priv *priv)
{
	WRITE_ONCE(priv->tx_off, false);
	netif_tx_wake_all_queues(priv->ndev);
	mod_timer(&priv->tx_timer, jiffies + HZ);
}

/* The receive filter the device flags ask for */
static u32 nvsc_rx_filter(struct net_device *ndev)
{
	u32 filter;

	if (ndev->flags & IFF_PROMISC)
		return RNDIS_FILTER_PROMISC;
	filter = RNDIS_FILTER_DIRECTED | RNDIS_FILTER_BROADCAST;
	if ((ndev->flags & IFF_ALLMULTI) || !netdev_mc_empty(ndev))
		filter |= RNDIS_FILTER_ALLMULTI;
	return filter;
}

static void nvsc_rx_mode_work(struct work_struct *w)
{
	struct nvsc_priv *priv = container_of(w, struct nvsc_priv,
					      rx_mode_work);
	struct net_device *ndev = priv->ndev;

	/* Nothing waits for this work with RTNL held (only probe's error
	 * path and remove cancel it, both without RTNL), so wait for RTNL:
	 * retrying a trylock kept a kworker busy for as long as another
	 * task held it, a whole channel change
	 */
	rtnl_lock();
	if (netif_running(ndev) && priv->chan)
		nvsc_rndis_set_filter(priv->chan, nvsc_rx_filter(ndev));
	rtnl_unlock();
}

static void nvsc_set_rx_mode(struct net_device *ndev)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	nvsc_vf_rx_mode(priv);
	schedule_work(&priv->rx_mode_work);
}

static void nvsc_change_rx_flags(struct net_device *ndev, int change)
{
	nvsc_vf_rx_flags(netdev_priv(ndev), change);
}

/* Carrier follows the host; a network change bounces it */
static void nvsc_link_work(struct work_struct *w)
{
	struct nvsc_priv *priv = container_of(to_delayed_work(w),
					      struct nvsc_priv, link_work);
	struct net_device *ndev = priv->ndev;
	bool up;

	/* As in nvsc_rx_mode_work(): no one waits for this under RTNL */
	rtnl_lock();
	if (!netif_running(ndev))
		goto unlock;

	if (test_and_clear_bit(NVSC_LINK_BOUNCE, &priv->link_flags)) {
		if (netif_carrier_ok(ndev)) {
			netif_carrier_off(ndev);
			set_bit(NVSC_LINK_RESTORE, &priv->link_flags);
		}
		schedule_delayed_work(&priv->link_work, HZ / 5);
		goto unlock;
	}

	up = test_bit(NVSC_LINK_HOST_UP, &priv->link_flags);
	if (up && !netif_carrier_ok(ndev)) {
		netif_carrier_on(ndev);
		/* Not while a failed reconfiguration left no channel */
		if (!priv->tx_off)
			netif_tx_wake_all_queues(ndev);
		if (test_and_clear_bit(NVSC_LINK_RESTORE, &priv->link_flags))
			__netdev_notify_peers(ndev);
		netif_info(priv, link, ndev, "link up\n");
	} else if (!up && netif_carrier_ok(ndev)) {
		netif_carrier_off(ndev);
		netif_info(priv, link, ndev, "link down\n");
	}
	clear_bit(NVSC_LINK_RESTORE, &priv->link_flags);
unlock:
	rtnl_unlock();
}

/* An RNDIS indication from the host; NAPI context */
static void nvsc_status(void *ctx, u32 status, const void *buf, u32 len)
{
	struct nvsc_priv *priv = ctx;

	switch (status) {
	case RNDIS_S_MEDIA_CONNECT:
		set_bit(NVSC_LINK_HOST_UP, &priv->link_flags);
		break;
	case RNDIS_S_MEDIA_DISCONNECT:
		clear_bit(NVSC_LINK_HOST_UP, &priv->link_flags);
		break;
	case RNDIS_S_NETWORK_CHANGE:
		set_bit(NVSC_LINK_BOUNCE, &priv->link_flags);
		break;
	case RNDIS_S_LINK_SPEED_CHANGE:
		if (len >= sizeof(u32)) {
			/* 100 b/s units; 0 says nothing: unknown */
			u32 mbps = get_unaligned_le32(buf) / 10000;

			WRITE_ONCE(priv->speed, mbps ? mbps : SPEED_UNKNOWN);
		}
		return;
	default:
		return;
	}
	schedule_delayed_work(&priv->link_work, 0);
}

static int nvsc_reattach(struct nvsc_priv *priv, u32 mtu);

static int nvsc_open(struct net_device *ndev)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 lost = 0;
	int ret;

	if (priv->chan)
		lost = nvsc_chan_tx_lost(priv->chan, NVSC_TX_LOST_AGE);
	if (lost)
		netdev_warn(ndev, "the host holds %u sends it never completed: new channel\n",
			    lost);
	if (!priv->chan || lost) {
		/* A reconfiguration and its undo both failed (the host
		 * refused them), or the host keeps slots and sections of
		 * sends it lost, which only a new channel gets back; nothing
		 * is sent while the device is down, so start over now.
		 * netif_running() is already true here, so this also sets
		 * the filter.
		 */
		ret = nvsc_reattach(priv, ndev->mtu);
		if (ret)
			netdev_err(ndev, "cannot reopen the channel: %d\n", ret);
		return ret;
	}
	ret = nvsc_rndis_set_filter(priv->chan, nvsc_rx_filter(ndev));
	if (ret) {
		netdev_err(ndev, "cannot set the receive filter: %d\n", ret);
		return ret;
	}
	nvsc_tx_on(priv);
	if (test_bit(NVSC_LINK_HOST_UP, &priv->link_flags))
		netif_carrier_on(ndev);
	else
		netif_carrier_off(ndev);
	nvsc_vf_open(priv);
	return 0;
}

static int nvsc_stop(struct net_device *ndev)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	nvsc_vf_close(priv);
	nvsc_tx_off(priv);
	netif_carrier_off(ndev);
	if (priv->chan) {
		nvsc_agg_drop(priv);
		nvsc_rndis_set_filter(priv->chan, 0);
	}
	return 0;
}

/**
 * nvsc_attach() - open the channel and bring the host's NIC up
 * @priv: the device, detached
 * @mtu: the MTU to announce to the host
 *
 * Context: process, RTNL held (or probe).
 * Return: 0 or -errno.
 */
int nvsc_attach(struct nvsc_priv *priv, u32 mtu)
{
	struct nvsc_chan *ch = nvsc_chan_new(priv, mtu);

	if (!ch)
		return -ENOMEM;
	return nvsc_attach_chan(priv, ch, mtu);
}

/* A new RNDIS session starts with the permanent address: give the host
 * the one the device has, if the user changed it
 */
static void nvsc_restore_mac(struct nvsc_priv *priv)
{
	struct net_device *ndev = priv->ndev;
	int ret;

	if (ether_addr_equal(ndev->dev_addr, priv->chan->host.mac))
		return;
	ret = nvsc_rndis_set_mac(priv->chan, ndev->dev_addr);
	if (ret)
		netdev_err(ndev, "host refused MAC %pM again: %d\n",
			   ndev->dev_addr, ret);
}

/* Close and reopen the channel with the settings in @priv and @mtu.  The
 * new channel and its buffers are allocated first: if that fails, the old
 * channel stays attached and working (priv->chan is still set).  Any
 * later failure leaves the device detached (priv->chan NULL).
 */
static int nvsc_reattach(struct nvsc_priv *priv, u32 mtu)
{
	struct net_device *ndev = priv->ndev;
	struct nvsc_chan *ch;
	int ret;

	ch = nvsc_chan_new(priv, mtu);
	if (!ch)
		return -ENOMEM;
	/* No send may reach the old channel once nvsc_chan_quiesce() has
	 * waited for the last one: no queue wakes before the new one is up
	 */
	nvsc_tx_off(priv);
	netif_carrier_off(ndev);
	nvsc_detach(priv);
	ret = nvsc_attach_chan(priv, ch, mtu);
	if (ret)
		return ret;
	/* A host that sizes its sections by the MTU gave sections of
	 * another size than the buffer was cut for, so it holds another
	 * count than ethtool -G asked: open once more, now knowing the
	 * size (remembered for the next time at this MTU).  Without memory
	 * for it, the channel just opened stays.
	 */
	if (ch->want_rsec_size && ch->rsec_size != ch->want_rsec_size) {
		ch = nvsc_chan_new(priv, mtu);
		if (ch) {
			nvsc_detach(priv);
			ret = nvsc_attach_chan(priv, ch, mtu);
			if (ret)
				return ret;
		}
	}
	nvsc_restore_mac(priv);
	if (netif_running(ndev)) {
		ret = nvsc_rndis_set_filter(priv->chan, nvsc_rx_filter(ndev));
		if (ret) {
			/* A device that receives nothing is no success: the
			 * caller opens the old settings again
			 */
			nvsc_detach(priv);
			return ret;
		}
		if (test_bit(NVSC_LINK_HOST_UP, &priv->link_flags))
			netif_carrier_on(ndev);
		nvsc_tx_on(priv);
	}
	return 0;
}

/**
 * nvsc_suspend() - the VM hibernates: close the channel
 * @priv: the device
 *
 * Context: process; takes RTNL.
 */
void nvsc_suspend(struct nvsc_priv *priv)
{
	struct net_device *ndev = priv->ndev;

	rtnl_lock();
	nvsc_tx_off(priv);
	netif_device_detach(ndev);
	nvsc_detach(priv);
	rtnl_unlock();
}

/**
 * nvsc_resume() - the VM is back: open the channel as it was
 * @priv: the device, suspended
 *
 * Context: process; takes RTNL.
 * Return: 0 or -errno (the device then stays detached).
 */
int nvsc_resume(struct nvsc_priv *priv)
{
	struct net_device *ndev = priv->ndev;
	int ret;

	rtnl_lock();
	ret = nvsc_attach(priv, ndev->mtu);
	if (!ret)
		nvsc_restore_mac(priv);
	if (!ret && netif_running(ndev)) {
		ret = nvsc_rndis_set_filter(priv->chan, nvsc_rx_filter(ndev));
		if (test_bit(NVSC_LINK_HOST_UP, &priv->link_flags))
			netif_carrier_on(ndev);
		else
			netif_carrier_off(ndev);
		mod_timer(&priv->tx_timer, jiffies + HZ);
	}
	if (!ret) {
		/* netif_device_attach() wakes the queues when up */
		WRITE_ONCE(priv->tx_off, false);
		netif_device_attach(ndev);
	}
	rtnl_unlock();
	return ret;
}

/**
 * nvsc_reconfigure() - reopen the channel with the settings in @priv
 * @priv: the device, attached or left detached by a failed call
 * @mtu: the MTU to announce to the host
 *
 * The host takes queue counts and buffer sizes only when the channel
 * opens, so the channel is closed and opened again; when this fails with
 * the device detached (priv->chan NULL), the caller restores its old
 * settings and calls again.
 *
 * Context: process, RTNL held.
 * Return: 0 or -errno.
 */
int nvsc_reconfigure(struct nvsc_priv *priv, u32 mtu)
{
	/* Also after a failed attempt, with the device detached */
	return nvsc_reattach(priv, mtu);
}

static int nvsc_change_mtu(struct net_device *ndev, int mtu)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	int old = ndev->mtu, ret;

	/* The VF first: one that refuses leaves everything as it was */
	ret = nvsc_vf_mtu(priv, mtu);
	if (ret)
		return ret;
	/* The host sizes its receive sections by the MTU: start over (also
	 * on a device an earlier failure left detached)
	 */
	ret = nvsc_reattach(priv, mtu);
	if (!ret) {
		WRITE_ONCE(ndev->mtu, mtu);
		return 0;
	}
	nvsc_vf_mtu(priv, old);
	/* No memory for the new channel: the old one still works */
	if (priv->chan)
		return ret;
	netdev_err(ndev, "MTU %d refused (%d), back to %d\n", mtu, ret, old);
	if (nvsc_reattach(priv, old))
		netdev_err(ndev, "cannot restore MTU %d: device detached\n",
			   old);
	return ret;
}

static int nvsc_set_mac_address(struct net_device *ndev, void *p)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	struct sockaddr *sa = p;
	int ret;

	ret = eth_prepare_mac_addr_change(ndev, p);
	if (ret)
		return ret;
	if (!priv->chan)
		return -ENODEV;
	ret = nvsc_rndis_set_mac(priv->chan, sa->sa_data);
	if (ret) {
		netdev_err(ndev, "host refused MAC %pM: %d\n", sa->sa_data,
			   ret);
		return ret == -EIO ? -EADDRNOTAVAIL : ret;
	}
	eth_commit_mac_addr_change(ndev, p);
	return 0;
}

static int nvsc_set_features(struct net_device *ndev,
			     netdev_features_t features)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	netdev_features_t old = ndev->features;
	int ret;

	if (((old ^ features) & NETIF_F_RXCSUM) && priv->chan) {
		priv->rx_csum = !!(features & NETIF_F_RXCSUM);
		ret = nvsc_apply_offloads(priv);
		if (ret) {
			priv->rx_csum = !!(old & NETIF_F_RXCSUM);
			return ret;
		}
	}
	nvsc_vf_features(priv, features);
	return 0;
}

static void nvsc_get_stats64(struct net_device *ndev,
			     struct rtnl_link_stats64 *s)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u64 rp, rb, mc, rd, tp, tb, td;
	struct nvsc_vf_stats vs;
	unsigned int start;
	u32 i;

	/* Every queue that ever ran keeps its counters: sum them all */
	for (i = 0; i < NVSC_MAX_QUEUES; i++) {
		struct nvsc_pq *pq = &priv->pq[i];

		do {
			start = u64_stats_fetch_begin(&pq->rx.syncp);
			rp = pq->rx.packets;
			rb = pq->rx.bytes;
			mc = pq->rx.multicast;
			rd = pq->rx.dropped;
			tp = pq->rx.tx_packets;
			tb = pq->rx.tx_bytes;
		} while (u64_stats_fetch_retry(&pq->rx.syncp, start));
		do {
			start = u64_stats_fetch_begin(&pq->tx.syncp);
			td = pq->tx.dropped;
		} while (u64_stats_fetch_retry(&pq->tx.syncp, start));
		s->rx_packets += rp;
		s->rx_bytes += rb;
		s->multicast += mc;
		s->rx_dropped += rd;
		s->tx_packets += tp;
		s->tx_bytes += tb;
		s->tx_dropped += td;
	}
	/* and what went through the VF */
	nvsc_vf_get_stats(priv, &vs);
	s->rx_packets += vs.rx_packets;
	s->rx_bytes += vs.rx_bytes;
	s->tx_packets += vs.tx_packets;
	s->tx_bytes += vs.tx_bytes;
	s->tx_dropped += vs.tx_dropped;
}

static const struct net_device_ops nvsc_netdev_ops = {
	.ndo_open		= nvsc_open,
	.ndo_stop		= nvsc_stop,
	.ndo_start_xmit		= nvsc_start_xmit,
	.ndo_select_queue	= nvsc_select_queue,
	.ndo_features_check	= nvsc_features_check,
	.ndo_set_rx_mode	= nvsc_set_rx_mode,
	.ndo_change_rx_flags	= nvsc_change_rx_flags,
	.ndo_change_mtu		= nvsc_change_mtu,
	.ndo_set_mac_address	= nvsc_set_mac_address,
	.ndo_set_features	= nvsc_set_features,
	.ndo_get_stats64	= nvsc_get_stats64,
	.ndo_validate_addr	= eth_validate_addr,
};

/**
 * nvsc_is_ours() - whether a network device is one of this driver's
 * @ndev: the device
 *
 * Return: true for ours.
 */
bool nvsc_is_ours(const struct net_device *ndev)
{
	return ndev->netdev_ops == &nvsc_netdev_ops;
}

/**
 * nvsc_netdev_setup() - fill in a freshly allocated device
 * @ndev: the device
 */
void nvsc_netdev_setup(struct net_device *ndev)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 i;

	priv->ndev = ndev;
	for (i = 0; i < NVSC_MAX_QUEUES; i++) {
		struct nvsc_pq *pq = &priv->pq[i];

		pq->priv = priv;
		pq->idx = i;
		u64_stats_init(&pq->tx.syncp);
		u64_stats_init(&pq->rx.syncp);
		netif_napi_add(ndev, &pq->napi, nvsc_poll);
	}
	netdev_rss_key_fill(priv->rss.key, NVSC_RSS_KEY_LEN);
	priv->l4_hash = NVSC_L4_ALL;
	priv->rx_copybreak = NVSC_RX_COPYBREAK_DEFAULT;
	priv->tx_copybreak = NVSC_TX_COPYBREAK_DEFAULT;
	INIT_DELAYED_WORK(&priv->link_work, nvsc_link_work);
	INIT_WORK(&priv->rx_mode_work, nvsc_rx_mode_work);
	INIT_DELAYED_WORK(&priv->vf_work, nvsc_vf_work);
	INIT_LIST_HEAD(&priv->node);
	timer_setup(&priv->tx_timer, nvsc_tx_timer, 0);
	priv->speed = SPEED_UNKNOWN;
	priv->duplex = DUPLEX_FULL;
	priv->rx_csum = true;

	ndev->netdev_ops = &nvsc_netdev_ops;
	ndev->ethtool_ops = &nvsc_ethtool_ops;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = NVSC_MAX_MTU;
}
