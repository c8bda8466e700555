/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_vmbus_sim: private state of the simulated Hyper-V host.
 */
#ifndef _VSIM_H
#define _VSIM_H

#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/skbuff.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "vsim_fuzz.h"
#include "vsim_proto.h"

#define VSIM_MAX_QUEUES		64
#define VSIM_MAX_NICS		32
#define VSIM_SEND_SECTION	6144
/* Room in a receive section for the RNDIS header and per-packet info */
#define VSIM_RX_OVERHEAD	214
/* Receive sections kept back for control replies and indications */
#define VSIM_CTL_SECTIONS	4
/* Largest guest send the host linearises: LSO frame plus headers */
#define VSIM_STREAM_MAX		(128 * 1024)
/* Per-channel scratch: the linearised send, then one LSO segment */
#define VSIM_SCRATCH_SIZE	(VSIM_STREAM_MAX + 68 * 1024)
/* Send table offset NVSP 6.0 and older hosts give: too small, see
 * vsim_send_table()
 */
#define VSIM_OLD_TABLE_OFFSET	8
/* Host messages that may wait for ring space, per channel */
#define VSIM_BACKLOG_MAX	4096

enum vsim_corrupt {
	VSIM_CORRUPT_NONE,
	VSIM_CORRUPT_XFER_OFFSET,
	VSIM_CORRUPT_XFER_COUNT,
	VSIM_CORRUPT_RANGE_COUNT,
	VSIM_CORRUPT_RNDIS_LEN,
	VSIM_CORRUPT_DATA_OFFSET,
	VSIM_CORRUPT_DATA_LEN,
	VSIM_CORRUPT_PPI_SIZE,
	VSIM_CORRUPT_PPI_OFFSET,
	VSIM_CORRUPT_NVSP_TYPE,
	VSIM_CORRUPT_TRANS_ID,
	VSIM_CORRUPT_CSUM_FAIL,	/* a good frame's checksum reported bad */
	VSIM_CORRUPT_MAX,
};

extern const char * const vsim_corrupt_names[VSIM_CORRUPT_MAX];

/* Bring-up steps the fail_step fault can make the host refuse */
enum vsim_step {
	VSIM_STEP_NONE,
	VSIM_STEP_NVSP_INIT,	/* every NVSP version, for the session */
	VSIM_STEP_RECV_BUF,
	VSIM_STEP_SEND_BUF,
	VSIM_STEP_RNDIS_INIT,
	VSIM_STEP_QUERY,	/* an RNDIS query, whatever its OID */
	VSIM_STEP_SET,		/* an RNDIS set, whatever its OID */
	VSIM_STEP_MAX,
};

extern const char * const vsim_step_names[VSIM_STEP_MAX];

/* Counters of one NIC; written with atomic64 ops from any channel worker */
struct vsim_nic_stats {
	atomic64_t tx_packets;
	atomic64_t tx_bytes;
	atomic64_t rx_packets;
	atomic64_t rx_bytes;
	atomic64_t lso_packets;
	atomic64_t lso_segments;
	atomic64_t csum_computed;
	atomic64_t thoff_bad;
	atomic64_t csum_verified;
	atomic64_t vlan_tx;
	atomic64_t vlan_rx;
	atomic64_t hash_rx;
	atomic64_t rx_drop_filter;
	atomic64_t rx_drop_no_buffer;
	atomic64_t rx_drop_too_big;
	atomic64_t ring_full;
	atomic64_t guest_eagain;
	atomic64_t completions;
	atomic64_t completions_delayed;
	atomic64_t completions_dropped;
	atomic64_t corrupted;
	atomic64_t refused_sets;
	atomic64_t early_xfers;
	atomic64_t refused_subchannels;
	atomic64_t burst_frames;
	atomic64_t failed_steps;
	atomic64_t completions_crossed;
	atomic64_t offers_skipped;
	atomic64_t offers_repeated;
	atomic64_t offers_late;
	atomic64_t closed_reads;
	/* SR-IOV: frames on the VF path, and the host's VF messages */
	atomic64_t vf_tx_packets;	/* sent by the guest through its VF */
	atomic64_t vf_tx_bytes;
	atomic64_t vf_tx_dropped;
	atomic64_t vf_rx_packets;	/* handed to the guest's VF */
	atomic64_t vf_rx_bytes;
	atomic64_t vf_rx_dropped;
	atomic64_t vf_assocs;
	atomic64_t vf_switches;
	atomic64_t vf_switch_delayed;
	atomic64_t vf_switch_dropped;
	atomic64_t vf_left_early;	/* left the VF before a revoke removed it */
	atomic64_t vf_removed;
	atomic64_t vf_added;
};

