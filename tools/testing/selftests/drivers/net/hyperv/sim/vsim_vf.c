// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: SR-IOV.  A NIC with a VF has, beside the synthetic channel,
 * a PCI function in the guest (an e1000e that scripts/vm-run puts behind a
 * PCIe root port whose slot is named after the VF's serial) and, wired to
 * it through a two-port QEMU hub, a representor: a virtio-net device that
 * the simulator takes for itself.  Frames the representor receives are the
 * ones the guest sent through its VF; they enter the vSwitch as sent by the
 * NIC.  Frames the vSwitch has for a NIC whose data path is the VF leave
 * through the representor and so arrive on the VF.
 *
 * The representor is known by its MAC address: the NIC's own with the
 * locally administered bit set.
 *
 * The host's side of the protocol: a VF association (allocated, serial)
 * after an NDIS config that asks for SR-IOV, the completion of each
 * SWITCH_DATA_PATH, and, on request through debugfs, what Azure does
 * when it takes a VF away (association 0, then the PCI function removed)
 * and gives it back (association 1, then a bus rescan).
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>

#include "vsim.h"

/* Frames from the representor waiting for the vSwitch, per NIC */
#define VSIM_VF_RXQ_MAX		1024
/*
 * How long a revoke gives the guest to leave the VF before the function
 * goes.  The kernel's driver leaves only when the VF's netdev goes down,
 * so it is still there when the removal comes; a driver that leaves on
 * the association (counted as vf_left_early) loses no frame to it.
 */
#define VSIM_VF_REVOKE_WAIT_MS	1000

static bool vsim_vf_is_rep(const struct vsim_nic *nic,
			   const struct net_device *dev)
{
	u8 mac[ETH_ALEN];

	ether_addr_copy(mac, nic->perm_mac);
	mac[0] |= 0x02;
	return dev->addr_len == ETH_ALEN && ether_addr_equal(dev->dev_addr, mac);
}

/* The representor's receive handler: a frame the guest sent on its VF */
static rx_handler_result_t vsim_vf_rep_rx(struct sk_buff **pskb)
{
	struct sk_buff *skb = skb_share_check(*pskb, GFP_ATOMIC);
	struct vsim_nic *nic;

	if (!skb)
		return RX_HANDLER_CONSUMED;
	nic = rcu_dereference(skb->dev->rx_handler_data);

	if (skb_queue_len(&nic->vf_rxq) >= VSIM_VF_RXQ_MAX) {
		atomic64_inc(&nic->stats.vf_tx_dropped);
		kfree_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	skb_queue_tail(&nic->vf_rxq, skb);
	queue_work(vsim_wq, &nic->vf_rx_work);
	return RX_HANDLER_CONSUMED;
}

/*
 * The frames the guest sent on its VF, into the vSwitch.  With bottom
 * halves off, as the channel work runs the switch: the two share its
 * locks.
 */
static void vsim_vf_rx_work(struct work_struct *work)
{
	struct vsim_nic *nic = container_of(work, struct vsim_nic, vf_rx_work);
	struct sk_buff *skb;
	int budget = 256;

	while (budget-- && (skb = skb_dequeue(&nic->vf_rxq)) != NULL) {
		skb_push(skb, skb->mac_len);
		if (skb->mac_len != ETH_HLEN || skb_linearize(skb)) {
			atomic64_inc(&nic->stats.vf_tx_dropped);
			kfree_skb(skb);
			continue;
		}
		local_bh_disable();
		vsim_switch_vf_in(nic, skb->data, skb->len,
				  skb_vlan_tag_present(skb),
				  skb_vlan_tag_get(skb));
		local_bh_enable();
		consume_skb(skb);
	}
	if (!skb_queue_empty(&nic->vf_rxq))
		queue_work(vsim_wq, &nic->vf_rx_work);
}

/**
 * vsim_vf_takes() - whether a frame for @n goes to its VF
 * @n: the NIC the frame is for
 * @dst: the frame's destination address
 *
 * Unicast to the NIC's address does while the guest has switched the data
 * path to the VF and a representor is there; broadcast and multicast only
 * when the vf_mcast knob says so.  Called under rcu_read_lock().
 */
bool vsim_vf_takes(const struct vsim_nic *n, const u8 *dst)
{
	if (READ_ONCE(n->data_path) != NVSP_DATA_PATH_VF ||
	    !rcu_access_pointer(n->vf_rep))
		return false;
	if (is_multicast_ether_addr(dst))
		return READ_ONCE(n->vf_mcast);
	return ether_addr_equal(dst, n->cur_mac);
}

/**
 * vsim_vf_xmit() - hand a frame to @n's VF, through its representor
 * @n: the NIC
 * @frame: the frame, without a VLAN tag
 * @len: its length
 * @vlan: whether a tag goes with it
 * @tci: the tag
 *
 * Called under rcu_read_lock(), with bottom halves off.
 */
void vsim_vf_xmit(struct vsim_nic *n, const u8 *frame, u32 len, bool vlan,
		  u16 tci)
{
	struct net_device *rep = rcu_dereference(n->vf_rep);
	struct sk_buff *skb;

	if (!rep)
		return;
	skb = netdev_alloc_skb(rep, len);
	if (!skb) {
		atomic64_inc(&n->stats.vf_rx_dropped);
		return;
	}
	skb_put_data(skb, frame, len);
	skb_reset_mac_header(skb);
	skb->protocol = ((const struct ethhdr *)frame)->h_proto;
	if (vlan)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), tci);
	atomic64_inc(&n->stats.vf_rx_packets);
	atomic64_add(len, &n->stats.vf_rx_bytes);
	if (dev_queue_xmit(skb) != NET_XMIT_SUCCESS)
		atomic64_inc(&n->stats.vf_rx_dropped);
}

