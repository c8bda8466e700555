// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: the bus, the synthetic NICs and the host side of the
 * exported VMBus calls.
 */
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vsim.h"
#include "vsim_api.h"

static unsigned int nics = 2;
module_param(nics, uint, 0444);
MODULE_PARM_DESC(nics, "Synthetic NICs offered at load (default 2)");

static unsigned int queues = 8;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "Default receive queues per NIC (1-64, default 8)");

static unsigned int vfs;
module_param(vfs, uint, 0444);
MODULE_PARM_DESC(vfs, "How many of the NICs offered at load have a VF (default 0)");

static unsigned int nvsp = NVSP_V61;
module_param(nvsp, uint, 0444);
MODULE_PARM_DESC(nvsp, "Default highest NVSP version (default 0x60001)");

struct workqueue_struct *vsim_wq;
LIST_HEAD(vsim_nics);
/* Guards vsim_nics (writers), vsim_next_id and NIC creation/removal */
DEFINE_MUTEX(vsim_lock);
static int vsim_next_id;
static bool vsim_bus_up;

/* GPADLs the guest established: handle to buffer */
struct vsim_gpadl {
	struct list_head node;
	u32 handle;
	void *buf;
	u32 size;
};

static LIST_HEAD(vsim_gpadls);
/* Guards vsim_gpadls and vsim_next_gpadl */
static DEFINE_SPINLOCK(vsim_gpadl_lock);
static u32 vsim_next_gpadl = 0xe1e10;

static const guid_t vsim_nic_type =
	GUID_INIT(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f,
		  0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e);

void vsim_violation(struct vsim_nic *nic, const char *fmt, ...)
{
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10);
	unsigned long flags;
	va_list args;

	atomic64_inc(&nic->violations);
	spin_lock_irqsave(&nic->viol_lock, flags);
	va_start(args, fmt);
	vsnprintf(nic->last_violation, sizeof(nic->last_violation), fmt,
		  args);
	va_end(args);
	spin_unlock_irqrestore(&nic->viol_lock, flags);
	if (__ratelimit(&rs))
		pr_warn("hv_vmbus_sim: nic%d: guest violation: %s\n", nic->id,
			nic->last_violation);
}

struct vsim_chan *vsim_chan_of(struct vmbus_channel *ch)
{
	return ch->per_channel_state;
}

/* Bus */

static const struct hv_vmbus_device_id *
vsim_match_id(struct hv_driver *drv, const guid_t *type)
{
	const struct hv_vmbus_device_id *id = drv->id_table;

	for (; id && !guid_is_null(&id->guid); id++)
		if (guid_equal(&id->guid, type))
			return id;
	return NULL;
}

static int vsim_bus_match(struct device *dev, struct device_driver *drv)
{
	struct hv_device *hdev = device_to_hv_device(dev);

	return !!vsim_match_id(drv_to_hv_drv(drv), &hdev->dev_type);
}

static int vsim_bus_probe(struct device *dev)
{
	struct hv_driver *drv = drv_to_hv_drv(dev->driver);
	struct hv_device *hdev = device_to_hv_device(dev);
	const struct hv_vmbus_device_id *id;

	id = vsim_match_id(drv, &hdev->dev_type);
	if (!id || !drv->probe)
		return -ENODEV;
	return drv->probe(hdev, id);
}

static void vsim_bus_remove(struct device *dev)
{
	struct hv_driver *drv = drv_to_hv_drv(dev->driver);

	if (drv->remove)
		drv->remove(device_to_hv_device(dev));
}

static void vsim_bus_shutdown(struct device *dev)
{
	struct hv_driver *drv;

	if (!dev->driver)
		return;
	drv = drv_to_hv_drv(dev->driver);
	if (drv->shutdown)
		drv->shutdown(device_to_hv_device(dev));
}

static int vsim_bus_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct hv_device *hdev = device_to_hv_device(dev);

	return add_uevent_var(env, "MODALIAS=vmbus:%*phN", UUID_SIZE,
			      &hdev->dev_type);
}

struct bus_type vsim_bus = {
	.name = "vmbus",
	.match = vsim_bus_match,
	.probe = vsim_bus_probe,
	.remove = vsim_bus_remove,
	.shutdown = vsim_bus_shutdown,
	.uevent = vsim_bus_uevent,
};

static struct device *vsim_root;

