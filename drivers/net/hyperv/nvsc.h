/* SPDX-License-Identifier: GPL-2.0 */
/* hv_netvsc: the network device on top of the channel layer.
 */
#ifndef _NVSC_H
#define _NVSC_H

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "nvsc_chan.h"
#include "nvsc_compat.h"

#define NVSC_DRV_NAME		"hv_netvsc"

/* MTU limits: the largest frame NVSP 2 and later carry is 65535 bytes */
#define NVSC_MAX_MTU		(65535 - ETH_HLEN)
/* Largest receive and send buffers, as ethtool -g shows the maxima */
#define NVSC_RECV_BUF_MAX	(31 * 1024 * 1024)
#define NVSC_SEND_BUF_MAX	(15 * 1024 * 1024)
/* Fewest sections ethtool -G accepts either way */
#define NVSC_MIN_SECTIONS	10
/* Receive section sizes remembered, one per MTU */
#define NVSC_RSEC_SEEN		4
/* Queues at probe, at most (the host and the CPUs may give fewer) */
#define NVSC_DEFAULT_QUEUES	8

/* Copybreak defaults (bytes), as the DPDK netvsc driver has them */
#define NVSC_RX_COPYBREAK_DEFAULT	256
#define NVSC_TX_COPYBREAK_DEFAULT	512

/* rx-flow-hash: the flow types hashed on their ports (nvsc_priv.l4_hash) */
#define NVSC_L4_TCP4		BIT(0)
#define NVSC_L4_TCP6		BIT(1)
#define NVSC_L4_UDP4		BIT(2)
#define NVSC_L4_UDP6		BIT(3)
#define NVSC_L4_ALL		GENMASK(3, 0)

/* Large send is worth it only for sends of a few frames at least */
#define NVSC_LSO_MIN_SIZE	(2 * ETH_DATA_LEN)

/* Stop the queue below this much free ring (%) or these free slots */
#define NVSC_RING_STOP_PCT	10
#define NVSC_RING_WAKE_PCT	20
#define NVSC_SLOTS_STOP		4
#define NVSC_SLOTS_WAKE		64

/* Counters of the transmit path; written under the tx queue lock */
struct nvsc_tx_stats {
	struct u64_stats_sync syncp;
	u64 scattered;		/* sent as page ranges */
	u64 no_memory;		/* could not make the headers writable */
	u64 no_space;		/* no send slot, packet dropped */
	u64 too_big;		/* larger than any send can carry */
	u64 busy;		/* ring full, NETDEV_TX_BUSY returned */
	u64 send_full;		/* ring full, copied packets dropped */
	u64 stop_queue;		/* the queue was stopped */
	u64 vlan_error;		/* an in-frame VLAN tag could not be moved */
	u64 dropped;		/* every transmit drop */
	u64 ring_full;		/* the ring towards the host ran short */
	u64 no_section;		/* a frame to copy found no free send section */
	u64 csum;		/* frames sent with a checksum offload request */
	u64 lso;		/* frames sent for large send offload */
	u64 wake_queue;		/* the queue was woken */
};

/* Counters of the receive path and of the send completions that arrive
 * on this queue (whatever queue the send went out on); written in this
 * queue's NAPI only, or with every NAPI disabled
 */
struct nvsc_rx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 multicast;
	u64 broadcast;
	u64 no_memory;		/* no skb for a received frame */
	u64 dropped;
	u64 tx_packets;		/* completed sends */
	u64 tx_bytes;
	u64 tx_comp_other;	/* of them, sends of another queue */
	u64 csum_ok;		/* frames whose checksum the host verified */
	u64 csum_bad;		/* frames the host found a bad checksum in */
};

/* Frames that took the VF path, per CPU */
struct nvsc_vf_stats {
	struct u64_stats_sync syncp;
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 tx_dropped;
};

/* A send without completion for this long is given up on */
#define NVSC_TX_LOST_AGE	(2 * HZ)

/* Bits of nvsc_priv.link_flags */
enum {
	NVSC_LINK_HOST_UP,	/* the host says the medium is connected */
	NVSC_LINK_BOUNCE,	/* a network change asks for a carrier bounce */
	NVSC_LINK_RESTORE,	/* carrier is down for a bounce */
};

/* Copied packets gathered into one send section while xmit_more */
struct nvsc_agg {
	struct nvsc_txd txd;
	bool open;
	u32 used;		/* bytes of the section in use */
	u32 last;		/* offset of the last message */
	u32 msgs;
	u32 pkts;
	u32 bytes;
};

/* One queue: its NAPI, its aggregate and its counters */
struct nvsc_pq {
	struct napi_struct napi;
	struct nvsc_priv *priv;
	u32 idx;
	struct nvsc_agg agg;	/* under the tx queue lock */
	struct nvsc_tx_stats tx;	/* under the tx queue lock */
	struct nvsc_rx_stats rx;	/* in this queue's NAPI */
};

struct nvsc_priv {
	struct net_device *ndev;
	struct hv_device *hdev;
	/* Changed under RTNL with the queues stopped and NAPI disabled */
	struct nvsc_chan *chan;
	u32 ring_bytes;
	u32 msg_enable;

