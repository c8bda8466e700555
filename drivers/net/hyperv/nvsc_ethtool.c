// SPDX-License-Identifier: GPL-2.0
/*
 * hv_netvsc ethtool operations: driver info, link settings, message
 * level, rings and the driver's own counters.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <generated/utsrelease.h>

#include "nvsc.h"

/* Where a counter lives: a queue's transmit or receive counters, or the
 * channel's count of host misbehaviour
 */
enum nvsc_stat_src {
	NVSC_SRC_TX,		/* struct nvsc_tx_stats */
	NVSC_SRC_RX,		/* struct nvsc_rx_stats */
	NVSC_SRC_HOST,		/* struct nvsc_host_errors, atomic64_t */
};

struct nvsc_stat_desc {
	char name[ETH_GSTRING_LEN];
	enum nvsc_stat_src src;
	size_t offset;
};

#define NVSC_TX_STAT(n, m) { n, NVSC_SRC_TX, offsetof(struct nvsc_tx_stats, m) }
#define NVSC_RX_STAT(n, m) { n, NVSC_SRC_RX, offsetof(struct nvsc_rx_stats, m) }
#define NVSC_HOST_STAT(n, m) \
	{ n, NVSC_SRC_HOST, offsetof(struct nvsc_host_errors, m) }

/* Device totals: the names the kernel's driver uses first, in its order,
 * then ours.  Queue counters are summed over every queue there ever was.
 */
static const struct nvsc_stat_desc nvsc_stat_desc[] = {
	NVSC_TX_STAT("tx_scattered", scattered),
	NVSC_TX_STAT("tx_no_memory", no_memory),
	NVSC_TX_STAT("tx_no_space", no_space),
	NVSC_TX_STAT("tx_too_big", too_big),
	NVSC_TX_STAT("tx_busy", busy),
	NVSC_TX_STAT("tx_send_full", send_full),
	NVSC_HOST_STAT("rx_comp_busy", comp_busy),
	NVSC_RX_STAT("rx_no_memory", no_memory),
	NVSC_TX_STAT("stop_queue", stop_queue),
	NVSC_TX_STAT("wake_queue", wake_queue),
	NVSC_TX_STAT("vlan_error", vlan_error),
	NVSC_TX_STAT("tx_ring_full", ring_full),
	NVSC_TX_STAT("tx_no_section", no_section),
	NVSC_TX_STAT("tx_csum", csum),
	NVSC_TX_STAT("tx_lso", lso),
	NVSC_RX_STAT("rx_csum_ok", csum_ok),
	NVSC_RX_STAT("rx_csum_bad", csum_bad),
	NVSC_HOST_STAT("host_bad_packet", bad_packet),
	NVSC_HOST_STAT("host_bad_completion", bad_completion),
	NVSC_HOST_STAT("host_bad_xfer", bad_xfer),
	NVSC_HOST_STAT("host_bad_rndis", bad_rndis),
	NVSC_HOST_STAT("host_bad_data", bad_data),
	NVSC_HOST_STAT("host_bad_ppi", bad_ppi),
	NVSC_HOST_STAT("host_bad_reply", bad_reply),
	NVSC_HOST_STAT("host_comp_lost", comp_lost),
	NVSC_HOST_STAT("host_send_failed", send_failed),
	NVSC_HOST_STAT("host_send_timeout", send_timeout),
	NVSC_HOST_STAT("host_bad_send_table", bad_table),
	NVSC_HOST_STAT("host_bad_early_xfer", bad_early_xfer),
	NVSC_HOST_STAT("host_bad_subchannel", bad_subchannel),
	NVSC_HOST_STAT("host_bad_vf", bad_vf),
	NVSC_HOST_STAT("host_switch_timeout", switch_timeout),
};

/* The VF path, after the device totals, in the kernel's driver's names */
static const char nvsc_vf_stat_names[][ETH_GSTRING_LEN] = {
	"vf_rx_packets", "vf_rx_bytes", "vf_tx_packets", "vf_tx_bytes",
	"vf_tx_dropped", "vf_no_assoc",
};

#define NVSC_VF_STATS	ARRAY_SIZE(nvsc_vf_stat_names)

/* Per queue N, named "<tx|rx>_queue_N_<name>" (no host counters here);
 * packets and bytes first, as the kernel's driver names them
 */