/* Take @rep as @nic's representor; RTNL held */
static void vsim_vf_bind(struct vsim_nic *nic, struct net_device *rep)
{
	struct inet6_dev *idev = __in6_dev_get(rep);
	int err;

	ASSERT_RTNL();
	if (rtnl_dereference(nic->vf_rep))
		return;
	err = netdev_rx_handler_register(rep, vsim_vf_rep_rx, nic);
	if (err) {
		pr_warn("hv_vmbus_sim: nic%d: %s cannot be the representor: %d\n",
			nic->id, rep->name, err);
		return;
	}
	/* Its own stack stays quiet: no addresses, no router solicitations */
	if (idev)
		WRITE_ONCE(idev->cnf.disable_ipv6, 1);
	dev_hold(rep);
	rcu_assign_pointer(nic->vf_rep, rep);
	/* Nothing reaches the representor's stack, so no GRO to undo */
	rep->wanted_features &= ~(NETIF_F_GRO | NETIF_F_LRO);
	netdev_update_features(rep);
	dev_set_promiscuity(rep, 1);
	if (rep->max_mtu >= 9216)
		dev_set_mtu(rep, 9216);
	err = dev_open(rep, NULL);
	if (err)
		pr_warn("hv_vmbus_sim: nic%d: representor %s does not open: %d\n",
			nic->id, rep->name, err);
	pr_info("hv_vmbus_sim: nic%d: VF %u, representor %s\n", nic->id,
		nic->vf_serial, rep->name);
}

/* Let the representor go; RTNL held */
static void vsim_vf_unbind(struct vsim_nic *nic)
{
	struct net_device *rep = rtnl_dereference(nic->vf_rep);

	ASSERT_RTNL();
	if (!rep)
		return;
	RCU_INIT_POINTER(nic->vf_rep, NULL);
	/* Waits for the receive handlers and the senders under RCU */
	netdev_rx_handler_unregister(rep);
	dev_set_promiscuity(rep, -1);
	dev_put(rep);
}

