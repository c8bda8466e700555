// SPDX-License-Identifier: GPL-2.0
/*
 * hv_netvsc: driver for the Hyper-V synthetic network adapter.  Module
 * entry points, VMBus probe and remove.
 */
#include <linux/etherdevice.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "nvsc.h"

static unsigned int ring_size = NVSC_RING_PAGES_DEFAULT;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size, "Ring buffer size per direction, in 4 KiB pages (default 128, 64 to 512)");

static int debug = -1;
module_param(debug, int, 0444);
MODULE_PARM_DESC(debug, "Debug level (0=none,...,16=all)");

#define NVSC_DEFAULT_MSG (NETIF_MSG_DRV | NETIF_MSG_PROBE | NETIF_MSG_LINK | \
			  NETIF_MSG_IFDOWN | NETIF_MSG_IFUP | \
			  NETIF_MSG_RX_ERR | NETIF_MSG_TX_ERR)

/* Bytes per ring direction, from ring_size at module load */
static u32 nvsc_ring_len;

/* ring_size counts 4 KiB Hyper-V pages, the ring's header page included.
 * Keep it within what the rings can use and VMBus can allocate, in whole
 * guest pages (a ring is mapped page by page), and say what was changed.
 */
static void nvsc_ring_len_init(void)
{
	u64 pages = clamp_t(u64, ring_size, NVSC_RING_PAGES_MIN,
			    NVSC_RING_PAGES_MAX);
	u64 bytes = round_up(pages * HV_HYP_PAGE_SIZE, PAGE_SIZE);

	nvsc_ring_len = bytes;
	if (bytes != (u64)ring_size * HV_HYP_PAGE_SIZE)
		pr_info("hv_netvsc: ring_size %u out of range (%u to %u, whole %lu-byte pages): using %llu\n",
			ring_size, NVSC_RING_PAGES_MIN, NVSC_RING_PAGES_MAX,
			PAGE_SIZE, bytes / HV_HYP_PAGE_SIZE);
}

static void nvsc_napi_del(struct nvsc_priv *priv)
{
	u32 i;

	for (i = 0; i < NVSC_MAX_QUEUES; i++)
		netif_napi_del(&priv->pq[i].napi);
}

/**
 * nvsc_probe() - a synthetic NIC was offered: make it a network device
 * @hdev: the VMBus device
 * @id: the matching entry of our ID table
 *
 * Return: 0 or -errno.
 */
static int nvsc_probe(struct hv_device *hdev, const struct hv_vmbus_device_id *id)
{
	struct net_device *ndev;
	struct nvsc_priv *priv;
	int ret;

	ndev = alloc_etherdev_mq(sizeof(*priv), NVSC_MAX_QUEUES);
	if (!ndev)
		return -ENOMEM;
	SET_NETDEV_DEV(ndev, &hdev->device);
	hv_set_drvdata(hdev, ndev);
	/* Our xmit and address-list sync call into the VF's, which take
	 * locks of the same kind: ours get a lockdep class of their own
	 */
	netdev_lockdep_set_classes(ndev);

	priv = netdev_priv(ndev);
	priv->hdev = hdev;
	priv->ring_bytes = nvsc_ring_len;
	priv->msg_enable = netif_msg_init(debug, NVSC_DEFAULT_MSG);
	/* As many queues as CPUs, up to 8; the host may grant fewer */
	priv->want_queues = min_t(u32, NVSC_DEFAULT_QUEUES, num_online_cpus());
	nvsc_netdev_setup(ndev);
	priv->vf_stats = netdev_alloc_pcpu_stats(struct nvsc_vf_stats);
	if (!priv->vf_stats) {
		ret = -ENOMEM;
		goto free_netdev;
	}

	ret = nvsc_attach(priv, ETH_DATA_LEN);
	if (ret) {
		dev_err(&hdev->device, "cannot bring the NIC up: %d\n", ret);
		goto free_netdev;
	}

	ndev->mtu = min_t(u32, ETH_DATA_LEN, priv->chan->host.max_frame);
	if (ndev->mtu < ETH_MIN_MTU)
		ndev->mtu = ETH_DATA_LEN;
	if (priv->chan->host.nvsp_ver < NVSP_VER_2)
		ndev->max_mtu = ETH_DATA_LEN;
	if (is_valid_ether_addr(priv->chan->host.mac)) {
		eth_hw_addr_set(ndev, priv->chan->host.mac);
	} else {
		dev_warn(&hdev->device, "host gave an invalid MAC %pM\n",
			 priv->chan->host.mac);
		eth_hw_addr_random(ndev);
	}
	nvsc_set_hw_features(priv);
	priv->headroom = ndev->needed_headroom;
	netif_carrier_off(ndev);
	/* ethtool -l's maximum, and the per-queue counters, stay fixed */
	priv->max_queues = 1;
	if (priv->chan->host.nvsp_ver >= NVSP_VER_5)
		priv->max_queues = min3(priv->chan->host.rss_queues,
					num_online_cpus(),
					(u32)NVSC_MAX_QUEUES);
	priv->want_queues = min(priv->want_queues, priv->max_queues);

	ret = register_netdev(ndev);
	if (ret) {
		dev_err(&hdev->device, "cannot register the device: %d\n",
			ret);
		goto detach;
	}
	if (priv->chan->host.friendly_name[0])
		dev_set_alias(ndev, priv->chan->host.friendly_name,
			      strlen(priv->chan->host.friendly_name));
	nvsc_vf_probe(priv);
	return 0;

detach:
	nvsc_detach(priv);
free_netdev:
	/* Host indications may have queued work: NAPI is off by now */
	cancel_delayed_work_sync(&priv->link_work);
	cancel_work_sync(&priv->rx_mode_work);
	cancel_delayed_work_sync(&priv->vf_work);
	nvsc_napi_del(priv);
	hv_set_drvdata(hdev, NULL);
	free_percpu(priv->vf_stats);
	free_netdev(ndev);
	return ret;
}