int vsim_api_driver_register(struct hv_driver *drv, struct module *owner,
			     const char *mod_name)
{
	if (!vsim_bus_up)
		return -ENODEV;
	drv->driver.name = drv->name;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	drv->driver.bus = &vsim_bus;
	spin_lock_init(&drv->dynids.lock);
	INIT_LIST_HEAD(&drv->dynids.list);
	return driver_register(&drv->driver);
}

void vsim_api_driver_unregister(struct hv_driver *drv)
{
	driver_unregister(&drv->driver);
}

/* Channels */

static struct vsim_chan *vsim_chan_get(struct vsim_nic *nic, u16 index)
{
	struct vsim_chan *vc = nic->vcs[index];

	if (vc)
		return vc;
	vc = kzalloc(sizeof(*vc), GFP_KERNEL);
	if (!vc)
		return NULL;
	vc->nic = nic;
	vc->index = index;
	spin_lock_init(&vc->in_lock);
	INIT_LIST_HEAD(&vc->backlog);
	INIT_LIST_HEAD(&vc->delayed);
	INIT_WORK(&vc->work, vsim_chan_work);
	INIT_DELAYED_WORK(&vc->delay_work, vsim_delay_work);
	nic->vcs[index] = vc;
	vsim_debugfs_chan_add(vc);
	return vc;
}

static struct vmbus_channel *vsim_channel_new(struct vsim_nic *nic, u16 index)
{
	struct vmbus_channel *ch;
	struct vsim_chan *vc;

	vc = vsim_chan_get(nic, index);
	if (!vc)
		return NULL;
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return NULL;
	spin_lock_init(&ch->sched_lock);
	INIT_LIST_HEAD(&ch->sc_list);
	init_completion(&ch->rescind_event);
	spin_lock_init(&ch->outbound.ring_lock);
	spin_lock_init(&ch->inbound.ring_lock);
	mutex_init(&ch->outbound.ring_buffer_mutex);
	mutex_init(&ch->inbound.ring_buffer_mutex);
	spin_lock_init(&ch->requestor.req_lock);
	ch->offermsg.offer.if_type = vsim_nic_type;
	ch->offermsg.offer.if_instance = nic->hdev.dev_instance;
	ch->offermsg.offer.sub_channel_index = index;
	ch->offermsg.child_relid = nic->id * (VSIM_MAX_QUEUES + 1) + index + 1;
	ch->state = CHANNEL_OPEN_STATE;
	ch->target_cpu = cpumask_local_spread(index, NUMA_NO_NODE);
	ch->per_channel_state = vc;
	vc->ch = ch;
	return ch;
}

int vsim_api_open(struct vmbus_channel *ch, u32 send_size, u32 recv_size,
		  void (*cb)(void *), void *ctx)
{
	struct vsim_chan *vc = vsim_chan_of(ch);
	struct vmbus_requestor *rq = &ch->requestor;
	struct vsim_nic *nic;
	unsigned long flags;
	u32 pkt_size;
	int err;

	if (!vc || ch->state != CHANNEL_OPEN_STATE)
		return -EINVAL;
	nic = vc->nic;
	if (ch->rescind || nic->gone)
		return -ENODEV;
	if (!PAGE_ALIGNED(send_size) || !PAGE_ALIGNED(recv_size) ||
	    send_size < 2 * PAGE_SIZE || recv_size < 2 * PAGE_SIZE)
		return -EINVAL;

	err = vsim_ring_alloc(&ch->outbound, send_size, &vc->out_pages,
			      &vc->out_npages);
	if (err)
		return err;
	err = vsim_ring_alloc(&ch->inbound, recv_size, &vc->in_pages,
			      &vc->in_npages);
	if (err)
		goto free_out_ring;

	pkt_size = ch->max_pkt_size ? ch->max_pkt_size : VMBUS_DEFAULT_MAX_PKT_SIZE;
	ch->inbound.pkt_buffer = kzalloc(pkt_size, GFP_KERNEL);
	if (!ch->inbound.pkt_buffer) {
		err = -ENOMEM;
		goto free_in_ring;
	}
	ch->inbound.pkt_buffer_size = pkt_size;

	vc->scratch = vmalloc(VSIM_SCRATCH_SIZE);
	if (!vc->scratch) {
		err = -ENOMEM;
		goto free_pkt_buffer;
	}

	if (ch->rqstor_size) {
		rq->req_arr = kvcalloc(ch->rqstor_size, sizeof(u64),
				       GFP_KERNEL);
		rq->req_bitmap = bitmap_zalloc(ch->rqstor_size, GFP_KERNEL);
		if (!rq->req_arr || !rq->req_bitmap) {
			err = -ENOMEM;
			goto free_requestor;
		}
		rq->size = ch->rqstor_size;
		rq->next_request_id = 0;
	}

	if (!vc->index)
		vsim_nic_reset(nic);

	spin_lock_irqsave(&ch->sched_lock, flags);
	ch->onchannel_callback = cb;
	ch->channel_callback_context = ctx;
	spin_unlock_irqrestore(&ch->sched_lock, flags);

	ch->state = CHANNEL_OPENED_STATE;
	spin_lock_irqsave(&vc->in_lock, flags);
	vc->open = true;
	spin_unlock_irqrestore(&vc->in_lock, flags);
	rcu_assign_pointer(nic->chans[vc->index], vc);
	atomic_inc(&nic->open_chans);
	return 0;

free_requestor:
	kvfree(rq->req_arr);
	bitmap_free(rq->req_bitmap);
	rq->req_arr = NULL;
	rq->req_bitmap = NULL;
	vfree(vc->scratch);
	vc->scratch = NULL;
free_pkt_buffer:
	kfree(ch->inbound.pkt_buffer);
	ch->inbound.pkt_buffer = NULL;
free_in_ring:
	vsim_ring_free(&ch->inbound, vc->in_pages, vc->in_npages);
free_out_ring:
	vsim_ring_free(&ch->outbound, vc->out_pages, vc->out_npages);
	return err;
}