struct vsim_chan_stats {
	atomic64_t tx_packets;
	atomic64_t tx_bytes;
	atomic64_t rx_packets;
	atomic64_t rx_bytes;
	atomic64_t ring_full;
	atomic64_t guest_eagain;
};

/* A host-to-guest packet waiting for room in the inbound ring */
struct vsim_msg {
	struct list_head node;
	u32 len;		/* descriptor and body, 8-byte aligned */
	u8 data[];
};

/* A send completion held back by the delay fault */
struct vsim_delayed {
	struct list_head node;
	unsigned long due;	/* jiffies */
	u64 trans_id;
};

struct vsim_nic;

/* Why a NIC has no send buffer (vsim_nic.sbuf_gone_why) */
enum {
	VSIM_SBUF_NEVER,	/* the guest never gave one */
	VSIM_SBUF_REVOKED,	/* NVSP_REVOKE_SEND_BUF */
	VSIM_SBUF_TORN_DOWN,	/* its GPADL went away */
};

/* Host view of one VMBus channel (primary or subchannel) */
struct vsim_chan {
	struct vsim_nic *nic;
	struct vmbus_channel *ch;
	u16 index;

	/* Ring pages: header page, then the data area mapped twice */
	struct page **out_pages;
	struct page **in_pages;
	unsigned int out_npages;
	unsigned int in_npages;

	/*
	 * Serialises host writers of the inbound ring and guards @backlog,
	 * @backlog_len and @open.  Taken with interrupts off.
	 */
	spinlock_t in_lock;
	struct list_head backlog;
	u32 backlog_len;
	bool open;
	/* A message the fuzzer holds back to send after the next; in_lock */
	struct vsim_msg *fuzz_held;

	/* Drains the guest's outbound ring; only one instance runs at a time */
	struct work_struct work;
	u8 *scratch;		/* used by @work only */

	/* Send completions held back by the delay fault; under @in_lock */
	struct list_head delayed;
	struct delayed_work delay_work;

	struct vsim_chan_stats stats;
	struct dentry *dir;
};

/* The RSS state the guest programmed, replaced as a whole under RCU */
struct vsim_rss {
	struct rcu_head rcu;
	bool enabled;
	u32 hash_info;
	u32 table_len;		/* entries */
	u8 key[RSS_KEY_LEN];
	u32 table[RSS_TABLE_MAX];
};

struct vsim_nic {
	struct list_head node;	/* on vsim_nics, under vsim_lock / RCU */
	int id;
	struct hv_device hdev;
	struct vmbus_channel *primary;
	bool registered;	/* hdev is registered on the bus */
	bool gone;		/* rescinded or being removed */

	/* What the host offers: set at creation, read-only afterwards */
	u8 perm_mac[ETH_ALEN];
	u32 max_queues;
	u32 nvsp_max;
	u32 offloads;
	u32 max_mtu;

	/* Link state, written from debugfs */
	bool link_up;
	u32 speed_mbps;

	/*
	 * Control-plane state of the guest's session.  Written only by the
	 * primary channel's worker and at open/close; the data path reads
	 * single words of it without a lock.
	 */
	u32 nvsp_ver;
	u32 ndis_mtu;
	bool rndis_up;
	u32 filter;
	u8 cur_mac[ETH_ALEN];
	struct ndis_offload_set offl;
	u32 data_path;		/* NVSP_DATA_PATH_*, as the guest switched it */
	bool vf_offered;	/* a VF association was announced */
	u32 subchans;		/* allocated subchannels */

	/* Receive buffer, shared with the guest through a GPADL */
	spinlock_t rbuf_lock;	/* guards everything down to @rsec_seq */
	u8 *rbuf;
	u32 rbuf_size;
	u32 rbuf_gpadl;
	u32 rsec_size;
	u32 rsec_count;
	unsigned long *rsec_map;	/* sections in use */
	u32 *rsec_seq;		/* cookie of the run starting at a section */
	u32 rsec_next_seq;
	u32 rsec_hint;