static const struct nvsc_stat_desc nvsc_queue_stat_desc[] = {
	NVSC_RX_STAT("tx:packets", tx_packets),
	NVSC_RX_STAT("tx:bytes", tx_bytes),
	NVSC_RX_STAT("rx:packets", packets),
	NVSC_RX_STAT("rx:bytes", bytes),
	NVSC_TX_STAT("tx:stop", stop_queue),
	NVSC_TX_STAT("tx:wake", wake_queue),
	NVSC_TX_STAT("tx:ring_full", ring_full),
	NVSC_TX_STAT("tx:no_section", no_section),
	NVSC_TX_STAT("tx:csum", csum),
	NVSC_TX_STAT("tx:lso", lso),
	NVSC_RX_STAT("rx:csum_ok", csum_ok),
	NVSC_RX_STAT("rx:csum_bad", csum_bad),
	NVSC_RX_STAT("tx:comp_other", tx_comp_other),
};

static void nvsc_get_drvinfo(struct net_device *ndev,
			     struct ethtool_drvinfo *info)
{
	strscpy(info->driver, NVSC_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, UTS_RELEASE, sizeof(info->version));
	strscpy(info->fw_version, "N/A", sizeof(info->fw_version));
}

/* Queues with counters of their own: the host's maximum (fixed at probe),
 * not the open ones, so that names and count stay the same across channel
 * changes
 */
static u32 nvsc_stat_queues(const struct nvsc_priv *priv)
{
	return clamp_t(u32, priv->max_queues, 1, NVSC_MAX_QUEUES);
}

static int nvsc_get_sset_count(struct net_device *ndev, int sset)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(nvsc_stat_desc) + NVSC_VF_STATS +
	       ARRAY_SIZE(nvsc_queue_stat_desc) * nvsc_stat_queues(priv);
}

static void nvsc_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	const char *name;
	u32 q;
	int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(nvsc_stat_desc); i++)
		ethtool_sprintf(&data, "%s", nvsc_stat_desc[i].name);
	for (i = 0; i < NVSC_VF_STATS; i++)
		ethtool_sprintf(&data, "%s", nvsc_vf_stat_names[i]);
	for (q = 0; q < nvsc_stat_queues(priv); q++) {
		for (i = 0; i < ARRAY_SIZE(nvsc_queue_stat_desc); i++) {
			/* "tx:packets" gives "tx_queue_<q>_packets" */
			name = nvsc_queue_stat_desc[i].name;
			ethtool_sprintf(&data, "%.2s_queue_%u_%s", name, q,
					name + 3);
		}
	}
}

/* A consistent copy of one queue's counters */
static void nvsc_read_queue(const struct nvsc_pq *pq, struct nvsc_tx_stats *t,
			    struct nvsc_rx_stats *r)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&pq->tx.syncp);
		*t = pq->tx;
	} while (u64_stats_fetch_retry(&pq->tx.syncp, start));
	do {
		start = u64_stats_fetch_begin(&pq->rx.syncp);
		*r = pq->rx;
	} while (u64_stats_fetch_retry(&pq->rx.syncp, start));
}

static u64 nvsc_stat(const struct nvsc_stat_desc *d,
		     const struct nvsc_tx_stats *t,
		     const struct nvsc_rx_stats *r,
		     const struct nvsc_host_errors *he)
{
	switch (d->src) {
	case NVSC_SRC_TX:
		return *(const u64 *)((const u8 *)t + d->offset);
	case NVSC_SRC_RX:
		return *(const u64 *)((const u8 *)r + d->offset);
	default:
		return atomic64_read((const atomic64_t *)((const u8 *)he +
							  d->offset));
	}
}