/* Work runs a ring can take from a closing guest (64 packets each) */
#define VSIM_DRAIN_ROUNDS	64

/*
 * What the guest wrote before it closed the channel (the revokes of its
 * buffers, typically) is still read, as a host reads a ring in order.
 * Bounded: a guest that keeps writing, or a held ring, does not stall us.
 */
static void vsim_chan_drain(struct vsim_chan *vc)
{
	struct hv_ring_buffer *rb = vc->ch->outbound.ring_buffer;
	int i;

	for (i = 0; i < VSIM_DRAIN_ROUNDS; i++) {
		u32 wr;

		/* Pairs with the guest's release of what it wrote */
		wr = smp_load_acquire(&rb->write_index);
		if (READ_ONCE(rb->read_index) == wr ||
		    READ_ONCE(vc->nic->fault_hold))
			break;
		queue_work(vsim_wq, &vc->work);
		flush_work(&vc->work);
	}
}

/* Stop the host side of one channel and release its rings */
static void vsim_chan_close(struct vsim_chan *vc)
{
	struct vmbus_channel *ch = vc->ch;
	struct vmbus_requestor *rq = &ch->requestor;
	struct vsim_delayed *d, *dn;
	struct vsim_msg *m, *mn;
	unsigned long flags;
	LIST_HEAD(drop);

	if (ch->state != CHANNEL_OPENED_STATE)
		return;
	vsim_chan_drain(vc);

	spin_lock_irqsave(&vc->in_lock, flags);
	vc->open = false;
	list_splice_init(&vc->backlog, &drop);
	vc->backlog_len = 0;
	if (vc->fuzz_held)
		list_add_tail(&vc->fuzz_held->node, &drop);
	vc->fuzz_held = NULL;
	spin_unlock_irqrestore(&vc->in_lock, flags);

	spin_lock_irqsave(&ch->sched_lock, flags);
	ch->onchannel_callback = NULL;
	spin_unlock_irqrestore(&ch->sched_lock, flags);

	RCU_INIT_POINTER(vc->nic->chans[vc->index], NULL);
	synchronize_rcu();
	cancel_work_sync(&vc->work);
	cancel_delayed_work_sync(&vc->delay_work);

	list_for_each_entry_safe(m, mn, &drop, node)
		kfree(m);
	list_for_each_entry_safe(d, dn, &vc->delayed, node) {
		list_del(&d->node);
		kfree(d);
	}

	kvfree(rq->req_arr);
	bitmap_free(rq->req_bitmap);
	rq->req_arr = NULL;
	rq->req_bitmap = NULL;
	rq->size = 0;
	vfree(vc->scratch);
	vc->scratch = NULL;
	kfree(ch->inbound.pkt_buffer);
	ch->inbound.pkt_buffer = NULL;
	vsim_ring_free(&ch->inbound, vc->in_pages, vc->in_npages);
	vsim_ring_free(&ch->outbound, vc->out_pages, vc->out_npages);
	ch->state = CHANNEL_OPEN_STATE;
	atomic_dec(&vc->nic->open_chans);
}