	/* Send buffer */
	u8 *sbuf;
	u32 sbuf_size;
	u32 sbuf_gpadl;
	u32 ssec_count;
	/*
	 * Why there is no send buffer (VSIM_SBUF_*) and since when (jiffies),
	 * for the violation message of a send that names a section anyway.
	 * Written with @sbuf; read without a lock, for diagnostics only.
	 */
	u8 sbuf_gone_why;
	unsigned long sbuf_gone_at;

	struct vsim_rss __rcu *rss;

	/* Host view of each queue number, kept for the NIC's lifetime */
	struct vsim_chan *vcs[VSIM_MAX_QUEUES + 1];
	/* Open channels by queue number; slot 0 is the primary.  RCU. */
	struct vsim_chan __rcu *chans[VSIM_MAX_QUEUES + 1];
	struct vmbus_channel *sub_ch[VSIM_MAX_QUEUES + 1];
	atomic_t open_chans;

	/* Removes the NIC outside the debugfs handler that asked for it */
	struct work_struct rescind_work;

	/* Offers subchannels and sends the send table, in process context */
	struct work_struct offer_work;
	u32 offer_count;

	/* The late-offer fault: the offer of subchannel fault_sc_late is
	 * delivered fault_sc_late_ms after offer_work read the primary's
	 * callback (late_cb), as the bus's offer work can be, whatever the
	 * guest closed meanwhile.  late_lock protects late_sc and
	 * late_orphan; the primary's close makes late_sc an orphan
	 * (revoked, and freed by late_work once delivered).
	 */
	struct delayed_work late_work;
	spinlock_t late_lock;	/* late_sc, late_orphan */
	struct vmbus_channel *late_sc;
	void (*late_cb)(struct vmbus_channel *sc);
	bool late_orphan;

	struct vsim_nic_stats stats;
	atomic64_t violations;
	spinlock_t viol_lock;	/* guards @last_violation */
	char last_violation[160];

	/* Faults (see the simulator's documentation) */
	u32 fault_delay_ms;
	atomic_t fault_drop;
	bool fault_hold;
	u32 fault_refuse_oid;
	u32 fault_corrupt;
	atomic_t fault_corrupt_count;
	atomic_t fault_early_xfer;
	atomic_t fault_refuse_subchannels;
	u32 fault_burst_at_init;
	u32 fault_burst_at_halt;
	struct vsim_fuzz fuzz;
	u32 fault_step;		/* VSIM_STEP_* */
	atomic_t fault_step_skip;
	atomic_t fault_step_count;
	bool init_refused;	/* fail_step hit NVSP init in this session */
	u32 fault_cross;	/* every n-th send completion on another channel */
	u32 fault_sc_skip;	/* subchannel index never offered, 0: none */
	u32 fault_sc_dup;	/* subchannel index offered twice, 0: none */
	u32 fault_sc_late;	/* subchannel index offered late, 0: none */
	u32 fault_sc_late_ms;	/* how late */
	atomic_t cross_seq;

	/*
	 * SR-IOV (vsim_vf.c).  @vf_serial is set at creation; @vf_rep and
	 * @vf_dead are written under RTNL, @vf_rep read under RCU by the
	 * switch.  @vf_mutex serialises the revoke, offer and remove knobs
	 * and guards @vf_domain and @vf_busnr.
	 */
	bool vf_wanted;		/* the vf option */
	u32 vf_serial;		/* the VF's slot name; 0: the NIC has no VF */
	struct net_device __rcu *vf_rep;
	bool vf_dead;
	bool vf_mcast;		/* broadcast and multicast go to the VF */
	u32 vf_assoc_delay_ms;	/* fault: the association comes late */
	u32 vf_switch_delay_ms;	/* fault: switch completions come late */
	atomic_t vf_switch_drop;	/* fault: switch completions lost */
	u64 vf_switch_tid;	/* the late completion's transaction */
	struct mutex vf_mutex;
	int vf_domain;
	int vf_busnr;		/* the bus of the VF's slot, -1 until seen */
	struct sk_buff_head vf_rxq;
	struct work_struct vf_rx_work;
	struct delayed_work vf_assoc_work;
	struct delayed_work vf_switch_work;

	struct dentry *dir;
	struct dentry *chans_dir;
};

extern struct bus_type vsim_bus;
extern struct workqueue_struct *vsim_wq;
extern struct list_head vsim_nics;
extern struct mutex vsim_lock;