static void nvsc_get_ethtool_stats(struct net_device *ndev,
				   struct ethtool_stats *stats, u64 *data)
{
	const size_t nq = ARRAY_SIZE(nvsc_queue_stat_desc);
	struct nvsc_priv *priv = netdev_priv(ndev);
	const struct nvsc_host_errors *he = &priv->host_err;
	u64 *vf = data + ARRAY_SIZE(nvsc_stat_desc);
	u64 *per_queue = vf + NVSC_VF_STATS;
	u32 q, shown = nvsc_stat_queues(priv);
	struct nvsc_vf_stats vs;
	struct nvsc_tx_stats t;
	struct nvsc_rx_stats r;
	int i;

	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	for (i = 0; i < ARRAY_SIZE(nvsc_stat_desc); i++)
		data[i] = nvsc_stat(&nvsc_stat_desc[i], &t, &r, he);
	nvsc_vf_get_stats(priv, &vs);
	vf[0] = vs.rx_packets;
	vf[1] = vs.rx_bytes;
	vf[2] = vs.tx_packets;
	vf[3] = vs.tx_bytes;
	vf[4] = vs.tx_dropped;
	vf[5] = atomic64_read(&priv->vf_no_assoc);

	/* Every queue adds to the totals; those shown also to their own */
	for (q = 0; q < NVSC_MAX_QUEUES; q++) {
		nvsc_read_queue(&priv->pq[q], &t, &r);
		for (i = 0; i < ARRAY_SIZE(nvsc_stat_desc); i++)
			if (nvsc_stat_desc[i].src != NVSC_SRC_HOST)
				data[i] += nvsc_stat(&nvsc_stat_desc[i], &t, &r,
						     he);
		for (i = 0; q < shown && i < nq; i++)
			per_queue[q * nq + i] =
				nvsc_stat(&nvsc_queue_stat_desc[i], &t, &r, he);
	}
}

static int nvsc_get_link_ksettings(struct net_device *ndev,
				   struct ethtool_link_ksettings *cmd)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	ethtool_link_ksettings_zero_link_mode(cmd, supported);
	ethtool_link_ksettings_zero_link_mode(cmd, advertising);
	cmd->base.speed = READ_ONCE(priv->speed);
	cmd->base.duplex = priv->duplex;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static int nvsc_set_link_ksettings(struct net_device *ndev,
				   const struct ethtool_link_ksettings *cmd)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 speed = cmd->base.speed;

	if (cmd->base.autoneg != AUTONEG_DISABLE || cmd->base.port != PORT_OTHER ||
	    !ethtool_validate_speed(speed) ||
	    !ethtool_validate_duplex(cmd->base.duplex))
		return -EINVAL;
	WRITE_ONCE(priv->speed, speed);
	priv->duplex = cmd->base.duplex;
	return 0;
}

static u32 nvsc_get_msglevel(struct net_device *ndev)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	return priv->msg_enable;
}

static void nvsc_set_msglevel(struct net_device *ndev, u32 val)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	priv->msg_enable = val;
}

/* Receive sections of the host's current size that the largest buffer holds */
static u32 nvsc_rx_max_sections(const struct nvsc_priv *priv)
{
	return NVSC_RECV_BUF_MAX / (priv->rsec_size ? priv->rsec_size :
				    NVSC_RECV_SECTION_DEFAULT);
}

static void nvsc_get_ringparam(struct net_device *ndev,
			       struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	struct nvsc_chan *ch = priv->chan;

	ring->rx_max_pending = nvsc_rx_max_sections(priv);
	ring->tx_max_pending = NVSC_SEND_BUF_MAX / NVSC_SEND_SECTION_DEFAULT;
	if (ch) {
		ring->rx_pending = ch->rsec_count;
		ring->tx_pending = ch->ssec_count;
	}
}

/* ethtool -G rx N tx M: sections of the receive and send buffers.  The
 * host takes new buffers only with a new channel: reopen, and on failure
 * reopen with the old sizes.
 */
/* RSS as the user set it, kept across a reconfiguration that may fail:
 * the failed attempt fits the table to the queues it got, and a failure
 * must leave the device as it was
 */
struct nvsc_rss_saved {
	struct nvsc_rss rss;
	bool configured;	/* netif_is_rxfh_configured() */
};

static struct nvsc_rss_saved *nvsc_rss_save(struct nvsc_priv *priv)
{
	struct nvsc_rss_saved *s;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->rss = priv->rss;
	s->configured = netif_is_rxfh_configured(priv->ndev);
	return s;
}

/* Before the reattach that restores the old settings */
static void nvsc_rss_put_back(struct nvsc_priv *priv,
			      const struct nvsc_rss_saved *s)
{
	priv->rss = s->rss;
	if (s->configured)
		priv->ndev->priv_flags |= IFF_RXFH_CONFIGURED;
	else
		priv->ndev->priv_flags &= ~IFF_RXFH_CONFIGURED;
}