/* The host revokes a primary's subchannels when the primary closes */
static void vsim_subchans_destroy(struct vsim_nic *nic)
{
	u32 i;

	for (i = 1; i <= VSIM_MAX_QUEUES; i++) {
		struct vmbus_channel *sc = nic->sub_ch[i];

		if (!sc)
			continue;
		vsim_chan_close(nic->vcs[i]);
		list_del(&sc->sc_list);
		nic->vcs[i]->ch = NULL;
		nic->sub_ch[i] = NULL;
		spin_lock(&nic->late_lock);
		if (sc == nic->late_sc) {
			/* Its offer is still on its way: revoke it, and
			 * leave its free to vsim_late_work()
			 */
			sc->rescind = true;
			sc->per_channel_state = NULL;
			nic->late_orphan = true;
			sc = NULL;
		}
		spin_unlock(&nic->late_lock);
		kfree(sc);
	}
	nic->subchans = 0;
}

void vsim_api_close(struct vmbus_channel *ch)
{
	struct vsim_chan *vc = vsim_chan_of(ch);
	struct vsim_nic *nic;

	if (!vc)
		return;
	nic = vc->nic;
	if (vc->index) {
		vsim_chan_close(vc);
		return;
	}
	flush_work(&nic->offer_work);
	vsim_subchans_destroy(nic);
	vsim_chan_close(vc);
	ch->sc_creation_callback = NULL;
	nic->rndis_up = false;
}

/* The late-offer fault: deliver the offer offer_work held back, with the
 * callback it read then (process context)
 */
static void vsim_late_work(struct work_struct *work)
{
	struct vsim_nic *nic = container_of(to_delayed_work(work),
					    struct vsim_nic, late_work);
	struct vmbus_channel *sc = nic->late_sc;
	void (*cb)(struct vmbus_channel *sc) = nic->late_cb;

	if (!sc)
		return;
	atomic64_inc(&nic->stats.offers_late);
	/* Not under late_lock: the primary's close may run meanwhile */
	if (cb)
		cb(sc);
	spin_lock(&nic->late_lock);
	nic->late_sc = NULL;
	nic->late_cb = NULL;
	if (!nic->late_orphan)
		sc = NULL;
	nic->late_orphan = false;
	spin_unlock(&nic->late_lock);
	kfree(sc);
}

/* Create subchannels 1..count and hand them to the guest (process context) */
void vsim_offer_work(struct work_struct *work)
{
	struct vsim_nic *nic = container_of(work, struct vsim_nic, offer_work);
	struct vmbus_channel *primary = nic->primary;
	u32 skip = READ_ONCE(nic->fault_sc_skip);
	u32 dup = READ_ONCE(nic->fault_sc_dup);
	u32 late = READ_ONCE(nic->fault_sc_late);
	u32 late_ms = READ_ONCE(nic->fault_sc_late_ms);
	u32 i, n = nic->offer_count;
	u32 table[NVSP_SEND_TABLE_SIZE];

	for (i = 1; i <= n; i++) {
		struct vmbus_channel *sc;

		if (i == skip) {
			/* The subchannel fault: a gap in the numbering */
			atomic64_inc(&nic->stats.offers_skipped);
			continue;
		}
		if (nic->sub_ch[i] || vsim_fuzz_offer(nic, i))
			continue;
		sc = vsim_channel_new(nic, i);
		if (!sc)
			break;
		sc->primary_channel = primary;
		list_add_tail(&sc->sc_list, &primary->sc_list);
		nic->sub_ch[i] = sc;
		nic->subchans = i;
		if (i == late && !delayed_work_pending(&nic->late_work) &&
		    !nic->late_sc) {
			/* The late-offer fault: the callback is read now
			 * and called later
			 */
			spin_lock(&nic->late_lock);
			nic->late_sc = sc;
			nic->late_cb = primary->sc_creation_callback;
			nic->late_orphan = false;
			spin_unlock(&nic->late_lock);
			queue_delayed_work(vsim_wq, &nic->late_work,
					   msecs_to_jiffies(late_ms));
			continue;
		}
		if (primary->sc_creation_callback)
			primary->sc_creation_callback(sc);
		/* The subchannel fault: the same offer once more */
		if (i == dup && primary->sc_creation_callback) {
			atomic64_inc(&nic->stats.offers_repeated);
			primary->sc_creation_callback(sc);
		}
	}

	/* Spread the guest's transmit queues over all open channels */
	n = nic->subchans + 1;
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		table[i] = i % n;
	vsim_send_table(nic, table);
}

