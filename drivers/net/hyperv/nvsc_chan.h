/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The channel layer of hv_netvsc: one VMBus channel to the host, NVSP on
 * it, the shared receive and send buffers, and RNDIS on top.  It knows
 * nothing of sk_buffs or net_device operations: the layer above hands it
 * bytes and page ranges, and gets frames and events back through
 * struct nvsc_chan_ops.
 */
#ifndef _NVSC_CHAN_H
#define _NVSC_CHAN_H

#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/if_vlan.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "nvsp_wire.h"
#include "rndis_wire.h"

/* Receive buffer: 16 MiB, 31 MiB at most (15 MiB before NVSP 2) */
#define NVSC_RECV_BUF_SIZE		(16 * 1024 * 1024)
#define NVSC_RECV_SECTION_DEFAULT	1728
/* Send buffer: 170 sections of 6144 bytes */
#define NVSC_SEND_SECTION_DEFAULT	6144
#define NVSC_SEND_SECTIONS_DEFAULT	170
#define NVSC_SEND_BUF_SIZE \
	(NVSC_SEND_SECTION_DEFAULT * NVSC_SEND_SECTIONS_DEFAULT)

/* Largest frame either way: 65535 bytes and a VLAN tag */
#define NVSC_MAX_FRAME			(65535 + VLAN_HLEN)

/* Smallest section size the driver accepts from the host */
#define NVSC_MIN_SECTION		68

/* Sends in flight at most, and the header room each one owns */
#define NVSC_TX_SLOTS			1024
#define NVSC_TX_HDR_SIZE		256

/* Page ranges one send may carry */
#define NVSC_MAX_RANGES			(MAX_SKB_FRAGS + 2)

/* Queues (VMBus channels: the primary and its subchannels) at most */
#define NVSC_MAX_QUEUES			64
/* Entries of the host's send indirection table */
#define NVSC_SEND_TABLE_SIZE		16
/* RSS: Toeplitz key length, and table size when the host gives none */
#define NVSC_RSS_KEY_LEN		40
#define NVSC_RSS_TABLE_DEFAULT		128
#define NVSC_RSS_TABLE_MAX		256

/* Ring size per direction, in 4 KiB pages, unless the module says else */
#define NVSC_RING_PAGES_DEFAULT		128
#define NVSC_RING_PAGES_MIN		64
/* Most VMBus can give: both rings of a channel in one allocation of at
 * most 4 MiB (a page order of 10)
 */
#define NVSC_RING_PAGES_MAX		512

/* Host errors the channel layer counts, from any context; ethtool -S */
struct nvsc_host_errors {
	atomic64_t bad_packet;	/* unknown or malformed VMBus packet */
	atomic64_t bad_completion; /* completion for no send of ours */
	atomic64_t bad_xfer;	/* transfer-page packet out of bounds */
	atomic64_t bad_rndis;	/* RNDIS message with a bad length */
	atomic64_t bad_data;	/* data offset or length out of bounds */
	atomic64_t bad_ppi;	/* per-packet info out of bounds */
	atomic64_t bad_reply;	/* RNDIS reply that matches no request */
	atomic64_t comp_busy;	/* receive completion deferred: ring full */
	atomic64_t comp_lost;	/* receive completion dropped */
	atomic64_t send_failed;	/* the host failed one of our sends */
	atomic64_t send_timeout; /* sends given up on: no completion */
	atomic64_t bad_table;	/* malformed send indirection table */
	atomic64_t bad_early_xfer; /* received data before the receive buffer */
	atomic64_t bad_subchannel; /* subchannel offer repeated, unasked or
				    * past a gap in the numbering
				    */
	atomic64_t bad_vf;	/* malformed VF association */
	atomic64_t switch_timeout; /* no completion of a data path switch */
};

/* One received frame, as the host described it */
struct nvsc_rx_frame {
	const u8 *data;
	u32 len;
	u32 csum;		/* RNDIS_RXCSUM_* when has_csum */
	u32 hash;
	u16 vlan_tci;
	bool has_csum;
	bool has_vlan;
	bool has_hash;
};

/* One physically contiguous piece of a frame */
struct nvsc_range {
	phys_addr_t addr;
	u32 len;
};

/**
 * struct nvsc_chan_ops - what the channel layer calls back
 * @kick: the host signalled queue @q; hard interrupt context
 * @rx: a data frame arrived on queue @q; from nvsc_chan_poll()
 * @tx_done: a send on queue @q finished, told on queue @rq (whose poller
 *	runs the call; the host may complete a send on another queue than
 *	its own); @cookie, @pkts and @bytes as posted
 * @status: an RNDIS status indication (link, speed); from nvsc_chan_poll()
 * @send_table: the host's send indirection table changed (NVSC_SEND_TABLE_SIZE
 *	queue numbers, each below NVSC_MAX_QUEUES); NAPI or process context
 * @vf_assoc: the host announced (@allocated) or withdrew a VF, whose PCI
 *	slot is named @serial; from nvsc_chan_poll()
 */