static int vsim_vf_netdev_event(struct notifier_block *nb, unsigned long event,
				void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vsim_nic *nic, *found = NULL;

	switch (event) {
	case NETDEV_REGISTER:
		if (!net_eq(dev_net(dev), &init_net))
			break;
		/*
		 * vsim_vf_nic_del() marks a NIC dead under RTNL, which is held
		 * here, before the NIC is freed: a NIC found alive stays.
		 */
		rcu_read_lock();
		list_for_each_entry_rcu(nic, &vsim_nics, node)
			if (nic->vf_serial && !nic->vf_dead &&
			    vsim_vf_is_rep(nic, dev))
				found = nic;
		rcu_read_unlock();
		if (found)
			vsim_vf_bind(found, dev);
		break;
	case NETDEV_UNREGISTER:
		rcu_read_lock();
		list_for_each_entry_rcu(nic, &vsim_nics, node)
			if (rcu_access_pointer(nic->vf_rep) == dev)
				found = nic;
		rcu_read_unlock();
		if (found)
			vsim_vf_unbind(found);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vsim_vf_notifier = {
	.notifier_call = vsim_vf_netdev_event,
};

/**
 * vsim_vf_assoc() - send a VF association, whether the NIC has a VF or not
 * @nic: the NIC, its primary channel open
 * @allocated: 1 announces the VF, 0 withdraws it
 *
 * Return: 0, -EOPNOTSUPP before NVSP 4, -ENOTCONN with no open channel,
 * or what sending returned.
 */
int vsim_vf_assoc(struct vsim_nic *nic, bool allocated)
{
	struct nvsp_msg msg = {};
	struct vsim_chan *vc;
	int err = -ENOTCONN;

	if (READ_ONCE(nic->nvsp_ver) < NVSP_V4)
		return -EOPNOTSUPP;
	msg.type = cpu_to_le32(NVSP_VF_ASSOC);
	msg.vf.allocated = cpu_to_le32(allocated);
	msg.vf.serial = cpu_to_le32(nic->vf_serial ?: nic->id + 1);
	rcu_read_lock();
	vc = rcu_dereference(nic->chans[0]);
	if (vc)
		err = vsim_send_inband(vc, &msg, sizeof(msg));
	rcu_read_unlock();
	if (!err) {
		WRITE_ONCE(nic->vf_offered, allocated);
		atomic64_inc(&nic->stats.vf_assocs);
	}
	return err;
}

static void vsim_vf_assoc_work(struct work_struct *work)
{
	struct vsim_nic *nic = container_of(to_delayed_work(work),
					    struct vsim_nic, vf_assoc_work);

	vsim_vf_assoc(nic, true);
}

/**
 * vsim_vf_ndis_config() - the guest sent its NDIS config
 * @nic: the NIC
 * @caps: the capabilities it asked for
 *
 * A NIC with a VF announces it, as Hyper-V does, once the guest asked
 * for SR-IOV: at once, or after the vf_assoc_delay_ms fault.
 */
void vsim_vf_ndis_config(struct vsim_nic *nic, u64 caps)
{
	if (!nic->vf_serial || !(caps & NDIS_CAP_SRIOV))
		return;
	queue_delayed_work(vsim_wq, &nic->vf_assoc_work,
			   msecs_to_jiffies(READ_ONCE(nic->vf_assoc_delay_ms)));
}

static void vsim_vf_switch_work(struct work_struct *work)
{
	struct vsim_nic *nic = container_of(to_delayed_work(work),
					    struct vsim_nic, vf_switch_work);
	u64 tid = READ_ONCE(nic->vf_switch_tid);
	struct vsim_chan *vc;

	rcu_read_lock();
	vc = rcu_dereference(nic->chans[0]);
	if (vc)
		vsim_send_comp(vc, tid, NULL, 0);
	rcu_read_unlock();
}

/**
 * vsim_vf_switch() - the guest asked to switch the data path
 * @vc: the primary channel
 * @path: NVSP_DATA_PATH_SYNTHETIC or NVSP_DATA_PATH_VF
 * @reply: whether the guest asked for a completion
 * @tid: the transaction to complete
 *
 * The host switches at once; its completion may come late or never
 * (the vf_switch_delay_ms and vf_switch_drop faults).
 */
void vsim_vf_switch(struct vsim_chan *vc, u32 path, bool reply, u64 tid)
{
	struct vsim_nic *nic = vc->nic;
	u32 delay = READ_ONCE(nic->vf_switch_delay_ms);

	if (path > NVSP_DATA_PATH_VF) {
		vsim_violation(nic, "switch to data path %u", path);
		path = NVSP_DATA_PATH_SYNTHETIC;
	} else if (path == NVSP_DATA_PATH_VF && !READ_ONCE(nic->vf_offered)) {
		vsim_violation(nic, "switch to a VF the host did not offer");
	}
	WRITE_ONCE(nic->data_path, path);
	atomic64_inc(&nic->stats.vf_switches);
	if (!reply)
		return;
	if (atomic_dec_if_positive(&nic->vf_switch_drop) >= 0) {
		atomic64_inc(&nic->stats.vf_switch_dropped);
		return;
	}
	if (delay) {
		WRITE_ONCE(nic->vf_switch_tid, tid);
		atomic64_inc(&nic->stats.vf_switch_delayed);
		mod_delayed_work(vsim_wq, &nic->vf_switch_work,
				 msecs_to_jiffies(delay));
		return;
	}
	vsim_send_comp(vc, tid, NULL, 0);
}

/* The VF's PCI function, with a reference; records the bus it sits on */
static struct pci_dev *vsim_vf_pci(struct vsim_nic *nic)
{
	struct pci_dev *pdev = NULL;
	char name[12];

	snprintf(name, sizeof(name), "%u", nic->vf_serial);
	for_each_pci_dev(pdev) {
		if (pdev->slot && !strcmp(pci_slot_name(pdev->slot), name)) {
			nic->vf_domain = pci_domain_nr(pdev->bus);
			nic->vf_busnr = pdev->bus->number;
			return pdev;
		}
	}
	return NULL;
}

/* Remove the VF's PCI function, as hot removal does; vf_mutex held */
static int vsim_vf_pci_remove(struct vsim_nic *nic)
{
	struct pci_dev *pdev = vsim_vf_pci(nic);

	if (!pdev)
		return -ENODEV;
	pci_stop_and_remove_bus_device_locked(pdev);
	pci_dev_put(pdev);
	atomic64_inc(&nic->stats.vf_removed);
	return 0;
}

/* Find the VF's PCI function again, as hot add does; vf_mutex held */
static int vsim_vf_pci_rescan(struct vsim_nic *nic)
{
	struct pci_bus *bus;
	int err = -ENODEV;

	if (nic->vf_busnr < 0)
		return -ENODEV;
	pci_lock_rescan_remove();
	bus = pci_find_bus(nic->vf_domain, nic->vf_busnr);
	if (bus) {
		pci_rescan_bus(bus);
		err = 0;
	}
	pci_unlock_rescan_remove();
	if (!err)
		atomic64_inc(&nic->stats.vf_added);
	return err;
}

/**
 * vsim_vf_command() - what a debugfs knob asks of the VF
 * @nic: the NIC
 * @cmd: VSIM_VF_REVOKE (association 0, a wait for the guest to leave the
 *	VF, then the PCI function removed), VSIM_VF_OFFER (association 1,
 *	then a bus rescan) or VSIM_VF_REMOVE (the PCI function removed with
 *	no warning)
 *
 * Return: 0 or a negative errno.
 */
int vsim_vf_command(struct vsim_nic *nic, int cmd)
{
	unsigned long until;
	int err = 0;

	if (!nic->vf_serial)
		return -ENODEV;
	mutex_lock(&nic->vf_mutex);
	switch (cmd) {
	case VSIM_VF_REVOKE:
		/* Found before the guest lets go, so that the offer finds it */
		pci_dev_put(vsim_vf_pci(nic));
		err = vsim_vf_assoc(nic, false);
		if (err)
			break;
		until = jiffies + msecs_to_jiffies(VSIM_VF_REVOKE_WAIT_MS);
		while (READ_ONCE(nic->data_path) == NVSP_DATA_PATH_VF &&
		       time_before(jiffies, until))
			msleep(20);
		if (READ_ONCE(nic->data_path) != NVSP_DATA_PATH_VF)
			atomic64_inc(&nic->stats.vf_left_early);
		err = vsim_vf_pci_remove(nic);
		break;
	case VSIM_VF_OFFER:
		err = vsim_vf_assoc(nic, true);
		if (!err)
			err = vsim_vf_pci_rescan(nic);
		break;
	case VSIM_VF_REMOVE:
		err = vsim_vf_pci_remove(nic);
		break;
	default:
		err = -EINVAL;
	}
	mutex_unlock(&nic->vf_mutex);
	return err;
}

/**
 * vsim_vf_nic_init() - set up a new NIC's VF state
 * @nic: the NIC, not yet on vsim_nics
 */
void vsim_vf_nic_init(struct vsim_nic *nic)
{
	skb_queue_head_init(&nic->vf_rxq);
	INIT_WORK(&nic->vf_rx_work, vsim_vf_rx_work);
	INIT_DELAYED_WORK(&nic->vf_assoc_work, vsim_vf_assoc_work);
	INIT_DELAYED_WORK(&nic->vf_switch_work, vsim_vf_switch_work);
	mutex_init(&nic->vf_mutex);
	nic->vf_busnr = -1;
}

/**
 * vsim_vf_nic_add() - take a new NIC's representor if it is there already
 * @nic: the NIC, on vsim_nics
 */
void vsim_vf_nic_add(struct vsim_nic *nic)
{
	struct net_device *dev;

	if (!nic->vf_serial)
		return;
	rtnl_lock();
	for_each_netdev(&init_net, dev) {
		if (vsim_vf_is_rep(nic, dev)) {
			vsim_vf_bind(nic, dev);
			break;
		}
	}
	rtnl_unlock();
	mutex_lock(&nic->vf_mutex);
	pci_dev_put(vsim_vf_pci(nic));
	mutex_unlock(&nic->vf_mutex);
}

/**
 * vsim_vf_nic_del() - let a departing NIC's representor go
 * @nic: the NIC, rescinded
 */
void vsim_vf_nic_del(struct vsim_nic *nic)
{
	rtnl_lock();
	nic->vf_dead = true;
	vsim_vf_unbind(nic);
	rtnl_unlock();
	cancel_delayed_work_sync(&nic->vf_assoc_work);
	cancel_delayed_work_sync(&nic->vf_switch_work);
	cancel_work_sync(&nic->vf_rx_work);
	skb_queue_purge(&nic->vf_rxq);
}

int vsim_vf_init(void)
{
	return register_netdevice_notifier(&vsim_vf_notifier);
}

void vsim_vf_exit(void)
{
	unregister_netdevice_notifier(&vsim_vf_notifier);
}