/**
 * vsim_send_table() - give the guest a send indirection table
 * @nic: the NIC, its primary channel open
 * @table: NVSP_SEND_TABLE_SIZE channel numbers
 *
 * Return: 0, -ENOTCONN when the primary channel is not open, or what
 * sending it returned.
 */
int vsim_send_table(struct vsim_nic *nic, const u32 *table)
{
	struct nvsp_msg msg = {};
	__le32 wire[NVSP_SEND_TABLE_SIZE];
	u8 buf[sizeof(msg) + sizeof(wire)];
	u32 i, at, len;

	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		wire[i] = cpu_to_le32(table[i]);
	msg.type = cpu_to_le32(NVSP_SEND_TABLE);
	msg.table.count = cpu_to_le32(NVSP_SEND_TABLE_SIZE);
	if (READ_ONCE(nic->nvsp_ver) <= NVSP_V6) {
		/*
		 * Hosts of NVSP 6.0 and older put the table after the whole
		 * 40-byte NVSP message, and give an offset that is too small:
		 * counted from the table header (8) instead of the message.
		 */
		at = sizeof(msg);
		msg.table.offset = cpu_to_le32(VSIM_OLD_TABLE_OFFSET);
		memcpy(buf, &msg, sizeof(msg));
	} else {
		at = 12;
		msg.table.offset = cpu_to_le32(at);
		memcpy(buf, &msg, at);
	}
	memcpy(buf + at, wire, sizeof(wire));
	len = at + sizeof(wire);
	if (!nic->vcs[0])
		return -ENOTCONN;
	return vsim_send_inband(nic->vcs[0], buf, len);
}

/* The guest read the inbound ring of a channel it has closed */
void vsim_api_read_closed(struct vmbus_channel *ch)
{
	struct vsim_chan *vc = vsim_chan_of(ch);

	if (!vc)
		return;
	atomic64_inc(&vc->nic->stats.closed_reads);
	vsim_violation(vc->nic, "inbound ring of closed channel %u read",
		       vc->index);
}

void vsim_api_read_done(struct vmbus_channel *ch)
{
	struct vsim_chan *vc = vsim_chan_of(ch);

	if (vc)
		vsim_chan_kick(vc);
}

int vsim_api_send(struct vmbus_channel *ch, const void *hdr, u32 hdr_len,
		  const void *body, u32 body_len, u64 requestid)
{
	const struct vmpacket_descriptor *desc = hdr;
	struct vsim_chan *vc = vsim_chan_of(ch);
	u64 rqst = VMBUS_NO_RQSTOR;
	unsigned long flags;
	u64 tid;
	int err;

	if (!vc)
		return -EINVAL;
	if (ch->rescind)
		return -ENODEV;

	spin_lock_irqsave(&ch->outbound.ring_lock, flags);
	if (ch->state != CHANNEL_OPENED_STATE) {
		spin_unlock_irqrestore(&ch->outbound.ring_lock, flags);
		return -EINVAL;
	}
	if (desc->flags == VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED &&
	    ch->next_request_id_callback) {
		rqst = ch->next_request_id_callback(ch, requestid);
		if (rqst == VMBUS_RQST_ERROR) {
			spin_unlock_irqrestore(&ch->outbound.ring_lock, flags);
			return -EAGAIN;
		}
	}
	tid = rqst == VMBUS_NO_RQSTOR ? requestid : rqst;
	err = vsim_ring_write_tid(&ch->outbound, hdr, hdr_len, body, body_len,
				  ALIGN(hdr_len + body_len, 8), tid);
	if (err && rqst != VMBUS_NO_RQSTOR)
		ch->request_addr_callback(ch, rqst);
	spin_unlock_irqrestore(&ch->outbound.ring_lock, flags);

	if (err) {
		atomic64_inc(&vc->stats.guest_eagain);
		atomic64_inc(&vc->nic->stats.guest_eagain);
		return err;
	}
	vsim_chan_kick(vc);
	return 0;
}

/* GPADLs */

int vsim_api_gpadl(struct vmbus_channel *ch, void *buf, u32 size,
		   struct vmbus_gpadl *gpadl)
{
	struct vsim_gpadl *g;