	/* Queues: the host's maximum (fixed at probe), the count asked
	 * for, and the count open.  All change under RTNL; num_queues is
	 * also read without it (READ_ONCE) by xmit and the tx timer, so its
	 * writers use WRITE_ONCE.
	 */
	u32 max_queues;
	u32 want_queues;
	u32 num_queues;
	/* Sections asked for with ethtool -G, 0 for the default; the size
	 * of the host's receive sections now, and the sizes it gave at the
	 * last few MTUs (next: the slot to replace); RTNL
	 */
	u32 rx_sections;
	u32 tx_sections;
	u32 rsec_size;
	struct {
		u32 mtu;
		u32 size;
	} rsec_seen[NVSC_RSEC_SEEN];
	u32 rsec_next;
	/* RSS as the user set it, given again after every reattach; RTNL */
	struct nvsc_rss rss;
	u32 l4_hash;		/* NVSC_L4_*; read by select_queue */
	/* The host's send indirection table, written by the channel */
	u32 send_table[NVSC_SEND_TABLE_SIZE];
	/* Queues the tx timer found stopped: their NAPI gives up on sends
	 * older than NVSC_TX_LOST_AGE (nvsc_chan_tx_reap()), then clears
	 * the bit
	 */
	DECLARE_BITMAP(reap, NVSC_MAX_QUEUES);
	/* Copybreak tunables (bytes), read locklessly by the data path */
	u32 rx_copybreak;
	u32 tx_copybreak;

	struct nvsc_host_errors host_err;

	/* Offloads the host offers, from its capabilities */
	bool rx_csum;		/* receive checksums asked of the host */
	bool udp4_csum;
	bool udp6_csum;

	/* The transmit queues stay stopped: the device is down or its
	 * channel is being replaced.  Written under RTNL; read by
	 * nvsc_tx_done() under the queue's lock (see nvsc_tx_off()).
	 */
	bool tx_off;

	unsigned long link_flags;
	u32 speed;		/* Mb/s, SPEED_UNKNOWN if not known */
	u8 duplex;
	struct delayed_work link_work;
	struct timer_list tx_timer; /* watches for a queue stuck stopped */
	struct work_struct rx_mode_work;

	/* SR-IOV (nvsc_vf.c).  @vf is the enslaved VF: written under RTNL,
	 * read under RCU by the transmit path.  The host's association
	 * (@vf_alloc, @vf_serial) is written by the primary queue's NAPI
	 * and read under RTNL.  @vf_path is the data path the host was
	 * last asked for, @vf_tx whether frames go out through the VF
	 * while it has carrier: both written under RTNL, @vf_tx read by
	 * xmit.  @node is on the driver's list of devices, under RTNL.
	 */
	struct net_device __rcu *vf;
	bool vf_alloc;
	u32 vf_serial;
	bool vf_path;
	bool vf_tx;
	bool vf_fresh;		/* enslaved, not set up yet; RTNL */
	u32 tso_max;		/* ours, without a VF */
	unsigned short headroom;	/* ours, without a VF */
	struct list_head node;
	struct delayed_work vf_work;
	struct nvsc_vf_stats __percpu *vf_stats;
	atomic64_t vf_no_assoc;	/* VF up before the host announced it */

	struct nvsc_pq pq[NVSC_MAX_QUEUES];
};

/* nvsc_netdev.c */
int nvsc_attach(struct nvsc_priv *priv, u32 mtu);
void nvsc_detach(struct nvsc_priv *priv);
void nvsc_netdev_setup(struct net_device *ndev);
void nvsc_set_hw_features(struct nvsc_priv *priv);
void nvsc_suspend(struct nvsc_priv *priv);
int nvsc_resume(struct nvsc_priv *priv);
int nvsc_reconfigure(struct nvsc_priv *priv, u32 mtu);
int nvsc_rss_apply(struct nvsc_priv *priv, const struct nvsc_rss *rss);
u32 nvsc_hash_info(struct nvsc_priv *priv, u32 l4_hash);
extern const struct nvsc_chan_ops nvsc_chan_ops;

/* nvsc_txrx.c */
netdev_tx_t nvsc_start_xmit(struct sk_buff *skb, struct net_device *ndev);
netdev_features_t nvsc_features_check(struct sk_buff *skb,
				      struct net_device *ndev,
				      netdev_features_t features);
u16 nvsc_select_queue(struct net_device *ndev, struct sk_buff *skb,
		      struct net_device *sb_dev);
int nvsc_poll(struct napi_struct *napi, int budget);
void nvsc_kick(void *ctx, u32 q);
void nvsc_rx(void *ctx, u32 q, const struct nvsc_rx_frame *f);
void nvsc_tx_done(void *ctx, u32 q, u32 rq, void *cookie, u32 pkts,
		  u32 bytes);
void nvsc_send_table(void *ctx, const u32 *table);
void nvsc_agg_drop(struct nvsc_priv *priv);
void nvsc_tx_timer(struct timer_list *t);

/* nvsc_vf.c */
int nvsc_vf_init(void);
void nvsc_vf_exit(void);
void nvsc_vf_probe(struct nvsc_priv *priv);
void nvsc_vf_remove(struct nvsc_priv *priv);
void nvsc_vf_assoc(void *ctx, bool allocated, u32 serial);
netdev_tx_t nvsc_vf_xmit(struct nvsc_priv *priv, struct net_device *vf,
			 struct sk_buff *skb);
void nvsc_vf_open(struct nvsc_priv *priv);
void nvsc_vf_close(struct nvsc_priv *priv);
void nvsc_vf_rx_flags(struct nvsc_priv *priv, int change);
void nvsc_vf_rx_mode(struct nvsc_priv *priv);
void nvsc_vf_features(struct nvsc_priv *priv, netdev_features_t features);
int nvsc_vf_mtu(struct nvsc_priv *priv, int mtu);
void nvsc_vf_get_stats(struct nvsc_priv *priv, struct nvsc_vf_stats *tot);
bool nvsc_is_ours(const struct net_device *ndev);
void nvsc_vf_work(struct work_struct *w);

/* nvsc_ethtool.c */
extern const struct ethtool_ops nvsc_ethtool_ops;

#endif /* _NVSC_H */