static int nvsc_set_ringparam(struct net_device *ndev,
			      struct ethtool_ringparam *ring,
			      struct kernel_ethtool_ringparam *kring,
			      struct netlink_ext_ack *extack)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 old_rx = priv->rx_sections, old_tx = priv->tx_sections;
	u32 old_queues = priv->num_queues;
	struct nvsc_chan *ch = priv->chan;
	struct nvsc_rss_saved *saved;
	int ret;

	if (ring->rx_mini_pending || ring->rx_jumbo_pending) {
		NL_SET_ERR_MSG_MOD(extack, "only rx and tx rings exist");
		return -EINVAL;
	}
	if (ring->rx_pending < NVSC_MIN_SECTIONS ||
	    ring->rx_pending > nvsc_rx_max_sections(priv) ||
	    ring->tx_pending < NVSC_MIN_SECTIONS ||
	    ring->tx_pending > NVSC_SEND_BUF_MAX / NVSC_SEND_SECTION_DEFAULT) {
		NL_SET_ERR_MSG_MOD(extack, "ring size out of range (at least 10 sections)");
		return -EINVAL;
	}
	/* A device detached by an earlier failure opens with the new sizes */
	if (ch && ring->rx_pending == ch->rsec_count &&
	    ring->tx_pending == ch->ssec_count)
		return 0;

	saved = nvsc_rss_save(priv);
	if (!saved)
		return -ENOMEM;
	priv->rx_sections = ring->rx_pending;
	priv->tx_sections = ring->tx_pending;
	ret = nvsc_reconfigure(priv, ndev->mtu);
	if (!ret && priv->num_queues >= old_queues)
		goto free_saved;
	priv->rx_sections = old_rx;
	priv->tx_sections = old_tx;
	if (ret && priv->chan) {
		/* Nothing was torn down: the old buffers are still in use */
		NL_SET_ERR_MSG_MOD(extack, "no memory for the new buffers");
		goto free_saved;
	}
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "host refused the new buffers; old sizes kept");
	} else {
		NL_SET_ERR_MSG_MOD(extack, "fewer queues with the new buffers; old sizes kept");
		netdev_err(ndev, "host gave %u of %u queues with the new buffers\n",
			   priv->num_queues, old_queues);
		ret = -EIO;
	}
	nvsc_rss_put_back(priv, saved);
	if (nvsc_reconfigure(priv, ndev->mtu))
		netdev_err(ndev, "cannot restore the old buffers: device detached\n");
free_saved:
	kfree(saved);
	return ret;
}

/* ethtool -d: the send indirection table; one queue, all entries 0 */
static int nvsc_get_regs_len(struct net_device *ndev)
{
	return NVSC_SEND_TABLE_SIZE * sizeof(u32);
}

static void nvsc_get_regs(struct net_device *ndev, struct ethtool_regs *regs,
			  void *p)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 *t = p, i;

	regs->version = 1;
	for (i = 0; i < NVSC_SEND_TABLE_SIZE; i++)
		t[i] = READ_ONCE(priv->send_table[i]);
}

static void nvsc_get_channels(struct net_device *ndev,
			      struct ethtool_channels *ch)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	ch->max_combined = max_t(u32, priv->max_queues, 1);
	ch->combined_count = max_t(u32, priv->num_queues, 1);
}

/* ethtool -L combined N: the host grants subchannels only when the channel
 * opens, so reopen with N queues; on failure reopen with the old count.
 */