	if (!buf || !size || !PAGE_ALIGNED(size))
		return -EINVAL;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->buf = buf;
	g->size = size;
	spin_lock(&vsim_gpadl_lock);
	g->handle = vsim_next_gpadl++;
	list_add_tail(&g->node, &vsim_gpadls);
	spin_unlock(&vsim_gpadl_lock);

	gpadl->gpadl_handle = g->handle;
	gpadl->buffer = buf;
	gpadl->size = size;
	gpadl->decrypted = true;
	return 0;
}

/* GPADLs established and not torn down yet, of all NICs */
u32 vsim_gpadl_count(void)
{
	struct vsim_gpadl *g;
	u32 n = 0;

	spin_lock(&vsim_gpadl_lock);
	list_for_each_entry(g, &vsim_gpadls, node)
		n++;
	spin_unlock(&vsim_gpadl_lock);
	return n;
}

bool vsim_gpadl_find(u32 handle, void **buf, u32 *size)
{
	struct vsim_gpadl *g;
	bool found = false;

	spin_lock(&vsim_gpadl_lock);
	list_for_each_entry(g, &vsim_gpadls, node) {
		if (g->handle == handle) {
			*buf = g->buf;
			*size = g->size;
			found = true;
			break;
		}
	}
	spin_unlock(&vsim_gpadl_lock);
	return found;
}

int vsim_api_gpadl_teardown(struct vmbus_channel *ch,
			    struct vmbus_gpadl *gpadl)
{
	struct vsim_chan *vc = vsim_chan_of(ch);
	struct vsim_gpadl *g, *found = NULL;

	spin_lock(&vsim_gpadl_lock);
	list_for_each_entry(g, &vsim_gpadls, node) {
		if (g->handle == gpadl->gpadl_handle) {
			list_del(&g->node);
			found = g;
			break;
		}
	}
	spin_unlock(&vsim_gpadl_lock);
	if (!found) {
		if (vc)
			vsim_violation(vc->nic, "teardown of unknown GPADL %#x",
				       gpadl->gpadl_handle);
		return -EINVAL;
	}
	if (vc)
		vsim_buffers_forget(vc->nic, found->handle);
	kfree(found);
	gpadl->gpadl_handle = 0;
	gpadl->decrypted = false;
	return 0;
}

/* NICs */

static void vsim_rescind_work(struct work_struct *work);

static void vsim_hdev_release(struct device *dev)
{
	struct vsim_nic *nic = container_of(dev, struct vsim_nic, hdev.device);
	int i;

	for (i = 0; i <= VSIM_MAX_QUEUES; i++)
		kfree(nic->vcs[i]);
	kfree(nic->primary);
	kfree(rcu_dereference_protected(nic->rss, true));
	vsim_fuzz_fini(nic);
	kfree(nic);
}

static int vsim_parse_opts(struct vsim_nic *nic, const char *opts)
{
	char *dup, *p, *word;
	int err = 0;

	if (!opts)
		return 0;
	dup = kstrdup(opts, GFP_KERNEL);
	if (!dup)
		return -ENOMEM;
	p = strim(dup);
	while (!err && (word = strsep(&p, " \t\n")) != NULL) {
		char *val = strchr(word, '=');
		u32 v;

		if (!*word)
			continue;
		if (!val) {
			err = -EINVAL;
			break;
		}
		*val++ = '\0';
		if (!strcmp(word, "fail_step")) {
			int i = match_string(vsim_step_names, VSIM_STEP_MAX,
					     val);

			if (i < 0)
				err = -EINVAL;
			else
				nic->fault_step = i;
			continue;
		}
		if (!strcmp(word, "mac")) {
			if (!mac_pton(val, nic->perm_mac) ||
			    !is_valid_ether_addr(nic->perm_mac))
				err = -EINVAL;
			continue;
		}
		err = kstrtou32(val, 0, &v);
		if (err)
			break;
		if (!strcmp(word, "queues") && v >= 1 && v <= VSIM_MAX_QUEUES)
			nic->max_queues = v;
		else if (!strcmp(word, "nvsp") &&
			 (v == NVSP_V1 || v == NVSP_V2 || v == NVSP_V4 ||
			  v == NVSP_V5 || v == NVSP_V6 || v == NVSP_V61))
			nic->nvsp_max = v;
		else if (!strcmp(word, "offloads") && v <= 0x3f)
			nic->offloads = v;
		else if (!strcmp(word, "mtu") && v >= 1500 && v <= 65521)
			nic->max_mtu = v;
		else if (!strcmp(word, "speed") && v >= 1 && v <= 400000)
			nic->speed_mbps = v;
		else if (!strcmp(word, "subchan_skip") && v <= VSIM_MAX_QUEUES)
			nic->fault_sc_skip = v;
		else if (!strcmp(word, "subchan_dup") && v <= VSIM_MAX_QUEUES)
			nic->fault_sc_dup = v;
		else if (!strcmp(word, "subchan_late") && v <= VSIM_MAX_QUEUES)
			nic->fault_sc_late = v;
		else if (!strcmp(word, "subchan_late_ms") && v <= 600000)
			nic->fault_sc_late_ms = v;
		else if (!strcmp(word, "fail_skip") && v <= INT_MAX)
			atomic_set(&nic->fault_step_skip, v);
		else if (!strcmp(word, "fail_count") && v <= INT_MAX)
			atomic_set(&nic->fault_step_count, v);
		else if (!strcmp(word, "vf") && v <= 1)
			nic->vf_wanted = v;
		else if (!strcmp(word, "vf_serial") && v >= 1 && v <= 8191)
			nic->vf_serial = v, nic->vf_wanted = true;
		else
			err = -EINVAL;
	}
	kfree(dup);
	return err;
}