struct nvsc_chan_ops {
	void (*kick)(void *ctx, u32 q);
	void (*rx)(void *ctx, u32 q, const struct nvsc_rx_frame *f);
	void (*tx_done)(void *ctx, u32 q, u32 rq, void *cookie, u32 pkts,
			u32 bytes);
	void (*status)(void *ctx, u32 status, const void *buf, u32 len);
	void (*send_table)(void *ctx, const u32 *table);
	void (*vf_assoc)(void *ctx, bool allocated, u32 serial);
};

/* A send being prepared: a slot, and a send section if one was asked for */
struct nvsc_txd {
	u32 slot;
	u32 section;		/* NVSP_NO_SECTION if none */
	u8 *buf;		/* the section, or the slot's header room */
	u32 room;		/* bytes available at @buf */
};

struct nvsc_tx_slot {
	void *cookie;
	/* jiffies of the reservation, then of the post (WRITE_ONCE: read
	 * under tx_lock by the reaper and nvsc_chan_tx_lost())
	 */
	unsigned long posted;
	u32 section;
	u32 pkts;
	u32 bytes;
	u16 gen;
	u8 queue;		/* the queue the send was posted on */
	bool busy;
	bool lost;		/* counted in send_timeout; under tx_lock */
};

/* What the host told us about itself during bring-up */
struct nvsc_host_info {
	u32 nvsp_ver;
	u32 max_frame;		/* OID_GEN_MAXIMUM_FRAME_SIZE */
	u32 link_speed;		/* Mb/s, 0 if unknown */
	bool link_up;
	u8 mac[6];
	struct ndis_offload_caps caps;
	u32 caps_len;
	char friendly_name[128];
	/* RSS capabilities; rss_queues < 2 means a single queue */
	u32 rss_queues;
	u32 rss_table_size;
	u32 rss_caps;
};

/* RSS parameters as the layer above wants them; hash_info: NDIS_HASH_* */
struct nvsc_rss {
	u8 key[NVSC_RSS_KEY_LEN];
	u32 table[NVSC_RSS_TABLE_MAX];
	u32 table_size;
	u32 hash_info;
};

struct nvsc_chan;

/* One VMBus channel: queue 0 is the primary, the others subchannels */
struct nvsc_queue {
	struct nvsc_chan *ch;
	struct vmbus_channel *vmch;
	u32 idx;
	bool open;

	/* Receive completions not sent yet: those of the current poll, and
	 * those the ring had no room for; NAPI only
	 */
	u64 *rcomp;
	u32 rcomp_size;
	u32 rcomp_head;
	u32 rcomp_tail;
	u32 rcomp_fresh;	/* queued by this poll, at the head end */

	/* Scratch for a page-range descriptor; under the tx queue lock */
	u8 *mpb;
	/* Sends posted on this queue and not completed; under tx_lock */
	u32 in_flight;
};

struct nvsc_chan {
	struct hv_device *hdev;
	struct vmbus_channel *vmch;
	const struct nvsc_chan_ops *ops;
	void *ctx;
	u32 ring_bytes;
	u32 ndis_mtu;
	struct nvsc_host_info host;
	/* vmbus_open() succeeded and vmbus_close() has not run yet */
	bool opened;
	/* While the channel is being brought up: the jiffies by which the
	 * host must have answered every request of the bring-up, so that a
	 * host that drops replies holds RTNL for one budget, not one
	 * timeout per step; 0 once up.  Only the opener (RTNL or probe)
	 * reads and writes it.
	 */
	unsigned long open_deadline;

	/* Receive buffer, read in NAPI once rx_ready is set */
	void *rbuf;
	u32 rbuf_size;
	struct vmbus_gpadl rbuf_gpadl;
	u32 rsec_size;
	u32 rsec_count;
	bool rx_ready;
	/* Buffer sizes the layer above asks for, 0 for the default, and
	 * the receive section size want_rbuf was computed for
	 */
	u32 want_rbuf;
	u32 want_sbuf;
	u32 want_rsec_size;

	/* Queues: want_queues asked for, num_queues open (set once by
	 * nvsc_chan_open_queues(), which also returns it: the layer above
	 * keeps its own copy); sc_seen counts subchannels the offer
	 * callback handled, and it wakes sc_wait for each.
	 */
	struct nvsc_queue q[NVSC_MAX_QUEUES];
	u32 want_queues;
	u32 num_queues;
	u32 sc_want;
	atomic_t sc_seen;
	wait_queue_head_t sc_wait;
	/* In the list of channels awaiting subchannel offers (nvsc_chan.c),
	 * under its lock, which also orders an offer's open of a queue
	 * against the final count: no subchannel opens after
	 * nvsc_chan_open_queues() has counted them
	 */
	struct list_head sc_node;