static int nvsc_set_channels(struct net_device *ndev,
			     struct ethtool_channels *ch)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 n = ch->combined_count, old = priv->want_queues;
	struct nvsc_rss_saved *saved;
	int ret;

	if (!n || n > max_t(u32, priv->max_queues, 1) || ch->rx_count ||
	    ch->tx_count || ch->other_count) {
		netdev_info(ndev, "combined channels: 1 to %u, nothing else\n",
			    max_t(u32, priv->max_queues, 1));
		return -EINVAL;
	}
	/* A device detached by an earlier failure opens with n queues */
	if (priv->chan && n == priv->num_queues)
		return 0;
	saved = nvsc_rss_save(priv);
	if (!saved)
		return -ENOMEM;
	priv->want_queues = n;
	ret = nvsc_reconfigure(priv, ndev->mtu);
	if (!ret && priv->num_queues == n)
		goto free_saved;
	priv->want_queues = old;
	/* No memory for the new channel: the old one still works */
	if (ret && priv->chan)
		goto free_saved;
	netdev_err(ndev, "cannot open %u channels (%d, got %u); back to %u\n",
		   n, ret, priv->num_queues, old);
	if (!ret)
		ret = -EIO;
	nvsc_rss_put_back(priv, saved);
	if (nvsc_reconfigure(priv, ndev->mtu))
		netdev_err(ndev, "cannot restore %u channels: device detached\n",
			   old);
free_saved:
	kfree(saved);
	return ret;
}

static u32 nvsc_get_rxfh_key_size(struct net_device *ndev)
{
	return NVSC_RSS_KEY_LEN;
}

static u32 nvsc_get_rxfh_indir_size(struct net_device *ndev)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	return priv->rss.table_size ? priv->rss.table_size :
	       NVSC_RSS_TABLE_DEFAULT;
}

static int nvsc_get_rxfh(struct net_device *ndev, u32 *indir, u8 *key,
			 u8 *hfunc)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 i, size = nvsc_get_rxfh_indir_size(ndev);

	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	/* Also with one queue, where it is the table kept for later: the
	 * core reads it before it changes the channels
	 */
	if (indir)
		for (i = 0; i < size; i++)
			indir[i] = i < priv->rss.table_size ?
				   priv->rss.table[i] : 0;
	if (key)
		memcpy(key, priv->rss.key, NVSC_RSS_KEY_LEN);
	return 0;
}

/* ethtool -X: Toeplitz only; the host must take it, or nothing changes */
static int nvsc_set_rxfh(struct net_device *ndev, const u32 *indir,
			 const u8 *key, const u8 hfunc)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	struct nvsc_rss *rss;
	u32 i;
	int ret;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;
	rss = kmemdup(&priv->rss, sizeof(*rss), GFP_KERNEL);
	if (!rss)
		return -ENOMEM;
	if (indir) {
		if (!rss->table_size)
			rss->table_size = nvsc_get_rxfh_indir_size(ndev);
		for (i = 0; i < rss->table_size; i++) {
			if (indir[i] >= max_t(u32, priv->num_queues, 1)) {
				ret = -EINVAL;
				goto free_copy;
			}
			rss->table[i] = indir[i];
		}
	}
	if (key)
		memcpy(rss->key, key, NVSC_RSS_KEY_LEN);
	if (!priv->chan || priv->num_queues < 2) {
		/* No RSS with one queue: kept for when there are more */
		priv->rss = *rss;
		ret = 0;
		goto free_copy;
	}
	ret = nvsc_rss_apply(priv, rss);
	if (ret)
		netdev_err(ndev, "host refused the RSS key or table: %d\n",
			   ret);
free_copy:
	kfree(rss);
	return ret;
}

/* The NVSC_L4_* bit of an rx-flow-hash flow type; 0 when not settable */
static u32 nvsc_flow_bit(u32 flow_type)
{
	switch (flow_type) {
	case TCP_V4_FLOW:
		return NVSC_L4_TCP4;
	case TCP_V6_FLOW:
		return NVSC_L4_TCP6;
	case UDP_V4_FLOW:
		return NVSC_L4_UDP4;
	case UDP_V6_FLOW:
		return NVSC_L4_UDP6;
	default:
		return 0;
	}
}

