// SPDX-License-Identifier: GPL-2.0
/*
 * hv_netvsc ethtool operations: driver info, link settings, message
 * level, rings and the driver's own counters.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <generated/utsrelease.h>

#include "nvsc.h"

struct nvsc_stat_desc {
	char name[ETH_GSTRING_LEN];
	size_t offset;
};

#define NVSC_TX_STAT(n, m)   { n, offsetof(struct nvsc_tx_stats, m) }
#define NVSC_RX_STAT(n, m)   { n, offsetof(struct nvsc_rx_stats, m) }
#define NVSC_HOST_STAT(n, m) { n, offsetof(struct nvsc_host_errors, m) }

/* Counters of the transmit path (struct nvsc_tx_stats) */
static const struct nvsc_stat_desc nvsc_tx_stat_desc[] = {
	NVSC_TX_STAT("tx_scattered", scattered),
	NVSC_TX_STAT("tx_no_memory", no_memory),
	NVSC_TX_STAT("tx_no_space", no_space),
	NVSC_TX_STAT("tx_too_big", too_big),
	NVSC_TX_STAT("tx_busy", busy),
	NVSC_TX_STAT("tx_send_full", send_full),
};

/* rx_comp_busy comes from the channel, then these (struct nvsc_rx_stats) */
static const struct nvsc_stat_desc nvsc_rx_stat_desc[] = {
	NVSC_RX_STAT("rx_no_memory", no_memory),
};

static const struct nvsc_stat_desc nvsc_queue_stat_desc[] = {
	NVSC_TX_STAT("stop_queue", stop_queue),
	NVSC_RX_STAT("wake_queue", wake_queue),
	NVSC_TX_STAT("vlan_error", vlan_error),
};

/* Host misbehaviour, counted by the channel (struct nvsc_host_errors) */
static const struct nvsc_stat_desc nvsc_host_stat_desc[] = {
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
};

static const char nvsc_queue_names[][ETH_GSTRING_LEN] = {
	"tx_queue_0_packets",
	"tx_queue_0_bytes",
	"rx_queue_0_packets",
	"rx_queue_0_bytes",
};

#define NVSC_NSTATS (ARRAY_SIZE(nvsc_tx_stat_desc) + 1 + \
		     ARRAY_SIZE(nvsc_rx_stat_desc) + \
		     ARRAY_SIZE(nvsc_queue_stat_desc) + \
		     ARRAY_SIZE(nvsc_host_stat_desc) + \
		     ARRAY_SIZE(nvsc_queue_names))

static void nvsc_get_drvinfo(struct net_device *ndev,
			     struct ethtool_drvinfo *info)
{
	strscpy(info->driver, NVSC_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, UTS_RELEASE, sizeof(info->version));
	strscpy(info->fw_version, "N/A", sizeof(info->fw_version));
}

static int nvsc_get_sset_count(struct net_device *ndev, int sset)
{
	return sset == ETH_SS_STATS ? NVSC_NSTATS : -EOPNOTSUPP;
}

static void nvsc_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(nvsc_tx_stat_desc); i++)
		ethtool_sprintf(&data, "%s", nvsc_tx_stat_desc[i].name);
	ethtool_sprintf(&data, "rx_comp_busy");
	for (i = 0; i < ARRAY_SIZE(nvsc_rx_stat_desc); i++)
		ethtool_sprintf(&data, "%s", nvsc_rx_stat_desc[i].name);
	for (i = 0; i < ARRAY_SIZE(nvsc_queue_stat_desc); i++)
		ethtool_sprintf(&data, "%s", nvsc_queue_stat_desc[i].name);
	for (i = 0; i < ARRAY_SIZE(nvsc_host_stat_desc); i++)
		ethtool_sprintf(&data, "%s", nvsc_host_stat_desc[i].name);
	for (i = 0; i < ARRAY_SIZE(nvsc_queue_names); i++)
		ethtool_sprintf(&data, "%s", nvsc_queue_names[i]);
}

static u64 nvsc_field(const void *base, size_t offset)
{
	return *(const u64 *)((const u8 *)base + offset);
}

static void nvsc_get_ethtool_stats(struct net_device *ndev,
				   struct ethtool_stats *stats, u64 *data)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	const struct nvsc_host_errors *he = &priv->host_err;
	struct nvsc_tx_stats tx;
	struct nvsc_rx_stats rx;
	unsigned int start;
	int i, n = 0;

	do {
		start = u64_stats_fetch_begin(&priv->tx.syncp);
		tx = priv->tx;
	} while (u64_stats_fetch_retry(&priv->tx.syncp, start));
	do {
		start = u64_stats_fetch_begin(&priv->rx.syncp);
		rx = priv->rx;
	} while (u64_stats_fetch_retry(&priv->rx.syncp, start));

	for (i = 0; i < ARRAY_SIZE(nvsc_tx_stat_desc); i++)
		data[n++] = nvsc_field(&tx, nvsc_tx_stat_desc[i].offset);
	data[n++] = atomic64_read(&he->comp_busy);
	for (i = 0; i < ARRAY_SIZE(nvsc_rx_stat_desc); i++)
		data[n++] = nvsc_field(&rx, nvsc_rx_stat_desc[i].offset);
	data[n++] = tx.stop_queue;
	data[n++] = rx.wake_queue;
	data[n++] = tx.vlan_error;
	for (i = 0; i < ARRAY_SIZE(nvsc_host_stat_desc); i++)
		data[n++] = atomic64_read((const atomic64_t *)((const u8 *)he +
					  nvsc_host_stat_desc[i].offset));
	data[n++] = rx.tx_packets;
	data[n++] = rx.tx_bytes;
	data[n++] = rx.packets;
	data[n++] = rx.bytes;
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

static void nvsc_get_ringparam(struct net_device *ndev,
			       struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	struct nvsc_chan *ch = priv->chan;

	ring->rx_max_pending = NVSC_RECV_BUF_MAX / NVSC_RECV_SECTION_DEFAULT;
	ring->tx_max_pending = NVSC_SEND_BUF_MAX / NVSC_SEND_SECTION_DEFAULT;
	if (ch) {
		ring->rx_pending = ch->rsec_count;
		ring->tx_pending = ch->ssec_count;
	}
}

/* Size of the host's send indirection table, in entries */
#define NVSC_SEND_TABLE_SIZE	16

/* ethtool -d: the send indirection table; one queue, all entries 0 */
static int nvsc_get_regs_len(struct net_device *ndev)
{
	return NVSC_SEND_TABLE_SIZE * sizeof(u32);
}

static void nvsc_get_regs(struct net_device *ndev, struct ethtool_regs *regs,
			  void *p)
{
	regs->version = 1;
	memset(p, 0, NVSC_SEND_TABLE_SIZE * sizeof(u32));
}

static void nvsc_get_channels(struct net_device *ndev,
			      struct ethtool_channels *ch)
{
	ch->max_combined = 1;
	ch->combined_count = 1;
}

/* One queue for now: the core has checked the count against the maximum */
static int nvsc_set_channels(struct net_device *ndev,
			     struct ethtool_channels *ch)
{
	return ch->combined_count == 1 ? 0 : -EINVAL;
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
	.get_channels		= nvsc_get_channels,
	.set_channels		= nvsc_set_channels,
	.get_regs_len		= nvsc_get_regs_len,
	.get_regs		= nvsc_get_regs,
};