	/* Send buffer */
	void *sbuf;
	u32 sbuf_size;
	struct vmbus_gpadl sbuf_gpadl;
	u32 ssec_size;
	u32 ssec_count;
	bool tx_ready;

	/* Protects the send slots, their free stack and the send-section
	 * bitmap: taken by xmit, by control requests and by completions in
	 * NAPI, all in process or softirq context.
	 */
	spinlock_t tx_lock;
	unsigned long *ssec_map;
	u32 ssec_free;
	struct nvsc_tx_slot *slots;
	u32 *slot_free;
	u32 nslot_free;
	u8 *hdr_room;		/* NVSC_TX_HDR_SIZE bytes per slot */

	/* NVSP control request in flight, at most one */
	struct mutex ctl_mutex;	/* serialises NVSP control requests */
	spinlock_t ctl_lock;	/* protects ctl_tid, ctl_empty and ctl_reply */
	u64 ctl_tid;
	bool ctl_empty;		/* the awaited completion may be empty */
	u64 ctl_seq;
	struct nvsp_msg ctl_reply;
	struct completion ctl_done;

	/* RNDIS request in flight, at most one */
	struct mutex rndis_mutex; /* serialises RNDIS requests */
	spinlock_t rndis_lock;	/* protects rndis_req_id, rndis_reply* */
	u32 rndis_req_id;
	u32 rndis_next_id;
	u32 rndis_reply_type;
	u8 *rndis_reply;
	u32 rndis_reply_len;
	struct completion rndis_done;
	u32 rndis_max_pkts;
	u32 rndis_align;
	bool rndis_up;

	struct nvsc_host_errors *err;	/* owned by the layer above */
};

/* nvsc_chan.c */
int nvsc_chan_prealloc(struct nvsc_chan *ch);
void nvsc_chan_unused(struct nvsc_chan *ch);
int nvsc_chan_open(struct nvsc_chan *ch, u32 mtu);
unsigned long nvsc_ctl_wait(const struct nvsc_chan *ch);
u32 nvsc_chan_open_queues(struct nvsc_chan *ch);
void nvsc_chan_close_queues(struct nvsc_chan *ch, u32 n);
void nvsc_chan_quiesce(struct nvsc_chan *ch);
void nvsc_chan_close(struct nvsc_chan *ch);
void nvsc_chan_irq_mask(struct nvsc_chan *ch, u32 q);
bool nvsc_chan_irq_unmask(struct nvsc_chan *ch, u32 q);
int nvsc_chan_switch_path(struct nvsc_chan *ch, bool vf);
/* How long a data path switch waits for the host's completion */
#define NVSC_SWITCH_WAIT	HZ
int nvsc_chan_poll(struct nvsc_chan *ch, u32 q, int budget, bool *more);
int nvsc_chan_tx_get(struct nvsc_chan *ch, u32 q, bool section,
		     struct nvsc_txd *t);
void nvsc_chan_tx_put(struct nvsc_chan *ch, struct nvsc_txd *t);
int nvsc_chan_tx_post(struct nvsc_chan *ch, u32 q, struct nvsc_txd *t,
		      u32 type, u32 used, const struct nvsc_range *r, u32 nr,
		      void *cookie, u32 pkts, u32 bytes);
u32 nvsc_chan_tx_reap(struct nvsc_chan *ch, u32 q, unsigned long age);
u32 nvsc_chan_tx_lost(struct nvsc_chan *ch, unsigned long age);
u32 nvsc_chan_tx_free_slots(struct nvsc_chan *ch);
u32 nvsc_chan_ring_free_pct(struct nvsc_chan *ch, u32 q);
u32 nvsc_chan_in_flight(struct nvsc_chan *ch, u32 q);

/* nvsc_rndis.c */
int nvsc_rndis_start(struct nvsc_chan *ch);
void nvsc_rndis_halt(struct nvsc_chan *ch);
int nvsc_rndis_set_filter(struct nvsc_chan *ch, u32 filter);
int nvsc_rndis_set_offloads(struct nvsc_chan *ch,
			    const struct ndis_offload_params *p);
int nvsc_rndis_set_mac(struct nvsc_chan *ch, const u8 *mac);
int nvsc_rndis_rss_caps(struct nvsc_chan *ch);
int nvsc_rndis_set_rss(struct nvsc_chan *ch, const struct nvsc_rss *rss);
void nvsc_rndis_recv(struct nvsc_chan *ch, u32 q, const u8 *msg, u32 len);

#endif /* _NVSC_CHAN_H */