static int nvsc_get_rxnfc(struct net_device *ndev, struct ethtool_rxnfc *info,
			  u32 *rules)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 bit;

	switch (info->cmd) {
	case ETHTOOL_GRXRINGS:
		info->data = max_t(u32, priv->num_queues, 1);
		return 0;
	case ETHTOOL_GRXFH:
		info->data = 0;
		switch (info->flow_type) {
		case TCP_V4_FLOW:
		case TCP_V6_FLOW:
		case UDP_V4_FLOW:
		case UDP_V6_FLOW:
		case IPV4_FLOW:
		case IPV6_FLOW:
		case SCTP_V4_FLOW:
		case SCTP_V6_FLOW:
		case AH_ESP_V4_FLOW:
		case AH_ESP_V6_FLOW:
			info->data = RXH_IP_SRC | RXH_IP_DST;
			break;
		default:
			return 0;
		}
		bit = nvsc_flow_bit(info->flow_type);
		if (bit && (priv->l4_hash & bit))
			info->data |= RXH_L4_B_0_1 | RXH_L4_B_2_3;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* ethtool -N rx-flow-hash: sd or sdfn for TCP and UDP over IPv4 and IPv6;
 * it picks the transmit queue and, as hash types, the receive queue
 */
static int nvsc_set_rxnfc(struct net_device *ndev, struct ethtool_rxnfc *info)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 bit = nvsc_flow_bit(info->flow_type), l4, old = priv->l4_hash;
	u32 old_info = priv->rss.hash_info;
	int ret;

	if (info->cmd != ETHTOOL_SRXFH)
		return -EOPNOTSUPP;
	if (!bit)
		return -EOPNOTSUPP;
	if (info->data == (RXH_IP_SRC | RXH_IP_DST))
		l4 = old & ~bit;
	else if (info->data == (RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 |
				RXH_L4_B_2_3))
		l4 = old | bit;
	else
		return -EINVAL;
	if (l4 == old)
		return 0;

	priv->rss.hash_info = nvsc_hash_info(priv, l4);
	if (priv->chan && priv->num_queues >= 2 &&
	    priv->rss.hash_info != old_info) {
		ret = nvsc_rss_apply(priv, &priv->rss);
		if (ret) {
			priv->rss.hash_info = old_info;
			netdev_err(ndev, "host refused the hash types: %d\n",
				   ret);
			return ret;
		}
	}
	WRITE_ONCE(priv->l4_hash, l4);
	return 0;
}

static int nvsc_get_tunable(struct net_device *ndev,
			    const struct ethtool_tunable *t, void *data)
{
	struct nvsc_priv *priv = netdev_priv(ndev);

	switch (t->id) {
	case ETHTOOL_RX_COPYBREAK:
		*(u32 *)data = priv->rx_copybreak;
		return 0;
	case ETHTOOL_TX_COPYBREAK:
		*(u32 *)data = priv->tx_copybreak;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int nvsc_set_tunable(struct net_device *ndev,
			    const struct ethtool_tunable *t, const void *data)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 v = *(const u32 *)data;

	switch (t->id) {
	case ETHTOOL_RX_COPYBREAK:
		if (v > NVSC_MAX_FRAME)
			return -EINVAL;
		WRITE_ONCE(priv->rx_copybreak, v);
		return 0;
	case ETHTOOL_TX_COPYBREAK:
		/* a frame up to it must fit the send section it is copied to */
		if (v > NVSC_SEND_SECTION_DEFAULT)
			return -EINVAL;
		WRITE_ONCE(priv->tx_copybreak, v);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

const struct ethtool_ops nvsc_ethtool_ops = {
	.get_drvinfo		= nvsc_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ts_info		= ethtool_op_get_ts_info,
	.get_sset_count		= nvsc_get_sset_count,
	.get_strings		= nvsc_get_strings,
	.get_ethtool_stats	= nvsc_get_ethtool_stats,
	.get_link_ksettings	= nvsc_get_link_ksettings,
	.set_link_ksettings	= nvsc_set_link_ksettings,
	.get_msglevel		= nvsc_get_msglevel,
	.set_msglevel		= nvsc_set_msglevel,
	.get_ringparam		= nvsc_get_ringparam,
	.set_ringparam		= nvsc_set_ringparam,
	.get_channels		= nvsc_get_channels,
	.set_channels		= nvsc_set_channels,
	.get_rxfh_key_size	= nvsc_get_rxfh_key_size,
	.get_rxfh_indir_size	= nvsc_get_rxfh_indir_size,
	.get_rxfh		= nvsc_get_rxfh,
	.set_rxfh		= nvsc_set_rxfh,
	.get_rxnfc		= nvsc_get_rxnfc,
	.set_rxnfc		= nvsc_set_rxnfc,
	.get_tunable		= nvsc_get_tunable,
	.set_tunable		= nvsc_set_tunable,
	.get_regs_len		= nvsc_get_regs_len,
	.get_regs		= nvsc_get_regs,
};