/**
 * nvsc_remove() - the NIC goes away (unload, unbind or rescind)
 * @hdev: the VMBus device
 *
 * Return: 0.
 */
static nvsc_remove_ret_t nvsc_remove(struct hv_device *hdev)
{
	struct net_device *ndev = hv_get_drvdata(hdev);
	struct nvsc_priv *priv;

	if (!ndev)
		return NVSC_REMOVE_RET;
	priv = netdev_priv(ndev);

	/* The VF goes back to being a device of its own first */
	nvsc_vf_remove(priv);
	/* No ndo call after this; ndo_stop has cleared the filter */
	unregister_netdev(ndev);

	rtnl_lock();
	nvsc_detach(priv);
	rtnl_unlock();

	/* NAPI is disabled: no host indication can queue work any more */
	cancel_delayed_work_sync(&priv->link_work);
	cancel_work_sync(&priv->rx_mode_work);
	cancel_delayed_work_sync(&priv->vf_work);

	nvsc_napi_del(priv);
	hv_set_drvdata(hdev, NULL);
	free_percpu(priv->vf_stats);
	free_netdev(ndev);
	return NVSC_REMOVE_RET;
}

/**
 * nvsc_hv_suspend() - VMBus suspend (hibernation): close the channel
 * @hdev: the VMBus device
 *
 * Return: 0.
 */
static int nvsc_hv_suspend(struct hv_device *hdev)
{
	struct net_device *ndev = hv_get_drvdata(hdev);

	nvsc_suspend(netdev_priv(ndev));
	return 0;
}

/**
 * nvsc_hv_resume() - VMBus resume: negotiate with the host again
 * @hdev: the VMBus device
 *
 * Return: 0 or -errno.
 */
static int nvsc_hv_resume(struct hv_device *hdev)
{
	struct net_device *ndev = hv_get_drvdata(hdev);

	return nvsc_resume(netdev_priv(ndev));
}

static const struct hv_vmbus_device_id nvsc_id_table[] = {
	{ HV_NIC_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, nvsc_id_table);

static struct hv_driver nvsc_driver = {
	.name = NVSC_DRV_NAME,
	.id_table = nvsc_id_table,
	.probe = nvsc_probe,
	.remove = nvsc_remove,
	.suspend = nvsc_hv_suspend,
	.resume = nvsc_hv_resume,
	.driver = {
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

static int __init nvsc_init(void)
{
	int ret;

	nvsc_ring_len_init();
	ret = nvsc_vf_init();
	if (ret)
		return ret;
	ret = vmbus_driver_register(&nvsc_driver);
	if (ret)
		nvsc_vf_exit();
	return ret;
}

static void __exit nvsc_exit(void)
{
	vmbus_driver_unregister(&nvsc_driver);
	nvsc_vf_exit();
}

module_init(nvsc_init);
module_exit(nvsc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Microsoft Hyper-V network driver");