struct vsim_nic *vsim_nic_add(const char *opts)
{
	struct vsim_nic *nic;
	struct device *dev;
	int err;

	nic = kzalloc(sizeof(*nic), GFP_KERNEL);
	if (!nic)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&vsim_lock);
	nic->id = vsim_next_id;
	mutex_unlock(&vsim_lock);

	/* Hyper-V's own OUI, then the NIC number */
	nic->perm_mac[0] = 0x00;
	nic->perm_mac[1] = 0x15;
	nic->perm_mac[2] = 0x5d;
	nic->perm_mac[3] = 0x51;
	nic->perm_mac[4] = (nic->id >> 8) & 0xff;
	nic->perm_mac[5] = nic->id & 0xff;
	nic->max_queues = clamp_t(u32, queues, 1, VSIM_MAX_QUEUES);
	nic->nvsp_max = nvsp;
	nic->offloads = 0x3f;
	nic->max_mtu = 65521;
	nic->speed_mbps = 100000;
	nic->link_up = true;
	err = vsim_parse_opts(nic, opts);
	if (!err)
		err = vsim_fuzz_init(nic);
	if (err) {
		vsim_fuzz_fini(nic);
		kfree(nic);
		return ERR_PTR(err);
	}
	ether_addr_copy(nic->cur_mac, nic->perm_mac);
	vsim_vf_nic_init(nic);
	spin_lock_init(&nic->rbuf_lock);
	spin_lock_init(&nic->viol_lock);
	INIT_WORK(&nic->offer_work, vsim_offer_work);
	INIT_DELAYED_WORK(&nic->late_work, vsim_late_work);
	spin_lock_init(&nic->late_lock);
	INIT_WORK(&nic->rescind_work, vsim_rescind_work);
	strscpy(nic->last_violation, "none", sizeof(nic->last_violation));

	nic->hdev.dev_type = vsim_nic_type;
	nic->hdev.dev_instance = GUID_INIT(0x5e1f0000 + nic->id, 0x1bad,
					   0x4a11, 0x9c, 0xe7, 0x53, 0x49,
					   0x4d, 0x00, 0x00, nic->id & 0xff);
	nic->hdev.vendor_id = 0x1414;
	nic->hdev.device_id = HV_NIC;

	mutex_lock(&vsim_lock);
	if (nic->id != vsim_next_id) {
		/* Another NIC was added meanwhile: take the next number */
		nic->id = vsim_next_id;
		nic->perm_mac[5] = nic->id & 0xff;
		ether_addr_copy(nic->cur_mac, nic->perm_mac);
		nic->hdev.dev_instance.b[15] = nic->id & 0xff;
		nic->hdev.dev_instance.b[0] = nic->id & 0xff;
	}
	/* A VF's slot is named after its NIC unless told otherwise */
	if (nic->vf_wanted && !nic->vf_serial)
		nic->vf_serial = nic->id + 1;
	if (!nic->vf_wanted)
		nic->vf_serial = 0;
	vsim_next_id++;

	nic->primary = vsim_channel_new(nic, 0);
	if (!nic->primary) {
		mutex_unlock(&vsim_lock);
		kfree(nic->vcs[0]);
		kfree(nic);
		return ERR_PTR(-ENOMEM);
	}
	nic->primary->device_obj = &nic->hdev;
	nic->hdev.channel = nic->primary;

	dev = &nic->hdev.device;
	dev->bus = &vsim_bus;
	dev->parent = vsim_root;
	dev->release = vsim_hdev_release;
	dev->dma_parms = &nic->hdev.dma_parms;
	nic->hdev.dma_mask = DMA_BIT_MASK(64);
	dev->dma_mask = &nic->hdev.dma_mask;
	dev->coherent_dma_mask = DMA_BIT_MASK(64);
	dev_set_name(dev, "%pUl", &nic->hdev.dev_instance);

	list_add_tail_rcu(&nic->node, &vsim_nics);
	vsim_debugfs_nic_add(nic);
	mutex_unlock(&vsim_lock);
	vsim_vf_nic_add(nic);

	/* Probing waits for host replies: the host runs on vsim_wq */
	err = device_register(dev);
	if (err) {
		pr_err("hv_vmbus_sim: nic%d: register failed: %d\n", nic->id,
		       err);
		vsim_nic_rescind(nic);
		return ERR_PTR(err);
	}
	nic->registered = true;
	return nic;
}