/* vsim_main.c */
struct vsim_nic *vsim_nic_add(const char *opts);
void vsim_nic_rescind(struct vsim_nic *nic);
struct vsim_chan *vsim_chan_of(struct vmbus_channel *ch);
bool vsim_gpadl_find(u32 handle, void **buf, u32 *size);
u32 vsim_gpadl_count(void);
__printf(2, 3) void vsim_violation(struct vsim_nic *nic, const char *fmt, ...);

/* vsim_ring.c */
int vsim_ring_alloc(struct hv_ring_buffer_info *rbi, u32 size,
		    struct page ***pages, unsigned int *npages);
void vsim_ring_free(struct hv_ring_buffer_info *rbi, struct page **pages,
		    unsigned int npages);
int vsim_ring_write_tid(struct hv_ring_buffer_info *rbi, const void *a,
			u32 alen, const void *b, u32 blen, u32 total, u64 tid);
int vsim_host_write(struct vsim_chan *vc, const void *pkt, u32 len);
int vsim_host_send(struct vsim_chan *vc, const void *pkt, u32 len);
void vsim_host_signal(struct vsim_chan *vc);
void vsim_chan_kick(struct vsim_chan *vc);

/* vsim_host.c */
void vsim_chan_work(struct work_struct *work);
void vsim_delay_work(struct work_struct *work);
void vsim_offer_work(struct work_struct *work);
int vsim_send_table(struct vsim_nic *nic, const u32 *table);
void vsim_nic_reset(struct vsim_nic *nic);
void vsim_buffers_forget(struct vsim_nic *nic, u32 gpadl);
void vsim_chan_flush(struct vsim_chan *vc);
bool vsim_step_fails(struct vsim_nic *nic, u32 step);
int vsim_send_comp(struct vsim_chan *vc, u64 trans_id, const void *body,
		   u32 len);
int vsim_send_inband(struct vsim_chan *vc, const void *body, u32 len);
int vsim_rx_alloc(struct vsim_nic *nic, u32 len, bool ctl, u64 *cookie);
void *vsim_rx_section(struct vsim_nic *nic, u64 cookie, u32 *offset)
	__must_hold(&nic->rbuf_lock);
void vsim_rx_free(struct vsim_nic *nic, u64 cookie);
int vsim_rx_post(struct vsim_chan *vc, u32 offset, u32 len, u64 cookie);
/* Transaction ID of the early transfer fault's packet; names no section */
#define VSIM_EARLY_XFER_COOKIE	(~0ULL)

/* vsim_rndis.c */
void vsim_rndis_control(struct vsim_chan *vc, const u8 *msg, u32 len);
int vsim_rndis_indicate(struct vsim_nic *nic, u32 status, const void *buf,
			u32 len);

/* vsim_switch.c */
struct vsim_meta;
void vsim_rndis_data(struct vsim_chan *vc, const u8 *buf, u32 len);
void vsim_rx_burst(struct vsim_nic *nic, u32 count);

/* vsim_switch.c, the frames of the VF path */
void vsim_switch_vf_in(struct vsim_nic *src, const u8 *frame, u32 len,
		       bool vlan, u16 tci);

/* vsim_vf.c */
enum { VSIM_VF_REVOKE, VSIM_VF_OFFER, VSIM_VF_REMOVE };
int vsim_vf_assoc(struct vsim_nic *nic, bool allocated);
bool vsim_vf_takes(const struct vsim_nic *n, const u8 *dst);
void vsim_vf_xmit(struct vsim_nic *n, const u8 *frame, u32 len, bool vlan,
		  u16 tci);
void vsim_vf_ndis_config(struct vsim_nic *nic, u64 caps);
void vsim_vf_switch(struct vsim_chan *vc, u32 path, bool reply, u64 tid);
int vsim_vf_command(struct vsim_nic *nic, int cmd);
void vsim_vf_nic_init(struct vsim_nic *nic);
void vsim_vf_nic_add(struct vsim_nic *nic);
void vsim_vf_nic_del(struct vsim_nic *nic);
int vsim_vf_init(void);
void vsim_vf_exit(void);

/* vsim_debugfs.c */
int vsim_debugfs_init(void);
void vsim_debugfs_exit(void);
void vsim_debugfs_nic_add(struct vsim_nic *nic);
void vsim_debugfs_nic_del(struct vsim_nic *nic);
void vsim_debugfs_chan_add(struct vsim_chan *vc);

#endif /* _VSIM_H */