/* Remove a NIC as the host does: the guest's driver is unbound first */
void vsim_nic_rescind(struct vsim_nic *nic)
{
	u32 i;

	nic->gone = true;
	nic->primary->rescind = true;
	for (i = 1; i <= VSIM_MAX_QUEUES; i++)
		if (nic->sub_ch[i])
			nic->sub_ch[i]->rescind = true;

	if (nic->registered)
		device_del(&nic->hdev.device);
	nic->registered = false;

	/* The guest's remove closed the channels; make sure of it */
	vsim_api_close(nic->primary);
	flush_work(&nic->offer_work);
	/* As the bus waits for offers in progress before it frees a
	 * revoked device's channels
	 */
	flush_delayed_work(&nic->late_work);
	vsim_vf_nic_del(nic);

	mutex_lock(&vsim_lock);
	list_del_rcu(&nic->node);
	mutex_unlock(&vsim_lock);
	synchronize_rcu();
	vsim_debugfs_nic_del(nic);
	put_device(&nic->hdev.device);
}

static void vsim_rescind_work(struct work_struct *work)
{
	vsim_nic_rescind(container_of(work, struct vsim_nic, rescind_work));
}

static int __init vsim_init(void)
{
	unsigned int i;
	int err;

	vsim_wq = alloc_workqueue("hv_vmbus_sim", WQ_UNBOUND | WQ_HIGHPRI, 0);
	if (!vsim_wq)
		return -ENOMEM;

	err = bus_register(&vsim_bus);
	if (err)
		goto destroy_wq;
	vsim_root = root_device_register("hv_vmbus_sim");
	if (IS_ERR(vsim_root)) {
		err = PTR_ERR(vsim_root);
		goto unregister_bus;
	}
	err = vsim_debugfs_init();
	if (err)
		goto unregister_root;
	vsim_bus_up = true;

	err = vsim_vf_init();
	if (err)
		goto exit_debugfs;
	for (i = 0; i < min_t(unsigned int, nics, VSIM_MAX_NICS); i++) {
		struct vsim_nic *nic = vsim_nic_add(i < vfs ? "vf=1" : NULL);

		if (IS_ERR(nic))
			pr_warn("hv_vmbus_sim: NIC %u not offered: %ld\n", i,
				PTR_ERR(nic));
	}
	return 0;

exit_debugfs:
	vsim_bus_up = false;
	vsim_debugfs_exit();
unregister_root:
	root_device_unregister(vsim_root);
unregister_bus:
	bus_unregister(&vsim_bus);
destroy_wq:
	destroy_workqueue(vsim_wq);
	return err;
}

static void __exit vsim_exit(void)
{
	struct vsim_nic *nic;

	for (;;) {
		mutex_lock(&vsim_lock);
		nic = list_first_entry_or_null(&vsim_nics, struct vsim_nic,
					       node);
		mutex_unlock(&vsim_lock);
		if (!nic)
			break;
		vsim_nic_rescind(nic);
	}
	vsim_vf_exit();
	vsim_bus_up = false;
	vsim_debugfs_exit();
	root_device_unregister(vsim_root);
	bus_unregister(&vsim_bus);
	destroy_workqueue(vsim_wq);
}

module_init(vsim_init);
module_exit(vsim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Simulated Hyper-V host for hv_netvsc testing");
